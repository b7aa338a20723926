// Entry points of the indexing views (core/ops_mask.cpp): sliceStep(t, dim, start, step, length)
// and diagonalView(t, offset, d1, d2); triangle(t, k, lower) (core/ops_triangle.cpp: tril / triu).
#include "../core/ops_mask.h"
#include "../core/ops_triangle.h"
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

static Napi::Value SliceStep(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "slice");
    return Wrap(info.Env(), tf::slice_step(t, ArgInt(info, 1, "slice", "dim"), ArgInt(info, 2, "slice", "start"),
                                           ArgInt(info, 3, "slice", "step"), ArgInt(info, 4, "slice", "length")));
  });
}

static Napi::Value DiagonalView(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "diagonal");
    return Wrap(info.Env(), tf::diagonal_view(t, ArgInt(info, 1, "diagonal", "offset"), ArgInt(info, 2, "diagonal", "dim1"),
                                              ArgInt(info, 3, "diagonal", "dim2")));
  });
}

static Napi::Value Triangle(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const bool lower = ArgBool(info, 2);
    const char* op = lower ? "tril" : "triu";
    tf::Tensor t = Unwrap(info, 0, op);
    return Wrap(info.Env(), tf::triangle(t, ArgInt(info, 1, op, "k"), lower));
  });
}

void InitIndexMore(Napi::Env env, Napi::Object exports) {
  exports.Set("sliceStep", Napi::Function::New(env, SliceStep));
  exports.Set("diagonalView", Napi::Function::New(env, DiagonalView));
  exports.Set("triangle", Napi::Function::New(env, Triangle));
}

}  // namespace tfb
