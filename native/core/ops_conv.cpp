// Convolution (im2col + GEMM), with backward rules that are differentiable again.
//
// Two faster kernels serve particular geometries behind the same three ops (so the autograd rules
// below, and second-order gradients, are unchanged):
// - Winograd F(2x2,3x3) (conv_winograd.h) for 3x3, stride 1, dilation 1, groups 1 with >= 16
//   channels each way: forward, input gradient and weight gradient (the latter two as adjoints of
//   the forward algorithm), 2.25x fewer multiplies. The MNIST net's second layer (batch 64,
//   2 threads, AVX-512): forward 4.2 -> 3.0 ms, input gradient 4.1 -> about 3.5 ms, weight
//   gradient 4.1 -> 3.1 ms.
//   Outputs of at least 8x8 use F(4x4,3x3) instead (conv_winograd43.h; 4x fewer multiplies, same
//   adjoint structure; float32 error up to ~5e-6 of the largest output against ~2e-7 for F(2x2)),
//   at every level (step 21.3 -> 19.9 ms at AVX2; at AVX-512 since the in-place products,
//   14.5 -> 13.4 ms).
//   Their products run on their own micro-kernel (conv_winograd_gemm_body.h), which reads the
//   freshly transformed operand in place instead of packing it per call as the general GEMM did.
// - a direct weight gradient for one input channel (conv_direct_body.h; first layer 0.31 -> 0.24).
//
// Convolution math. Let T(x, w, g) = <conv2d(x, w), g>, linear in each argument. Then
//   conv2d(x, w)            = ∂T/∂g
//   conv2d_input_grad(g, w) = ∂T/∂x      (col2im of Wᵀ·G)
//   conv2d_weight_grad(x, g) = ∂T/∂w     (G·colsᵀ summed over the batch)
// and for any of the three, <op(a, b), u> is T with u in the missing slot, so its derivatives are
// the other two ops:
//   input_grad(g, w)  with upstream u: d/dg = conv2d(u, w),       d/dw = weight_grad(u, g)
//   weight_grad(x, g) with upstream u: d/dx = input_grad(g, u),   d/dg = conv2d(x, u)
// That closes the set under differentiation (PyTorch does the same).
//
// Threads. For a batch at least as large as the pool, samples are split across threads and every
// thread runs im2col into its own cache-sized buffer and a single-threaded GEMM straight into the
// output (see BlasSerial). One big batched GEMM over a [C·kh·kw, N·Ho·Wo] buffer is no faster in
// the GEMM itself, and that buffer is 40 MiB for the MNIST net's second layer, written and read
// back through memory, plus an NCHW transpose. Smaller batches run samples in order and let the
// GEMM use the threads.
#include "ops_nn.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "blas_threads.h"
#include "conv_winograd.h"
#include "conv_winograd43.h"
#include "gemm.h"
#include "iter.h"
#include "nn_common.h"

#include "cpu.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TF_CONV_X86 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define TF_CONV_NEON 1
#endif

namespace tf {
namespace wino_isa {
#define TF_PER_ISA_BODY "conv_winograd_body.h"
#define TF_PER_ISA_NEON 1
#include "per_isa.h"
#undef TF_PER_ISA_BODY
#undef TF_PER_ISA_NEON
}  // namespace wino_isa
namespace wino43_isa {
#define TF_PER_ISA_BODY "conv_winograd43_body.h"
#define TF_PER_ISA_NEON 1
#include "per_isa.h"
#undef TF_PER_ISA_BODY
#undef TF_PER_ISA_NEON
}  // namespace wino43_isa
namespace wgemm_isa {
#define TF_PER_ISA_BODY "conv_winograd_gemm_body.h"
#define TF_PER_ISA_NEON 1
#include "per_isa.h"
#undef TF_PER_ISA_BODY
#undef TF_PER_ISA_NEON
}  // namespace wgemm_isa
namespace direct_isa {
#define TF_PER_ISA_BODY "conv_direct_body.h"
#define TF_PER_ISA_NEON 1
#include "per_isa.h"
#undef TF_PER_ISA_BODY
#undef TF_PER_ISA_NEON
}  // namespace direct_isa
namespace depthwise_isa {
#define TF_PER_ISA_BODY "conv_depthwise_body.h"
#define TF_PER_ISA_NEON 1
#include "per_isa.h"
#undef TF_PER_ISA_BODY
#undef TF_PER_ISA_NEON
}  // namespace depthwise_isa
namespace {
using namespace nn_detail;

// ---------------------------------------------------------------------------------------------
// Convolution geometry and kernels

struct ConvArgs {
  Pair stride, padding, dilation;
  int64_t groups;
};

struct ConvGeom {
  int64_t N, C, H, W, O, kh, kw, Ho, Wo;
  int64_t sh, sw, ph, pw, dh, dw, groups;
  int64_t Cg, Og, K, L, HW;
  bool pointwise;  // 1x1, stride 1, unpadded: each input plane block is already its im2col matrix
};

ConvGeom conv_geom(const std::string& op, const Shape& xs, const Shape& ws, const ConvArgs& a) {
  if (xs.size() != 4)
    fail(op + ": expected an input of shape [N,C,H,W], got " + shape_str(xs));
  if (ws.size() != 4)
    fail(op + ": expected a weight of shape [O,C/groups,kh,kw], got " + shape_str(ws));
  check_pair(op, "stride", a.stride, 1, xs);
  check_pair(op, "padding", a.padding, 0, xs);
  check_pair(op, "dilation", a.dilation, 1, xs);
  if (a.groups < 1 || a.groups > kMaxParam)
    fail(op + ": groups must be a positive integer, got " + std::to_string(a.groups));
  for (int64_t d : ws)
    if (d < 1)
      fail(op + ": weight of shape " + shape_str(ws) + " has an empty dimension");
  ConvGeom G{};
  G.N = xs[0]; G.C = xs[1]; G.H = xs[2]; G.W = xs[3];
  G.O = ws[0]; G.kh = ws[2]; G.kw = ws[3];
  G.sh = a.stride[0]; G.sw = a.stride[1];
  G.ph = a.padding[0]; G.pw = a.padding[1];
  G.dh = a.dilation[0]; G.dw = a.dilation[1];
  G.groups = a.groups;
  if (ws[1] * a.groups != G.C)
    fail(op + ": input of shape " + shape_str(xs) + " has " + std::to_string(G.C) +
         " channels but weight of shape " + shape_str(ws) + " expects " +
         std::to_string(ws[1] * a.groups) + " (groups=" + std::to_string(a.groups) + ")");
  if (G.O % a.groups != 0)
    fail(op + ": weight of shape " + shape_str(ws) + " has " + std::to_string(G.O) +
         " output channels, which groups=" + std::to_string(a.groups) + " does not divide");
  const int64_t eh = G.dh * (G.kh - 1) + 1, ew = G.dw * (G.kw - 1) + 1;
  const int64_t Hp = G.H + 2 * G.ph, Wp = G.W + 2 * G.pw;
  if (Hp < eh || Wp < ew)
    fail(op + ": kernel of effective size [" + std::to_string(eh) + "," + std::to_string(ew) +
         "] (weight " + shape_str(ws) + ", dilation " + pair_str(a.dilation) +
         ") is larger than the padded input [" + std::to_string(Hp) + "," + std::to_string(Wp) +
         "] (input " + shape_str(xs) + ", padding " + pair_str(a.padding) + ")");
  G.Ho = (Hp - eh) / G.sh + 1;
  G.Wo = (Wp - ew) / G.sw + 1;
  G.Cg = G.C / a.groups;
  G.Og = G.O / a.groups;
  G.K = G.Cg * G.kh * G.kw;
  G.L = G.Ho * G.Wo;
  G.HW = G.H * G.W;
  G.pointwise = G.kh == 1 && G.kw == 1 && G.sh == 1 && G.sw == 1 && G.ph == 0 && G.pw == 0;
  return G;
}

Shape conv_out_shape(const ConvGeom& G) { return {G.N, G.O, G.Ho, G.Wo}; }

// The valid output columns [ow0, ow1) for kernel column j: those reading inside the input row.
inline void valid_cols(const ConvGeom& G, int64_t j, int64_t& woff, int64_t& ow0, int64_t& ow1) {
  woff = j * G.dw - G.pw;
  ow0 = woff >= 0 ? 0 : std::min(G.Wo, ceil_div(-woff, G.sw));
  ow1 = G.W - woff <= 0 ? 0 : std::min(G.Wo, ceil_div(G.W - woff, G.sw));
  ow1 = std::max(ow1, ow0);
}

// cols [K, L], row (c, i, j) holds x[c, oh·sh - ph + i·dh, ow·sw - pw + j·dw] (0 in the padding).
template <typename T>
void im2col(const ConvGeom& G, const T* x, T* cols) {
  for (int64_t c = 0; c < G.Cg; c++) {
    const T* xc = x + c * G.HW;
    for (int64_t i = 0; i < G.kh; i++) {
      for (int64_t j = 0; j < G.kw; j++) {
        T* row = cols + ((c * G.kh + i) * G.kw + j) * G.L;
        int64_t woff, ow0, ow1;
        valid_cols(G, j, woff, ow0, ow1);
        for (int64_t oh = 0; oh < G.Ho; oh++) {
          T* dst = row + oh * G.Wo;
          const int64_t ih = oh * G.sh - G.ph + i * G.dh;
          if (ih < 0 || ih >= G.H) {
            std::memset(dst, 0, sizeof(T) * G.Wo);
            continue;
          }
          const T* src = xc + ih * G.W + woff;
          for (int64_t ow = 0; ow < ow0; ow++) dst[ow] = T(0);
          if (G.sw == 1) {
            std::memcpy(dst + ow0, src + ow0, sizeof(T) * (ow1 - ow0));
          } else {
            for (int64_t ow = ow0; ow < ow1; ow++) dst[ow] = src[ow * G.sw];
          }
          for (int64_t ow = ow1; ow < G.Wo; ow++) dst[ow] = T(0);
        }
      }
    }
  }
}

// The adjoint of im2col: adds every entry of cols back onto the input position it was read from.
template <typename T>
void col2im(const ConvGeom& G, const T* cols, T* x) {
  for (int64_t c = 0; c < G.Cg; c++) {
    T* xc = x + c * G.HW;
    for (int64_t i = 0; i < G.kh; i++) {
      for (int64_t j = 0; j < G.kw; j++) {
        const T* row = cols + ((c * G.kh + i) * G.kw + j) * G.L;
        int64_t woff, ow0, ow1;
        valid_cols(G, j, woff, ow0, ow1);
        for (int64_t oh = 0; oh < G.Ho; oh++) {
          const int64_t ih = oh * G.sh - G.ph + i * G.dh;
          if (ih < 0 || ih >= G.H) continue;
          const T* src = row + oh * G.Wo;
          T* dst = xc + ih * G.W + woff;
          if (G.sw == 1) {
            for (int64_t ow = ow0; ow < ow1; ow++) dst[ow] += src[ow];
          } else {
            for (int64_t ow = ow0; ow < ow1; ow++) dst[ow * G.sw] += src[ow];
          }
        }
      }
    }
  }
}

// C = op(A)·op(B) + beta·C. Called from one of several sample-parallel threads it runs on that
// thread: the engine's own kernel does so under a parallel_for chunk, OpenBLAS under BlasSerial.
template <typename T>
void gemm_t(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
            const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  if constexpr (std::is_same_v<T, float>) sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
  else dgemm(ta, tb, M, N, K, 1.0, A, lda, B, ldb, beta, C, ldc);
}

// While samples run on our threads, OpenBLAS must run each GEMM on its calling thread: otherwise
// every call would start OpenBLAS's own threads and oversubscribe the cores. Measured on the
// MNIST net's second layer (2 threads): single-threaded OpenBLAS per sample is 1.5-2x faster
// than the engine's own kernel per sample, and as fast as one threaded OpenBLAS GEMM over the
// whole batch without that path's 40 MiB im2col buffer. OpenBLAS 0.3.21 has no per-call thread
// count, so the process-wide one is lowered for the duration (counted, for concurrent convs in
// several worker_threads; a matmul elsewhere meanwhile just runs single-threaded). The count in
// force before is restored (it used to be set to num_threads() afterwards, which left OpenBLAS
// threaded behind gemm.cpp's back: its GEMMs then ran threaded inside our pool's threads).
struct BlasSerial {
  BlasThreadScope one{1};
};

// How many parts the batch is split into (1: samples in order, GEMMs threaded).
int64_t batch_parts(const ConvGeom& G) {
  const int64_t t = num_threads();
  if (t <= 1 || G.N < t) return 1;
  // Tiny problems are not worth waking the pool for.
  if (G.N * G.O * G.L * G.K < 64 * 64 * 64) return 1;
  return t;
}

// Runs body(n0, n1, part) over `parts` contiguous sample ranges.
template <typename F>
void over_batch(const ConvGeom& G, int64_t parts, F&& body) {
  if (parts <= 1) {
    body(int64_t(0), G.N, int64_t(0));
    return;
  }
  BlasSerial blas_serial;
  (void)blas_serial;
  parallel_for(0, parts, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) body(G.N * p / parts, G.N * (p + 1) / parts, p);
  });
}

// ---------------------------------------------------------------------------------------------
// Winograd F(2x2,3x3) path (conv_winograd.h) for 3x3, stride 1, dilation 1, groups 1.

// Whether the Winograd path serves this geometry. Few channels make its 16 GEMMs too thin (K = C)
// for the transforms to pay off; the MNIST net's first layer (C = 1) stays on im2col.
bool winograd_fits(int64_t kh, int64_t kw, const ConvGeom& G) {
  return kh == 3 && kw == 3 && G.sh == 1 && G.sw == 1 && G.dh == 1 && G.dw == 1 &&
         G.groups == 1 && G.C >= 16 && G.O >= 16 && G.Ho >= 4 && G.Wo >= 4;
}

// Tiles per block of samples. For the MNIST net's second layer (168 tiles a sample with the row
// padding) blocks of 1 and 2 samples measured equal within noise, 3 about the same, 5 or more
// up to 35% slower in the weight gradient (V and M, 16·(C + O)·tiles values, outgrow the 2 MiB
// L2); smaller images put several samples in a block so the GEMMs stay wide.
constexpr int64_t kWinoBlockTiles = 160;

template <typename T>
const wino::Transforms<T>& wino_transforms() {
#define TF_WINO(ns) \
  wino::Transforms<T> {                                                    \
    &wino_isa::ns::transform_input<T>, &wino_isa::ns::transform_output<T>, \
        &wino_isa::ns::transform_grad<T>,                                  \
        &wino_isa::ns::transform_input_adjoint<T>                          \
  }
  static const wino::Transforms<T> chosen = [] {
#ifdef TF_CONV_X86
    if (simd_level() == SimdLevel::AVX512) return TF_WINO(simd_avx512);
    if (simd_level() == SimdLevel::AVX2) return TF_WINO(simd_avx2);
#endif
#ifdef TF_CONV_NEON
    if (simd_level() == SimdLevel::NEON) return TF_WINO(simd_neon);
#endif
    return TF_WINO(simd_scalar);
  }();
#undef TF_WINO
  return chosen;
}

// ---------------------------------------------------------------------------------------------
// Winograd F(4x4,3x3) path (conv_winograd43.h): the F(2x2) geometries with outputs of at least
// 8x8 (smaller ones would be mostly cut tiles). MNIST net's second layer (64 x [32,26,26] ->
// [64,24,24]), ms: forward 3.6 -> 3.4, input gradient 3.8 -> 3.7, weight gradient 3.5 -> 2.7 at
// AVX-512; 4.5 -> 4.2, 5.3 -> 4.5, 4.9 -> 3.7 at AVX2. With the general GEMM the whole step
// gained 1-2 ms at AVX2 but nothing at AVX-512, which then kept F(2x2) for its ~20x smaller
// float32 error (2e-7 against 5e-6 of the largest output). With the in-place products and
// 1-sample blocks F(4x4) wins at AVX-512 too: cnn_step 14.5 -> 13.4 ms (3 alternated runs), so
// every level uses it; the 5e-6 is within what Winograd paths elsewhere accept.
bool winograd43_fits(int64_t kh, int64_t kw, const ConvGeom& G) {
  return winograd_fits(kh, kw, G) && G.Ho >= 8 && G.Wo >= 8;
}

// With the general GEMM (B packed every call) blocks of 3 samples (144 tiles for the MNIST layer)
// measured fastest; with the in-place products (conv_winograd_gemm_body.h) 1 sample (48 tiles)
// is: cnn_step at AVX2 16.6 vs 17.1 ms (3 alternated runs each). Its V and dM (0.2 + 0.4 MiB)
// also stay within a 512 KiB L2 better than 3 samples' 2 MiB.
constexpr int64_t kWino43BlockTiles = 64;

template <typename T>
const wino43::Transforms<T>& wino43_transforms() {
#define TF_WINO43(ns) \
  wino43::Transforms<T> {                                                          \
    &wino43_isa::ns::transform_input43<T>, &wino43_isa::ns::transform_output43<T>, \
        &wino43_isa::ns::transform_grad43<T>,                                      \
        &wino43_isa::ns::transform_input_adjoint43<T>                              \
  }
  static const wino43::Transforms<T> chosen = [] {
#ifdef TF_CONV_X86
    if (simd_level() == SimdLevel::AVX512) return TF_WINO43(simd_avx512);
    if (simd_level() == SimdLevel::AVX2) return TF_WINO43(simd_avx2);
#endif
#ifdef TF_CONV_NEON
    if (simd_level() == SimdLevel::NEON) return TF_WINO43(simd_neon);
#endif
    return TF_WINO43(simd_scalar);
  }();
#undef TF_WINO43
  return chosen;
}

// The forward and input-gradient products of both Winograd variants at the SIMD level in use
// (conv_winograd_gemm_body.h: B read in place instead of packed).
template <typename T>
struct WinoGemm {
  void (*nn)(int64_t, int64_t, int64_t, const T*, const T*, T*);  // C = A·B
  void (*tn)(int64_t, int64_t, int64_t, const T*, const T*, T*);  // C = Aᵀ·B
  void (*nt)(int64_t, int64_t, int64_t, const T*, const T*, T*);  // C += A·Bᵀ
};

template <typename T>
const WinoGemm<T>& wino_gemm() {
#define TF_WGEMM(ns) \
  WinoGemm<T> {                                                                       \
    &wgemm_isa::ns::wino_gemm_nn<T>, &wgemm_isa::ns::wino_gemm_tn<T>, &wgemm_isa::ns::wino_gemm_nt<T> \
  }
  static const WinoGemm<T> chosen = [] {
#ifdef TF_CONV_X86
    if (simd_level() == SimdLevel::AVX512) return TF_WGEMM(simd_avx512);
    if (simd_level() == SimdLevel::AVX2) return TF_WGEMM(simd_avx2);
#endif
#ifdef TF_CONV_NEON
    if (simd_level() == SimdLevel::NEON) return TF_WGEMM(simd_neon);
#endif
    return TF_WGEMM(simd_scalar);
  }();
#undef TF_WGEMM
  return chosen;
}

// Runs a weight transform (or its adjoint) over output channel ranges on the pool. Serial, F(4x4)'s
// (divisions by 6, 12, 24 for each of 36 products) was 3% of the cnn_step profile at AVX2, run
// twice a step with the other thread idle. Each channel's results are independent of the split.
template <typename F>
void wino_weight_par(int64_t O, int64_t C, F&& f) {
  if (O * C < 1024) {
    f(0, O);
    return;
  }
  parallel_for(0, O, std::max<int64_t>(1, 512 / C), [&](int64_t lo, int64_t hi) { f(lo, hi); });
}

// The two Winograd variants as the drivers below use them: geometry, weight transforms, the
// transforms at the SIMD level in use, and samples per block.
struct WinoF2 {
  using Geom = wino::Geom;
  static constexpr int64_t kBlockTiles = kWinoBlockTiles;
  template <typename T>
  static void weight(const T* w, int64_t O, int64_t C, T* U) {
    wino_weight_par(O, C, [&](int64_t o0, int64_t o1) { wino::transform_weight(w, O, C, U, o0, o1); });
  }
  template <typename T>
  static void weight_adjoint(const T* dU, int64_t O, int64_t C, T* dw) {
    wino_weight_par(O, C, [&](int64_t o0, int64_t o1) {
      wino::transform_weight_adjoint(dU, O, C, dw, o0, o1);
    });
  }
  template <typename T>
  static const wino::Transforms<T>& transforms() { return wino_transforms<T>(); }
};
struct WinoF4 {
  using Geom = wino43::Geom;
  static constexpr int64_t kBlockTiles = kWino43BlockTiles;
  template <typename T>
  static void weight(const T* w, int64_t O, int64_t C, T* U) {
    wino_weight_par(O, C, [&](int64_t o0, int64_t o1) { wino43::transform_weight(w, O, C, U, o0, o1); });
  }
  template <typename T>
  static void weight_adjoint(const T* dU, int64_t O, int64_t C, T* dw) {
    wino_weight_par(O, C, [&](int64_t o0, int64_t o1) {
      wino43::transform_weight_adjoint(dU, O, C, dw, o0, o1);
    });
  }
  template <typename T>
  static const wino43::Transforms<T>& transforms() { return wino43_transforms<T>(); }
};

// The forward geometry of G for variant V's kernels.
template <typename V>
typename V::Geom wino_geom(const ConvGeom& G) {
  typename V::Geom W{};
  W.N = G.N; W.C = G.C; W.H = G.H; W.W = G.W; W.O = G.O; W.Ho = G.Ho; W.Wo = G.Wo;
  W.ph = G.ph; W.pw = G.pw;
  return W;
}

// y [N, O, Ho, Wo] = conv(x [N, C, H, W], w) + bias.
template <typename V, typename T>
void winograd_forward(const ConvGeom& G, const T* x, const T* w, const T* b, T* y) {
  const auto W = wino_geom<V>(G);
  std::unique_ptr<T[]> U(new T[size_t(V::Geom::kPoints * W.O * W.C)]);
  V::weight(w, W.O, W.C, U.get());
  const int64_t block = wino_loops::block_samples(W, V::kBlockTiles);
  over_batch(G, batch_parts(G), [&](int64_t n0, int64_t n1, int64_t) {
    wino_loops::conv_samples(W, x, U.get(), b, n0, n1, block, V::template transforms<T>(),
                             wino_gemm<T>().nn,
                             y);
  });
}

// dx [N, C, H, W] as the adjoint of the forward Winograd algorithm (gy -> dM -> dV -> dx) on the
// forward's tiles, for any padding. The "full correlation" form (a forward Winograd of gy padded
// by 2 - padding with the rotated, channel-swapped weight) transforms 13x15 tiles of 64 channels
// instead of 12x14 tiles of 32 for the MNIST net's second layer and measured about 10% slower
// (F(2x2)).
template <typename V, typename T>
void winograd_input_grad(const ConvGeom& G, const T* gy, const T* w, T* dx) {
  const auto W = wino_geom<V>(G);
  std::unique_ptr<T[]> U(new T[size_t(V::Geom::kPoints * W.O * W.C)]);
  V::weight(w, W.O, W.C, U.get());
  const int64_t block = wino_loops::block_samples(W, V::kBlockTiles);
  over_batch(G, batch_parts(G), [&](int64_t n0, int64_t n1, int64_t) {
    wino_loops::input_grad_samples(W, gy, U.get(), n0, n1, block, V::template transforms<T>(),
                                   wino_gemm<T>().tn,
                                   dx);
  });
}

// dw [O, C, 3, 3] of the forward geometry G. Each batch part sums into its own dU (fixed
// grouping for a given thread count, like the im2col path).
template <typename V, typename T>
void winograd_weight_grad(const ConvGeom& G, const T* x, const T* gy, T* dw) {
  const auto W = wino_geom<V>(G);
  const int64_t parts = batch_parts(G), usize = V::Geom::kPoints * G.O * G.C;
  std::unique_ptr<T[]> dU(new T[size_t(parts * usize)]());
  const int64_t block = wino_loops::block_samples(W, V::kBlockTiles);
  over_batch(G, parts, [&](int64_t n0, int64_t n1, int64_t part) {
    wino_loops::weight_grad_samples(W, x, gy, n0, n1, block, V::template transforms<T>(),
                                    wino_gemm<T>().nt,
                                    dU.get() + part * usize);
  });
  for (int64_t p = 1; p < parts; p++) {
    const T* s = dU.get() + p * usize;
    for (int64_t i = 0; i < usize; i++) dU[i] += s[i];
  }
  V::weight_adjoint(dU.get(), G.O, G.C, dw);
}

// dx and dw together (the conv2d backward when both are wanted), and the bias gradient gb when
// not null: one transform of gy per block for all (wino_loops::backward_samples). dx and dw are
// bitwise the results of winograd_input_grad and winograd_weight_grad. MNIST net's second layer
// (64 x [32,26,26] -> [64,24,24]) backward at AVX-512, alternated with the separate kernels under
// load: 13.6 -> 12.2 ms.
template <typename V, typename T>
void winograd_backward(const ConvGeom& G, const T* x, const T* gy, const T* w, T* dx, T* dw,
                       T* gb) {
  const auto W = wino_geom<V>(G);
  const int64_t parts = batch_parts(G), usize = V::Geom::kPoints * G.O * G.C;
  std::unique_ptr<T[]> U(new T[size_t(usize)]);
  V::weight(w, W.O, W.C, U.get());
  std::unique_ptr<T[]> dU(new T[size_t(parts * usize)]());
  // Per-part bias totals, added in part order: the same grouping every call for a thread count.
  std::vector<double> gbp(size_t(gb ? parts * G.O : 0), 0.0);
  const int64_t block = wino_loops::block_samples(W, V::kBlockTiles);
  over_batch(G, parts, [&](int64_t n0, int64_t n1, int64_t part) {
    wino_loops::backward_samples(
        W, x, gy, U.get(), n0, n1, block, V::template transforms<T>(),
        wino_gemm<T>().tn,
        wino_gemm<T>().nt,
        dx, dU.get() + part * usize, gb ? gbp.data() + part * G.O : nullptr);
  });
  if (gb) {
    for (int64_t o = 0; o < G.O; o++) {
      double t = 0;
      for (int64_t p = 0; p < parts; p++) t += gbp[size_t(p * G.O + o)];
      gb[o] = static_cast<T>(t);
    }
  }
  for (int64_t p = 1; p < parts; p++) {
    const T* s = dU.get() + p * usize;
    for (int64_t i = 0; i < usize; i++) dU[i] += s[i];
  }
  V::weight_adjoint(dU.get(), G.O, G.C, dw);
}

// ---------------------------------------------------------------------------------------------
// Direct weight gradient for one input channel (conv_direct_body.h): stride 1, dilation 1, no
// padding.

bool direct1_fits(const ConvGeom& G) {
  return G.C == 1 && G.groups == 1 && G.sh == 1 && G.sw == 1 && G.dh == 1 && G.dw == 1 &&
         G.ph == 0 && G.pw == 0 && G.kh * G.kw >= 2 && G.kh * G.kw <= 49;
}

template <typename T>
struct Direct1 {
  void (*weight_grad)(const T*, int64_t, int64_t, const T*, int64_t, int64_t, int64_t, T*, T*);
};

template <typename T>
const Direct1<T>& direct1() {
#define TF_DIRECT1(ns) \
  Direct1<T> { &direct_isa::ns::direct1_weight_grad<T> }
  static const Direct1<T> chosen = [] {
#ifdef TF_CONV_X86
    if (simd_level() == SimdLevel::AVX512) return TF_DIRECT1(simd_avx512);
    if (simd_level() == SimdLevel::AVX2) return TF_DIRECT1(simd_avx2);
#endif
#ifdef TF_CONV_NEON
    if (simd_level() == SimdLevel::NEON) return TF_DIRECT1(simd_neon);
#endif
    return TF_DIRECT1(simd_scalar);
  }();
#undef TF_DIRECT1
  return chosen;
}

// Each batch part sums into its own dw (part 0 into dw itself).
template <typename T>
void direct1_weight_grad(const ConvGeom& G, const T* x, const T* gy, T* dw) {
  const int64_t parts = batch_parts(G), wsize = G.O * G.K;
  std::vector<std::unique_ptr<T[]>> acc(static_cast<size_t>(parts));
  std::fill(dw, dw + wsize, T(0));
  for (int64_t p = 1; p < parts; p++) acc[p].reset(new T[size_t(wsize)]());
  over_batch(G, parts, [&](int64_t n0, int64_t n1, int64_t part) {
    T* dst = part == 0 ? dw : acc[part].get();
    std::unique_ptr<T[]> wide(new T[size_t(G.Ho * G.W)]);
    for (int64_t n = n0; n < n1; n++)
      direct1<T>().weight_grad(x + n * G.HW, G.H, G.W, gy + n * G.O * G.L, G.O, G.kh, G.kw, dst,
                               wide.get());
  });
  for (int64_t p = 1; p < parts; p++) {
    const T* s = acc[p].get();
    for (int64_t i = 0; i < wsize; i++) dw[i] += s[i];
  }
}

// ---------------------------------------------------------------------------------------------
// Depthwise path (conv_depthwise_body.h): one input channel per group, any kernel, stride,
// padding and dilation. Measured on [8,128,56,56] 3x3 pad 1 (2 threads, see
// scripts/bench_conv_shapes.js): im2col + one thin GEMM per channel and sample was many times
// PyTorch's time.

bool depthwise_fits(const ConvGeom& G) { return G.groups > 1 && G.Cg == 1; }

template <typename T>
struct Depthwise {
  void (*forward)(const ConvGeom&, const T*, const T*, T, T*);
  void (*input_grad)(const ConvGeom&, const T*, const T*, T*);
  void (*weight_grad)(const ConvGeom&, const T*, const T*, T*);
  // 3x3, stride 1, dilation 1, padding <= 2 (depthwise3_fits): all taps in one pass.
  void (*forward3)(const ConvGeom&, const T*, const T*, T, T*);
  void (*input_grad3)(const ConvGeom&, const T*, const T*, T*);
  void (*weight_grad3)(const ConvGeom&, const T*, const T*, T*);
};

bool depthwise3_fits(const ConvGeom& G) {
  return G.kh == 3 && G.kw == 3 && G.sh == 1 && G.sw == 1 && G.dh == 1 && G.dw == 1 && G.ph <= 2 &&
         G.pw <= 2;
}

template <typename T>
const Depthwise<T>& depthwise() {
#define TF_DEPTHWISE(ns)                                                             \
  Depthwise<T> {                                                                     \
    &depthwise_isa::ns::dw_forward_plane<T, ConvGeom>,                               \
        &depthwise_isa::ns::dw_input_grad_plane<T, ConvGeom>,                        \
        &depthwise_isa::ns::dw_weight_grad_plane<T, ConvGeom>,                       \
        &depthwise_isa::ns::dw3_forward_plane<T, ConvGeom>,                          \
        &depthwise_isa::ns::dw3_input_grad_plane<T, ConvGeom>,                       \
        &depthwise_isa::ns::dw3_weight_grad_plane<T, ConvGeom>                       \
  }
  static const Depthwise<T> chosen = [] {
#ifdef TF_CONV_X86
    if (simd_level() == SimdLevel::AVX512) return TF_DEPTHWISE(simd_avx512);
    if (simd_level() == SimdLevel::AVX2) return TF_DEPTHWISE(simd_avx2);
#endif
#ifdef TF_CONV_NEON
    if (simd_level() == SimdLevel::NEON) return TF_DEPTHWISE(simd_neon);
#endif
    return TF_DEPTHWISE(simd_scalar);
  }();
#undef TF_DEPTHWISE
  return chosen;
}

// Planes per parallel chunk: enough work (~32K multiply-adds) to be worth a thread.
inline int64_t depthwise_grain(const ConvGeom& G) {
  return std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(1, G.Og * G.L * G.kh * G.kw));
}

// Parallel over (sample, channel) planes; each writes its Og output planes.
template <typename T>
void depthwise_forward(const ConvGeom& G, const T* x, const T* w, const T* b, T* y) {
  const auto& k = depthwise<T>();
  const auto fwd = depthwise3_fits(G) ? k.forward3 : k.forward;
  parallel_for(0, G.N * G.C, depthwise_grain(G), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) {
      const int64_t c = p % G.C;
      for (int64_t m = 0; m < G.Og; m++) {
        const int64_t o = c * G.Og + m;
        fwd(G, x + p * G.HW, w + o * G.K, b ? b[o] : T(0), y + (p / G.C * G.O + o) * G.L);
      }
    }
  });
}

template <typename T>
void depthwise_input_grad(const ConvGeom& G, const T* gy, const T* w, T* dx) {
  const auto& k = depthwise<T>();
  const auto igrad = depthwise3_fits(G) ? k.input_grad3 : k.input_grad;
  parallel_for(0, G.N * G.C, depthwise_grain(G), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) {
      T* d = dx + p * G.HW;
      std::fill(d, d + G.HW, T(0));
      const int64_t c = p % G.C;
      for (int64_t m = 0; m < G.Og; m++) {
        const int64_t o = c * G.Og + m;
        igrad(G, gy + (p / G.C * G.O + o) * G.L, w + o * G.K, d);
      }
    }
  });
}

// Parallel over output channels, each summing all samples into its own kh·kw·Wo row sums (no
// per-thread copies of dw to add up, and the order of the sums does not depend on the threads).
template <typename T>
void depthwise_weight_grad(const ConvGeom& G, const T* x, const T* gy, T* dw) {
  const auto& k = depthwise<T>();
  const auto wgrad = depthwise3_fits(G) ? k.weight_grad3 : k.weight_grad;
  const int64_t grain = std::max<int64_t>(1, depthwise_grain(G) / std::max<int64_t>(1, G.N));
  parallel_for(0, G.O, grain, [&](int64_t lo, int64_t hi) {
    std::vector<T> acc(size_t(G.K * G.Wo));
    for (int64_t o = lo; o < hi; o++) {
      std::fill(acc.begin(), acc.end(), T(0));
      const int64_t c = o / G.Og;
      for (int64_t n = 0; n < G.N; n++)
        wgrad(G, x + (n * G.C + c) * G.HW, gy + (n * G.O + o) * G.L, acc.data());
      for (int64_t t = 0; t < G.K; t++) {
        T s = T(0);
        for (int64_t q = 0; q < G.Wo; q++) s += acc[size_t(t * G.Wo + q)];
        dw[o * G.K + t] = s;
      }
    }
  });
}

template <typename T>
void conv_forward_kernel(const ConvGeom& G, const T* x, const T* w, const T* b, T* y) {
  if (depthwise_fits(G)) {
    depthwise_forward(G, x, w, b, y);
    return;
  }
  if (winograd43_fits(G.kh, G.kw, G)) {
    winograd_forward<WinoF4>(G, x, w, b, y);
    return;
  }
  if (winograd_fits(G.kh, G.kw, G)) {
    winograd_forward<WinoF2>(G, x, w, b, y);
    return;
  }
  over_batch(G, batch_parts(G), [&](int64_t n0, int64_t n1, int64_t) {
    std::unique_ptr<T[]> buf(G.pointwise || n0 == n1 ? nullptr : new T[size_t(G.K * G.L)]);
    for (int64_t n = n0; n < n1; n++) {
      for (int64_t g = 0; g < G.groups; g++) {
        const T* xg = x + (n * G.C + g * G.Cg) * G.HW;
        const T* cols = xg;
        if (!G.pointwise) {
          im2col(G, xg, buf.get());
          cols = buf.get();
        }
        T* yg = y + (n * G.O + g * G.Og) * G.L;
        T beta = T(0);
        if (b) {
          for (int64_t o = 0; o < G.Og; o++) std::fill(yg + o * G.L, yg + (o + 1) * G.L, b[g * G.Og + o]);
          beta = T(1);
        }
        gemm_t<T>(false, false, G.Og, G.L, G.K, w + g * G.Og * G.K, G.K, cols, G.L, beta,
                  yg, G.L);
      }
    }
  });
}

// Writes all of dx (each thread zeroes its own samples before col2im adds into them: in cache,
// and not a serial memset of the whole gradient first).
template <typename T>
void conv_input_grad_kernel(const ConvGeom& G, const T* gy, const T* w, T* dx) {
  if (depthwise_fits(G)) {
    depthwise_input_grad(G, gy, w, dx);
    return;
  }
  if (winograd43_fits(G.kh, G.kw, G)) {
    winograd_input_grad<WinoF4>(G, gy, w, dx);
    return;
  }
  if (winograd_fits(G.kh, G.kw, G)) {
    winograd_input_grad<WinoF2>(G, gy, w, dx);
    return;
  }
  over_batch(G, batch_parts(G), [&](int64_t n0, int64_t n1, int64_t) {
    std::unique_ptr<T[]> buf(G.pointwise || n0 == n1 ? nullptr : new T[size_t(G.K * G.L)]);
    for (int64_t n = n0; n < n1; n++) {
      if (!G.pointwise) std::memset(dx + n * G.C * G.HW, 0, sizeof(T) * size_t(G.C * G.HW));
      for (int64_t g = 0; g < G.groups; g++) {
        const T* gg = gy + (n * G.O + g * G.Og) * G.L;
        const T* wg = w + g * G.Og * G.K;
        T* dxg = dx + (n * G.C + g * G.Cg) * G.HW;
        if (G.pointwise) {
          gemm_t<T>(true, false, G.K, G.L, G.Og, wg, G.K, gg, G.L, T(0), dxg, G.L);
        } else {
          gemm_t<T>(true, false, G.K, G.L, G.Og, wg, G.K, gg, G.L, T(0), buf.get(), G.L);
          col2im(G, buf.get(), dxg);
        }
      }
    }
  });
}

// Writes all of dw [O, K] (N >= 1). Each part sums its samples into its own buffer (part 0 into
// dw, its first sample with beta 0).
template <typename T>
void conv_weight_grad_kernel(const ConvGeom& G, const T* x, const T* gy, T* dw) {
  if (depthwise_fits(G)) {
    depthwise_weight_grad(G, x, gy, dw);
    return;
  }
  if (winograd43_fits(G.kh, G.kw, G)) {
    winograd_weight_grad<WinoF4>(G, x, gy, dw);
    return;
  }
  if (winograd_fits(G.kh, G.kw, G)) {
    winograd_weight_grad<WinoF2>(G, x, gy, dw);
    return;
  }
  if (direct1_fits(G)) {
    direct1_weight_grad(G, x, gy, dw);
    return;
  }
  const int64_t parts = batch_parts(G);
  const int64_t wsize = G.O * G.K;
  std::vector<std::unique_ptr<T[]>> acc(static_cast<size_t>(parts));
  for (int64_t p = 1; p < parts; p++) acc[p].reset(new T[size_t(wsize)]());
  over_batch(G, parts, [&](int64_t n0, int64_t n1, int64_t part) {
    T* dst = part == 0 ? dw : acc[part].get();
    std::unique_ptr<T[]> buf(G.pointwise || n0 == n1 ? nullptr : new T[size_t(G.K * G.L)]);
    for (int64_t n = n0; n < n1; n++) {
      for (int64_t g = 0; g < G.groups; g++) {
        const T* xg = x + (n * G.C + g * G.Cg) * G.HW;
        const T* cols = xg;
        if (!G.pointwise) {
          im2col(G, xg, buf.get());
          cols = buf.get();
        }
        const T* gg = gy + (n * G.O + g * G.Og) * G.L;
        gemm_t<T>(false, true, G.Og, G.K, G.L, gg, G.L, cols, G.L, n == n0 ? T(0) : T(1),
                  dst + g * G.Og * G.K, G.K);
      }
    }
  });
  for (int64_t p = 1; p < parts; p++) {
    const T* s = acc[p].get();
    for (int64_t i = 0; i < wsize; i++) dw[i] += s[i];
  }
}

// ---------------------------------------------------------------------------------------------
// Convolution ops

// Both gradients in one pass where a Winograd path serves G; false (nothing written) otherwise.
template <typename T>
bool conv_backward_fused_kernel(const ConvGeom& G, const T* x, const T* gy, const T* w, T* dx, T* dw,
                                T* gb) {
  if (winograd43_fits(G.kh, G.kw, G)) {
    winograd_backward<WinoF4>(G, x, gy, w, dx, dw, gb);
    return true;
  }
  if (winograd_fits(G.kh, G.kw, G)) {
    winograd_backward<WinoF2>(G, x, gy, w, dx, dw, gb);
    return true;
  }
  return false;
}

// gx and gw (and gb when want_bias) of conv2d_4d's backward in one pass
// (conv_backward_fused_kernel) when nothing is being recorded (no create_graph: the separate ops
// record their own backward), the gradient has the saved tensors' dtype and a Winograd path
// serves the geometry. False leaves gx, gw, gb untouched.
bool conv2d_backward_fused(const Tensor& g, const Tensor& x, const Tensor& w, const ConvArgs& a,
                           bool want_bias, Tensor& gx, Tensor& gw, Tensor& gb) {
  if (any_requires_grad({g, x, w})) return false;
  if (g.dtype() != x.dtype() || w.dtype() != x.dtype() || x.dim() != 4) return false;
  ConvGeom G = conv_geom("conv2d_backward", x.shape(), w.shape(), a);
  if (!winograd_fits(G.kh, G.kw, G) || g.shape() != conv_out_shape(G) || x.numel() == 0 ||
      g.numel() == 0)
    return false;
  Tensor dx = empty_uninit(x.shape(), x.dtype()), dw = empty_uninit(w.shape(), x.dtype());
  Tensor db = want_bias ? empty_uninit({G.O}, x.dtype()) : Tensor();
  Tensor xc = input4(x), gc = input4(g), wc = input4(w);
  const bool done = x.dtype() == DType::F32
      ? conv_backward_fused_kernel<float>(G, xc.data<float>(), gc.data<float>(), wc.data<float>(),
                                          dx.data<float>(), dw.data<float>(),
                                          want_bias ? db.data<float>() : nullptr)
      : conv_backward_fused_kernel<double>(G, xc.data<double>(), gc.data<double>(),
                                           wc.data<double>(), dx.data<double>(), dw.data<double>(),
                                           want_bias ? db.data<double>() : nullptr);
  if (!done) return false;
  gx = dx;
  gw = dw;
  if (want_bias) gb = db;
  return true;
}

Tensor conv2d_4d(const std::string& op, const Tensor& x, const Tensor& w, const Tensor& b,
                 const ConvArgs& a);

DType common_float(const std::string& op, const Tensor& a, const char* an, const Tensor& b,
                   const char* bn) {
  check_float(op, a, an);
  check_float(op, b, bn);
  return promote(a.dtype(), b.dtype());
}

// gb [O] = Σ g over N, H, W. sum(g, {0,2,3}) made a contiguous copy of g first (reducing over
// non-adjacent axes: 0.9% of the MNIST step for the 9 MiB second-layer gradient). Here each
// thread streams through whole samples in memory order into its own per-channel totals (split by
// channel instead, every 2 KiB row started a new prefetch stream: 1.5x slower). Under
// create_graph (g requires grad) it stays the differentiable sum.
Tensor conv_bias_grad(const Tensor& g_in) {
  if (any_requires_grad({g_in})) return sum(g_in, {0, 2, 3}, false);
  const Tensor g = input4(g_in);
  const int64_t N = g.shape()[0], O = g.shape()[1], L = g.shape()[2] * g.shape()[3];
  Tensor gb = empty({O}, g.dtype());
  if (N * O * L == 0) return gb;
  // A fixed split for a given thread count, so the totals group the same way every call.
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(N, N * O * L >= (1 << 16) ? num_threads() : 1));
  std::vector<double> acc(static_cast<size_t>(parts * O), 0.0);
  auto run = [&](auto* src, auto* dst) {
    using T = std::remove_pointer_t<decltype(dst)>;
    parallel_for(0, parts, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t p = lo; p < hi; p++) {
        double* tot = acc.data() + p * O;
        for (int64_t n = N * p / parts; n < N * (p + 1) / parts; n++) {
          for (int64_t o = 0; o < O; o++) tot[o] += row_total(src + (n * O + o) * L, L);
        }
      }
    });
    for (int64_t o = 0; o < O; o++) {
      double t = 0;
      for (int64_t p = 0; p < parts; p++) t += acc[p * O + o];
      dst[o] = static_cast<T>(t);
    }
  };
  if (g.dtype() == DType::F32) run(g.data<float>(), gb.data<float>());
  else run(g.data<double>(), gb.data<double>());
  return gb;
}

Tensor conv2d_4d(const std::string& op, const Tensor& x_in, const Tensor& w_in, const Tensor& b_in,
                 const ConvArgs& a) {
  DType dt = common_float(op, x_in, "input", w_in, "weight");
  if (b_in.defined()) {
    check_float(op, b_in, "bias");
    dt = promote(dt, b_in.dtype());
  }
  ConvGeom G = conv_geom(op, x_in.shape(), w_in.shape(), a);
  if (b_in.defined() && (b_in.dim() != 1 || b_in.shape()[0] != G.O))
    fail(op + ": bias of shape " + shape_str(b_in.shape()) + " does not match weight of shape " +
         shape_str(w_in.shape()) + " (expected [" + std::to_string(G.O) + "])");
  Tensor x = to_dtype(x_in, dt), w = to_dtype(w_in, dt);
  Tensor b = b_in.defined() ? to_dtype(b_in, dt) : Tensor();
  // The kernels write every element; a zero-filled tensor cost a serial memset of the whole
  // output (1% of the MNIST step).
  Tensor y = empty_uninit(conv_out_shape(G), dt);
  if (y.numel() > 0) {
    Tensor xc = input4(x), wc = input4(w), bc = b.defined() ? input4(b) : Tensor();
    if (dt == DType::F32)
      conv_forward_kernel<float>(G, xc.data<float>(), wc.data<float>(),
                                 bc.defined() ? bc.data<float>() : nullptr, y.data<float>());
    else
      conv_forward_kernel<double>(G, xc.data<double>(), wc.data<double>(),
                                  bc.defined() ? bc.data<double>() : nullptr, y.data<double>());
  }
  if (any_requires_grad({x, w, b})) {
    const bool has_bias = b.defined();
    record("conv2d", {x, w, b}, {y}, [a, has_bias](Node& n, const std::vector<Tensor>& g) {
      Tensor x = n.get_saved(0), w = n.get_saved(1);
      Tensor gx, gw, gb;
      const bool want_bias = has_bias && n.next[2].node;
      if (!(n.next[0].node && n.next[1].node &&
            conv2d_backward_fused(g[0], x, w, a, want_bias, gx, gw, gb))) {
        if (n.next[0].node) gx = conv2d_input_grad(g[0], w, x.shape(), a.stride, a.padding, a.dilation, a.groups);
        if (n.next[1].node) gw = conv2d_weight_grad(x, g[0], w.shape(), a.stride, a.padding, a.dilation, a.groups);
      }
      if (want_bias && !gb.defined()) gb = conv_bias_grad(g[0]);
      return std::vector<Tensor>{gx, gw, gb};
    }, {0, 1});
  }
  return y;
}

void check_grad_shape(const std::string& op, const Tensor& g, const ConvGeom& G) {
  Shape want = conv_out_shape(G);
  if (g.shape() != want)
    fail(op + ": gradient of shape " + shape_str(g.shape()) + " does not match the convolution output " +
         shape_str(want) + " of input " + shape_str({G.N, G.C, G.H, G.W}) + " and weight " +
         shape_str({G.O, G.Cg, G.kh, G.kw}));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public ops

// ---------------------------------------------------------------------------------------------
// Public ops

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, Pair stride, Pair padding,
              Pair dilation, int64_t groups) {
  ConvArgs a{stride, padding, dilation, groups};
  if (is_unbatched("conv2d", x, "[C,H,W]", "[N,C,H,W]"))
    return squeeze(conv2d_4d("conv2d", unsqueeze(x, 0), w, bias, a), 0);
  return conv2d_4d("conv2d", x, w, bias, a);
}

Tensor conv2d_input_grad(const Tensor& g_in, const Tensor& w_in, const Shape& input_shape,
                         Pair stride, Pair padding, Pair dilation, int64_t groups) {
  const std::string op = "conv2d_input_grad";
  ConvArgs a{stride, padding, dilation, groups};
  DType dt = common_float(op, g_in, "gradient", w_in, "weight");
  for (int64_t d : input_shape)
    if (d < 0) fail(op + ": invalid input shape " + shape_str(input_shape));
  ConvGeom G = conv_geom(op, input_shape, w_in.shape(), a);
  check_grad_shape(op, g_in, G);
  Tensor g = to_dtype(g_in, dt), w = to_dtype(w_in, dt);
  int64_t dx_numel = 1;
  for (int64_t d : input_shape) dx_numel *= d;
  const bool work = dx_numel > 0 && g.numel() > 0;
  Tensor dx = work ? empty_uninit(input_shape, dt) : empty(input_shape, dt);
  if (work) {
    Tensor gc = input4(g), wc = input4(w);
    if (dt == DType::F32)
      conv_input_grad_kernel<float>(G, gc.data<float>(), wc.data<float>(), dx.data<float>());
    else
      conv_input_grad_kernel<double>(G, gc.data<double>(), wc.data<double>(), dx.data<double>());
  }
  if (any_requires_grad({g, w})) {
    record(op.c_str(), {g, w}, {dx}, [a](Node& n, const std::vector<Tensor>& u) {
      Tensor g = n.get_saved(0), w = n.get_saved(1);
      Tensor dg, dw;
      if (n.next[0].node) dg = conv2d_4d("conv2d", u[0], w, Tensor(), a);
      if (n.next[1].node)
        dw = conv2d_weight_grad(u[0], g, w.shape(), a.stride, a.padding, a.dilation, a.groups);
      return std::vector<Tensor>{dg, dw};
    }, {0, 1});
  }
  return dx;
}

Tensor conv2d_weight_grad(const Tensor& x_in, const Tensor& g_in, const Shape& weight_shape,
                          Pair stride, Pair padding, Pair dilation, int64_t groups) {
  const std::string op = "conv2d_weight_grad";
  ConvArgs a{stride, padding, dilation, groups};
  DType dt = common_float(op, x_in, "input", g_in, "gradient");
  ConvGeom G = conv_geom(op, x_in.shape(), weight_shape, a);
  check_grad_shape(op, g_in, G);
  Tensor x = to_dtype(x_in, dt), g = to_dtype(g_in, dt);
  const bool work = x.numel() > 0 && g.numel() > 0;
  Tensor dw = work ? empty_uninit(weight_shape, dt) : empty(weight_shape, dt);
  if (work) {
    Tensor xc = input4(x), gc = input4(g);
    if (dt == DType::F32)
      conv_weight_grad_kernel<float>(G, xc.data<float>(), gc.data<float>(), dw.data<float>());
    else
      conv_weight_grad_kernel<double>(G, xc.data<double>(), gc.data<double>(), dw.data<double>());
  }
  if (any_requires_grad({x, g})) {
    record(op.c_str(), {x, g}, {dw}, [a](Node& n, const std::vector<Tensor>& u) {
      Tensor x = n.get_saved(0), g = n.get_saved(1);
      Tensor dx, dg;
      if (n.next[0].node)
        dx = conv2d_input_grad(g, u[0], x.shape(), a.stride, a.padding, a.dilation, a.groups);
      if (n.next[1].node) dg = conv2d_4d("conv2d", x, u[0], Tensor(), a);
      return std::vector<Tensor>{dx, dg};
    }, {0, 1});
  }
  return dw;
}

Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& bias, int64_t stride,
              int64_t padding, int64_t dilation, int64_t groups) {
  const std::string op = "conv1d";
  if (x.dim() != 2 && x.dim() != 3)
    fail(op + ": expected an input of shape [N,C,L] or [C,L], got " + shape_str(x.shape()));
  if (w.dim() != 3)
    fail(op + ": expected a weight of shape [O,C/groups,k], got " + shape_str(w.shape()));
  if (x.dim() == 2) return squeeze(conv1d(unsqueeze(x, 0), w, bias, stride, padding, dilation, groups), 0);
  // Checked here so that errors show the 1-d shapes, not those of the [N,C,1,L] views.
  auto check = [&](const char* what, int64_t v, int64_t min) {
    if (v < min || v > kMaxParam)
      fail(op + ": " + what + " must be a " + (min > 0 ? "positive" : "non-negative") +
           " integer (at most 2^30), got " + std::to_string(v) + " for input of shape " +
           shape_str(x.shape()));
  };
  check("stride", stride, 1);
  check("padding", padding, 0);
  check("dilation", dilation, 1);
  if (groups >= 1 && w.shape()[1] * groups != x.shape()[1])
    fail(op + ": input of shape " + shape_str(x.shape()) + " has " + std::to_string(x.shape()[1]) +
         " channels but weight of shape " + shape_str(w.shape()) + " expects " +
         std::to_string(w.shape()[1] * groups) + " (groups=" + std::to_string(groups) + ")");
  const int64_t eff = dilation * (w.shape()[2] - 1) + 1;
  if (w.shape()[2] >= 1 && x.shape()[2] + 2 * padding < eff)
    fail(op + ": kernel of effective size " + std::to_string(eff) + " (weight " + shape_str(w.shape()) +
         ", dilation " + std::to_string(dilation) + ") is larger than the padded input length " +
         std::to_string(x.shape()[2] + 2 * padding) + " (input " + shape_str(x.shape()) + ")");
  ConvArgs a{{1, stride}, {0, padding}, {1, dilation}, groups};
  return squeeze(conv2d_4d(op, unsqueeze(x, 2), unsqueeze(w, 2), bias, a), 2);
}

}  // namespace tf
