// One-lane "vectors" with the same interface as the SIMD wrappers (simd_vec_avx2.h,
// simd_vec_avx512.h, simd_neon.h).
//
// The generic math in simd_math.h is instantiated with these for the scalar fallback and for the
// leftover elements after a vector loop, so a value's result does not depend on whether it landed
// in a vector or in the tail (every operation here is the exact scalar twin of the vector one).
//
// No include guard: included once inside each per-ISA namespace of kernels.cpp, after <cmath>.

struct F1;
struct D1 {
  double v;
  static constexpr int N = 1;
};
struct F1 {
  float v;
  static constexpr int N = 1;
  static constexpr int DN = 1;  // double vectors needed to hold one float vector
  using D = D1;
};
using M1 = bool;

#define TF_S1_OPS(V, T)                                                                          \
  inline V ld(V, const T* p) { return V{*p}; }                                                    \
  inline void store(T* p, V a) { *p = a.v; }                                                    \
  inline void stream(T* p, V a) { *p = a.v; }                                                   \
  inline V set1(V, T s) { return V{s}; }                                                         \
  inline V operator+(V a, V b) { return V{a.v + b.v}; }                                          \
  inline V operator-(V a, V b) { return V{a.v - b.v}; }                                          \
  inline V operator*(V a, V b) { return V{a.v * b.v}; }                                          \
  inline V operator/(V a, V b) { return V{a.v / b.v}; }                                          \
  inline V operator-(V a) { return V{-a.v}; }                                                    \
  inline V vfma(V a, V b, V c) { return V{std::fma(a.v, b.v, c.v)}; }                            \
  inline V vabs(V a) { return V{std::fabs(a.v)}; }                                               \
  inline V vsqrt(V a) { return V{std::sqrt(a.v)}; }                                              \
  /* x86 min/max semantics: the second operand when unordered */                                 \
  inline V vmax(V a, V b) { return V{a.v > b.v ? a.v : b.v}; }                                   \
  inline V vmin(V a, V b) { return V{a.v < b.v ? a.v : b.v}; }                                   \
  inline V vround(V a) { return V{std::nearbyint(a.v)}; }                                        \
  inline V vfloor(V a) { return V{std::floor(a.v)}; }                                            \
  inline M1 lt(V a, V b) { return a.v < b.v; }                                                   \
  inline M1 le(V a, V b) { return a.v <= b.v; }                                                  \
  inline M1 gt(V a, V b) { return a.v > b.v; }                                                   \
  inline M1 ge(V a, V b) { return a.v >= b.v; }                                                  \
  inline M1 eq(V a, V b) { return a.v == b.v; }                                                  \
  inline M1 unord(V a, V b) { return a.v != a.v || b.v != b.v; }                                 \
  inline V select(M1 m, V a, V b) { return m ? a : b; }                                          \
  inline V copysign_(V mag, V sgn) { return V{std::copysign(mag.v, sgn.v)}; }                    \
  inline V scale2(V x, V n) { return V{std::ldexp(x.v, static_cast<int>(n.v))}; }                \
  inline double hsum(V a) { return static_cast<double>(a.v); }

TF_S1_OPS(F1, float)
TF_S1_OPS(D1, double)
#undef TF_S1_OPS

inline bool any(M1 m) { return m; }
inline M1 m_or(M1 a, M1 b) { return a || b; }
inline M1 m_and(M1 a, M1 b) { return a && b; }
inline M1 m_andnot(M1 a, M1 b) { return !a && b; }  // (not a) and b

// x = m * 2^e with m in [0.75, 1.5), for finite x > 0 (denormals included).
inline void frexp_norm(F1 x, F1& m, F1& e) {
  int ex;
  float f = std::frexp(x.v, &ex);  // f in [0.5, 1)
  if (f < 0.75f) {
    f *= 2.0f;
    ex -= 1;
  }
  m.v = f;
  e.v = static_cast<float>(ex);
}

inline void widen(F1 x, D1& lo, D1& hi) {
  lo.v = x.v;
  hi.v = 0;
}
inline F1 narrow(D1 lo, D1) { return F1{static_cast<float>(lo.v)}; }
