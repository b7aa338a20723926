// Linear as one node; see fused_linear.h.
#include "fused_linear.h"

#include "cpu.h"
#include "gemm.h"
#include "parallel.h"

namespace tf {

namespace {

// sgemm/dgemm route each product to OpenBLAS or the own kernel, whichever is faster on this CPU
// (gemm.cpp, route_to_blas; on the Zen 5 dev machine Debian's OpenBLAS runs Haswell kernels, so the
// own AVX-512 kernel serves).
template <class T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B, int64_t ldb, T beta,
          T* C, int64_t ldc) {
  if constexpr (std::is_same_v<T, float>) sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
  else dgemm(ta, tb, M, N, K, 1.0, A, lda, B, ldb, beta, C, ldc);
}

template <class T>
void forward(const Tensor& X, const Tensor& W, const Tensor& B, const Tensor& Y, int64_t N, int64_t in, int64_t out) {
  T* y = Y.data<T>();
  if (B.defined()) {
    const T* b = B.data<T>();
    parallel_for(0, N, std::max<int64_t>(1, 32768 / std::max<int64_t>(out, 1)), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; r++) std::copy(b, b + out, y + r * out);
    });
  }
  gemm<T>(false, true, N, out, in, X.data<T>(), in, W.data<T>(), in, B.defined() ? T(1) : T(0), y, out);
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
  const char* op = "linear";
  if (!is_float(x.dtype()) || w.dtype() != x.dtype() || (b.defined() && b.dtype() != x.dtype()))
    fail_type(std::string(op) + ": input, weight and bias must share one float dtype");
  if (w.dim() != 2 || x.dim() < 1 || x.size(-1) != w.size(1) || (b.defined() && (b.dim() != 1 || b.size(0) != w.size(0))))
    fail(std::string(op) + ": input " + shape_str(x.shape()) + ", weight " + shape_str(w.shape()) +
         (b.defined() ? ", bias " + shape_str(b.shape()) : std::string()) + " do not fit [..., in], [out, in], [out]");
  const int64_t in = w.size(1), out = w.size(0), N = in ? x.numel() / in : numel_of(Shape(x.shape().begin(), x.shape().end() - 1), op);
  Shape ysh = x.shape();
  ysh.back() = out;
  Tensor X = contiguous(detach(x)), W = contiguous(detach(w)), B = b.defined() ? contiguous(detach(b)) : Tensor();
  Tensor y = in > 0 || B.defined() ? empty_uninit(ysh, x.dtype()) : empty(ysh, x.dtype());
  if (N > 0 && out > 0) {
    if (x.dtype() == DType::F32) forward<float>(X, W, B, y, N, in, out);
    else forward<double>(X, W, B, y, N, in, out);
  }
  std::vector<Tensor> ins{x, w};
  if (b.defined()) ins.push_back(b);
  if (!any_requires_grad(ins)) return y;
  const bool has_b = b.defined();
  Shape xsh = x.shape();
  record(op, ins, {y}, [has_b, xsh, N, in, out](Node& n, const std::vector<Tensor>& g) {
    Tensor x = n.get_saved(0), w = n.get_saved(1);
    std::vector<Tensor> r(n.next.size());
    if (grad_enabled()) {
      Tensor g2 = reshape(g[0], {N, out});
      if (needs(n, 0)) r[0] = reshape(matmul(g2, w), xsh);
      if (needs(n, 1)) r[1] = matmul(transpose(g2, 0, 1), reshape(x, {N, in}));
      if (has_b && needs(n, 2)) r[2] = sum(g2, {0}, false);
      return r;
    }
    const DType dt = x.dtype();
    Tensor G = contiguous(g[0].dtype() == dt ? g[0] : to_dtype(g[0], dt));
    Tensor X = contiguous(x), W = contiguous(w);
    if (needs(n, 0)) {
      Tensor dx = empty_uninit(xsh, dt);  // the GEMM (beta 0) writes every element
      if (dt == DType::F32) gemm<float>(false, false, N, in, out, G.data<float>(), out, W.data<float>(), in, 0.0f, dx.data<float>(), in);
      else gemm<double>(false, false, N, in, out, G.data<double>(), out, W.data<double>(), in, 0.0, dx.data<double>(), in);
      r[0] = dx;
    }
    if (needs(n, 1)) {
      Tensor dw = empty_uninit({out, in}, dt);
      if (dt == DType::F32) gemm<float>(true, false, out, in, N, G.data<float>(), out, X.data<float>(), in, 0.0f, dw.data<float>(), in);
      else gemm<double>(true, false, out, in, N, G.data<double>(), out, X.data<double>(), in, 0.0, dw.data<double>(), in);
      r[1] = dw;
    }
    if (has_b && needs(n, 2)) r[2] = sum(reshape(G, {N, out}), {0}, false);
    return r;
  }, {0, 1});
  return y;
}

}  // namespace tf
