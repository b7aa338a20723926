// The block loops shared by the Winograd convolutions (conv_winograd.h: F(2x2,3x3), 16 products;
// conv_winograd43.h: F(4x4,3x3), 36 products). Each is written against a geometry type with
// kPoints, tiles(), scratch() and scratch_adjoint(), and a table of that variant's transforms
// (input, output, grad, input_adjoint) at the chosen SIMD level.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>

namespace tf {

// The sum of row[0:n] (a bias gradient's plane): 16 independent float partial sums, which
// vectorize, then the total in double.
template <typename T>
double row_total(const T* row, int64_t n) {
  T part[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 16; k++) part[k] += row[i + k];
  double rs = 0;
  for (; i < n; i++) rs += row[i];
  for (int k = 0; k < 16; k++) rs += part[k];
  return rs;
}

namespace wino_loops {

// Fetches the plane of `n` values at p into cache ahead of its use. The transforms read their
// input (x, or the freshly written gy) one channel plane at a time (2.3 KiB for the MNIST net's
// second layer) and spent most of their time stalled on those loads (perf: the three hottest
// instructions of transform_grad43 were its loads of gy); each asks for the next plane while it
// works on the current one.
template <typename T>
inline void prefetch_plane(const T* p, int64_t n) {
#if defined(__GNUC__)
  const char* b = reinterpret_cast<const char*>(p);
  for (int64_t off = 0; off < n * int64_t(sizeof(T)); off += 64) __builtin_prefetch(b + off, 0, 3);
#else
  (void)p;
  (void)n;
#endif
}

// How many samples one block transforms and multiplies at once: about `target` tiles, so the
// GEMMs are wide enough while the transformed blocks stay within L2.
template <typename Geom>
int64_t block_samples(const Geom& G, int64_t target) {
  return std::max<int64_t>(1, target / std::max<int64_t>(1, G.tiles()));
}

// Samples [n0, n1): y = conv(x, U) (+ bias). gemm(M, N, K, A, B, C) computes C = A·B row-major,
// contiguous (the caller's GEMM on the calling thread).
template <typename Geom, typename Tr, typename T, typename Gemm>
void conv_samples(const Geom& G, const T* x, const T* U, const T* bias, int64_t n0, int64_t n1,
                  int64_t block, const Tr& tr, Gemm&& gemm, T* y) {
  if (n0 >= n1) return;
  constexpr int P = Geom::kPoints;
  const int64_t cap = std::min(block, n1 - n0) * G.tiles();
  std::unique_ptr<T[]> V(new T[size_t(P * G.C * cap)]);
  std::unique_ptr<T[]> M(new T[size_t(P * G.O * cap)]);
  std::unique_ptr<T[]> scratch(new T[size_t(G.scratch())]());
  for (int64_t s0 = n0; s0 < n1; s0 += block) {
    const int64_t s1 = std::min(n1, s0 + block), Tn = (s1 - s0) * G.tiles();
    tr.input(G, x, s0, s1, V.get(), scratch.get());
    for (int xi = 0; xi < P; xi++)
      gemm(G.O, Tn, G.C, U + xi * G.O * G.C, V.get() + xi * G.C * Tn, M.get() + xi * G.O * Tn);
    tr.output(G, M.get(), bias, s0, s1, y, scratch.get());
  }
}

// Samples [n0, n1): dU [P][O][C] += Σ dM_ξ·V_ξᵀ over their tiles, the gradient of the P
// products (V from x, dM from gy). gemm_nt(M, N, K, A, B, C) computes C += A·Bᵀ with A [M x K],
// B [N x K] row-major, contiguous.
template <typename Geom, typename Tr, typename T, typename Gemm>
void weight_grad_samples(const Geom& G, const T* x, const T* gy, int64_t n0, int64_t n1,
                         int64_t block, const Tr& tr, Gemm&& gemm_nt, T* dU) {
  if (n0 >= n1) return;
  constexpr int P = Geom::kPoints;
  const int64_t cap = std::min(block, n1 - n0) * G.tiles();
  std::unique_ptr<T[]> V(new T[size_t(P * G.C * cap)]);
  std::unique_ptr<T[]> dM(new T[size_t(P * G.O * cap)]);
  std::unique_ptr<T[]> scratch(new T[size_t(G.scratch())]());
  for (int64_t s0 = n0; s0 < n1; s0 += block) {
    const int64_t s1 = std::min(n1, s0 + block), Tn = (s1 - s0) * G.tiles();
    tr.input(G, x, s0, s1, V.get(), scratch.get());
    tr.grad(G, gy, s0, s1, dM.get(), scratch.get());
    for (int xi = 0; xi < P; xi++)
      gemm_nt(G.O, G.C, Tn, dM.get() + xi * G.O * Tn, V.get() + xi * G.C * Tn, dU + xi * G.O * G.C);
  }
}

// Samples [n0, n1): dx = the adjoint of conv(·, U) applied to gy: dM from gy (transform_grad),
// dV_ξ = U_ξᵀ·dM_ξ, dx from dV (transform_input_adjoint). gemm_tn(M, N, K, A, B, C) computes
// C = Aᵀ·B with A [K x M], B [K x N] row-major, contiguous.
template <typename Geom, typename Tr, typename T, typename Gemm>
void input_grad_samples(const Geom& G, const T* gy, const T* U, int64_t n0, int64_t n1,
                        int64_t block, const Tr& tr, Gemm&& gemm_tn, T* dx) {
  if (n0 >= n1) return;
  constexpr int P = Geom::kPoints;
  const int64_t cap = std::min(block, n1 - n0) * G.tiles();
  std::unique_ptr<T[]> dM(new T[size_t(P * G.O * cap)]);
  std::unique_ptr<T[]> dV(new T[size_t(P * G.C * cap)]);
  std::unique_ptr<T[]> scratch(new T[size_t(std::max(G.scratch(), G.scratch_adjoint()))]());
  for (int64_t s0 = n0; s0 < n1; s0 += block) {
    const int64_t s1 = std::min(n1, s0 + block), Tn = (s1 - s0) * G.tiles();
    tr.grad(G, gy, s0, s1, dM.get(), scratch.get());
    for (int xi = 0; xi < P; xi++)
      gemm_tn(G.C, Tn, G.O, U + xi * G.O * G.C, dM.get() + xi * G.O * Tn, dV.get() + xi * G.C * Tn);
    tr.input_adjoint(G, dV.get(), s0, s1, dx, scratch.get());
  }
}

// Samples [n0, n1): both gradients of a convolution whose input and weight both need them, from
// one transform of gy: dM serves dx (as in input_grad_samples) and then dU (as in
// weight_grad_samples), so gy is read and transformed once instead of twice, and the block's
// dM is still in L2 for the second use. Same arithmetic in the same order as the two separate
// loops, so the results are bitwise those of input_grad_samples and weight_grad_samples.
// V reuses dV's buffer (dV is consumed by the input adjoint before V is written).
// gb (may be null): the bias gradient Σ gy per output channel is added into gb [O] from dM's
// kSumPoint product (one tile's sum each, zero for the unused and cut tiles), read while it is in
// L2 instead of another pass over gy.
template <typename Geom, typename Tr, typename T, typename GemmTn, typename GemmNt>
void backward_samples(const Geom& G, const T* x, const T* gy, const T* U, int64_t n0, int64_t n1,
                      int64_t block, const Tr& tr, GemmTn&& gemm_tn, GemmNt&& gemm_nt, T* dx,
                      T* dU, double* gb) {
  if (n0 >= n1) return;
  constexpr int P = Geom::kPoints;
  const int64_t cap = std::min(block, n1 - n0) * G.tiles();
  std::unique_ptr<T[]> dM(new T[size_t(P * G.O * cap)]);
  std::unique_ptr<T[]> VdV(new T[size_t(P * G.C * cap)]);
  // transform_input needs its own zero-filled scratch (it relies on rows it never writes).
  std::unique_ptr<T[]> scratch_in(new T[size_t(G.scratch())]());
  std::unique_ptr<T[]> scratch(new T[size_t(std::max(G.scratch(), G.scratch_adjoint()))]());
  for (int64_t s0 = n0; s0 < n1; s0 += block) {
    const int64_t s1 = std::min(n1, s0 + block), Tn = (s1 - s0) * G.tiles();
    tr.grad(G, gy, s0, s1, dM.get(), scratch.get());
    if (gb) {
      for (int64_t o = 0; o < G.O; o++) {
        const T* row = dM.get() + (Geom::kSumPoint * G.O + o) * Tn;
        gb[o] += row_total(row, Tn);
      }
    }
    for (int xi = 0; xi < P; xi++)
      gemm_tn(G.C, Tn, G.O, U + xi * G.O * G.C, dM.get() + xi * G.O * Tn, VdV.get() + xi * G.C * Tn);
    tr.input_adjoint(G, VdV.get(), s0, s1, dx, scratch.get());
    tr.input(G, x, s0, s1, VdV.get(), scratch_in.get());
    for (int xi = 0; xi < P; xi++)
      gemm_nt(G.O, G.C, Tn, dM.get() + xi * G.O * Tn, VdV.get() + xi * G.C * Tn, dU + xi * G.O * G.C);
  }
}

}  // namespace wino_loops
}  // namespace tf
