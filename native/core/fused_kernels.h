// Contiguous row kernels of the fused ops (fused_act.cpp, fused_softmax.cpp, fused_norm.cpp,
// attention.cpp): float32 through the per-ISA SIMD code of fused_simd.h (chosen by simd_level()),
// float64 through plain loops. Each entry threads itself over the pool above a measured size.
#pragma once
#include <cstdint>

namespace tf {
namespace fused {

// y = gelu(x) (tanh_approx: PyTorch's tanh form); o = g · gelu'(x).
template <class T> void gelu_forward(const T* x, T* y, int64_t n, bool tanh_approx);
template <class T> void gelu_backward(const T* g, const T* x, T* o, int64_t n, bool tanh_approx);

// o = g · silu'(x) = g · s (1 + x (1 − s)), s = sigmoid(x).
template <class T> void silu_backward(const T* g, const T* x, T* o, int64_t n);

// Softmax (or log-softmax) of each row of a [rows, C] buffer, and its backward
// (softmax: o = y·(g − Σ g·y); log-softmax: o = g − exp(y)·Σ g), one pass per row.
template <class T> void softmax_rows(const T* x, T* y, int64_t rows, int64_t C, bool log_space);
template <class T> void softmax_backward_rows(const T* g, const T* y, T* o, int64_t rows, int64_t C, bool log_space);
// One row on the calling thread (attention.cpp calls it inside its own per-head threads).
template <class T> void softmax_row(const T* x, T* y, int64_t C, bool log_space);

// LayerNorm (rms false) or RMSNorm (rms true) of each row; w, b may be null. mean and rstd get one
// value per row (mean is 0 for RMSNorm).
template <class T>
void norm_rows(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int64_t rows, int64_t C, double eps, bool rms);
// dx for every row; dw = Σ_rows g·xhat and db = Σ_rows g when non-null (overwritten).
template <class T>
void norm_backward_rows(const T* g, const T* x, const T* w, const T* mean, const T* rstd, T* dx, T* dw, T* db,
                        int64_t rows, int64_t C, bool rms);

}  // namespace fused
}  // namespace tf
