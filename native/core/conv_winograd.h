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

namespace tf {
namespace wino {

// Geometry of one Winograd convolution: input [N, C, H, W] -> output [N, O, Ho, Wo], padding
// (ph, pw) (zeros outside the input), tiles of 2x2 outputs.
struct Geom {
  int64_t N, C, H, W, O, Ho, Wo, ph, pw;
  int64_t th() const { return (Ho + 1) / 2; }
  int64_t tw() const { return (Wo + 1) / 2; }
  // Tile rows are stored s() = tw() + 2 apart, the last two tiles of each row unused: then both
  // transforms are single unit-stride loops over a sample's tiles, which the compiler vectorizes
  // (a loop per tile row is only 12 long in the MNIST net, too short for 16-lane vectors). The
  // unused tiles cost 14% more GEMM columns, far less than scalar transforms did.
  int64_t s() const { return tw() + 2; }
  int64_t tiles() const { return th() * s(); }
};

// dw [O, C, 3, 3] from dU [16][O][C]: the adjoint of transform_weight (forward), Gᵀ·dU·G.
template <typename T>
void transform_weight_adjoint(const T* dU, int64_t O, int64_t C, T* dw) {
  for (int64_t o = 0; o < O; o++) {
    for (int64_t c = 0; c < C; c++) {
      T u[4][4];
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) u[i][j] = dU[((i * 4 + j) * O + o) * C + c];
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
void transform_weight(const T* w, int64_t O, int64_t C, T* U) {
  for (int64_t o = 0; o < O; o++) {
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
        for (int j = 0; j < 4; j++) U[((i * 4 + j) * O + o) * C + c] = u[j];
      }
    }
  }
}

// How many samples one block transforms and multiplies at once: about `target` tiles, so the 16
// GEMMs are wide enough while V and M stay within L2.
inline int64_t block_samples(const Geom& G, int64_t target) {
  return std::max<int64_t>(1, target / std::max<int64_t>(1, G.tiles()));
}

// The transforms at the chosen SIMD level (conv_winograd_body.h, dispatched in ops_conv.cpp).
template <typename T>
struct Transforms {
  void (*input)(const Geom&, const T*, int64_t, int64_t, T*, T*);
  void (*output)(const Geom&, const T*, const T*, int64_t, int64_t, T*, T*);
  void (*grad)(const Geom&, const T*, int64_t, int64_t, T*, T*);
  void (*input_adjoint)(const Geom&, const T*, int64_t, int64_t, T*, T*);
};

// Samples [n0, n1): y = conv(x, U) (+ bias). gemm(M, N, K, A, B, C) computes C = A·B row-major,
// contiguous (the caller's GEMM on the calling thread).
template <typename T, typename Gemm>
void conv_samples(const Geom& G, const T* x, const T* U, const T* bias, int64_t n0, int64_t n1,
                  int64_t block, const Transforms<T>& tr, Gemm&& gemm, T* y) {
  if (n0 >= n1) return;
  const int64_t tiles = G.tiles();
  const int64_t cap = std::min(block, n1 - n0) * tiles;
  std::unique_ptr<T[]> V(new T[size_t(16 * G.C * cap)]);
  std::unique_ptr<T[]> M(new T[size_t(16 * G.O * cap)]);
  std::unique_ptr<T[]> scratch(new T[size_t(4 * (G.th() + 2) * G.s())]());
  for (int64_t s0 = n0; s0 < n1; s0 += block) {
    const int64_t s1 = std::min(n1, s0 + block), Tn = (s1 - s0) * tiles;
    tr.input(G, x, s0, s1, V.get(), scratch.get());
    for (int xi = 0; xi < 16; xi++)
      gemm(G.O, Tn, G.C, U + xi * G.O * G.C, V.get() + xi * G.C * Tn, M.get() + xi * G.O * Tn);
    tr.output(G, M.get(), bias, s0, s1, y, scratch.get());
  }
}

// Samples [n0, n1): dU [16][O][C] += Σ dM_ξ·V_ξᵀ over their tiles, the gradient of the 16
// products (V from x, dM from gy). gemm_nt(M, N, K, A, B, C) computes C += A·Bᵀ with A [M x K],
// B [N x K] row-major, contiguous.
template <typename T, typename Gemm>
void weight_grad_samples(const Geom& G, const T* x, const T* gy, int64_t n0, int64_t n1,
                         int64_t block, const Transforms<T>& tr, Gemm&& gemm_nt, T* dU) {
  if (n0 >= n1) return;
  const int64_t tiles = G.tiles();
  const int64_t cap = std::min(block, n1 - n0) * tiles;
  std::unique_ptr<T[]> V(new T[size_t(16 * G.C * cap)]);
  std::unique_ptr<T[]> dM(new T[size_t(16 * G.O * cap)]);
  std::unique_ptr<T[]> scratch(new T[size_t(4 * (G.th() + 2) * G.s())]());
  for (int64_t s0 = n0; s0 < n1; s0 += block) {
    const int64_t s1 = std::min(n1, s0 + block), Tn = (s1 - s0) * tiles;
    tr.input(G, x, s0, s1, V.get(), scratch.get());
    tr.grad(G, gy, s0, s1, dM.get(), scratch.get());
    for (int xi = 0; xi < 16; xi++)
      gemm_nt(G.O, G.C, Tn, dM.get() + xi * G.O * Tn, V.get() + xi * G.C * Tn, dU + xi * G.O * G.C);
  }
}

// Samples [n0, n1): dx = the adjoint of conv(·, U) applied to gy: dM from gy (transform_grad),
// dV_ξ = U_ξᵀ·dM_ξ, dx from dV (transform_input_adjoint). gemm_tn(M, N, K, A, B, C) computes
// C = Aᵀ·B with A [K x M], B [K x N] row-major, contiguous.
template <typename T, typename Gemm>
void input_grad_samples(const Geom& G, const T* gy, const T* U, int64_t n0, int64_t n1,
                        int64_t block, const Transforms<T>& tr, Gemm&& gemm_tn, T* dx) {
  if (n0 >= n1) return;
  const int64_t tiles = G.tiles(), S = G.s();
  const int64_t cap = std::min(block, n1 - n0) * tiles;
  std::unique_ptr<T[]> dM(new T[size_t(16 * G.O * cap)]);
  std::unique_ptr<T[]> dV(new T[size_t(16 * G.C * cap)]);
  const int64_t scratch_n =
      std::max(16 * (G.th() * S + 2 * S + 1) + 4 * (G.th() + 2) * S, 4 * (G.th() + 2) * S);
  std::unique_ptr<T[]> scratch(new T[size_t(scratch_n)]());
  for (int64_t s0 = n0; s0 < n1; s0 += block) {
    const int64_t s1 = std::min(n1, s0 + block), Tn = (s1 - s0) * tiles;
    tr.grad(G, gy, s0, s1, dM.get(), scratch.get());
    for (int xi = 0; xi < 16; xi++)
      gemm_tn(G.C, Tn, G.O, U + xi * G.O * G.C, dM.get() + xi * G.O * Tn, dV.get() + xi * G.C * Tn);
    tr.input_adjoint(G, dV.get(), s0, s1, dx, scratch.get());
  }
}

}  // namespace wino
}  // namespace tf
