// tensorfold engine: tensors, storage and strided views.
//
// A Tensor is a cheap, refcounted handle to a TensorImpl: storage + dtype + shape + strides +
// offset. Views (reshape of contiguous data, transpose, permute, narrow, select, expand, squeeze,
// unsqueeze) share storage. Autograd state lives in the impl (requires_grad, grad, grad_fn).
//
// Example (C++):
//   tf::Tensor a = tf::full({2, 3}, 1.0, tf::DType::F32);
//   a.set_requires_grad(true);
//   tf::Tensor y = tf::sum(tf::mul(a, a), {}, false);   // y = sum(a^2)
//   tf::backward(y, tf::Tensor(), false, false);         // a.grad() == 2a
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "scalar_types.h"

namespace tf {

// The one list of dtypes: X(Enum, "jsName", element type). The order is the dtype's number across
// the binding (lib/args.ts DTYPES lists the names in this order; test/dtypes.test.js checks it).
// The last four are storage dtypes as far as math goes: int64 computes natively as an integer,
// uint8 computes in int32 and float16/bfloat16 in float32, each rounded back (compute_dtype).
#define TF_DTYPES(X)          \
  X(F32, "float32", float)    \
  X(F64, "float64", double)   \
  X(I32, "int32", int32_t)    \
  X(Bool, "bool", uint8_t)    \
  X(I64, "int64", int64_t)    \
  X(U8, "uint8", ::tf::u8)    \
  X(F16, "float16", ::tf::f16) \
  X(BF16, "bfloat16", ::tf::bf16)

#define TF_DTYPE_ENUM_(E, name, T) E,
enum class DType : uint8_t { TF_DTYPES(TF_DTYPE_ENUM_) };
#undef TF_DTYPE_ENUM_
#define TF_DTYPE_COUNT_(E, name, T) +1
constexpr int kDTypeCount = 0 TF_DTYPES(TF_DTYPE_COUNT_);
#undef TF_DTYPE_COUNT_
const char* dtype_name(DType d);
size_t dtype_size(DType d);
// float32 / float64: the dtypes the float kernels run on.
inline bool is_float(DType d) { return d == DType::F32 || d == DType::F64; }
// Any floating-point dtype, the half types included (what can require grad, what promotes as float).
inline bool is_half(DType d) { return d == DType::F16 || d == DType::BF16; }
inline bool is_floating(DType d) { return is_float(d) || is_half(d); }
inline bool is_integer(DType d) { return d == DType::I32 || d == DType::I64 || d == DType::U8; }
// The dtype an op computes in for a tensor of dtype d: float16/bfloat16 in float32, uint8 in
// int32 (the results round back to d where the op's result has the input's dtype).
inline DType compute_dtype(DType d) {
  return is_half(d) ? DType::F32 : d == DType::U8 ? DType::I32 : d;
}
inline bool is_storage_only(DType d) { return compute_dtype(d) != d; }

// The dispatch cases of the dtypes kernels compute in (float32, float64, int32, bool, int64).
#define TF_COMPUTE_CASES_(T, ...)                                        \
  case ::tf::DType::F32: { using T = float; __VA_ARGS__; break; }        \
  case ::tf::DType::F64: { using T = double; __VA_ARGS__; break; }       \
  case ::tf::DType::I32: { using T = int32_t; __VA_ARGS__; break; }      \
  case ::tf::DType::Bool: { using T = uint8_t; __VA_ARGS__; break; }     \
  case ::tf::DType::I64: { using T = int64_t; __VA_ARGS__; break; }

// Runs the block with T = the element type of DT, for every dtype (data movement: copies,
// conversions, gathers, fills).
#define TF_DISPATCH_STORED(DT, T, ...)                                     \
  switch (DT) {                                                            \
    TF_COMPUTE_CASES_(T, __VA_ARGS__)                                      \
    case ::tf::DType::U8: { using T = ::tf::u8; __VA_ARGS__; break; }      \
    case ::tf::DType::F16: { using T = ::tf::f16; __VA_ARGS__; break; }    \
    case ::tf::DType::BF16: { using T = ::tf::bf16; __VA_ARGS__; break; }  \
  }
// (A macro cannot be generated from TF_DTYPES and still take the block; this keeps them in step.)
static_assert(kDTypeCount == 8, "a dtype was added to TF_DTYPES: add it to TF_DISPATCH_STORED");

// Runs the block with T = the element type of DT for the dtypes kernels compute in. A
// storage-only dtype reaching it means an op forgot to convert its input with compute_dtype: a
// clear TypeError rather than arithmetic on raw bits.
#define TF_DISPATCH_ALL(DT, T, ...)                                           \
  switch (DT) {                                                               \
    TF_COMPUTE_CASES_(T, __VA_ARGS__)                                         \
    default: ::tf::fail_unsupported_dtype(DT);                                \
  }

using Shape = std::vector<int64_t>;
std::string shape_str(const Shape& s);  // "[2,3]"

// Errors cross into JavaScript as Error / TypeError / RangeError with this message and a stable
// `code` (ERR_TENSORFOLD_<CODE>, listed in the README). The class follows from the code unless
// given; fail / fail_type / fail_range keep their classes and take the code most of their calls
// mean (SHAPE, DTYPE, AXIS): pass a code where another one fits.
enum class ErrorKind { Error, Type, Range };
enum class ErrorCode : uint8_t { Shape, DType, Axis, Argument, Disposed, State, IO, Memory, Distributed, Internal };
const char* error_code_name(ErrorCode c);  // "ERR_TENSORFOLD_SHAPE", ...
ErrorKind error_code_kind(ErrorCode c);    // the class an error of this code has by default
struct Error : std::runtime_error {
  ErrorKind kind;
  ErrorCode code;
  Error(ErrorKind k, ErrorCode c, const std::string& msg) : std::runtime_error(msg), kind(k), code(c) {}
};
[[noreturn]] void fail(const std::string& msg);        // Error, ERR_TENSORFOLD_SHAPE
[[noreturn]] void fail_type(const std::string& msg);   // TypeError, ERR_TENSORFOLD_DTYPE
[[noreturn]] void fail_range(const std::string& msg);  // RangeError, ERR_TENSORFOLD_AXIS
[[noreturn]] void fail(ErrorCode code, const std::string& msg);  // class from error_code_kind
[[noreturn]] void fail(ErrorKind kind, ErrorCode code, const std::string& msg);
// TypeError for a storage-only dtype (uint8, float16, bfloat16) reaching a kernel directly.
[[noreturn]] void fail_unsupported_dtype(DType d);

// Refcounted, 64-byte aligned buffer. `version` counts in-place writes, so autograd can detect that
// a tensor saved for backward was modified afterwards.
struct Storage {
  void* data = nullptr;
  size_t nbytes = 0;
  void* block = nullptr;  // what was allocated; data is the first 64-byte boundary in it
  size_t block_bytes = 0;
  std::atomic<uint64_t> version{0};
  // JavaScript handles referencing this storage, counted by the binding for the one environment
  // that owns the count (tf.memory() counts each storage's bytes once); not used by the engine.
  std::atomic<void*> js_owner{nullptr};
  int64_t js_refs = 0;
  explicit Storage(size_t nbytes, bool zero = true);  // zero-filled unless zero is false
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

// Live storage counters across the process (for leak tests); per-environment accounting is the
// binding's job.
int64_t live_storage_count();
int64_t live_storage_bytes();
// Bytes of freed large blocks kept for reuse (TENSORFOLD_CACHE_MB), and a way to release them.
int64_t cached_storage_bytes();
void empty_cache();

struct Node;
struct TensorHooks;  // autograd.h
struct TensorImpl;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& ptr() const { return impl_; }

  DType dtype() const;
  const Shape& shape() const;
  const Shape& strides() const;
  int64_t offset() const;
  int64_t dim() const;
  int64_t numel() const;
  int64_t size(int64_t d) const;  // negative d allowed
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const;

  template <typename T>
  T* data() const;  // pointer to element [0,...,0] (storage + offset)
  void* raw_data() const;

  bool requires_grad() const;
  void set_requires_grad(bool r);  // leaves only
  Tensor grad() const;
  void set_grad(const Tensor& g);
  const std::shared_ptr<Node>& grad_fn() const;
  bool is_leaf() const;

  void bump_version() const;  // call after any in-place write
  uint64_t version() const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  DType dtype = DType::F32;
  Shape shape;
  Shape strides;
  int64_t offset = 0;
  bool requires_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;  // null for leaves
  int output_nr = 0;              // which output of grad_fn this is
  bool retains_grad = false;
  // Tensor.registerHook hooks of a leaf (a non-leaf's live on its grad_fn, which outlives it).
  std::shared_ptr<TensorHooks> hooks;
  // The tensor whose memory this view shares (the root of a chain of views), so that an in-place
  // write through the view can update that tensor's gradient history (ops_inplace.cpp). Weak: a
  // view does not keep its base's graph alive.
  std::weak_ptr<TensorImpl> view_base;
  // The base's grad_fn when this view's history was last derived from it: an in-place write to the
  // base (or another view of it) replaces that node, and the tape then re-derives this view's
  // history from the base's new one before the view is used (PyTorch's view regeneration).
  std::weak_ptr<Node> view_base_fn;
};

// ---- construction ----
int64_t numel_of(const Shape& s, const char* op);  // checks for negative / absurd sizes
Shape contiguous_strides(const Shape& s);
Tensor empty(const Shape& shape, DType dtype);   // zero-filled new storage
// New storage left uninitialised: only for outputs a kernel overwrites entirely (saves a full
// write pass over large results).
Tensor empty_uninit(const Shape& shape, DType dtype);
Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset);
// Copies `n` values of type `src_dtype` from a host buffer into a new tensor of `dtype`.
Tensor from_buffer(const void* src, DType src_dtype, const Shape& shape, DType dtype);

// Maximum elements in one tensor: 2^40 (4 TiB of float32). Beyond it an Error, not an abort.
constexpr int64_t kMaxElements = int64_t(1) << 40;

template <typename T>
T* Tensor::data() const {
  return reinterpret_cast<T*>(static_cast<char*>(impl_->storage->data) +
                              impl_->offset * int64_t(sizeof(T)));
}

}  // namespace tf
