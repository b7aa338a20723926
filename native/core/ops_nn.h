// Convolution and pooling, NCHW, float32 / float64.
//
// Shapes and output sizes follow PyTorch: for each spatial dim,
//   out = floor((in + 2·pad - dilation·(kernel - 1) - 1) / stride) + 1
// (pooling with ceil_mode rounds up, but never starts a window inside the right padding).
// A 3-d input [C,H,W] is treated as a batch of one and gives a 3-d output.
//
// Every op here is differentiable to any order. Convolution is bilinear, so its two backward
// maps are themselves convolutions in disguise and are exposed as ops of their own:
//   y  = conv2d(x, w)                    forward
//   gx = conv2d_input_grad(g, w, xshape)  = (∂y/∂x)ᵀ g   (also conv_transpose2d)
//   gw = conv2d_weight_grad(x, g, wshape) = (∂y/∂w)ᵀ g
// All three are partial derivatives of the one trilinear form <conv2d(x, w), g>, so each one's
// backward is written with the other two (see ops_conv.cpp; pooling in ops_pool.cpp).
//
// Example (C++):
//   Tensor y = conv2d(x, w, b, {1, 1}, {1, 1}, {1, 1}, 1);   // 3x3 "same" convolution
//   Tensor p = max_pool2d(relu(y), {2, 2}, {2, 2}, {0, 0}, {1, 1}, false);
#pragma once
#include <array>
#include <cstdint>

#include "ops.h"

namespace tf {

using Pair = std::array<int64_t, 2>;

// x [N,C,H,W], w [O, C/groups, kh, kw], bias [O] or undefined -> [N,O,Ho,Wo].
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, Pair stride, Pair padding,
              Pair dilation, int64_t groups);
// g [N,O,Ho,Wo], w -> [N,C,H,W] = input_shape: the gradient of conv2d w.r.t. its input.
Tensor conv2d_input_grad(const Tensor& g, const Tensor& w, const Shape& input_shape, Pair stride,
                         Pair padding, Pair dilation, int64_t groups);
// x, g [N,O,Ho,Wo] -> [O, C/groups, kh, kw] = weight_shape: the gradient w.r.t. the weight.
Tensor conv2d_weight_grad(const Tensor& x, const Tensor& g, const Shape& weight_shape, Pair stride,
                          Pair padding, Pair dilation, int64_t groups);

// x [N,C,L], w [O, C/groups, k], bias [O] or undefined -> [N,O,Lo]: conv2d over [N,C,1,L] views.
Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& bias, int64_t stride,
              int64_t padding, int64_t dilation, int64_t groups);

// Padding counts as -inf; padding may be at most half the effective kernel, as in PyTorch.
Tensor max_pool2d(const Tensor& x, Pair kernel, Pair stride, Pair padding, Pair dilation,
                  bool ceil_mode);
// The same, also returning the argmax of each window as a flat index into its H·W plane (int32).
std::array<Tensor, 2> max_pool2d_with_indices(const Tensor& x, Pair kernel, Pair stride,
                                              Pair padding, Pair dilation, bool ceil_mode);
// Scatters g [N,C,Ho,Wo] into zeros of input_shape at `indices`: max_pool2d's backward.
Tensor max_pool2d_backward(const Tensor& g, const Tensor& indices, const Shape& input_shape);

Tensor avg_pool2d(const Tensor& x, Pair kernel, Pair stride, Pair padding, bool ceil_mode,
                  bool count_include_pad);
// Spreads g [N,C,Ho,Wo] evenly over each window: avg_pool2d's backward (its adjoint).
Tensor avg_pool2d_backward(const Tensor& g, const Shape& input_shape, Pair kernel, Pair stride,
                           Pair padding, bool ceil_mode, bool count_include_pad);

}  // namespace tf
