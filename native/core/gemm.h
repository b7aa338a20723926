// Matrix multiply, row-major: C = alpha * op(A) * op(B) + beta * C
// op(A) is M x K (A is M x K, or K x M when transA), op(B) is K x N (B is K x N, or N x K when transB).
// lda/ldb/ldc are row strides in elements. Uses OpenBLAS when built with TF_HAVE_BLAS, else own kernel.
#pragma once
#include <cstdint>

namespace tf {

void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void dgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
           int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc);

// The engine's own kernel, always available (the benchmark compares it with BLAS).
void own_sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
               const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
               int64_t ldc);
void own_dgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, double alpha,
               const double* A, int64_t lda, const double* B, int64_t ldb, double beta, double* C,
               int64_t ldc);

const char* gemm_backend();  // "openblas" or "own"

}  // namespace tf
