// LayerNorm and RMSNorm over the trailing `normalized_ndim` dims as one node each, with fused
// forward and backward row kernels (the composed LayerNorm took nine ops and their backward rules).
//
//   layer_norm: y = (x − mean)·rstd·w + b,  rstd = 1/√(var + eps), biased variance (as PyTorch)
//   rms_norm:   y = x·rstd·w,                rstd = 1/√(mean(x²) + eps)
//
// Backward (xhat = normalised x, dxhat = g·w):
//   dx = rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat))   (RMSNorm: without mean(dxhat))
//   dw = Σ_rows g·xhat,  db = Σ_rows g
// With create_graph the same formulas are evaluated with differentiable ops from the saved inputs,
// so second order gradients work.
#pragma once
#include "ops.h"

namespace tf {

// w and b: undefined, or of the normalized shape (x's last normalized_ndim dims).
Tensor layer_norm(const Tensor& x, const Tensor& w, const Tensor& b, int64_t normalized_ndim, double eps);
Tensor rms_norm(const Tensor& x, const Tensor& w, int64_t normalized_ndim, double eps);

}  // namespace tf
