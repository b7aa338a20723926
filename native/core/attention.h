// Scaled dot-product attention as one node: softmax(scale·q·kᵀ + mask [+ causal]) · v.
//
// Per (batch, head) the kernel computes the L×S scores with one GEMM, adds the mask, takes the
// softmax of each row in place (a causal row only over its allowed prefix, the rest set to 0) and
// multiplies by v: the probabilities are materialised once and kept for backward, where each
// head runs dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P∘(dP − rowsum(dP∘P)) (the fused softmax backward row),
// dQ = scale·dS·K, dK = scale·dSᵀ·Q. Heads run in parallel on the pool, each with single-threaded
// GEMMs. (A FlashAttention-style blocked kernel recomputes P in backward; at the sizes here — L,
// S ≤ a few hundred, so a head's P fits in L2 — keeping P once is the cheaper choice.)
//
// With create_graph the backward is evaluated with differentiable ops, so higher-order gradients
// work. Inputs that do not fit the kernel (batch dims that broadcast, a mask that requires grad)
// take the same formulas composed of ops.
//
// Example (C++):
//   Tensor o = scaled_dot_product_attention(q, k, v, Tensor(), /*causal=*/true, NAN);  // scale 1/√E
#pragma once
#include "ops.h"

namespace tf {

// q [..., L, E], k [..., S, E], v [..., S, Ev] -> [..., L, Ev]. mask: undefined, float (added to
// the scores) or bool (true = may attend, as PyTorch's F.scaled_dot_product_attention),
// broadcastable to [..., L, S]. causal: query i attends to keys j <= i. scale NaN: 1/√E.
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask,
                                    bool causal, double scale);

}  // namespace tf
