// Differentiable linear algebra (PyTorch's torch.linalg): float32 / float64, batched over leading
// dims. Each primitive records one tape node whose backward is PyTorch's formula written with
// differentiable ops (matmul, these primitives), so higher-order gradients work.
//
// Example (C++):
//   tf::Tensor A = ..., b = ...;                 // [B, n, n], [B, n, k]
//   tf::Tensor x = tf::linalg_solve(A, b, true); // A x = b for each batch element
//   auto usv = tf::linalg_svd(A, false, true);   // {U, S, Vh}
#pragma once
#include <string>
#include <vector>

#include "ops.h"

namespace tf {

const char* lapack_backend();  // "openblas" (LAPACK from OpenBLAS) or "own"

// A X = B (left) or X A = B (right); batch dims broadcast. B has at least 2 dims here (the TS layer
// turns a vector right-hand side into a column).
Tensor linalg_solve(const Tensor& A, const Tensor& B, bool left);
Tensor linalg_solve_triangular(const Tensor& A, const Tensor& B, bool upper, bool left, bool unitriangular);
Tensor linalg_inv(const Tensor& A);
Tensor linalg_det(const Tensor& A);
std::vector<Tensor> linalg_slogdet(const Tensor& A);  // {sign, logabsdet}
Tensor linalg_cholesky(const Tensor& A, bool upper);
std::vector<Tensor> linalg_qr(const Tensor& A, const std::string& mode);  // reduced | complete | r
// {U, S, Vh}; with compute_uv false and no gradient needed, U and Vh are empty [0] tensors.
std::vector<Tensor> linalg_svd(const Tensor& A, bool full_matrices, bool compute_uv);
// {eigenvalues ascending, eigenvectors as columns}; eigenvectors empty as for svd.
std::vector<Tensor> linalg_eigh(const Tensor& A, bool lower, bool compute_v);
// atol / rtol < 0: PyTorch's defaults (rtol = eps · max(m, n) unless atol is given).
Tensor linalg_pinv(const Tensor& A, double atol, double rtol, bool hermitian);

}  // namespace tf
