// Every tensor operation of the engine. All are differentiable where the math allows (float
// dtypes), record to the tape when an input requires grad, and throw tf::Error naming the op and
// the shapes on bad input. Axes may be negative. Binary ops broadcast as NumPy does.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "autograd.h"
#include "op_table.h"
#include "tensor.h"

namespace tf {

// ---- creation ----
Tensor zeros(const Shape& shape, DType dtype);
Tensor full(const Shape& shape, double value, DType dtype);
Tensor scalar_tensor(double value, DType dtype);  // 0-d
Tensor arange(double start, double end, double step, DType dtype);
Tensor linspace(double start, double end, int64_t n, DType dtype);
Tensor eye(int64_t n, int64_t m, DType dtype);

// Counter-based generator: element i of a draw depends only on (seed, offset + i), so the numbers
// are the same for any thread count.
struct Generator {
  uint64_t seed = 0x5eed;
  uint64_t offset = 0;
};
Tensor rand(const Shape& shape, DType dtype, Generator& g);    // U[0, 1)
Tensor randn(const Shape& shape, DType dtype, Generator& g);   // N(0, 1)
Tensor randint(int64_t low, int64_t high, const Shape& shape, DType dtype, Generator& g);
Tensor bernoulli_mask(const Shape& shape, double keep_prob, DType dtype, Generator& g);  // 0/1
void uniform_(const Tensor& t, double low, double high, Generator& g);  // in place
void normal_(const Tensor& t, double mean, double std, Generator& g);   // in place

// ---- conversion / copies ----
Tensor to_dtype(const Tensor& a, DType dtype);  // differentiable between float dtypes

// Runs f on a tensor of a storage-only dtype (uint8, float16, bfloat16) converted to its compute
// dtype (int32, float32) and rounds the result back to the storage dtype when it comes out in the
// compute dtype: sum of float16 is float16 (accumulated in float32), argmax gives int32 either
// way. keep_int_result: integer results stay int32 (sum of uint8 does not wrap at 255).
// Differentiable, since to_dtype is. Ops call it first thing: `if (is_storage_only(a.dtype()))`.
// An operand of an op whose result dtype is the storage dtype `dt`: first in dt (a float32 0-d
// operand of a float16 op rounds to float16, as PyTorch casts to the common dtype), then in dt's
// compute dtype. Differentiable.
inline Tensor operand_in_compute_dtype(const Tensor& x, DType dt) {
  return to_dtype(to_dtype(x, dt), compute_dtype(dt));
}

template <typename F>
Tensor in_compute_dtype(const Tensor& a, F&& f, bool keep_int_result = false) {
  const DType c = compute_dtype(a.dtype());
  Tensor r = f(to_dtype(a, c));
  if (r.dtype() != c || (keep_int_result && is_integer(c))) return r;
  return to_dtype(r, a.dtype());
}
Tensor contiguous(const Tensor& a);             // a itself when already contiguous
Tensor clone(const Tensor& a);
Tensor detach(const Tensor& a);                 // shares storage, no grad
void copy_(const Tensor& dst, const Tensor& src);  // in place, broadcasts src; bumps version
void fill_(const Tensor& dst, double value);       // in place
// The user-facing in-place write (ops_inplace.cpp): copies `value` (broadcast to dst's shape, cast
// to its dtype) into dst and gives dst (and the base it is a view of) the history of that value.
// An Error for a leaf that requires grad (or a view of one) while grad mode is on.
void assign_(const Tensor& dst, const Tensor& value, const char* op);
// A view whose base's history was rewritten by an in-place write since the view's own history was
// derived gets its history re-derived from the base's (called by the tape for every view input).
void refresh_view_history(const Tensor& view);

// Reads element i (flat, logical order) as double.
double item_at(const Tensor& a, int64_t i);

// ---- elementwise (the ops of op_table.h; their math in elementwise_rules.h) ----
Tensor unary(Unary u, const Tensor& a);
inline Tensor neg(const Tensor& a) { return unary(Unary::Neg, a); }
inline Tensor exp(const Tensor& a) { return unary(Unary::Exp, a); }
inline Tensor log(const Tensor& a) { return unary(Unary::Log, a); }
inline Tensor sqrt(const Tensor& a) { return unary(Unary::Sqrt, a); }
inline Tensor tanh(const Tensor& a) { return unary(Unary::Tanh, a); }
inline Tensor sigmoid(const Tensor& a) { return unary(Unary::Sigmoid, a); }
inline Tensor relu(const Tensor& a) { return unary(Unary::Relu, a); }
Tensor leaky_relu(const Tensor& a, double slope);

Tensor binary(Binary op, const Tensor& a, const Tensor& b);
inline Tensor add(const Tensor& a, const Tensor& b) { return binary(Binary::Add, a, b); }
inline Tensor sub(const Tensor& a, const Tensor& b) { return binary(Binary::Sub, a, b); }
inline Tensor mul(const Tensor& a, const Tensor& b) { return binary(Binary::Mul, a, b); }
inline Tensor div(const Tensor& a, const Tensor& b) { return binary(Binary::Div, a, b); }
inline Tensor pow(const Tensor& a, const Tensor& b) { return binary(Binary::Pow, a, b); }
inline Tensor maximum(const Tensor& a, const Tensor& b) { return binary(Binary::Maximum, a, b); }
inline Tensor minimum(const Tensor& a, const Tensor& b) { return binary(Binary::Minimum, a, b); }
// Binary op with a JavaScript number on one side; the number does not promote the dtype
// (float32 tensor * 2.5 stays float32; int32 tensor * 2.5 becomes float32).
Tensor binary_scalar(Binary op, const Tensor& a, double s, bool scalar_on_left);
Tensor scalar_like(double s, const Tensor& other);  // 0-d tensor of the dtype the rule above picks

Tensor compare(Compare c, const Tensor& a, const Tensor& b);  // -> bool, not differentiable
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor clamp(const Tensor& a, std::optional<double> lo, std::optional<double> hi);
Tensor logical_not(const Tensor& a);

// Result dtype and shape rules (op_rules.cpp), exposed for the binding and the TS layer's checks.
DType promote(DType a, DType b);
DType result_type(const Tensor& a, const Tensor& b);  // promote, with PyTorch's 0-d rule
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// ---- reductions (axes empty = all) ----
Tensor sum(const Tensor& a, std::vector<int64_t> axes, bool keepdim);
Tensor mean(const Tensor& a, std::vector<int64_t> axes, bool keepdim);
Tensor amax(const Tensor& a, std::vector<int64_t> axes, bool keepdim);
Tensor amin(const Tensor& a, std::vector<int64_t> axes, bool keepdim);
Tensor argmax(const Tensor& a, std::optional<int64_t> axis, bool keepdim);  // int32
Tensor argmin(const Tensor& a, std::optional<int64_t> axis, bool keepdim);
Tensor var(const Tensor& a, std::vector<int64_t> axes, bool keepdim, double correction);
Tensor std_(const Tensor& a, std::vector<int64_t> axes, bool keepdim, double correction);
Tensor logsumexp(const Tensor& a, std::vector<int64_t> axes, bool keepdim);
Tensor prod(const Tensor& a, std::vector<int64_t> axes, bool keepdim);   // int / bool wrap in int32
Tensor norm2(const Tensor& a, std::vector<int64_t> axes, bool keepdim);  // sqrt(sum(x^2)), float
Tensor softmax(const Tensor& a, int64_t axis);
Tensor log_softmax(const Tensor& a, int64_t axis);

// ---- linear algebra ----
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- shape (views where possible) ----
Tensor reshape(const Tensor& a, Shape shape);  // one -1 allowed
Tensor transpose(const Tensor& a, int64_t d0, int64_t d1);
Tensor permute(const Tensor& a, std::vector<int64_t> dims);
Tensor squeeze(const Tensor& a, std::optional<int64_t> dim);
Tensor unsqueeze(const Tensor& a, int64_t dim);
Tensor expand(const Tensor& a, Shape shape);  // -1 keeps a dim
Tensor flatten(const Tensor& a, int64_t start, int64_t end);
Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& a, int64_t dim, int64_t index);
Tensor concat(const std::vector<Tensor>& ts, int64_t dim);
Tensor stack(const std::vector<Tensor>& ts, int64_t dim);
std::vector<Tensor> split(const Tensor& a, int64_t size, int64_t dim);
std::vector<Tensor> chunk(const Tensor& a, int64_t n, int64_t dim);
std::vector<Tensor> unbind(const Tensor& a, int64_t dim);  // views without `dim`, one node
// Zeros of `shape` with `g` placed at [start, start+len) along dim: the adjoint of narrow.
Tensor pad_narrow(const Tensor& g, const Shape& shape, int64_t dim, int64_t start);

// ---- indexing ----
Tensor gather(const Tensor& a, int64_t dim, const Tensor& index);
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index);
Tensor index_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);
Tensor one_hot(const Tensor& index, int64_t classes);

// Normalises an axis (negative counts from the end); RangeError naming the op otherwise.
int64_t norm_axis(int64_t axis, int64_t ndim, const char* op);

}  // namespace tf
