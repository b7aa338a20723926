// Contiguous elementwise kernels and sums: ISA dispatch and threading.
//
// The math is written once (simd_math.h, simd_loops.h) against a small vector interface and
// compiled once per level below: scalar (baseline, any CPU) everywhere, AVX2+FMA and AVX-512 on
// x86-64 (each in its own namespace under a target pragma, so this file builds without -march
// flags and one binary runs on any x86-64), NEON on arm64 (baseline there, no pragma needed);
// simd_level() picks the namespace at run time. per_isa.h does the compiling, for this file, the
// fused row kernels (fused_kernels.cpp) and the optimizer steps (optim.cpp).
//
// float32 accuracy: max error in ulp against a double-precision reference, measured by
// scripts/kernel_test.cpp over every 61st float bit pattern (all finite floats; sin/cos |x| < 2^22),
// identical for the AVX-512, AVX2, NEON (checked under qemu-aarch64) and scalar builds:
//   exp 0.91 (every float checked)   log 0.84      tanh 1.04      softplus 1.51
//   sigmoid 1.67, silu 1.90 (every float in [-128, 128])   gelu 1.16 (a) sin 0.50     cos 0.50
//   rsqrt 1.49    expm1 0.50    log1p 1.15    erf 0.53      erfc 0.57
//   (a) in float32 since gelu8 (was 0.56 in double); not yet run under qemu-aarch64 (NEON).
// Special values follow libm / PyTorch (exp(-inf)=0, exp(x>88.73)=inf, log(0)=-inf, log(x<0)=nan,
// relu(nan)=nan, softplus(x>20)=x, nan in -> nan out).
// float64 transcendentals use the std:: functions (scalar loop, threaded).
#include "kernels.h"

#include "elementwise_rules.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <cstdlib>
#include <cstring>

#include "cpu.h"
#include "parallel.h"
#include "probe.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TF_KERNELS_X86 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define TF_KERNELS_NEON 1
#endif

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 warns about _mm512_undefined_*() inside its own avx512fintrin.h once inlined here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace tf {

#define TF_PER_ISA_BODY "simd_loops.h"
#define TF_PER_ISA_MATH 1
#define TF_PER_ISA_NEON 1
#include "per_isa.h"
#undef TF_PER_ISA_BODY
#undef TF_PER_ISA_MATH
#undef TF_PER_ISA_NEON

namespace {

struct Impl {
  bool (*unary_f32)(Unary, const float*, float*, int64_t, bool);
  bool (*unary_f64)(Unary, const double*, double*, int64_t, bool);
  bool (*binary_f32)(Binary, const float*, int64_t, const float*, int64_t, float*, int64_t, bool);
  bool (*binary_f64)(Binary, const double*, int64_t, const double*, int64_t, double*,
                     int64_t, bool);
  double (*sum_f32)(const float*, int64_t, int64_t);
  double (*sum_f64)(const double*, int64_t, int64_t);
  float (*extreme_f32)(const float*, int64_t, bool);
  double (*extreme_f64)(const double*, int64_t, bool);
  double (*sumsq_f32)(const float*, int64_t, int64_t);
  double (*sumsq_f64)(const double*, int64_t, int64_t);
  double (*prod_f32)(const float*, int64_t);
  double (*prod_f64)(const double*, int64_t);
  void (*col_sum_f32)(const float*, int64_t, int64_t, int64_t, float*);
  void (*col_sum_f64)(const double*, int64_t, int64_t, int64_t, double*);
  void (*col_prod_f32)(const float*, int64_t, int64_t, int64_t, double*);
  void (*col_prod_f64)(const double*, int64_t, int64_t, int64_t, double*);
};

#define TF_IMPL(ns)                                                                       \
  Impl {                                                                                  \
    ns::unary_f32, ns::unary_f64, ns::binary_f32, ns::binary_f64, ns::sum_blocks_f32,     \
        ns::sum_blocks_f64, ns::extreme_f32, ns::extreme_f64, ns::sumsq_blocks_f32,       \
        ns::sumsq_blocks_f64, ns::prod_f32, ns::prod_f64, ns::col_sum_f32, ns::col_sum_f64, \
        ns::col_prod_f32, ns::col_prod_f64                                                \
  }

const Impl& impl() {
  static const Impl chosen = [] {
#ifdef TF_KERNELS_X86
    if (simd_level() == SimdLevel::AVX512) return TF_IMPL(simd_avx512);
    if (simd_level() == SimdLevel::AVX2) return TF_IMPL(simd_avx2);
#endif
#ifdef TF_KERNELS_NEON
    if (simd_level() == SimdLevel::NEON) return TF_IMPL(simd_neon);
#endif
    return TF_IMPL(simd_scalar);
  }();
  return chosen;
}

// Threading thresholds (elements), measured with scripts/kernel_bench on 2 cores: a pool dispatch
// costs a few microseconds, which a cheap op (add, relu: ~0.1 ns/element in cache) repays only
// above ~64K elements, and a transcendental (exp ~0.3-1 ns/element) above ~16K.
constexpr int64_t kGrainCheap = 1 << 16;
constexpr int64_t kGrainMath = 1 << 14;
constexpr int64_t kGrainLibm = 1 << 11;  // scalar libm loops (float64 transcendentals, pow)

int64_t grain(Kernel k) {
  return k == Kernel::Cheap ? kGrainCheap : k == Kernel::Simd ? kGrainMath : kGrainLibm;
}

// Outputs of at least this many bytes are written with non-temporal stores (simd_loops.h): they
// cannot stay in the last-level cache anyway, and skipping the write-allocate read measured 1.3-2x
// faster for a 16M-element multiply (AMD EPYC, AVX-512, 2 threads). TENSORFOLD_STREAM_KB overrides
// the default (the L3 size; 0 never streams; the tests set 1 to run the streaming path).
int64_t stream_bytes() {
  static const int64_t bytes = [] {
    if (const char* env = std::getenv("TENSORFOLD_STREAM_KB")) {
      const long kb = std::strtol(env, nullptr, 10);
      return kb > 0 ? int64_t(kb) * 1024 : INT64_MAX;
    }
    const int64_t l3 = cache_sizes().l3;
    return l3 > 0 ? l3 : int64_t(32) << 20;
  }();
  return bytes;
}
template <class T>
bool streams(int64_t n) { return n * int64_t(sizeof(T)) >= stream_bytes(); }

// Splits [0, n) over the pool in pieces of at least `grain`, rounded to 64 elements so every
// piece but the last runs entirely in the vector loop.
template <class F>
void split(int64_t n, int64_t grain, const F& f) {
  if (n <= grain) {
    f(0, n);
    return;
  }
  const int64_t pieces = std::min<int64_t>(num_threads(), n / grain);
  if (pieces <= 1) {
    f(0, n);
    return;
  }
  parallel_for(0, pieces, 1, [&](int64_t lo, int64_t hi) {
    const int64_t a = lo == 0 ? 0 : (n * lo / pieces) & ~int64_t(63);
    const int64_t b = hi == pieces ? n : (n * hi / pieces) & ~int64_t(63);
    if (a < b) f(a, b);
  });
}

// Ops without a vector kernel for this ISA and dtype: the scalar rule, evaluated in double (so
// float32 results are the correctly rounded double ones, up to libm's own error).
template <class T>
void unary_libm(Unary k, const T* x, T* y, int64_t n) {
  switch (k) {
#define TF_CASE(Name, ...)                                                                      \
  case Unary::Name:                                                                             \
    for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(UnaryRule<Unary::Name>::f(static_cast<double>(x[i]))); \
    break;
    TF_UNARY_OPS(TF_CASE)
#undef TF_CASE
    case Unary::Count: break;
  }
}

template <class T>
void binary_libm(Binary k, const T* a, int64_t sa, const T* b, int64_t sb, T* z, int64_t n) {
  switch (k) {
#define TF_CASE(Name, ...)                                                                      \
  case Binary::Name:                                                                            \
    for (int64_t i = 0; i < n; ++i)                                                            \
      z[i] = static_cast<T>(BinaryRule<Binary::Name>::f(static_cast<double>(a[i * sa]), static_cast<double>(b[i * sb]))); \
    break;
    TF_BINARY_OPS(TF_CASE)
#undef TF_CASE
    case Binary::Count: break;
  }
}

// x^e for a scalar e that PyTorch computes with a cheaper form, the same form here (so results,
// -0 and infinities included, are PyTorch's): x*x, x*x*x, sqrt, 1/sqrt, 1/x, 1/(x*x), x, 1.
// Through the vector kernels instead of std::pow per element: 4096^2 float32 x.pow(2) took 99 ms
// (PyTorch 21 ms; AMD EPYC, 2 threads). Returns false for other exponents (std::pow then).
template <class T, class Unary_, class Binary_>
bool pow_by_scalar(const T* a, T e, T* z, int64_t n, Unary_ un, Binary_ bin) {
  const T one = 1;
  if (e == 2) bin(Binary::Mul, a, 1, a, 1, z, n);
  else if (e == 3) {
    bin(Binary::Mul, a, 1, a, 1, z, n);
    bin(Binary::Mul, z, 1, a, 1, z, n);
  } else if (e == T(0.5)) un(Unary::Sqrt, a, z, n);
  else if (e == T(-0.5)) un(Unary::Rsqrt, a, z, n);
  else if (e == -1) bin(Binary::Div, &one, 0, a, 1, z, n);
  else if (e == -2) {
    bin(Binary::Mul, a, 1, a, 1, z, n);
    bin(Binary::Div, &one, 0, z, 1, z, n);
  } else if (e == 1) {
    if (z != a) std::memcpy(z, a, size_t(n) * sizeof(T));
  } else if (e == 0) std::fill(z, z + n, one);
  else return false;
  return true;
}

}  // namespace

void unary_f32(Unary k, const float* x, float* y, int64_t n) {
  if (n <= 0) return;
  const Impl& I = impl();
  const Kernel kind = unary_kernel(k);
  const bool nt = streams<float>(n);
  split(n, grain(kind), [&](int64_t lo, int64_t hi) {
    if (kind == Kernel::Libm || !I.unary_f32(k, x + lo, y + lo, hi - lo, nt)) unary_libm(k, x + lo, y + lo, hi - lo);
  });
}

void unary_f64(Unary k, const double* x, double* y, int64_t n) {
  if (n <= 0) return;
  const Impl& I = impl();
  const Kernel kind = unary_kernel(k);
  const bool nt = streams<double>(n);
  split(n, kind == Kernel::Cheap ? kGrainCheap : kGrainLibm, [&](int64_t lo, int64_t hi) {
    if (kind == Kernel::Libm || !I.unary_f64(k, x + lo, y + lo, hi - lo, nt)) unary_libm(k, x + lo, y + lo, hi - lo);
  });
}

void binary_f32(Binary k, const float* a, int64_t sa, const float* b, int64_t sb, float* z,
                int64_t n) {
  if (n <= 0) return;
  if (k == Binary::Pow && sa == 1 && sb == 0 && pow_by_scalar(a, *b, z, n, unary_f32, binary_f32)) return;
  const Impl& I = impl();
  const Kernel kind = binary_kernel(k);
  const bool nt = streams<float>(n);
  split(n, grain(kind), [&](int64_t lo, int64_t hi) {
    const float* al = a + lo * sa;
    const float* bl = b + lo * sb;
    if (kind == Kernel::Libm || !I.binary_f32(k, al, sa, bl, sb, z + lo, hi - lo, nt))
      binary_libm(k, al, sa, bl, sb, z + lo, hi - lo);
  });
}

void binary_f64(Binary k, const double* a, int64_t sa, const double* b, int64_t sb,
                double* z, int64_t n) {
  if (n <= 0) return;
  if (k == Binary::Pow && sa == 1 && sb == 0 && pow_by_scalar(a, *b, z, n, unary_f64, binary_f64)) return;
  const Impl& I = impl();
  const Kernel kind = binary_kernel(k);
  const bool nt = streams<double>(n);
  split(n, grain(kind), [&](int64_t lo, int64_t hi) {
    const double* al = a + lo * sa;
    const double* bl = b + lo * sb;
    if (kind == Kernel::Libm || !I.binary_f64(k, al, sa, bl, sb, z + lo, hi - lo, nt))
      binary_libm(k, al, sa, bl, sb, z + lo, hi - lo);
  });
}

namespace {
// Sums are taken over fixed blocks (kSumBlock elements, summed in float vector lanes, then added in
// double) grouped into fixed chunks (kSumChunk), so the result is the same whatever the thread
// count: threads only decide who computes which chunk, never how values are grouped.
constexpr int64_t kSumBlock = 4096;
constexpr int64_t kSumChunk = 1 << 18;
// Column sums: a task per at least kColTask elements, at most kColTasks row blocks.
constexpr int64_t kColTask = 1 << 14;
constexpr int64_t kColTasks = 8;

// f(first, count) of each chunk of kSumChunk elements (on the pool when there are several), in
// chunk order: chunks fixed by n alone, so results never depend on the thread count.
template <class R, class F>
std::vector<R> per_chunk(int64_t n, F f) {
  const int64_t chunks = (n + kSumChunk - 1) / kSumChunk;
  std::vector<R> part(static_cast<size_t>(chunks));
  parallel_for(0, chunks, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; ++c) part[static_cast<size_t>(c)] = f(c * kSumChunk, std::min(kSumChunk, n - c * kSumChunk));
  });
  return part;
}

template <class T, class F>
double chunked_sum(const T* x, int64_t n, F block_sum) {
  if (n <= kSumChunk) return block_sum(x, n, kSumBlock);
  double total = 0;
  for (double p : per_chunk<double>(n, [&](int64_t a, int64_t m) { return block_sum(x + a, m, kSumBlock); })) total += p;
  return total;
}
}  // namespace

float sum_f32(const float* x, int64_t n) {
  if (n <= 0) return 0.0f;
  return static_cast<float>(chunked_sum(x, n, impl().sum_f32));
}

double sum_f64(const double* x, int64_t n) {
  if (n <= 0) return 0.0;
  return chunked_sum(x, n, impl().sum_f64);
}

namespace {
// Max or min over chunks on the pool, then over the chunks' results (any grouping gives the same
// value; a NaN anywhere makes every grouping NaN).
template <class T, class F>
T chunked_extreme(const T* x, int64_t n, bool is_max, F block) {
  if (n <= kSumChunk) return block(x, n, is_max);
  const std::vector<T> part = per_chunk<T>(n, [&](int64_t a, int64_t m) { return block(x + a, m, is_max); });
  return block(part.data(), int64_t(part.size()), is_max);
}
}  // namespace

float extreme_f32(const float* x, int64_t n, bool is_max) {
  return chunked_extreme(x, n, is_max, impl().extreme_f32);
}
double extreme_f64(const double* x, int64_t n, bool is_max) {
  return chunked_extreme(x, n, is_max, impl().extreme_f64);
}

double sumsq_f32(const float* x, int64_t n) {
  if (n <= 0) return 0.0;
  return chunked_sum(x, n, impl().sumsq_f32);
}
double sumsq_f64(const double* x, int64_t n) {
  if (n <= 0) return 0.0;
  return chunked_sum(x, n, impl().sumsq_f64);
}

namespace {
// Product over chunks on the pool, the chunks' products multiplied in chunk order.
template <class T, class F>
double chunked_prod(const T* x, int64_t n, F block) {
  if (n <= kSumChunk) return block(x, n);
  double total = 1;
  for (double p : per_chunk<double>(n, [&](int64_t a, int64_t m) { return block(x + a, m); })) total *= p;
  return total;
}

// Column reductions of a row-major [R, B] (a sum over the leading dim: every Linear layer's bias
// gradient). Splitting the columns among threads made each thread read short pieces of every row;
// instead each task reduces a block of whole rows (contiguous memory) into its own row of partial
// results, then the partial rows are combined in order. Blocks and column pieces depend on R and B
// only, so results never depend on the thread count. scripts/bench_reduce.js, 2 threads, AMD EPYC
// AVX-512: 4096x4096 sum(0) 4.2 -> 0.8-1.1 ms float32 (PyTorch 1.13: 2.9), 6.9 -> 1.5-2.5 ms float64 (6.0).
struct ColPlan {
  int64_t cb, ncb, rb, nrb;  // column piece and row block sizes, and their counts
};
ColPlan col_plan(int64_t R, int64_t B) {
  ColPlan p;
  // Column pieces keep a partial row within L1/L2 when rows are very long.
  p.cb = B > 16384 ? 8192 : B;
  p.ncb = (B + p.cb - 1) / p.cb;
  const int64_t want = std::clamp<int64_t>(R * B / kColTask, 1, kColTasks);
  const int64_t nrb = std::clamp<int64_t>((want + p.ncb - 1) / p.ncb, 1, R);
  p.rb = (R + nrb - 1) / nrb;
  p.nrb = (R + p.rb - 1) / p.rb;
  return p;
}
// block(x piece, rows, cols, stride, partial row) over every (row block, column piece) on the pool,
// into part (nrb rows of B).
template <class T, class P, class F>
void col_blocks(const T* x, int64_t B, const ColPlan& p, P* part, int64_t R, F block) {
  parallel_for(0, p.nrb * p.ncb, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t r = t / p.ncb, c = t % p.ncb;
      block(x + r * p.rb * B + c * p.cb, std::min(p.rb, R - r * p.rb), std::min(p.cb, B - c * p.cb), B,
            part + r * B + c * p.cb);
    }
  });
}

template <class T, class F>
void col_sum(const T* x, T* out, int64_t R, int64_t B, F block) {
  const ColPlan p = col_plan(R, B);
  if (p.nrb == 1) return col_blocks(x, B, p, out, R, block);
  std::vector<T> part(static_cast<size_t>(p.nrb * B));
  col_blocks(x, B, p, part.data(), R, block);
  block(part.data(), p.nrb, B, B, out);
}

template <class T, class F>
void col_prod(const T* x, T* out, int64_t R, int64_t B, F block) {
  const ColPlan p = col_plan(R, B);
  std::vector<double> part(static_cast<size_t>(p.nrb * B));
  col_blocks(x, B, p, part.data(), R, block);
  for (int64_t b = 0; b < B; ++b) {
    double v = part[size_t(b)];
    for (int64_t r = 1; r < p.nrb; ++r) v *= part[size_t(r * B + b)];
    out[b] = T(v);
  }
}

// o = max(o, row) (or min) elementwise, NaN sticking once in o; branch-free so the compiler
// vectorises it. The column extremes are memory-bound, so the baseline ISA's vectors suffice.
template <bool Max, class T>
void extreme_into(T* __restrict o, const T* __restrict row, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const T v = row[i], c = o[i];
    o[i] = ((Max ? v > c : v < c) || v != v) ? v : c;
  }
}

// Column max or min (every stored type) by the column sums' row blocks: each block's extreme into its partial row,
// then the partial rows in order (the result is the same whichever way it is split: NaN wins,
// and otherwise the extreme is one of the values).
template <bool Max, class T>
void col_extreme(const T* x, T* out, int64_t R, int64_t B) {
  const ColPlan p = col_plan(R, B);
  auto block = [](const T* xb, int64_t rows, int64_t cols, int64_t stride, T* o) {
    std::copy(xb, xb + cols, o);
    for (int64_t r = 1; r < rows; ++r) extreme_into<Max>(o, xb + r * stride, cols);
  };
  if (p.nrb == 1) return col_blocks(x, B, p, out, R, block);
  std::vector<T> part(static_cast<size_t>(p.nrb * B));
  col_blocks(x, B, p, part.data(), R, block);
  block(part.data(), p.nrb, B, B, out);
}
}  // namespace

double prod_f32(const float* x, int64_t n) { return chunked_prod(x, n, impl().prod_f32); }
double prod_f64(const double* x, int64_t n) { return chunked_prod(x, n, impl().prod_f64); }

void col_sum_f32(const float* x, float* out, int64_t R, int64_t B) {
  if (R <= 0 || B <= 0) return;
  col_sum(x, out, R, B, impl().col_sum_f32);
}
void col_sum_f64(const double* x, double* out, int64_t R, int64_t B) {
  if (R <= 0 || B <= 0) return;
  col_sum(x, out, R, B, impl().col_sum_f64);
}
void col_prod_f32(const float* x, float* out, int64_t R, int64_t B) {
  if (R <= 0 || B <= 0) return;
  col_prod(x, out, R, B, impl().col_prod_f32);
}
void col_prod_f64(const double* x, double* out, int64_t R, int64_t B) {
  if (R <= 0 || B <= 0) return;
  col_prod(x, out, R, B, impl().col_prod_f64);
}

template <class T>
void col_extreme(const T* x, T* out, int64_t R, int64_t B, bool is_max) {
  if (R <= 0 || B <= 0) return;
  is_max ? col_extreme<true>(x, out, R, B) : col_extreme<false>(x, out, R, B);
}
template void col_extreme(const float*, float*, int64_t, int64_t, bool);
template void col_extreme(const double*, double*, int64_t, int64_t, bool);
template void col_extreme(const int32_t*, int32_t*, int64_t, int64_t, bool);
template void col_extreme(const int64_t*, int64_t*, int64_t, int64_t, bool);
template void col_extreme(const uint8_t*, uint8_t*, int64_t, int64_t, bool);

}  // namespace tf
