// tril / triu (ops_triangle.cpp): the lower or upper triangle of the last two dims, the other
// elements set to 0. Any dtype, any batch dims, any strides; differentiable (the gradient is the
// same triangle of the incoming gradient, so second order works too).
#pragma once
#include "ops.h"

namespace tf {

// lower: keeps the elements with j - i <= k (tril); else those with j - i >= k (triu).
Tensor triangle(const Tensor& x, int64_t k, bool lower);

}  // namespace tf
