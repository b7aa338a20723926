// Scans along an axis and the sorting permutation (ops_scan.cpp). Index results are int32; the
// values of cummax / cummin / sort are a gather of the input with these indices (so their gradient
// is the gather's).
#pragma once
#include "ops.h"

namespace tf {

Tensor cumsum(const Tensor& a, int64_t axis);   // int / bool accumulate in int32
Tensor cumprod(const Tensor& a, int64_t axis);  // exact gradient with zeros, second order too
Tensor cum_extreme_indices(const Tensor& a, int64_t axis, bool is_max);  // ties: the later index
// Stable; NaN is largest. k in [0, len): only the first k of each row (a heap selection, for topk).
Tensor sort_indices(const Tensor& a, int64_t axis, bool descending, int64_t k = -1);

}  // namespace tf
