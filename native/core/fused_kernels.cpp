// ISA dispatch and threading for the fused row kernels (fused_kernels.h). The float32 math lives
// in fused_simd.h, compiled here once per level exactly as kernels.cpp compiles simd_loops.h
// (scalar everywhere, AVX2+FMA and AVX-512 under target pragmas on x86-64, NEON on arm64), so one
// binary runs on any CPU and TENSORFOLD_SIMD caps the level for tests. float64 uses plain loops.
#include "fused_kernels.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu.h"
#include "parallel.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TF_FUSED_X86 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define TF_FUSED_NEON 1
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace tf {
namespace fused {

#define TF_PER_ISA_BODY "fused_simd.h"
#define TF_PER_ISA_MATH 1
#define TF_PER_ISA_NEON 1
#include "per_isa.h"
#undef TF_PER_ISA_BODY
#undef TF_PER_ISA_MATH
#undef TF_PER_ISA_NEON

namespace {

struct Impl {
  void (*gelu_fwd)(const float*, float*, int64_t, bool);
  void (*gelu_bwd)(const float*, const float*, float*, int64_t, bool);
  void (*silu_bwd)(const float*, const float*, float*, int64_t);
  void (*softmax_row)(const float*, float*, int64_t, bool);
  void (*softmax_bwd_row)(const float*, const float*, float*, int64_t, bool);
  void (*norm_row)(const float*, const float*, const float*, float*, int64_t, float, bool, float*, float*);
  void (*norm_bwd_row)(const float*, const float*, const float*, float, float, float*, float*, float*, int64_t, bool);
};

#define TF_FUSED_IMPL(ns) \
  Impl { ns::gelu_fwd, ns::gelu_bwd, ns::silu_bwd, ns::softmax_row, ns::softmax_bwd_row, ns::norm_row, ns::norm_bwd_row }

const Impl& impl() {
  static const Impl chosen = [] {
#ifdef TF_FUSED_X86
    if (simd_level() == SimdLevel::AVX512) return TF_FUSED_IMPL(simd_avx512);
    if (simd_level() == SimdLevel::AVX2) return TF_FUSED_IMPL(simd_avx2);
#endif
#ifdef TF_FUSED_NEON
    if (simd_level() == SimdLevel::NEON) return TF_FUSED_IMPL(simd_neon);
#endif
    return TF_FUSED_IMPL(simd_scalar);
  }();
  return chosen;
}

// Elements per thread below which a pool dispatch (a few µs) costs more than it saves; these
// kernels run a transcendental or a few passes per element (kernels.cpp's kGrainMath).
constexpr int64_t kGrain = 1 << 14;
// Rows per partial dw/db buffer: fixed, so the sums group the same way at any thread count.
constexpr int64_t kNormBlock = 64;

// [0, n) in pieces of at least kGrain, every boundary but the last a multiple of 64 elements.
template <class F>
void split(int64_t n, const F& f) {
  const int64_t pieces = std::min<int64_t>(num_threads(), n / kGrain);
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

int64_t row_grain(int64_t C) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(C, 1)); }

// ---- float64: plain loops ----
double gelu_d(double x, bool t) {
  if (t) return 0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
  return 0.5 * x * std::erfc(-x * 0.7071067811865476);
}
double gelu_grad_d(double x, bool t) {
  if (t) {
    const double u = 0.7978845608028654 * (x + 0.044715 * x * x * x), th = std::tanh(u);
    return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * 0.7978845608028654 * (1 + 0.134145 * x * x);
  }
  return 0.5 * std::erfc(-x * 0.7071067811865476) + x * 0.3989422804014327 * std::exp(-0.5 * x * x);
}

void softmax_row_d(const double* x, double* y, int64_t n, bool log_space) {
  double m = -INFINITY;
  for (int64_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
  if (!std::isfinite(m)) {  // ±inf max: NaN row, as PyTorch (see fused_simd.h)
    for (int64_t i = 0; i < n; i++) y[i] = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += (y[i] = std::exp(x[i] - m));
  if (log_space) {
    const double shift = std::log(s) + m;
    for (int64_t i = 0; i < n; i++) y[i] = x[i] - shift;
  } else {
    const double inv = 1 / s;
    for (int64_t i = 0; i < n; i++) y[i] *= inv;
  }
}

void softmax_bwd_row_d(const double* g, const double* y, double* o, int64_t n, bool log_space) {
  double s = 0;
  if (log_space) {
    for (int64_t i = 0; i < n; i++) s += g[i];
    for (int64_t i = 0; i < n; i++) o[i] = g[i] - std::exp(y[i]) * s;
  } else {
    for (int64_t i = 0; i < n; i++) s += g[i] * y[i];
    for (int64_t i = 0; i < n; i++) o[i] = y[i] * (g[i] - s);
  }
}

void norm_row_d(const double* x, const double* w, const double* b, double* y, int64_t n, double eps, bool rms,
                double* mean_out, double* rstd_out) {
  double mean = 0;
  if (!rms) {
    for (int64_t i = 0; i < n; i++) mean += x[i];
    mean /= double(n);
  }
  double ss = 0;
  for (int64_t i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
  const double rstd = 1 / std::sqrt(ss / double(n) + eps);
  *mean_out = mean;
  *rstd_out = rstd;
  for (int64_t i = 0; i < n; i++) {
    double h = (x[i] - mean) * rstd;
    if (w) h *= w[i];
    if (b) h += b[i];
    y[i] = h;
  }
}

void norm_bwd_row_d(const double* g, const double* x, const double* w, double mean, double rstd, double* dx,
                    double* dw, double* db, int64_t n, bool rms) {
  double sa = 0, sb = 0;
  for (int64_t i = 0; i < n; i++) {
    const double xh = (x[i] - mean) * rstd, dh = w ? g[i] * w[i] : g[i];
    sa += dh;
    sb += dh * xh;
    if (dw) dw[i] += g[i] * xh;
    if (db) db[i] += g[i];
  }
  const double ma = rms ? 0 : sa / double(n), mb = sb / double(n);
  for (int64_t i = 0; i < n; i++) {
    const double xh = (x[i] - mean) * rstd, dh = w ? g[i] * w[i] : g[i];
    dx[i] = rstd * (dh - ma - xh * mb);
  }
}

}  // namespace

template <>
void gelu_forward<float>(const float* x, float* y, int64_t n, bool t) {
  const Impl& I = impl();
  split(n, [&](int64_t lo, int64_t hi) { I.gelu_fwd(x + lo, y + lo, hi - lo, t); });
}
template <>
void gelu_forward<double>(const double* x, double* y, int64_t n, bool t) {
  split(n, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) y[i] = gelu_d(x[i], t);
  });
}
template <>
void gelu_backward<float>(const float* g, const float* x, float* o, int64_t n, bool t) {
  const Impl& I = impl();
  split(n, [&](int64_t lo, int64_t hi) { I.gelu_bwd(g + lo, x + lo, o + lo, hi - lo, t); });
}
template <>
void gelu_backward<double>(const double* g, const double* x, double* o, int64_t n, bool t) {
  split(n, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) o[i] = g[i] * gelu_grad_d(x[i], t);
  });
}

template <>
void silu_backward<float>(const float* g, const float* x, float* o, int64_t n) {
  const Impl& I = impl();
  split(n, [&](int64_t lo, int64_t hi) { I.silu_bwd(g + lo, x + lo, o + lo, hi - lo); });
}
template <>
void silu_backward<double>(const double* g, const double* x, double* o, int64_t n) {
  split(n, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
      // sigmoid as the unary Sigmoid op computes it in double (elementwise_rules.h)
      double s;
      if (x[i] >= 0) {
        s = 1.0 / (1.0 + std::exp(-x[i]));
      } else {
        const double e = std::exp(x[i]);
        s = e / (1.0 + e);
      }
      o[i] = g[i] * (s * (1.0 + x[i] * (1.0 - s)));
    }
  });
}

template <>
void softmax_row<float>(const float* x, float* y, int64_t C, bool log_space) {
  impl().softmax_row(x, y, C, log_space);
}
template <>
void softmax_row<double>(const double* x, double* y, int64_t C, bool log_space) {
  softmax_row_d(x, y, C, log_space);
}

template <class T>
void softmax_rows(const T* x, T* y, int64_t rows, int64_t C, bool log_space) {
  parallel_for(0, rows, row_grain(C), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) softmax_row<T>(x + r * C, y + r * C, C, log_space);
  });
}
template void softmax_rows<float>(const float*, float*, int64_t, int64_t, bool);
template void softmax_rows<double>(const double*, double*, int64_t, int64_t, bool);

template <>
void softmax_backward_rows<float>(const float* g, const float* y, float* o, int64_t rows, int64_t C, bool log_space) {
  const Impl& I = impl();
  parallel_for(0, rows, row_grain(C), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) I.softmax_bwd_row(g + r * C, y + r * C, o + r * C, C, log_space);
  });
}
template <>
void softmax_backward_rows<double>(const double* g, const double* y, double* o, int64_t rows, int64_t C,
                                   bool log_space) {
  parallel_for(0, rows, row_grain(C), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) softmax_bwd_row_d(g + r * C, y + r * C, o + r * C, C, log_space);
  });
}

template <>
void norm_rows<float>(const float* x, const float* w, const float* b, float* y, float* mean, float* rstd,
                      int64_t rows, int64_t C, double eps, bool rms) {
  const Impl& I = impl();
  parallel_for(0, rows, row_grain(C), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++)
      I.norm_row(x + r * C, w, b, y + r * C, C, float(eps), rms, mean + r, rstd + r);
  });
}
template <>
void norm_rows<double>(const double* x, const double* w, const double* b, double* y, double* mean, double* rstd,
                       int64_t rows, int64_t C, double eps, bool rms) {
  parallel_for(0, rows, row_grain(C), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) norm_row_d(x + r * C, w, b, y + r * C, C, eps, rms, mean + r, rstd + r);
  });
}

template <class T>
void norm_backward_rows(const T* g, const T* x, const T* w, const T* mean, const T* rstd, T* dx, T* dw, T* db,
                        int64_t rows, int64_t C, bool rms) {
  const int64_t blocks = (rows + kNormBlock - 1) / kNormBlock;
  const bool partial = dw || db;
  // One zeroed dw/db partial per block of rows, summed in block order afterwards.
  std::vector<T> pw(partial && dw ? size_t(blocks * C) : 0, T(0)), pb(partial && db ? size_t(blocks * C) : 0, T(0));
  const Impl* I = std::is_same_v<T, float> ? &impl() : nullptr;
  parallel_for(0, blocks, std::max<int64_t>(1, row_grain(C) / kNormBlock), [&](int64_t lo, int64_t hi) {
    for (int64_t blk = lo; blk < hi; blk++) {
      T* bw = dw ? pw.data() + blk * C : nullptr;
      T* bb = db ? pb.data() + blk * C : nullptr;
      const int64_t r1 = std::min(rows, (blk + 1) * kNormBlock);
      for (int64_t r = blk * kNormBlock; r < r1; r++) {
        if constexpr (std::is_same_v<T, float>)
          I->norm_bwd_row(g + r * C, x + r * C, w, mean[r], rstd[r], dx + r * C, bw, bb, C, rms);
        else
          norm_bwd_row_d(g + r * C, x + r * C, w, mean[r], rstd[r], dx + r * C, bw, bb, C, rms);
      }
    }
  });
  auto reduce = [&](std::vector<T>& p, T* out) {
    for (int64_t c = 0; c < C; c++) out[c] = T(0);
    for (int64_t blk = 0; blk < blocks; blk++)
      for (int64_t c = 0; c < C; c++) out[c] += p[size_t(blk * C + c)];
  };
  if (dw) reduce(pw, dw);
  if (db) reduce(pb, db);
}
template void norm_backward_rows<float>(const float*, const float*, const float*, const float*, const float*,
                                        float*, float*, float*, int64_t, int64_t, bool);
template void norm_backward_rows<double>(const double*, const double*, const double*, const double*,
                                         const double*, double*, double*, double*, int64_t, int64_t, bool);

}  // namespace fused
}  // namespace tf
