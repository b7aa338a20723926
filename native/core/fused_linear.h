// Linear (x·Wᵀ + b) as one node over all leading dims at once.
//
// Composed as matmul + add, a 3-d input [B, T, in] made the weight gradient a batched product
// (Gᵀ copied per batch entry, B small GEMMs, then a sum over the batch); here x is viewed as
// [N, in] (N = B·T) and backward is three flat operations:
//   dx = G·W (one GEMM),  dW = Gᵀ·X (one GEMM over all N rows),  db = column sums of G.
// The bias is the GEMM's epilogue: the output starts as rows of b and the GEMM accumulates into it
// (beta = 1), saving a pass over y. With create_graph the same formulas run as differentiable ops.
#pragma once
#include "ops.h"

namespace tf {

// x [..., in], w [out, in], b [out] or undefined -> [..., out]; one float dtype.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b);

}  // namespace tf
