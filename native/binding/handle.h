// JS <-> engine glue: wrapping tensors in type-tagged externals, per-environment state, argument
// unpacking and error translation. No math here.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "../core/ops.h"

namespace tfb {

// State of one JavaScript environment (the main thread or one worker_thread).
struct EnvState {
  tf::Generator gen;
  int64_t live_tensors = 0;
  int64_t live_bytes = 0;
  // What V8 has been told of live_bytes (napi_adjust_external_memory), and the peak of live_bytes
  // since report_window_start: see ReportBytes in handle.cc for why the two differ.
  int64_t reported_bytes = 0;
  int64_t window_peak_bytes = 0;
  int64_t report_window_start_ns = 0;
  uint32_t frees_since_clock = 0;
  // Storages referenced by live JS handles, so bytes of views are counted once. The count normally
  // lives on the storage itself (Storage::js_refs); this map is only for a storage whose count is
  // already owned by another environment.
  std::unordered_map<tf::Storage*, int64_t> storage_refs;
  // JS function references whose owners died (possibly during GC, where deleting a reference is
  // not allowed); deleted on the next call from JavaScript.
  std::vector<napi_ref> dead_refs;
  // Return errors as {tfError} values instead of throwing (set by lib/native.ts; see Fail()).
  bool return_errors = false;
  // Handles of disposed tensors kept for reuse by the next results (see Recycle in handle.cc),
  // each held by a strong reference while it waits.
  struct PooledHandle {
    struct Holder* holder;
    napi_ref ref;
  };
  std::vector<PooledHandle> handle_pool;
};

struct Holder {
  tf::Tensor t;
  std::shared_ptr<EnvState> env;
  bool disposed = false;
  bool counted_on_storage = false;  // which of the two counts (see EnvState) holds its reference
};

EnvState& State(Napi::Env env);
std::shared_ptr<EnvState> StatePtr(Napi::Env env);

// Wraps an engine tensor as a JS handle that owns one reference (freed by dispose() or by GC).
Napi::Value Wrap(Napi::Env env, const tf::Tensor& t);
// Unwraps argument i; throws a TypeError naming `op` if it is not a live tensor handle.
tf::Tensor Unwrap(const Napi::CallbackInfo& info, size_t i, const char* op);
tf::Tensor UnwrapValue(Napi::Env env, Napi::Value v, const char* op);
// The handle's tensor itself, not a copy, for ops that call no JavaScript while they use it (a
// JS callback could dispose the handle and reset the tensor under the reference). Saves two
// atomic reference-count updates per operand.
const tf::Tensor& UnwrapRef(Napi::Env env, Napi::Value v, const char* op);
// The live tensor behind v, or null for anything else (a number, a disposed handle): for entry
// points that take a tensor or a number and try the common case first.
const tf::Tensor* LiveTensorOf(Napi::Env env, Napi::Value v);
// Argument i as a tensor, or an undefined tensor when it is null, undefined or absent (optional
// bias, weight, mask or state buffer).
tf::Tensor UnwrapOptional(const Napi::CallbackInfo& info, size_t i, const char* op);
bool IsHandle(Napi::Env env, Napi::Value v);
// Disposes the tensor behind handle `v` and keeps the handle for the next Wrap, when the caller
// guarantees that nothing refers to `v` any more (Tensor.dispose() swaps its handle for a
// permanently disposed one first). Otherwise the same as Release.
void Recycle(napi_env env, napi_value v, Holder* h);
// A handle that is disposed from the start: what a JS Tensor holds once disposed.
Napi::Value DisposedHandle(Napi::Env env);
// Drops the handle's reference and its accounting; `collected`: called by the garbage collector's
// finalizer rather than by dispose() (see ReportBytes in handle.cc).
void Release(node_api_basic_env env, Holder* h, bool collected = false);
void DrainDeadRefs(Napi::Env env);

int64_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* op, const char* what);
double ArgNum(const Napi::CallbackInfo& info, size_t i, const char* op, const char* what);
bool ArgBool(const Napi::CallbackInfo& info, size_t i);
// A string argument; anything else (an object whose toString throws, say) is an ARGUMENT error.
std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* op, const char* what);
tf::Shape ArgShape(const Napi::CallbackInfo& info, size_t i, const char* op);
tf::DType ArgDType(const Napi::CallbackInfo& info, size_t i, const char* op);
// An array of live tensor handles; null/undefined entries only where allow_null (gradient slots),
// as undefined tensors reach the engine as-is.
std::vector<tf::Tensor> ArgTensors(const Napi::CallbackInfo& info, size_t i, const char* op, bool allow_null = false);
Napi::Value WrapAll(Napi::Env env, const std::vector<tf::Tensor>& ts);

// Reports an error to JavaScript. Throwing leaves an exception pending inside N-API until this
// call returns, and a garbage collection in that window runs tensor finalizers (during GC, see
// handle.cc), after which Node finds the pending exception and aborts the process. So when the
// TypeScript layer has asked for it, the error is returned as {tfError: error} and its wrapper
// throws it in JavaScript, where a collection is harmless. The raw addon throws as usual.
Napi::Value Fail(Napi::Env env, const Napi::Error& e);
// Reports an engine error as a JS Error / TypeError / RangeError (its kind) with its `code`.
// The binding's own checks raise tf::Error too (tf::fail with a code), so every error that starts
// in C++ carries a code; a Napi::Error reaching Guard is a JavaScript callback's own exception
// and passes through untouched.
Napi::Value FailEngine(Napi::Env env, const tf::Error& e);

// Runs fn, turning engine errors into coded JS errors.
template <typename F>
Napi::Value Guard(Napi::Env env, F&& fn) {
  try {
    return fn();
  } catch (const Napi::Error& e) {
    return Fail(env, e);
  } catch (const tf::Error& e) {
    return FailEngine(env, e);
  } catch (const std::bad_alloc&) {
    return FailEngine(env, tf::Error(tf::ErrorKind::Range, tf::ErrorCode::Memory, "out of memory"));
  } catch (const std::exception& e) {
    return FailEngine(env, tf::Error(tf::ErrorKind::Error, tf::ErrorCode::Internal, std::string("internal error: ") + e.what()));
  }
}

// Registration of each group of functions.
void InitTensor(Napi::Env env, Napi::Object exports);
void InitOps(Napi::Env env, Napi::Object exports);
void InitAutograd(Napi::Env env, Napi::Object exports);

}  // namespace tfb
