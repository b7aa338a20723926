#include "convert_half.h"

#include "cpu.h"
#include "parallel.h"
#include "scalar_types.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TF_HAVE_F16C_PATH 1
#endif

namespace tf {
namespace {

void f32_to_f16_scalar(const float* s, uint16_t* d, int64_t n) {
  for (int64_t i = 0; i < n; i++) d[i] = float_to_half_bits(s[i]);
}
void f16_to_f32_scalar(const uint16_t* s, float* d, int64_t n) {
  for (int64_t i = 0; i < n; i++) d[i] = half_bits_to_float(s[i]);
}
// bfloat16 is plain bit arithmetic, which the compiler vectorises at any level.
void f32_to_bf16_loop(const float* s, uint16_t* d, int64_t n) {
  for (int64_t i = 0; i < n; i++) d[i] = float_to_bf16_bits(s[i]);
}
void bf16_to_f32_loop(const uint16_t* s, float* d, int64_t n) {
  for (int64_t i = 0; i < n; i++) d[i] = bf16_bits_to_float(s[i]);
}

#ifdef TF_HAVE_F16C_PATH
// VCVTPS2PH with round-to-nearest-even; NaN stays a quiet NaN with the top mantissa bits kept,
// as float_to_half_bits does (test/dtypes_storage_engine.test.js checks all 65536 patterns).
__attribute__((target("avx2,f16c"))) void f32_to_f16_f16c(const float* s, uint16_t* d, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  f32_to_f16_scalar(s + i, d + i, n - i);
}
__attribute__((target("avx2,f16c"))) void f16_to_f32_f16c(const uint16_t* s, float* d, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(d + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))));
  f16_to_f32_scalar(s + i, d + i, n - i);
}

// The bfloat16 loops again, vectorised 8 wide.
__attribute__((target("avx2"))) void f32_to_bf16_avx2(const float* s, uint16_t* d, int64_t n) {
  for (int64_t i = 0; i < n; i++) d[i] = float_to_bf16_bits(s[i]);
}
__attribute__((target("avx2"))) void bf16_to_f32_avx2(const uint16_t* s, float* d, int64_t n) {
  for (int64_t i = 0; i < n; i++) d[i] = bf16_bits_to_float(s[i]);
}

bool use_f16c() {
  // F16C came with AVX2 on every x86 CPU; the SIMD cap (TENSORFOLD_SIMD=scalar) turns it off too.
  static const bool ok = simd_level() >= SimdLevel::AVX2 && __builtin_cpu_supports("f16c");
  return ok;
}
#endif

// Threaded above a few L2-sized pieces: the conversion is memory-bound once vectorised.
template <typename S, typename D, typename F>
void split(const S* s, D* d, int64_t n, F&& f) {
  parallel_for(0, n, int64_t(1) << 16, [&](int64_t lo, int64_t hi) { f(s + lo, d + lo, hi - lo); });
}

}  // namespace

void f32_to_f16(const float* src, uint16_t* dst, int64_t n) {
#ifdef TF_HAVE_F16C_PATH
  if (use_f16c()) return split(src, dst, n, f32_to_f16_f16c);
#endif
  split(src, dst, n, f32_to_f16_scalar);
}

void f16_to_f32(const uint16_t* src, float* dst, int64_t n) {
#ifdef TF_HAVE_F16C_PATH
  if (use_f16c()) return split(src, dst, n, f16_to_f32_f16c);
#endif
  split(src, dst, n, f16_to_f32_scalar);
}

void f32_to_bf16(const float* src, uint16_t* dst, int64_t n) {
#ifdef TF_HAVE_F16C_PATH
  if (simd_level() >= SimdLevel::AVX2) return split(src, dst, n, f32_to_bf16_avx2);
#endif
  split(src, dst, n, f32_to_bf16_loop);
}
void bf16_to_f32(const uint16_t* src, float* dst, int64_t n) {
#ifdef TF_HAVE_F16C_PATH
  if (simd_level() >= SimdLevel::AVX2) return split(src, dst, n, bf16_to_f32_avx2);
#endif
  split(src, dst, n, bf16_to_f32_loop);
}

}  // namespace tf
