// Fused recurrent cells: the gate arithmetic of one LSTM / GRU time step as ONE tape node.
//
// The matmuls stay outside (the layer computes x·W_ihᵀ for all steps at once and h·W_hhᵀ per step);
// what these fuse is the dozen small elementwise ops between them, which otherwise cost a node, an
// allocation and a backward closure each. Gate order and equations are PyTorch's.
//
// Backward runs a fused kernel when grad mode is off (the usual backward); with create_graph it is
// written with the differentiable elementwise ops, so tf.grad(tf.grad(...)) through a cell works.
//
// Example (C++):
//   Tensor gates = add(xp, matmul(h, transpose(w_hh, 0, 1)));   // [B, 4H], biases folded in xp
//   auto hc = lstm_cell(gates, c);                                 // {h', c'}
#pragma once
#include <vector>

#include "ops.h"

namespace tf {

// gates [B,4H] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh (already summed), c [B,H] -> {h' [B,H], c' [B,H]}:
//   i, f, g, o = σ, σ, tanh, σ of the four H-wide slices;  c' = f·c + i·g;  h' = o·tanh(c').
std::vector<Tensor> lstm_cell(const Tensor& gates, const Tensor& c);

// gi [B,3H] = x·W_ihᵀ + b_ih, gh [B,3H] = h·W_hhᵀ + b_hh, h [B,H] -> h' [B,H]:
//   r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n), h' = (1 − z)·n + z·h.
Tensor gru_cell(const Tensor& gi, const Tensor& gh, const Tensor& h);

// A whole LSTM layer direction as one node: xp [T,B,4H] (x·W_ihᵀ, every step), h0, c0 [B,H],
// w_hh [4H,H], bias [4H] (b_ih + b_hh; may be undefined) -> {ys [T,B,H], h_T, c_T}. `reverse` runs t = T−1 … 0 (ys stays in
// time order). Each step is gates = xp[t] + bias + h·W_hhᵀ (one GEMM accumulating into a copy of xp[t])
// and the fused cell. Its backward is the BPTT loop with the fused cell backward per step and ONE
// GEMM over all T·B rows for dW_hh, instead of T small ones plus T accumulations of a
// [4H,H] gradient (and the bias gradient is one column sum, not a reduction of a broadcast add). With create_graph it recomputes the steps with differentiable ops and
// differentiates those, so higher-order gradients work.
std::vector<Tensor> lstm_layer(const Tensor& xp, const Tensor& h0, const Tensor& c0, const Tensor& w_hh,
                               const Tensor& bias, bool reverse);

}  // namespace tf
