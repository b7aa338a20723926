// Machine limits measured at run time, for the benchmark's "share of the limit" column and for
// deriving GEMM block sizes from the caches.
#pragma once
#include <cstdint>
#include <string>

#include "cpu.h"

namespace tf {

struct CacheSizes {
  int64_t l1d = 0, l2 = 0, l3 = 0;  // bytes per core (L3: per cluster sharing it); 0 = unknown
};

// Data cache sizes of this CPU: CPUID leaf 4 (Intel) / 0x8000001D (AMD), else
// /sys/devices/system/cpu/cpu0/cache, else sysconf; then TENSORFOLD_CPU_CACHES, e.g.
// "l1d=32K,l2=512K,l3=32M", replaces the sizes it names (to tune or test the GEMM blocking for
// another CPU, or correct a hypervisor's report). Cached after the first call.
const CacheSizes& cache_sizes();

// Parses a TENSORFOLD_CPU_CACHES value into cs (sizes it does not name are kept). A malformed
// value leaves cs unchanged and returns false (cache_sizes() then says so on stderr); null or ""
// is no override.
bool apply_cache_override(const char* spec, CacheSizes& cs);

// "AMD EPYC 9B45" etc. from CPUID's brand string (or /proc/cpuinfo), "" when unknown.
std::string cpu_model();

// Peak fused multiply-add rate, in GFLOP/s (2 per lane per FMA), of `threads` threads each
// running 12 independent FMA chains at `level` (capped to what the CPU has) on float32 lanes
// (float64: half the lanes). Runs ~`seconds` of wall time.
double fma_peak_gflops(SimdLevel level, bool f64, int threads, double seconds);

// Triad a[i] = b[i] + s * c[i] over `bytes_per_array`-sized float arrays on the engine's pool,
// in GB/s counting 3 arrays of traffic per pass (STREAM's convention: no write-allocate).
double triad_gbps(int64_t bytes_per_array, double seconds);

}  // namespace tf
