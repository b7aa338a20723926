// Softmax and log-softmax backward as one fused pass per row:
//   softmax:      gx = y·(g − Σ g·y)
//   log-softmax:  gx = g − exp(y)·Σ g
// (the composed rule took three ops and two temporaries). It records a node whose backward is
// written with differentiable ops, so second order gradients through softmax still work.
// The forward rows (fused::softmax_rows) are called from ops_reduce.cpp's softmax.
#pragma once
#include "ops.h"

namespace tf {

// g and y (softmax's or log_softmax's output along `axis`) of one shape.
Tensor softmax_backward(const Tensor& g, const Tensor& y, int64_t axis, bool log_space);

}  // namespace tf
