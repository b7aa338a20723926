// Contiguous-array kernels: the hot loops of elementwise ops and reductions.
//
// The op layer (ops_*.cpp) handles shapes, strides and broadcasting and calls these on flat
// contiguous runs. Each kernel has a vector main loop, a scalar tail and a scalar fallback, chosen
// by simd_level() at run time, and is threaded with parallel_for above a measured size.
#pragma once
#include <cstdint>

#include "op_table.h"

namespace tf {

// y[i] = f(x[i]), n elements.
void unary_f32(Unary k, const float* x, float* y, int64_t n);
void unary_f64(Unary k, const double* x, double* y, int64_t n);

// z[i] = f(a[i*sa], b[i*sb]) with sa, sb in {0, 1} (0: broadcast a scalar).
void binary_f32(Binary k, const float* a, int64_t sa, const float* b, int64_t sb, float* z,
                int64_t n);
void binary_f64(Binary k, const double* a, int64_t sa, const double* b, int64_t sb, double* z,
                int64_t n);

// Sum of n contiguous elements (accumulated in double for f32 is not required; pairwise/blocked ok).
float sum_f32(const float* x, int64_t n);
double sum_f64(const double* x, int64_t n);

// Max (is_max) or min of n >= 1 contiguous elements; NaN when any element is NaN.
float extreme_f32(const float* x, int64_t n, bool is_max);
double extreme_f64(const double* x, int64_t n, bool is_max);

// Sum of squares of n contiguous elements (the 2-norm's reduction), blocked as sum_f32 / sum_f64.
double sumsq_f32(const float* x, int64_t n);
double sumsq_f64(const double* x, int64_t n);

// Product of n contiguous elements, accumulated in double (1 when n == 0).
double prod_f32(const float* x, int64_t n);
double prod_f64(const double* x, int64_t n);

// out[b] = sum_r x[r * B + b]: the column sums of a contiguous [R, B] (threaded over row blocks).
void col_sum_f32(const float* x, float* out, int64_t R, int64_t B);
void col_sum_f64(const double* x, double* out, int64_t R, int64_t B);
// out[b] = prod_r x[r * B + b], accumulated in double.
void col_prod_f32(const float* x, float* out, int64_t R, int64_t B);
void col_prod_f64(const double* x, double* out, int64_t R, int64_t B);
// out[b] = max_r (or min_r) x[r * B + b], NaN if any is NaN (R >= 1); float, double, int32_t,
// int64_t, uint8_t.
template <class T>
void col_extreme(const T* x, T* out, int64_t R, int64_t B, bool is_max);

}  // namespace tf
