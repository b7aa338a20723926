// GELU as fused kernels: the forward of the tanh form and the backward of both forms in one pass;
// SiLU's backward likewise (silu_backward: one pass instead of the composed rule's six ops, which
// cost 26 ms on [4096, 2048] float32 against 2.5 ms for gelu's backward).
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
// g · silu'(x) = g · s (1 + x (1 − s)), s = sigmoid(x); g and x of one shape. Differentiable:
//   d/dg = silu_backward(gg, x),   d/dx = gg·g·silu''(x).
Tensor silu_backward(const Tensor& g, const Tensor& x);

}  // namespace tf
