// CPU feature detection. Done once (first call) and cached; every kernel dispatches on the result.
#include "cpu.h"

#include <cstdlib>
#include <cstring>

namespace tf {
namespace {

SimdLevel detect_hardware() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  // __builtin_cpu_supports also checks that the OS saves the wide registers (XCR0), so a CPU
  // with AVX-512 under an OS/hypervisor that disables it reports the lower level.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("fma"))
    return SimdLevel::AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdLevel::AVX2;
  return SimdLevel::Scalar;
#elif defined(__aarch64__)
  return SimdLevel::NEON;  // Advanced SIMD is part of the AArch64 baseline.
#else
  return SimdLevel::Scalar;
#endif
}

SimdLevel detect() {
  SimdLevel hw = detect_hardware();
  // TENSORFOLD_SIMD caps the level so the fallbacks can be tested on a machine with AVX-512.
  const char* env = std::getenv("TENSORFOLD_SIMD");
  if (!env || !*env) return hw;
  SimdLevel cap = hw;
  if (!std::strcmp(env, "scalar")) cap = SimdLevel::Scalar;
  else if (!std::strcmp(env, "neon")) cap = SimdLevel::NEON;
  else if (!std::strcmp(env, "avx2")) cap = SimdLevel::AVX2;
  else if (!std::strcmp(env, "avx512")) cap = SimdLevel::AVX512;
  if (static_cast<int>(cap) >= static_cast<int>(hw)) return hw;
  // Levels are ordered within one architecture only: "neon" on x86 means "no AVX", i.e. scalar.
  if (hw != SimdLevel::NEON && cap == SimdLevel::NEON) return SimdLevel::Scalar;
  return cap;
}

}  // namespace

SimdLevel simd_level() {
  static const SimdLevel level = detect();
  return level;
}

const char* simd_level_name() {
  switch (simd_level()) {
    case SimdLevel::AVX512: return "avx512";
    case SimdLevel::AVX2: return "avx2";
    case SimdLevel::NEON: return "neon";
    default: return "scalar";
  }
}

}  // namespace tf
