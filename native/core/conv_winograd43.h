// Winograd F(4x4, 3x3) for unstrided, undilated, ungrouped 3x3 convolutions (included by
// ops_conv.cpp only), the larger-tile sibling of conv_winograd.h's F(2x2, 3x3).
//
// Why: each 4x4 output tile comes from a 6x6 input tile with 36 products per (output channel,
// input channel) instead of 144 (4x fewer multiplies than im2col, against 2.25x for F(2x2)), as
// 36 independent GEMMs [O x C]·[C x tiles]. Points 0, ±1, ±2, ∞ (Lavin & Gray). The input and
// weight gradients are the adjoints of this algorithm, like F(2x2)'s, so they are exact
// gradients of what the forward computes.
//
// Numerics: the transforms have factors up to 8 (output) and 5 (input), and the weight transform
// 1/6, 1/12, 1/24, so float32 rounding is larger than F(2x2)'s; measured against a float64 direct
// convolution in test/conv_fast_paths.test.js (see ops_conv.cpp's header for the figures).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>

#include "conv_winograd_loops.h"

namespace tf {
namespace wino43 {

// Geometry: input [N, C, H, W] -> output [N, O, Ho, Wo], padding (ph, pw), tiles of 4x4 outputs.
// The input (and the gradients) are split by row and column residue mod 4 into 16 planes of
// blocks, tw() blocks a row; tile t = a·tw + b reads block entries t and t + tw of those, and its
// last two columns (the next block's residues 0 and 1) from 8 more planes holding each row's
// blocks 1..tw, so the transforms are single unit-stride loops over th·tw tiles with no unused
// tile (an unused tile a row cost 6 of the MNIST layer's 42 GEMM columns).
struct Geom {
  static constexpr int kPoints = 36;  // products per (output, input) channel pair
  // The product whose gradient dM (A·g·Aᵀ, A's row 1 = (1, 1, 1, 1)) is the sum of its 4x4 output
  // tile.
  static constexpr int kSumPoint = 7;
  int64_t N, C, H, W, O, Ho, Wo, ph, pw;
  int64_t th() const { return (Ho + 3) / 4; }
  int64_t tw() const { return (Wo + 3) / 4; }
  int64_t tiles() const { return th() * tw(); }
  // One residue plane (th + 1 block rows, tw blocks each; one spare row).
  int64_t rplane() const { return (th() + 2) * tw(); }
  // Scratch of the input, output and gradient transforms: 16 residue planes and 8 shifted ones.
  int64_t scratch() const { return 24 * rplane(); }
  // Scratch of the input adjoint: 36 zero-bordered planes of products, 16 residue planes, then
  // each residue's last block column (block tw, which no tile starts in) by block row.
  int64_t dl() const { return tiles() + 2 * tw() + 1; }
  int64_t scratch_adjoint() const { return 36 * dl() + 16 * rplane() + 16 * (th() + 1); }
};

// U [36][O][C] from w [O, C, 3, 3]: G·g·Gᵀ, G rows (1/4, 0, 0), (-1/6, -1/6, -1/6),
// (-1/6, 1/6, -1/6), (1/24, 1/12, 1/6), (1/24, -1/12, 1/6), (0, 0, 1).
// Multiplies by the rounded reciprocals instead of dividing (the divisions made this transform
// 3% of the cnn_step profile at AVX2, run twice a step): U differs from the divided one by an ulp
// or so, far below the algorithm's own float32 error, and the adjoint below is rounded alike.
template <typename T>
inline void g_col(const T g0, const T g1, const T g2, T* u) {
  const T e = (g0 + g2) * T(-1.0 / 6), f = g1 * T(1.0 / 6);
  const T a = g0 * T(1.0 / 24) + g2 * T(1.0 / 6), b = g1 * T(1.0 / 12);
  u[0] = g0 * T(0.25);
  u[1] = e - f;
  u[2] = e + f;
  u[3] = a + b;
  u[4] = a - b;
  u[5] = g2;
}

// Gᵀ·u (6 -> 3), the adjoint of g_col.
template <typename T>
inline void gt_col(const T* u, T* g) {
  const T p = u[1] + u[2], m = u[2] - u[1], q = u[3] + u[4], r = u[3] - u[4];
  g[0] = u[0] * T(0.25) - p * T(1.0 / 6) + q * T(1.0 / 24);
  g[1] = m * T(1.0 / 6) + r * T(1.0 / 12);
  g[2] = (q - p) * T(1.0 / 6) + u[5];
}

template <typename T>
void transform_weight(const T* w, int64_t O, int64_t C, T* U, int64_t o0, int64_t o1) {
  // One output channel's products are staged in `row` ([P][C]) and copied out row by row: stored
  // straight into U, the P streams O·C values apart (8 KiB for the MNIST layer) all fell in one
  // L1 set and every store missed (the F(4x4) transform was 3% of the AVX2 cnn_step profile).
  std::unique_ptr<T[]> row(new T[size_t(36 * C)]);
  for (int64_t o = o0; o < o1; o++) {
    for (int64_t c = 0; c < C; c++) {
      const T* g = w + (o * C + c) * 9;
      T t[3][6];  // t[j] = G·(column j of g)
      for (int j = 0; j < 3; j++) g_col(g[j], g[3 + j], g[6 + j], t[j]);
      for (int i = 0; i < 6; i++) {
        T u[6];
        g_col(t[0][i], t[1][i], t[2][i], u);
        for (int j = 0; j < 6; j++) row[(i * 6 + j) * C + c] = u[j];
      }
    }
    for (int k = 0; k < 36; k++)
      std::copy(row.get() + k * C, row.get() + (k + 1) * C, U + (k * O + o) * C);
  }
}

// dw [O, C, 3, 3] from dU [36][O][C]: Gᵀ·dU·G, the adjoint of transform_weight.
template <typename T>
void transform_weight_adjoint(const T* dU, int64_t O, int64_t C, T* dw, int64_t o0, int64_t o1) {
  std::unique_ptr<T[]> row(new T[size_t(36 * C)]);  // as in transform_weight, loads
  for (int64_t o = o0; o < o1; o++) {
    for (int k = 0; k < 36; k++)
      std::copy(dU + (k * O + o) * C, dU + (k * O + o + 1) * C, row.get() + k * C);
    for (int64_t c = 0; c < C; c++) {
      T t[6][3];  // t[i] = Gᵀ·(row i of dU)
      for (int i = 0; i < 6; i++) {
        T u[6];
        for (int j = 0; j < 6; j++) u[j] = row[(i * 6 + j) * C + c];
        gt_col(u, t[i]);
      }
      T* g = dw + (o * C + c) * 9;
      for (int j = 0; j < 3; j++) {
        T u[6], r[3];
        for (int i = 0; i < 6; i++) u[i] = t[i][j];
        gt_col(u, r);
        for (int i = 0; i < 3; i++) g[i * 3 + j] = r[i];
      }
    }
  }
}

// The transforms at the chosen SIMD level (dispatched in ops_conv.cpp).
template <typename T>
struct Transforms {
  void (*input)(const Geom&, const T*, int64_t, int64_t, T*, T*);
  void (*output)(const Geom&, const T*, const T*, int64_t, int64_t, T*, T*);
  void (*grad)(const Geom&, const T*, int64_t, int64_t, T*, T*);
  void (*input_adjoint)(const Geom&, const T*, int64_t, int64_t, T*, T*);
};

using wino_loops::block_samples;
using wino_loops::conv_samples;
using wino_loops::input_grad_samples;
using wino_loops::weight_grad_samples;

}  // namespace wino43
}  // namespace tf
