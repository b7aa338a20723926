// Vectorised float32 math and the contiguous loops of kernels.cpp, written once against the small
// wrapper interface of simd_scalar.h / simd_vec_avx512.h / simd_vec_avx2.h / simd_neon.h.
//
// No include guard: kernels.cpp includes this file once per ISA namespace, under that ISA's target
// pragma, so every function and lambda below is compiled for that ISA.
//
// Accuracy figures are in kernels.cpp (measured by scripts/kernel_test.cpp, which fails above
// 2 ulp). Special values follow libm: exp(-inf)=0, exp(x>88.73)=inf, log(0)=-inf, log(x<0)=nan,
// nan in gives nan out.

// Forced inline: GCC's heuristics left exp_f a call per vector in the AVX2 build (passing the
// vectors through memory), and a.exp() on 2^24 floats ran 7.1 ms there against 3.3 ms for a.neg().
#ifndef TF_SIMD_INLINE
#if defined(__GNUC__)
#define TF_SIMD_INLINE inline __attribute__((always_inline))
#define TF_SIMD_LAMBDA_INLINE __attribute__((always_inline))  // after a lambda's parameter list
#else
#define TF_SIMD_INLINE inline
#define TF_SIMD_LAMBDA_INLINE
#endif
#endif

template <class V>
TF_SIMD_INLINE V cst(float c) {
  return set1(V{}, c);
}
template <class V>
TF_SIMD_INLINE V cstd(double c) {
  return set1(V{}, c);
}

// exp_f's fast path for levels without a one-instruction scale2 (AVX2 overloads both in
// simd_vec_avx2.h): exp_all_normal(x) says every lane has |x| < 87, so p 2^n is a normal float
// whose exponent field is p's plus n; scale_shifted(p, t) forms it from t = x / ln2 + 1.5 * 2^23,
// whose low mantissa bits hold n (two's complement). Elsewhere the branch is constant false and
// compiles away.
template <class V>
TF_SIMD_INLINE bool exp_all_normal(V) {
  return false;
}
template <class V>
TF_SIMD_INLINE V scale_shifted(V p, V t) {
  return scale2(p, t - cst<V>(12582912.0f));
}

// p * 2^n for exp_f; one lane: ldexp's int exponent cannot take a NaN n (undefined conversion).
template <class V>
TF_SIMD_INLINE V exp_scale(V p, V n) {
  return scale2(p, n);
}
TF_SIMD_INLINE F1 exp_scale(F1 p, F1 n) {
  return n.v == n.v ? scale2(p, n) : n;
}

// ---- exp ----------------------------------------------------------------------------------------
// exp(x) = 2^n * e^r, n = round(x / ln2), r = x - n ln2 in [-ln2/2, ln2/2] (Cody-Waite: ln2_hi has
// trailing zero bits so n*ln2_hi is exact).
// exp_f is the plain exp (a.exp(), softmax, tanh, softplus), written for few instructions: the
// loop over a big array must keep up with memory, and it is bound by the two FMA pipes (9 FMAs per
// vector). e^r = 1 + r + r^2 q(r) evaluated by Horner alone (q of degree 4 fitted with the two leading coefficients fixed at 1: relative error 4e-9
// after rounding the coefficients to float). The final FMA 1 + r (...) rounds once; the rounding
// of r and of the previous Horner step add ~0.2 ulp each: max error 0.91 ulp over every float
// (a Fast2Sum form of 1 + r, kept until sigmoid/silu stopped using it, reached 0.52 for normal
// results but cost 8 more instructions).
template <class V>
TF_SIMD_INLINE V exp_poly(V r) {
  V p = cst<V>(0.001381461275741458f);
  p = vfma(p, r, cst<V>(0.008368710055947304f));
  p = vfma(p, r, cst<V>(0.04166838899254799f));
  p = vfma(p, r, cst<V>(0.1666652113199234f));
  p = vfma(p, r, cst<V>(0.4999999403953552f));
  p = vfma(p, r, cst<V>(1.0f));
  return vfma(p, r, cst<V>(1.0f));
}

template <class V>
TF_SIMD_INLINE V exp_reduce(V x, V& t) {
  // n = round(x / ln2) by the rounding of the FMA into t, whose ulp is 1 (|x / ln2| < 2^22).
  t = vfma(x, cst<V>(1.44269504088896341f), cst<V>(12582912.0f));
  const V n = t - cst<V>(12582912.0f);
  const V r = vfma(n, cst<V>(-0.693145751953125f), x);  // exact
  return vfma(n, cst<V>(-1.42860682030941723212e-6f), r);
}

template <class V>
TF_SIMD_INLINE V exp_f(V x) {
  V t;
  // Both paths compute the same n and p, so a lane's result does not depend on its neighbours.
  if (exp_all_normal(x)) return scale_shifted(exp_poly(exp_reduce(x, t)), t);
  // The clamp keeps NaN (min/max return their second operand when unordered), so no NaN select
  // is needed; +-115 covers both ends: below -104 the result underflows to 0 and above 88.73 it
  // overflows to inf inside scale2.
  const V p = exp_poly(exp_reduce(vmin(cst<V>(115.0f), vmax(cst<V>(-115.0f), x)), t));
  return exp_scale(p, t - cst<V>(12582912.0f));
}

// ---- log --------------------------------------------------------------------------------------
// log(x) = e ln2 + log1p(f), x = (1+f) 2^e with 1+f in [0.75, 1.5) so f = m - 1 is exact.
// log1p(f) = f - f^2/2 + s (f^2/2 + R), s = f / (2 + f), R = 2 atanh(s)/s - 2 = sum 2 s^2k/(2k+1):
// the big term f is exact and s only enters a correction, so rounding in s costs little.
template <class V>
TF_SIMD_INLINE V log1p_core(V f, V e) {
  const V s = f / (cst<V>(2.0f) + f);
  const V z = s * s;
  V R = cst<V>(2.0f / 11.0f);
  R = vfma(R, z, cst<V>(2.0f / 9.0f));
  R = vfma(R, z, cst<V>(2.0f / 7.0f));
  R = vfma(R, z, cst<V>(2.0f / 5.0f));
  R = vfma(R, z, cst<V>(2.0f / 3.0f));
  R = R * z;
  const V hfsq = cst<V>(0.5f) * f * f;
  const V lo = vfma(s, hfsq + R, e * cst<V>(1.42860682030941723212e-6f));
  return vfma(e, cst<V>(0.693145751953125f), f - (hfsq - lo));
}

template <class V>
TF_SIMD_INLINE V log_f(V x) {
  V m, e;
  // frexp_norm needs a finite positive input; specials are patched afterwards.
  const auto ok = m_and(gt(x, cst<V>(0.0f)), lt(x, cst<V>(INFINITY)));
  frexp_norm(select(ok, x, cst<V>(1.0f)), m, e);
  V y = log1p_core(m - cst<V>(1.0f), e);
  y = select(eq(x, cst<V>(INFINITY)), x, y);
  y = select(eq(x, cst<V>(0.0f)), cst<V>(-INFINITY), y);
  y = select(m_or(lt(x, cst<V>(0.0f)), unord(x, x)), cst<V>(NAN), y);
  return y;
}

// log1p(u) for u in [0, 1] (what softplus needs): u < 1/2 is f itself; otherwise
// 1 + u = 2 (1 + f) with f = (u - 1) / 2, exact by Sterbenz.
template <class V>
TF_SIMD_INLINE V log1p01_f(V u) {
  const auto big = ge(u, cst<V>(0.5f));
  const V f = select(big, (u - cst<V>(1.0f)) * cst<V>(0.5f), u);
  return log1p_core(f, select(big, cst<V>(1.0f), cst<V>(0.0f)));
}

// log1p(x), x >= -1: for 1 + x in [0.75, 1.5) x is f itself; elsewhere u = 1 + x = (1 + f) 2^e as for
// log, plus the rounding error of 1 + x (exact by Fast2Sum) divided by u.
template <class V>
TF_SIMD_INLINE V log1p_f(V x) {
  const V u = cst<V>(1.0f) + x;
  const auto x_big = gt(vabs(x), cst<V>(1.0f));
  const V err = select(x_big, cst<V>(1.0f) - (u - x), x - (u - cst<V>(1.0f)));  // 1 + x = u + err
  const auto ok = m_and(gt(u, cst<V>(0.0f)), lt(u, cst<V>(INFINITY)));
  V m, e;
  frexp_norm(select(ok, u, cst<V>(1.0f)), m, e);
  const V far = log1p_core(m - cst<V>(1.0f), e) + err / u;
  const auto near = m_and(ge(x, cst<V>(-0.25f)), lt(x, cst<V>(0.5f)));  // 1 + x in [0.75, 1.5), as in log
  V y = select(near, log1p_core(x, cst<V>(0.0f)), far);
  y = select(eq(x, cst<V>(INFINITY)), x, y);
  y = select(eq(x, cst<V>(-1.0f)), cst<V>(-INFINITY), y);
  y = select(m_or(lt(x, cst<V>(-1.0f)), unord(x, x)), cst<V>(NAN), y);
  return y;
}

// ---- sigmoid / silu / softplus ---------------------------------------------------------------
// Both divide by d = 1 + e, e = exp(-|x|) = p 2^n in (0, 1] (exp_f's reduction and polynomial, so no
// overflow): sigmoid = 1/d (x >= 0) or p/d 2^n (x < 0), silu = x times that; 2^n goes on last so a
// subnormal result is rounded once. For x >= 0 the plain quotient is used (e is scaled down there;
// the rounding of 1 + e costs up to 1 ulp). For x < 0 the result's mantissa is not e's, so e's
// 0.91-ulp error alone can reach ~1.8 ulp of the result (plain e/d measured 2.3 ulp, silu 3.2):
// there the final rounding of p is kept (pl, two instructions) and the quotient is corrected by its
// exact FMA remainder, scaled by a linear 1/d (8% off, on a term of about 1 ulp). Keeping the
// rounding of 1 + e too measured 0.95 / 0.99 ulp but cost ~8% more. Max error over every float in
// [-128, 128]: sigmoid 1.67 ulp, silu 1.90 (kernels.cpp). That is exp plus one ordinary division
// (which runs beside the FMAs) and ~8 instructions, against the old double-length form's two
// divisions and Fast2Sum exp.
template <class V>
TF_SIMD_INLINE V sig_quot(V q0, V h, V l, V d) {
  const V rem = vfma(-q0, d, h) + l;  // the FMA remainder is exact
  return vfma(rem, vfma(cst<V>(-0.5f), d, cst<V>(1.4571f)), q0);
}

// x * sigmoid(x) (Silu) or sigmoid(x). When every |x| < 80 AVX2 forms 2^n with integer adds (as
// exp_f's fast path); that is exact there, so those lanes get the same bits from either path.
template <bool Silu, class V>
TF_SIMD_INLINE V sigmoid_core(V x) {
  const auto pos = ge(x, cst<V>(0.0f));
  const bool fast = exp_all_normal(x * cst<V>(1.0875f));
  V t;
  // max keeps NaN (see exp_f); below -115 both results are 0 after the final scaling.
  const V a = fast ? -vabs(x) : vmax(cst<V>(-115.0f), -vabs(x));
  const V r = exp_reduce(a, t);
  V c = cst<V>(0.001381461275741458f);  // exp_poly's steps, stopped before the last
  c = vfma(c, r, cst<V>(0.008368710055947304f));
  c = vfma(c, r, cst<V>(0.04166838899254799f));
  c = vfma(c, r, cst<V>(0.1666652113199234f));
  c = vfma(c, r, cst<V>(0.4999999403953552f));
  c = vfma(c, r, cst<V>(1.0f));
  const V p = vfma(c, r, cst<V>(1.0f));
  const V pl = vfma(c, r, cst<V>(1.0f) - p);  // 1 + r c = p + pl (1 - p is exact)
  const V n = t - cst<V>(12582912.0f);
  const V d = cst<V>(1.0f) + (fast ? scale_shifted(p, t) : exp_scale(p, n));
  V h, l;
  if (Silu) {
    const V xp = x * p;
    l = vfma(x, pl, vfma(x, p, -xp));  // x (p + pl) = xp + l
    h = select(pos, x, xp);
  } else {
    l = pl;
    h = select(pos, cst<V>(1.0f), p);
  }
  const V q0 = h / d;
  const V q = sig_quot(q0, h, l, d);
  if (fast) return select(pos, q0, scale_shifted(q, t));
  const V y = select(pos, q0, exp_scale(q, n));
  // Below -115 x p may overflow; x * 0 gives -0 there, and NaN for -inf as PyTorch (-inf / (1 + inf)).
  if (Silu) return select(lt(x, cst<V>(-115.0f)), x * cst<V>(0.0f), y);
  return y;
}

template <class V>
TF_SIMD_INLINE V sigmoid_f(V x) {
  return sigmoid_core<false>(x);
}
template <class V>
TF_SIMD_INLINE V silu_f(V x) {
  return sigmoid_core<true>(x);
}

// PyTorch's softplus (beta 1, threshold 20): x when x > 20, else log1p(exp(x)), written as
// max(x, 0) + log1p(exp(-|x|)) so exp cannot overflow.
template <class V>
TF_SIMD_INLINE V softplus_f(V x) {
  const V y = select(gt(x, cst<V>(0.0f)), x, cst<V>(0.0f)) + log1p01_f(exp_f(-vabs(x)));
  return select(gt(x, cst<V>(20.0f)), x, y);
}

// ---- tanh -------------------------------------------------------------------------------------
// |x| < 0.9: odd polynomial x p(x^2) (least-squares fit, relative error 1e-9).
// Otherwise 1 - 2 / (exp(2|x|) + 1); there the subtracted term is <= 0.29 of a result >= 0.71,
// so exp's error is scaled down. The sign is x's.
template <class V>
TF_SIMD_INLINE V tanh_f(V x) {
  const V a = vabs(x);
  const V z = x * x;
  V p = cst<V>(-0.00045015543081369173f);
  p = vfma(p, z, cst<V>(0.002566576462049876f));
  p = vfma(p, z, cst<V>(-0.008245033804976352f));
  p = vfma(p, z, cst<V>(0.021651512103191765f));
  p = vfma(p, z, cst<V>(-0.05392533864773697f));
  p = vfma(p, z, cst<V>(0.1333291158870431f));
  p = vfma(p, z, cst<V>(-0.3333331737738799f));
  const V small = vfma(p * z, x, x);
  const V E = exp_f(a + a);
  const V big = cst<V>(1.0f) - cst<V>(2.0f) / (E + cst<V>(1.0f));
  // The sign goes on last so that tanh(-0) = -0 (x + x z p rounds -0 + +0 to +0), as in PyTorch.
  return copysign_(select(lt(a, cst<V>(0.9f)), small, big), x);
}

// ---- gelu (exact erf form, PyTorch's default) -------------------------------------------------
// gelu(x) = x Phi(x), Phi the normal CDF, evaluated in double (then rounded once to float):
//   |x| < 0.75:  Phi(x) = 1/2 + x q(x^2)          (least-squares fit, relative error 5e-13)
//   |x| >= 0.75: Phi(-|x|) = exp(-x^2/2) R(t), t = 1/(|x|+2), R a degree-9 fit (relative 4e-9);
//                gelu = x (1 - Phi(-x)) for x > 0, x Phi(x) for x < 0: no cancellation either way.
// In float the tail polynomial's large alternating coefficients cost ~5 ulp; in double they are free.
template <class D>
TF_SIMD_INLINE D exp_d(D x) {  // |x| <= 700; relative error ~1e-15 (only feeds float results)
  const D n = vround(x * cstd<D>(1.4426950408889634074));
  D r = vfma(n, cstd<D>(-6.93147180369123816490e-01), x);
  r = vfma(n, cstd<D>(-1.90821492927058770002e-10), r);
  D p = cstd<D>(1.0 / 39916800.0);
  p = vfma(p, r, cstd<D>(1.0 / 3628800.0));
  p = vfma(p, r, cstd<D>(1.0 / 362880.0));
  p = vfma(p, r, cstd<D>(1.0 / 40320.0));
  p = vfma(p, r, cstd<D>(1.0 / 5040.0));
  p = vfma(p, r, cstd<D>(1.0 / 720.0));
  p = vfma(p, r, cstd<D>(1.0 / 120.0));
  p = vfma(p, r, cstd<D>(1.0 / 24.0));
  p = vfma(p, r, cstd<D>(1.0 / 6.0));
  p = vfma(p, r, cstd<D>(0.5));
  p = vfma(p, r, cstd<D>(1.0));
  p = vfma(p, r, cstd<D>(1.0));
  return scale2(p, n);
}

// The two pieces of Phi (the normal CDF) that gelu and its derivative (fused_simd.h) share:
//   Phi(x)  = 0.5 + x · phi_series_d(x²)            for |x| < 0.75
//   Phi(-a) = exp(-a²/2) · phi_tail_ratio_d(a)      for a = |x| >= 0.75
template <class D>
TF_SIMD_INLINE D phi_series_d(D z) {
  D q = cstd<D>(5.800101807918223e-07);
  q = vfma(q, z, cstd<D>(-9.370659954130046e-06));
  q = vfma(q, z, cstd<D>(0.00011540267715283979));
  q = vfma(q, z, cstd<D>(-0.0011873210645099949));
  q = vfma(q, z, cstd<D>(0.009973556246538349));
  q = vfma(q, z, cstd<D>(-0.06649038003625404));
  return vfma(q, z, cstd<D>(0.3989422804012324));
}

template <class D>
TF_SIMD_INLINE D phi_tail_ratio_d(D a) {
  const D t = cstd<D>(1.0) / (a + cstd<D>(2.0));
  D R = cstd<D>(49.48779005721597);
  R = vfma(R, t, cstd<D>(-113.89712733259573));
  R = vfma(R, t, cstd<D>(104.81940157008584));
  R = vfma(R, t, cstd<D>(-44.13693003892351));
  R = vfma(R, t, cstd<D>(5.5401350158088905));
  R = vfma(R, t, cstd<D>(-0.19569532965954922));
  R = vfma(R, t, cstd<D>(1.2822189763263179));
  R = vfma(R, t, cstd<D>(0.7932702617437308));
  R = vfma(R, t, cstd<D>(0.3990843211919741));
  return vfma(R, t, cstd<D>(-1.894688924083029e-06));
}

template <class D>
TF_SIMD_INLINE D gelu_d(D x) {
  const D near0 = x * vfma(x, phi_series_d(x * x), cstd<D>(0.5));
  const D a = vmin(vabs(x), cstd<D>(30.0));  // beyond 30, Phi(-|x|) < 1e-197: 0 for float
  const D tail = exp_d(a * a * cstd<D>(-0.5)) * phi_tail_ratio_d(a);  // Phi(-|x|); a*a is exact for a float a
  const D far = select(ge(x, cstd<D>(0.0)), x - x * tail, x * tail);
  return select(lt(vabs(x), cstd<D>(0.75)), near0, far);
}

// The double evaluation above, for the lanes the float path below leaves out (x < -5.5, where
// the result heads into the subnormals, and the derivative's |x| > 5.5).
template <class V>
TF_SIMD_INLINE V gelu_f_wide(V x) {
  typename V::D lo, hi;
  widen(x, lo, hi);
  lo = gelu_d(lo);
  if constexpr (V::DN == 2) hi = gelu_d(hi);
  V y = narrow(lo, hi);
  y = select(lt(x, cst<V>(-30.0f)), cst<V>(-0.0f), y);
  // -inf · Phi(-inf) is -inf · 0: NaN, as PyTorch (only -inf is below -FLT_MAX)
  y = select(lt(x, cst<V>(-3.4028234663852886e38f)), cst<V>(std::numeric_limits<float>::quiet_NaN()), y);
  y = select(gt(x, cst<V>(30.0f)), x, y);               // also +inf
  return select(unord(x, x), x, y);
}

// ---- gelu in float32 ---------------------------------------------------------------------------
// The float path (4-8x faster than the double one above; 1.16 ulp max over every 61st float):
//   |x| < 0.5:  gelu = x/2 + x² q(x²), with x² as an exact pair hi + lo (the x/2 + x² q
//               cancellation for x < 0 would otherwise magnify the rounding of x²).
//   a = |x| >= 0.5: a Phi(-a) = S(a) e^(-a²/2), S smooth (a · Mills ratio / sqrt(2 pi)), so
//               gelu = -S e^(-a²/2) for x < 0 and x - S e^(-a²/2) for x > 0 (no cancellation).
//     S: a polynomial per piece [0.5,1) [1,2) [2,3.5) [3.5,5.5] in w = a - mid, exact (Sterbenz),
//        so the evaluation is well conditioned (a single fit over [0.75, 13] in 1/(a+2), as the
//        double path uses, has large alternating coefficients and lost ~5 ulp in float).
//     e^(-a²/2) = 2^n (1 + p): a² as hi + lo (its rounding would cost up to a² 2^-24 relative),
//        n = round(-hi/2 / ln2), r = -hi/2 - n ln2 (Cody-Waite, exact) - lo/2, p = e^r - 1.
//     S (1 + p) is formed as S(mid)hi + (S(mid)hi p + (u + u p)), u = the rest of S, so that
//        neither S nor 1 + p is rounded on its own: the sum rounds once.
//   Beyond 5.5 x - S e^(-a²/2) rounds to x (S e^(-a²/2) < ulp(x)/2), so S is clamped there; lanes
//   below -5.5 (results towards the subnormals, ~1e-8 of a normal sample) take gelu_f_wide.
// Coefficients: scripts/gen_gelu_coeffs.py.
// q: relative error 0.477 ulp; G: 0.477 ulp (before float evaluation)
constexpr float kGeluQ[5] = {0.398942292f, -0.066490978f, 0.00998206809f, -0.00123192265f, 0.00019099639f};
constexpr float kGeluGradG[6] = {0.797884583f, -0.265963316f, 0.0598812625f, -0.00986144599f, 0.00259829895f, -0.00220212038f};
// S on [0.5, 1]: relative error 0.0015 ulp
// S on [1, 2]: relative error 0.0119 ulp
// S on [2, 3.5]: relative error 0.0155 ulp
// S on [3.5, 5.5]: relative error 0.00725 ulp
// Each row: mid, S(mid) hi, S(mid) lo, then the coefficients of w^1 .. w^8.
constexpr float kGeluS[4][11] = {
    {0.75f, 0.225174353f, -5.77170134e-09f, 0.169906512f, -0.110052988f, 0.057440035f, -0.0259146318f, 0.0104716728f, -0.00386611978f, 0.00135144161f, -0.00049110828f},
    {1.5f, 0.308670998f, 2.84646307e-09f, 0.0703737438f, -0.0374909677f, 0.0164415371f, -0.00633153506f, 0.00220894162f, -0.000712866429f, 0.000225501644f, -6.4490574e-05f},
    {2.75f, 0.359493017f, 1.58039926e-09f, 0.0222392622f, -0.00887027103f, 0.00298861624f, -0.000902157917f, 0.000250509242f, -6.52604504e-05f, 1.72392847e-05f, -4.07403832e-06f},
    {4.5f, 0.381615251f, 1.31823823e-08f, 0.00683181919f, -0.00195541931f, 0.000482796167f, -0.000108682907f, 2.28307763e-05f, -4.56035241e-06f, 9.43462453e-07f, -1.74476412e-07f},
};

// Four-piece coefficient tables: piece4(a, b1, b2, b3) finds each lane's piece (by a >= b1, b2,
// b3), pick4(piece, c0, c1, c2, c3) that piece's coefficient. This generic form selects;
// simd_vec_avx2.h and simd_vec_avx512.h overload both with a permute per coefficient.
template <class V>
struct Piece4 {
  decltype(ge(V{}, V{})) m1, m2, m3;
};
template <class V>
TF_SIMD_INLINE Piece4<V> piece4(V a, float b1, float b2, float b3) {
  return Piece4<V>{ge(a, cst<V>(b1)), ge(a, cst<V>(b2)), ge(a, cst<V>(b3))};
}
template <class V>
TF_SIMD_INLINE V pick4(const Piece4<V>& p, float c0, float c1, float c2, float c3) {
  return select(p.m3, cst<V>(c3), select(p.m2, cst<V>(c2), select(p.m1, cst<V>(c1), cst<V>(c0))));
}

// e^(-a²/2) = (1 + p) 2^n for a in [0.5, 5.5]; t holds n for scale_shifted (as exp_reduce).
template <class V>
TF_SIMD_INLINE V gelu_exp_half_sq(V a, V& t) {
  const V hh = a * a;
  const V hl = vfma(a, a, -hh);
  const V y = cst<V>(-0.5f) * hh;
  t = vfma(y, cst<V>(1.44269504088896341f), cst<V>(12582912.0f));
  const V n = t - cst<V>(12582912.0f);
  const V r1 = vfma(n, cst<V>(-0.693145751953125f), y);  // exact: n ln2_hi has <= 19 bits
  const V rc = vfma(n, cst<V>(-1.42860682030941723212e-6f), cst<V>(-0.5f) * hl);
  const V r = r1 + rc;
  V e = cst<V>(1.0f / 40320.0f);
  e = vfma(e, r, cst<V>(1.0f / 5040.0f));
  e = vfma(e, r, cst<V>(1.0f / 720.0f));
  e = vfma(e, r, cst<V>(1.0f / 120.0f));
  e = vfma(e, r, cst<V>(1.0f / 24.0f));
  e = vfma(e, r, cst<V>(1.0f / 6.0f));
  e = vfma(e, r, cst<V>(0.5f));
  return r1 + vfma(r * r, e, rc);  // r's rounding only enters the r² term
}

// S(a) = c0 + u (c0 = S(mid) hi, u the small rest, lo part included) and e^(-a²/2) = (1 + p) 2^n
// for a in [0.5, 5.5]; t holds n as gelu_exp_half_sq's.
template <class V>
TF_SIMD_INLINE void gelu_tail_parts(V a, V& c0, V& u, V& p, V& t) {
  const auto pc = piece4(a, 1.0f, 2.0f, 3.5f);
  const auto pick = [&](int k) { return pick4(pc, kGeluS[0][k], kGeluS[1][k], kGeluS[2][k], kGeluS[3][k]); };
  const V w = a - pick(0);
  u = pick(10);
  for (int k = 9; k >= 2; --k) u = vfma(u, w, pick(k));
  c0 = pick(1);
  p = gelu_exp_half_sq(a, t);
}

// a Phi(-a) / 2^n = S (1 + p), rounded once (see above).
template <class V>
TF_SIMD_INLINE V gelu_tail_scaled(V a, V& t) {
  V c0, u, p;
  gelu_tail_parts(a, c0, u, p, t);
  return c0 + vfma(c0, p, vfma(u, p, u));
}

template <class V>
TF_SIMD_INLINE V gelu_f(V x) {
  const V zh = x * x;
  const V zl = vfma(x, x, -zh);
  V q = cst<V>(kGeluQ[4]);
  for (int k = 3; k >= 0; --k) q = vfma(q, zh, cst<V>(kGeluQ[k]));
  V y = vfma(zh, q, vfma(zl, q, cst<V>(0.5f) * x));
  y = select(eq(x, cst<V>(0.0f)), x, y);  // -0 stays -0, as x Phi(x)
  const V a = vmax(vmin(vabs(x), cst<V>(5.5f)), cst<V>(0.5f));
  V t;
  const V T = scale_shifted(gelu_tail_scaled(a, t), t);  // a Phi(-a), a normal float
  const V far = select(ge(x, cst<V>(0.0f)), x - T, -T);  // +inf - T = +inf
  y = select(lt(vabs(x), cst<V>(0.5f)), y, far);
  const auto wide = lt(x, cst<V>(-5.5f));
  if (any(wide)) y = select(wide, gelu_f_wide(x), y);
  return select(unord(x, x), x, y);
}

// ---- erf / erfc (float) through the same Phi, in double ------------------------------------------
// erf(x) = 2 Phi(x sqrt2) - 1 and erfc(x) = 2 Phi(-x sqrt2), so with y = x sqrt2:
//   |y| < 0.75:  erf = 2 y phi_series_d(y^2), erfc = 1 - erf
//   else:        t = Phi(-|y|) = exp(-x^2) R(|y|) (x^2 exact in double); erf = ±(1 - 2t),
//                erfc = 2t for x > 0 (its relative accuracy kept all the way into the subnormals),
//                2 - 2t for x < 0.
// Evaluated in double and rounded once (the float64 path stays std::erf / std::erfc).
template <class D>
TF_SIMD_INLINE void erf_pieces_d(D x, D& erf_near, D& tail) {
  const D y = x * cstd<D>(1.4142135623730951);
  erf_near = cstd<D>(2.0) * y * phi_series_d(y * y);
  const D a = vmin(vabs(y), cstd<D>(30.0));
  tail = exp_d(vmin(x * x, cstd<D>(700.0)) * cstd<D>(-1.0)) * phi_tail_ratio_d(a);  // Phi(-|y|)
}
template <class D>
TF_SIMD_INLINE D erf_d(D x) {
  D near, t;
  erf_pieces_d(x, near, t);
  const D m = cstd<D>(1.0) - cstd<D>(2.0) * t;
  const D far = select(lt(x, cstd<D>(0.0)), -m, m);
  return select(lt(vabs(x), cstd<D>(0.75 / 1.4142135623730951)), near, far);
}
template <class D>
TF_SIMD_INLINE D erfc_d(D x) {
  D near, t;
  erf_pieces_d(x, near, t);
  const D far = select(ge(x, cstd<D>(0.0)), cstd<D>(2.0) * t, cstd<D>(2.0) - cstd<D>(2.0) * t);
  return select(lt(vabs(x), cstd<D>(0.75 / 1.4142135623730951)), cstd<D>(1.0) - near, far);
}
// f, a double-precision function of one D vector, on both halves of a float vector; the results
// rounded to float once. NaN lanes come back as the input NaN.
template <class V, class F>
TF_SIMD_INLINE V via_double(V x, F f) {
  typename V::D lo, hi;
  widen(x, lo, hi);
  lo = f(lo);
  if constexpr (V::DN == 2) hi = f(hi);
  return select(unord(x, x), x, narrow(lo, hi));
}
template <class V>
TF_SIMD_INLINE V erf_f(V x) {
  return via_double(x, [](auto d) TF_SIMD_LAMBDA_INLINE { return erf_d(d); });
}
template <class V>
TF_SIMD_INLINE V erfc_f(V x) {
  return via_double(x, [](auto d) TF_SIMD_LAMBDA_INLINE { return erfc_d(d); });
}

// ---- expm1 via double ---------------------------------------------------------------------------
// exp(x) - 1 in double: exp_d's ~1e-15 relative error is ~1e-10 of a result with |x| >= 1e-5, and
// below that x + x²/2 + x³/6 is exact to double; the only float rounding is the final narrowing.
template <class D>
TF_SIMD_INLINE D expm1_d(D x) {
  const D c = vmin(vmax(x, cstd<D>(-104.0)), cstd<D>(89.0));  // float saturates there: -1 and inf
  const D small = x * vfma(x, vfma(x, cstd<D>(1.0 / 6.0), cstd<D>(0.5)), cstd<D>(1.0));
  return select(lt(vabs(x), cstd<D>(1e-5)), small, exp_d(c) - cstd<D>(1.0));
}

template <class V>
TF_SIMD_INLINE V expm1_f(V x) {
  typename V::D lo, hi;
  widen(x, lo, hi);
  lo = expm1_d(lo);
  if constexpr (V::DN == 2) hi = expm1_d(hi);
  return select(unord(x, x), x, narrow(lo, hi));
}

// ---- sin / cos via double ---------------------------------------------------------------------
// A float argument is widened to double, reduced by pi/2 in double (two-part pi/2: exact enough for
// |x| < 2^20) and evaluated with Taylor polynomials accurate to ~1e-12 on [-pi/4, pi/4]; the only
// float rounding is the final narrowing, so the error is ~0.5 ulp. Lanes with |x| >= 2^20 (where
// this reduction would lose bits) go to std::sin/std::cos in double.
template <class D>
TF_SIMD_INLINE D sincos_d(D x, bool is_cos) {
  const D n = vround(x * cstd<D>(0.63661977236758134308));
  D r = vfma(n, cstd<D>(-1.57079632679489655800e+00), x);
  r = vfma(n, cstd<D>(-6.12323399573676603587e-17), r);
  const D z = r * r;
  D s = cstd<D>(-2.5052108385441720e-08);  // -1/11!
  s = vfma(s, z, cstd<D>(2.7557319223985893e-06));
  s = vfma(s, z, cstd<D>(-1.9841269841269841e-04));
  s = vfma(s, z, cstd<D>(8.3333333333333333e-03));
  s = vfma(s, z, cstd<D>(-1.6666666666666667e-01));
  s = vfma(s * z, r, r);
  D c = cstd<D>(2.0876756987868099e-09);  // 1/12!
  c = vfma(c, z, cstd<D>(-2.7557319223985891e-07));
  c = vfma(c, z, cstd<D>(2.4801587301587302e-05));
  c = vfma(c, z, cstd<D>(-1.3888888888888889e-03));
  c = vfma(c, z, cstd<D>(4.1666666666666667e-02));
  c = vfma(c, z, cstd<D>(-0.5));
  c = vfma(c, z, cstd<D>(1.0));
  // Quadrant q = n mod 4 (cos is sin shifted by one quadrant).
  D q = is_cos ? n + cstd<D>(1.0) : n;
  q = q - cstd<D>(4.0) * vfloor(q * cstd<D>(0.25));
  const D odd = q - cstd<D>(2.0) * vfloor(q * cstd<D>(0.5));
  D y = select(eq(odd, cstd<D>(1.0)), c, s);
  return select(ge(q, cstd<D>(2.0)), -y, y);
}

template <class V>
TF_SIMD_INLINE V sincos_f(V x, bool is_cos) {
  typename V::D lo, hi;
  widen(x, lo, hi);
  lo = sincos_d(lo, is_cos);
  if constexpr (V::DN == 2) hi = sincos_d(hi, is_cos);
  V y = narrow(lo, hi);
  const auto huge = m_andnot(unord(x, x), ge(vabs(x), cst<V>(1048576.0f)));
  if (any(huge)) {
    float xs[V::N], ys[V::N];
    store(xs, x);
    store(ys, y);
    for (int i = 0; i < V::N; ++i)
      if (std::fabs(xs[i]) >= 1048576.0f)
        ys[i] = static_cast<float>(is_cos ? std::cos(static_cast<double>(xs[i]))
                                          : std::sin(static_cast<double>(xs[i])));
    y = ld(V{}, ys);
  }
  return y;
}

