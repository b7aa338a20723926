// Factorizations of one matrix: LAPACK routing and the engine's own routines (see linalg_kernels.h).
#include "linalg_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "blas_threads.h"
#include "parallel.h"
#include "tensor.h"

#ifdef TF_HAVE_BLAS
#include <cblas.h>
#endif

#ifdef TF_HAVE_LAPACK
// LAPACK's Fortran entry points, declared here rather than through lapacke.h: OpenBLAS exports
// them from libopenblas itself, while LAPACKE needs another package (liblapacke-dev) that most
// machines with libopenblas-dev lack. LP64 integers (Debian's libopenblas0; the ILP64 build is a
// different library, libopenblas64). Character arguments carry gfortran's hidden length arguments.
extern "C" {
void sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void sgesv_(const int* n, const int* nrhs, float* a, const int* lda, int* ipiv, float* b, const int* ldb, int* info);
void dgesv_(const int* n, const int* nrhs, double* a, const int* lda, int* ipiv, double* b, const int* ldb, int* info);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info, size_t);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, size_t);
void sgeqrf_(const int* m, const int* n, float* a, const int* lda, float* tau, float* work, const int* lwork, int* info);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork, int* info);
void sorgqr_(const int* m, const int* n, const int* k, float* a, const int* lda, const float* tau, float* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau, double* work,
             const int* lwork, int* info);
void sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u, const int* ldu,
             float* vt, const int* ldvt, float* work, const int* lwork, int* iwork, int* info, size_t);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
             const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info, size_t);
void ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w, float* work,
             const int* lwork, int* iwork, const int* liwork, int* info, size_t, size_t);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work,
             const int* lwork, int* iwork, const int* liwork, int* info, size_t, size_t);
}
#endif

namespace tf {
namespace la {

#ifdef TF_HAVE_LAPACK
// LAPACK's factorizations use OpenBLAS's threads (1.4-1.5x faster on 2 cores at n = 2048 than
// one thread: solve 112 vs 159 ms, Cholesky 36 vs 54, QR 431 vs 647 ms, float64, AMD EPYC);
// the engine's GEMMs keep OpenBLAS single-threaded otherwise (blas_threads.h).
struct LapackThreads {
  BlasThreadScope threads{num_threads()};
};
#endif

const char* lapack_backend() {
#ifdef TF_HAVE_LAPACK
  return "openblas";
#else
  return "own";
#endif
}

// ---------------------------------------------------------------- the engine's own routines
// All in double, row-major.
namespace own {

[[maybe_unused]] static int64_t lu_factor(double* a, int64_t n, int32_t* piv) {
  int64_t info = 0;
  for (int64_t j = 0; j < n; j++) {
    int64_t p = j;
    double best = std::fabs(a[j * n + j]);
    for (int64_t i = j + 1; i < n; i++)
      if (std::fabs(a[i * n + j]) > best) best = std::fabs(a[i * n + j]), p = i;
    piv[j] = int32_t(p);
    if (p != j) std::swap_ranges(a + j * n, a + j * n + n, a + p * n);
    double d = a[j * n + j];
    if (d == 0) {
      if (!info) info = j + 1;
      continue;
    }
    for (int64_t i = j + 1; i < n; i++) {
      double l = a[i * n + j] /= d;
      if (l == 0) continue;
      double* ri = a + i * n;
      const double* rj = a + j * n;
      for (int64_t c = j + 1; c < n; c++) ri[c] -= l * rj[c];
    }
  }
  return info;
}

[[maybe_unused]] static void lu_solve(const double* lu, const int32_t* piv, int64_t n, double* b, int64_t k) {
  for (int64_t i = 0; i < n; i++)
    if (piv[i] != i) std::swap_ranges(b + i * k, b + i * k + k, b + piv[i] * k);
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < i; j++) {
      double l = lu[i * n + j];
      if (l != 0)
        for (int64_t c = 0; c < k; c++) b[i * k + c] -= l * b[j * k + c];
    }
  for (int64_t i = n - 1; i >= 0; i--) {
    for (int64_t j = i + 1; j < n; j++) {
      double u = lu[i * n + j];
      if (u != 0)
        for (int64_t c = 0; c < k; c++) b[i * k + c] -= u * b[j * k + c];
    }
    double d = lu[i * n + i];
    for (int64_t c = 0; c < k; c++) b[i * k + c] /= d;
  }
}

[[maybe_unused]] static int64_t cholesky(double* a, int64_t n) {
  for (int64_t j = 0; j < n; j++) {
    double d = a[j * n + j];
    for (int64_t p = 0; p < j; p++) d -= a[j * n + p] * a[j * n + p];
    if (!(d > 0)) return j + 1;  // also catches NaN
    d = std::sqrt(d);
    a[j * n + j] = d;
    for (int64_t i = j + 1; i < n; i++) {
      double s = a[i * n + j];
      for (int64_t p = 0; p < j; p++) s -= a[i * n + p] * a[j * n + p];
      a[i * n + j] = s / d;
    }
  }
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = i + 1; j < n; j++) a[i * n + j] = 0;
  return 0;
}

template <typename T>
static void trsm(const T* a, int64_t n, bool upper, bool trans, bool unit, T* b, int64_t k) {
  // op(A) is lower when (lower and not trans) or (upper and trans): forward substitution.
  auto at = [&](int64_t i, int64_t j) { return trans ? a[j * n + i] : a[i * n + j]; };
  bool lower_op = upper == trans;
  std::vector<double> acc(static_cast<size_t>(std::max<int64_t>(k, 1)));
  for (int64_t s = 0; s < n; s++) {
    int64_t i = lower_op ? s : n - 1 - s;
    for (int64_t c = 0; c < k; c++) acc[c] = b[i * k + c];
    int64_t j0 = lower_op ? 0 : i + 1, j1 = lower_op ? i : n;
    for (int64_t j = j0; j < j1; j++) {
      double l = at(i, j);
      if (l != 0)
        for (int64_t c = 0; c < k; c++) acc[c] -= l * double(b[j * k + c]);
    }
    double d = unit ? 1.0 : double(at(i, i));
    for (int64_t c = 0; c < k; c++) b[i * k + c] = T(acc[c] / d);
  }
}

// Householder QR. Works on the transpose (At, n×m) so that each column of A is a contiguous row.
[[maybe_unused]] static void qr(const double* a, int64_t m, int64_t n, double* q, int64_t qc, double* r, int64_t rr) {
  int64_t k = std::min(m, n);
  std::vector<double> at(static_cast<size_t>(n * m)), tau(static_cast<size_t>(k));
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) at[j * m + i] = a[i * n + j];
  for (int64_t j = 0; j < k; j++) {
    double* x = at.data() + j * m + j;  // column j from row j down, length m - j
    int64_t len = m - j;
    double norm = 0;
    for (int64_t i = 0; i < len; i++) norm += x[i] * x[i];
    norm = std::sqrt(norm);
    if (norm == 0) {
      tau[j] = 0;
      continue;
    }
    double alpha = x[0], beta = alpha >= 0 ? -norm : norm;
    double v0 = alpha - beta;
    for (int64_t i = 1; i < len; i++) x[i] /= v0;  // v = [1, x[1:]]
    tau[j] = (beta - alpha) / beta;
    x[0] = beta;
    for (int64_t c = j + 1; c < n; c++) {
      double* y = at.data() + c * m + j;
      double w = y[0];
      for (int64_t i = 1; i < len; i++) w += x[i] * y[i];
      w *= tau[j];
      y[0] -= w;
      for (int64_t i = 1; i < len; i++) y[i] -= w * x[i];
    }
  }
  for (int64_t i = 0; i < rr; i++)
    for (int64_t j = 0; j < n; j++) r[i * n + j] = j >= i && i < k ? at[j * m + i] : 0.0;
  if (!q) return;
  // Q = H_0 ⋯ H_{k-1} applied to the first qc columns of I, built as Qt (qc×m) rows.
  std::vector<double> qt(static_cast<size_t>(qc * m), 0.0);
  for (int64_t c = 0; c < qc; c++) qt[c * m + c] = 1;
  for (int64_t j = k - 1; j >= 0; j--) {
    if (tau[j] == 0) continue;
    const double* v = at.data() + j * m + j;
    int64_t len = m - j;
    for (int64_t c = 0; c < qc; c++) {
      double* y = qt.data() + c * m + j;
      double w = y[0];
      for (int64_t i = 1; i < len; i++) w += v[i] * y[i];
      w *= tau[j];
      y[0] -= w;
      for (int64_t i = 1; i < len; i++) y[i] -= w * v[i];
    }
  }
  for (int64_t i = 0; i < m; i++)
    for (int64_t c = 0; c < qc; c++) q[i * qc + c] = qt[c * m + i];
}

// Fills rows [have, want) of `rows` (each of length m, the first `have` orthonormal) with an
// orthonormal basis of the rest: the trailing columns of the complete Q of a QR of those rows.
[[maybe_unused]] static void complete_basis(double* rows, int64_t m, int64_t have, int64_t want) {
  if (want <= have) return;
  std::vector<double> a(static_cast<size_t>(m * have)), q(static_cast<size_t>(m * m)), r(static_cast<size_t>(m * have));
  for (int64_t c = 0; c < have; c++)
    for (int64_t i = 0; i < m; i++) a[i * have + c] = rows[c * m + i];
  qr(a.data(), m, have, q.data(), m, r.data(), m);
  for (int64_t c = have; c < want; c++)
    for (int64_t i = 0; i < m; i++) rows[c * m + i] = q[i * m + c];
}

// One-sided Jacobi (Hestenes) SVD for m ≥ n: rotates pairs of columns of A until all are
// orthogonal; the column norms are then the singular values. High relative accuracy.
// ut: rows are the left vectors (uc of them), vt: rows are the right vectors (n×n).
[[maybe_unused]] static void svd_tall(const double* a, int64_t m, int64_t n, double* ut, int64_t uc, double* s, double* vt) {
  std::vector<double> w(static_cast<size_t>(n * m)), v(static_cast<size_t>(n * n), 0.0);  // w: columns of A as rows
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) w[j * m + i] = a[i * n + j];
  for (int64_t j = 0; j < n; j++) v[j * n + j] = 1;
  const double eps = std::numeric_limits<double>::epsilon();
  std::vector<double> sq(static_cast<size_t>(n));  // squared column norms, updated by each rotation
  for (int sweep = 0; sweep < 60; sweep++) {
    bool rotated = false;
    for (int64_t j = 0; j < n; j++) {
      const double* wj = w.data() + j * m;
      double x = 0;
      for (int64_t i = 0; i < m; i++) x += wj[i] * wj[i];
      sq[j] = x;
    }
    for (int64_t p = 0; p < n - 1; p++)
      for (int64_t q = p + 1; q < n; q++) {
        double* wp = w.data() + p * m;
        double* wq = w.data() + q * m;
        double alpha = sq[p], beta = sq[q], gamma = 0;
        for (int64_t i = 0; i < m; i++) gamma += wp[i] * wq[i];
        if (gamma == 0 || std::fabs(gamma) <= eps * std::sqrt(alpha * beta)) continue;
        rotated = true;
        double zeta = (beta - alpha) / (2 * gamma);
        double t = (zeta >= 0 ? 1.0 : -1.0) / (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
        double c = 1 / std::sqrt(1 + t * t), sn = c * t;
        // The rotated columns' norms follow from the 2×2 problem (as the eigenvalues in eigh).
        sq[p] = std::max(0.0, alpha - t * gamma);
        sq[q] = std::max(0.0, beta + t * gamma);
        for (int64_t i = 0; i < m; i++) {
          double x = wp[i], y = wq[i];
          wp[i] = c * x - sn * y;
          wq[i] = sn * x + c * y;
        }
        double* vp = v.data() + p * n;
        double* vq = v.data() + q * n;
        for (int64_t i = 0; i < n; i++) {
          double x = vp[i], y = vq[i];
          vp[i] = c * x - sn * y;
          vq[i] = sn * x + c * y;
        }
      }
    if (!rotated) break;
  }
  std::vector<double> norms(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; j++) {
    double x = 0;
    for (int64_t i = 0; i < m; i++) x += w[j * m + i] * w[j * m + i];
    norms[j] = std::sqrt(x);
  }
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return norms[x] > norms[y]; });
  double smax = n ? norms[order[0]] : 0;
  int64_t good = 0;
  for (int64_t r = 0; r < n; r++) {
    int64_t j = order[r];
    s[r] = norms[j];
    if (vt)
      for (int64_t i = 0; i < n; i++) vt[r * n + i] = v[j * n + i];
    // A column that rotated down to rounding noise has no direction of its own: completed below.
    if (ut && norms[j] > smax * eps * double(m) && norms[j] > 0 && good == r) {
      for (int64_t i = 0; i < m; i++) ut[r * m + i] = w[j * m + i] / norms[j];
      good++;
    }
  }
  if (ut) complete_basis(ut, m, good, uc);
}

[[maybe_unused]] static void svd(const double* a, int64_t m, int64_t n, double* u, double* s, double* vt, bool full) {
  int64_t k = std::min(m, n);
  bool vecs = u != nullptr;
  if (n > 0 && m >= 2 * n) {
    // Tall: A = QR first. RᵀR = AᵀA, so the Jacobi sweeps on R's n×n columns converge as they would
    // on A's, at n instead of m per column; the QR costs about one sweep.
    std::vector<double> q(vecs ? static_cast<size_t>(m * n) : 0), r(static_cast<size_t>(n * n));
    qr(a, m, n, vecs ? q.data() : nullptr, n, r.data(), n);
    std::vector<double> ur(vecs ? static_cast<size_t>(n * n) : 0);
    svd(r.data(), n, n, vecs ? ur.data() : nullptr, s, vt, false);
    if (!vecs) return;
    int64_t uc = full ? m : n;
    std::vector<double> ut(static_cast<size_t>(uc * m));  // rows: left singular vectors, U = Q Ur
    for (int64_t c = 0; c < n; c++)
      for (int64_t i = 0; i < m; i++) {
        double acc = 0;
        for (int64_t p = 0; p < n; p++) acc += q[i * n + p] * ur[p * n + c];
        ut[c * m + i] = acc;
      }
    complete_basis(ut.data(), m, n, uc);
    for (int64_t i = 0; i < m; i++)
      for (int64_t c = 0; c < uc; c++) u[i * uc + c] = ut[c * m + i];
    return;
  }
  if (m >= n) {
    int64_t uc = full ? m : k;
    std::vector<double> ut(vecs ? size_t(uc * m) : 0), v(static_cast<size_t>(n * n));
    svd_tall(a, m, n, vecs ? ut.data() : nullptr, uc, s, v.data());
    if (!vecs) return;
    for (int64_t i = 0; i < m; i++)
      for (int64_t c = 0; c < uc; c++) u[i * uc + c] = ut[c * m + i];
    std::copy(v.begin(), v.end(), vt);  // rows of vt are the right vectors
    return;
  }
  // Wide: A = U S Vt  ⇔  Aᵀ = V S Uᵀ, a tall problem.
  std::vector<double> at(static_cast<size_t>(n * m));
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) at[j * m + i] = a[i * n + j];
  int64_t vc = full ? n : k;
  std::vector<double> up(vecs ? static_cast<size_t>(n * vc) : 0), vtp(vecs ? static_cast<size_t>(m * m) : 0);
  svd(at.data(), n, m, vecs ? up.data() : nullptr, s, vecs ? vtp.data() : nullptr, full);
  if (!vecs) return;
  for (int64_t i = 0; i < m; i++)
    for (int64_t c = 0; c < m; c++) u[i * m + c] = vtp[c * m + i];
  for (int64_t r = 0; r < vc; r++)
    for (int64_t j = 0; j < n; j++) vt[r * n + j] = up[j * vc + r];
}

// Cyclic Jacobi for a symmetric matrix: each rotation zeroes one off-diagonal pair. Rows p and q
// are updated contiguously and mirrored into the columns (the matrix stays symmetric), and the
// eigenvectors are kept as rows, so the inner loops stream through memory.
[[maybe_unused]] static void eigh_jacobi(const double* a_in, int64_t n, bool lower, double* w, double* vout) {
  std::vector<double> a(static_cast<size_t>(n * n)), vt(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) {
      bool mine = lower ? i >= j : i <= j;
      a[i * n + j] = mine ? a_in[i * n + j] : a_in[j * n + i];
    }
  for (int64_t i = 0; i < n; i++) vt[i * n + i] = 1;
  const double eps = std::numeric_limits<double>::epsilon();
  for (int sweep = 0; sweep < 100; sweep++) {
    double off = 0, diag = 0;
    for (int64_t i = 0; i < n; i++) {
      diag += a[i * n + i] * a[i * n + i];
      for (int64_t j = i + 1; j < n; j++) off += 2 * a[i * n + j] * a[i * n + j];
    }
    if (off == 0 || off <= eps * eps * 1e-2 * diag) break;
    for (int64_t p = 0; p < n - 1; p++)
      for (int64_t q = p + 1; q < n; q++) {
        double* rp = a.data() + p * n;
        double* rq = a.data() + q * n;
        double apq = rp[q];
        if (apq == 0) continue;
        double app = rp[p], aqq = rq[q];
        if (std::fabs(apq) <= eps * 1e-3 * std::sqrt(std::fabs(app * aqq))) {
          rp[q] = rq[p] = 0;
          continue;
        }
        double theta = (aqq - app) / (2 * apq);
        double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), sn = t * c;
        for (int64_t k = 0; k < n; k++) {
          if (k == p || k == q) continue;
          double x = rp[k], y = rq[k];
          double nx = c * x - sn * y, ny = sn * x + c * y;
          rp[k] = nx;
          rq[k] = ny;
          a[k * n + p] = nx;
          a[k * n + q] = ny;
        }
        rp[p] = app - t * apq;
        rq[q] = aqq + t * apq;
        rp[q] = rq[p] = 0;
        double* vp = vt.data() + p * n;
        double* vq = vt.data() + q * n;
        for (int64_t k = 0; k < n; k++) {
          double x = vp[k], y = vq[k];
          vp[k] = c * x - sn * y;
          vq[k] = sn * x + c * y;
        }
      }
  }
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return a[x * n + x] < a[y * n + y]; });
  for (int64_t r = 0; r < n; r++) {
    w[r] = a[order[r] * n + order[r]];
    if (vout)
      for (int64_t i = 0; i < n; i++) vout[i * n + r] = vt[order[r] * n + i];
  }
}

// Householder reduction to tridiagonal form, then the implicit symmetric QR iteration with
// Wilkinson shifts (Golub & Van Loan, algorithms 8.3.1 and 8.3.3): O(n³) with a small constant,
// where Jacobi needs several sweeps of 3n³. Eigenvectors are accumulated as rows (zt = Zᵀ).
[[maybe_unused]] static void eigh_tridiagonal(const double* a_in, int64_t n, bool lower, double* w, double* vout) {
  std::vector<double> a(static_cast<size_t>(n * n)), zt(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) {
      bool mine = lower ? i >= j : i <= j;
      a[i * n + j] = mine ? a_in[i * n + j] : a_in[j * n + i];
    }
  // A = Q T Qᵀ with Q = H_0 ⋯ H_{n-3}; H_k = I − tau_k v_k v_kᵀ acts on indices k+1 … n−1.
  std::vector<double> vs(static_cast<size_t>(n * n), 0.0), taus(static_cast<size_t>(n), 0.0);
  std::vector<double> p(static_cast<size_t>(n)), wv(static_cast<size_t>(n));
  for (int64_t k = 0; k + 2 < n; k++) {
    int64_t m = n - k - 1;
    double* x = a.data() + k * n + k + 1;  // row k right of the diagonal = column k below it
    double norm = 0;
    for (int64_t i = 0; i < m; i++) norm += x[i] * x[i];
    norm = std::sqrt(norm);
    double tail = norm * norm - x[0] * x[0];
    if (norm == 0 || tail <= 0) continue;  // already tridiagonal in this column
    double alpha = x[0], beta = alpha >= 0 ? -norm : norm;
    double* v = vs.data() + k * n;  // v has m entries, v[0] = 1
    v[0] = 1;
    for (int64_t i = 1; i < m; i++) v[i] = x[i] / (alpha - beta);
    double tau = (beta - alpha) / beta;
    taus[k] = tau;
    // S ← H S H on the trailing block: p = tau S v, w = p − (tau/2)(pᵀv) v, S −= v wᵀ + w vᵀ.
    double* S = a.data() + (k + 1) * n + (k + 1);
    double pv = 0;
    for (int64_t i = 0; i < m; i++) {
      const double* row = S + i * n;
      double acc = 0;
      for (int64_t j = 0; j < m; j++) acc += row[j] * v[j];
      p[i] = tau * acc;
      pv += p[i] * v[i];
    }
    for (int64_t i = 0; i < m; i++) wv[i] = p[i] - 0.5 * tau * pv * v[i];
    for (int64_t i = 0; i < m; i++) {
      double* row = S + i * n;
      for (int64_t j = 0; j < m; j++) row[j] -= v[i] * wv[j] + wv[i] * v[j];
    }
    x[0] = beta;
    a[(k + 1) * n + k] = beta;
    for (int64_t i = 1; i < m; i++) x[i] = a[(k + 1 + i) * n + k] = 0;
  }
  std::vector<double> d(static_cast<size_t>(n)), e(static_cast<size_t>(std::max<int64_t>(n, 1)), 0.0);
  for (int64_t i = 0; i < n; i++) d[i] = a[i * n + i];
  for (int64_t i = 0; i + 1 < n; i++) e[i] = a[(i + 1) * n + i];
  // zt = Qᵀ: row c of zt is column c of Q, built as H_0 (H_1 (⋯ I)).
  for (int64_t i = 0; i < n; i++) zt[i * n + i] = 1;
  for (int64_t k = n - 3; k >= 0; k--) {
    if (taus[k] == 0) continue;
    const double* v = vs.data() + k * n;
    int64_t m = n - k - 1;
    for (int64_t c = 0; c < n; c++) {
      double* y = zt.data() + c * n + k + 1;
      double dot = 0;
      for (int64_t i = 0; i < m; i++) dot += v[i] * y[i];
      dot *= taus[k];
      for (int64_t i = 0; i < m; i++) y[i] -= dot * v[i];
    }
  }
  const double eps = std::numeric_limits<double>::epsilon();
  auto negligible = [&](int64_t i) { return std::fabs(e[i]) <= eps * (std::fabs(d[i]) + std::fabs(d[i + 1])); };
  int64_t h = n - 1, iters = 0;
  while (h > 0 && iters < 50 * n) {
    if (negligible(h - 1)) {
      e[h - 1] = 0;
      h--;
      continue;
    }
    int64_t l = h - 1;
    while (l > 0 && !negligible(l - 1)) l--;
    if (l > 0) e[l - 1] = 0;
    iters++;
    // Wilkinson shift from the trailing 2×2 block.
    double dd = (d[h - 1] - d[h]) / 2, b = e[h - 1];
    double mu = d[h] - b * b / (dd + (dd >= 0 ? 1.0 : -1.0) * std::hypot(dd, b));
    double x = d[l] - mu, z = e[l], bulge = 0;
    for (int64_t k = l; k < h; k++) {
      double c, s;
      if (k == l) {
        double r = std::hypot(x, z);
        c = r == 0 ? 1 : x / r;
        s = r == 0 ? 0 : z / r;
      } else {
        // Zero the bulge at (k+1, k−1) against e[k−1].
        double r = std::hypot(e[k - 1], bulge);
        c = r == 0 ? 1 : e[k - 1] / r;
        s = r == 0 ? 0 : bulge / r;
        e[k - 1] = r;
      }
      // T ← Jᵀ T J in the plane (k, k+1), J = [[c, −s], [s, c]].
      double a0 = d[k], b0 = e[k], c0 = d[k + 1];
      d[k] = c * c * a0 + 2 * c * s * b0 + s * s * c0;
      d[k + 1] = s * s * a0 - 2 * c * s * b0 + c * c * c0;
      e[k] = c * s * (c0 - a0) + (c * c - s * s) * b0;
      if (k + 1 < h) {
        bulge = s * e[k + 1];
        e[k + 1] *= c;
      }
      double* zk = zt.data() + k * n;
      double* zk1 = zt.data() + (k + 1) * n;
      for (int64_t i = 0; i < n; i++) {
        double u = zk[i], y = zk1[i];
        zk[i] = c * u + s * y;
        zk1[i] = -s * u + c * y;
      }
    }
  }
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return d[x] < d[y]; });
  for (int64_t r = 0; r < n; r++) {
    w[r] = d[order[r]];
    if (vout)
      for (int64_t i = 0; i < n; i++) vout[i * n + r] = zt[order[r] * n + i];
  }
}

// Jacobi is the more accurate for small matrices, where its extra sweeps cost nothing.
[[maybe_unused]] static void eigh(const double* a, int64_t n, bool lower, double* w, double* v) {
  if (n <= 24) eigh_jacobi(a, n, lower, w, v);
  else eigh_tridiagonal(a, n, lower, w, v);
}

}  // namespace own

// ---------------------------------------------------------------- helpers
template <typename T>
static std::vector<double> to_d(const T* x, int64_t n) {
  return std::vector<double>(x, x + n);
}
template <typename T>
static void from_d(const std::vector<double>& x, T* out) {
  for (size_t i = 0; i < x.size(); i++) out[i] = T(x[i]);
}

#ifdef TF_HAVE_LAPACK
// LAPACK is column-major: a row-major r×c matrix read column-major is its transpose.
template <typename T>
static std::vector<T> col_major(const T* a, int64_t r, int64_t c) {
  std::vector<T> out(static_cast<size_t>(r * c));
  for (int64_t i = 0; i < r; i++)
    for (int64_t j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}
template <typename T>
static void from_col_major(const T* cm, int64_t r, int64_t c, int64_t ld, T* out) {
  for (int64_t i = 0; i < r; i++)
    for (int64_t j = 0; j < c; j++) out[i * c + j] = cm[j * ld + i];
}
static int I(int64_t v) {
  if (v > int64_t(std::numeric_limits<int>::max()))
    fail(ErrorKind::Range, ErrorCode::Argument, "linalg: matrix too large for LAPACK (32-bit indices)");
  return int(v);
}
static void check_info(int info, const char* routine) {
  if (info < 0) fail(ErrorCode::Internal, std::string("linalg: internal error: LAPACK ") + routine + " rejected argument " + std::to_string(-info));
}
template <typename T> struct Lapack;
template <> struct Lapack<float> {
  static constexpr auto getrf = sgetrf_; static constexpr auto gesv = sgesv_; static constexpr auto potrf = spotrf_;
  static constexpr auto geqrf = sgeqrf_; static constexpr auto orgqr = sorgqr_; static constexpr auto gesdd = sgesdd_;
  static constexpr auto syevd = ssyevd_;
};
template <> struct Lapack<double> {
  static constexpr auto getrf = dgetrf_; static constexpr auto gesv = dgesv_; static constexpr auto potrf = dpotrf_;
  static constexpr auto geqrf = dgeqrf_; static constexpr auto orgqr = dorgqr_; static constexpr auto gesdd = dgesdd_;
  static constexpr auto syevd = dsyevd_;
};
#endif

// ---------------------------------------------------------------- entry points
template <typename T>
int64_t lu_factor(T* a, int64_t n, int32_t* piv) {
  if (n == 0) return 0;
#ifdef TF_HAVE_LAPACK
  LapackThreads lapack_threads;
  // Factors Aᵀ (the buffer read column-major): the same determinant, which is all callers need.
  int nn = I(n), info = 0;
  std::vector<int> ip(static_cast<size_t>(n));
  Lapack<T>::getrf(&nn, &nn, a, &nn, ip.data(), &info);
  check_info(info, "getrf");
  for (int64_t i = 0; i < n; i++) piv[i] = ip[i] - 1;
  return info;
#else
  std::vector<double> d = to_d(a, n * n);
  int64_t info = own::lu_factor(d.data(), n, piv);
  from_d(d, a);
  return info;
#endif
}

template <typename T>
int64_t solve(T* a, int64_t n, T* b, int64_t k) {
  if (n == 0 || k == 0) return 0;
#ifdef TF_HAVE_LAPACK
  LapackThreads lapack_threads;
  // Column-major copies of both operands.
  std::vector<T> ac = col_major(a, n, n), bc = col_major(b, n, k);
  int nn = I(n), kk = I(k), info = 0;
  std::vector<int> ip(static_cast<size_t>(n));
  Lapack<T>::gesv(&nn, &kk, ac.data(), &nn, ip.data(), bc.data(), &nn, &info);
  check_info(info, "gesv");
  if (info == 0) from_col_major(bc.data(), n, k, n, b);
  return info;
#else
  std::vector<double> ad = to_d(a, n * n), bd = to_d(b, n * k);
  std::vector<int32_t> piv(static_cast<size_t>(n));
  int64_t info = own::lu_factor(ad.data(), n, piv.data());
  if (info) return info;
  own::lu_solve(ad.data(), piv.data(), n, bd.data(), k);
  from_d(bd, b);
  return 0;
#endif
}

template <typename T>
int64_t cholesky(T* a, int64_t n) {
  if (n == 0) return 0;
#ifdef TF_HAVE_LAPACK
  LapackThreads lapack_threads;
  // The lower triangle of a row-major matrix is the upper one of its column-major reading, and
  // potrf('U') leaves Uᵀ = L there.
  int nn = I(n), info = 0;
  Lapack<T>::potrf("U", &nn, a, &nn, &info, 1);
  check_info(info, "potrf");
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = i + 1; j < n; j++) a[i * n + j] = 0;
  return info;
#else
  std::vector<double> d = to_d(a, n * n);
  int64_t info = own::cholesky(d.data(), n);
  if (!info) from_d(d, a);
  return info;
#endif
}

template <typename T>
void trsm(const T* a, int64_t n, bool upper, bool trans, bool unit, T* b, int64_t k) {
  if (n == 0 || k == 0) return;
#ifdef TF_HAVE_BLAS
  // Level-3 BLAS is part of the BLAS build already; no LAPACK needed.
  auto uplo = upper ? CblasUpper : CblasLower;
  auto tr = trans ? CblasTrans : CblasNoTrans;
  auto dg = unit ? CblasUnit : CblasNonUnit;
  if constexpr (std::is_same<T, float>::value)
    cblas_strsm(CblasRowMajor, CblasLeft, uplo, tr, dg, int(n), int(k), 1.0f, a, int(n), b, int(k));
  else
    cblas_dtrsm(CblasRowMajor, CblasLeft, uplo, tr, dg, int(n), int(k), 1.0, a, int(n), b, int(k));
#else
  own::trsm(a, n, upper, trans, unit, b, k);
#endif
}

template <typename T>
void qr(const T* a, int64_t m, int64_t n, T* q, int64_t qc, T* r) {
  int64_t k = std::min(m, n);
  int64_t rr = q ? qc : k;
#ifdef TF_HAVE_LAPACK
  LapackThreads lapack_threads;
  if (k == 0) {
    std::fill(r, r + rr * n, T(0));
    if (q)
      for (int64_t i = 0; i < m; i++)
        for (int64_t c = 0; c < qc; c++) q[i * qc + c] = T(i == c);
    return;
  }
  // Column-major m×max(n, qc) buffer: orgqr builds qc columns of Q in place of the reflectors.
  int64_t cols = std::max(n, q ? qc : 0);
  std::vector<T> ac(static_cast<size_t>(m * cols), T(0));
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) ac[j * m + i] = a[i * n + j];
  std::vector<T> tau(static_cast<size_t>(k));
  int mm = I(m), nn = I(n), kk = I(k), info = 0, lwork = -1;
  T wq = 0;
  Lapack<T>::geqrf(&mm, &nn, ac.data(), &mm, tau.data(), &wq, &lwork, &info);
  lwork = std::max(1, int(wq));
  std::vector<T> work(static_cast<size_t>(lwork));
  Lapack<T>::geqrf(&mm, &nn, ac.data(), &mm, tau.data(), work.data(), &lwork, &info);
  check_info(info, "geqrf");
  for (int64_t i = 0; i < rr; i++)
    for (int64_t j = 0; j < n; j++) r[i * n + j] = j >= i && i < k ? ac[j * m + i] : T(0);
  if (!q) return;
  int qq = I(qc);
  lwork = -1;
  Lapack<T>::orgqr(&mm, &qq, &kk, ac.data(), &mm, tau.data(), &wq, &lwork, &info);
  lwork = std::max(1, int(wq));
  work.assign(static_cast<size_t>(lwork), T(0));
  Lapack<T>::orgqr(&mm, &qq, &kk, ac.data(), &mm, tau.data(), work.data(), &lwork, &info);
  check_info(info, "orgqr");
  from_col_major(ac.data(), m, qc, m, q);
#else
  std::vector<double> ad = to_d(a, m * n), qd(q ? size_t(m * qc) : 0), rd(static_cast<size_t>(rr * n));
  own::qr(ad.data(), m, n, q ? qd.data() : nullptr, qc, rd.data(), rr);
  from_d(rd, r);
  if (q) from_d(qd, q);
#endif
}

template <typename T>
void svd(const T* a, int64_t m, int64_t n, T* u, T* s, T* vt, bool full) {
  int64_t k = std::min(m, n);
  int64_t uc = full ? m : k, vr = full ? n : k;
#ifdef TF_HAVE_LAPACK
  LapackThreads lapack_threads;
  if (k == 0) {
    // Nothing to decompose: orthonormal factors are identities.
    if (u) for (int64_t i = 0; i < m; i++) for (int64_t c = 0; c < uc; c++) u[i * uc + c] = T(i == c);
    if (vt) for (int64_t i = 0; i < vr; i++) for (int64_t c = 0; c < n; c++) vt[i * n + c] = T(i == c);
    return;
  }
  std::vector<T> ac = col_major(a, m, n);
  char jobz = !u ? 'N' : full ? 'A' : 'S';
  int mm = I(m), nn = I(n), ldu = I(m), ldvt = I(vr), info = 0, lwork = -1;
  std::vector<T> uc_(u ? size_t(m * uc) : 1), vtc(u ? size_t(vr * n) : 1);
  std::vector<int> iwork(static_cast<size_t>(8 * k));
  T wq = 0;
  Lapack<T>::gesdd(&jobz, &mm, &nn, ac.data(), &mm, s, uc_.data(), &ldu, vtc.data(), &ldvt, &wq, &lwork,
                   iwork.data(), &info, 1);
  lwork = std::max(1, int(wq));
  std::vector<T> work(static_cast<size_t>(lwork));
  Lapack<T>::gesdd(&jobz, &mm, &nn, ac.data(), &mm, s, uc_.data(), &ldu, vtc.data(), &ldvt, work.data(), &lwork,
                   iwork.data(), &info, 1);
  check_info(info, "gesdd");
  if (info > 0) fail(ErrorKind::Error, ErrorCode::Argument, "linalg.svd: the algorithm failed to converge (the input may contain NaN or infinity)");
  if (!u) return;
  from_col_major(uc_.data(), m, uc, m, u);
  from_col_major(vtc.data(), vr, n, vr, vt);
#else
  std::vector<double> ad = to_d(a, m * n), ud(u ? size_t(m * uc) : 0), sd(static_cast<size_t>(k)), vd(u ? size_t(vr * n) : 0);
  own::svd(ad.data(), m, n, u ? ud.data() : nullptr, sd.data(), u ? vd.data() : nullptr, full);
  from_d(sd, s);
  if (u) from_d(ud, u), from_d(vd, vt);
#endif
}

template <typename T>
void eigh(const T* a, int64_t n, bool lower, T* w, T* v) {
  if (n == 0) return;
#ifdef TF_HAVE_LAPACK
  LapackThreads lapack_threads;
  // A row-major lower triangle is the column-major upper one; eigenvectors come back as the rows
  // of the buffer read row-major.
  std::vector<T> ac(a, a + n * n);
  char jobz = v ? 'V' : 'N', uplo = lower ? 'U' : 'L';
  int nn = I(n), info = 0, lwork = -1, liwork = -1, iwq = 0;
  T wq = 0;
  Lapack<T>::syevd(&jobz, &uplo, &nn, ac.data(), &nn, w, &wq, &lwork, &iwq, &liwork, &info, 1, 1);
  lwork = std::max(1, int(wq));
  liwork = std::max(1, iwq);
  std::vector<T> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  Lapack<T>::syevd(&jobz, &uplo, &nn, ac.data(), &nn, w, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  check_info(info, "syevd");
  if (info > 0) fail(ErrorKind::Error, ErrorCode::Argument, "linalg.eigh: the algorithm failed to converge (the input may contain NaN or infinity)");
  if (v) from_col_major(ac.data(), n, n, n, v);
#else
  std::vector<double> ad = to_d(a, n * n), wd(static_cast<size_t>(n)), vd(v ? size_t(n * n) : 0);
  own::eigh(ad.data(), n, lower, wd.data(), v ? vd.data() : nullptr);
  from_d(wd, w);
  if (v) from_d(vd, v);
#endif
}

#define TF_LA_INSTANTIATE(T)                                                              \
  template int64_t lu_factor<T>(T*, int64_t, int32_t*);                                   \
  template int64_t solve<T>(T*, int64_t, T*, int64_t);                                    \
  template int64_t cholesky<T>(T*, int64_t);                                              \
  template void trsm<T>(const T*, int64_t, bool, bool, bool, T*, int64_t);                \
  template void qr<T>(const T*, int64_t, int64_t, T*, int64_t, T*);                       \
  template void svd<T>(const T*, int64_t, int64_t, T*, T*, T*, bool);                     \
  template void eigh<T>(const T*, int64_t, bool, T*, T*);
TF_LA_INSTANTIATE(float)
TF_LA_INSTANTIATE(double)

}  // namespace la
}  // namespace tf
