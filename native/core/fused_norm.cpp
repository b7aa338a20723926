// Fused LayerNorm / RMSNorm; see fused_norm.h.
#include "fused_norm.h"

#include "fused_kernels.h"

namespace tf {

namespace {

// The backward formulas of fused_norm.h with differentiable ops (create_graph).
std::vector<Tensor> norm_backward_composed(const Tensor& g, const Tensor& x, const Tensor& w, int64_t nd,
                                           double eps, bool rms) {
  std::vector<int64_t> axes, lead;
  for (int64_t d = 0; d < x.dim(); d++) (d >= x.dim() - nd ? axes : lead).push_back(d);
  Tensor xc = rms ? x : sub(x, mean(x, axes, true));
  Tensor r = unary(Unary::Rsqrt, add(mean(mul(xc, xc), axes, true), scalar_tensor(eps, x.dtype())));
  Tensor xhat = mul(xc, r);
  Tensor dh = w.defined() ? mul(g, w) : g;
  Tensor inner = sub(dh, mul(xhat, mean(mul(dh, xhat), axes, true)));
  if (!rms) inner = sub(inner, mean(dh, axes, true));
  Tensor dx = mul(r, inner);
  Tensor dw = w.defined() ? (lead.empty() ? mul(g, xhat) : sum(mul(g, xhat), lead, false)) : Tensor();
  Tensor db = lead.empty() ? g : sum(g, lead, false);
  return {dx, dw, db};
}

Tensor norm_impl(const char* op, const Tensor& x, const Tensor& w, const Tensor& b, int64_t nd, double eps,
                 bool rms) {
  if (!is_float(x.dtype())) fail_type(std::string(op) + ": input must be float32 or float64, got " + dtype_name(x.dtype()));
  if (nd < 1 || nd > x.dim())
    fail(std::string(op) + ": cannot normalise the last " + std::to_string(nd) + " dims of a tensor of shape " +
         shape_str(x.shape()));
  const Shape ns(x.shape().end() - nd, x.shape().end());
  for (const Tensor* p : {&w, &b}) {
    if (!p->defined()) continue;
    if (p->shape() != ns)
      fail(std::string(op) + ": " + (p == &w ? "weight" : "bias") + " of shape " + shape_str(p->shape()) +
           " must have the normalized shape " + shape_str(ns));
    if (p->dtype() != x.dtype())
      fail_type(std::string(op) + ": " + (p == &w ? "weight" : "bias") + " must be " + dtype_name(x.dtype()) +
                " like the input, got " + dtype_name(p->dtype()));
  }
  const int64_t C = numel_of(ns, op), rows = C ? x.numel() / C : 0;
  Tensor X = contiguous(detach(x));
  Tensor W = w.defined() ? contiguous(detach(w)) : Tensor(), B = b.defined() ? contiguous(detach(b)) : Tensor();
  Tensor y = empty_uninit(x.shape(), x.dtype());
  Tensor mu = empty_uninit({rows}, x.dtype()), rstd = empty_uninit({rows}, x.dtype());
  if (rows > 0 && C > 0) {
    if (x.dtype() == DType::F32)
      fused::norm_rows<float>(X.data<float>(), W.defined() ? W.data<float>() : nullptr,
                              B.defined() ? B.data<float>() : nullptr, y.data<float>(), mu.data<float>(),
                              rstd.data<float>(), rows, C, eps, rms);
    else
      fused::norm_rows<double>(X.data<double>(), W.defined() ? W.data<double>() : nullptr,
                               B.defined() ? B.data<double>() : nullptr, y.data<double>(), mu.data<double>(),
                               rstd.data<double>(), rows, C, eps, rms);
  }
  std::vector<Tensor> ins{x};
  std::vector<int> save{0};
  const bool has_w = w.defined(), has_b = b.defined();
  if (has_w) ins.push_back(w), save.push_back(int(ins.size() - 1));
  if (has_b) ins.push_back(b);
  if (!any_requires_grad(ins)) return y;
  record(op, ins, {y}, [mu, rstd, nd, eps, rms, has_w, has_b, rows, C](Node& n, const std::vector<Tensor>& g) {
    Tensor x = n.get_saved(0), w = has_w ? n.get_saved(1) : Tensor();
    const size_t iw = 1, ib = has_w ? 2 : 1;
    std::vector<Tensor> out(n.next.size());
    if (grad_enabled()) {
      auto d = norm_backward_composed(g[0], x, w, nd, eps, rms);
      if (needs(n, 0)) out[0] = d[0];
      if (has_w && needs(n, iw)) out[iw] = d[1];
      if (has_b && needs(n, ib)) out[ib] = d[2];
      return out;
    }
    const DType dt = x.dtype();
    Tensor G = contiguous(g[0].dtype() == dt ? g[0] : to_dtype(g[0], dt)), X = contiguous(x);
    Tensor W = has_w ? contiguous(w) : Tensor();
    Tensor dx = empty_uninit(x.shape(), dt);
    const Shape ns(x.shape().end() - nd, x.shape().end());
    Tensor dw = has_w && needs(n, iw) ? empty_uninit(ns, dt) : Tensor();
    Tensor db = has_b && needs(n, ib) ? empty_uninit(ns, dt) : Tensor();
    if (rows > 0 && C > 0) {
      if (dt == DType::F32)
        fused::norm_backward_rows<float>(G.data<float>(), X.data<float>(), has_w ? W.data<float>() : nullptr,
                                         mu.data<float>(), rstd.data<float>(), dx.data<float>(),
                                         dw.defined() ? dw.data<float>() : nullptr,
                                         db.defined() ? db.data<float>() : nullptr, rows, C, rms);
      else
        fused::norm_backward_rows<double>(G.data<double>(), X.data<double>(), has_w ? W.data<double>() : nullptr,
                                          mu.data<double>(), rstd.data<double>(), dx.data<double>(),
                                          dw.defined() ? dw.data<double>() : nullptr,
                                          db.defined() ? db.data<double>() : nullptr, rows, C, rms);
    } else {
      if (dw.defined()) fill_(dw, 0);
      if (db.defined()) fill_(db, 0);
    }
    if (needs(n, 0)) out[0] = dx;
    if (dw.defined()) out[iw] = dw;
    if (db.defined()) out[ib] = db;
    return out;
  }, save);
  return y;
}

}  // namespace

Tensor layer_norm(const Tensor& x, const Tensor& w, const Tensor& b, int64_t nd, double eps) {
  return norm_impl("layerNorm", x, w, b, nd, eps, false);
}

Tensor rms_norm(const Tensor& x, const Tensor& w, int64_t nd, double eps) {
  return norm_impl("rmsNorm", x, w, Tensor(), nd, eps, true);
}

}  // namespace tf
