// Fused softmax / log-softmax backward; see fused_softmax.h.
#include "fused_softmax.h"

#include "fused_kernels.h"

namespace tf {

namespace {
}  // namespace

Tensor softmax_backward(const Tensor& g_in, const Tensor& y_in, int64_t axis_in, bool log_space) {
  const char* op = log_space ? "logSoftmaxBackward" : "softmaxBackward";
  if (!is_float(y_in.dtype())) fail_type(std::string(op) + ": output must be float32 or float64");
  if (g_in.shape() != y_in.shape())
    fail(std::string(op) + ": gradient " + shape_str(g_in.shape()) + " and output " + shape_str(y_in.shape()) +
         " must have one shape");
  const int64_t axis = norm_axis(axis_in, y_in.dim(), op);
  Tensor g = g_in.dtype() == y_in.dtype() ? g_in : to_dtype(g_in, y_in.dtype());
  Tensor out;
  if (y_in.dim() == 0) {
    // One value along the axis: the formulas above with Σ over that single value.
    out = log_space ? sub(detach(g), mul(exp(detach(y_in)), detach(g))) : zeros({}, y_in.dtype());
  } else {
    const int64_t last = y_in.dim() - 1;
    Tensor G = detach(g), Y = detach(y_in);
    if (axis != last) {
      G = transpose(G, axis, last);
      Y = transpose(Y, axis, last);
    }
    G = contiguous(G);
    Y = contiguous(Y);
    Tensor o = empty_uninit(Y.shape(), Y.dtype());
    const int64_t C = Y.shape().back(), rows = C ? Y.numel() / C : 0;
    if (rows > 0) {
      if (Y.dtype() == DType::F32)
        fused::softmax_backward_rows<float>(G.data<float>(), Y.data<float>(), o.data<float>(), rows, C, log_space);
      else
        fused::softmax_backward_rows<double>(G.data<double>(), Y.data<double>(), o.data<double>(), rows, C,
                                             log_space);
    }
    out = axis != last ? contiguous(transpose(o, axis, last)) : o;
  }
  if (any_requires_grad({g, y_in})) {
    record(op, {g, y_in}, {out}, [axis, log_space](Node& n, const std::vector<Tensor>& gg) {
      Tensor g = n.get_saved(0), y = n.get_saved(1), h = gg[0];
      Tensor dg, dy;
      if (log_space) {
        // o = g − exp(y)·Σg:  ∂/∂g = h − Σ h·exp(y);  ∂/∂y = −h·exp(y)·Σg
        Tensor p = exp(y);
        if (needs(n, 0)) dg = sub(h, sum(mul(h, p), {axis}, true));
        if (needs(n, 1)) dy = neg(mul(mul(h, p), sum(g, {axis}, true)));
      } else {
        // o = y·(g − Σ g·y):  ∂/∂g = softmax_backward(h, y);  ∂/∂y = h·(g − Σ g·y) − g·Σ h·y
        if (needs(n, 0)) dg = softmax_backward(h, y, axis, false);
        if (needs(n, 1))
          dy = sub(mul(h, sub(g, sum(mul(g, y), {axis}, true))), mul(g, sum(mul(h, y), {axis}, true)));
      }
      return std::vector<Tensor>{dg, dy};
    }, {0, 1});
  }
  return out;
}

}  // namespace tf
