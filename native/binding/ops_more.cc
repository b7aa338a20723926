// Entry points of the ops added with issue #9 part 2: in-place writes with gradient history, and
// metadata the device-shaped API needs.
#include "../core/ops_scan.h"
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

// assign(dst, value, opName): the in-place write of ops_inplace.cpp.
static Napi::Value Assign(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::string op = info[2].IsString() ? info[2].ToString().Utf8Value() : std::string("in-place op");
    tf::assign_(Unwrap(info, 0, op.c_str()), Unwrap(info, 1, op.c_str()), op.c_str());
    return info.Env().Undefined();
  });
}

static Napi::Value IsContiguous(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), Unwrap(info, 0, "isContiguous").is_contiguous());
  });
}

// A view's history check: true when in-place writes to this tensor would need gradient tracking.
static Napi::Value IsView(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), !Unwrap(info, 0, "isView").impl()->view_base.expired());
  });
}

// detachInPlace(t): t leaves the tape (PyTorch's detach_); refused for a view, as in PyTorch.
static Napi::Value DetachInPlace(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "detach_");
    if (!t.impl()->view_base.expired() && t.requires_grad())
      tf::fail("detach_: cannot detach a view in place (its base keeps the history); use detach()");
    t.impl()->grad_fn.reset();
    t.impl()->output_nr = 0;
    t.impl()->requires_grad = false;
    return info.Env().Undefined();
  });
}

// scan(kind, t, axis, flag): 'cumsum' | 'cumprod' -> values; 'cummax' | 'cummin' -> indices;
// 'sort' -> indices (flag: descending; a fifth argument k: only the first k of each row).
static Napi::Value Scan(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::string kind = info[0].IsString() ? info[0].ToString().Utf8Value() : std::string();
    tf::Tensor t = Unwrap(info, 1, kind.c_str());
    int64_t axis = ArgInt(info, 2, kind.c_str(), "axis");
    if (kind == "cumsum") return Wrap(info.Env(), tf::cumsum(t, axis));
    if (kind == "cumprod") return Wrap(info.Env(), tf::cumprod(t, axis));
    if (kind == "cummax" || kind == "cummin") return Wrap(info.Env(), tf::cum_extreme_indices(t, axis, kind == "cummax"));
    if (kind == "sort") {
      int64_t k = info.Length() > 4 && info[4].IsNumber() ? ArgInt(info, 4, "topk", "k") : -1;
      return Wrap(info.Env(), tf::sort_indices(t, axis, ArgBool(info, 3), k));
    }
    tf::fail("scan: unknown kind " + kind);
  });
}

void InitOpsMore(Napi::Env env, Napi::Object exports) {
  exports.Set("assign", Napi::Function::New(env, Assign));
  exports.Set("isContiguous", Napi::Function::New(env, IsContiguous));
  exports.Set("isView", Napi::Function::New(env, IsView));
  exports.Set("scan", Napi::Function::New(env, Scan));
  exports.Set("detachInPlace", Napi::Function::New(env, DetachInPlace));
}

}  // namespace tfb
