// Dense factorizations of one matrix at a time, row-major and contiguous. No autograd, no
// batching: native/core/linalg_ops.cpp loops over batches and records the tape.
//
// Each routine runs on LAPACK (the Fortran symbols OpenBLAS exports) when the build defines
// TF_HAVE_LAPACK, else on the engine's own routines below, which compute in double for float32 too
// (they are simple, accurate algorithms — Jacobi SVD and eigh, Householder QR — whose cost is
// dominated by memory traffic for the sizes they are meant for).
#pragma once
#include <cstdint>

namespace tf {
namespace la {

const char* lapack_backend();  // "openblas" or "own"

// LU with partial pivoting of a (n×n), in place (unit lower L below the diagonal, U on and above).
// piv[i] is the row swapped with row i at step i. Returns 0, or k ≥ 1 when U[k-1][k-1] is exactly 0.
template <typename T> int64_t lu_factor(T* a, int64_t n, int32_t* piv);
// Solves A X = B for B (n×k) in place given lu_factor's output.
template <typename T> void lu_solve(const T* lu, const int32_t* piv, int64_t n, T* b, int64_t k);
// Solves A X = B (n×n, n×k) in place in b, destroying a. Returns lu_factor's code.
template <typename T> int64_t solve(T* a, int64_t n, T* b, int64_t k);

// Cholesky: a = L Lᵀ reading the lower triangle; L written in place, the upper triangle zeroed.
// Returns 0, or k ≥ 1 when the leading minor of order k is not positive-definite.
template <typename T> int64_t cholesky(T* a, int64_t n);

// Solves op(A) X = B in place in b (n×k), A (n×n) triangular: upper or lower, op = transpose when
// `trans`, unit diagonal assumed when `unit`.
template <typename T> void trsm(const T* a, int64_t n, bool upper, bool trans, bool unit, T* b, int64_t k);

// Householder QR of a (m×n). q (m×qc, qc = min(m,n) or m) may be null; r is qr×n with
// qr = qc when q is given, else min(m,n).
template <typename T> void qr(const T* a, int64_t m, int64_t n, T* q, int64_t qc, T* r);

// SVD a = U diag(s) Vt, s descending (k = min(m,n) values). u is m×(full ? m : k), vt is
// (full ? n : k)×n; both null for values only.
template <typename T> void svd(const T* a, int64_t m, int64_t n, T* u, T* s, T* vt, bool full);

// Symmetric eigendecomposition reading one triangle: w ascending, v (n×n, may be null) holds the
// eigenvectors as columns.
template <typename T> void eigh(const T* a, int64_t n, bool lower, T* w, T* v);

}  // namespace la
}  // namespace tf
