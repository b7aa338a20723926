// Compiles one body of SIMD code once per instruction-set level, each copy in its own namespace:
//   simd_scalar  always (the one-lane types of simd_scalar.h; any CPU)
//   simd_avx2    x86-64, under a target("avx2,fma") pragma
//   simd_avx512  x86-64, under a target("avx512f,avx512bw,avx512dq,avx512vl,fma") pragma
//   simd_neon    arm64, where TF_PER_ISA_NEON is defined (NEON is baseline there)
// so the file builds without -march flags and one binary runs on any CPU; cpu.h's simd_level()
// picks the namespace at run time (TENSORFOLD_SIMD caps it for tests).
//
// Before including, define TF_PER_ISA_BODY as the body's header (no include guard: it is
// included once per namespace, after the vector types), and TF_PER_ISA_MATH to include
// simd_math.h before it. The includer's translation unit includes <immintrin.h> / <arm_neon.h>.
// No include guard: a translation unit may include it once per body.
#ifndef TF_PER_ISA_BODY
#error "define TF_PER_ISA_BODY before including per_isa.h"
#endif

namespace simd_scalar {
#include "simd_scalar.h"
using VF = F1;
using VD = D1;
#ifdef TF_PER_ISA_MATH
#include "simd_math.h"
#endif
#include TF_PER_ISA_BODY
}  // namespace simd_scalar

#if defined(__x86_64__) || defined(_M_X64)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
namespace simd_avx2 {
#include "simd_scalar.h"
#include "simd_vec_avx2.h"
#ifdef TF_PER_ISA_MATH
#include "simd_math.h"
#endif
#include TF_PER_ISA_BODY
}  // namespace simd_avx2
#if defined(__clang__)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma"))), apply_to = function)
#else
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,fma")
#endif
namespace simd_avx512 {
#include "simd_scalar.h"
#include "simd_vec_avx512.h"
#ifdef TF_PER_ISA_MATH
#include "simd_math.h"
#endif
#include TF_PER_ISA_BODY
}  // namespace simd_avx512
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif  // x86-64

#if defined(__aarch64__) && defined(TF_PER_ISA_NEON)
namespace simd_neon {
#include "simd_scalar.h"
#include "simd_neon.h"
#ifdef TF_PER_ISA_MATH
#include "simd_math.h"
#endif
#include TF_PER_ISA_BODY
}  // namespace simd_neon
#endif
