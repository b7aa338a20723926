// OpenBLAS's thread count, which is process-wide: every change goes through a scope that undoes it.
// The engine runs OpenBLAS's GEMMs single-threaded inside its own pool (gemm.cpp, ops_conv.cpp)
// and lets LAPACK factorizations use OpenBLAS's threads; lib/native.ts loads OpenBLAS with one
// thread (its idle server threads never sleep on Debian's 0.3.21), so threads exist only in
// processes that factor matrices.
#pragma once

namespace tf {

// OpenBLAS's thread count now; 0 in builds without BLAS.
int blas_threads();

// Sets OpenBLAS's thread count to n for the scope's life and restores the previous count after.
// Concurrent scopes (worker_threads) asking for the same count share it, the last one restores;
// a scope that asks for another count while one is in force changes nothing (only speed differs).
class BlasThreadScope {
 public:
  explicit BlasThreadScope(int n);
  ~BlasThreadScope();
  BlasThreadScope(const BlasThreadScope&) = delete;
  BlasThreadScope& operator=(const BlasThreadScope&) = delete;

 private:
  bool engaged_ = false;
};

}  // namespace tf
