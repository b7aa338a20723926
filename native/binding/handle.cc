#include "handle.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tfb {

static const napi_type_tag kTensorTag = {0x7e45f01d2a8b4c11ULL, 0x9d3e6b5a1c2f8e07ULL};

std::shared_ptr<EnvState> StatePtr(Napi::Env env) {
  auto* p = env.GetInstanceData<std::shared_ptr<EnvState>>();
  return *p;
}
EnvState& State(Napi::Env env) { return **env.GetInstanceData<std::shared_ptr<EnvState>>(); }

// V8 must know how much memory tensor handles keep alive, or a loop that never disposes its tensors
// would hold gigabytes behind a few KB of JS heap and never collect them. But V8 starts a full
// (incremental, then mark-compact) collection whenever the reported total rises more than 64 MiB
// above its value at the end of the last one. A loop that frees its tensors itself (tidy, dispose)
// and allocates them again every step therefore paid a full GC per step, with the concurrent
// marker taking one of the two cores the kernels run on: a.mul(b) three times per tidy on 64 MiB
// tensors ran 10.6 ms per iteration with a mark-compact every 11 ms, 6.2 ms with the scheme below;
// the ew_fma_16M bench row 6.9 -> 3.7 ms (AMD EPYC, 2 threads).
// So memory freed by the program (dispose, tidy) is reported late: V8 is told the peak of the last
// window of at least a second, so memory that goes up and down within each step triggers nothing,
// and memory that really shrinks is seen shrinking a second or two later. Memory freed by the
// collector (finalizers) and every rise above what V8 was told are reported at once, exactly as
// before. (Holding back the collector's frees too made V8 11.3 start a second marking between the
// end of one and its mark-compact, and abort: "Check failed: marking_done_".)
static int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

static void TellV8(node_api_basic_env env, EnvState& st, int64_t delta) {
  int64_t total;
  napi_adjust_external_memory(env, delta, &total);
  st.reported_bytes += delta;
}

static void ReportBytes(node_api_basic_env env, EnvState& st, int64_t delta, bool collected) {
  constexpr int64_t kWindowNs = 1000000000;
  st.live_bytes += delta;
  st.window_peak_bytes = std::max(st.window_peak_bytes, st.live_bytes);
  if (delta > 0) {
    if (st.live_bytes > st.reported_bytes) TellV8(env, st, st.live_bytes - st.reported_bytes);
    return;
  }
  if (collected) {
    TellV8(env, st, delta);
    return;
  }
  if (st.live_bytes >= st.reported_bytes) return;
  // Reading the clock costs about as much as a small op's bookkeeping, so small frees look at it
  // only every 256th time.
  if (-delta < (int64_t(1) << 20) && (++st.frees_since_clock & 255) != 0) return;
  const int64_t now = SteadyNs();
  if (now - st.report_window_start_ns < kWindowNs) return;
  if (st.window_peak_bytes < st.reported_bytes) TellV8(env, st, st.window_peak_bytes - st.reported_bytes);
  st.report_window_start_ns = now;
  st.window_peak_bytes = st.live_bytes;
}

// Counts one more handle on the storage; the first handle of this environment adds its bytes.
static void AddRef(node_api_basic_env env, EnvState& st, Holder* h) {
  tf::Storage* s = h->t.storage().get();
  if (!s) return;
  void* owner = s->js_owner.load(std::memory_order_acquire);
  if (owner != &st && st.storage_refs.empty()) {
    void* expected = nullptr;
    if (owner == nullptr &&
        s->js_owner.compare_exchange_strong(expected, &st, std::memory_order_acq_rel))
      owner = &st;
  }
  if (owner == &st && (st.storage_refs.empty() || !st.storage_refs.count(s))) {
    h->counted_on_storage = true;
    if (++s->js_refs == 1) ReportBytes(env, st, int64_t(s->nbytes), false);
    return;
  }
  // Rare: the storage's count belongs to another environment (or this one already counts it in
  // the map), so count it in this environment's map.
  if (++st.storage_refs[s] == 1) ReportBytes(env, st, int64_t(s->nbytes), false);
}

static void DropRef(node_api_basic_env env, EnvState& st, Holder* h, bool collected) {
  tf::Storage* s = h->t.storage().get();
  if (!s) return;
  if (h->counted_on_storage) {
    if (--s->js_refs == 0) {
      ReportBytes(env, st, -int64_t(s->nbytes), collected);
      s->js_owner.store(nullptr, std::memory_order_release);
    }
    return;
  }
  auto it = st.storage_refs.find(s);
  if (it == st.storage_refs.end()) return;
  if (--it->second == 0) {
    st.storage_refs.erase(it);
    ReportBytes(env, st, -int64_t(s->nbytes), collected);
  }
}

void Release(node_api_basic_env env, Holder* h, bool collected) {
  if (h->disposed) return;
  h->disposed = true;
  EnvState& st = *h->env;
  st.live_tensors--;
  DropRef(env, st, h, collected);
  h->t = tf::Tensor();
}

// A "basic" finalizer: it touches no JavaScript, so Node runs it during garbage collection rather
// than from a later setImmediate. That matters: a synchronous training loop never yields to the
// event loop, and deferred finalizers would let never-disposed tensors pile up without bound.
static void FinalizeHolder(node_api_basic_env env, void* data, void*) {
  auto* h = static_cast<Holder*>(data);
  Release(env, h, true);
  delete h;
}

// Every handle is a type-tagged external with a finalizer, which costs far more than the op
// itself on small tensors: Node allocates two objects with a weak global handle each, and every
// scavenge walks the dead ones, queues their callbacks and frees them. 10,000 a.add(b).dispose()
// on 16 floats: ~590 ns per op with scavenges counted, of which ~340 ns were the handle's
// creation and collection (AMD EPYC, Node 20). So a handle disposed through Tensor.dispose() goes
// to a small pool and the next result reuses it: its external and finalizer stay registered, the
// Holder gets the new tensor. A strong reference keeps a pooled handle alive (and out of the
// collector's weak processing) until it is reused.
static constexpr size_t kHandlePoolMax = 1024;

void Recycle(napi_env env, napi_value v, Holder* h) {
  if (h->disposed) return;  // disposed already: possibly pooled, never pool it twice
  Release(env, h);
  EnvState& st = *h->env;
  if (st.handle_pool.size() >= kHandlePoolMax) return;
  napi_ref ref;
  if (napi_create_reference(env, v, 1, &ref) != napi_ok) return;
  st.handle_pool.push_back({h, ref});
}

static napi_value Reuse(napi_env env, EnvState& st, const tf::Tensor& t) {
  while (!st.handle_pool.empty()) {
    EnvState::PooledHandle p = st.handle_pool.back();
    st.handle_pool.pop_back();
    napi_value v = nullptr;
    napi_get_reference_value(env, p.ref, &v);
    napi_delete_reference(env, p.ref);
    if (!v) continue;
    Holder* h = p.holder;
    h->t = t;
    h->disposed = false;
    h->counted_on_storage = false;
    st.live_tensors++;
    AddRef(env, st, h);
    return v;
  }
  return nullptr;
}

static napi_value NewHandle(napi_env env, Holder* h) {
  napi_value ext;
  if (napi_create_external(env, h, FinalizeHolder, nullptr, &ext) != napi_ok) return nullptr;
  napi_type_tag_object(env, ext, &kTensorTag);
  return ext;
}

Napi::Value Wrap(Napi::Env env, const tf::Tensor& t) {
  EnvState& st = State(env);
  if (napi_value v = Reuse(env, st, t)) return Napi::Value(env, v);
  auto* h = new Holder{t, StatePtr(env), false, false};
  st.live_tensors++;
  AddRef(env, st, h);
  napi_value ext = NewHandle(env, h);
  if (!ext) {
    Release(env, h);
    delete h;
    tf::fail(tf::ErrorCode::Internal, "internal error: could not create a tensor handle");
  }
  return Napi::Value(env, ext);
}

Napi::Value DisposedHandle(Napi::Env env) {
  auto* h = new Holder{tf::Tensor(), StatePtr(env), true, false};
  napi_value ext = NewHandle(env, h);
  if (!ext) {
    delete h;
    tf::fail(tf::ErrorCode::Internal, "internal error: could not create a tensor handle");
  }
  return Napi::Value(env, ext);
}

Napi::Value Fail(Napi::Env env, const Napi::Error& e) {
  if (!State(env).return_errors) throw e;
  Napi::Object r = Napi::Object::New(env);
  r.Set("tfError", e.Value());
  return r;
}

Napi::Value FailEngine(Napi::Env env, const tf::Error& e) {
  Napi::Error err = e.kind == tf::ErrorKind::Type    ? Napi::TypeError::New(env, e.what())
                    : e.kind == tf::ErrorKind::Range ? Napi::RangeError::New(env, e.what())
                                                     : Napi::Error::New(env, e.what());
  err.Set("code", Napi::String::New(env, tf::error_code_name(e.code)));
  return Fail(env, err);
}

void DrainDeadRefs(Napi::Env env) {
  EnvState& st = State(env);
  for (napi_ref r : st.dead_refs) napi_delete_reference(env, r);
  st.dead_refs.clear();
}

// The tensor handle's Holder, or null when v is anything else. napi_get_value_external fails
// (status only, no exception) on a non-external, so it doubles as the type check that used to
// be a separate napi_typeof; the tag then tells our externals from other addons'.
static Holder* HolderOf(napi_env env, napi_value v) {
  void* data = nullptr;
  if (napi_get_value_external(env, v, &data) != napi_ok) return nullptr;
  bool ok = false;
  napi_check_object_type_tag(env, v, &kTensorTag, &ok);
  return ok ? static_cast<Holder*>(data) : nullptr;
}

bool IsHandle(Napi::Env env, Napi::Value v) { return HolderOf(env, v) != nullptr; }

const tf::Tensor* LiveTensorOf(Napi::Env env, Napi::Value v) {
  Holder* h = HolderOf(env, v);
  return h && !h->disposed ? &h->t : nullptr;
}

const tf::Tensor& UnwrapRef(Napi::Env env, Napi::Value v, const char* op) {
  Holder* h = HolderOf(env, v);
  if (!h) tf::fail(tf::ErrorCode::Argument, std::string(op) + ": expected a Tensor");
  if (h->disposed)
    tf::fail(tf::ErrorCode::Disposed, std::string(op) + ": tensor has been disposed");
  return h->t;
}

tf::Tensor UnwrapValue(Napi::Env env, Napi::Value v, const char* op) { return UnwrapRef(env, v, op); }

tf::Tensor Unwrap(const Napi::CallbackInfo& info, size_t i, const char* op) {
  return UnwrapRef(info.Env(), info[i], op);
}

tf::Tensor UnwrapOptional(const Napi::CallbackInfo& info, size_t i, const char* op) {
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return tf::Tensor();
  return Unwrap(info, i, op);
}

double ArgNum(const Napi::CallbackInfo& info, size_t i, const char* op, const char* what) {
  if (!info[i].IsNumber())
    tf::fail(tf::ErrorCode::Argument, std::string(op) + ": " + what + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

int64_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* op, const char* what) {
  double d = ArgNum(info, i, op, what);
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0)
    tf::fail(tf::ErrorCode::Argument, std::string(op) + ": " + what + " must be an integer, got " +
                                               std::to_string(d));
  return int64_t(d);
}

std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* op, const char* what) {
  if (!info[i].IsString()) tf::fail(tf::ErrorCode::Argument, std::string(op) + ": " + what + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].ToBoolean().Value();
}

tf::Shape ArgShape(const Napi::CallbackInfo& info, size_t i, const char* op) {
  if (!info[i].IsArray()) tf::fail(tf::ErrorCode::Argument, std::string(op) + ": shape must be an array");
  auto arr = info[i].As<Napi::Array>();
  // The length is read once: an element getter may grow the array while it is being read.
  tf::Shape s(arr.Length());
  for (uint32_t k = 0; k < s.size(); k++) {
    Napi::Value v = arr[k];
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(d) || std::floor(d) != d)
      tf::fail(tf::ErrorCode::Argument, std::string(op) + ": shape entries must be integers");
    if (std::fabs(d) > 9007199254740991.0)
      tf::fail(tf::ErrorKind::Range, tf::ErrorCode::Argument, std::string(op) + ": shape entry too large");
    s[k] = int64_t(d);
  }
  return s;
}

tf::DType ArgDType(const Napi::CallbackInfo& info, size_t i, const char* op) {
  int64_t d = ArgInt(info, i, op, "dtype");
  if (d < 0 || d >= tf::kDTypeCount) tf::fail(tf::ErrorCode::DType, std::string(op) + ": unknown dtype");
  return tf::DType(d);
}

std::vector<tf::Tensor> ArgTensors(const Napi::CallbackInfo& info, size_t i, const char* op, bool allow_null) {
  if (!info[i].IsArray()) tf::fail(tf::ErrorCode::Argument, std::string(op) + ": expected an array of Tensors");
  auto arr = info[i].As<Napi::Array>();
  std::vector<tf::Tensor> r;
  // The length is read once: an element getter may resize the array while it is being read.
  uint32_t n = arr.Length();
  r.reserve(n);
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value v = arr[k];
    if (allow_null && (v.IsNull() || v.IsUndefined())) r.push_back(tf::Tensor());
    else if (v.IsNull() || v.IsUndefined())
      tf::fail(tf::ErrorCode::Argument, std::string(op) + ": element " + std::to_string(k) + " is not a Tensor");
    else r.push_back(UnwrapValue(info.Env(), v, op));
  }
  return r;
}

Napi::Value WrapAll(Napi::Env env, const std::vector<tf::Tensor>& ts) {
  auto arr = Napi::Array::New(env, ts.size());
  for (size_t k = 0; k < ts.size(); k++)
    arr.Set(uint32_t(k), ts[k].defined() ? Wrap(env, ts[k]) : env.Null());
  return arr;
}

}  // namespace tfb
