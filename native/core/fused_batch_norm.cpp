// Fused training-mode BatchNorm; see fused_batch_norm.h.
#include "fused_batch_norm.h"

#include <cmath>

#include "autograd.h"
#include "parallel.h"

namespace tf {

namespace {

// Σ over a row in 16 float partial sums (vectorizable without reassociation flags), in double.
template <typename T, typename F>
double row_sum(int64_t n, F&& f) {
  T part[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 16; k++) part[k] += f(i + k);
  double s = 0;
  for (; i < n; i++) s += double(f(i));
  for (int k = 0; k < 16; k++) s += double(part[k]);
  return s;
}

// Channels per parallel chunk: at least ~32K values of work each.
int64_t channel_grain(int64_t per_channel) {
  return std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(1, per_channel));
}

template <typename T>
void forward(const T* x, const T* w, const T* b, T* y, T* mean, T* var, double* rstd, int64_t N,
             int64_t C, int64_t S, double eps) {
  const int64_t M = N * S;
  parallel_for(0, C, channel_grain(M), [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; c++) {
      double s = 0;
      for (int64_t n = 0; n < N; n++) {
        const T* r = x + (n * C + c) * S;
        s += row_sum<T>(S, [r](int64_t i) { return r[i]; });
      }
      const double mu = s / double(M);
      const T m = T(mu);
      double q = 0;
      for (int64_t n = 0; n < N; n++) {
        const T* r = x + (n * C + c) * S;
        q += row_sum<T>(S, [r, m](int64_t i) { const T d = r[i] - m; return d * d; });
      }
      const double v = q / double(M), rs = 1.0 / std::sqrt(v + eps);
      mean[c] = T(mu);
      var[c] = T(v);
      rstd[c] = rs;
      const T scale = T(rs * (w ? double(w[c]) : 1.0));
      const T shift = T((b ? double(b[c]) : 0.0) - mu * rs * (w ? double(w[c]) : 1.0));
      for (int64_t n = 0; n < N; n++) {
        const T* __restrict r = x + (n * C + c) * S;
        T* __restrict o = y + (n * C + c) * S;
        for (int64_t i = 0; i < S; i++) o[i] = r[i] * scale + shift;
      }
    }
  });
}

// dx, dw, db (each may be null) from g, x and the forward's statistics.
template <typename T>
void backward(const T* g, const T* x, const T* w, const T* mean, const double* rstd, T* dx, T* dw,
              T* db, int64_t N, int64_t C, int64_t S) {
  const int64_t M = N * S;
  parallel_for(0, C, channel_grain(M), [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; c++) {
      const T m = mean[c];
      double sg = 0, sgx = 0;  // Σ g, Σ g·(x − mean)
      for (int64_t n = 0; n < N; n++) {
        const T* gr = g + (n * C + c) * S;
        const T* xr = x + (n * C + c) * S;
        sg += row_sum<T>(S, [gr](int64_t i) { return gr[i]; });
        sgx += row_sum<T>(S, [gr, xr, m](int64_t i) { return gr[i] * (xr[i] - m); });
      }
      const double rs = rstd[c], wc = w ? double(w[c]) : 1.0;
      if (db) db[c] = T(sg);
      if (dw) dw[c] = T(sgx * rs);
      if (!dx) continue;
      // dx = a·g + k·(x − mean) + d, with a = w·rstd, k = −a·rstd²·Σg(x−mean)/M, d = −a·Σg/M.
      const double a = wc * rs;
      const T ta = T(a), tk = T(-a * rs * rs * sgx / double(M)), td = T(-a * sg / double(M));
      for (int64_t n = 0; n < N; n++) {
        const T* __restrict gr = g + (n * C + c) * S;
        const T* __restrict xr = x + (n * C + c) * S;
        T* __restrict o = dx + (n * C + c) * S;
        for (int64_t i = 0; i < S; i++) o[i] = ta * gr[i] + tk * (xr[i] - m) + td;
      }
    }
  });
}

// The backward formulas with differentiable ops (create_graph).
std::vector<Tensor> backward_composed(const Tensor& g, const Tensor& x, const Tensor& w, double eps) {
  std::vector<int64_t> axes{0};
  Shape view(size_t(x.dim()), 1);
  view[1] = x.shape()[1];
  for (int64_t d = 2; d < x.dim(); d++) axes.push_back(d);
  Tensor xc = sub(x, mean(x, axes, true));
  Tensor r = unary(Unary::Rsqrt, add(mean(mul(xc, xc), axes, true), scalar_tensor(eps, x.dtype())));
  Tensor xhat = mul(xc, r);
  Tensor dh = w.defined() ? mul(g, reshape(w, view)) : g;
  Tensor inner = sub(sub(dh, mean(dh, axes, true)), mul(xhat, mean(mul(dh, xhat), axes, true)));
  return {mul(r, inner), sum(mul(g, xhat), axes, false), sum(g, axes, false)};
}

}  // namespace

std::vector<Tensor> batch_norm_train(const Tensor& x, const Tensor& w, const Tensor& b, double eps) {
  const char* op = "batchNorm";
  if (!is_float(x.dtype()) || x.dtype() == DType::F16 || x.dtype() == DType::BF16)
    fail_type(std::string(op) + ": input must be float32 or float64, got " + dtype_name(x.dtype()));
  if (x.dim() < 2)
    fail(std::string(op) + ": input must have at least 2 dims [N, C, ...], got " + shape_str(x.shape()));
  const int64_t N = x.shape()[0], C = x.shape()[1], S = C && N ? x.numel() / (N * C) : 0;
  for (const Tensor* p : {&w, &b}) {
    if (!p->defined()) continue;
    if (p->shape() != Shape{C})
      fail(std::string(op) + ": " + (p == &w ? "weight" : "bias") + " of shape " + shape_str(p->shape()) +
           " must be [" + std::to_string(C) + "] for input " + shape_str(x.shape()));
    if (p->dtype() != x.dtype())
      fail_type(std::string(op) + ": " + (p == &w ? "weight" : "bias") + " must be " + dtype_name(x.dtype()) +
                " like the input, got " + dtype_name(p->dtype()));
  }
  if (C > 0 && N * S <= 1)
    fail(std::string(op) + ": expected more than 1 value per channel when training, got input " +
         shape_str(x.shape()));
  Tensor X = contiguous(detach(x));
  Tensor W = w.defined() ? contiguous(detach(w)) : Tensor(), B = b.defined() ? contiguous(detach(b)) : Tensor();
  Tensor y = empty_uninit(x.shape(), x.dtype());
  Tensor mu = empty_uninit({C}, x.dtype()), var = empty_uninit({C}, x.dtype());
  auto rstd = std::make_shared<std::vector<double>>(size_t(C));
  if (x.dtype() == DType::F32)
    forward<float>(X.data<float>(), W.defined() ? W.data<float>() : nullptr, B.defined() ? B.data<float>() : nullptr,
                   y.data<float>(), mu.data<float>(), var.data<float>(), rstd->data(), N, C, S, eps);
  else
    forward<double>(X.data<double>(), W.defined() ? W.data<double>() : nullptr,
                    B.defined() ? B.data<double>() : nullptr, y.data<double>(), mu.data<double>(),
                    var.data<double>(), rstd->data(), N, C, S, eps);
  std::vector<Tensor> ins{x};
  std::vector<int> save{0};
  const bool has_w = w.defined(), has_b = b.defined();
  if (has_w) ins.push_back(w), save.push_back(int(ins.size() - 1));
  if (has_b) ins.push_back(b);
  if (!any_requires_grad(ins)) return {y, mu, var};
  record(op, ins, {y}, [mu, rstd, eps, has_w, has_b, N, C, S](Node& n, const std::vector<Tensor>& g) {
    Tensor x = n.get_saved(0), w = has_w ? n.get_saved(1) : Tensor();
    const size_t iw = 1, ib = has_w ? 2 : 1;
    std::vector<Tensor> out(n.next.size());
    if (grad_enabled()) {
      auto d = backward_composed(g[0], x, w, eps);
      if (needs(n, 0)) out[0] = d[0];
      if (has_w && needs(n, iw)) out[iw] = d[1];
      if (has_b && needs(n, ib)) out[ib] = d[2];
      return out;
    }
    const DType dt = x.dtype();
    Tensor G = contiguous(g[0].dtype() == dt ? g[0] : to_dtype(g[0], dt)), X = contiguous(x);
    Tensor W = has_w ? contiguous(w) : Tensor();
    Tensor dx = needs(n, 0) ? empty_uninit(x.shape(), dt) : Tensor();
    Tensor dw = has_w && needs(n, iw) ? empty_uninit({C}, dt) : Tensor();
    Tensor db = has_b && needs(n, ib) ? empty_uninit({C}, dt) : Tensor();
    if (dt == DType::F32)
      backward<float>(G.data<float>(), X.data<float>(), has_w ? W.data<float>() : nullptr, mu.data<float>(),
                      rstd->data(), dx.defined() ? dx.data<float>() : nullptr,
                      dw.defined() ? dw.data<float>() : nullptr, db.defined() ? db.data<float>() : nullptr, N, C, S);
    else
      backward<double>(G.data<double>(), X.data<double>(), has_w ? W.data<double>() : nullptr,
                       mu.data<double>(), rstd->data(), dx.defined() ? dx.data<double>() : nullptr,
                       dw.defined() ? dw.data<double>() : nullptr, db.defined() ? db.data<double>() : nullptr,
                       N, C, S);
    if (dx.defined()) out[0] = dx;
    if (dw.defined()) out[iw] = dw;
    if (db.defined()) out[ib] = db;
    return out;
  }, save);
  return {y, mu, var};
}

}  // namespace tf
