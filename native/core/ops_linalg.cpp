// matmul: 1-D, 2-D and batched with broadcast batch dims, on GEMM (OpenBLAS or our own).
#include "gemm.h"
#include "iter.h"
#include "ops.h"

namespace tf {

// A 2-D operand GEMM can read without a copy: row-major (stride [ld, 1]) or transposed ([1, ld]).
struct GemmOperand {
  Tensor t;
  bool trans = false;
  int64_t ld = 0;
};

static GemmOperand as_gemm_operand(const Tensor& m) {
  int64_t r = m.shape()[0], c = m.shape()[1];
  const Shape& st = m.strides();
  if ((st[1] == 1 || c == 1) && (st[0] >= c || r == 1)) return {m, false, std::max<int64_t>(st[0], std::max<int64_t>(c, 1))};
  if ((st[0] == 1 || r == 1) && (st[1] >= r || c == 1)) return {m, true, std::max<int64_t>(st[1], std::max<int64_t>(r, 1))};
  Tensor cm = contiguous(m);
  return {cm, false, std::max<int64_t>(c, 1)};
}

// out[M,N] = a[M,K] @ b[K,N] for 2-D tensors; no autograd.
static void mm_into(const Tensor& a, const Tensor& b, const Tensor& out) {
  int64_t M = a.shape()[0], K = a.shape()[1], N = b.shape()[1];
  if (M == 0 || N == 0) return;
  if (K == 0) return;  // out is zero-filled
  GemmOperand A = as_gemm_operand(a), B = as_gemm_operand(b);
  DType dt = out.dtype();
  if (dt == DType::F32) {
    sgemm(A.trans, B.trans, M, N, K, 1.0f, A.t.data<float>(), A.ld, B.t.data<float>(), B.ld, 0.0f,
          out.data<float>(), N);
  } else if (dt == DType::F64) {
    dgemm(A.trans, B.trans, M, N, K, 1.0, A.t.data<double>(), A.ld, B.t.data<double>(), B.ld, 0.0,
          out.data<double>(), N);
  } else {
    // Integer matmul (int32, int64): a plain triple loop, wrapping as the dtype does.
    Tensor ac = contiguous(a), bc = contiguous(b);
    auto run = [&](auto* z, const auto* x, const auto* y) {
      using T = std::remove_pointer_t<decltype(z)>;
      using U = std::make_unsigned_t<T>;  // wraps without signed-overflow undefined behaviour
      for (int64_t i = 0; i < M; i++)
        for (int64_t k = 0; k < K; k++) {
          const U v = U(x[i * K + k]);
          for (int64_t j = 0; j < N; j++) z[i * N + j] = T(U(z[i * N + j]) + v * U(y[k * N + j]));
        }
    };
    if (dt == DType::I64) run(out.data<int64_t>(), ac.data<int64_t>(), bc.data<int64_t>());
    else if (dt == DType::I32) run(out.data<int32_t>(), ac.data<int32_t>(), bc.data<int32_t>());
    else fail_unsupported_dtype(dt);
  }
}

// A batch of matrices [..., r, c] as GEMM reads it: item i at data + i * stride.
struct BatchOperand {
  Tensor t;
  bool trans = false;
  int64_t ld = 0, stride = 0;
};

// The batch dims of `e` (an expanded view) collapse to one stride when each dim's stride is the
// next one's stride times its size (size-1 dims say nothing); else, or when the matrices are
// neither row-major nor transposed, a contiguous copy is made.
static BatchOperand batch_operand(const Tensor& e) {
  const int64_t nd = e.dim(), r = e.shape()[nd - 2], c = e.shape()[nd - 1];
  const Shape& st = e.strides();
  int64_t stride = -1, span = 1;  // span: items covered by the dims after the current one
  bool ok = true;
  for (int64_t d = nd - 3; d >= 0 && ok; --d) {
    const int64_t size = e.shape()[d];
    if (size != 1) {
      if (stride < 0) stride = st[d] / span, ok = st[d] % span == 0;  // first non-trivial dim
      else ok = st[d] == stride * span;
    }
    span *= size;
  }
  if (stride < 0) stride = 0;
  if (ok) {
    if ((st[nd - 1] == 1 || c == 1) && (st[nd - 2] >= c || r == 1))
      return {e, false, std::max<int64_t>({st[nd - 2], c, 1}), stride};
    if ((st[nd - 2] == 1 || r == 1) && (st[nd - 1] >= r || c == 1))
      return {e, true, std::max<int64_t>({st[nd - 1], r, 1}), stride};
  }
  Tensor cm = contiguous(e);
  return {cm, false, std::max<int64_t>(c, 1), r * c};
}

// A 2-D tensor laid out as the transpose of a contiguous matrix (strides [1, rows]).
static bool is_transposed_2d(const Tensor& t) {
  return t.dim() == 2 && t.shape()[0] > 1 && t.shape()[1] > 1 && t.strides()[0] == 1 &&
         t.strides()[1] == t.shape()[0];
}

static Tensor matmul_nd(const Tensor& a, const Tensor& b) {
  // a [..., M, K], b [..., K, N], both at least 2-D.
  int64_t M = a.shape()[a.dim() - 2], K = a.shape()[a.dim() - 1];
  int64_t K2 = b.shape()[b.dim() - 2], N = b.shape()[b.dim() - 1];
  if (K != K2)
    fail("matmul: shapes " + shape_str(a.shape()) + " and " + shape_str(b.shape()) + " do not align (" +
         std::to_string(K) + " != " + std::to_string(K2) + ")");
  Shape ba(a.shape().begin(), a.shape().end() - 2), bb(b.shape().begin(), b.shape().end() - 2);
  Shape batch = broadcast_shapes(ba, bb, "matmul");
  Shape osh = batch;
  osh.push_back(M);
  osh.push_back(N);
  // GEMM with beta = 0 writes every element; the int32 loop accumulates and K = 0 means zeros.
  Tensor out = K > 0 && is_float(a.dtype()) ? empty_uninit(osh, a.dtype()) : empty(osh, a.dtype());
  int64_t nb = 1;
  for (auto d : batch) nb *= d;
  if (nb == 0) return out;
  if (batch.empty()) {
    mm_into(a, b, out);
    return out;
  }
  if (bb.empty() && a.is_contiguous()) {
    // [B..., M, K] @ [K, N]: one GEMM over B·M rows.
    mm_into(reshape(a, {nb * M, K}), b, reshape(out, {nb * M, N}));
    return out;
  }
  Shape ea = batch, eb = batch;
  ea.push_back(M); ea.push_back(K);
  eb.push_back(K); eb.push_back(N);
  if (is_float(a.dtype())) {
    // One batched GEMM: items threaded across the pool, operands read in place when their batch
    // dims collapse to one stride (broadcast ones: stride 0) and each item is GEMM-readable.
    const BatchOperand A = batch_operand(expand(a, ea)), B = batch_operand(expand(b, eb));
    if (a.dtype() == DType::F32)
      sgemm_batched(A.trans, B.trans, nb, M, N, K, 1.0f, A.t.data<float>(), A.ld, A.stride,
                    B.t.data<float>(), B.ld, B.stride, 0.0f, out.data<float>(), N, M * N);
    else
      dgemm_batched(A.trans, B.trans, nb, M, N, K, 1.0, A.t.data<double>(), A.ld, A.stride,
                    B.t.data<double>(), B.ld, B.stride, 0.0, out.data<double>(), N, M * N);
    return out;
  }
  Tensor a3 = reshape(contiguous(expand(a, ea)), {nb, M, K});
  Tensor b3 = reshape(contiguous(expand(b, eb)), {nb, K, N});
  Tensor o3 = reshape(out, {nb, M, N});
  for (int64_t i = 0; i < nb; i++) mm_into(select(a3, 0, i), select(b3, 0, i), select(o3, 0, i));
  return out;
}

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  if (a_in.dim() == 0 || b_in.dim() == 0)
    fail("matmul: both arguments must be at least 1-d, got shapes " + shape_str(a_in.shape()) + " and " +
         shape_str(b_in.shape()));
  if (a_in.dtype() == DType::Bool || b_in.dtype() == DType::Bool)
    fail_type("matmul: bool tensors are not supported (shapes " + shape_str(a_in.shape()) + " and " +
              shape_str(b_in.shape()) + ")");
  DType dt = promote(a_in.dtype(), b_in.dtype());
  // float16 / bfloat16 accumulate in float32 (uint8 in int32) and round back once.
  if (is_storage_only(dt))
    return to_dtype(matmul(operand_in_compute_dtype(a_in, dt), operand_in_compute_dtype(b_in, dt)), dt);
  Tensor a = to_dtype(a_in, dt), b = to_dtype(b_in, dt);
  // 1-D operands: promote to matrices, then drop the added dim (composed from views, so
  // differentiable for free).
  if (a.dim() == 1 && b.dim() == 1) {
    if (a.shape()[0] != b.shape()[0])
      fail("matmul: shapes " + shape_str(a.shape()) + " and " + shape_str(b.shape()) + " do not align (" +
           std::to_string(a.shape()[0]) + " != " + std::to_string(b.shape()[0]) + ")");
    return reshape(matmul(unsqueeze(a, 0), unsqueeze(b, 1)), {});
  }
  if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.dim() == 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);

  Tensor out = matmul_nd(detach(a), detach(b));
  if (any_requires_grad({a, b})) {
    Shape ash = a.shape(), bsh = b.shape();
    record("matmul", {a, b}, {out}, [ash, bsh](Node& n, const std::vector<Tensor>& g) {
      Tensor ga, gb;
      Tensor a = n.get_saved(0), b = n.get_saved(1);
      // dA = G Bᵀ, dB = Aᵀ G, summed over broadcast batch dims. When an operand is a transposed
      // view (Linear's x·Wᵀ), its gradient is computed as (G Bᵀ)ᵀ = B Gᵀ etc. so that it comes out
      // in the layout of the tensor underneath: the transpose's own backward then yields a
      // contiguous gradient and .grad needs no strided copy (measured: 12% of an MLP step).
      if (n.next[0].node) {
        ga = is_transposed_2d(a) ? transpose(matmul(b, transpose(g[0], -1, -2)), -1, -2)
                                 : matmul(g[0], transpose(b, -1, -2));
        ga = sum_to(ga, ash);
      }
      if (n.next[1].node) {
        gb = is_transposed_2d(b) ? transpose(matmul(transpose(g[0], -1, -2), a), -1, -2)
                                 : matmul(transpose(a, -1, -2), g[0]);
        gb = sum_to(gb, bsh);
      }
      return std::vector<Tensor>{ga, gb};
    }, {0, 1});
  }
  return out;
}

}  // namespace tf
