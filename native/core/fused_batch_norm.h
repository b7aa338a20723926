// BatchNorm in training mode (batch statistics) over x [N, C, ...] as one node, with fused
// forward and backward channel kernels: the composed form (mean, sub, square, mean, rsqrt, mul,
// mul, add, and their backward rules) made about ten full passes over x and was 2-3x PyTorch's
// time on [8,64,56,56] (scripts/bench_conv_shapes.js).
//
//   y = (x − mean)·rstd·w + b,  rstd = 1/√(var + eps), var biased, both over N and the spatial dims
// Backward (xhat = (x − mean)·rstd, M values per channel):
//   dx = w·rstd·(g − Σg/M − xhat·Σ(g·xhat)/M),  dw = Σ g·xhat,  db = Σ g
// With create_graph the same formulas run as differentiable ops, so second order works.
#pragma once
#include <vector>

#include "ops.h"

namespace tf {

// {y, mean [C], biased var [C]} (the statistics detached, for the running averages). w and b:
// undefined or [C] of x's dtype.
std::vector<Tensor> batch_norm_train(const Tensor& x, const Tensor& w, const Tensor& b, double eps);

}  // namespace tf
