// Per-thread cost of the vector math of simd_math.h (exp and its users), apart from the engine's
// thread pool and dispatch: TSC cycles per 16 floats with the data in L1 (pure compute), and ms
// for a 2^24-float array (64 MiB in, 64 MiB out, streaming stores as simd_loops.h uses above the
// L3 size) on 1 and 2 threads. Compare a changed simd_math.h against an older copy:
//   g++ -O3 -std=c++17 -pthread scripts/simd_math_bench.cpp -o /tmp/smb_new
//   g++ -O3 -std=c++17 -pthread -DTF_MATH_HEADER='"/tmp/old/simd_math.h"' scripts/simd_math_bench.cpp -o /tmp/smb_old
//   flock -x /tmp/tf-measure.lock /tmp/smb_new     (and /tmp/smb_old, alternately)
// x86-64 only (the AVX2 and AVX-512 levels are both timed when the CPU has them).
#include <immintrin.h>
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <thread>
#include <vector>

// GCC warns about the intrinsics' undefined pass-through operands (as kernels.cpp silences).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#ifndef TF_MATH_HEADER
#define TF_MATH_HEADER "../native/core/simd_math.h"
#endif

// The loop of simd_loops.h's map1 with the streaming store (dst 64-byte aligned, n a multiple
// of the vector width here).
#define TF_BENCH_BODY                                                                         \
  template <bool NT, class Op>                                                                \
  void run(const float* x, float* y, int64_t n, Op op) {                                      \
    const int64_t pf = g_prefetch / 4;                                                        \
    if (NT && pf > 0) {                                                                       \
      for (int64_t i = 0; i < n; i += VF::N) {                                                \
        if ((i * 4) % 64 == 0) _mm_prefetch(reinterpret_cast<const char*>(x + i + pf), _MM_HINT_T0); \
        stream(y + i, op(ld(VF{}, x + i)));                                                  \
      }                                                                                       \
    } else {                                                                                  \
      for (int64_t i = 0; i < n; i += VF::N) {                                                \
        if constexpr (NT) stream(y + i, op(ld(VF{}, x + i)));                                \
        else store(y + i, op(ld(VF{}, x + i)));                                              \
      }                                                                                       \
    }                                                                                         \
    if (NT) _mm_sfence();                                                                     \
  }                                                                                           \
  template <bool NT>                                                                          \
  void kernel(int k, const float* x, float* y, int64_t n) {                                   \
    switch (k) {                                                                              \
      case 0: run<NT>(x, y, n, [](VF v) { return -v; }); break;                              \
      case 1: run<NT>(x, y, n, [](VF v) { return exp_f(v); }); break;                        \
      case 2: run<NT>(x, y, n, [](VF v) { return sigmoid_f(v); }); break;                    \
      case 3: run<NT>(x, y, n, [](VF v) { return silu_f(v); }); break;                       \
      case 4: run<NT>(x, y, n, [](VF v) { return tanh_f(v); }); break;                       \
      case 5: run<NT>(x, y, n, [](VF v) { return softplus_f(v); }); break;                   \
    }                                                                                         \
  }

// TF_PREFETCH=<bytes>: a software prefetch that far ahead of the streamed loop's loads.
static int64_t g_prefetch = 0;

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace isa_avx2 {
#include "../native/core/simd_scalar.h"
#include "../native/core/simd_vec_avx2.h"
#include TF_MATH_HEADER
TF_BENCH_BODY
}  // namespace isa_avx2
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,fma")
namespace isa_avx512 {
#include "../native/core/simd_scalar.h"
#include "../native/core/simd_vec_avx512.h"
#include TF_MATH_HEADER
TF_BENCH_BODY
}  // namespace isa_avx512
#pragma GCC pop_options

using Kern = void (*)(int, const float*, float*, int64_t);
static const char* kNames[] = {"neg", "exp", "sigmoid", "silu", "tanh", "softplus"};

static double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

static void bench_level(const char* level, Kern cached, Kern streamed, const std::vector<int>& ks) {
  const int64_t small = 4096, big = int64_t(1) << 24;
  float* xs = static_cast<float*>(std::aligned_alloc(64, small * 4));
  float* ys = static_cast<float*>(std::aligned_alloc(64, small * 4));
  float* xb = static_cast<float*>(std::aligned_alloc(64, big * 4));
  float* yb = static_cast<float*>(std::aligned_alloc(64, big * 4));
  uint32_t s = 12345;
  auto rnd = [&] { s = s * 1664525u + 1013904223u; return (s >> 8) * (1.0f / 16777216.0f); };
  for (int64_t i = 0; i < small; ++i) xs[i] = 20.0f * rnd() - 10.0f;
  for (int64_t i = 0; i < big; ++i) xb[i] = xs[i % small];
  std::memset(yb, 0, big * 4);
  for (int k : ks) {
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
      const uint64_t t0 = __rdtsc();
      for (int it = 0; it < 200; ++it) cached(k, xs, ys, small);
      best = std::min(best, double(__rdtsc() - t0) / (200.0 * small / 16));
    }
    double t1 = 1e30, t2 = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      double t = now_ms();
      streamed(k, xb, yb, big);
      t1 = std::min(t1, now_ms() - t);
      t = now_ms();
      std::thread a([&] { streamed(k, xb, yb, big / 2); });
      streamed(k, xb + big / 2, yb + big / 2, big / 2);
      a.join();
      t2 = std::min(t2, now_ms() - t);
    }
    std::printf("%-7s %-9s L1: %6.2f TSC cycles/16 floats   2^24: 1 thread %6.2f ms, 2 threads %6.2f ms (%5.1f GB/s)\n",
                level, kNames[k], best, t1, t2, 2.0 * big * 4 / t2 / 1e6);
  }
  std::free(xs); std::free(ys); std::free(xb); std::free(yb);
}

int main(int argc, char** argv) {
  std::vector<int> ks;
  for (int i = 1; i < argc; ++i)
    for (int k = 0; k < 6; ++k)
      if (!std::strcmp(argv[i], kNames[k])) ks.push_back(k);
  if (ks.empty()) ks = {0, 1};
  if (const char* e = std::getenv("TF_PREFETCH")) g_prefetch = std::atoll(e);
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    bench_level("avx512", isa_avx512::kernel<false>, isa_avx512::kernel<true>, ks);
  if (__builtin_cpu_supports("avx2"))
    bench_level("avx2", isa_avx2::kernel<false>, isa_avx2::kernel<true>, ks);
}
