#include "distributed.h"

#ifndef _WIN32
#include <dlfcn.h>
#endif

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace tf {
namespace dist {

namespace {

// The backend's C ABI (native/mpi/backend.c).
struct Backend {
  int (*abi_version)();
  const char* (*last_error)();
  int (*init)(int*, int*, int*, int*);
  int (*finalize)();
  void (*abort)(int);
  int (*exchange)(const void*, int, void*, int*, double);
  int (*allreduce)(void*, int64_t, int, int);
  int (*broadcast)(void*, int64_t, int, int);
  int (*allgather)(const void*, void*, int64_t, int);
  int (*reduce_scatter)(const void*, void*, int64_t, int, int);
  int (*send)(const void*, int, const void*, int64_t, int, double);
  int (*recv_header)(void*, int, int, double);
  int (*recv_data)(void*, int64_t, int, double);
};
constexpr int kAbi = 1;

// What each rank announces before a collective. Fixed size, plain data.
struct Header {
  int32_t kind;
  int32_t dtype;
  int32_t op;
  int32_t root;
  int64_t seq;
  int64_t numel;
  int32_t ndim;
  int32_t pad;
  int64_t dims[8];
};

struct Group {
  Backend be{};
  bool loaded = false;
  bool inited = false;
  Info info;
  double timeout_s = 600;
  std::thread thread;
  std::mutex mu;
  std::condition_variable cv_queue, cv_done;
  std::deque<std::shared_ptr<Job>> queue;
  std::unordered_map<uint64_t, std::shared_ptr<Job>> done;
  std::unordered_map<uint64_t, bool> pending;
  uint64_t next_id = 0;
  uint64_t seq = 0;                 // collectives run so far (same on every rank)
  std::string broken;               // set after a fatal error: later jobs fail at once
  bool stopping = false;
  bool finalized = false;           // MPI cannot be initialised twice in one process
  // The collective proper (after the arrival exchange) is a blocking MPI call: a rank frozen
  // inside it (stopped, swapped out) would hold the others forever, so a watchdog thread ends the
  // job when one runs past the timeout. Guarded by mu.
  std::thread watchdog;
  std::condition_variable cv_watchdog;
  std::chrono::steady_clock::time_point busy_until{};
  std::string busy_what;            // empty: no collective in progress
  std::function<void(uint64_t)> on_complete;
};

// Never destroyed: a thread blocked in MPI at process exit must not meet a destructed mutex.
Group& G() {
  static Group* g = new Group();
  return *g;
}

std::string backend_error(const Group& g) { return g.be.last_error ? g.be.last_error() : "MPI error"; }

std::string describe(const Header& h) {
  if (Kind(h.kind) == Kind::Barrier) return "barrier";
  std::string s = kind_name(Kind(h.kind));
  s += " ";
  Shape shape(h.dims, h.dims + std::min(h.ndim, 8));
  s += shape_str(shape);
  s += " ";
  s += dtype_name(DType(h.dtype));
  return s;
}

Header header_of(const Job& j, uint64_t seq) {
  Header h{};
  h.kind = int32_t(j.kind);
  h.seq = int64_t(seq);
  h.op = int32_t(j.op);
  h.root = j.kind == Kind::Broadcast ? j.peer : 0;
  if (j.t.defined()) {
    h.dtype = int32_t(j.t.dtype());
    h.numel = j.t.numel();
    h.ndim = int32_t(j.t.dim());
    for (int k = 0; k < std::min(h.ndim, 8); k++) h.dims[k] = j.t.shape()[size_t(k)];
  }
  return h;
}

bool same_tensor(const Header& a, const Header& b) {
  if (a.dtype != b.dtype || a.ndim != b.ndim || a.numel != b.numel) return false;
  for (int k = 0; k < std::min(a.ndim, 8); k++)
    if (a.dims[k] != b.dims[k]) return false;
  return true;
}

const char* op_name(int32_t op) {
  static const char* names[] = {"sum", "max", "min", "prod", "mean"};
  return op >= 0 && op <= 4 ? names[op] : "?";
}

std::string ranks_str(const std::vector<int>& r) {
  std::string s;
  for (size_t i = 0; i < r.size(); i++) s += (i ? ", " : "") + std::to_string(r[i]);
  return s;
}

// Compares every rank's header with this rank's; returns "" or what differs, listing each rank.
std::string compare_headers(const Header& mine, const std::vector<Header>& all) {
  bool kinds = true, tensors = true, ops = true, roots = true, seqs = true;
  for (auto& h : all) {
    kinds = kinds && h.kind == mine.kind;
    seqs = seqs && h.seq == mine.seq;
    tensors = tensors && same_tensor(h, mine);
    ops = ops && h.op == mine.op;
    roots = roots && h.root == mine.root;
  }
  Kind k = Kind(mine.kind);
  std::string what;
  if (!kinds) what = "ranks called different collectives";
  else if (!seqs) what = "ranks are at different collectives (sequence numbers differ)";
  else if (k != Kind::Barrier && !tensors) what = "tensors differ across ranks";
  else if ((k == Kind::AllReduce || k == Kind::ReduceScatter) && !ops) what = "reduce ops differ across ranks";
  else if (k == Kind::Broadcast && !roots) what = "source ranks differ across ranks";
  if (what.empty()) return "";
  std::string s = what + ":";
  for (size_t r = 0; r < all.size(); r++) {
    s += (r ? ";" : "") + std::string(" rank ") + std::to_string(r) + " " + describe(all[r]);
    if (!ops && (k == Kind::AllReduce || k == Kind::ReduceScatter)) s += std::string(" op ") + op_name(all[r].op);
    if (!roots && k == Kind::Broadcast) s += " src " + std::to_string(all[r].root);
    if (!seqs) s += " #" + std::to_string(all[r].seq);
  }
  return s;
}

void scale(Tensor& t, double f) {
  int64_t n = t.numel();
  if (t.dtype() == DType::F32) {
    float* p = t.data<float>();
    float ff = float(f);
    for (int64_t i = 0; i < n; i++) p[i] *= ff;
  } else if (t.dtype() == DType::F64) {
    double* p = t.data<double>();
    for (int64_t i = 0; i < n; i++) p[i] *= f;
  }
}

// Runs one job on the communication thread; fills job.error (and job.fatal).
void run(Group& g, Job& j) {
  const Backend& be = g.be;
  const char* name = kind_name(j.kind);
  std::string what = std::string(name) + (j.t.defined() ? " of a tensor " + shape_str(j.t.shape()) + " " +
                                                              dtype_name(j.t.dtype()) : "");
  auto fatal = [&](const std::string& msg) {
    j.error = what + ": " + msg + "; aborting the job";
    j.fatal = true;
  };
  int dtype = j.t.defined() ? int(j.t.dtype()) : 0;

  if (j.kind == Kind::Send || j.kind == Kind::Recv) {
    Header h = header_of(j, 0);
    if (j.kind == Kind::Send) {
      int rc = be.send(&h, int(sizeof h), j.t.raw_data(), int64_t(j.t.numel() * dtype_size(j.t.dtype())), j.peer, g.timeout_s);
      if (rc == 1) fatal("rank " + std::to_string(j.peer) + " did not receive it within " + std::to_string(int64_t(g.timeout_s * 1000)) + " ms");
      else if (rc < 0) fatal(backend_error(g));
      return;
    }
    Header theirs{};
    int rc = be.recv_header(&theirs, int(sizeof theirs), j.peer, g.timeout_s);
    if (rc == 1) return fatal("rank " + std::to_string(j.peer) + " sent nothing within " + std::to_string(int64_t(g.timeout_s * 1000)) + " ms");
    if (rc < 0) return fatal(backend_error(g));
    if (!same_tensor(theirs, h)) {
      // Consume the data message all the same, so the next send between the pair still matches.
      std::vector<char> scratch(size_t(theirs.numel) * dtype_size(DType(theirs.dtype)));
      rc = be.recv_data(scratch.data(), int64_t(scratch.size()), j.peer, g.timeout_s);
      if (rc != 0) return fatal(rc == 1 ? "the data did not come" : backend_error(g));
      j.error = what + ": rank " + std::to_string(j.peer) + " sent a tensor " +
                shape_str(Shape(theirs.dims, theirs.dims + std::min(theirs.ndim, 8))) + " " +
                dtype_name(DType(theirs.dtype)) + ", which does not match";
      return;
    }
    rc = be.recv_data(j.t.raw_data(), int64_t(j.t.numel() * dtype_size(j.t.dtype())), j.peer, g.timeout_s);
    if (rc == 1) fatal("rank " + std::to_string(j.peer) + " did not finish sending within the timeout");
    else if (rc < 0) fatal(backend_error(g));
    return;
  }

  // Arrival exchange: who came, and with what.
  uint64_t seq = ++g.seq;
  what += " (collective #" + std::to_string(seq) + ")";
  Header mine = header_of(j, seq);
  std::vector<Header> all(size_t(g.info.size));
  std::vector<int> arrived(size_t(g.info.size), 0);
  int rc = be.exchange(&mine, int(sizeof mine), all.data(), arrived.data(), g.timeout_s);
  if (rc == 1) {
    std::vector<int> missing, came;
    for (int r = 0; r < g.info.size; r++) (arrived[size_t(r)] ? came : missing).push_back(r);
    return fatal("timed out after " + std::to_string(int64_t(g.timeout_s * 1000)) + " ms waiting for rank" +
                 (missing.size() > 1 ? "s " : " ") + ranks_str(missing) + " (arrived: rank" +
                 (came.size() > 1 ? "s " : " ") + ranks_str(came) + ")");
  }
  if (rc < 0) return fatal(backend_error(g));
  std::string diff = compare_headers(mine, all);
  if (!diff.empty()) {
    j.error = what + ": " + diff;  // every rank saw the same headers: all fail alike, the job goes on
    return;
  }

  int64_t n = j.t.defined() ? j.t.numel() : 0;
  int op = j.op == ReduceOp::Mean ? 0 : int(j.op);
  {
    std::lock_guard<std::mutex> lock(g.mu);
    g.busy_what = what;
    g.busy_until = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                           std::chrono::duration<double>(g.timeout_s));
  }
  struct NotBusy {
    Group& g;
    ~NotBusy() {
      std::lock_guard<std::mutex> lock(g.mu);
      g.busy_what.clear();
    }
  } not_busy{g};
  switch (j.kind) {
    case Kind::AllReduce:
      rc = be.allreduce(j.t.raw_data(), n, dtype, op);
      if (rc == 0 && j.op == ReduceOp::Mean) scale(j.t, 1.0 / g.info.size);
      break;
    case Kind::Broadcast: rc = be.broadcast(j.t.raw_data(), n, dtype, j.peer); break;
    case Kind::AllGather: rc = be.allgather(j.t.raw_data(), j.out.raw_data(), n, dtype); break;
    case Kind::ReduceScatter:
      rc = be.reduce_scatter(j.t.raw_data(), j.out.raw_data(), j.out.numel(), dtype, op);
      if (rc == 0 && j.op == ReduceOp::Mean) scale(j.out, 1.0 / g.info.size);
      break;
    case Kind::Barrier: rc = 0; break;  // the arrival exchange is the barrier
    default: break;
  }
  if (rc != 0) return fatal(backend_error(g));
}

void loop(Group& g, std::promise<std::string> started) {
  int rank = 0, size = 1, local = 0, level = 0;
  if (g.be.init(&rank, &size, &local, &level) != 0) {
    started.set_value("MPI initialisation failed: " + backend_error(g));
    return;
  }
  g.info = Info{rank, size, local};
  started.set_value("");
  for (;;) {
    std::shared_ptr<Job> j;
    {
      std::unique_lock<std::mutex> lock(g.mu);
      g.cv_queue.wait(lock, [&] { return !g.queue.empty() || g.stopping; });
      if (g.queue.empty()) break;
      j = g.queue.front();
      g.queue.pop_front();
    }
    std::string broken;
    {
      std::lock_guard<std::mutex> lock(g.mu);
      broken = g.broken;
    }
    if (!broken.empty()) {
      j->error = std::string(kind_name(j->kind)) + ": the process group was aborted after an earlier error (" + broken + ")";
      j->fatal = true;
    } else {
      run(g, *j);
      if (j->error.empty() && j->t.defined() && j->t.version() != j->version)
        j->error = std::string(kind_name(j->kind)) + ": the tensor " + shape_str(j->t.shape()) +
                   " was modified in place while the collective was in flight; wait for it first";
    }
    bool newly_fatal = j->fatal && broken.empty();
    if (newly_fatal) std::fprintf(stderr, "tensorfold.distributed: rank %d: %s\n", g.info.rank, j->error.c_str());
    {
      std::lock_guard<std::mutex> lock(g.mu);
      if (newly_fatal) g.broken = j->error;
      g.pending.erase(j->id);
      g.done[j->id] = j;
    }
    g.cv_done.notify_all();
    if (j->notify && g.on_complete) g.on_complete(j->id);
    if (newly_fatal) {
      // The rank raises the Error in JavaScript now; an uncaught one ends the process at once
      // (and its exit handler aborts the job). Should the script catch it, the job still ends:
      // the peers that never arrived would otherwise wait forever.
      std::this_thread::sleep_for(std::chrono::seconds(2));
      std::fprintf(stderr, "tensorfold.distributed: rank %d: calling MPI_Abort\n", g.info.rank);
      abort_job(1);
    }
  }
  g.be.finalize();
}

void watch(Group& g) {
  std::unique_lock<std::mutex> lock(g.mu);
  while (!g.stopping) {
    g.cv_watchdog.wait_for(lock, std::chrono::milliseconds(200));
    if (g.busy_what.empty() || std::chrono::steady_clock::now() < g.busy_until) continue;
    std::fprintf(stderr, "tensorfold.distributed: rank %d: %s: every rank arrived, but the collective did not complete "
                 "within %lld ms (a rank stopped inside it?); aborting the job\n",
                 g.info.rank, g.busy_what.c_str(), (long long)(g.timeout_s * 1000));
    lock.unlock();
    abort_job(1);
    return;
  }
}

#ifndef _WIN32
template <typename F>
bool sym(void* lib, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  return out != nullptr;
}
#endif

}  // namespace

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::AllReduce: return "allReduce";
    case Kind::Broadcast: return "broadcast";
    case Kind::AllGather: return "allGather";
    case Kind::ReduceScatter: return "reduceScatter";
    case Kind::Barrier: return "barrier";
    case Kind::Send: return "send";
    case Kind::Recv: return "recv";
  }
  return "?";
}

std::string load_backend(const std::string& path) {
  Group& g = G();
  if (g.loaded) return "";
#ifdef _WIN32
  return "the MPI backend is not supported on Windows";
#else
  // RTLD_GLOBAL: OpenMPI's own plugins, dlopened by libmpi, resolve symbols of libmpi globally.
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!lib) return dlerror();
  Backend b{};
  bool ok = sym(lib, "tfmpi_abi_version", b.abi_version) && sym(lib, "tfmpi_last_error", b.last_error) &&
            sym(lib, "tfmpi_init", b.init) && sym(lib, "tfmpi_finalize", b.finalize) &&
            sym(lib, "tfmpi_abort", b.abort) && sym(lib, "tfmpi_exchange", b.exchange) &&
            sym(lib, "tfmpi_allreduce", b.allreduce) && sym(lib, "tfmpi_broadcast", b.broadcast) &&
            sym(lib, "tfmpi_allgather", b.allgather) && sym(lib, "tfmpi_reduce_scatter", b.reduce_scatter) &&
            sym(lib, "tfmpi_send", b.send) && sym(lib, "tfmpi_recv_header", b.recv_header) &&
            sym(lib, "tfmpi_recv_data", b.recv_data);
  if (!ok) return path + ": missing symbols (a backend from another version; rebuild)";
  if (b.abi_version() != kAbi) return path + ": backend ABI " + std::to_string(b.abi_version()) + ", expected " + std::to_string(kAbi);
  g.be = b;
  g.loaded = true;
  return "";
#endif
}

bool backend_loaded() { return G().loaded; }
bool initialized() { return G().inited; }
Info info() { return G().info; }

Info init(double timeout_s) {
  Group& g = G();
  if (!g.loaded) fail("initProcessGroup: the MPI backend is not loaded");
  if (g.inited) fail("initProcessGroup: the process group is already initialised");
  if (g.finalized)
    fail("initProcessGroup: the process group was destroyed, and MPI cannot be initialised twice in one process");
  if (!g.broken.empty()) fail("initProcessGroup: the process group was aborted (" + g.broken + ")");
  g.timeout_s = timeout_s;
  g.stopping = false;
  std::promise<std::string> started;
  auto f = started.get_future();
  g.thread = std::thread(loop, std::ref(g), std::move(started));
  std::string err = f.get();
  if (!err.empty()) {
    g.thread.join();
    fail("initProcessGroup: " + err);
  }
  g.inited = true;
  g.watchdog = std::thread(watch, std::ref(g));
  return g.info;
}

uint64_t submit(std::shared_ptr<Job> j) {
  Group& g = G();
  const char* name = kind_name(j->kind);
  if (!g.inited) fail(std::string(name) + ": the process group is not initialised (call initProcessGroup first)");
  if (j->t.defined()) {
    const DType dt = j->t.dtype();
    if (dt == DType::Bool) fail_type(std::string(name) + ": dtype bool is not supported");
    // MPI has no half-precision arithmetic: the TypeScript layer reduces those on float32 copies.
    const bool reduces = j->kind == Kind::AllReduce || j->kind == Kind::ReduceScatter;
    if (reduces && is_half(dt))
      fail_type(std::string(name) + ": " + dtype_name(dt) + " is reduced in float32; convert with .to('float32') first");
    if (!j->t.is_contiguous())
      fail(std::string(name) + ": the tensor " + shape_str(j->t.shape()) + " is not contiguous; call contiguous() first");
    if (j->t.numel() * int64_t(dtype_size(j->t.dtype())) > int64_t(INT32_MAX))
      fail_range(std::string(name) + ": the tensor " + shape_str(j->t.shape()) + " is over 2 GiB; split it");
    if ((j->op == ReduceOp::Mean) && !is_floating(dt))
      fail_type(std::string(name) + ": op 'mean' needs a floating-point tensor, got " + dtype_name(dt));
  }
  bool writes = j->kind == Kind::AllReduce || j->kind == Kind::Broadcast || j->kind == Kind::Recv;
  if (writes) j->t.bump_version();  // saved-for-backward copies of it are stale from now on
  if (j->t.defined()) j->version = j->t.version();
  std::lock_guard<std::mutex> lock(g.mu);
  if (g.stopping) fail(std::string(name) + ": the process group is being destroyed");
  j->id = ++g.next_id;
  g.pending[j->id] = true;
  g.queue.push_back(j);
  g.cv_queue.notify_one();
  return j->id;
}

std::shared_ptr<Job> wait(uint64_t id) {
  Group& g = G();
  std::unique_lock<std::mutex> lock(g.mu);
  g.cv_done.wait(lock, [&] { return g.done.count(id) || !g.pending.count(id); });
  auto it = g.done.find(id);
  if (it == g.done.end()) return nullptr;  // already handed over
  auto j = it->second;
  g.done.erase(it);
  return j;
}

void set_completion_callback(std::function<void(uint64_t)> fn) {
  std::lock_guard<std::mutex> lock(G().mu);
  G().on_complete = std::move(fn);
}

void destroy() {
  Group& g = G();
  if (!g.inited) return;
  {
    std::lock_guard<std::mutex> lock(g.mu);
    g.stopping = true;
  }
  g.cv_queue.notify_all();
  g.cv_watchdog.notify_all();
  g.thread.join();
  g.watchdog.join();
  g.inited = false;
  g.finalized = true;
  g.info = Info{};
}

void abort_job(int code) {
  Group& g = G();
  if (!(g.loaded && g.inited)) return;
  // mpirun forwards each rank's output through its daemon, which drops what it has not read yet
  // once the abort kills the job: a moment's pause lets the rank's last error reach the terminal.
  std::fflush(stderr);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  g.be.abort(code);
}

}  // namespace dist
}  // namespace tf
