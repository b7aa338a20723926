// The dtype, broadcasting and axis rules every op follows (PyTorch's).
#include <algorithm>

#include "ops.h"

namespace tf {

// PyTorch's promotion lattice: bool < integers < floats; within the integers the wider one
// (uint8 < int32 < int64); within the floats float64 wins, float32 beats the half types, and
// float16 with bfloat16 meet at float32 (neither holds the other's values).
DType promote(DType a, DType b) {
  if (a == b) return a;
  auto category = [](DType d) { return d == DType::Bool ? 0 : is_integer(d) ? 1 : 2; };
  const int ca = category(a), cb = category(b);
  if (ca != cb) return ca > cb ? a : b;
  auto width = [](DType d) {
    switch (d) {
      case DType::U8: return 0;
      case DType::I32: return 1;
      case DType::I64: return 2;
      case DType::F16: case DType::BF16: return 0;
      case DType::F32: return 1;
      case DType::F64: return 2;
      case DType::Bool: return 0;
    }
    return 0;
  };
  if (width(a) != width(b)) return width(a) > width(b) ? a : b;
  return DType::F32;  // float16 with bfloat16
}

// PyTorch's result_type for two tensors: a 0-d tensor takes part only when it is of a higher
// category (bool < integer < float) than the dimensioned one, so float32 [n] - float64 0-d stays
// float32 while int32 [n] * float64 0-d is float64 (and two tensors of one kind promote as usual).
DType result_type(const Tensor& a, const Tensor& b) {
  const bool za = a.dim() == 0, zb = b.dim() == 0;
  if (za == zb) return promote(a.dtype(), b.dtype());
  const DType dim = za ? b.dtype() : a.dtype(), zero = za ? a.dtype() : b.dtype();
  if (is_floating(dim)) return dim;
  if (dim == DType::Bool || is_floating(zero)) return promote(dim, zero);
  return dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; i++) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      fail(std::string(op) + ": shapes " + shape_str(a) + " and " + shape_str(b) +
           " cannot be broadcast together (dim " + std::to_string(i) + ": " + std::to_string(da) +
           " vs " + std::to_string(db) + ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t norm_axis(int64_t axis, int64_t ndim, const char* op) {
  int64_t n = ndim == 0 ? 1 : ndim;
  if (axis < -n || axis >= n)
    fail_range(std::string(op) + ": axis " + std::to_string(axis) + " is out of range for a " +
               std::to_string(ndim) + "-d tensor");
  return axis < 0 ? axis + n : axis;
}

}  // namespace tf
