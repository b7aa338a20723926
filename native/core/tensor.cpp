#include "tensor.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>

#include "autograd.h"

namespace tf {

namespace {
std::atomic<int64_t> g_live_storages{0};
std::atomic<int64_t> g_live_bytes{0};

// Freed blocks of 128 KiB and more are kept for reuse, up to a byte limit. glibc returns such blocks
// to the kernel at once (mmap'ed, or trimmed off the heap's top), so every large result would
// otherwise start with one page fault per 4 KiB: measured, a.mul(b).add(c) on 2^24 floats took
// 59 ms, of which the two 64 MiB outputs' page faults were most (the memory-bandwidth floor is
// ~13 ms). The floor was 1 MiB until tf.zeros([768, 128]).add(1) (two 384 KiB blocks per step, as
// a small transformer's activations) measured 270 us against 10 us once cached (AMD EPYC): glibc
// grew and trimmed its heap by those blocks every time. Sizes are rounded up to 64 KiB, so the
// floor also bounds the rounding waste (at most 50%, 12% from 512 KiB). Limit: TENSORFOLD_CACHE_MB
// (default 512; 0 disables).
class BlockCache {
 public:
  static constexpr size_t kMin = size_t(1) << 17;
  static constexpr size_t kGranule = size_t(1) << 16;  // sizes rounded up to 64 KiB for reuse

  static BlockCache& get() {
    // Never destroyed: storages may be freed during static destruction at exit.
    static BlockCache* c = new BlockCache();
    return *c;
  }
  static size_t round(size_t bytes) { return bytes < kMin ? bytes : (bytes + kGranule - 1) / kGranule * kGranule; }

  // A cached block of at least `bytes` (and at most 1.25x), or null. Sets *got to its size.
  void* take(size_t bytes, size_t* got) {
    if (bytes < kMin || limit_ == 0) return nullptr;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.lower_bound(bytes);
    if (it == free_.end() || it->first > bytes + bytes / 4) return nullptr;
    void* b = it->second;
    *got = it->first;
    cached_ -= it->first;
    free_.erase(it);
    return b;
  }
  // Keeps the block if it fits under the limit (evicting the smallest cached blocks); else false.
  bool put(void* block, size_t bytes) {
    if (bytes < kMin || bytes > limit_) return false;
    std::lock_guard<std::mutex> lock(mu_);
    while (cached_ + bytes > limit_ && !free_.empty()) {
      auto it = free_.begin();
      cached_ -= it->first;
      std::free(it->second);
      free_.erase(it);
    }
    free_.emplace(bytes, block);
    cached_ += bytes;
    return true;
  }
  size_t cached() {
    std::lock_guard<std::mutex> lock(mu_);
    return cached_;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& kv : free_) std::free(kv.second);
    free_.clear();
    cached_ = 0;
  }

 private:
  BlockCache() {
    const char* env = std::getenv("TENSORFOLD_CACHE_MB");
    long mb = env ? std::strtol(env, nullptr, 10) : 512;
    limit_ = mb > 0 ? size_t(mb) << 20 : 0;
  }
  std::mutex mu_;
  std::multimap<size_t, void*> free_;
  size_t cached_ = 0;
  size_t limit_ = 0;
};
}  // namespace

int64_t cached_storage_bytes() { return int64_t(BlockCache::get().cached()); }
void empty_cache() { BlockCache::get().clear(); }

const char* dtype_name(DType d) {
  switch (d) {
#define TF_CASE(E, name, T) case DType::E: return name;
    TF_DTYPES(TF_CASE)
#undef TF_CASE
  }
  return "?";
}

size_t dtype_size(DType d) {
  switch (d) {
#define TF_CASE(E, name, T) case DType::E: return sizeof(T);
    TF_DTYPES(TF_CASE)
#undef TF_CASE
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

const char* error_code_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::Shape: return "ERR_TENSORFOLD_SHAPE";
    case ErrorCode::DType: return "ERR_TENSORFOLD_DTYPE";
    case ErrorCode::Axis: return "ERR_TENSORFOLD_AXIS";
    case ErrorCode::Argument: return "ERR_TENSORFOLD_ARGUMENT";
    case ErrorCode::Disposed: return "ERR_TENSORFOLD_DISPOSED";
    case ErrorCode::State: return "ERR_TENSORFOLD_STATE";
    case ErrorCode::IO: return "ERR_TENSORFOLD_IO";
    case ErrorCode::Memory: return "ERR_TENSORFOLD_MEMORY";
    case ErrorCode::Distributed: return "ERR_TENSORFOLD_DISTRIBUTED";
    case ErrorCode::Internal: return "ERR_TENSORFOLD_INTERNAL";
  }
  return "ERR_TENSORFOLD_INTERNAL";
}
ErrorKind error_code_kind(ErrorCode c) {
  switch (c) {
    case ErrorCode::DType:
    case ErrorCode::Argument: return ErrorKind::Type;
    case ErrorCode::Axis:
    case ErrorCode::Memory: return ErrorKind::Range;
    default: return ErrorKind::Error;
  }
}
void fail(const std::string& msg) { throw Error(ErrorKind::Error, ErrorCode::Shape, msg); }
void fail_type(const std::string& msg) { throw Error(ErrorKind::Type, ErrorCode::DType, msg); }
void fail_unsupported_dtype(DType d) {
  fail_type(std::string(dtype_name(d)) + " tensors are not supported by this operation (a storage dtype: " +
            "convert with .to('" + dtype_name(compute_dtype(d)) + "') first)");
}
void fail_range(const std::string& msg) { throw Error(ErrorKind::Range, ErrorCode::Axis, msg); }
void fail(ErrorCode code, const std::string& msg) { throw Error(error_code_kind(code), code, msg); }
void fail(ErrorKind kind, ErrorCode code, const std::string& msg) { throw Error(kind, code, msg); }

Storage::Storage(size_t n, bool zero) : nbytes(n) {
  size_t alloc = (n + 63) / 64 * 64;
  if (alloc == 0) alloc = 64;
  if (alloc > size_t(-1) - 2 * BlockCache::kGranule) fail(ErrorCode::Memory, "out of memory allocating " + std::to_string(n) + " bytes");
  block_bytes = BlockCache::round(alloc + 64);
  size_t got = 0;
  block = BlockCache::get().take(block_bytes, &got);
  if (block) {
    block_bytes = got;
  } else {
    // malloc plus manual alignment: for the many small tensors of eager code glibc's memalign
    // costs several times a plain malloc (which small sizes serve from its per-thread cache).
    block = std::malloc(block_bytes);
    if (!block) fail(ErrorCode::Memory, "out of memory allocating " + std::to_string(n) + " bytes");
  }
  data = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(block) + 63) & ~uintptr_t(63));
  if (zero) std::memset(data, 0, alloc);
  g_live_storages++;
  g_live_bytes += int64_t(n);
}

Storage::~Storage() {
  if (!BlockCache::get().put(block, block_bytes)) std::free(block);
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
    fail(ErrorCode::State, "requiresGrad: cannot turn off requiresGrad on a non-leaf tensor; use detach()");
  if (r && !is_floating(dtype()))
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
    if (d < 0) fail(ErrorKind::Range, ErrorCode::Argument, std::string(op) + ": negative dimension in shape " + shape_str(s));
    if (d != 0 && n > kMaxElements / d)
      fail(ErrorKind::Range, ErrorCode::Argument, std::string(op) + ": shape " + shape_str(s) + " is too large (more than 2^40 elements)");
    n *= d;
  }
  if (n > kMaxElements)
    fail(ErrorKind::Range, ErrorCode::Argument, std::string(op) + ": shape " + shape_str(s) + " is too large (more than 2^40 elements)");
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
  auto root = base.impl()->view_base.lock();
  impl->view_base = root ? root : base.ptr();
  impl->view_base_fn = root ? root->grad_fn : base.impl()->grad_fn;
  return Tensor(impl);
}

Tensor from_buffer(const void* src, DType src_dtype, const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  const int64_t n = t.numel();
  if (n == 0) return t;
  TF_DISPATCH_STORED(src_dtype, S, {
    TF_DISPATCH_STORED(dtype, D, {
      const S* s = static_cast<const S*>(src);
      D* d = t.data<D>();
      for (int64_t i = 0; i < n; i++) d[i] = convert<D>(s[i]);
    });
  });
  return t;
}

}  // namespace tf
