// The Winograd loops' forward and input-gradient products (conv_winograd_loops.h), compiled once
// per SIMD level (per_isa.h, included from ops_conv.cpp; no include guard).
//
// Why not the engine's GEMM: these products are thin (K = C or O, 32 or 64 in the MNIST net's
// second layer; N = one block's tiles, ~170) and B (the transformed input or gradient, K x N,
// ~20 KB) is written just before, so it is in L1/L2. The general GEMM packed B into panels on
// every call (pack_b_rows: 5% of the cnn_step profile at AVX-512) for a single use of each panel.
// Here the micro-kernel reads B's rows where they lie: a panel of 2 vectors x K rows (4 KB at
// AVX-512) stays in L1 while every row block of A (the transformed weights, in L1 too) runs over
// it, and the C tile is written once (K is one block).
//
// Columns not a multiple of the panel width: the last panel is shifted left to end at column N
// and overlaps the one before; the overlapped columns are computed again with the same
// operations in the same order, so they get the same bits (no tail kernel, no padding).

template <typename V>
constexpr int wg_rows() {
  // Register tile of rows x 2 vectors: 24 accumulators of the 32 zmm registers, 12 of the 16 ymm.
  return sizeof(V) >= 64 ? 12 : sizeof(V) >= 32 ? 6 : 4;
}

template <typename V>
inline V wg_fma(V a, V b, V c) {
  // The one-lane level keeps the separate multiply and add: std::fma is a library call without
  // FMA hardware.
  if constexpr (V::N == 1) return a * b + c;
  else return vfma(a, b, c);
}

// C[0:R, 0:NV·W] = Σ_k A[i, k]·B[k, 0:NV·W], A's element (i, k) at a[i·rsa + k·csa], B's rows ldb
// apart.
template <typename V, int R, int NV, typename T>
inline void wg_tile(int64_t K, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t ldb, T* c,
                    int64_t ldc) {
  V acc[R][NV];
#pragma GCC unroll 16
  for (int i = 0; i < R; i++)
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) acc[i][j] = set1(V{}, T(0));
  for (int64_t k = 0; k < K; k++, b += ldb, a += csa) {
    V bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) bv[j] = ld(V{}, b + j * V::N);
#pragma GCC unroll 16
    for (int i = 0; i < R; i++) {
      const V ai = set1(V{}, a[i * rsa]);
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) acc[i][j] = wg_fma(ai, bv[j], acc[i][j]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < R; i++)
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) store(c + i * ldc + j * V::N, acc[i][j]);
}

// The tile of r < R rows (the last row block).
template <typename V, int R, int NV, typename T>
inline void wg_tile_short(int r, int64_t K, const T* a, int64_t rsa, int64_t csa, const T* b,
                          int64_t ldb, T* c, int64_t ldc) {
  if constexpr (R > 0) {
    if (r == R) wg_tile<V, R, NV>(K, a, rsa, csa, b, ldb, c, ldc);
    else wg_tile_short<V, R - 1, NV>(r, K, a, rsa, csa, b, ldb, c, ldc);
  }
}

// All M rows of C's columns [j, j + NV·W).
template <typename V, int NV, typename T>
void wg_panel(int64_t M, int64_t K, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t ldb,
              T* c, int64_t ldc) {
  constexpr int R = wg_rows<V>();
  int64_t i = 0;
  for (; i + R <= M; i += R) wg_tile<V, R, NV>(K, a + i * rsa, rsa, csa, b, ldb, c + i * ldc, ldc);
  if (i < M) wg_tile_short<V, R - 1, NV>(int(M - i), K, a + i * rsa, rsa, csa, b, ldb, c + i * ldc, ldc);
}

// C [M x N] = op(A)·B, op(A)'s element (i, k) at A[i·rsa + k·csa], B [K x N] and C [M x N]
// row-major and contiguous.
template <typename T>
void wg_gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B, T* C) {
  using V = std::conditional_t<std::is_same_v<T, float>, VF, VD>;
  constexpr int64_t W = V::N;
  if (N < W) {  // narrower than one vector: plain loops
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        T s = 0;
        for (int64_t k = 0; k < K; k++) s += A[i * rsa + k * csa] * B[k * N + j];
        C[i * N + j] = s;
      }
    return;
  }
  int64_t j = 0;
  for (; j + 2 * W <= N; j += 2 * W) wg_panel<V, 2>(M, K, A, rsa, csa, B + j, N, C + j, N);
  if (j == N) return;
  if (N - j > W && N >= 2 * W) {
    wg_panel<V, 2>(M, K, A, rsa, csa, B + N - 2 * W, N, C + N - 2 * W, N);
    return;
  }
  for (; j + W <= N; j += W) wg_panel<V, 1>(M, K, A, rsa, csa, B + j, N, C + j, N);
  if (j < N) wg_panel<V, 1>(M, K, A, rsa, csa, B + N - W, N, C + N - W, N);
}

// C [M x N] = A·B, A [M x K].
template <typename T>
void wino_gemm_nn(int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* C) {
  wg_gemm(M, N, K, A, K, 1, B, C);
}

// C [M x N] = Aᵀ·B, A [K x M].
template <typename T>
void wino_gemm_tn(int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* C) {
  wg_gemm(M, N, K, A, 1, M, B, C);
}
