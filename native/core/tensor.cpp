#include "tensor.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

#include "autograd.h"

namespace tf {

namespace {
std::atomic<int64_t> g_live_storages{0};
std::atomic<int64_t> g_live_bytes{0};
}  // namespace

const char* dtype_name(DType d) {
  switch (d) {
    case DType::F32: return "float32";
    case DType::F64: return "float64";
    case DType::I32: return "int32";
    case DType::Bool: return "bool";
  }
  return "?";
}

size_t dtype_size(DType d) {
  switch (d) {
    case DType::F32: return 4;
    case DType::F64: return 8;
    case DType::I32: return 4;
    case DType::Bool: return 1;
  }
  return 1;
}

std::string shape_str(const Shape& s) {
  std::ostringstream o;
  o << '[';
  for (size_t i = 0; i < s.size(); i++) o << (i ? "," : "") << s[i];
  o << ']';
  return o.str();
}

void fail(const std::string& msg) { throw Error(ErrorKind::Error, msg); }
void fail_type(const std::string& msg) { throw Error(ErrorKind::Type, msg); }
void fail_range(const std::string& msg) { throw Error(ErrorKind::Range, msg); }

Storage::Storage(size_t n, bool zero) : nbytes(n) {
  size_t alloc = (n + 63) / 64 * 64;
  if (alloc == 0) alloc = 64;
  // malloc plus manual alignment: for the many small tensors of eager code glibc's memalign costs
  // several times a plain malloc (which small sizes serve from its per-thread cache).
  block = alloc <= size_t(-1) - 64 ? std::malloc(alloc + 64) : nullptr;
  if (!block) fail("out of memory allocating " + std::to_string(n) + " bytes");
  data = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(block) + 63) & ~uintptr_t(63));
  if (zero) std::memset(data, 0, alloc);
  g_live_storages++;
  g_live_bytes += int64_t(n);
}

Storage::~Storage() {
  std::free(block);
  g_live_storages--;
  g_live_bytes -= int64_t(nbytes);
}

int64_t live_storage_count() { return g_live_storages.load(); }
int64_t live_storage_bytes() { return g_live_bytes.load(); }

DType Tensor::dtype() const { return impl_->dtype; }
const Shape& Tensor::shape() const { return impl_->shape; }
const Shape& Tensor::strides() const { return impl_->strides; }
int64_t Tensor::offset() const { return impl_->offset; }
int64_t Tensor::dim() const { return int64_t(impl_->shape.size()); }
int64_t Tensor::numel() const {
  int64_t n = 1;
  for (auto s : impl_->shape) n *= s;
  return n;
}
int64_t Tensor::size(int64_t d) const {
  int64_t nd = dim();
  if (d < 0) d += nd;
  if (d < 0 || d >= nd) fail_range("size: dim out of range for shape " + shape_str(shape()));
  return impl_->shape[d];
}
bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (int64_t i = dim() - 1; i >= 0; i--) {
    if (impl_->shape[i] == 1) continue;
    if (impl_->strides[i] != expected) return false;
    expected *= impl_->shape[i];
  }
  return true;
}
const std::shared_ptr<Storage>& Tensor::storage() const { return impl_->storage; }
void* Tensor::raw_data() const {
  return static_cast<char*>(impl_->storage->data) + impl_->offset * int64_t(dtype_size(dtype()));
}
bool Tensor::requires_grad() const { return impl_->requires_grad; }
void Tensor::set_requires_grad(bool r) {
  if (impl_->grad_fn && !r)
    fail("requiresGrad: cannot turn off requiresGrad on a non-leaf tensor; use detach()");
  if (r && !is_float(dtype()))
    fail_type(std::string("requiresGrad: only floating-point tensors can require grad, got ") +
              dtype_name(dtype()));
  impl_->requires_grad = r;
}
Tensor Tensor::grad() const { return impl_->grad; }
void Tensor::set_grad(const Tensor& g) { impl_->grad = g; }
const std::shared_ptr<Node>& Tensor::grad_fn() const { return impl_->grad_fn; }
bool Tensor::is_leaf() const { return impl_->grad_fn == nullptr; }
void Tensor::bump_version() const { impl_->storage->version++; }
uint64_t Tensor::version() const { return impl_->storage->version.load(); }

int64_t numel_of(const Shape& s, const char* op) {
  int64_t n = 1;
  for (auto d : s) {
    if (d < 0) fail_range(std::string(op) + ": negative dimension in shape " + shape_str(s));
    if (d != 0 && n > kMaxElements / d)
      fail_range(std::string(op) + ": shape " + shape_str(s) + " is too large (more than 2^40 elements)");
    n *= d;
  }
  if (n > kMaxElements)
    fail_range(std::string(op) + ": shape " + shape_str(s) + " is too large (more than 2^40 elements)");
  return n;
}

Shape contiguous_strides(const Shape& s) {
  Shape st(s.size());
  int64_t acc = 1;
  for (int64_t i = int64_t(s.size()) - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= s[i] > 0 ? s[i] : 1;
  }
  return st;
}

static Tensor new_tensor(const Shape& shape, DType dtype, bool zero) {
  int64_t n = numel_of(shape, "tensor");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(size_t(n) * dtype_size(dtype), zero);
  impl->dtype = dtype;
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  return Tensor(impl);
}

Tensor empty(const Shape& shape, DType dtype) { return new_tensor(shape, dtype, true); }
Tensor empty_uninit(const Shape& shape, DType dtype) { return new_tensor(shape, dtype, false); }

Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.storage();
  impl->dtype = base.dtype();
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  return Tensor(impl);
}

template <typename S, typename D>
static void convert_copy(const S* s, D* d, int64_t n) {
  for (int64_t i = 0; i < n; i++) d[i] = static_cast<D>(s[i]);
}

template <typename S>
static void convert_from(const S* s, DType dt, void* dst, int64_t n) {
  switch (dt) {
    case DType::F32: convert_copy(s, static_cast<float*>(dst), n); break;
    case DType::F64: convert_copy(s, static_cast<double*>(dst), n); break;
    case DType::I32: convert_copy(s, static_cast<int32_t*>(dst), n); break;
    case DType::Bool: {
      auto* d = static_cast<uint8_t*>(dst);
      for (int64_t i = 0; i < n; i++) d[i] = s[i] != S(0);
      break;
    }
  }
}

Tensor from_buffer(const void* src, DType src_dtype, const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  int64_t n = t.numel();
  if (n == 0) return t;
  switch (src_dtype) {
    case DType::F32: convert_from(static_cast<const float*>(src), dtype, t.raw_data(), n); break;
    case DType::F64: convert_from(static_cast<const double*>(src), dtype, t.raw_data(), n); break;
    case DType::I32: convert_from(static_cast<const int32_t*>(src), dtype, t.raw_data(), n); break;
    case DType::Bool: convert_from(static_cast<const uint8_t*>(src), dtype, t.raw_data(), n); break;
  }
  return t;
}

}  // namespace tf
