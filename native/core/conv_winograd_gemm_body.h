// The Winograd loops' products (conv_winograd_loops.h): forward, input gradient and weight
// gradient, compiled once per SIMD level (per_isa.h, included from ops_conv.cpp; no include
// guard). Results differ from the general GEMM's by rounding only (same products, one K block).
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

// C[0:R, 0:NV·W] (+)= Σ_k A[i, k]·B[k, 0:NV·W], A's element (i, k) at a[i·rsa + k·csa], B's rows
// ldb apart; ACC adds to C instead of overwriting it.
template <typename V, int R, int NV, bool ACC, typename T>
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
    for (int j = 0; j < NV; j++) {
      T* cij = c + i * ldc + j * V::N;
      store(cij, ACC ? ld(V{}, cij) + acc[i][j] : acc[i][j]);
    }
}

// The tile of r < R rows (the last row block).
template <typename V, int R, int NV, bool ACC, typename T>
inline void wg_tile_short(int r, int64_t K, const T* a, int64_t rsa, int64_t csa, const T* b,
                          int64_t ldb, T* c, int64_t ldc) {
  if constexpr (R > 0) {
    if (r == R) wg_tile<V, R, NV, ACC>(K, a, rsa, csa, b, ldb, c, ldc);
    else wg_tile_short<V, R - 1, NV, ACC>(r, K, a, rsa, csa, b, ldb, c, ldc);
  }
}

// All M rows of C's columns [j, j + NV·W).
template <typename V, int NV, bool ACC, typename T>
void wg_panel(int64_t M, int64_t K, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t ldb,
              T* c, int64_t ldc) {
  constexpr int R = wg_rows<V>();
  int64_t i = 0;
  for (; i + R <= M; i += R)
    wg_tile<V, R, NV, ACC>(K, a + i * rsa, rsa, csa, b, ldb, c + i * ldc, ldc);
  if (i < M)
    wg_tile_short<V, R - 1, NV, ACC>(int(M - i), K, a + i * rsa, rsa, csa, b, ldb, c + i * ldc, ldc);
}

// C [M x N] (+)= op(A)·B, op(A)'s element (i, k) at A[i·rsa + k·csa], B [K x N] and C [M x N]
// row-major and contiguous.
template <bool ACC, typename T>
void wg_gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B, T* C) {
  using V = std::conditional_t<std::is_same_v<T, float>, VF, VD>;
  constexpr int64_t W = V::N;
  if (N < W) {  // narrower than one vector: plain loops
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        T s = 0;
        for (int64_t k = 0; k < K; k++) s += A[i * rsa + k * csa] * B[k * N + j];
        C[i * N + j] = ACC ? C[i * N + j] + s : s;
      }
    return;
  }
  int64_t j = 0;
  for (; j + 2 * W <= N; j += 2 * W) wg_panel<V, 2, ACC>(M, K, A, rsa, csa, B + j, N, C + j, N);
  if (j == N) return;
  // The shifted last panel recomputes columns the one before wrote: not when accumulating.
  if (!ACC && N - j > W && N >= 2 * W) {
    wg_panel<V, 2, ACC>(M, K, A, rsa, csa, B + N - 2 * W, N, C + N - 2 * W, N);
    return;
  }
  for (; j + W <= N; j += W) wg_panel<V, 1, ACC>(M, K, A, rsa, csa, B + j, N, C + j, N);
  if (j == N) return;
  if (!ACC) {
    wg_panel<V, 1, ACC>(M, K, A, rsa, csa, B + N - W, N, C + N - W, N);
    return;
  }
  for (int64_t i = 0; i < M; i++)  // the last N - j < W columns
    for (int64_t jj = j; jj < N; jj++) {
      T s = 0;
      for (int64_t k = 0; k < K; k++) s += A[i * rsa + k * csa] * B[k * N + jj];
      C[i * N + jj] += s;
    }
}

// C [M x N] = A·B, A [M x K].
template <typename T>
void wino_gemm_nn(int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* C) {
  wg_gemm<false>(M, N, K, A, K, 1, B, C);
}

// C [M x N] = Aᵀ·B, A [K x M].
template <typename T>
void wino_gemm_tn(int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* C) {
  wg_gemm<false>(M, N, K, A, 1, M, B, C);
}

// bt [K x N] = Bᵀ for B [N x K].
template <typename T>
void wg_transpose(const T* B, int64_t N, int64_t K, T* bt) {
  int64_t n0 = 0;
#if defined(__x86_64__) || defined(_M_X64)
  if constexpr (std::is_same_v<T, float> && sizeof(VF) >= 32) {
    // 8 x 8 blocks in registers (AVX2 unpack / shuffle / lane permute).
    for (; n0 + 8 <= N; n0 += 8) {
      int64_t k0 = 0;
      for (; k0 + 8 <= K; k0 += 8) {
        __m256 r[8];
        for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(B + (n0 + i) * K + k0);
        __m256 t[8], u[8];
        for (int i = 0; i < 4; i++) {
          t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
          t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
        }
        for (int h = 0; h < 2; h++) {
          u[4 * h + 0] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0x44);
          u[4 * h + 1] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0xEE);
          u[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0x44);
          u[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0xEE);
        }
        for (int i = 0; i < 4; i++) {
          _mm256_storeu_ps(bt + (k0 + i) * N + n0, _mm256_permute2f128_ps(u[i], u[4 + i], 0x20));
          _mm256_storeu_ps(bt + (k0 + 4 + i) * N + n0, _mm256_permute2f128_ps(u[i], u[4 + i], 0x31));
        }
      }
      for (; k0 < K; k0++)
        for (int i = 0; i < 8; i++) bt[k0 * N + n0 + i] = B[(n0 + i) * K + k0];
    }
  }
#endif
  for (; n0 < N; n0++)
    for (int64_t k = 0; k < K; k++) bt[k * N + n0] = B[n0 * K + k];
}

// C [M x N] += A·Bᵀ, A [M x K], B [N x K] (the weight gradient's dU += dM·Vᵀ, K = a block's
// tiles). Neither operand has C's columns contiguous, so Bᵀ (the smaller, N = C) is transposed
// into a per-thread buffer first: B then feeds the in-place kernel like the other products'. The
// general GEMM packed it the same way for one use (pack_a_rows, 2% of cnn_step at AVX2) with a
// slower kernel for this shape (C tile read and written each call).
template <typename T>
void wino_gemm_nt(int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* C) {
  static thread_local std::unique_ptr<T[]> buf;
  static thread_local int64_t cap = 0;
  if (cap < N * K) {
    buf.reset(new T[size_t(N * K)]);
    cap = N * K;
  }
  wg_transpose(B, N, K, buf.get());
  wg_gemm<true>(M, N, K, A, K, 1, buf.get(), C);
}
