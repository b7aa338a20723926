// Scaled dot-product attention kernel; see attention.h.
#include "attention.h"

#include <cmath>
#include <vector>

#include "fused_kernels.h"
#include "fused_softmax.h"
#include "gemm.h"
#include "parallel.h"

namespace tf {

namespace {

void gemm_t(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const float* A, int64_t lda,
            const float* B, int64_t ldb, float* C, int64_t ldc) {
  own_sgemm(ta, tb, M, N, K, float(alpha), A, lda, B, ldb, 0.0f, C, ldc);
}
void gemm_t(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
            const double* B, int64_t ldb, double* C, int64_t ldc) {
  own_dgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, 0.0, C, ldc);
}

// [L, S] of 0 where key j may be attended by query i (j <= i), −inf elsewhere.
Tensor causal_additive(int64_t L, int64_t S, DType dt) {
  Tensor m = empty_uninit({L, S}, dt);
  for (int64_t i = 0; i < L; i++)
    for (int64_t j = 0; j < S; j++) {
      const double v = j <= i ? 0.0 : -INFINITY;
      if (dt == DType::F32) m.data<float>()[i * S + j] = float(v);
      else m.data<double>()[i * S + j] = v;
    }
  return m;
}

Tensor as_additive(const Tensor& mask, DType dt) {
  if (!mask.defined()) return mask;
  if (mask.dtype() == DType::Bool)
    return where(mask, scalar_tensor(0, dt), scalar_tensor(-INFINITY, dt));
  return mask.dtype() == dt ? mask : to_dtype(mask, dt);
}

// softmax(scale·q·kᵀ + mask) with differentiable ops.
Tensor probs_composed(const Tensor& q, const Tensor& k, const Tensor& mask, bool causal, double scale) {
  Tensor s = mul(matmul(q, transpose(k, -2, -1)), scalar_tensor(scale, q.dtype()));
  if (mask.defined()) s = add(s, mask);
  if (causal) s = add(s, causal_additive(q.size(-2), k.size(-2), q.dtype()));
  return softmax(s, -1);
}

// Forward and backward for one head, T = float or double. P: [L, S], kept.
template <class T>
void head_forward(const T* Q, const T* K, const T* V, const T* M, T* P, T* O, int64_t L, int64_t S, int64_t E,
                  int64_t Ev, bool causal, double scale) {
  gemm_t(false, true, L, S, E, scale, Q, E, K, E, P, S);
  for (int64_t i = 0; i < L; i++) {
    T* row = P + i * S;
    if (M)
      for (int64_t j = 0; j < S; j++) row[j] += M[i * S + j];
    const int64_t n = causal ? std::min(S, i + 1) : S;
    fused::softmax_row<T>(row, row, n, false);
    for (int64_t j = n; j < S; j++) row[j] = T(0);
  }
  gemm_t(false, false, L, Ev, S, 1.0, P, S, V, Ev, O, Ev);
}

template <class T>
void head_backward(const T* Q, const T* K, const T* V, const T* P, const T* dO, T* dQ, T* dK, T* dV, T* tmp,
                   int64_t L, int64_t S, int64_t E, int64_t Ev, double scale) {
  gemm_t(true, false, S, Ev, L, 1.0, P, S, dO, Ev, dV, Ev);
  gemm_t(false, true, L, S, Ev, 1.0, dO, Ev, V, Ev, tmp, S);
  fused::softmax_backward_rows<T>(tmp, P, tmp, L, S, false);  // dS = P∘(dP − Σ dP∘P), in place
  gemm_t(false, false, L, E, S, scale, tmp, S, K, E, dQ, E);
  gemm_t(true, false, S, E, L, scale, tmp, S, Q, E, dK, E);
}

struct Dims {
  int64_t BH, L, S, E, Ev;
};

template <class T>
void forward_all(const Tensor& Q, const Tensor& K, const Tensor& V, const Tensor& M, int64_t mstride, const Tensor& P,
                 const Tensor& O, Dims d, bool causal, double scale) {
  const T *q = Q.data<T>(), *k = K.data<T>(), *v = V.data<T>(), *m = M.defined() ? M.data<T>() : nullptr;
  T *p = P.data<T>(), *o = O.data<T>();
  parallel_for(0, d.BH, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t h = lo; h < hi; h++)
      head_forward<T>(q + h * d.L * d.E, k + h * d.S * d.E, v + h * d.S * d.Ev, m ? m + h * mstride : nullptr,
                      p + h * d.L * d.S, o + h * d.L * d.Ev, d.L, d.S, d.E, d.Ev, causal, scale);
  });
}

template <class T>
void backward_all(const Tensor& Q, const Tensor& K, const Tensor& V, const Tensor& P, const Tensor& dO,
                  const Tensor& dQ, const Tensor& dK, const Tensor& dV, Dims d, double scale) {
  const T *q = Q.data<T>(), *k = K.data<T>(), *v = V.data<T>(), *p = P.data<T>(), *go = dO.data<T>();
  T *gq = dQ.data<T>(), *gk = dK.data<T>(), *gv = dV.data<T>();
  parallel_for(0, d.BH, 1, [&](int64_t lo, int64_t hi) {
    std::vector<T> tmp(size_t(d.L * d.S));
    for (int64_t h = lo; h < hi; h++)
      head_backward<T>(q + h * d.L * d.E, k + h * d.S * d.E, v + h * d.S * d.Ev, p + h * d.L * d.S,
                       go + h * d.L * d.Ev, gq + h * d.L * d.E, gk + h * d.S * d.E, gv + h * d.S * d.Ev,
                       tmp.data(), d.L, d.S, d.E, d.Ev, scale);
  });
}

}  // namespace

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask_in,
                                    bool causal, double scale) {
  const char* op = "scaledDotProductAttention";
  auto shapes = [&] {
    return "query " + shape_str(q.shape()) + ", key " + shape_str(k.shape()) + ", value " + shape_str(v.shape());
  };
  if (!is_float(q.dtype()) || k.dtype() != q.dtype() || v.dtype() != q.dtype())
    fail_type(std::string(op) + ": query, key and value must all be float32 or all float64, got " +
              dtype_name(q.dtype()) + ", " + dtype_name(k.dtype()) + ", " + dtype_name(v.dtype()));
  if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2)
    fail(std::string(op) + ": query, key and value must be at least 2-d, got " + shapes());
  const int64_t L = q.size(-2), E = q.size(-1), S = k.size(-2), Ev = v.size(-1);
  if (k.size(-1) != E || v.size(-2) != S)
    fail(std::string(op) + ": key must be [..., S, " + std::to_string(E) + "] and value [..., S, Ev], got " + shapes());
  if (std::isnan(scale)) scale = E > 0 ? 1.0 / std::sqrt(double(E)) : 1.0;
  const DType dt = q.dtype();
  Tensor mask = as_additive(mask_in, dt);

  Shape batch(q.shape().begin(), q.shape().end() - 2);
  const bool same_batch = q.dim() == k.dim() && q.dim() == v.dim() &&
                          Shape(k.shape().begin(), k.shape().end() - 2) == batch &&
                          Shape(v.shape().begin(), v.shape().end() - 2) == batch;
  Shape full = batch;
  full.push_back(L);
  full.push_back(S);
  if (mask.defined() && broadcast_shapes(mask.shape(), full, op) != full)
    fail(std::string(op) + ": attnMask of shape " + shape_str(mask.shape()) + " does not broadcast to " +
         shape_str(full));
  const int64_t BH = numel_of(batch, op);
  // Zero-size problems and inputs the kernel does not take: the same math composed of ops.
  if (!same_batch || (mask.defined() && mask.requires_grad() && grad_enabled()) || BH * L * S * E * Ev == 0)
    return matmul(probs_composed(q, k, mask, causal, scale), v);

  Shape oshape = batch;
  oshape.push_back(L);
  oshape.push_back(Ev);
  Tensor out = empty_uninit(oshape, dt);
  Tensor Q = contiguous(detach(q)), K = contiguous(detach(k)), V = contiguous(detach(v));
  // The mask per head: one [L, S] shared by all heads, or materialised to [BH, L, S].
  Tensor M;
  int64_t mstride = 0;
  if (mask.defined()) {
    // Shared only when every batch dim of the mask is 1: a mask of [BH, 1, S] can have L·S
    // elements too (when BH == L), and must not be read as one [L, S] matrix.
    const Shape& ms = mask.shape();
    bool shared = true;
    for (size_t i = 0; i + 2 < ms.size(); i++) shared = shared && ms[i] == 1;
    if (shared) M = contiguous(expand(reshape(detach(mask), {ms.size() >= 2 ? ms[ms.size() - 2] : 1, ms.empty() ? 1 : ms.back()}), {L, S}));
    else M = contiguous(expand(detach(mask), full)), mstride = L * S;
  }
  Tensor P = empty_uninit({BH, L, S}, dt);
  const Dims d{BH, L, S, E, Ev};
  if (dt == DType::F32) forward_all<float>(Q, K, V, M, mstride, P, out, d, causal, scale);
  else forward_all<double>(Q, K, V, M, mstride, P, out, d, causal, scale);

  if (!any_requires_grad({q, k, v})) return out;
  record(op, {q, k, v}, {out}, [Q, K, V, P, mask, causal, scale, d](Node& n, const std::vector<Tensor>& g) {
    if (grad_enabled()) {
      // create_graph: the same backward from the saved inputs with differentiable ops.
      Tensor q = n.get_saved(0), k = n.get_saved(1), v = n.get_saved(2);
      Tensor p = probs_composed(q, k, mask, causal, scale);
      Tensor ds = softmax_backward(matmul(g[0], transpose(v, -2, -1)), p, -1, false);
      Tensor sc = scalar_tensor(scale, q.dtype());
      return std::vector<Tensor>{needs(n, 0) ? mul(matmul(ds, k), sc) : Tensor(),
                                 needs(n, 1) ? mul(matmul(transpose(ds, -2, -1), q), sc) : Tensor(),
                                 needs(n, 2) ? matmul(transpose(p, -2, -1), g[0]) : Tensor()};
    }
    const DType dt = Q.dtype();
    Tensor dO = contiguous(g[0].dtype() == dt ? g[0] : to_dtype(g[0], dt));
    Tensor dQ = empty_uninit(Q.shape(), dt), dK = empty_uninit(K.shape(), dt), dV = empty_uninit(V.shape(), dt);
    if (dt == DType::F32) backward_all<float>(Q, K, V, P, dO, dQ, dK, dV, d, scale);
    else backward_all<double>(Q, K, V, P, dO, dQ, dK, dV, d, scale);
    return std::vector<Tensor>{needs(n, 0) ? dQ : Tensor(), needs(n, 1) ? dK : Tensor(),
                               needs(n, 2) ? dV : Tensor()};
  }, {0, 1, 2});
  return out;
}

}  // namespace tf
