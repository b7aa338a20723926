// Strided views for indexing (ops_mask.cpp): a slice with a positive step and the diagonal of two
// dims. Both share storage with their input, like narrow and select; their backward scatters into
// zeros through the same view, and that scatter's backward is the view again (second order).
#pragma once
#include "ops.h"

namespace tf {

Tensor slice_step(const Tensor& a, int64_t dim, int64_t start, int64_t step, int64_t length);
Tensor diagonal_view(const Tensor& a, int64_t offset, int64_t d1, int64_t d2);

}  // namespace tf
