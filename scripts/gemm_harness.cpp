// Standalone GEMM timing harness for tuning the own kernel: one square (or M N K) product, own
// kernel only, operands in std::vectors, best and median of short timed runs, as a share of this
// machine's measured FMA peak. Run it under `flock -x /tmp/tf-measure.lock`.
//   gemm_harness f|d M [N K] [threads] [batch]   (batch > 1: batched items)
//   env: SECS (time per shape, default 1.5), PAD_A / PAD_B / PAD_C (leading dimension padding),
//        ALIGN=1 (operands page-aligned)
// Build: g++ -O3 -std=c++17 -pthread scripts/gemm_harness.cpp native/core/{gemm,parallel,cpu,probe,kernels,op_table}.cpp
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "../native/core/cpu.h"
#include "../native/core/gemm.h"
#include "../native/core/parallel.h"
#include "../native/core/probe.h"

using namespace tf;

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

static int64_t env_int(const char* name) {
  const char* e = std::getenv(name);
  return e ? std::atoll(e) : 0;
}

template <typename T>
static void run(int64_t M, int64_t N, int64_t K, int64_t batch, double seconds) {
  std::mt19937 g(1);
  std::uniform_real_distribution<T> d(-1, 1);
  // PAD_A/PAD_B/PAD_C (elements) widen the leading dimensions, to separate a power-of-two
  // stride's cache-set conflicts from the size of the product.
  const int64_t lda = K + env_int("PAD_A"), ldb = N + env_int("PAD_B"), ldc = N + env_int("PAD_C");
  // ALIGN=1: operands start on a page, as the engine's tensors do (a std::vector this large is
  // mmap'ed by malloc and starts 16 bytes into a page).
  const bool page = env_int("ALIGN") != 0;
  auto buffer = [&](int64_t n) {
    T* p = page ? static_cast<T*>(std::aligned_alloc(4096, (sizeof(T) * n + 4095) / 4096 * 4096))
                : static_cast<T*>(std::malloc(sizeof(T) * n));
    return std::unique_ptr<T[], void (*)(void*)>(p, std::free);
  };
  auto A = buffer(batch * M * lda), B = buffer(batch * K * ldb), C = buffer(batch * M * ldc);
  for (int64_t i = 0; i < batch * M * lda; ++i) A[i] = d(g);
  for (int64_t i = 0; i < batch * K * ldb; ++i) B[i] = d(g);
  std::fill(C.get(), C.get() + batch * M * ldc, T(0));
  auto once = [&] {
    if (batch == 1) {
      if constexpr (sizeof(T) == 4)
        own_sgemm(false, false, M, N, K, 1, A.get(), lda, B.get(), ldb, 0, C.get(), ldc);
      else
        own_dgemm(false, false, M, N, K, 1, A.get(), lda, B.get(), ldb, 0, C.get(), ldc);
    } else {
      if constexpr (sizeof(T) == 4)
        sgemm_batched(false, false, batch, M, N, K, 1, A.get(), lda, M * lda, B.get(), ldb,
                      K * ldb, 0, C.get(), ldc, M * ldc);
      else
        dgemm_batched(false, false, batch, M, N, K, 1, A.get(), lda, M * lda, B.get(), ldb,
                      K * ldb, 0, C.get(), ldc, M * ldc);
    }
  };
  once();
  std::vector<double> ts;
  const double t_end = now() + seconds;
  while (now() < t_end || ts.size() < 5) {
    const double t = now();
    once();
    ts.push_back(now() - t);
  }
  std::sort(ts.begin(), ts.end());
  const double flop = 2.0 * M * N * K * batch;
  const double peak = fma_peak_gflops(simd_level(), sizeof(T) == 8, num_threads(), 0.3);
  std::printf("%s %s %lldx%lldx%lld ld %lld/%lld/%lld b%lld t%d: best %.1f (%.1f%%) median %.1f (%.1f%%) GFLOP/s, peak %.0f, %zu runs\n",
              simd_level_name(), sizeof(T) == 4 ? "f32" : "f64", (long long)M, (long long)N,
              (long long)K, (long long)lda, (long long)ldb, (long long)ldc, (long long)batch,
              num_threads(), flop / ts[0] / 1e9,
              100 * flop / ts[0] / 1e9 / peak, flop / ts[ts.size() / 2] / 1e9,
              100 * flop / ts[ts.size() / 2] / 1e9 / peak, peak, ts.size());
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: gemm_harness f|d M [N K] [threads] [batch]\n");
    return 1;
  }
  const bool f64 = argv[1][0] == 'd';
  const int64_t M = std::atoll(argv[2]);
  const int64_t N = argc > 3 ? std::atoll(argv[3]) : M, K = argc > 4 ? std::atoll(argv[4]) : M;
  if (argc > 5) set_num_threads(std::atoi(argv[5]));
  const int64_t batch = argc > 6 ? std::atoll(argv[6]) : 1;
  const double secs = std::getenv("SECS") ? std::atof(std::getenv("SECS")) : 1.5;
  if (f64) run<double>(M, N, K, batch, secs);
  else run<float>(M, N, K, batch, secs);
  return 0;
}
