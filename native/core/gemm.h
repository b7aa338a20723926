// Matrix multiply, row-major: C = alpha * op(A) * op(B) + beta * C
// op(A) is M x K (A is M x K, or K x M when transA), op(B) is K x N (B is K x N, or N x K when transB).
// lda/ldb/ldc are row strides in elements. Built with TF_HAVE_BLAS, each call goes to OpenBLAS or
// the own kernel, whichever is faster for that shape on this CPU (see route_to_blas in gemm.cpp).
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

// Batched: for i < batch, C_i = alpha * op(A_i) * op(B_i) + beta * C_i where X_i = X + i * strideX
// (stride 0: every item shares the operand). Items never overlap in C (strideC >= M * ldc or
// batch == 1). Many small products are threaded across the items, each packed once and computed
// on one thread, rather than each product split across threads.
void sgemm_batched(bool transA, bool transB, int64_t batch, int64_t M, int64_t N, int64_t K,
                   float alpha, const float* A, int64_t lda, int64_t strideA, const float* B,
                   int64_t ldb, int64_t strideB, float beta, float* C, int64_t ldc,
                   int64_t strideC);
void dgemm_batched(bool transA, bool transB, int64_t batch, int64_t M, int64_t N, int64_t K,
                   double alpha, const double* A, int64_t lda, int64_t strideA, const double* B,
                   int64_t ldb, int64_t strideB, double beta, double* C, int64_t ldc,
                   int64_t strideC);

const char* gemm_backend();  // "openblas" or "own"

// The own kernel's register tile and cache blocks at the current SIMD level, as derived from
// cache_sizes() (probe.h): kc/mc/nc for most products, deep_kc/deep_mc for a C larger than L2
// with K deep enough (see deep_k_blocks in gemm.cpp; a product whose threads' packed B panels
// would take half of L3 halves deep_kc, see blocks_for). For tests and tuning.
struct GemmBlocking {
  int mr, nr;
  int64_t kc, mc, nc, deep_kc, deep_mc;
};
GemmBlocking gemm_blocking(bool f64);

}  // namespace tf
