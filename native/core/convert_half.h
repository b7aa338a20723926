// Bulk conversions between float32 and float16 / bfloat16, the hot path of every float16 op (each computes
// in float32: a conversion in, one out). F16C instructions where the CPU has them (every AVX2
// CPU), else the scalar rule of scalar_types.h; both round to nearest even and agree bit for bit.
#pragma once
#include <cstdint>

namespace tf {

void f32_to_f16(const float* src, uint16_t* dst, int64_t n);
void f16_to_f32(const uint16_t* src, float* dst, int64_t n);
void f32_to_bf16(const float* src, uint16_t* dst, int64_t n);
void bf16_to_f32(const uint16_t* src, float* dst, int64_t n);

}  // namespace tf
