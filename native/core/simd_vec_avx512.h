// AVX-512 wrappers (16 floats / 8 doubles) with the interface of simd_scalar.h.
// No include guard: included inside the AVX-512 namespace of kernels.cpp under its target pragma.

struct VD {
  __m512d v;
  static constexpr int N = 8;
};
struct VF {
  __m512 v;
  static constexpr int N = 16;
  static constexpr int DN = 2;
  using D = VD;
};
using MF = __mmask16;
using MD = __mmask8;

inline VF ld(VF, const float* p) { return VF{_mm512_loadu_ps(p)}; }
inline void store(float* p, VF a) { _mm512_storeu_ps(p, a.v); }
// Non-temporal store; p must be 64-byte aligned (see simd_loops.h).
inline void stream(float* p, VF a) { _mm512_stream_ps(p, a.v); }
inline VF set1(VF, float s) { return VF{_mm512_set1_ps(s)}; }
inline VF operator+(VF a, VF b) { return VF{_mm512_add_ps(a.v, b.v)}; }
inline VF operator-(VF a, VF b) { return VF{_mm512_sub_ps(a.v, b.v)}; }
inline VF operator*(VF a, VF b) { return VF{_mm512_mul_ps(a.v, b.v)}; }
inline VF operator/(VF a, VF b) { return VF{_mm512_div_ps(a.v, b.v)}; }
inline VF operator-(VF a) { return VF{_mm512_xor_ps(a.v, _mm512_set1_ps(-0.0f))}; }
inline VF vfma(VF a, VF b, VF c) { return VF{_mm512_fmadd_ps(a.v, b.v, c.v)}; }
inline VF vabs(VF a) { return VF{_mm512_abs_ps(a.v)}; }
inline VF vsqrt(VF a) { return VF{_mm512_sqrt_ps(a.v)}; }
inline VF vmax(VF a, VF b) { return VF{_mm512_max_ps(a.v, b.v)}; }
inline VF vmin(VF a, VF b) { return VF{_mm512_min_ps(a.v, b.v)}; }
inline VF vround(VF a) {
  return VF{_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)};
}
inline VF vfloor(VF a) {
  return VF{_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)};
}
inline MF lt(VF a, VF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_LT_OQ); }
inline MF le(VF a, VF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_LE_OQ); }
inline MF gt(VF a, VF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_GT_OQ); }
inline MF ge(VF a, VF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_GE_OQ); }
inline MF eq(VF a, VF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_EQ_OQ); }
inline MF unord(VF a, VF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_UNORD_Q); }
inline VF select(MF m, VF a, VF b) { return VF{_mm512_mask_blend_ps(m, b.v, a.v)}; }
inline VF copysign_(VF mag, VF sgn) {
  const __m512 sign = _mm512_set1_ps(-0.0f);
  return VF{_mm512_or_ps(_mm512_andnot_ps(sign, mag.v), _mm512_and_ps(sign, sgn.v))};
}
// x * 2^n, rounded once (vscalefps handles overflow to inf and gradual underflow).
inline VF scale2(VF x, VF n) { return VF{_mm512_scalef_ps(x.v, n.v)}; }
inline double hsum(VF a) {
  alignas(64) float t[16];
  _mm512_store_ps(t, a.v);
  double s = 0;
  for (float f : t) s += f;
  return s;
}
inline bool any(MF m) { return m != 0; }
// Four-piece tables (simd_math.h piece4 / pick4): the lane's piece number as an int, then one
// permute per coefficient instead of three blends.
struct Piece4F {
  __m512i i;
};
inline Piece4F piece4(VF a, float b1, float b2, float b3) {
  const __m512i one = _mm512_set1_epi32(1);
  __m512i i = _mm512_maskz_mov_epi32(ge(a, set1(VF{}, b1)), one);
  i = _mm512_mask_add_epi32(i, ge(a, set1(VF{}, b2)), i, one);
  return Piece4F{_mm512_mask_add_epi32(i, ge(a, set1(VF{}, b3)), i, one)};
}
inline VF pick4(Piece4F p, float c0, float c1, float c2, float c3) {
  return VF{_mm512_permutexvar_ps(
      p.i, _mm512_setr_ps(c0, c1, c2, c3, c0, c1, c2, c3, c0, c1, c2, c3, c0, c1, c2, c3))};
}
inline MF m_or(MF a, MF b) { return a | b; }
inline MF m_and(MF a, MF b) { return a & b; }
inline MF m_andnot(MF a, MF b) { return static_cast<MF>(~a & b); }

inline void frexp_norm(VF x, VF& m, VF& e) {
  m.v = _mm512_getmant_ps(x.v, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src);
  // getexp is floor(log2 x), the exponent of a mantissa in [1, 2); a mantissa below 1 was halved.
  const __m512 ex = _mm512_getexp_ps(x.v);
  e.v = _mm512_mask_add_ps(ex, _mm512_cmp_ps_mask(m.v, _mm512_set1_ps(1.0f), _CMP_LT_OQ), ex,
                           _mm512_set1_ps(1.0f));
}

inline VD ld(VD, const double* p) { return VD{_mm512_loadu_pd(p)}; }
inline void store(double* p, VD a) { _mm512_storeu_pd(p, a.v); }
inline void stream(double* p, VD a) { _mm512_stream_pd(p, a.v); }
inline VD set1(VD, double s) { return VD{_mm512_set1_pd(s)}; }
inline VD operator+(VD a, VD b) { return VD{_mm512_add_pd(a.v, b.v)}; }
inline VD operator-(VD a, VD b) { return VD{_mm512_sub_pd(a.v, b.v)}; }
inline VD operator*(VD a, VD b) { return VD{_mm512_mul_pd(a.v, b.v)}; }
inline VD operator/(VD a, VD b) { return VD{_mm512_div_pd(a.v, b.v)}; }
inline VD operator-(VD a) { return VD{_mm512_xor_pd(a.v, _mm512_set1_pd(-0.0))}; }
inline VD vfma(VD a, VD b, VD c) { return VD{_mm512_fmadd_pd(a.v, b.v, c.v)}; }
inline VD vabs(VD a) { return VD{_mm512_abs_pd(a.v)}; }
inline VD vsqrt(VD a) { return VD{_mm512_sqrt_pd(a.v)}; }
inline VD vmax(VD a, VD b) { return VD{_mm512_max_pd(a.v, b.v)}; }
inline VD vmin(VD a, VD b) { return VD{_mm512_min_pd(a.v, b.v)}; }
inline VD vround(VD a) {
  return VD{_mm512_roundscale_pd(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)};
}
inline VD vfloor(VD a) {
  return VD{_mm512_roundscale_pd(a.v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)};
}
inline MD lt(VD a, VD b) { return _mm512_cmp_pd_mask(a.v, b.v, _CMP_LT_OQ); }
inline MD ge(VD a, VD b) { return _mm512_cmp_pd_mask(a.v, b.v, _CMP_GE_OQ); }
inline MD eq(VD a, VD b) { return _mm512_cmp_pd_mask(a.v, b.v, _CMP_EQ_OQ); }
inline MD unord(VD a, VD b) { return _mm512_cmp_pd_mask(a.v, b.v, _CMP_UNORD_Q); }
inline bool any(MD m) { return m != 0; }
inline MD m_or(MD a, MD b) { return MD(a | b); }
inline VD select(MD m, VD a, VD b) { return VD{_mm512_mask_blend_pd(m, b.v, a.v)}; }
inline double hsum(VD a) { return _mm512_reduce_add_pd(a.v); }

inline VD scale2(VD x, VD n) { return VD{_mm512_scalef_pd(x.v, n.v)}; }

inline void widen(VF x, VD& lo, VD& hi) {
  lo.v = _mm512_cvtps_pd(_mm512_castps512_ps256(x.v));
  hi.v = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x.v), 1)));
}
inline VF narrow(VD lo, VD hi) {
  const __m256 l = _mm512_cvtpd_ps(lo.v), h = _mm512_cvtpd_ps(hi.v);
  return VF{_mm512_insertf32x8(_mm512_castps256_ps512(l), h, 1)};
}
