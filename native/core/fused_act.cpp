// Fused GELU forward (tanh form) and backward (both forms); see fused_act.h.
#include "fused_act.h"

#include "fused_kernels.h"

namespace tf {

namespace {

Tensor S(double v, const Tensor& like) { return scalar_tensor(v, like.dtype()); }

// gelu''(x), composed of differentiable ops (used only when differentiating a gradient).
//   exact: φ(x)·(2 − x²), φ the normal density.
//   tanh:  (1 − t²)·(u' + x·(u''/2 − t·u'²)), u = k(x + c x³), u' = k(1 + 3c x²), u'' = 6kc x.
Tensor gelu_second(const Tensor& x, bool tanh_approx) {
  Tensor x2 = mul(x, x);
  if (!tanh_approx) {
    Tensor pdf = mul(exp(mul(x2, S(-0.5, x))), S(0.3989422804014327, x));
    return mul(pdf, sub(S(2, x), x2));
  }
  const double k = 0.7978845608028654, c = 0.044715;
  Tensor t = tanh(mul(add(x, mul(mul(x2, x), S(c, x))), S(k, x)));
  Tensor du = mul(add(mul(x2, S(3 * c, x)), S(1, x)), S(k, x));
  Tensor half_d2u = mul(x, S(3 * k * c, x));
  Tensor inner = add(du, mul(x, sub(half_d2u, mul(t, mul(du, du)))));
  return mul(sub(S(1, x), mul(t, t)), inner);
}

// silu''(x) = s (1 − s) (2 + x (1 − 2s)), s = sigmoid(x), composed of differentiable ops.
Tensor silu_second(const Tensor& x) {
  Tensor s = sigmoid(x);
  Tensor ds = mul(s, sub(S(1, x), s));
  return mul(ds, add(S(2, x), mul(x, sub(S(1, x), mul(s, S(2, x))))));
}

// The checks and the recorded node shared by the fused backward ops: g cast to x's dtype, both
// contiguous, out of x's shape; run(G, X, out) fills out.
template <class Run, class Grad>
Tensor fused_backward(const char* op, const Tensor& g_in, const Tensor& x_in, Run run, Grad second) {
  if (!is_float(x_in.dtype())) fail_type(std::string(op) + ": input must be float32 or float64");
  if (g_in.shape() != x_in.shape())
    fail(std::string(op) + ": gradient " + shape_str(g_in.shape()) + " and input " + shape_str(x_in.shape()) +
         " must have one shape");
  Tensor g = g_in.dtype() == x_in.dtype() ? g_in : to_dtype(g_in, x_in.dtype());
  Tensor G = contiguous(detach(g)), X = contiguous(detach(x_in));
  Tensor out = empty_uninit(X.shape(), X.dtype());
  run(G, X, out);
  if (any_requires_grad({g, x_in})) record(op, {g, x_in}, {out}, second, {0, 1});
  return out;
}

}  // namespace

Tensor silu_backward(const Tensor& g_in, const Tensor& x_in) {
  return fused_backward(
      "siluBackward", g_in, x_in,
      [](const Tensor& G, const Tensor& X, Tensor& out) {
        if (X.dtype() == DType::F32)
          fused::silu_backward<float>(G.data<float>(), X.data<float>(), out.data<float>(), X.numel());
        else
          fused::silu_backward<double>(G.data<double>(), X.data<double>(), out.data<double>(), X.numel());
      },
      [](Node& n, const std::vector<Tensor>& gg) {
        Tensor g = n.get_saved(0), x = n.get_saved(1);
        return std::vector<Tensor>{needs(n, 0) ? silu_backward(gg[0], x) : Tensor(),
                                   needs(n, 1) ? mul(mul(gg[0], g), silu_second(x)) : Tensor()};
      });
}

Tensor gelu_backward(const Tensor& g_in, const Tensor& x_in, bool tanh_approx) {
  return fused_backward(
      "geluBackward", g_in, x_in,
      [tanh_approx](const Tensor& G, const Tensor& X, Tensor& out) {
        if (X.dtype() == DType::F32)
          fused::gelu_backward<float>(G.data<float>(), X.data<float>(), out.data<float>(), X.numel(), tanh_approx);
        else
          fused::gelu_backward<double>(G.data<double>(), X.data<double>(), out.data<double>(), X.numel(),
                                       tanh_approx);
      },
      [tanh_approx](Node& n, const std::vector<Tensor>& gg) {
        Tensor g = n.get_saved(0), x = n.get_saved(1);
        return std::vector<Tensor>{needs(n, 0) ? gelu_backward(gg[0], x, tanh_approx) : Tensor(),
                                   needs(n, 1) ? mul(mul(gg[0], g), gelu_second(x, tanh_approx)) : Tensor()};
      });
}

Tensor gelu(const Tensor& x_in, bool tanh_approx) {
  if (!tanh_approx) return unary(Unary::Gelu, x_in);
  const char* op = "gelu";
  Tensor x = is_float(x_in.dtype()) ? x_in : to_dtype(x_in, DType::F32);
  Tensor X = contiguous(detach(x));
  Tensor out = empty_uninit(X.shape(), X.dtype());
  if (X.dtype() == DType::F32)
    fused::gelu_forward<float>(X.data<float>(), out.data<float>(), X.numel(), true);
  else
    fused::gelu_forward<double>(X.data<double>(), out.data<double>(), X.numel(), true);
  if (any_requires_grad({x})) {
    record(op, {x}, {out}, [](Node& n, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{gelu_backward(g[0], n.get_saved(0), true)};
    }, {0});
  }
  return out;
}

}  // namespace tf
