// The C++ element types of the storage-only dtypes, and the one conversion rule between any two
// element types (convert<D>(s)), used by every copy, `to`, fill and read of a single value.
//
// float16 and bfloat16 are stored as their bits; arithmetic never happens on them (ops convert
// to float32, compute, and round back: see compute_dtype in tensor.h), so the structs carry only
// conversions. uint8 is an enum class so it can never be mistaken for bool's uint8_t in a
// template (the kernels treat uint8_t as bool).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace tf {

// IEEE binary16, round to nearest even; NaN stays NaN (quiet), overflow gives inf.
inline uint16_t float_to_half_bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t a = x & 0x7fffffffu;
  if (a >= 0x7f800000u) return uint16_t(sign | 0x7c00u | (a > 0x7f800000u ? 0x200u | ((a >> 13) & 0x3ffu) : 0u));
  if (a >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // >= 65520 rounds up to inf
  if (a < 0x38800000u) {
    // Below the smallest normal (2^-14): adding 0.5 (whose ulp is 2^-24, the half subnormal step)
    // lets the FPU do the round-to-nearest-even; the low bits of the sum are the half's mantissa.
    float af;
    std::memcpy(&af, &a, 4);
    const float t = af + 0.5f;
    uint32_t tb;
    std::memcpy(&tb, &t, 4);
    return uint16_t(sign | (tb - 0x3f000000u));
  }
  // Normal: rebias the exponent (127 -> 15) and round the mantissa from 23 to 10 bits, ties to
  // even; a carry out of the mantissa correctly bumps the exponent.
  a += 0xc8000fffu + ((a >> 13) & 1u);
  return uint16_t(sign | (a >> 13));
}

inline float half_bits_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  uint32_t bits;
  if (e == 0) {
    const float mag = float(m) * 5.9604644775390625e-8f;  // m * 2^-24, exact
    std::memcpy(&bits, &mag, 4);
    bits |= sign;
  } else if (e == 31) {
    bits = sign | 0x7f800000u | (m << 13);
  } else {
    bits = sign | ((e + 112u) << 23) | (m << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// bfloat16: the top half of a float32, round to nearest even; NaN stays NaN (quiet).
inline uint16_t float_to_bf16_bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  // Written as a select (no early return) so bulk loops vectorise.
  const uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
  const uint32_t quiet_nan = (x >> 16) | 0x40u;
  return uint16_t((x & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
}

inline float bf16_bits_to_float(uint16_t b) {
  const uint32_t x = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

struct f16 {
  uint16_t bits;
  f16() = default;
  explicit f16(float f) : bits(float_to_half_bits(f)) {}
  explicit operator float() const { return half_bits_to_float(bits); }
};

struct bf16 {
  uint16_t bits;
  bf16() = default;
  explicit bf16(float f) : bits(float_to_bf16_bits(f)) {}
  explicit operator float() const { return bf16_bits_to_float(bits); }
};

enum class u8 : uint8_t {};

template <typename T>
inline constexpr bool is_half_type = std::is_same_v<T, f16> || std::is_same_v<T, bf16>;

// The value of an element as an ordinary C++ number (float for the half types).
template <typename T>
inline auto as_number(T v) {
  if constexpr (is_half_type<T>) return float(v);
  else if constexpr (std::is_same_v<T, u8>) return uint8_t(v);
  else return v;
}

// One element of type S as type D, with PyTorch's rules: to bool is "!= 0" (NaN is true); float to
// an integer type truncates (NaN gives 0 rather than undefined behaviour); integer to a narrower
// integer wraps.
template <typename D, typename S>
inline D convert(S s) {
  if constexpr (std::is_same_v<D, S>) {
    return s;
  } else if constexpr (std::is_same_v<D, uint8_t>) {  // bool
    return uint8_t(as_number(s) != 0);
  } else if constexpr (is_half_type<D>) {
    return D(float(as_number(s)));
  } else if constexpr (std::is_same_v<D, u8>) {
    auto v = as_number(s);
    if constexpr (std::is_floating_point_v<decltype(v)>) return u8(uint8_t(std::isnan(v) ? 0 : int64_t(v)));
    else return u8(uint8_t(v));
  } else {
    return static_cast<D>(as_number(s));
  }
}

}  // namespace tf
