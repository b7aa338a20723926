// GEMM micro-kernels and their blocking parameters, one set per SIMD level. Private to gemm.cpp.
//
// A micro-kernel computes one MR x NR tile of C from a packed A panel (KC steps of MR values) and a
// packed B panel (KC steps of NR values):
//   C[0:MR, 0:NR] = alpha * sum_k a[k][0:MR] (outer) b[k][0:NR] + beta * C   (beta == 0: C not read)
// The tile lives in registers for the whole K loop: each step loads NR/W vectors of B, broadcasts
// the MR values of A, and issues MR * NR/W FMAs.
#pragma once
#include <cstdint>

#include "cpu.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TF_GEMM_X86 1
#define TF_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))
#define TF_TARGET_AVX2 __attribute__((target("avx2,fma")))
#elif defined(__aarch64__)
#include <arm_neon.h>
#define TF_GEMM_NEON 1
#endif

namespace tf {
namespace gemm_detail {

template <typename T>
using MicroKernel = void (*)(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, T alpha,
                             T beta);

// The same micro-kernel reading A in place: element (i, k) at a[i * rsa + k * csa].
template <typename T>
using StridedKernel = void (*)(int64_t kc, const T* a, int64_t rsa, int64_t csa, const T* b, T* c,
                               int64_t ldc, T alpha, T beta);

// The strided kernel reading B in place too: row k of the NR-wide panel at b + k * rsb.
template <typename T>
using StridedBKernel = void (*)(int64_t kc, const T* a, int64_t rsa, int64_t csa, const T* b,
                                int64_t rsb, T* c, int64_t ldc, T alpha, T beta);

template <typename T>
struct KernelSet {
  MicroKernel<T> kernel;
  int MR, NR;          // register tile
  int64_t KC, MC, NC;  // default cache blocks (gemm.cpp derives them from the CPU's caches)
  StridedKernel<T> strided = nullptr;  // null: A is always packed
  const StridedKernel<T>* rows = nullptr;  // rows[m]: the strided kernel of m < MR rows, or null
  const StridedBKernel<T>* rows_b = nullptr;  // rows_b[m]: B in place, m <= MR rows, or null
};

// ---- scalar (any CPU; on arm64 only under TENSORFOLD_SIMD=scalar) ------------------------------
template <typename T, int MR, int NR>
void ukernel_scalar(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, T alpha, T beta) {
  T acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k, a += MR, b += NR)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) {
      const T v = alpha * acc[i][j];
      c[i * ldc + j] = beta == T(0) ? v : v + beta * c[i * ldc + j];
    }
}

#ifdef TF_GEMM_X86
// The C tile is read (beta != 0, and every K block after the first) and written only after the
// K loop: fetching its lines now overlaps their misses with the FMAs instead of stalling on them
// at the end (C is often out of L2: rows ldc apart, touched once per KC steps).
template <typename T>
inline void prefetch_tile(T* c, int64_t ldc, int rows, int row_bytes) {
  for (int i = 0; i < rows; ++i) {
    const char* r = reinterpret_cast<const char*>(c + i * ldc);
    for (int off = 0; off < row_bytes; off += 64) __builtin_prefetch(r + off, 1, 3);
    __builtin_prefetch(r + row_bytes - 1, 1, 3);  // the last line, when the row is unaligned
  }
}

// The packed panels' data kPrefetchSteps K steps ahead, every line of it once or more: with
// deep K blocks (KC 1024) the B micro-panel (128 KB at AVX-512 float) and the A one stream from
// L2 rather than sit in L1, and the hardware prefetcher alone left the kernel waiting on them.
// Measured (gemm_harness, AVX-512 float, Zen 5, alternating, median): 1024^3 2 threads
// 88.7/90.3 -> 90.9/92.1% of peak, 2048^3 one thread 90.3/91.2 -> 91.6/92.2%, two threads
// 87.8 -> 88.8% (mean of 3), 512^3 89.2/90.0 -> 90.7/91.4%; float64 1024^3 the same (89.1 ->
// 89.1%). The AVX2 kernels' B panels (KC 384, 24 KB) stay in L1, and the same prefetches there
// measured within noise (1024^3 float 91.3/95.8 -> 95.3/93.2%), so they have none.
constexpr int kPrefetchSteps = 8;
template <typename T, int MR, int NR>
inline void prefetch_panels(const T* a, const T* b) {
  constexpr int line = 64 / sizeof(T);
#pragma GCC unroll 4
  for (int j = 0; j < NR; j += line) __builtin_prefetch(b + NR * kPrefetchSteps + j, 0, 3);
  // A's step is MR values: a line every step when that is at most a line, two when more.
#pragma GCC unroll 2
  for (int j = 0; j < MR; j += line) __builtin_prefetch(a + MR * kPrefetchSteps + j, 0, 3);
}

// ---- AVX-512: 32 zmm registers hold a 12 x 32 float tile (24 accumulators) + 2 B vectors + A ----
template <int MR, bool S, bool SB = false>
TF_TARGET_AVX512 inline void ukernel_s_avx512_body(int64_t kc, const float* a, int64_t rsa,
                                                   int64_t csa, const float* b, int64_t rsb,
                                                   float* c, int64_t ldc, float alpha, float beta) {
  const int64_t rs = S ? rsa : 1, cs = S ? csa : MR;
  const int64_t bs = SB ? rsb : 32;
  prefetch_tile(c, ldc, MR, 32 * sizeof(float));
  __m512 c0[MR], c1[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k, a += cs, b += bs) {
    if constexpr (!S && !SB) prefetch_panels<float, MR, 32>(a, b);
    const __m512 b0 = SB ? _mm512_loadu_ps(b) : _mm512_load_ps(b),
                 b1 = SB ? _mm512_loadu_ps(b + 16) : _mm512_load_ps(b + 16);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i * rs]);
      c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
    }
  }
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      _mm512_storeu_ps(c + i * ldc, _mm512_mul_ps(va, c0[i]));
      _mm512_storeu_ps(c + i * ldc + 16, _mm512_mul_ps(va, c1[i]));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      float* ci = c + i * ldc;
      _mm512_storeu_ps(ci, _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci), _mm512_mul_ps(va, c0[i])));
      _mm512_storeu_ps(ci + 16,
                       _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci + 16), _mm512_mul_ps(va, c1[i])));
    }
  }
}

template <int MR, bool S, bool SB = false>
TF_TARGET_AVX512 inline void ukernel_d_avx512_body(int64_t kc, const double* a, int64_t rsa,
                                                   int64_t csa, const double* b, int64_t rsb,
                                                   double* c, int64_t ldc, double alpha,
                                                   double beta) {
  const int64_t rs = S ? rsa : 1, cs = S ? csa : MR;
  const int64_t bs = SB ? rsb : 16;
  prefetch_tile(c, ldc, MR, 16 * sizeof(double));
  __m512d c0[MR], c1[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm512_setzero_pd();
  for (int64_t k = 0; k < kc; ++k, a += cs, b += bs) {
    if constexpr (!S && !SB) prefetch_panels<double, MR, 16>(a, b);
    const __m512d b0 = SB ? _mm512_loadu_pd(b) : _mm512_load_pd(b),
                  b1 = SB ? _mm512_loadu_pd(b + 8) : _mm512_load_pd(b + 8);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512d ai = _mm512_set1_pd(a[i * rs]);
      c0[i] = _mm512_fmadd_pd(ai, b0, c0[i]);
      c1[i] = _mm512_fmadd_pd(ai, b1, c1[i]);
    }
  }
  const __m512d va = _mm512_set1_pd(alpha);
  if (beta == 0.0) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      _mm512_storeu_pd(c + i * ldc, _mm512_mul_pd(va, c0[i]));
      _mm512_storeu_pd(c + i * ldc + 8, _mm512_mul_pd(va, c1[i]));
    }
  } else {
    const __m512d vb = _mm512_set1_pd(beta);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      double* ci = c + i * ldc;
      _mm512_storeu_pd(ci, _mm512_fmadd_pd(vb, _mm512_loadu_pd(ci), _mm512_mul_pd(va, c0[i])));
      _mm512_storeu_pd(ci + 8,
                       _mm512_fmadd_pd(vb, _mm512_loadu_pd(ci + 8), _mm512_mul_pd(va, c1[i])));
    }
  }
}

// ---- AVX2: 16 ymm registers hold a 6 x 16 float tile (12 accumulators) + 2 B vectors + A -----
template <int MR, bool S, bool SB = false>
TF_TARGET_AVX2 inline void ukernel_s_avx2_body(int64_t kc, const float* a, int64_t rsa, int64_t csa,
                                               const float* b, int64_t rsb, float* c, int64_t ldc,
                                               float alpha, float beta) {
  const int64_t rs = S ? rsa : 1, cs = S ? csa : MR;
  const int64_t bs = SB ? rsb : 16;
  prefetch_tile(c, ldc, MR, 16 * sizeof(float));
  __m256 c0[MR], c1[MR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm256_setzero_ps();
  for (int64_t k = 0; k < kc; ++k, a += cs, b += bs) {
    const __m256 b0 = SB ? _mm256_loadu_ps(b) : _mm256_load_ps(b),
                 b1 = SB ? _mm256_loadu_ps(b + 8) : _mm256_load_ps(b + 8);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i * rs);
      c0[i] = _mm256_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm256_fmadd_ps(ai, b1, c1[i]);
    }
  }
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    __m256 r0 = _mm256_mul_ps(va, c0[i]), r1 = _mm256_mul_ps(va, c1[i]);
    if (beta != 0.0f) {
      r0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci), r0);
      r1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci + 8), r1);
    }
    _mm256_storeu_ps(ci, r0);
    _mm256_storeu_ps(ci + 8, r1);
  }
}

template <int MR, bool S, bool SB = false>
TF_TARGET_AVX2 inline void ukernel_d_avx2_body(int64_t kc, const double* a, int64_t rsa,
                                               int64_t csa, const double* b, int64_t rsb, double* c,
                                               int64_t ldc, double alpha, double beta) {
  const int64_t rs = S ? rsa : 1, cs = S ? csa : MR;
  const int64_t bs = SB ? rsb : 8;
  prefetch_tile(c, ldc, MR, 8 * sizeof(double));
  __m256d c0[MR], c1[MR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm256_setzero_pd();
  for (int64_t k = 0; k < kc; ++k, a += cs, b += bs) {
    const __m256d b0 = SB ? _mm256_loadu_pd(b) : _mm256_load_pd(b),
                  b1 = SB ? _mm256_loadu_pd(b + 4) : _mm256_load_pd(b + 4);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m256d ai = _mm256_broadcast_sd(a + i * rs);
      c0[i] = _mm256_fmadd_pd(ai, b0, c0[i]);
      c1[i] = _mm256_fmadd_pd(ai, b1, c1[i]);
    }
  }
  const __m256d va = _mm256_set1_pd(alpha), vb = _mm256_set1_pd(beta);
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    double* ci = c + i * ldc;
    __m256d r0 = _mm256_mul_pd(va, c0[i]), r1 = _mm256_mul_pd(va, c1[i]);
    if (beta != 0.0) {
      r0 = _mm256_fmadd_pd(vb, _mm256_loadu_pd(ci), r0);
      r1 = _mm256_fmadd_pd(vb, _mm256_loadu_pd(ci + 4), r1);
    }
    _mm256_storeu_pd(ci, r0);
    _mm256_storeu_pd(ci + 4, r1);
  }
}
// Entry points: packed A (the body with compile-time strides: the code is that of a kernel
// written for packed panels), and A read in place, element (i, k) at a[i * rsa + k * csa].
template <int MR>
TF_TARGET_AVX512 void ukernel_s_avx512(int64_t kc, const float* a, const float* b, float* c,
                                       int64_t ldc, float alpha, float beta) {
  ukernel_s_avx512_body<MR, false>(kc, a, 1, MR, b, 0, c, ldc, alpha, beta);
}
template <int MR>
TF_TARGET_AVX512 void ukernel_s_avx512_strided(int64_t kc, const float* a, int64_t rsa, int64_t csa,
                                               const float* b, float* c, int64_t ldc, float alpha,
                                               float beta) {
  ukernel_s_avx512_body<MR, true>(kc, a, rsa, csa, b, 0, c, ldc, alpha, beta);
}
template <int MR>
TF_TARGET_AVX512 void ukernel_d_avx512(int64_t kc, const double* a, const double* b, double* c,
                                       int64_t ldc, double alpha, double beta) {
  ukernel_d_avx512_body<MR, false>(kc, a, 1, MR, b, 0, c, ldc, alpha, beta);
}
template <int MR>
TF_TARGET_AVX512 void ukernel_d_avx512_strided(int64_t kc, const double* a, int64_t rsa,
                                               int64_t csa, const double* b, double* c,
                                               int64_t ldc, double alpha, double beta) {
  ukernel_d_avx512_body<MR, true>(kc, a, rsa, csa, b, 0, c, ldc, alpha, beta);
}
TF_TARGET_AVX2 inline void ukernel_s_avx2(int64_t kc, const float* a, const float* b, float* c,
                                          int64_t ldc, float alpha, float beta) {
  ukernel_s_avx2_body<6, false>(kc, a, 1, 6, b, 0, c, ldc, alpha, beta);
}
template <int MR>
TF_TARGET_AVX2 void ukernel_s_avx2_strided(int64_t kc, const float* a, int64_t rsa, int64_t csa,
                                           const float* b, float* c, int64_t ldc, float alpha,
                                           float beta) {
  ukernel_s_avx2_body<MR, true>(kc, a, rsa, csa, b, 0, c, ldc, alpha, beta);
}
TF_TARGET_AVX2 inline void ukernel_d_avx2(int64_t kc, const double* a, const double* b, double* c,
                                          int64_t ldc, double alpha, double beta) {
  ukernel_d_avx2_body<6, false>(kc, a, 1, 6, b, 0, c, ldc, alpha, beta);
}
template <int MR>
TF_TARGET_AVX2 void ukernel_d_avx2_strided(int64_t kc, const double* a, int64_t rsa, int64_t csa,
                                           const double* b, double* c, int64_t ldc, double alpha,
                                           double beta) {
  ukernel_d_avx2_body<MR, true>(kc, a, rsa, csa, b, 0, c, ldc, alpha, beta);
}

// A and B both read in place (B's panel rows rsb apart), for products whose B panels would each
// be packed for few uses (see gemm.cpp, kInPlaceBMaxK).
#define TF_STRIDED_B(name, T, target)                                                         \
  template <int MR>                                                                          \
  target void name##_strided_b(int64_t kc, const T* a, int64_t rsa, int64_t csa, const T* b, \
                               int64_t rsb, T* c, int64_t ldc, T alpha, T beta) {            \
    name##_body<MR, true, true>(kc, a, rsa, csa, b, rsb, c, ldc, alpha, beta);              \
  }
TF_STRIDED_B(ukernel_s_avx512, float, TF_TARGET_AVX512)
TF_STRIDED_B(ukernel_d_avx512, double, TF_TARGET_AVX512)
TF_STRIDED_B(ukernel_s_avx2, float, TF_TARGET_AVX2)
TF_STRIDED_B(ukernel_d_avx2, double, TF_TARGET_AVX2)
#undef TF_STRIDED_B

// Strided kernels of 1..MR-1 rows, indexed by the row count: the last row panel of a block
// (M not a multiple of MR) runs the kernel of its height, reading the packed panel (element
// (i, k) at i + k * MR) or A in place, and writing C directly; the full-height kernel into a
// buffer, copied out element by element, wasted the missing rows' FMAs and the copy.
inline constexpr StridedKernel<float> kRowsS512[12] = {
    nullptr, ukernel_s_avx512_strided<1>, ukernel_s_avx512_strided<2>, ukernel_s_avx512_strided<3>,
    ukernel_s_avx512_strided<4>, ukernel_s_avx512_strided<5>, ukernel_s_avx512_strided<6>,
    ukernel_s_avx512_strided<7>, ukernel_s_avx512_strided<8>, ukernel_s_avx512_strided<9>,
    ukernel_s_avx512_strided<10>, ukernel_s_avx512_strided<11>};
inline constexpr StridedKernel<double> kRowsD512[12] = {
    nullptr, ukernel_d_avx512_strided<1>, ukernel_d_avx512_strided<2>, ukernel_d_avx512_strided<3>,
    ukernel_d_avx512_strided<4>, ukernel_d_avx512_strided<5>, ukernel_d_avx512_strided<6>,
    ukernel_d_avx512_strided<7>, ukernel_d_avx512_strided<8>, ukernel_d_avx512_strided<9>,
    ukernel_d_avx512_strided<10>, ukernel_d_avx512_strided<11>};
inline constexpr StridedKernel<float> kRowsS256[6] = {
    nullptr, ukernel_s_avx2_strided<1>, ukernel_s_avx2_strided<2>, ukernel_s_avx2_strided<3>,
    ukernel_s_avx2_strided<4>, ukernel_s_avx2_strided<5>};
inline constexpr StridedKernel<double> kRowsD256[6] = {
    nullptr, ukernel_d_avx2_strided<1>, ukernel_d_avx2_strided<2>, ukernel_d_avx2_strided<3>,
    ukernel_d_avx2_strided<4>, ukernel_d_avx2_strided<5>};
// The same with B in place, indexed by the row count 1..MR.
inline constexpr StridedBKernel<float> kRowsBS512[13] = {
    nullptr, ukernel_s_avx512_strided_b<1>, ukernel_s_avx512_strided_b<2>,
    ukernel_s_avx512_strided_b<3>, ukernel_s_avx512_strided_b<4>, ukernel_s_avx512_strided_b<5>,
    ukernel_s_avx512_strided_b<6>, ukernel_s_avx512_strided_b<7>, ukernel_s_avx512_strided_b<8>,
    ukernel_s_avx512_strided_b<9>, ukernel_s_avx512_strided_b<10>, ukernel_s_avx512_strided_b<11>,
    ukernel_s_avx512_strided_b<12>};
inline constexpr StridedBKernel<double> kRowsBD512[13] = {
    nullptr, ukernel_d_avx512_strided_b<1>, ukernel_d_avx512_strided_b<2>,
    ukernel_d_avx512_strided_b<3>, ukernel_d_avx512_strided_b<4>, ukernel_d_avx512_strided_b<5>,
    ukernel_d_avx512_strided_b<6>, ukernel_d_avx512_strided_b<7>, ukernel_d_avx512_strided_b<8>,
    ukernel_d_avx512_strided_b<9>, ukernel_d_avx512_strided_b<10>, ukernel_d_avx512_strided_b<11>,
    ukernel_d_avx512_strided_b<12>};
inline constexpr StridedBKernel<float> kRowsBS256[7] = {
    nullptr, ukernel_s_avx2_strided_b<1>, ukernel_s_avx2_strided_b<2>,
    ukernel_s_avx2_strided_b<3>, ukernel_s_avx2_strided_b<4>, ukernel_s_avx2_strided_b<5>,
    ukernel_s_avx2_strided_b<6>};
inline constexpr StridedBKernel<double> kRowsBD256[7] = {
    nullptr, ukernel_d_avx2_strided_b<1>, ukernel_d_avx2_strided_b<2>,
    ukernel_d_avx2_strided_b<3>, ukernel_d_avx2_strided_b<4>, ukernel_d_avx2_strided_b<5>,
    ukernel_d_avx2_strided_b<6>};
#endif  // TF_GEMM_X86

#ifdef TF_GEMM_NEON
// ---- NEON: 32 q registers hold an 8 x 12 float tile (24 accumulators) + 3 B vectors + 2 A ------
// The 8 A values of a step are loaded as two vectors and used lane by lane (FMLA by element), so
// no broadcasts are needed.
inline void ukernel_s_neon(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                           float alpha, float beta) {
  float32x4_t acc[8][3];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_f32(0.0f);
  for (int64_t k = 0; k < kc; ++k, a += 8, b += 12) {
    const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
    const float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
#define TF_ROW(i, av, lane)                                  \
  acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, av, lane);      \
  acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, av, lane);      \
  acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, av, lane);
    TF_ROW(0, a0, 0) TF_ROW(1, a0, 1) TF_ROW(2, a0, 2) TF_ROW(3, a0, 3)
    TF_ROW(4, a1, 0) TF_ROW(5, a1, 1) TF_ROW(6, a1, 2) TF_ROW(7, a1, 3)
#undef TF_ROW
  }
  const float32x4_t va = vdupq_n_f32(alpha), vb = vdupq_n_f32(beta);
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    float* ci = c + i * ldc;
#pragma GCC unroll 3
    for (int j = 0; j < 3; ++j) {
      float32x4_t r = vmulq_f32(va, acc[i][j]);
      if (beta != 0.0f) r = vfmaq_f32(r, vb, vld1q_f32(ci + 4 * j));
      vst1q_f32(ci + 4 * j, r);
    }
  }
}

// ---- NEON double: a 6 x 8 tile (24 accumulators) + 4 B vectors + 3 A vectors -------------------
inline void ukernel_d_neon(int64_t kc, const double* a, const double* b, double* c, int64_t ldc,
                           double alpha, double beta) {
  float64x2_t acc[6][4];
#pragma GCC unroll 6
  for (int i = 0; i < 6; ++i) acc[i][0] = acc[i][1] = acc[i][2] = acc[i][3] = vdupq_n_f64(0.0);
  for (int64_t k = 0; k < kc; ++k, a += 6, b += 8) {
    const float64x2_t b0 = vld1q_f64(b), b1 = vld1q_f64(b + 2), b2 = vld1q_f64(b + 4),
                      b3 = vld1q_f64(b + 6);
    const float64x2_t a0 = vld1q_f64(a), a1 = vld1q_f64(a + 2), a2 = vld1q_f64(a + 4);
#define TF_ROW(i, av, lane)                                  \
  acc[i][0] = vfmaq_laneq_f64(acc[i][0], b0, av, lane);      \
  acc[i][1] = vfmaq_laneq_f64(acc[i][1], b1, av, lane);      \
  acc[i][2] = vfmaq_laneq_f64(acc[i][2], b2, av, lane);      \
  acc[i][3] = vfmaq_laneq_f64(acc[i][3], b3, av, lane);
    TF_ROW(0, a0, 0) TF_ROW(1, a0, 1) TF_ROW(2, a1, 0) TF_ROW(3, a1, 1)
    TF_ROW(4, a2, 0) TF_ROW(5, a2, 1)
#undef TF_ROW
  }
  const float64x2_t va = vdupq_n_f64(alpha), vb = vdupq_n_f64(beta);
#pragma GCC unroll 6
  for (int i = 0; i < 6; ++i) {
    double* ci = c + i * ldc;
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      float64x2_t r = vmulq_f64(va, acc[i][j]);
      if (beta != 0.0) r = vfmaq_f64(r, vb, vld1q_f64(ci + 2 * j));
      vst1q_f64(ci + 2 * j, r);
    }
  }
}
#endif  // TF_GEMM_NEON

template <typename T>
const KernelSet<T>& kernels_for(SimdLevel level);

template <>
inline const KernelSet<float>& kernels_for<float>(SimdLevel level) {
  static const KernelSet<float> scalar{ukernel_scalar<float, 4, 8>, 4, 8, 256, 128, 2048};
#ifdef TF_GEMM_X86
  static const KernelSet<float> avx512{ukernel_s_avx512<12>, 12, 32, 256, 144, 4096,
                                       ukernel_s_avx512_strided<12>, kRowsS512, kRowsBS512};
  static const KernelSet<float> avx2{ukernel_s_avx2, 6, 16, 256, 120, 4096,
                                     ukernel_s_avx2_strided<6>, kRowsS256, kRowsBS256};
  if (level == SimdLevel::AVX512) return avx512;
  if (level == SimdLevel::AVX2) return avx2;
#endif
#ifdef TF_GEMM_NEON
  // KC*NR*4 = 12 KB of B in L1, MC*KC*4 = 128 KB of A in L2 (arm64 cores have >= 64 KB L1D and
  // >= 512 KB L2 per core); MC and NC are multiples of the tile.
  static const KernelSet<float> neon{ukernel_s_neon, 8, 12, 256, 128, 3072};
  if (level == SimdLevel::NEON) return neon;
#endif
  (void)level;
  return scalar;
}

template <>
inline const KernelSet<double>& kernels_for<double>(SimdLevel level) {
  static const KernelSet<double> scalar{ukernel_scalar<double, 4, 4>, 4, 4, 256, 64, 2048};
#ifdef TF_GEMM_X86
  static const KernelSet<double> avx512{ukernel_d_avx512<12>, 12, 16, 256, 72, 2048,
                                        ukernel_d_avx512_strided<12>, kRowsD512, kRowsBD512};
  static const KernelSet<double> avx2{ukernel_d_avx2, 6, 8, 256, 60, 2048,
                                      ukernel_d_avx2_strided<6>, kRowsD256, kRowsBD256};
  if (level == SimdLevel::AVX512) return avx512;
  if (level == SimdLevel::AVX2) return avx2;
#endif
#ifdef TF_GEMM_NEON
  static const KernelSet<double> neon{ukernel_d_neon, 6, 8, 256, 60, 2048};
  if (level == SimdLevel::NEON) return neon;
#endif
  (void)level;
  return scalar;
}

}  // namespace gemm_detail
}  // namespace tf
