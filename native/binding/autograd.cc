// Autograd entry points: requiresGrad, .grad, backward, functional grad, grad mode, custom nodes.
#include "handle.h"

namespace tfb {

using CI = const Napi::CallbackInfo&;

static Napi::Value RequiresGrad(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), Unwrap(info, 0, "requiresGrad").requires_grad());
  });
}

static Napi::Value SetRequiresGrad(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    Unwrap(info, 0, "requiresGrad").set_requires_grad(ArgBool(info, 1));
    return info.Env().Undefined();
  });
}

static Napi::Value IsLeaf(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), Unwrap(info, 0, "isLeaf").is_leaf());
  });
}

static Napi::Value GradFnName(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "gradFn");
    if (!t.grad_fn()) return info.Env().Null();
    return Napi::String::New(info.Env(), t.grad_fn()->name);
  });
}

static Napi::Value GetGrad(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor g = Unwrap(info, 0, "grad").grad();
    return g.defined() ? Wrap(info.Env(), g) : info.Env().Null();
  });
}

static Napi::Value SetGrad(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "grad");
    if (info[1].IsNull() || info[1].IsUndefined()) {
      t.set_grad(tf::Tensor());
    } else {
      tf::Tensor g = Unwrap(info, 1, "grad");
      if (g.shape() != t.shape() || g.dtype() != t.dtype())
        tf::fail("grad: assigned gradient of shape " + tf::shape_str(g.shape()) + " (" + tf::dtype_name(g.dtype()) +
                 ") does not match tensor of shape " + tf::shape_str(t.shape()) + " (" + tf::dtype_name(t.dtype()) + ")");
      t.set_grad(g);
    }
    return info.Env().Undefined();
  });
}

// backward(t, grad|null, retainGraph, createGraph)
static Napi::Value Backward(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "backward");
    tf::Tensor g;
    if (!(info[1].IsNull() || info[1].IsUndefined())) g = Unwrap(info, 1, "backward");
    DrainDeadRefs(info.Env());
    tf::backward(t, g, ArgBool(info, 2), ArgBool(info, 3));
    return info.Env().Undefined();
  });
}

// gradOf(outputs[], gradOutputs[] (null entries allowed), inputs[], retainGraph, createGraph)
static Napi::Value GradOf(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    auto outs = ArgTensors(info, 0, "grad");
    auto gouts = ArgTensors(info, 1, "grad", true);
    auto ins = ArgTensors(info, 2, "grad");
    for (auto& i : ins)
      if (!i.defined()) tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, "grad: inputs must be tensors");
    auto r = tf::run_backward(outs, gouts, ArgBool(info, 3), ArgBool(info, 4), ins, true);
    return WrapAll(info.Env(), r);
  });
}

static Napi::Value SetGradEnabled(CI info) {
  bool prev = tf::grad_enabled();
  tf::set_grad_enabled(ArgBool(info, 0));
  return Napi::Boolean::New(info.Env(), prev);
}

static Napi::Value IsGradEnabled(CI info) { return Napi::Boolean::New(info.Env(), tf::grad_enabled()); }

// A JavaScript function held by a graph node or a tensor. The holder may die during garbage
// collection, where deleting a reference is not allowed: its reference is queued on the
// environment and deleted on a later call instead.
struct JsFn {
  napi_ref ref = nullptr;
  std::shared_ptr<EnvState> st;
  JsFn(Napi::Env env, Napi::Value fn) : st(StatePtr(env)) { napi_create_reference(env, fn, 1, &ref); }
  ~JsFn() { st->dead_refs.push_back(ref); }
  Napi::Function get(Napi::Env env) const {
    napi_value fn;
    napi_get_reference_value(env, ref, &fn);
    return Napi::Function(env, fn);
  }
};

// customOp(name, inputs[], outputs[], backward(grads[]) -> (Tensor handle|null)[])
// Attaches a node whose backward is a JavaScript function: used for checkpointed loops (the
// function re-runs the body) and user-defined gradients. Outputs must not be part of a graph yet.
static Napi::Value CustomOp(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::string name = ArgString(info, 0, "customOp", "name");
    auto ins = ArgTensors(info, 1, "customOp");
    auto outs = ArgTensors(info, 2, "customOp");
    if (!info[3].IsFunction()) tf::fail(tf::ErrorCode::Argument, "customOp: backward must be a function");
    for (auto& o : outs) {
      if (!o.defined()) tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, "customOp: outputs must be tensors");
      if (o.grad_fn() || o.requires_grad()) tf::fail(tf::ErrorCode::State, "customOp: outputs must be fresh tensors (computed under noGrad)");
      if (!tf::is_float(o.dtype())) tf::fail(tf::ErrorKind::Error, tf::ErrorCode::DType, "customOp: outputs must be floating point");
    }
    if (!tf::any_requires_grad(ins)) return info.Env().Undefined();
    DrainDeadRefs(info.Env());
    auto fnref = std::make_shared<JsFn>(info.Env(), info[3]);
    Napi::Env env = info.Env();
    size_t nin = ins.size();
    tf::record(name.c_str(), ins, outs, [fnref, env, nin, name](tf::Node&, const std::vector<tf::Tensor>& g) {
      Napi::HandleScope scope(env);
      Napi::Value res = fnref->get(env).Call({WrapAll(env, g)});
      if (!res.IsArray()) tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, name + ": backward must return an array of gradients");
      auto arr = res.As<Napi::Array>();
      if (arr.Length() != nin)
        tf::fail(tf::ErrorKind::Error, tf::ErrorCode::Argument, name + ": backward returned " + std::to_string(arr.Length()) + " gradients for " +
                 std::to_string(nin) + " inputs");
      std::vector<tf::Tensor> r(nin);
      for (uint32_t k = 0; k < nin; k++) {
        Napi::Value v = arr[k];
        if (!(v.IsNull() || v.IsUndefined())) r[k] = UnwrapValue(env, v, name.c_str());
      }
      return r;
    });
    return info.Env().Undefined();
  });
}

// addTensorHook(t, fn(gradHandle) -> handle|null) -> id. lib/tensor_class.ts checks what the
// user's hook returns; the engine re-checks shape and dtype.
static Napi::Value AddTensorHook(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "registerHook");
    if (!info[1].IsFunction()) tf::fail(tf::ErrorCode::Argument, "registerHook: the hook must be a function");
    DrainDeadRefs(info.Env());
    auto fnref = std::make_shared<JsFn>(info.Env(), info[1]);
    Napi::Env env = info.Env();
    uint64_t id = tf::add_tensor_hook(t, [fnref, env](const tf::Tensor& g) {
      Napi::HandleScope scope(env);
      Napi::Value res = fnref->get(env).Call({Wrap(env, g)});
      return res.IsNull() || res.IsUndefined() ? tf::Tensor() : UnwrapValue(env, res, "registerHook");
    });
    return Napi::Number::New(info.Env(), double(id));
  });
}

static Napi::Value RemoveTensorHook(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::remove_tensor_hook(uint64_t(ArgInt(info, 0, "removeHook", "id")));
    DrainDeadRefs(info.Env());
    return info.Env().Undefined();
  });
}

void InitAutograd(Napi::Env env, Napi::Object exports) {
  exports.Set("requiresGrad", Napi::Function::New(env, RequiresGrad));
  exports.Set("setRequiresGrad", Napi::Function::New(env, SetRequiresGrad));
  exports.Set("isLeaf", Napi::Function::New(env, IsLeaf));
  exports.Set("gradFn", Napi::Function::New(env, GradFnName));
  exports.Set("getGrad", Napi::Function::New(env, GetGrad));
  exports.Set("setGrad", Napi::Function::New(env, SetGrad));
  exports.Set("backward", Napi::Function::New(env, Backward));
  exports.Set("gradOf", Napi::Function::New(env, GradOf));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled));
  exports.Set("customOp", Napi::Function::New(env, CustomOp));
  exports.Set("addTensorHook", Napi::Function::New(env, AddTensorHook));
  exports.Set("removeTensorHook", Napi::Function::New(env, RemoveTensorHook));
}

}  // namespace tfb
