// Winograd F(2x2, 3x3) for unstrided, undilated, ungrouped 3x3 convolutions (included by
// ops_conv.cpp only).
//
// Why: a 3x3 convolution through im2col + GEMM spends 9·C multiply-adds per output and channel
// pair; F(2x2,3x3) computes each 2x2 output tile from a 4x4 input tile with 16 products per
// (output channel, input channel) instead of 36, i.e. 2.25x fewer, as 16 independent GEMMs
// [O x C]·[C x tiles]. The input and output transforms are additions only. The input and weight
// gradients are the adjoints of this algorithm (transposed transforms, U_ξᵀ·dM_ξ and dM_ξ·V_ξᵀ),
// so they are exact gradients of what the forward computes, on the same tiles.
//
// Numerics: the weight transform has factors 1/2, the others are ±1 sums; the result differs
// from im2col's by a few ulps of the largest partial sums (float32: about 2e-7 relative to the
// largest output in the tests; Winograd paths in other libraries accept the same).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>

#include "conv_winograd_loops.h"

namespace tf {
namespace wino {

// Geometry of one Winograd convolution: input [N, C, H, W] -> output [N, O, Ho, Wo], padding
// (ph, pw) (zeros outside the input), tiles of 2x2 outputs.
struct Geom {
  static constexpr int kPoints = 16;  // products per (output, input) channel pair
  // The product whose gradient dM (A·g·Aᵀ, A's row 1 = (1, 1)) is the sum of its 2x2 output tile.
  static constexpr int kSumPoint = 5;
  int64_t N, C, H, W, O, Ho, Wo, ph, pw;
  int64_t th() const { return (Ho + 1) / 2; }
  int64_t tw() const { return (Wo + 1) / 2; }
  // Tile rows are stored s() = tw() + 2 apart, the last two tiles of each row unused: then both
  // transforms are single unit-stride loops over a sample's tiles, which the compiler vectorizes
  // (a loop per tile row is only 12 long in the MNIST net, too short for 16-lane vectors). The
  // unused tiles cost 14% more GEMM columns, far less than scalar transforms did.
  int64_t s() const { return tw() + 2; }
  int64_t tiles() const { return th() * s(); }
  // Scratch of the input, output and gradient transforms (4 parity planes), and of the input
  // adjoint (16 zero-bordered planes of products, then the parity planes).
  int64_t scratch() const { return 4 * (th() + 2) * s(); }
  int64_t scratch_adjoint() const { return 16 * (th() * s() + 2 * s() + 1) + scratch(); }
};

// dw [O, C, 3, 3] from dU [16][O][C]: the adjoint of transform_weight (forward), Gᵀ·dU·G.
template <typename T>
void transform_weight_adjoint(const T* dU, int64_t O, int64_t C, T* dw, int64_t o0, int64_t o1) {
  std::unique_ptr<T[]> row(new T[size_t(16 * C)]);  // as in transform_weight, loads
  for (int64_t o = o0; o < o1; o++) {
    for (int k = 0; k < 16; k++)
      std::copy(dU + (k * O + o) * C, dU + (k * O + o + 1) * C, row.get() + k * C);
    for (int64_t c = 0; c < C; c++) {
      T u[4][4];
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) u[i][j] = row[(i * 4 + j) * C + c];
      // t = Gᵀ·u (3x4): Gᵀ rows (1, 1/2, 1/2, 0), (0, 1/2, -1/2, 0), (0, 1/2, 1/2, 1)
      T t[3][4];
      for (int j = 0; j < 4; j++) {
        t[0][j] = u[0][j] + T(0.5) * (u[1][j] + u[2][j]);
        t[1][j] = T(0.5) * (u[1][j] - u[2][j]);
        t[2][j] = T(0.5) * (u[1][j] + u[2][j]) + u[3][j];
      }
      T* g = dw + (o * C + c) * 9;
      for (int i = 0; i < 3; i++) {
        g[i * 3 + 0] = t[i][0] + T(0.5) * (t[i][1] + t[i][2]);
        g[i * 3 + 1] = T(0.5) * (t[i][1] - t[i][2]);
        g[i * 3 + 2] = T(0.5) * (t[i][1] + t[i][2]) + t[i][3];
      }
    }
  }
}

// U [16][O][C] from w [O, C, 3, 3]: G·g·Gᵀ of each 3x3 kernel.
template <typename T>
void transform_weight(const T* w, int64_t O, int64_t C, T* U, int64_t o0, int64_t o1) {
  // One output channel's products are staged in `row` ([P][C]) and copied out row by row: stored
  // straight into U, the P streams O·C values apart (8 KiB for the MNIST layer) all fell in one
  // L1 set and every store missed (the F(4x4) transform was 3% of the AVX2 cnn_step profile).
  std::unique_ptr<T[]> row(new T[size_t(16 * C)]);
  for (int64_t o = o0; o < o1; o++) {
    for (int64_t c = 0; c < C; c++) {
      T g[3][3];
      const T* src = w + (o * C + c) * 9;
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) g[i][j] = src[i * 3 + j];
      // t = G·g (4x3), G = [[1,0,0],[1/2,1/2,1/2],[1/2,-1/2,1/2],[0,0,1]]
      T t[4][3];
      for (int j = 0; j < 3; j++) {
        t[0][j] = g[0][j];
        t[1][j] = T(0.5) * (g[0][j] + g[1][j] + g[2][j]);
        t[2][j] = T(0.5) * (g[0][j] - g[1][j] + g[2][j]);
        t[3][j] = g[2][j];
      }
      // u = t·Gᵀ (4x4)
      for (int i = 0; i < 4; i++) {
        T u[4];
        u[0] = t[i][0];
        u[1] = T(0.5) * (t[i][0] + t[i][1] + t[i][2]);
        u[2] = T(0.5) * (t[i][0] - t[i][1] + t[i][2]);
        u[3] = t[i][2];
        for (int j = 0; j < 4; j++) row[(i * 4 + j) * C + c] = u[j];
      }
    }
    for (int k = 0; k < 16; k++)
      std::copy(row.get() + k * C, row.get() + (k + 1) * C, U + (k * O + o) * C);
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

}  // namespace wino
}  // namespace tf
