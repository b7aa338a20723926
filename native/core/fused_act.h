// GELU as fused kernels: the forward of the tanh form and the backward of both forms in one pass.
//
// gelu_backward(g, x) = g·gelu'(x) is an op of its own (one SIMD, threaded kernel instead of the
// seven ops the composed rule took, erf's scalar loop among them). It records a node whose
// backward is written with differentiable ops, so second and higher order gradients still work:
//   d/dg = gelu_backward(gg, x),   d/dx = gg·g·gelu''(x).
//
// Example (C++):
//   Tensor y = gelu(x, /*tanh_approx=*/true);     // 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³)))
#pragma once
#include "ops.h"

namespace tf {

// Exact (x·Φ(x), the unary Gelu op) or PyTorch's tanh approximation.
Tensor gelu(const Tensor& x, bool tanh_approx);
// g · gelu'(x); g and x of one shape.
Tensor gelu_backward(const Tensor& g, const Tensor& x, bool tanh_approx);

}  // namespace tf
