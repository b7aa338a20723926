// AVX2 + FMA wrappers (8 floats / 4 doubles) with the interface of simd_scalar.h.
// No include guard: included inside the AVX2 namespace of kernels.cpp under its target pragma.

struct VD {
  __m256d v;
  static constexpr int N = 4;
};
struct VF {
  __m256 v;
  static constexpr int N = 8;
  static constexpr int DN = 2;
  using D = VD;
};
struct MF {
  __m256 v;
};
struct MD {
  __m256d v;
};

inline VF ld(VF, const float* p) { return VF{_mm256_loadu_ps(p)}; }
inline void store(float* p, VF a) { _mm256_storeu_ps(p, a.v); }
// Non-temporal store; p must be 32-byte aligned (see simd_loops.h).
inline void stream(float* p, VF a) { _mm256_stream_ps(p, a.v); }
inline VF set1(VF, float s) { return VF{_mm256_set1_ps(s)}; }
inline VF operator+(VF a, VF b) { return VF{_mm256_add_ps(a.v, b.v)}; }
inline VF operator-(VF a, VF b) { return VF{_mm256_sub_ps(a.v, b.v)}; }
inline VF operator*(VF a, VF b) { return VF{_mm256_mul_ps(a.v, b.v)}; }
inline VF operator/(VF a, VF b) { return VF{_mm256_div_ps(a.v, b.v)}; }
inline VF operator-(VF a) { return VF{_mm256_xor_ps(a.v, _mm256_set1_ps(-0.0f))}; }
inline VF vfma(VF a, VF b, VF c) { return VF{_mm256_fmadd_ps(a.v, b.v, c.v)}; }
inline VF vabs(VF a) { return VF{_mm256_andnot_ps(_mm256_set1_ps(-0.0f), a.v)}; }
inline VF vsqrt(VF a) { return VF{_mm256_sqrt_ps(a.v)}; }
inline VF vmax(VF a, VF b) { return VF{_mm256_max_ps(a.v, b.v)}; }
inline VF vmin(VF a, VF b) { return VF{_mm256_min_ps(a.v, b.v)}; }
inline VF vround(VF a) { return VF{_mm256_round_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }
inline VF vfloor(VF a) { return VF{_mm256_round_ps(a.v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)}; }
inline MF lt(VF a, VF b) { return MF{_mm256_cmp_ps(a.v, b.v, _CMP_LT_OQ)}; }
inline MF le(VF a, VF b) { return MF{_mm256_cmp_ps(a.v, b.v, _CMP_LE_OQ)}; }
inline MF gt(VF a, VF b) { return MF{_mm256_cmp_ps(a.v, b.v, _CMP_GT_OQ)}; }
inline MF ge(VF a, VF b) { return MF{_mm256_cmp_ps(a.v, b.v, _CMP_GE_OQ)}; }
inline MF eq(VF a, VF b) { return MF{_mm256_cmp_ps(a.v, b.v, _CMP_EQ_OQ)}; }
inline MF unord(VF a, VF b) { return MF{_mm256_cmp_ps(a.v, b.v, _CMP_UNORD_Q)}; }
inline VF select(MF m, VF a, VF b) { return VF{_mm256_blendv_ps(b.v, a.v, m.v)}; }
inline VF copysign_(VF mag, VF sgn) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  return VF{_mm256_or_ps(_mm256_andnot_ps(sign, mag.v), _mm256_and_ps(sign, sgn.v))};
}
inline bool any(MF m) { return _mm256_movemask_ps(m.v) != 0; }
inline MF m_or(MF a, MF b) { return MF{_mm256_or_ps(a.v, b.v)}; }
inline MF m_and(MF a, MF b) { return MF{_mm256_and_ps(a.v, b.v)}; }
inline MF m_andnot(MF a, MF b) { return MF{_mm256_andnot_ps(a.v, b.v)}; }
// Four-piece tables (simd_math.h piece4 / pick4): the lane's piece number as an int, then one
// permute per coefficient instead of three blends.
struct Piece4F {
  __m256i i;
};
inline Piece4F piece4(VF a, float b1, float b2, float b3) {
  // Each true compare is -1: the piece is minus their sum.
  const __m256i s = _mm256_add_epi32(
      _mm256_add_epi32(_mm256_castps_si256(ge(a, set1(VF{}, b1)).v), _mm256_castps_si256(ge(a, set1(VF{}, b2)).v)),
      _mm256_castps_si256(ge(a, set1(VF{}, b3)).v));
  return Piece4F{_mm256_sub_epi32(_mm256_setzero_si256(), s)};
}
inline VF pick4(Piece4F p, float c0, float c1, float c2, float c3) {
  return VF{_mm256_permutevar8x32_ps(_mm256_setr_ps(c0, c1, c2, c3, c0, c1, c2, c3), p.i)};
}

// x * 2^n for integer-valued n in [-250, 250]: two exact power-of-two factors, so the product is
// rounded once (at the second multiply) even when the result is subnormal.
inline VF scale2(VF x, VF n) {
  const __m256 n1 = _mm256_floor_ps(_mm256_mul_ps(n.v, _mm256_set1_ps(0.5f)));
  const __m256 n2 = _mm256_sub_ps(n.v, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 p1 = _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n1), bias), 23));
  const __m256 p2 = _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n2), bias), 23));
  return VF{_mm256_mul_ps(_mm256_mul_ps(x.v, p1), p2)};
}
// exp_f's fast path (simd_math.h): every |x| < 87, so |n| <= 126, p 2^n is a normal float and
// adding n to p's exponent field is exact. Two integer instructions instead of scale2's eleven,
// and none on the two FMA pipes, which the polynomial keeps busy (the loop over a big array is
// bound there). The check is on x, so it resolves before the arithmetic; a NaN lane fails it and
// takes the general path.
inline bool exp_all_normal(VF x) {
  return _mm256_movemask_ps(_mm256_cmp_ps(vabs(x).v, _mm256_set1_ps(87.0f), _CMP_LT_OQ)) == 0xff;
}
inline VF scale_shifted(VF p, VF t) {
  const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(t.v), 23);
  return VF{_mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p.v), e))};
}
inline double hsum(VF a) {
  alignas(32) float t[8];
  _mm256_store_ps(t, a.v);
  double s = 0;
  for (float f : t) s += f;
  return s;
}

// x = m * 2^e, m in [0.75, 1.5), for finite x > 0 (subnormals are first scaled up by 2^25).
inline void frexp_norm(VF x, VF& m, VF& e) {
  const __m256 sub = _mm256_cmp_ps(x.v, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
  const __m256 xs = _mm256_blendv_ps(x.v, _mm256_mul_ps(x.v, _mm256_set1_ps(33554432.0f)), sub);
  const __m256i bits = _mm256_castps_si256(xs);
  __m256 ex = _mm256_cvtepi32_ps(
      _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
  ex = _mm256_sub_ps(ex, _mm256_and_ps(sub, _mm256_set1_ps(25.0f)));
  __m256 mm = _mm256_castsi256_ps(_mm256_or_si256(
      _mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f800000)));
  const __m256 big = _mm256_cmp_ps(mm, _mm256_set1_ps(1.5f), _CMP_GE_OQ);
  mm = _mm256_blendv_ps(mm, _mm256_mul_ps(mm, _mm256_set1_ps(0.5f)), big);
  ex = _mm256_add_ps(ex, _mm256_and_ps(big, _mm256_set1_ps(1.0f)));
  m.v = mm;
  e.v = ex;
}

inline VD ld(VD, const double* p) { return VD{_mm256_loadu_pd(p)}; }
inline void store(double* p, VD a) { _mm256_storeu_pd(p, a.v); }
inline void stream(double* p, VD a) { _mm256_stream_pd(p, a.v); }
inline VD set1(VD, double s) { return VD{_mm256_set1_pd(s)}; }
inline VD operator+(VD a, VD b) { return VD{_mm256_add_pd(a.v, b.v)}; }
inline VD operator-(VD a, VD b) { return VD{_mm256_sub_pd(a.v, b.v)}; }
inline VD operator*(VD a, VD b) { return VD{_mm256_mul_pd(a.v, b.v)}; }
inline VD operator/(VD a, VD b) { return VD{_mm256_div_pd(a.v, b.v)}; }
inline VD operator-(VD a) { return VD{_mm256_xor_pd(a.v, _mm256_set1_pd(-0.0))}; }
inline VD vfma(VD a, VD b, VD c) { return VD{_mm256_fmadd_pd(a.v, b.v, c.v)}; }
inline VD vabs(VD a) { return VD{_mm256_andnot_pd(_mm256_set1_pd(-0.0), a.v)}; }
inline VD vsqrt(VD a) { return VD{_mm256_sqrt_pd(a.v)}; }
inline VD vmax(VD a, VD b) { return VD{_mm256_max_pd(a.v, b.v)}; }
inline VD vmin(VD a, VD b) { return VD{_mm256_min_pd(a.v, b.v)}; }
inline VD vround(VD a) { return VD{_mm256_round_pd(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }
inline VD vfloor(VD a) { return VD{_mm256_round_pd(a.v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)}; }
inline MD lt(VD a, VD b) { return MD{_mm256_cmp_pd(a.v, b.v, _CMP_LT_OQ)}; }
inline MD ge(VD a, VD b) { return MD{_mm256_cmp_pd(a.v, b.v, _CMP_GE_OQ)}; }
inline MD eq(VD a, VD b) { return MD{_mm256_cmp_pd(a.v, b.v, _CMP_EQ_OQ)}; }
inline MD unord(VD a, VD b) { return MD{_mm256_cmp_pd(a.v, b.v, _CMP_UNORD_Q)}; }
inline bool any(MD m) { return _mm256_movemask_pd(m.v) != 0; }
inline MD m_or(MD a, MD b) { return MD{_mm256_or_pd(a.v, b.v)}; }
inline VD select(MD m, VD a, VD b) { return VD{_mm256_blendv_pd(b.v, a.v, m.v)}; }
inline double hsum(VD a) {
  alignas(32) double t[4];
  _mm256_store_pd(t, a.v);
  return (t[0] + t[1]) + (t[2] + t[3]);
}

// x * 2^n for integer-valued n in [-1000, 1000] (enough for the double helpers of float kernels).
inline VD scale2(VD x, VD n) {
  const __m256i e = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(n.v)),
                                     _mm256_set1_epi64x(1023));
  return VD{_mm256_mul_pd(x.v, _mm256_castsi256_pd(_mm256_slli_epi64(e, 52)))};
}

inline void widen(VF x, VD& lo, VD& hi) {
  lo.v = _mm256_cvtps_pd(_mm256_castps256_ps128(x.v));
  hi.v = _mm256_cvtps_pd(_mm256_extractf128_ps(x.v, 1));
}
inline VF narrow(VD lo, VD hi) {
  return VF{_mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo.v)),
                                 _mm256_cvtpd_ps(hi.v), 1)};
}
