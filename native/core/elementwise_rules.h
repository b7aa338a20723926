// The math of each elementwise op of op_table.h, one struct per op:
//   f(x) / f(a, b)   the scalar forward: float64 (float32 ops without a vector kernel evaluate it
//                    in double and round), and int32 / bool where the op keeps those dtypes
//   grad / ga, gb    the backward rule, written with differentiable ops (second order works);
//                    g is the output's gradient, x / a, b the inputs, y the output
//   kSave            which of inputs (kIn) and output (kOut) backward reads; the rest are undefined
// Broadcasting is undone by the caller (sum_to), dtypes are settled before these run.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "op_table.h"
#include "ops.h"
#include "fused_act.h"  // gelu_backward, silu_backward

namespace tf {

template <Unary U>
struct UnaryRule;  // no generic rule: an op of TF_UNARY_OPS without its struct does not compile
template <Binary B>
struct BinaryRule;

namespace rules {
constexpr int kNone = 0, kIn = 1, kOut = 2;
constexpr double kLn2 = 0.6931471805599453, kLn10 = 2.302585092994046;
constexpr double k2OverSqrtPi = 1.1283791670955126, kSqrtPiOver2 = 0.886226925452758;
inline Tensor S(double v, const Tensor& like) { return scalar_tensor(v, like.dtype()); }
inline Tensor zeros_like(const Tensor& g) { return zeros(g.shape(), g.dtype()); }
inline Tensor sq(const Tensor& x) { return mul(x, x); }
inline Tensor mask(const Tensor& cond, const Tensor& like) { return to_dtype(cond, like.dtype()); }
// g where y > 0 or y is NaN, else 0 (PyTorch's threshold_backward): one pass, in ops_elementwise.cpp.
Tensor relu_backward(const Tensor& g, const Tensor& y);

template <class T>
constexpr bool is_int = std::is_integral_v<T>;

inline double sigmoid_d(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

// Inverse error function: Giles' single-precision approximation ("Approximating the erfinv
// function", GPU Computing Gems, 2011) refined by Newton steps to double precision: on erf for
// |y| <= 0.5, on log erfc beyond (where 1 - |y| is exact and erf would lose the digits).
inline double erfinv(double y) {
  if (!(y > -1 && y < 1)) {
    if (y == 1) return INFINITY;
    if (y == -1) return -INFINITY;
    return NAN;
  }
  double w = -std::log((1 - y) * (1 + y)), p;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  const double ay = std::fabs(y);
  double x = p * ay;
  if (ay <= 0.5) {
    for (int i = 0; i < 2; i++) x -= (std::erf(x) - ay) / (k2OverSqrtPi * std::exp(-x * x));
  } else {
    // Newton on log erfc(x) = log(1 - |y|), nearly quadratic in x: it also converges from the
    // approximation's extrapolation beyond float's range (1 - |y| < 6e-8).
    const double lt = std::log(1 - ay);
    for (int i = 0; i < 8; i++) {
      const double e = std::erfc(x);
      const double dx = (std::log(e) - lt) * e / (k2OverSqrtPi * std::exp(-x * x));
      x += dx;
      if (std::fabs(dx) <= 1e-16 * x) break;
    }
  }
  return y < 0 ? -x : x;
}
}  // namespace rules

// ------------------------------------------------------------------------------------- unary
// Shorthand for the common shapes of a rule.
#define TF_UNARY_RULE(Name, save, fwd, bwd)                                              \
  template <>                                                                            \
  struct UnaryRule<Unary::Name> {                                                        \
    static constexpr int kSave = save;                                                   \
    template <class T>                                                                   \
    static T f(T x) { fwd }                                                              \
    static Tensor grad([[maybe_unused]] const Tensor& g, [[maybe_unused]] const Tensor& x,       \
                       [[maybe_unused]] const Tensor& y) { bwd }                                   \
  };

using namespace rules;  // NOLINT: the rule bodies below read as math

TF_UNARY_RULE(Neg, kNone, return -x;, return neg(g);)
TF_UNARY_RULE(Abs, kIn, return x < 0 ? T(-x) : x;, return mul(g, unary(Unary::Sign, x));)
TF_UNARY_RULE(Exp, kOut, return std::exp(x);, return mul(g, y);)
TF_UNARY_RULE(Log, kIn, return std::log(x);, return div(g, x);)
TF_UNARY_RULE(Sqrt, kOut, return std::sqrt(x);, return div(g, mul(y, S(2, y)));)
// d x^-1/2 = -1/2 x^-3/2 = -1/2 y^3
TF_UNARY_RULE(Rsqrt, kOut, return T(1) / std::sqrt(x);, return mul(g, mul(mul(y, sq(y)), S(-0.5, y)));)
TF_UNARY_RULE(Sin, kIn, return std::sin(x);, return mul(g, unary(Unary::Cos, x));)
TF_UNARY_RULE(Cos, kIn, return std::cos(x);, return neg(mul(g, unary(Unary::Sin, x)));)
TF_UNARY_RULE(Tanh, kOut, return std::tanh(x);, return mul(g, sub(S(1, y), sq(y)));)
TF_UNARY_RULE(Sigmoid, kOut, return T(sigmoid_d(double(x)));, return mul(g, mul(y, sub(S(1, y), y)));)
// relu(nan) = nan, and its gradient there is g (PyTorch: zero only where y <= 0).
TF_UNARY_RULE(Relu, kOut, return x > 0 || x != x ? x : T(0);, return relu_backward(g, y);)
// 0.5 x erfc(-x/√2) (the erf form loses the digits of small results for x << 0); its derivative
// Φ(x) + x φ(x).
TF_UNARY_RULE(Gelu, kIn, return x < -40 ? (std::isinf(x) ? T(NAN) : T(-0.0)) : T(0.5 * x * std::erfc(-x / std::sqrt(2.0)));,
              return gelu_backward(g, x, false);)  // one fused kernel (fused_act.h), itself differentiable
// g s (1 + x (1 - s)), s = sigmoid(x): one fused kernel (fused_act.h), itself differentiable
TF_UNARY_RULE(Silu, kIn, return x / (T(1) + std::exp(-x));, return silu_backward(g, x);)
// linear above 20 (PyTorch's threshold): the derivative is sigmoid(x) below, 1 above
TF_UNARY_RULE(Softplus, kIn, return x > T(20) ? x : T(std::log1p(std::exp(x)));,
              return mul(g, where(compare(Compare::Gt, x, S(20, x)), S(1, x), sigmoid(x)));)
TF_UNARY_RULE(Sign, kNone, return x > 0 ? T(1) : (x < 0 ? T(-1) : T(0));, return zeros_like(g);)
// Rounding: piecewise constant, zero gradient (as PyTorch); int32 passes through.
TF_UNARY_RULE(Floor, kNone, if constexpr (is_int<T>) return x; else return std::floor(x);, return zeros_like(g);)
TF_UNARY_RULE(Ceil, kNone, if constexpr (is_int<T>) return x; else return std::ceil(x);, return zeros_like(g);)
// half to even, as PyTorch (std::nearbyint in the default rounding mode)
TF_UNARY_RULE(Round, kNone, if constexpr (is_int<T>) return x; else return std::nearbyint(x);, return zeros_like(g);)
TF_UNARY_RULE(Trunc, kNone, if constexpr (is_int<T>) return x; else return std::trunc(x);, return zeros_like(g);)
TF_UNARY_RULE(Log1p, kIn, return std::log1p(x);, return div(g, add(x, S(1, x)));)
TF_UNARY_RULE(Expm1, kOut, return std::expm1(x);, return mul(g, add(y, S(1, y)));)
TF_UNARY_RULE(Log2, kIn, return std::log2(x);, return div(g, mul(x, S(kLn2, x)));)
TF_UNARY_RULE(Log10, kIn, return std::log10(x);, return div(g, mul(x, S(kLn10, x)));)
TF_UNARY_RULE(Exp2, kOut, return std::exp2(x);, return mul(g, mul(y, S(kLn2, y)));)
TF_UNARY_RULE(Erf, kIn, return std::erf(x);, return mul(g, mul(exp(neg(sq(x))), S(k2OverSqrtPi, x)));)
TF_UNARY_RULE(Erfc, kIn, return std::erfc(x);, return mul(g, mul(exp(neg(sq(x))), S(-k2OverSqrtPi, x)));)
// From the input (erfinv recomputed), as PyTorch: an in-place change of the output afterwards is allowed.
TF_UNARY_RULE(Erfinv, kIn, return T(rules::erfinv(double(x)));, {
  Tensor e = unary(Unary::Erfinv, x);
  return mul(g, mul(exp(sq(e)), S(kSqrtPiOver2, x)));
})
TF_UNARY_RULE(Tan, kOut, return std::tan(x);, return mul(g, add(sq(y), S(1, y)));)
TF_UNARY_RULE(Asin, kIn, return std::asin(x);, return mul(g, unary(Unary::Rsqrt, sub(S(1, x), sq(x))));)
TF_UNARY_RULE(Acos, kIn, return std::acos(x);, return neg(mul(g, unary(Unary::Rsqrt, sub(S(1, x), sq(x)))));)
TF_UNARY_RULE(Atan, kIn, return std::atan(x);, return div(g, add(sq(x), S(1, x)));)
TF_UNARY_RULE(Sinh, kIn, return std::sinh(x);, return mul(g, unary(Unary::Cosh, x));)
TF_UNARY_RULE(Cosh, kIn, return std::cosh(x);, return mul(g, unary(Unary::Sinh, x));)
TF_UNARY_RULE(Asinh, kIn, return std::asinh(x);, return mul(g, unary(Unary::Rsqrt, add(sq(x), S(1, x))));)
TF_UNARY_RULE(Acosh, kIn, return std::acosh(x);, return mul(g, unary(Unary::Rsqrt, sub(sq(x), S(1, x))));)
TF_UNARY_RULE(Atanh, kIn, return std::atanh(x);, return div(g, sub(S(1, x), sq(x)));)
#undef TF_UNARY_RULE

// ------------------------------------------------------------------------------------ binary
#define TF_BINARY_RULE(Name, save, fwd, ga_, gb_)                                                 \
  template <>                                                                                     \
  struct BinaryRule<Binary::Name> {                                                               \
    static constexpr int kSave = save;                                                            \
    template <class T>                                                                            \
    static T f(T a, T b) { fwd }                                                                  \
    static Tensor ga([[maybe_unused]] const Tensor& g, [[maybe_unused]] const Tensor& a,         \
                     [[maybe_unused]] const Tensor& b, [[maybe_unused]] const Tensor& y) { ga_ }  \
    static Tensor gb([[maybe_unused]] const Tensor& g, [[maybe_unused]] const Tensor& a,         \
                     [[maybe_unused]] const Tensor& b, [[maybe_unused]] const Tensor& y) { gb_ }  \
  };

namespace rules {
template <class T>
inline T int_pow(T a, T b) {
  if (b < 0) return a == 1 ? 1 : (a == -1 ? (b % 2 ? -1 : 1) : 0);
  T r = 1, base = a;
  for (T e = b; e > 0; e >>= 1) {
    if (e & 1) r *= base;
    base *= base;
  }
  return r;
}
// Python's floor division and modulo (the sign of the divisor); integer division by zero gives 0
// (PyTorch raises).
template <class T>
inline T floor_div(T a, T b) {
  if constexpr (is_int<T>) {
    if (b == 0) return 0;
    // INT_MIN / -1 traps (SIGFPE) on x86: negate in unsigned arithmetic instead (wraps, as PyTorch's does).
    if (b == T(-1)) return T(std::make_unsigned_t<T>(0) - std::make_unsigned_t<T>(a));
    T q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) q -= 1;
    return q;
  } else {
    // PyTorch's div_floor: from fmod, so that a == q b + r holds exactly where it can.
    if (b == 0) return a / b;
    T mod = std::fmod(a, b);
    T d = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) d -= 1;
    if (d == 0) return std::copysign(T(0), a / b);
    T fd = std::floor(d);
    if (d - fd > T(0.5)) fd += 1;
    return fd;
  }
}
template <class T>
inline T remainder(T a, T b) {
  if constexpr (is_int<T>) {
    if (b == 0 || b == T(-1)) return 0;  // x % -1 is 0, and INT_MIN % -1 traps on x86
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else {
    T r = std::fmod(a, b);
    if (r != 0 && ((b < 0) != (r < 0))) r += b;
    return r;
  }
}
// The share of the gradient of maximum (win = Lt: a loses where a < b) or minimum (win = Gt):
// 1 for the winner, 1/2 on ties, 0 for the loser; NaN on either side gives both the full
// gradient, as PyTorch does.
inline Tensor minmax_share(const Tensor& g, const Tensor& a, const Tensor& b, Compare loses) {
  // Selected with where, not multiplied by a 0/1 mask: an infinite g times a 0 mask would be NaN.
  Tensor zero = S(0, g);
  Tensor tie = where(compare(Compare::Eq, a, b), mul(g, S(0.5, g)), g);
  return where(compare(loses, a, b), zero, tie);
}
}  // namespace rules

TF_BINARY_RULE(Add, kNone, return a + b;, return g;, return g;)
TF_BINARY_RULE(Sub, kNone, return a - b;, return g;, return neg(g);)
TF_BINARY_RULE(Mul, kIn, return a * b;, return mul(g, b);, return mul(g, a);)
TF_BINARY_RULE(Div, kIn, return a / b;, return div(g, b);, return neg(div(mul(g, a), sq(b)));)
// d a^b = b a^(b-1) da + a^b ln a db. Where b == 0 the base's derivative is 0 even at a == 0
// (avoids 0 * inf); the exponent's is 0 where a == 0 and b >= 0, and NaN for a < 0 (ln a), as
// PyTorch. log is taken of a where()-guarded base so second order sees no 0 * inf either.
TF_BINARY_RULE(Pow, kIn, if constexpr (is_int<T>) return int_pow(a, b); else return std::pow(a, b);, {
  Tensor d = mul(b, pow(a, sub(b, S(1, b))));
  d = where(compare(Compare::Eq, b, S(0, b)), S(0, d), d);
  return mul(g, d);
}, {
  Tensor zero_base = mul(compare(Compare::Eq, a, S(0, a)), compare(Compare::Ge, b, S(0, b)));  // bool mul: and
  Tensor la = log(where(zero_base, S(1, a), a));
  return mul(g, where(zero_base, S(0, g), mul(pow(a, b), la)));
})
TF_BINARY_RULE(Maximum, kIn, return (a != a || a > b) ? a : b;,
               return minmax_share(g, a, b, Compare::Lt);, return minmax_share(g, b, a, Compare::Lt);)
TF_BINARY_RULE(Minimum, kIn, return (a != a || a < b) ? a : b;,
               return minmax_share(g, a, b, Compare::Gt);, return minmax_share(g, b, a, Compare::Gt);)
// d atan2(a, b) = (b da - a db) / (a² + b²)
TF_BINARY_RULE(Atan2, kIn, return std::atan2(a, b);, return div(mul(g, b), add(sq(a), sq(b)));,
               return neg(div(mul(g, a), add(sq(a), sq(b))));)
TF_BINARY_RULE(Fmod, kIn, if constexpr (is_int<T>) return b == 0 || b == T(-1) ? T(0) : T(a % b); else return std::fmod(a, b);,
               return g;, return neg(mul(g, unary(Unary::Trunc, div(a, b))));)
// The divisor's gradient uses the floor division itself, as PyTorch: it is NaN where a is infinite
// (floor(a / b) would be infinite).
TF_BINARY_RULE(Remainder, kIn, return remainder(a, b);, return g;,
               return neg(mul(g, binary(Binary::FloorDivide, a, b)));)
// Not differentiable (as PyTorch): no node is recorded.
TF_BINARY_RULE(FloorDivide, kNone, return floor_div(a, b);, return Tensor();, return Tensor();)
TF_BINARY_RULE(Hypot, kIn | kOut, return std::hypot(a, b);, return mul(g, div(a, y));, return mul(g, div(b, y));)
// log(e^a + e^b) = m + log1p(e^-|a-b|), m = max(a, b); equal infinities give themselves.
TF_BINARY_RULE(Logaddexp, kIn, {
  if (std::isinf(a) && a == b) return a;
  const T m = a > b ? a : b;
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}, return div(g, add(S(1, a), exp(sub(b, a))));, return div(g, add(S(1, a), exp(sub(a, b))));)
// x log y with 0 where x == 0 (unless y is NaN)
TF_BINARY_RULE(Xlogy, kIn, {
  if (b != b) return b;
  if (a == 0) return T(0);
  return a * std::log(b);
}, {
  // g log y, except 0 where x == 0 and y <= 0 (PyTorch: at x == 0 the gradient is still log y)
  Tensor off = mul(compare(Compare::Eq, a, S(0, a)), compare(Compare::Le, b, S(0, b)));  // bool mul: and
  return where(off, S(0, g), binary(Binary::Xlogy, g, b));
}, return mul(g, div(a, b));)
#undef TF_BINARY_RULE

}  // namespace tf
