// One process-wide thread pool for large kernels.
//
// parallel_for splits [begin, end) into chunks of at least `grain` iterations and runs them on the
// pool. Below the grain (or when another thread — e.g. a second worker_thread — is already using the
// pool) it simply runs fn(begin, end) on the calling thread, so it is always safe to call.
#pragma once
#include <cstdint>
#include <functional>

namespace tf {

// Runs fn(lo, hi) over disjoint sub-ranges covering [begin, end). fn must be thread-safe.
void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& fn);

int num_threads();            // threads the pool uses (TENSORFOLD_NUM_THREADS or core count)
void set_num_threads(int n);  // n >= 1

}  // namespace tf
