// CPU feature detection, done once at load time; kernels dispatch on simd_level().
#pragma once

namespace tf {

enum class SimdLevel { Scalar = 0, NEON = 1, AVX2 = 2, AVX512 = 3 };

SimdLevel simd_level();           // best level this CPU supports (TENSORFOLD_SIMD=scalar|avx2|avx512|neon caps it)
const char* simd_level_name();    // "avx512" | "avx2" | "neon" | "scalar"

}  // namespace tf
