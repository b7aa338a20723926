// Argument checks shared by the convolution and pooling ops (ops_conv.cpp, ops_pool.cpp).
#pragma once
#include <string>

#include "ops_nn.h"

namespace tf {
namespace nn_detail {

// Kernel, stride, padding and dilation above this are refused: it keeps every size product below
// 2^62 and no real network comes close.
inline constexpr int64_t kMaxParam = int64_t(1) << 30;

inline std::string pair_str(Pair p) { return "[" + std::to_string(p[0]) + "," + std::to_string(p[1]) + "]"; }

inline void check_pair(const std::string& op, const char* what, Pair p, int64_t min, const Shape& xs) {
  for (int64_t v : p)
    if (v < min || v > kMaxParam)
      fail(op + ": " + what + " must be " + (min > 0 ? "positive" : "non-negative") +
           " integers (at most 2^30), got " + pair_str(p) + " for input of shape " + shape_str(xs));
}

inline void check_float(const std::string& op, const Tensor& t, const char* what) {
  if (!is_float(t.dtype()))
    fail_type(op + ": " + what + " must be float32 or float64, got " + dtype_name(t.dtype()) +
              " of shape " + shape_str(t.shape()));
}

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Unbatched [C,H,W] inputs run as a batch of one.
inline bool is_unbatched(const std::string& op, const Tensor& x, const char* layout3, const char* layout4) {
  if (x.dim() == 3) return true;
  if (x.dim() == 4) return false;
  fail(op + ": expected an input of shape " + layout4 + " or " + layout3 + ", got " + shape_str(x.shape()));
}

// The data of an op's input, without its graph (kernels read it; the op records its own node).
inline Tensor input4(const Tensor& t) { return contiguous(detach(t)); }

}  // namespace nn_detail
}  // namespace tf
