// tf.distributed glue: loading the MPI backend, queueing collectives, completion callbacks, and the
// gradient hooks DistributedDataParallel hangs on parameters. The work is in core/distributed.cpp.
#include "../core/autograd.h"
#include "../core/distributed.h"
#include "handle.h"

#include <cstdint>

namespace tfb {

using CI = const Napi::CallbackInfo&;
namespace dist = tf::dist;

static Napi::Value DistLoad(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::string err = dist::load_backend(ArgString(info, 0, "distributed", "backend path"));
    return Napi::String::New(info.Env(), err);
  });
}

static Napi::Object InfoObject(Napi::Env env, const dist::Info& i) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("rank", i.rank);
  o.Set("size", i.size);
  o.Set("localRank", i.local_rank);
  return o;
}

static Napi::Value DistInit(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    double ms = ArgNum(info, 0, "initProcessGroup", "timeoutMs");
    return InfoObject(info.Env(), dist::init(ms / 1000.0));
  });
}

static dist::Kind KindOf(const std::string& s) {
  if (s == "allReduce") return dist::Kind::AllReduce;
  if (s == "broadcast") return dist::Kind::Broadcast;
  if (s == "allGather") return dist::Kind::AllGather;
  if (s == "reduceScatter") return dist::Kind::ReduceScatter;
  if (s == "barrier") return dist::Kind::Barrier;
  if (s == "send") return dist::Kind::Send;
  if (s == "recv") return dist::Kind::Recv;
  tf::fail(tf::ErrorCode::Argument, "distributed: unknown collective " + s);
}

// distSubmit(kind, tensor|null, op, peer, notify) -> job id. Tensors that are only read travel as
// contiguous copies where needed; results (allGather, reduceScatter) are allocated here.
static Napi::Value DistSubmit(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    auto j = std::make_shared<dist::Job>();
    j->kind = KindOf(ArgString(info, 0, "distributed", "collective"));
    const char* name = dist::kind_name(j->kind);
    if (!(info[1].IsNull() || info[1].IsUndefined())) j->t = Unwrap(info, 1, name);
    j->op = dist::ReduceOp(ArgInt(info, 2, name, "op"));
    j->peer = int(ArgInt(info, 3, name, "peer"));
    j->notify = ArgBool(info, 4);
    int size = dist::info().size;
    bool reads = j->kind == dist::Kind::AllGather || j->kind == dist::Kind::ReduceScatter || j->kind == dist::Kind::Send;
    if (reads && j->t.defined() && !j->t.is_contiguous()) j->t = tf::contiguous(j->t);
    if (j->kind == dist::Kind::AllGather) {
      tf::Shape s = j->t.shape();
      s.insert(s.begin(), int64_t(size));
      j->out = tf::empty_uninit(s, j->t.dtype());
    } else if (j->kind == dist::Kind::ReduceScatter) {
      tf::Shape s = j->t.shape();
      if (s.empty() || s[0] % size != 0)
        tf::fail_range(std::string("reduceScatter: the first dimension of ") + tf::shape_str(s) +
                       " must be divisible by the world size " + std::to_string(size));
      s[0] /= size;
      j->out = tf::empty_uninit(s, j->t.dtype());
    }
    return Napi::Number::New(info.Env(), double(dist::submit(j)));
  });
}

// distWait(id) -> {error?, fatal?, out?}: blocks the calling thread until the job completes.
static Napi::Value DistWait(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    auto j = dist::wait(uint64_t(ArgInt(info, 0, "distributed", "job")));
    Napi::Object o = Napi::Object::New(info.Env());
    if (!j) return o;
    if (!j->error.empty()) {
      o.Set("error", j->error);
      o.Set("fatal", j->fatal);
    } else if (j->out.defined()) {
      o.Set("out", Wrap(info.Env(), j->out));
    }
    return o;
  });
}

// One thread-safe function per process carries completions back to the JavaScript thread. It is
// referenced (keeps the event loop alive) only while asynchronous jobs are pending.
static Napi::ThreadSafeFunction* g_tsfn = nullptr;

static Napi::Value DistSetCallback(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    if (!info[0].IsFunction()) tf::fail(tf::ErrorCode::Argument, "distributed: callback must be a function");
    if (!dist::initialized()) tf::fail(tf::ErrorCode::State, "distributed: the process group is not initialised");
    if (g_tsfn) tf::fail(tf::ErrorCode::State, "distributed: the completion callback is already set (one environment per process)");
    g_tsfn = new Napi::ThreadSafeFunction(
        Napi::ThreadSafeFunction::New(info.Env(), info[0].As<Napi::Function>(), "tensorfold.distributed", 0, 1));
    g_tsfn->Unref(info.Env());
    dist::set_completion_callback([](uint64_t id) {
      g_tsfn->NonBlockingCall(new uint64_t(id), [](Napi::Env env, Napi::Function cb, uint64_t* p) {
        uint64_t v = *p;
        delete p;
        try {
          cb.Call({Napi::Number::New(env, double(v))});
        } catch (const Napi::Error& e) {
          e.ThrowAsJavaScriptException();
        }
      });
    });
    return info.Env().Undefined();
  });
}

static Napi::Value DistKeepAlive(CI info) {
  if (g_tsfn && dist::initialized()) {
    if (info[0].ToBoolean()) g_tsfn->Ref(info.Env());
    else g_tsfn->Unref(info.Env());
  }
  return info.Env().Undefined();
}

static Napi::Value DistDestroy(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    dist::destroy();
    return info.Env().Undefined();
  });
}

static Napi::Value DistAbort(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    int64_t code = ArgInt(info, 0, "distAbort", "exit code");
    // MPI_Abort takes an int; an exit status outside it still has to end the job, as a failure.
    dist::abort_job(code >= INT32_MIN && code <= INT32_MAX ? int(code) : 1);
    return info.Env().Undefined();
  });
}

// A JavaScript function held by an engine hook; its reference is deleted on a later call from
// JavaScript, as the hook may be dropped during garbage collection (see customOp).
struct JsCallback {
  napi_ref ref = nullptr;
  std::shared_ptr<EnvState> st;
  ~JsCallback() { st->dead_refs.push_back(ref); }
};

static std::function<void()> JsThunk(Napi::Env env, Napi::Value fn) {
  auto cb = std::make_shared<JsCallback>();
  cb->st = StatePtr(env);
  napi_create_reference(env, fn, 1, &cb->ref);
  return [cb, env]() {
    Napi::HandleScope scope(env);
    napi_value f;
    napi_get_reference_value(env, cb->ref, &f);
    Napi::Function(env, f).Call({});
  };
}

// addGradHook(tensor, fn) -> id: fn() runs once the tensor's gradient of a backward pass is complete.
static Napi::Value AddGradHook(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::Tensor t = Unwrap(info, 0, "addGradHook");
    if (!info[1].IsFunction()) tf::fail(tf::ErrorCode::Argument, "addGradHook: hook must be a function");
    DrainDeadRefs(info.Env());
    return Napi::Number::New(info.Env(), double(tf::add_grad_hook(t, JsThunk(info.Env(), info[1]))));
  });
}

static Napi::Value RemoveGradHook(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tf::remove_grad_hook(uint64_t(ArgInt(info, 0, "removeGradHook", "id")));
    DrainDeadRefs(info.Env());
    return info.Env().Undefined();
  });
}

static Napi::Value QueueBackwardCallback(CI info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    if (!info[0].IsFunction()) tf::fail(tf::ErrorCode::Argument, "queueBackwardCallback: callback must be a function");
    tf::queue_backward_callback(JsThunk(info.Env(), info[0]));
    return info.Env().Undefined();
  });
}

void InitDistributed(Napi::Env env, Napi::Object exports) {
  exports.Set("distLoad", Napi::Function::New(env, DistLoad));
  exports.Set("distInit", Napi::Function::New(env, DistInit));
  exports.Set("distSubmit", Napi::Function::New(env, DistSubmit));
  exports.Set("distWait", Napi::Function::New(env, DistWait));
  exports.Set("distSetCallback", Napi::Function::New(env, DistSetCallback));
  exports.Set("distKeepAlive", Napi::Function::New(env, DistKeepAlive));
  exports.Set("distDestroy", Napi::Function::New(env, DistDestroy));
  exports.Set("distAbort", Napi::Function::New(env, DistAbort));
  exports.Set("addGradHook", Napi::Function::New(env, AddGradHook));
  exports.Set("removeGradHook", Napi::Function::New(env, RemoveGradHook));
  exports.Set("queueBackwardCallback", Napi::Function::New(env, QueueBackwardCallback));
}

}  // namespace tfb
