// Machine limits: cache sizes (CPUID, else sysfs/sysconf), CPU model, FMA peak, triad bandwidth.
//
// The FMA probe is what "share of peak" in the benchmark is measured against, so it must really be
// the limit: 12 independent chains per thread (more than FMA latency x FMA ports on any x86 core:
// 4 cycles x 2 pipes = 8 in flight on Zen, Skylake-X and Ice Lake), in registers, no loads, on
// all threads at once.
#include "probe.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "parallel.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#include <immintrin.h>
#define TF_PROBE_X86 1
#endif
#include <unistd.h>

namespace tf {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

#ifdef TF_PROBE_X86
// CPUID's deterministic cache parameters (leaf 4 on Intel, 0x8000001D on AMD share the layout):
// size = ways x partitions x line size x sets.
bool cpuid_caches(CacheSizes& out) {
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return false;
  const bool amd = b == 0x68747541;  // "Auth"
  unsigned leaf = 4;
  if (amd) {
    if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x8000001D) return false;
    if (!__get_cpuid(0x80000001, &a, &b, &c, &d) || !(c & (1u << 22))) return false;  // TOPOEXT
    leaf = 0x8000001D;
  } else if (a < 4) {
    return false;
  }
  bool any = false;
  for (unsigned sub = 0; sub < 16; ++sub) {
    __cpuid_count(leaf, sub, a, b, c, d);
    const unsigned type = a & 31, level = (a >> 5) & 7;
    if (type == 0) break;
    if (type == 2) continue;  // instruction cache
    const int64_t size = int64_t((b >> 22) + 1) * (((b >> 12) & 0x3ff) + 1) * ((b & 0xfff) + 1) *
                         (int64_t(c) + 1);
    if (level == 1) out.l1d = size;
    else if (level == 2) out.l2 = size;
    else if (level == 3) out.l3 = size;
    any = true;
  }
  return any;
}
#endif

int64_t sysfs_size(const char* path) {
  std::ifstream f(path);
  std::string s;
  if (!(f >> s) || s.empty()) return 0;
  int64_t v = std::atoll(s.c_str());
  const char unit = s.back();
  if (unit == 'K') v <<= 10;
  else if (unit == 'M') v <<= 20;
  return v;
}

CacheSizes detect_caches() {
  CacheSizes cs;
#ifdef TF_PROBE_X86
  if (cpuid_caches(cs) && cs.l1d && cs.l2) return cs;
#endif
  for (int i = 0; i < 8; ++i) {
    char base[96], buf[128];
    std::snprintf(base, sizeof base, "/sys/devices/system/cpu/cpu0/cache/index%d/", i);
    std::snprintf(buf, sizeof buf, "%stype", base);
    std::ifstream tf(buf);
    std::string type;
    if (!(tf >> type)) break;
    if (type == "Instruction") continue;
    std::snprintf(buf, sizeof buf, "%slevel", base);
    const int64_t level = sysfs_size(buf);
    std::snprintf(buf, sizeof buf, "%ssize", base);
    const int64_t size = sysfs_size(buf);
    if (level == 1) cs.l1d = size;
    else if (level == 2) cs.l2 = size;
    else if (level == 3) cs.l3 = size;
  }
#ifdef _SC_LEVEL1_DCACHE_SIZE
  if (!cs.l1d) cs.l1d = std::max<long>(0, sysconf(_SC_LEVEL1_DCACHE_SIZE));
  if (!cs.l2) cs.l2 = std::max<long>(0, sysconf(_SC_LEVEL2_CACHE_SIZE));
  if (!cs.l3) cs.l3 = std::max<long>(0, sysconf(_SC_LEVEL3_CACHE_SIZE));
#endif
  return cs;
}

// ---- FMA chains ---------------------------------------------------------------------------------
// Each chain computes x = x * m + a with m just below 1, so values stay finite forever. Runs
// `blocks` x kBlock steps and returns the number of FMA instructions issued; `sink` keeps the
// compiler from dropping the work.
constexpr int kChains = 12;
constexpr int64_t kBlock = 1 << 10;

#ifdef TF_PROBE_X86
__attribute__((target("avx512f"))) int64_t chains_avx512(int64_t blocks, bool f64, double* sink) {
  int64_t n = 0;
  if (f64) {
    __m512d x[kChains];
    const __m512d m = _mm512_set1_pd(0.999999), a = _mm512_set1_pd(1e-7);
    for (int i = 0; i < kChains; ++i) x[i] = _mm512_set1_pd(1.0 + i);
    do {
      for (int64_t k = 0; k < kBlock; ++k)
#pragma GCC unroll 12
        for (int i = 0; i < kChains; ++i) x[i] = _mm512_fmadd_pd(x[i], m, a);
      n += kBlock * kChains;
    } while (--blocks > 0);
    __m512d s = x[0];
    for (int i = 1; i < kChains; ++i) s = _mm512_add_pd(s, x[i]);
    alignas(64) double out[8];
    _mm512_store_pd(out, s);  // (_mm512_reduce_add_pd trips a GCC 12 -Wmaybe-uninitialized)
    *sink = out[0] + out[7];
  } else {
    __m512 x[kChains];
    const __m512 m = _mm512_set1_ps(0.9999f), a = _mm512_set1_ps(1e-4f);
    for (int i = 0; i < kChains; ++i) x[i] = _mm512_set1_ps(1.0f + i);
    do {
      for (int64_t k = 0; k < kBlock; ++k)
#pragma GCC unroll 12
        for (int i = 0; i < kChains; ++i) x[i] = _mm512_fmadd_ps(x[i], m, a);
      n += kBlock * kChains;
    } while (--blocks > 0);
    __m512 s = x[0];
    for (int i = 1; i < kChains; ++i) s = _mm512_add_ps(s, x[i]);
    alignas(64) float out[16];
    _mm512_store_ps(out, s);
    *sink = out[0] + out[15];
  }
  return n;
}

__attribute__((target("avx2,fma"))) int64_t chains_avx2(int64_t blocks, bool f64, double* sink) {
  int64_t n = 0;
  if (f64) {
    __m256d x[kChains];
    const __m256d m = _mm256_set1_pd(0.999999), a = _mm256_set1_pd(1e-7);
    for (int i = 0; i < kChains; ++i) x[i] = _mm256_set1_pd(1.0 + i);
    do {
      for (int64_t k = 0; k < kBlock; ++k)
#pragma GCC unroll 12
        for (int i = 0; i < kChains; ++i) x[i] = _mm256_fmadd_pd(x[i], m, a);
      n += kBlock * kChains;
    } while (--blocks > 0);
    double out[4];
    __m256d s = x[0];
    for (int i = 1; i < kChains; ++i) s = _mm256_add_pd(s, x[i]);
    _mm256_storeu_pd(out, s);
    *sink = out[0] + out[1] + out[2] + out[3];
  } else {
    __m256 x[kChains];
    const __m256 m = _mm256_set1_ps(0.9999f), a = _mm256_set1_ps(1e-4f);
    for (int i = 0; i < kChains; ++i) x[i] = _mm256_set1_ps(1.0f + i);
    do {
      for (int64_t k = 0; k < kBlock; ++k)
#pragma GCC unroll 12
        for (int i = 0; i < kChains; ++i) x[i] = _mm256_fmadd_ps(x[i], m, a);
      n += kBlock * kChains;
    } while (--blocks > 0);
    float out[8];
    __m256 s = x[0];
    for (int i = 1; i < kChains; ++i) s = _mm256_add_ps(s, x[i]);
    _mm256_storeu_ps(out, s);
    *sink = out[0] + out[7];
  }
  return n;
}
#endif

// Scalar level: what the scalar kernels can reach, i.e. compiled code on baseline (SSE2 on
// x86-64, which has no FMA: a multiply and an add, counted as one multiply-add).
template <typename T>
int64_t chains_scalar(int64_t blocks, double* sink) {
  int64_t n = 0;
  T x[kChains];
  const T m = T(0.9999), a = T(1e-4);
  for (int i = 0; i < kChains; ++i) x[i] = T(1 + i);
  do {
    for (int64_t k = 0; k < kBlock; ++k)
#pragma GCC unroll 12
      for (int i = 0; i < kChains; ++i) x[i] = x[i] * m + a;
    n += kBlock * kChains;
  } while (--blocks > 0);
  T s = 0;
  for (int i = 0; i < kChains; ++i) s += x[i];
  *sink = double(s);
  return n;
}

}  // namespace

const CacheSizes& cache_sizes() {
  static const CacheSizes cs = [] {
    CacheSizes c = detect_caches();
    const char* spec = std::getenv("TENSORFOLD_CPU_CACHES");
    if (!apply_cache_override(spec, c))
      std::fprintf(stderr,
                   "tensorfold: ignoring TENSORFOLD_CPU_CACHES='%s' (expected e.g. "
                   "'l1d=32K,l2=512K,l3=32M': l1d, l2, l3 = size in bytes with an optional K, M "
                   "or G)\n",
                   spec);
    return c;
  }();
  return cs;
}

// A malformed value is ignored whole (the caches as detected) rather than half applied.
bool apply_cache_override(const char* spec, CacheSizes& cs) {
  if (!spec || !*spec) return true;
  CacheSizes out = cs;
  std::string s(spec);
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t end = s.find(',', pos);
    if (end == std::string::npos) end = s.size();
    const std::string item = s.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return false;
    const std::string key = item.substr(0, eq), val = item.substr(eq + 1);
    char* rest = nullptr;
    const double num = std::strtod(val.c_str(), &rest);
    if (rest == val.c_str() || !(num > 0)) return false;
    double scale = 1;
    const std::string unit(rest);
    if (unit == "K" || unit == "k" || unit == "KiB") scale = 1024;
    else if (unit == "M" || unit == "m" || unit == "MiB") scale = 1024.0 * 1024;
    else if (unit == "G" || unit == "g" || unit == "GiB") scale = 1024.0 * 1024 * 1024;
    else if (!unit.empty() && unit != "B") return false;
    const double bytes = num * scale;
    if (bytes < 1024 || bytes > double(int64_t(1) << 40)) return false;
    if (key == "l1" || key == "l1d") out.l1d = int64_t(bytes);
    else if (key == "l2") out.l2 = int64_t(bytes);
    else if (key == "l3") out.l3 = int64_t(bytes);
    else return false;
  }
  cs = out;
  return true;
}

std::string cpu_model() {
#ifdef TF_PROBE_X86
  unsigned a, b, c, d;
  if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000004) {
    char brand[49] = {};
    for (unsigned i = 0; i < 3; ++i) {
      __get_cpuid(0x80000002 + i, &a, &b, &c, &d);
      std::memcpy(brand + 16 * i, &a, 4);
      std::memcpy(brand + 16 * i + 4, &b, 4);
      std::memcpy(brand + 16 * i + 8, &c, 4);
      std::memcpy(brand + 16 * i + 12, &d, 4);
    }
    std::string s(brand);
    const size_t first = s.find_first_not_of(' '), last = s.find_last_not_of(' ');
    if (first != std::string::npos) return s.substr(first, last - first + 1);
  }
#endif
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "";
}

// The machine may be shared (other processes, a hypervisor's other guests), so each thread times
// its own short rounds (~0.5 ms) while all threads run at once, and the figure is the sum of each
// thread's best round: a round that no one interrupted. With SMT, two logical cores share one
// core's FMA pipes and a round where the sibling happened to be descheduled overstates the pair;
// run it with one thread per physical core there.
double fma_peak_gflops(SimdLevel level, bool f64, int threads, double seconds) {
  if (threads < 1) threads = 1;
  if (static_cast<int>(level) > static_cast<int>(simd_level())) level = simd_level();
  int lanes = 1;
#ifdef TF_PROBE_X86
  if (level == SimdLevel::AVX512) lanes = f64 ? 8 : 16;
  else if (level == SimdLevel::AVX2) lanes = f64 ? 4 : 8;
#endif
  std::vector<double> sinks(threads, 0), rate(threads, 0);
  auto chains = [&](int t, int64_t blocks) -> int64_t {
#ifdef TF_PROBE_X86
    if (level == SimdLevel::AVX512) return chains_avx512(blocks, f64, &sinks[t]);
    if (level == SimdLevel::AVX2) return chains_avx2(blocks, f64, &sinks[t]);
#endif
    return f64 ? chains_scalar<double>(blocks, &sinks[t]) : chains_scalar<float>(blocks, &sinks[t]);
  };
  // Size a round to ~0.5 ms on one thread.
  int64_t blocks = 1;
  for (;;) {
    const double t0 = now_s();
    chains(0, blocks);
    const double dt = now_s() - t0;
    if (dt > 2e-4 || blocks > (int64_t(1) << 30)) {
      blocks = std::max<int64_t>(1, int64_t(blocks * 5e-4 / std::max(dt, 1e-9)));
      break;
    }
    blocks *= 4;
  }
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  const double end_in = seconds;
  auto body = [&](int t) {
    ready.fetch_add(1);
    while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
    const double end = now_s() + end_in;
    double best = 1e30;
    do {
      const double t0 = now_s();
      chains(t, blocks);
      best = std::min(best, now_s() - t0);
    } while (now_s() < end);
    rate[t] = double(blocks) * kBlock * kChains / best;
  };
  std::vector<std::thread> ts;
  for (int t = 1; t < threads; ++t) ts.emplace_back(body, t);
  while (ready.load() < threads - 1) std::this_thread::yield();
  go.store(true, std::memory_order_release);
  body(0);
  for (auto& th : ts) th.join();
  double total = 0;
  for (double r : rate) total += r;
  return total * lanes * 2 / 1e9;
}

// STREAM's triad a = b + s*c, counted as 3 arrays moved. Each pass is timed both with ordinary
// stores (which read every line of `a` in before writing it: 4 arrays of traffic) and, on x86,
// with non-temporal stores (3 arrays), and the faster counts: the elementwise kernels stream their
// large outputs (simd_loops.h), so the limit they are measured against must allow for it.
double triad_gbps(int64_t bytes_per_array, double seconds) {
  const int64_t n = std::max<int64_t>(1024, bytes_per_array / int64_t(sizeof(float)));
  std::unique_ptr<float[]> a(new float[n]), b(new float[n]), c(new float[n]);
  const float s = 0.5f;
  // First touch from the pool too, so pages are spread the way the timed passes use them.
  parallel_for(0, n, 1 << 16, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) a[i] = 0, b[i] = 1, c[i] = 2;
  });
  auto pass = [&](bool nt) {
    parallel_for(0, n, 1 << 16, [&](int64_t lo, int64_t hi) {
      float* __restrict pa = a.get();
      const float* __restrict pb = b.get();
      const float* __restrict pc = c.get();
      int64_t i = lo;
#ifdef TF_PROBE_X86
      if (nt) {
        // SSE stores (baseline x86-64) reach the same bandwidth as wider ones: memory is the limit.
        for (; i < hi && (reinterpret_cast<uintptr_t>(pa + i) & 15); ++i) pa[i] = pb[i] + s * pc[i];
        const __m128 sv = _mm_set1_ps(s);
        for (; i + 4 <= hi; i += 4)
          _mm_stream_ps(pa + i, _mm_add_ps(_mm_loadu_ps(pb + i), _mm_mul_ps(sv, _mm_loadu_ps(pc + i))));
        _mm_sfence();
      }
#else
      (void)nt;
#endif
      for (; i < hi; ++i) pa[i] = pb[i] + s * pc[i];
    });
  };
  double best = 1e30;
  const double end = now_s() + seconds;
  int passes = 0;
  do {
    for (bool nt : {false, true}) {
      const double t0 = now_s();
      pass(nt);
      best = std::min(best, now_s() - t0);
    }
  } while (++passes < 3 || now_s() < end);
  volatile float keep = a[n / 2];
  (void)keep;
  return 3.0 * double(n) * sizeof(float) / best / 1e9;
}

}  // namespace tf
