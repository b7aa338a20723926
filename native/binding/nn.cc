// Neural-network kernels' entry points (convolution, pooling).
// Types are checked here; ranges (positive kernel and stride, channels, sizes) by the engine ops,
// which name the op and the shapes.
#include "../core/ops_nn.h"
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

static bool Absent(CI info, size_t i) {
  return info.Length() <= i || info[i].IsNull() || info[i].IsUndefined();
}

// A number n (meaning [n, n]) or an array of one or two integers; `dflt` when absent.
static tf::Pair ArgPair(CI info, size_t i, const char* op, const char* what, tf::Pair dflt) {
  if (Absent(info, i)) return dflt;
  if (info[i].IsNumber()) {
    int64_t v = ArgInt(info, i, op, what);
    return {v, v};
  }
  if (!info[i].IsArray())
    tf::fail(tf::ErrorCode::Argument, std::string(op) + ": " + what +
                                               " must be an integer or an array of two integers");
  tf::Shape s = ArgShape(info, i, op);
  if (s.size() == 1) return {s[0], s[0]};
  if (s.size() != 2)
    tf::fail(tf::ErrorCode::Argument, std::string(op) + ": " + what + " must have 2 entries, got " +
                                               std::to_string(s.size()));
  return {s[0], s[1]};
}

static int64_t ArgIntOr(CI info, size_t i, const char* op, const char* what, int64_t dflt) {
  if (Absent(info, i)) return dflt;
  if (info[i].IsArray()) {
    tf::Shape s = ArgShape(info, i, op);
    if (s.size() != 1)
      tf::fail(tf::ErrorCode::Argument, std::string(op) + ": " + what + " must be one integer");
    return s[0];
  }
  return ArgInt(info, i, op, what);
}

// conv2d(x, w, bias|null, stride, padding, dilation, groups)
static Napi::Value Conv2d(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "conv2d";
    tf::Tensor x = Unwrap(info, 0, op), w = Unwrap(info, 1, op), b = UnwrapOptional(info, 2, op);
    auto s = ArgPair(info, 3, op, "stride", {1, 1});
    auto p = ArgPair(info, 4, op, "padding", {0, 0});
    auto d = ArgPair(info, 5, op, "dilation", {1, 1});
    int64_t g = ArgIntOr(info, 6, op, "groups", 1);
    return Wrap(info.Env(), tf::conv2d(x, w, b, s, p, d, g));
  });
}

// conv1d(x, w, bias|null, stride, padding, dilation, groups)
static Napi::Value Conv1d(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "conv1d";
    tf::Tensor x = Unwrap(info, 0, op), w = Unwrap(info, 1, op), b = UnwrapOptional(info, 2, op);
    int64_t s = ArgIntOr(info, 3, op, "stride", 1);
    int64_t p = ArgIntOr(info, 4, op, "padding", 0);
    int64_t d = ArgIntOr(info, 5, op, "dilation", 1);
    int64_t g = ArgIntOr(info, 6, op, "groups", 1);
    return Wrap(info.Env(), tf::conv1d(x, w, b, s, p, d, g));
  });
}

// conv2dInputGrad(g, w, inputShape, stride, padding, dilation, groups): also conv_transpose2d.
static Napi::Value Conv2dInputGrad(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "conv2dInputGrad";
    tf::Tensor g = Unwrap(info, 0, op), w = Unwrap(info, 1, op);
    tf::Shape xs = ArgShape(info, 2, op);
    auto s = ArgPair(info, 3, op, "stride", {1, 1});
    auto p = ArgPair(info, 4, op, "padding", {0, 0});
    auto d = ArgPair(info, 5, op, "dilation", {1, 1});
    int64_t gr = ArgIntOr(info, 6, op, "groups", 1);
    return Wrap(info.Env(), tf::conv2d_input_grad(g, w, xs, s, p, d, gr));
  });
}

// conv2dWeightGrad(x, g, weightShape, stride, padding, dilation, groups)
static Napi::Value Conv2dWeightGrad(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "conv2dWeightGrad";
    tf::Tensor x = Unwrap(info, 0, op), g = Unwrap(info, 1, op);
    tf::Shape ws = ArgShape(info, 2, op);
    auto s = ArgPair(info, 3, op, "stride", {1, 1});
    auto p = ArgPair(info, 4, op, "padding", {0, 0});
    auto d = ArgPair(info, 5, op, "dilation", {1, 1});
    int64_t gr = ArgIntOr(info, 6, op, "groups", 1);
    return Wrap(info.Env(), tf::conv2d_weight_grad(x, g, ws, s, p, d, gr));
  });
}

// maxPool2d(x, kernel, stride|null (= kernel), padding, dilation, ceilMode, returnIndices)
static Napi::Value MaxPool2d(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "maxPool2d";
    tf::Tensor x = Unwrap(info, 0, op);
    if (Absent(info, 1)) tf::fail(tf::ErrorCode::Argument, "maxPool2d: kernel size is required");
    auto k = ArgPair(info, 1, op, "kernel size", {1, 1});
    auto s = ArgPair(info, 2, op, "stride", k);
    auto p = ArgPair(info, 3, op, "padding", {0, 0});
    auto d = ArgPair(info, 4, op, "dilation", {1, 1});
    bool ceil_mode = ArgBool(info, 5);
    auto r = tf::max_pool2d_with_indices(x, k, s, p, d, ceil_mode);
    if (ArgBool(info, 6)) return WrapAll(info.Env(), {r[0], r[1]});
    return Wrap(info.Env(), r[0]);
  });
}

// avgPool2d(x, kernel, stride|null (= kernel), padding, ceilMode, countIncludePad = true)
static Napi::Value AvgPool2d(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "avgPool2d";
    tf::Tensor x = Unwrap(info, 0, op);
    if (Absent(info, 1)) tf::fail(tf::ErrorCode::Argument, "avgPool2d: kernel size is required");
    auto k = ArgPair(info, 1, op, "kernel size", {1, 1});
    auto s = ArgPair(info, 2, op, "stride", k);
    auto p = ArgPair(info, 3, op, "padding", {0, 0});
    bool ceil_mode = ArgBool(info, 4);
    bool cip = Absent(info, 5) ? true : ArgBool(info, 5);
    return Wrap(info.Env(), tf::avg_pool2d(x, k, s, p, ceil_mode, cip));
  });
}

void InitNN(Napi::Env env, Napi::Object exports) {
  struct { const char* name; Napi::Value (*fn)(CI); } table[] = {
      {"conv2d", Conv2d},       {"conv1d", Conv1d},     {"conv2dInputGrad", Conv2dInputGrad},
      {"conv2dWeightGrad", Conv2dWeightGrad},          {"maxPool2d", MaxPool2d},
      {"avgPool2d", AvgPool2d},
  };
  for (auto& e : table) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
}

}  // namespace tfb
