// The process-wide thread pool behind parallel_for.
//
// Design:
//  - One pool of persistent workers (num_threads() - 1 of them; the caller is the last thread).
//  - One job at a time. A caller takes `busy` with try_lock; if another OS thread (e.g. a second
//    Node worker_thread) holds it, the caller runs its range serially instead of waiting, so
//    callers never block on each other.
//  - The job is split into at most num_threads() equal chunks, claimed through one atomic
//    `ticket` = (generation << 32) | next_chunk. Claiming with a CAS that also checks the
//    generation means a worker that wakes late can never run a chunk of a newer job with a stale
//    function pointer: its CAS fails as soon as the generation moves on.
//  - Workers spin briefly (back-to-back kernels then dispatch in well under a microsecond), then
//    sleep on a condition variable so an idle pool costs no CPU.
//  - Calls made from inside a chunk (nested parallelism) run serially on that thread.
//  - The pool object is deliberately leaked and its threads detached: no static destructor can
//    run while a worker still touches it, and the threads never keep the process alive.
#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TF_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define TF_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define TF_CPU_RELAX() ((void)0)
#endif

namespace tf {
namespace {

using Fn = std::function<void(int64_t, int64_t)>;

// True on pool workers always, and on a caller thread while it runs chunks of its own job.
thread_local bool t_in_parallel = false;

// How long an idle worker spins before sleeping. Long enough to cover the gap between two
// kernels issued back to back, short enough not to steal a core from JavaScript for long.
constexpr auto kSpinTime = std::chrono::microseconds(100);

int default_threads() {
  if (const char* env = std::getenv("TENSORFOLD_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return std::min(n, 1024);
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(std::min(hc, 1024u)) : 1;
}

struct Pool {
  std::mutex busy;  // owned by the caller whose job is running

  // Job description. Written by the owner of `busy` before it publishes a new generation in
  // `ticket`; read by workers only between seeing the generation and claiming through the CAS.
  std::atomic<const Fn*> fn{nullptr};
  std::atomic<int64_t> begin{0}, end{0};
  std::atomic<int> nchunks{0};
  std::atomic<uint64_t> ticket{0};  // (generation << 32) | next chunk index
  std::atomic<int> pending{0};      // chunks not yet finished
  std::exception_ptr error;         // first exception thrown by a chunk (guarded by err_mu)
  std::mutex err_mu;

  // Sleeping workers.
  std::mutex sleep_mu;
  std::condition_variable wake;
  std::atomic<int> sleepers{0};

  // Workers of an older epoch exit (set_num_threads replaces the workers).
  std::atomic<uint32_t> epoch{0};
  std::atomic<bool> shutting_down{false};
  std::atomic<int> threads{1};

  static uint32_t gen_of(uint64_t t) { return static_cast<uint32_t>(t >> 32); }

  // Claims and runs chunks of the job of generation `gen` until none are left.
  void run_chunks(uint32_t gen) {
    const Fn* f = fn.load(std::memory_order_acquire);
    const int64_t b = begin.load(std::memory_order_relaxed);
    const int64_t e = end.load(std::memory_order_relaxed);
    const int nc = nchunks.load(std::memory_order_relaxed);
    uint64_t t = ticket.load(std::memory_order_acquire);
    for (;;) {
      if (gen_of(t) != gen) return;
      const int idx = static_cast<int>(t & 0xffffffffu);
      if (idx >= nc) return;
      if (!ticket.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel,
                                        std::memory_order_acquire))
        continue;
      const int64_t n = e - b;
      const int64_t lo = b + n * idx / nc, hi = b + n * (idx + 1) / nc;
      try {
        (*f)(lo, hi);
      } catch (...) {
        std::lock_guard<std::mutex> g(err_mu);
        if (!error) error = std::current_exception();
      }
      pending.fetch_sub(1, std::memory_order_acq_rel);
      t = ticket.load(std::memory_order_acquire);
    }
  }

  void worker_main(uint32_t my_epoch) {
    t_in_parallel = true;
    uint32_t seen = gen_of(ticket.load(std::memory_order_acquire));
    for (;;) {
      // Spin, then sleep, until a new generation is published (or this worker is retired).
      auto spin_start = std::chrono::steady_clock::now();
      uint32_t gen;
      for (int i = 0;; ++i) {
        gen = gen_of(ticket.load(std::memory_order_acquire));
        if (gen != seen || retired(my_epoch)) break;
        TF_CPU_RELAX();
        if ((i & 63) == 63 && std::chrono::steady_clock::now() - spin_start > kSpinTime) {
          std::unique_lock<std::mutex> lk(sleep_mu);
          sleepers.fetch_add(1, std::memory_order_seq_cst);
          wake.wait(lk, [&] {
            return gen_of(ticket.load(std::memory_order_seq_cst)) != seen || retired(my_epoch);
          });
          sleepers.fetch_sub(1, std::memory_order_relaxed);
          spin_start = std::chrono::steady_clock::now();
        }
      }
      if (retired(my_epoch)) return;
      seen = gen;
      run_chunks(gen);
    }
  }

  bool retired(uint32_t my_epoch) const {
    return epoch.load(std::memory_order_relaxed) != my_epoch ||
           shutting_down.load(std::memory_order_relaxed);
  }

  void wake_all() {
    { std::lock_guard<std::mutex> g(sleep_mu); }
    wake.notify_all();
  }

  // Replaces the workers by n - 1 new ones. Caller holds `busy`.
  void spawn(int n) {
    const uint32_t e = epoch.fetch_add(1) + 1;
    wake_all();  // old workers see the new epoch and exit
    threads.store(n);
    int started = 1;  // the calling thread takes part in every job
    try {
      for (int i = 0; i + 1 < n; ++i) {
        std::thread([this, e] { worker_main(e); }).detach();
        ++started;
      }
    } catch (...) {
      // Could not start them all (process or memory limits): run with those that did start,
      // rather than waiting forever for workers that do not exist.
      threads.store(started);
      throw;
    }
  }
};

Pool& pool() {
  // Leaked on purpose (see top of file).
  static Pool* p = [] {
    Pool* q = new Pool;
    q->spawn(default_threads());
    return q;
  }();
  return *p;
}

// Asks the workers to exit at process exit so none is left spinning while the process tears down.
struct ShutdownOnExit {
  ~ShutdownOnExit() {
    // Only if the pool exists; creating it here would start threads during exit.
    if (created.load()) {
      pool().shutting_down.store(true);
      pool().wake_all();
    }
  }
  static std::atomic<bool> created;
};
std::atomic<bool> ShutdownOnExit::created{false};
ShutdownOnExit shutdown_on_exit;

Pool& get_pool() {
  Pool& p = pool();
  ShutdownOnExit::created.store(true, std::memory_order_relaxed);
  return p;
}

}  // namespace

void parallel_for(int64_t begin, int64_t end, int64_t grain, const Fn& fn) {
  if (end <= begin) return;
  const int64_t n = end - begin;
  if (grain < 1) grain = 1;
  if (t_in_parallel || n <= grain) {
    fn(begin, end);
    return;
  }
  Pool& p = get_pool();
  const int threads = p.threads.load(std::memory_order_relaxed);
  const int64_t want = std::min<int64_t>(threads, (n + grain - 1) / grain);
  if (want <= 1 || p.shutting_down.load(std::memory_order_relaxed) || !p.busy.try_lock()) {
    fn(begin, end);  // pool busy with another caller: serial, never wait
    return;
  }
  std::lock_guard<std::mutex> own(p.busy, std::adopt_lock);

  p.fn.store(&fn, std::memory_order_relaxed);
  p.begin.store(begin, std::memory_order_relaxed);
  p.end.store(end, std::memory_order_relaxed);
  p.nchunks.store(static_cast<int>(want), std::memory_order_relaxed);
  p.pending.store(static_cast<int>(want), std::memory_order_relaxed);
  const uint32_t gen = Pool::gen_of(p.ticket.load(std::memory_order_relaxed)) + 1;
  p.ticket.store(static_cast<uint64_t>(gen) << 32, std::memory_order_seq_cst);
  if (p.sleepers.load(std::memory_order_seq_cst) > 0) p.wake_all();

  t_in_parallel = true;
  p.run_chunks(gen);
  t_in_parallel = false;

  // Chunks claimed by workers may still be running.
  for (int i = 0; p.pending.load(std::memory_order_acquire) != 0; ++i) {
    if (i < 4096) TF_CPU_RELAX();
    else std::this_thread::yield();
  }
  if (p.error) {
    std::exception_ptr e;
    std::swap(e, p.error);
    std::rethrow_exception(e);
  }
}

int num_threads() {
  Pool& p = get_pool();
  return p.threads.load(std::memory_order_relaxed);
}

void set_num_threads(int n) {
  if (n < 1) n = 1;
  Pool& p = get_pool();
  std::lock_guard<std::mutex> own(p.busy);  // waits for a running job to finish
  if (n == p.threads.load()) return;
  p.spawn(n);
}

}  // namespace tf
