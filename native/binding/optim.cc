// Entry points of the fused optimizer updates and gradient-clipping helpers (native/core/optim.h).
// Argument order is positional and fixed; lib/optim/*.ts is the only caller.
#include "../core/optim.h"
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

// sgdStep(param, grad, momentumBuf|null, lr, momentum, dampening, weightDecay, nesterov, first)
static Napi::Value SgdStep(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "sgdStep";
    tf::Tensor p = Unwrap(info, 0, op), g = Unwrap(info, 1, op), buf = UnwrapOptional(info, 2, op);
    tf::SgdOptions o;
    o.lr = ArgNum(info, 3, op, "lr");
    o.momentum = ArgNum(info, 4, op, "momentum");
    o.dampening = ArgNum(info, 5, op, "dampening");
    o.weight_decay = ArgNum(info, 6, op, "weightDecay");
    o.nesterov = ArgBool(info, 7);
    o.first = ArgBool(info, 8);
    tf::sgd_step(p, g, buf, o);
    return info.Env().Undefined();
  });
}

// adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq|null, lr, beta1, beta2, eps, weightDecay, step,
//          amsgrad, decoupled)
static Napi::Value AdamStep(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "adamStep";
    tf::Tensor p = Unwrap(info, 0, op), g = Unwrap(info, 1, op), m = Unwrap(info, 2, op),
               v = Unwrap(info, 3, op), vmax = UnwrapOptional(info, 4, op);
    tf::AdamOptions o;
    o.lr = ArgNum(info, 5, op, "lr");
    o.beta1 = ArgNum(info, 6, op, "beta1");
    o.beta2 = ArgNum(info, 7, op, "beta2");
    o.eps = ArgNum(info, 8, op, "eps");
    o.weight_decay = ArgNum(info, 9, op, "weightDecay");
    o.step = ArgInt(info, 10, op, "step");
    o.amsgrad = ArgBool(info, 11);
    o.decoupled = ArgBool(info, 12);
    tf::adam_step(p, g, m, v, vmax, o);
    return info.Env().Undefined();
  });
}

// rmspropStep(param, grad, squareAvg, gradAvg|null, momentumBuf|null, lr, alpha, eps, weightDecay,
//             momentum, centered)
static Napi::Value RmspropStep(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "rmspropStep";
    tf::Tensor p = Unwrap(info, 0, op), g = Unwrap(info, 1, op), sq = Unwrap(info, 2, op),
               ga = UnwrapOptional(info, 3, op), buf = UnwrapOptional(info, 4, op);
    tf::RmspropOptions o;
    o.lr = ArgNum(info, 5, op, "lr");
    o.alpha = ArgNum(info, 6, op, "alpha");
    o.eps = ArgNum(info, 7, op, "eps");
    o.weight_decay = ArgNum(info, 8, op, "weightDecay");
    o.momentum = ArgNum(info, 9, op, "momentum");
    o.centered = ArgBool(info, 10);
    tf::rmsprop_step(p, g, sq, ga, buf, o);
    return info.Env().Undefined();
  });
}

// adagradStep(param, grad, sum, lr, lrDecay, weightDecay, eps, step)
static Napi::Value AdagradStep(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "adagradStep";
    tf::Tensor p = Unwrap(info, 0, op), g = Unwrap(info, 1, op), s = Unwrap(info, 2, op);
    tf::AdagradOptions o;
    o.lr = ArgNum(info, 3, op, "lr");
    o.lr_decay = ArgNum(info, 4, op, "lrDecay");
    o.weight_decay = ArgNum(info, 5, op, "weightDecay");
    o.eps = ArgNum(info, 6, op, "eps");
    o.step = ArgInt(info, 7, op, "step");
    tf::adagrad_step(p, g, s, o);
    return info.Env().Undefined();
  });
}

// adamaxStep(p, g, expAvg, expInf, lr, beta1, beta2, eps, weightDecay, step)
static Napi::Value AdamaxStep(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "adamaxStep";
    tf::Tensor p = Unwrap(info, 0, op), g = Unwrap(info, 1, op), m = Unwrap(info, 2, op), u = Unwrap(info, 3, op);
    tf::AdamaxOptions o;
    o.lr = ArgNum(info, 4, op, "lr");
    o.beta1 = ArgNum(info, 5, op, "beta1");
    o.beta2 = ArgNum(info, 6, op, "beta2");
    o.eps = ArgNum(info, 7, op, "eps");
    o.weight_decay = ArgNum(info, 8, op, "weightDecay");
    o.step = ArgInt(info, 9, op, "step");
    tf::adamax_step(p, g, m, u, o);
    return info.Env().Undefined();
  });
}

// nadamStep(p, g, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, momentumDecay, step, muProduct)
static Napi::Value NadamStep(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "nadamStep";
    tf::Tensor p = Unwrap(info, 0, op), g = Unwrap(info, 1, op), m = Unwrap(info, 2, op), v = Unwrap(info, 3, op);
    tf::NadamOptions o;
    o.lr = ArgNum(info, 4, op, "lr");
    o.beta1 = ArgNum(info, 5, op, "beta1");
    o.beta2 = ArgNum(info, 6, op, "beta2");
    o.eps = ArgNum(info, 7, op, "eps");
    o.weight_decay = ArgNum(info, 8, op, "weightDecay");
    o.momentum_decay = ArgNum(info, 9, op, "momentumDecay");
    o.step = ArgInt(info, 10, op, "step");
    o.mu_product = ArgNum(info, 11, op, "muProduct");
    tf::nadam_step(p, g, m, v, o);
    return info.Env().Undefined();
  });
}

// radamStep(p, g, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, step)
static Napi::Value RadamStep(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "radamStep";
    tf::Tensor p = Unwrap(info, 0, op), g = Unwrap(info, 1, op), m = Unwrap(info, 2, op), v = Unwrap(info, 3, op);
    tf::RadamOptions o;
    o.lr = ArgNum(info, 4, op, "lr");
    o.beta1 = ArgNum(info, 5, op, "beta1");
    o.beta2 = ArgNum(info, 6, op, "beta2");
    o.eps = ArgNum(info, 7, op, "eps");
    o.weight_decay = ArgNum(info, 8, op, "weightDecay");
    o.step = ArgInt(info, 9, op, "step");
    tf::radam_step(p, g, m, v, o);
    return info.Env().Undefined();
  });
}

// adadeltaStep(p, g, squareAvg, accDelta, lr, rho, eps, weightDecay)
static Napi::Value AdadeltaStep(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const char* op = "adadeltaStep";
    tf::Tensor p = Unwrap(info, 0, op), g = Unwrap(info, 1, op), s = Unwrap(info, 2, op), a = Unwrap(info, 3, op);
    tf::AdadeltaOptions o;
    o.lr = ArgNum(info, 4, op, "lr");
    o.rho = ArgNum(info, 5, op, "rho");
    o.eps = ArgNum(info, 6, op, "eps");
    o.weight_decay = ArgNum(info, 7, op, "weightDecay");
    tf::adadelta_step(p, g, s, a, o);
    return info.Env().Undefined();
  });
}

// gradNormPow(t, p) -> sum |x|^p, or max |x| when p is Infinity.
static Napi::Value GradNormPow(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "gradNorm");
    double p = ArgNum(info, 1, "gradNorm", "normType");
    return Napi::Number::New(info.Env(), tf::grad_norm_pow(t, p));
  });
}

// scaleInPlace(t, c)
static Napi::Value ScaleInPlace(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::scale_(Unwrap(info, 0, "clipGradNorm"), ArgNum(info, 1, "clipGradNorm", "scale"));
    return info.Env().Undefined();
  });
}

// clampAbsInPlace(t, v)
static Napi::Value ClampAbsInPlace(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::clamp_abs_(Unwrap(info, 0, "clipGradValue"), ArgNum(info, 1, "clipGradValue", "clipValue"));
    return info.Env().Undefined();
  });
}

void InitOptim(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep, "sgdStep"));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep, "adamStep"));
  exports.Set("rmspropStep", Napi::Function::New(env, RmspropStep, "rmspropStep"));
  exports.Set("adagradStep", Napi::Function::New(env, AdagradStep, "adagradStep"));
  exports.Set("adamaxStep", Napi::Function::New(env, AdamaxStep, "adamaxStep"));
  exports.Set("nadamStep", Napi::Function::New(env, NadamStep, "nadamStep"));
  exports.Set("radamStep", Napi::Function::New(env, RadamStep, "radamStep"));
  exports.Set("adadeltaStep", Napi::Function::New(env, AdadeltaStep, "adadeltaStep"));
  exports.Set("gradNormPow", Napi::Function::New(env, GradNormPow, "gradNormPow"));
  exports.Set("scaleInPlace", Napi::Function::New(env, ScaleInPlace, "scaleInPlace"));
  exports.Set("clampAbsInPlace", Napi::Function::New(env, ClampAbsInPlace, "clampAbsInPlace"));
}

}  // namespace tfb
