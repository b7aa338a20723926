// tensorfold's N-API module: registers each group of functions. Context-aware: all state lives in
// per-environment instance data, so the addon loads in several worker_threads at once.
#include "handle.h"

#include <cstdlib>
#include <mutex>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tfb {
void InitNN(Napi::Env env, Napi::Object exports);     // nn.cc: conv, pooling, fused optimizers
void InitOptim(Napi::Env env, Napi::Object exports);  // optim.cc: fused optimizer steps, grad clipping
void InitRnn(Napi::Env env, Napi::Object exports);    // rnn.cc: fused LSTM / GRU cells
void InitLinalg(Napi::Env env, Napi::Object exports);  // linalg.cc: torch.linalg
void InitDistributed(Napi::Env env, Napi::Object exports);  // distributed.cc: MPI collectives, grad hooks
void InitOpsMore(Napi::Env env, Napi::Object exports);  // ops_more.cc: in-place writes, scans, sorting
void InitFused(Napi::Env env, Napi::Object exports);  // fused.cc: GELU, softmax backward, norms, attention
void InitIndexMore(Napi::Env env, Napi::Object exports);  // ops_index_more.cc: strided views for indexing
void InitRandom(Napi::Env env, Napi::Object exports);  // random.cc: draws with a tf.Generator's state
}

// Eager code creates and drops a few small native objects per op, and the garbage collector frees
// thousands of them at once. glibc then spends most of its time consolidating its "fast bins"
// (malloc_consolidate + unlink_chunk were 24% of a profile of 10,000 small adds); with fast bins
// off, its per-thread cache still serves the small sizes and the same loop ran 22% faster (AMD
// EPYC, 820 -> 640 ns/op median over 7 runs). Process-wide, so TENSORFOLD_KEEP_MALLOC=1 leaves
// the host's malloc settings alone.
static void TuneMalloc() {
#if defined(M_MXFAST)
  const char* keep = std::getenv("TENSORFOLD_KEEP_MALLOC");
  if (keep && *keep && *keep != '0') return;
  mallopt(M_MXFAST, 0);
#endif
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static std::once_flag tuned;
  std::call_once(tuned, TuneMalloc);
  env.SetInstanceData(new std::shared_ptr<tfb::EnvState>(std::make_shared<tfb::EnvState>()));
  tfb::InitTensor(env, exports);
  tfb::InitOps(env, exports);
  tfb::InitAutograd(env, exports);
  tfb::InitNN(env, exports);
  tfb::InitOptim(env, exports);
  tfb::InitRnn(env, exports);
  tfb::InitLinalg(env, exports);
  tfb::InitDistributed(env, exports);
  tfb::InitOpsMore(env, exports);
  tfb::InitFused(env, exports);
  tfb::InitIndexMore(env, exports);
  tfb::InitRandom(env, exports);
  return exports;
}

NODE_API_MODULE(tensorfold, Init)
