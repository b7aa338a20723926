// AArch64 Advanced SIMD (NEON) wrappers (4 floats / 2 doubles) with the interface of simd_scalar.h.
// No include guard: included inside the NEON namespace of kernels.cpp (and, on arm64, by
// optim_loops.h). NEON is part of the AArch64 baseline, so no target attribute is needed.
//
// <arm_neon.h> should already have been included at global scope by the .cpp file; if it was not,
// the include below puts its declarations in the enclosing namespace, which GCC's and Clang's
// headers tolerate (the intrinsics are always-inline wrappers around builtins).
//
// Every operation is the exact twin of the x86 and one-lane versions (same rounding, same choice of
// operand for min/max when unordered), so the shared math in simd_math.h gives the same results.
#include <arm_neon.h>

struct VD {
  float64x2_t v;
  static constexpr int N = 2;
};
struct VF {
  float32x4_t v;
  static constexpr int N = 4;
  static constexpr int DN = 2;
  using D = VD;
};
struct MF {
  uint32x4_t v;
};
struct MD {
  uint64x2_t v;
};

inline VF ld(VF, const float* p) { return VF{vld1q_f32(p)}; }
inline void store(float* p, VF a) { vst1q_f32(p, a.v); }
// No non-temporal store worth having here (NEON's STNP is a hint most cores ignore).
inline void stream(float* p, VF a) { vst1q_f32(p, a.v); }
inline VF set1(VF, float s) { return VF{vdupq_n_f32(s)}; }
inline VF operator+(VF a, VF b) { return VF{vaddq_f32(a.v, b.v)}; }
inline VF operator-(VF a, VF b) { return VF{vsubq_f32(a.v, b.v)}; }
inline VF operator*(VF a, VF b) { return VF{vmulq_f32(a.v, b.v)}; }
inline VF operator/(VF a, VF b) { return VF{vdivq_f32(a.v, b.v)}; }
inline VF operator-(VF a) { return VF{vnegq_f32(a.v)}; }
inline VF vfma(VF a, VF b, VF c) { return VF{vfmaq_f32(c.v, a.v, b.v)}; }
inline VF vabs(VF a) { return VF{vabsq_f32(a.v)}; }
inline VF vsqrt(VF a) { return VF{vsqrtq_f32(a.v)}; }
// FMAX/FMIN return NaN for a NaN operand and +0 for max(-0, +0); the kernels rely on the x86 rule
// (the second operand unless the first is strictly greater/less), so build it from a compare.
inline VF vmax(VF a, VF b) { return VF{vbslq_f32(vcgtq_f32(a.v, b.v), a.v, b.v)}; }
inline VF vmin(VF a, VF b) { return VF{vbslq_f32(vcltq_f32(a.v, b.v), a.v, b.v)}; }
inline VF vround(VF a) { return VF{vrndnq_f32(a.v)}; }  // ties to even, like nearbyint
inline VF vfloor(VF a) { return VF{vrndmq_f32(a.v)}; }
inline MF lt(VF a, VF b) { return MF{vcltq_f32(a.v, b.v)}; }
inline MF le(VF a, VF b) { return MF{vcleq_f32(a.v, b.v)}; }
inline MF gt(VF a, VF b) { return MF{vcgtq_f32(a.v, b.v)}; }
inline MF ge(VF a, VF b) { return MF{vcgeq_f32(a.v, b.v)}; }
inline MF eq(VF a, VF b) { return MF{vceqq_f32(a.v, b.v)}; }
inline MF unord(VF a, VF b) {
  return MF{vmvnq_u32(vandq_u32(vceqq_f32(a.v, a.v), vceqq_f32(b.v, b.v)))};
}
inline VF select(MF m, VF a, VF b) { return VF{vbslq_f32(m.v, a.v, b.v)}; }
inline VF copysign_(VF mag, VF sgn) {
  return VF{vbslq_f32(vdupq_n_u32(0x80000000u), sgn.v, mag.v)};
}
inline bool any(MF m) { return vmaxvq_u32(m.v) != 0; }
inline MF m_or(MF a, MF b) { return MF{vorrq_u32(a.v, b.v)}; }
inline MF m_and(MF a, MF b) { return MF{vandq_u32(a.v, b.v)}; }
inline MF m_andnot(MF a, MF b) { return MF{vbicq_u32(b.v, a.v)}; }  // (not a) and b

// x * 2^n for integer-valued n in [-250, 250]: two exact power-of-two factors, so the product is
// rounded once (at the second multiply) even when the result is subnormal.
inline VF scale2(VF x, VF n) {
  const float32x4_t n1 = vrndmq_f32(vmulq_f32(n.v, vdupq_n_f32(0.5f)));
  const float32x4_t n2 = vsubq_f32(n.v, n1);
  const int32x4_t bias = vdupq_n_s32(127);
  const float32x4_t p1 =
      vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n1), bias), 23));
  const float32x4_t p2 =
      vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n2), bias), 23));
  return VF{vmulq_f32(vmulq_f32(x.v, p1), p2)};
}
// Lanes added in double in lane order, as the x86 versions do.
inline double hsum(VF a) {
  const float64x2_t lo = vcvt_f64_f32(vget_low_f32(a.v)), hi = vcvt_high_f64_f32(a.v);
  double s = 0;
  s += vgetq_lane_f64(lo, 0);
  s += vgetq_lane_f64(lo, 1);
  s += vgetq_lane_f64(hi, 0);
  s += vgetq_lane_f64(hi, 1);
  return s;
}

// x = m * 2^e, m in [0.75, 1.5), for finite x > 0 (subnormals are first scaled up by 2^25).
inline void frexp_norm(VF x, VF& m, VF& e) {
  const uint32x4_t sub = vcltq_f32(x.v, vdupq_n_f32(1.17549435e-38f));
  const float32x4_t xs = vbslq_f32(sub, vmulq_f32(x.v, vdupq_n_f32(33554432.0f)), x.v);
  const uint32x4_t bits = vreinterpretq_u32_f32(xs);
  float32x4_t ex = vcvtq_f32_s32(
      vsubq_s32(vreinterpretq_s32_u32(vshrq_n_u32(bits, 23)), vdupq_n_s32(127)));
  ex = vsubq_f32(ex, vbslq_f32(sub, vdupq_n_f32(25.0f), vdupq_n_f32(0.0f)));
  float32x4_t mm = vreinterpretq_f32_u32(
      vorrq_u32(vandq_u32(bits, vdupq_n_u32(0x007fffffu)), vdupq_n_u32(0x3f800000u)));
  const uint32x4_t big = vcgeq_f32(mm, vdupq_n_f32(1.5f));
  mm = vbslq_f32(big, vmulq_f32(mm, vdupq_n_f32(0.5f)), mm);
  ex = vaddq_f32(ex, vbslq_f32(big, vdupq_n_f32(1.0f), vdupq_n_f32(0.0f)));
  m.v = mm;
  e.v = ex;
}

inline VD ld(VD, const double* p) { return VD{vld1q_f64(p)}; }
inline void store(double* p, VD a) { vst1q_f64(p, a.v); }
inline void stream(double* p, VD a) { vst1q_f64(p, a.v); }
inline VD set1(VD, double s) { return VD{vdupq_n_f64(s)}; }
inline VD operator+(VD a, VD b) { return VD{vaddq_f64(a.v, b.v)}; }
inline VD operator-(VD a, VD b) { return VD{vsubq_f64(a.v, b.v)}; }
inline VD operator*(VD a, VD b) { return VD{vmulq_f64(a.v, b.v)}; }
inline VD operator/(VD a, VD b) { return VD{vdivq_f64(a.v, b.v)}; }
inline VD operator-(VD a) { return VD{vnegq_f64(a.v)}; }
inline VD vfma(VD a, VD b, VD c) { return VD{vfmaq_f64(c.v, a.v, b.v)}; }
inline VD vabs(VD a) { return VD{vabsq_f64(a.v)}; }
inline VD vsqrt(VD a) { return VD{vsqrtq_f64(a.v)}; }
inline VD vmax(VD a, VD b) { return VD{vbslq_f64(vcgtq_f64(a.v, b.v), a.v, b.v)}; }
inline VD vmin(VD a, VD b) { return VD{vbslq_f64(vcltq_f64(a.v, b.v), a.v, b.v)}; }
inline VD vround(VD a) { return VD{vrndnq_f64(a.v)}; }
inline VD vfloor(VD a) { return VD{vrndmq_f64(a.v)}; }
inline MD lt(VD a, VD b) { return MD{vcltq_f64(a.v, b.v)}; }
inline MD ge(VD a, VD b) { return MD{vcgeq_f64(a.v, b.v)}; }
inline MD eq(VD a, VD b) { return MD{vceqq_f64(a.v, b.v)}; }
inline MD unord(VD a, VD b) {
  const uint64x2_t ord = vandq_u64(vceqq_f64(a.v, a.v), vceqq_f64(b.v, b.v));
  return MD{veorq_u64(ord, vdupq_n_u64(~uint64_t(0)))};
}
inline bool any(MD m) { return vmaxvq_u32(vreinterpretq_u32_u64(m.v)) != 0; }
inline MD m_or(MD a, MD b) { return MD{vorrq_u64(a.v, b.v)}; }
inline VD select(MD m, VD a, VD b) { return VD{vbslq_f64(m.v, a.v, b.v)}; }
inline double hsum(VD a) { return vgetq_lane_f64(a.v, 0) + vgetq_lane_f64(a.v, 1); }

// x * 2^n for integer-valued n in [-1000, 1000] (enough for the double helpers of float kernels).
inline VD scale2(VD x, VD n) {
  const int64x2_t e = vaddq_s64(vcvtq_s64_f64(n.v), vdupq_n_s64(1023));
  return VD{vmulq_f64(x.v, vreinterpretq_f64_s64(vshlq_n_s64(e, 52)))};
}

inline void widen(VF x, VD& lo, VD& hi) {
  lo.v = vcvt_f64_f32(vget_low_f32(x.v));
  hi.v = vcvt_high_f64_f32(x.v);
}
inline VF narrow(VD lo, VD hi) { return VF{vcvt_high_f32_f64(vcvt_f32_f64(lo.v), hi.v)}; }
