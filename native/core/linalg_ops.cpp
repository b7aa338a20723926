// torch.linalg primitives: batching, argument checks, and the tape. The factorizations themselves
// are in linalg_kernels.cpp; backward rules are PyTorch's (derivatives.yaml / FunctionsManual.cpp)
// written with differentiable ops so that gradients of gradients work.
#include "linalg.h"

#include <cmath>
#include <limits>
#include <string>

#include "linalg_kernels.h"
#include "ops_triangle.h"
#include "parallel.h"

namespace tf {

const char* lapack_backend() { return la::lapack_backend(); }

// ---------------------------------------------------------------- helpers
namespace {

Tensor mT(const Tensor& x) { return transpose(x, -1, -2); }
Tensor scale(const Tensor& x, double s) { return binary_scalar(Binary::Mul, x, s, false); }

Tensor tril(const Tensor& x, int64_t k = 0) { return triangle(x, k, true); }
Tensor triu(const Tensor& x, int64_t k = 0) { return triangle(x, k, false); }
Tensor diag_embed(const Tensor& v) {
  const int64_t n = v.size(-1);
  return where(eye(n, n, DType::Bool), unsqueeze(v, -1), zeros({}, v.dtype()));
}

// An incoming gradient that is a constant zero (the engine fills outputs that got no gradient with
// zeros): treated as PyTorch's undefined gradient, so e.g. svdvals never divides by S_j² − S_i²,
// which is zero for repeated singular values.
bool zero_grad(const Tensor& g) {
  if (!g.defined()) return true;
  if (g.requires_grad()) return false;
  Tensor c = contiguous(g);
  int64_t n = c.numel();
  if (c.dtype() == DType::F32) {
    const float* p = c.data<float>();
    for (int64_t i = 0; i < n; i++) if (p[i] != 0) return false;
  } else {
    const double* p = c.data<double>();
    for (int64_t i = 0; i < n; i++) if (p[i] != 0) return false;
  }
  return true;
}

void check_float(const Tensor& a, const char* op, const char* what) {
  if (!a.defined()) fail(ErrorKind::Type, ErrorCode::Argument, std::string(op) + ": " + what + " must be a tensor");
  if (!is_float(a.dtype()))
    fail_type(std::string(op) + ": expected " + what + " to be float32 or float64, got " + dtype_name(a.dtype()) +
              " with shape " + shape_str(a.shape()));
}

void check_matrix(const Tensor& a, const char* op, const char* what) {
  check_float(a, op, what);
  if (a.dim() < 2)
    fail(std::string(op) + ": " + what + " must have at least 2 dimensions, got shape " + shape_str(a.shape()));
}

void check_square(const Tensor& a, const char* op) {
  check_matrix(a, op, "A");
  if (a.size(-1) != a.size(-2))
    fail(std::string(op) + ": A must be batches of square matrices, but they are " + std::to_string(a.size(-2)) +
         " by " + std::to_string(a.size(-1)) + " matrices (shape " + shape_str(a.shape()) + ")");
}

// Contiguous private copy of x's values (the kernels work in place).
Tensor work_copy(const Tensor& x) { return clone(detach(x)); }

int64_t batch_count(const Tensor& x) {
  int64_t m = x.size(-2), n = x.size(-1);
  return m * n == 0 ? numel_of(Shape(x.shape().begin(), x.shape().end() - 2), "linalg") : x.numel() / (m * n);
}

Shape with_tail(const Tensor& x, std::initializer_list<int64_t> tail) {
  Shape s(x.shape().begin(), x.shape().end() - 2);
  s.insert(s.end(), tail);
  return s;
}

template <typename F>
void dispatch(DType dt, F&& f) {
  if (dt == DType::F32) f(float{});
  else f(double{});
}

// Runs fn(b) for every batch element on the thread pool; `work` (about the flops of one element)
// sets the grain so that tiny matrices are not scattered one per task.
template <typename F>
void for_batches(int64_t nb, int64_t work, F&& fn) {
  int64_t grain = std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(1, work));
  parallel_for(0, nb, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; b++) fn(b);
  });
}

std::string batch_note(int64_t b, int64_t nb) {
  return nb > 1 ? " (batch element " + std::to_string(b) + ")" : "";
}

// Expands A [..., n, n] and B [..., n, k] to one broadcast batch shape (differentiable).
void broadcast_batch(Tensor& A, Tensor& B, const char* op) {
  Shape ba(A.shape().begin(), A.shape().end() - 2), bb(B.shape().begin(), B.shape().end() - 2);
  if (ba == bb) return;
  Shape batch = broadcast_shapes(ba, bb, op);
  Shape ea = batch, eb = batch;
  ea.push_back(A.size(-2)); ea.push_back(A.size(-1));
  eb.push_back(B.size(-2)); eb.push_back(B.size(-1));
  A = expand(A, ea);
  B = expand(B, eb);
}

// ---------------------------------------------------------------- solve
// X = A⁻¹ B, A and B with equal batch dims. `op` names the public function in errors.
Tensor solve_prim(const Tensor& A, const Tensor& B, const char* op) {
  int64_t n = A.size(-1), k = B.size(-1);
  Tensor a = work_copy(A), x = work_copy(B);
  int64_t nb = batch_count(a);
  dispatch(a.dtype(), [&](auto z) {
    using T = decltype(z);
    T* pa = a.data<T>();
    T* px = x.data<T>();
    for_batches(nb, n * n * (n + k), [&](int64_t b) {
      int64_t info = la::solve(pa + b * n * n, n, px + b * n * k, k);
      if (info)
        fail(ErrorKind::Error, ErrorCode::Argument, std::string(op) + ": the input matrix is singular: U[" + std::to_string(info - 1) + "," +
             std::to_string(info - 1) + "] of its LU factorization is zero" + batch_note(b, nb) + "; A has shape " +
             shape_str(A.shape()));
    });
  });
  if (any_requires_grad({A, B})) {
    std::string name = op;
    record("linalg_solve", {A, B}, {x}, [name](Node& nd, const std::vector<Tensor>& g) {
      Tensor A = nd.get_saved(0), X = nd.get_saved(1);
      // A X = B:  gB = A⁻ᵀ g,  gA = −gB Xᵀ.
      Tensor gB = solve_prim(mT(A), g[0], name.c_str());
      Tensor gA = nd.next[0].node ? neg(matmul(gB, mT(X))) : Tensor();
      return std::vector<Tensor>{gA, nd.next[1].node ? gB : Tensor()};
    }, {0}, {0});
  }
  return x;
}

// ---------------------------------------------------------------- triangular solve (left side)
Tensor solve_tri_prim(const Tensor& A, const Tensor& B, bool upper, bool unit) {
  int64_t n = A.size(-1), k = B.size(-1);
  Tensor a = contiguous(detach(A)), x = work_copy(B);
  int64_t nb = batch_count(x);
  dispatch(a.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* pa = a.data<T>();
    T* px = x.data<T>();
    for_batches(nb, n * n * k, [&](int64_t b) { la::trsm(pa + b * n * n, n, upper, false, unit, px + b * n * k, k); });
  });
  if (any_requires_grad({A, B})) {
    record("linalg_solve_triangular", {A, B}, {x}, [upper, unit](Node& nd, const std::vector<Tensor>& g) {
      Tensor A = nd.get_saved(0), X = nd.get_saved(1);
      Tensor gB = solve_tri_prim(mT(A), g[0], !upper, unit);
      Tensor gA;
      if (nd.next[0].node) {
        gA = neg(matmul(gB, mT(X)));
        gA = upper ? triu(gA, unit ? 1 : 0) : tril(gA, unit ? -1 : 0);
      }
      return std::vector<Tensor>{gA, nd.next[1].node ? gB : Tensor()};
    }, {0}, {0});
  }
  return x;
}

}  // namespace

Tensor linalg_solve(const Tensor& A_in, const Tensor& B_in, bool left) {
  const char* op = "linalg.solve";
  check_square(A_in, op);
  check_matrix(B_in, op, "B");
  if (A_in.dtype() != B_in.dtype())
    fail_type(std::string(op) + ": A and B must have the same dtype, got " + dtype_name(A_in.dtype()) + " and " +
              dtype_name(B_in.dtype()));
  Tensor A = A_in, B = B_in;
  if (!left) {
    A = mT(A);
    B = mT(B);
  }
  if (B.size(-2) != A.size(-1))
    fail(std::string(op) + ": incompatible shapes of A " + shape_str(A_in.shape()) + " and B " +
         shape_str(B_in.shape()) + (left ? " (A X = B needs B.shape[-2] == n)" : " (X A = B needs B.shape[-1] == n)"));
  broadcast_batch(A, B, op);
  Tensor X = solve_prim(A, B, op);
  return left ? X : mT(X);
}

Tensor linalg_solve_triangular(const Tensor& A_in, const Tensor& B_in, bool upper, bool left, bool unit) {
  const char* op = "linalg.solveTriangular";
  check_square(A_in, op);
  check_matrix(B_in, op, "B");
  if (A_in.dtype() != B_in.dtype())
    fail_type(std::string(op) + ": A and B must have the same dtype, got " + dtype_name(A_in.dtype()) + " and " +
              dtype_name(B_in.dtype()));
  Tensor A = A_in, B = B_in;
  // X A = B  ⇔  Aᵀ Xᵀ = Bᵀ, and the transpose of an upper triangle is a lower one.
  if (!left) {
    A = mT(A);
    B = mT(B);
    upper = !upper;
  }
  if (B.size(-2) != A.size(-1))
    fail(std::string(op) + ": incompatible shapes of A " + shape_str(A_in.shape()) + " and B " +
         shape_str(B_in.shape()));
  broadcast_batch(A, B, op);
  Tensor X = solve_tri_prim(A, B, upper, unit);
  return left ? X : mT(X);
}

Tensor linalg_inv(const Tensor& A) {
  check_square(A, "linalg.inv");
  int64_t n = A.size(-1);
  Tensor I = expand(eye(n, n, A.dtype()), A.shape());
  return solve_prim(A, I, "linalg.inv");
}

// ---------------------------------------------------------------- det / slogdet
namespace {

// Per batch element: sign of det and log|det| (−inf when singular), from one LU factorization.
void lu_logdet(const Tensor& A, Tensor& sign, Tensor& logabs) {
  int64_t n = A.size(-1);
  Tensor a = work_copy(A);
  int64_t nb = batch_count(a);
  Shape bs(A.shape().begin(), A.shape().end() - 2);
  sign = empty(bs, A.dtype());
  logabs = empty(bs, A.dtype());
  dispatch(a.dtype(), [&](auto z) {
    using T = decltype(z);
    T* pa = a.data<T>();
    for_batches(nb, n * n * n, [&](int64_t b) {
      std::vector<int32_t> piv(static_cast<size_t>(std::max<int64_t>(n, 1)));
      T* m = pa + b * n * n;
      la::lu_factor(m, n, piv.data());
      double s = 1, l = 0;
      for (int64_t i = 0; i < n; i++) {
        if (piv[i] != i) s = -s;
        double d = double(m[i * n + i]);
        if (d < 0) s = -s;
        l += std::log(std::fabs(d));  // −inf for a zero pivot
      }
      if (std::isinf(l) && l < 0) s = 0;
      sign.data<T>()[b] = T(s);
      logabs.data<T>()[b] = T(l);
    });
  });
}

Tensor unsq2(const Tensor& x) { return unsqueeze(unsqueeze(x, -1), -1); }

bool has_zero(const Tensor& t) {
  Tensor c = contiguous(detach(t));
  for (int64_t i = 0; i < c.numel(); i++)
    if (item_at(c, i) == 0) return true;
  return false;
}

// D_i = Π_{j≠i} S_j, differentiable and exact when some S_j are zero.
Tensor prod_others(const Tensor& S) {
  int64_t n = S.size(-1);
  std::vector<Tensor> parts;
  for (int64_t i = 0; i < n; i++) {
    Tensor p = full(Shape(S.shape().begin(), S.shape().end() - 1), 1.0, S.dtype());
    for (int64_t j = 0; j < n; j++)
      if (j != i) p = mul(p, select(S, -1, j));
    parts.push_back(unsqueeze(p, -1));
  }
  return n ? concat(parts, -1) : S;
}

// A = U diag(S) Vh: d det / dA = det(U) det(Vh) · U diag(Π_{j≠i} S_j) Vh.
Tensor det_backward_singular(const Tensor& g, const Tensor& A) {
  std::vector<Tensor> usv = linalg_svd(A, false, true);
  Tensor su, lu, sv, lv;
  lu_logdet(usv[0], su, lu);
  lu_logdet(usv[2], sv, lv);
  Tensor scale_ = mul(g, mul(su, sv));
  Tensor D = mul(prod_others(usv[1]), unsqueeze(scale_, -1));
  return matmul(mul(usv[0], unsqueeze(D, -2)), usv[2]);
}

}  // namespace

Tensor linalg_det(const Tensor& A) {
  check_square(A, "linalg.det");
  Tensor sign, logabs;
  lu_logdet(A, sign, logabs);
  Tensor det = mul(sign, exp(logabs));
  if (any_requires_grad({A})) {
    record("linalg_det", {A}, {det}, [](Node& nd, const std::vector<Tensor>& g) {
      Tensor A = nd.get_saved(0), det = nd.get_saved(1);
      // d det / dA = det · A⁻ᵀ where A is invertible; the cofactor matrix through the SVD where
      // some A is exactly singular (PyTorch's two branches).
      if (!has_zero(det)) return std::vector<Tensor>{mul(unsq2(mul(g[0], det)), mT(linalg_inv(A)))};
      return std::vector<Tensor>{det_backward_singular(g[0], A)};
    }, {0}, {0});
  }
  return det;
}

std::vector<Tensor> linalg_slogdet(const Tensor& A) {
  check_square(A, "linalg.slogdet");
  Tensor sign, logabs;
  lu_logdet(A, sign, logabs);
  if (any_requires_grad({A})) {
    record("linalg_slogdet", {A}, {sign, logabs}, [](Node& nd, const std::vector<Tensor>& g) {
      Tensor A = nd.get_saved(0), sign = nd.get_saved(1);
      // d log|det A| / dA = A⁻ᵀ; the sign is piecewise constant. Where some A is singular, the
      // cofactor matrix over det = 0 gives infinities, as PyTorch's gradient does there.
      if (!has_zero(sign)) return std::vector<Tensor>{mul(unsq2(g[1]), mT(linalg_inv(A)))};
      Tensor logabs = nd.get_saved(2);
      return std::vector<Tensor>{div(det_backward_singular(g[1], A), unsq2(mul(sign, exp(logabs))))};
    }, {0}, {0, 1});
  }
  return {sign, logabs};
}

// ---------------------------------------------------------------- cholesky
Tensor linalg_cholesky(const Tensor& A, bool upper) {
  const char* op = "linalg.cholesky";
  check_square(A, op);
  int64_t n = A.size(-1);
  Tensor L = work_copy(A);
  int64_t nb = batch_count(L);
  dispatch(L.dtype(), [&](auto z) {
    using T = decltype(z);
    T* p = L.data<T>();
    for_batches(nb, n * n * n, [&](int64_t b) {
      int64_t info = la::cholesky(p + b * n * n, n);
      if (info)
        fail(ErrorKind::Error, ErrorCode::Argument,
             std::string(op) + ": the factorization could not be completed because the input is not "
             "positive-definite (the leading minor of order " + std::to_string(info) + " is not positive-definite)" +
             batch_note(b, nb) + "; A has shape " + shape_str(A.shape()));
    });
  });
  if (any_requires_grad({A})) {
    record("linalg_cholesky", {A}, {L}, [](Node& nd, const std::vector<Tensor>& g) {
      Tensor L = nd.get_saved(0);
      // Murray (2016): gA = L⁻ᵀ Φ(Lᵀ gL) L⁻¹ symmetrised, Φ taking the lower triangle.
      Tensor P = tril(matmul(mT(L), g[0]));
      P = scale(add(P, mT(tril(P, -1))), 0.5);
      Tensor gA = linalg_solve_triangular(mT(L), P, true, true, false);
      gA = linalg_solve_triangular(L, gA, false, false, false);
      return std::vector<Tensor>{gA};
    }, {}, {0});
  }
  return upper ? mT(L) : L;
}

// ---------------------------------------------------------------- qr
namespace {

// A = QR with Q m×n (m ≥ n), R n×n. TensorFlow's QrGrad, which equals PyTorch's formula.
Tensor qr_backward_tall(const Tensor& gQ, const Tensor& gR, const Tensor& Q, const Tensor& R) {
  Tensor qdq = matmul(mT(Q), gQ);
  Tensor rdr = matmul(R, mT(gR));
  Tensor M = tril(add(sub(qdq, mT(qdq)), sub(rdr, mT(rdr))));
  // x R⁻ᵀ: solve X Rᵀ = x, Rᵀ lower triangular.
  auto rinvT = [&](const Tensor& x) { return linalg_solve_triangular(mT(R), x, false, false, false); };
  Tensor ga = matmul(Q, add(gR, rinvT(M)));
  Tensor gb = rinvT(sub(gQ, matmul(Q, qdq)));
  return add(ga, gb);
}

}  // namespace

std::vector<Tensor> linalg_qr(const Tensor& A, const std::string& mode) {
  const char* op = "linalg.qr";
  check_matrix(A, op, "A");
  bool want_q = mode != "r", complete = mode == "complete";
  if (mode != "reduced" && mode != "complete" && mode != "r")
    fail(ErrorKind::Range, ErrorCode::Argument, std::string(op) + ": mode must be 'reduced', 'complete' or 'r', got '" + mode + "'");
  int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  int64_t qc = complete ? m : k;
  Tensor a = contiguous(detach(A));
  int64_t nb = batch_count(a);
  Tensor Q = want_q ? empty(with_tail(A, {m, qc}), A.dtype()) : empty({0}, A.dtype());
  Tensor R = empty(with_tail(A, {want_q ? qc : k, n}), A.dtype());
  int64_t rr = want_q ? qc : k;
  dispatch(a.dtype(), [&](auto z) {
    using T = decltype(z);
    for_batches(nb, m * n * std::max(k, int64_t(1)), [&](int64_t b) {
      la::qr(a.data<T>() + b * m * n, m, n, want_q ? Q.data<T>() + b * m * qc : nullptr, qc, R.data<T>() + b * rr * n);
    });
  });
  if (any_requires_grad({A})) {
    record("linalg_qr", {A}, {Q, R}, [mode, m, n](Node& nd, const std::vector<Tensor>& g) {
      if (mode == "r")
        fail(ErrorKind::Error, ErrorCode::Argument, "linalg.qr: the derivative of linalg.qr depends on Q, which is not computed when mode='r'; use "
             "mode='reduced' to differentiate through linalg.qr");
      if (mode == "complete" && m > n)
        fail(ErrorKind::Error, ErrorCode::Argument, "linalg.qr: the QR decomposition is not differentiable when mode='complete' and nrows > ncols");
      Tensor Q = nd.get_saved(0), R = nd.get_saved(1);
      Tensor gQ = g[0], gR = g[1];
      if (m >= n) return std::vector<Tensor>{qr_backward_tall(gQ, gR, Q, R)};
      // Wide: A = [X | Y], R = [U | V], X = QU, Y = QV. Y's gradient passes to Q through V.
      Tensor U = narrow(R, -1, 0, m), V = narrow(R, -1, m, n - m);
      Tensor gU = narrow(gR, -1, 0, m), gV = narrow(gR, -1, m, n - m);
      Tensor Y = matmul(Q, V);
      Tensor gX = qr_backward_tall(add(gQ, matmul(Y, mT(gV))), gU, Q, U);
      Tensor gY = matmul(Q, gV);
      return std::vector<Tensor>{concat({gX, gY}, -1)};
    }, {}, {0, 1});
  }
  return {Q, R};
}

// ---------------------------------------------------------------- svd
std::vector<Tensor> linalg_svd(const Tensor& A, bool full, bool compute_uv) {
  const char* op = compute_uv ? "linalg.svd" : "linalg.svdvals";
  check_matrix(A, op, "A");
  bool grad = any_requires_grad({A});
  bool vecs = compute_uv || grad;
  int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  int64_t uc = full ? m : k, vr = full ? n : k;
  Tensor a = contiguous(detach(A));
  int64_t nb = batch_count(a);
  Tensor U = vecs ? empty(with_tail(A, {m, uc}), A.dtype()) : empty({0}, A.dtype());
  Tensor Vh = vecs ? empty(with_tail(A, {vr, n}), A.dtype()) : empty({0}, A.dtype());
  Shape ss(A.shape().begin(), A.shape().end() - 2);
  ss.push_back(k);
  Tensor S = empty(ss, A.dtype());
  dispatch(a.dtype(), [&](auto z) {
    using T = decltype(z);
    for_batches(nb, 8 * m * n * std::max(k, int64_t(1)), [&](int64_t b) {
      la::svd(a.data<T>() + b * m * n, m, n, vecs ? U.data<T>() + b * m * uc : nullptr, S.data<T>() + b * k,
              vecs ? Vh.data<T>() + b * vr * n : nullptr, full);
    });
  });
  if (grad) {
    record("linalg_svd", {A}, {U, S, Vh}, [m, n, k, full](Node& nd, const std::vector<Tensor>& g) {
      Tensor U = nd.get_saved(0), S = nd.get_saved(1), Vh = nd.get_saved(2);
      Tensor gU = g[0], gS = g[1], gVh = g[2];
      // Full matrices: only the first k columns of U (rows of Vh) are determined by A.
      if (full) {
        U = narrow(U, -1, 0, k);
        Vh = narrow(Vh, -2, 0, k);
        gU = narrow(gU, -1, 0, k);
        gVh = narrow(gVh, -2, 0, k);
      }
      bool hasU = !zero_grad(gU), hasV = !zero_grad(gVh), hasS = !zero_grad(gS);
      if (!hasU && !hasV) {
        if (!hasS) return std::vector<Tensor>{Tensor()};
        return std::vector<Tensor>{matmul(mul(U, unsqueeze(gS, -2)), Vh)};
      }
      Tensor V = mT(Vh), gV = hasV ? mT(gVh) : Tensor();
      auto skew = [](const Tensor& X) { return sub(X, mT(X)); };
      Tensor Srow = unsqueeze(S, -2), Scol = unsqueeze(S, -1);
      Tensor S2 = mul(S, S);
      // E_ij = S_j² − S_i², ones on the diagonal (where the skew terms vanish).
      Tensor E = add(sub(unsqueeze(S2, -2), unsqueeze(S2, -1)), eye(k, k, S.dtype()));
      Tensor gA;
      if (hasU && hasV) gA = div(add(mul(skew(matmul(mT(U), gU)), Srow), mul(Scol, skew(matmul(mT(V), gV)))), E);
      else if (hasU) gA = div(mul(skew(matmul(mT(U), gU)), Srow), E);
      else gA = div(mul(Scol, skew(matmul(mT(V), gV))), E);
      if (hasS) gA = add(gA, diag_embed(gS));
      if (m > n && hasU) {
        // gA = [U gA + (I − UUᵀ) gU S⁻¹] Vh
        gA = matmul(U, gA);
        Tensor gUSinv = div(gU, Srow);
        gA = add(gA, sub(gUSinv, matmul(U, matmul(mT(U), gUSinv))));
        gA = matmul(gA, Vh);
      } else if (m < n && hasV) {
        // gA = U [gA Vh + S⁻¹ gVᵀ (I − V Vh)]
        gA = matmul(gA, Vh);
        Tensor SinvgVh = div(mT(gV), Scol);
        gA = add(gA, sub(SinvgVh, matmul(matmul(SinvgVh, V), Vh)));
        gA = matmul(U, gA);
      } else {
        gA = matmul(matmul(U, gA), Vh);
      }
      return std::vector<Tensor>{gA};
    }, {}, {0, 1, 2});
  }
  return {U, S, Vh};
}

// ---------------------------------------------------------------- eigh
std::vector<Tensor> linalg_eigh(const Tensor& A, bool lower, bool compute_v) {
  const char* op = compute_v ? "linalg.eigh" : "linalg.eigvalsh";
  check_square(A, op);
  bool grad = any_requires_grad({A});
  bool vecs = compute_v || grad;
  int64_t n = A.size(-1);
  Tensor a = contiguous(detach(A));
  int64_t nb = batch_count(a);
  Tensor V = vecs ? empty(A.shape(), A.dtype()) : empty({0}, A.dtype());
  Shape ws(A.shape().begin(), A.shape().end() - 1);
  Tensor W = empty(ws, A.dtype());
  dispatch(a.dtype(), [&](auto z) {
    using T = decltype(z);
    for_batches(nb, 8 * n * n * n, [&](int64_t b) {
      la::eigh(a.data<T>() + b * n * n, n, lower, W.data<T>() + b * n, vecs ? V.data<T>() + b * n * n : nullptr);
    });
  });
  if (grad) {
    record("linalg_eigh", {A}, {W, V}, [n](Node& nd, const std::vector<Tensor>& g) {
      Tensor W = nd.get_saved(0), V = nd.get_saved(1);
      bool hasW = !zero_grad(g[0]), hasV = !zero_grad(g[1]);
      if (!hasW && !hasV) return std::vector<Tensor>{Tensor()};
      // gA = V (diag(gL) + skew(Vᵀ gV) / E) Vᵀ with E_ij = λ_j − λ_i (ones on the diagonal).
      Tensor inner;
      if (hasV) {
        Tensor K = matmul(mT(V), g[1]);
        K = scale(sub(K, mT(K)), 0.5);
        Tensor E = add(sub(unsqueeze(W, -2), unsqueeze(W, -1)), eye(n, n, W.dtype()));
        inner = div(K, E);
      }
      if (hasW) inner = inner.defined() ? add(inner, diag_embed(g[0])) : diag_embed(g[0]);
      return std::vector<Tensor>{matmul(V, matmul(inner, mT(V)))};
    }, {}, {0, 1});
  }
  return {W, V};
}

// ---------------------------------------------------------------- pinv
Tensor linalg_pinv(const Tensor& A, double atol, double rtol, bool hermitian) {
  const char* op = "linalg.pinv";
  check_matrix(A, op, "A");
  if (hermitian) check_square(A, op);
  int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  double eps = A.dtype() == DType::F32 ? double(std::numeric_limits<float>::epsilon())
                                       : std::numeric_limits<double>::epsilon();
  if (rtol < 0) rtol = atol > 0 ? 0.0 : eps * double(std::max(m, n));
  if (atol < 0) atol = 0;
  Tensor a = contiguous(detach(A));
  int64_t nb = batch_count(a);
  Tensor P = empty(with_tail(A, {n, m}), A.dtype());
  dispatch(a.dtype(), [&](auto z) {
    using T = decltype(z);
    for_batches(nb, 8 * m * n * std::max(k, int64_t(1)), [&](int64_t b) {
      std::vector<T> u(static_cast<size_t>(hermitian ? n * n : m * k)), s(static_cast<size_t>(k)),
          vt(static_cast<size_t>(hermitian ? 0 : k * n));
      const T* pa = a.data<T>() + b * m * n;
      T* out = P.data<T>() + b * n * m;
      if (hermitian) {
        // A = V diag(λ) Vᵀ: pinv = V diag(1/λ) Vᵀ over |λ| above the cutoff.
        la::eigh(pa, n, true, s.data(), u.data());
        double big = 0;
        for (int64_t i = 0; i < n; i++) big = std::max(big, std::fabs(double(s[i])));
        double cut = std::max(atol, rtol * big);
        for (int64_t i = 0; i < n; i++)
          for (int64_t j = 0; j < n; j++) {
            double acc = 0;
            for (int64_t p = 0; p < n; p++)
              if (std::fabs(double(s[p])) > cut) acc += double(u[i * n + p]) * double(u[j * n + p]) / double(s[p]);
            out[i * n + j] = T(acc);
          }
        return;
      }
      la::svd(pa, m, n, u.data(), s.data(), vt.data(), false);
      double cut = std::max(atol, rtol * (k ? double(s[0]) : 0.0));
      // pinv = V diag(1/S) Uᵀ, n×m.
      for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < m; j++) {
          double acc = 0;
          for (int64_t p = 0; p < k; p++)
            if (double(s[p]) > cut) acc += double(vt[p * n + i]) * double(u[j * k + p]) / double(s[p]);
          out[i * m + j] = T(acc);
        }
    });
  });
  if (any_requires_grad({A})) {
    record("linalg_pinv", {A}, {P}, [m, n](Node& nd, const std::vector<Tensor>& g) {
      Tensor A = nd.get_saved(0), pinvA = nd.get_saved(1), gr = g[0];
      // PyTorch's pinv_backward (real case), arranged so the products stay small.
      Tensor pinvAh = mT(pinvA), gradh = mT(gr);
      Tensor gA;
      if (m <= n) {
        Tensor K = matmul(gradh, pinvA);
        Tensor KpinvAh = matmul(K, pinvAh);
        gA = add(sub(neg(mT(matmul(pinvA, K))), matmul(matmul(A, pinvA), KpinvAh)),
                 add(KpinvAh, matmul(matmul(pinvAh, pinvA), sub(gradh, matmul(K, A)))));
      } else {
        Tensor K = matmul(pinvA, gradh);
        Tensor pinvAhK = matmul(pinvAh, K);
        gA = add(sub(neg(mT(matmul(K, pinvA))), matmul(matmul(pinvAhK, pinvA), A)),
                 add(matmul(matmul(sub(gradh, matmul(A, K)), pinvA), pinvAh), pinvAhK));
      }
      return std::vector<Tensor>{gA};
    }, {0}, {0});
  }
  return P;
}

}  // namespace tf
