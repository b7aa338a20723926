// Entry points of the fused kernels (native/core/fused_*.h, attention.h). Shapes and dtypes are
// checked by the engine ops, which name the op and the shapes.
#include <cmath>

#include "../core/attention.h"
#include "../core/fused_act.h"
#include "../core/fused_batch_norm.h"
#include "../core/fused_linear.h"
#include "../core/fused_norm.h"
#include "../core/fused_softmax.h"
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

// geluFused(x, tanhApprox) -> gelu(x)
static Napi::Value Gelu(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "gelu";
    return Wrap(info.Env(), tf::gelu(Unwrap(info, 0, op), ArgBool(info, 1)));
  });
}

// geluBackward(g, x, tanhApprox) -> g·gelu'(x)
static Napi::Value GeluBackward(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "geluBackward";
    return Wrap(info.Env(), tf::gelu_backward(Unwrap(info, 0, op), Unwrap(info, 1, op), ArgBool(info, 2)));
  });
}

// softmaxBackward(g, y, axis, logSpace) -> softmax's (or logSoftmax's) input gradient
static Napi::Value SoftmaxBackward(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "softmaxBackward";
    return Wrap(info.Env(), tf::softmax_backward(Unwrap(info, 0, op), Unwrap(info, 1, op),
                                                 ArgInt(info, 2, op, "axis"), ArgBool(info, 3)));
  });
}

// layerNorm(x, weight|null, bias|null, normalizedNdim, eps)
static Napi::Value LayerNorm(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "layerNorm";
    tf::Tensor x = Unwrap(info, 0, op), w = UnwrapOptional(info, 1, op), b = UnwrapOptional(info, 2, op);
    return Wrap(info.Env(), tf::layer_norm(x, w, b, ArgInt(info, 3, op, "normalizedNdim"), ArgNum(info, 4, op, "eps")));
  });
}

// rmsNorm(x, weight|null, normalizedNdim, eps)
static Napi::Value RmsNorm(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "rmsNorm";
    tf::Tensor x = Unwrap(info, 0, op), w = UnwrapOptional(info, 1, op);
    return Wrap(info.Env(), tf::rms_norm(x, w, ArgInt(info, 2, op, "normalizedNdim"), ArgNum(info, 3, op, "eps")));
  });
}

// batchNormTrain(x, weight|null, bias|null, eps) -> [y, batch mean [C], biased batch var [C]]
static Napi::Value BatchNormTrain(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "batchNorm";
    tf::Tensor x = Unwrap(info, 0, op), w = UnwrapOptional(info, 1, op), b = UnwrapOptional(info, 2, op);
    return WrapAll(info.Env(), tf::batch_norm_train(x, w, b, ArgNum(info, 3, op, "eps")));
  });
}

// sdpa(q, k, v, mask|null, isCausal, scale|null)
static Napi::Value Sdpa(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "scaledDotProductAttention";
    tf::Tensor q = Unwrap(info, 0, op), k = Unwrap(info, 1, op), v = Unwrap(info, 2, op), m = UnwrapOptional(info, 3, op);
    const bool null_scale = info.Length() <= 5 || info[5].IsNull() || info[5].IsUndefined();
    const double scale = null_scale ? NAN : ArgNum(info, 5, op, "scale");
    return Wrap(info.Env(), tf::scaled_dot_product_attention(q, k, v, m, ArgBool(info, 4), scale));
  });
}

// linear(x, w, b|null) -> x·wᵀ + b
static Napi::Value Linear(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "linear";
    return Wrap(info.Env(), tf::linear(Unwrap(info, 0, op), Unwrap(info, 1, op), UnwrapOptional(info, 2, op)));
  });
}

void InitFused(Napi::Env env, Napi::Object exports) {
  exports.Set("geluFused", Napi::Function::New(env, Gelu, "geluFused"));
  exports.Set("geluBackward", Napi::Function::New(env, GeluBackward, "geluBackward"));
  exports.Set("softmaxBackward", Napi::Function::New(env, SoftmaxBackward, "softmaxBackward"));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm, "layerNorm"));
  exports.Set("rmsNorm", Napi::Function::New(env, RmsNorm, "rmsNorm"));
  exports.Set("linear", Napi::Function::New(env, Linear, "linear"));
  exports.Set("sdpa", Napi::Function::New(env, Sdpa, "sdpa"));
  exports.Set("batchNormTrain", Napi::Function::New(env, BatchNormTrain, "batchNormTrain"));
}

}  // namespace tfb
