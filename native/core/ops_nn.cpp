// Convolution (im2col + GEMM) and pooling, with backward rules that are differentiable again.
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

#include "gemm.h"
#include "iter.h"

#ifdef TF_HAVE_BLAS
extern "C" void openblas_set_num_threads(int);
#endif

namespace tf {
namespace {

// Kernel, stride, padding and dilation above this are refused: it keeps every size product below
// 2^62 and no real network comes close.
constexpr int64_t kMaxParam = int64_t(1) << 30;

std::string pair_str(Pair p) { return "[" + std::to_string(p[0]) + "," + std::to_string(p[1]) + "]"; }

void check_pair(const std::string& op, const char* what, Pair p, int64_t min, const Shape& xs) {
  for (int64_t v : p)
    if (v < min || v > kMaxParam)
      fail(op + ": " + what + " must be " + (min > 0 ? "positive" : "non-negative") +
           " integers (at most 2^30), got " + pair_str(p) + " for input of shape " + shape_str(xs));
}

void check_float(const std::string& op, const Tensor& t, const char* what) {
  if (!is_float(t.dtype()))
    fail_type(op + ": " + what + " must be float32 or float64, got " + dtype_name(t.dtype()) +
              " of shape " + shape_str(t.shape()));
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

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
// several worker_threads; a matmul elsewhere meanwhile just runs single-threaded).
struct BlasSerial {
#ifdef TF_HAVE_BLAS
  static std::mutex& mu() {
    static std::mutex m;
    return m;
  }
  static int& users() {
    static int n = 0;
    return n;
  }
  BlasSerial() {
    std::lock_guard<std::mutex> lock(mu());
    if (users()++ == 0) openblas_set_num_threads(1);
  }
  ~BlasSerial() {
    std::lock_guard<std::mutex> lock(mu());
    if (--users() == 0) openblas_set_num_threads(num_threads());
  }
#endif
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

template <typename T>
void conv_forward_kernel(const ConvGeom& G, const T* x, const T* w, const T* b, T* y) {
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

// dx must be zero-filled.
template <typename T>
void conv_input_grad_kernel(const ConvGeom& G, const T* gy, const T* w, T* dx) {
  over_batch(G, batch_parts(G), [&](int64_t n0, int64_t n1, int64_t) {
    std::unique_ptr<T[]> buf(G.pointwise || n0 == n1 ? nullptr : new T[size_t(G.K * G.L)]);
    for (int64_t n = n0; n < n1; n++) {
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

// dw [O, K] must be zero-filled. Each part sums its samples into its own buffer (part 0 into dw).
template <typename T>
void conv_weight_grad_kernel(const ConvGeom& G, const T* x, const T* gy, T* dw) {
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

Tensor input4(const Tensor& t) { return contiguous(detach(t)); }

// ---------------------------------------------------------------------------------------------
// Convolution ops

Tensor conv2d_4d(const std::string& op, const Tensor& x, const Tensor& w, const Tensor& b,
                 const ConvArgs& a);

DType common_float(const std::string& op, const Tensor& a, const char* an, const Tensor& b,
                   const char* bn) {
  check_float(op, a, an);
  check_float(op, b, bn);
  return promote(a.dtype(), b.dtype());
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
  Tensor y = empty(conv_out_shape(G), dt);
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
      if (n.next[0].node) gx = conv2d_input_grad(g[0], w, x.shape(), a.stride, a.padding, a.dilation, a.groups);
      if (n.next[1].node) gw = conv2d_weight_grad(x, g[0], w.shape(), a.stride, a.padding, a.dilation, a.groups);
      if (has_bias && n.next[2].node) gb = sum(g[0], {0, 2, 3}, false);
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

// ---------------------------------------------------------------------------------------------
// Pooling geometry and kernels

struct PoolArgs {
  Pair kernel, stride, padding, dilation;
  bool ceil_mode;
};

struct PoolGeom {
  int64_t N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo;
};

int64_t pool_out_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  const int64_t span = in + 2 * p - (d * (k - 1) + 1);  // >= 0, checked by the caller
  int64_t o = (ceil_mode ? ceil_div(span, s) : span / s) + 1;
  // A last window starting inside the right padding would see no input.
  if (ceil_mode && (o - 1) * s >= in + p) o--;
  return o;
}

// Padding may be at most half the (dilated) kernel, as in PyTorch, so that every window sees at
// least one input element in all but degenerate dilated cases.
PoolGeom pool_geom(const std::string& op, const Shape& xs, const PoolArgs& a) {
  if (xs.size() != 4) fail(op + ": expected an input of shape [N,C,H,W] or [C,H,W], got " + shape_str(xs));
  check_pair(op, "kernel size", a.kernel, 1, xs);
  check_pair(op, "stride", a.stride, 1, xs);
  check_pair(op, "padding", a.padding, 0, xs);
  check_pair(op, "dilation", a.dilation, 1, xs);
  PoolGeom G{};
  G.N = xs[0]; G.C = xs[1]; G.H = xs[2]; G.W = xs[3];
  G.kh = a.kernel[0]; G.kw = a.kernel[1];
  G.sh = a.stride[0]; G.sw = a.stride[1];
  G.ph = a.padding[0]; G.pw = a.padding[1];
  G.dh = a.dilation[0]; G.dw = a.dilation[1];
  const int64_t eh = G.dh * (G.kh - 1) + 1, ew = G.dw * (G.kw - 1) + 1;
  if (G.ph > eh / 2 || G.pw > ew / 2)
    fail(op + ": padding " + pair_str(a.padding) + " must be at most half of the kernel size [" +
         std::to_string(eh) + "," + std::to_string(ew) + "] (input " + shape_str(xs) + ")");
  if (G.H + 2 * G.ph < eh || G.W + 2 * G.pw < ew)
    fail(op + ": kernel of size [" + std::to_string(eh) + "," + std::to_string(ew) +
         "] is larger than the padded input [" + std::to_string(G.H + 2 * G.ph) + "," +
         std::to_string(G.W + 2 * G.pw) + "] (input " + shape_str(xs) + ", padding " +
         pair_str(a.padding) + ")");
  G.Ho = pool_out_size(G.H, G.kh, G.sh, G.ph, G.dh, a.ceil_mode);
  G.Wo = pool_out_size(G.W, G.kw, G.sw, G.pw, G.dw, a.ceil_mode);
  if (G.Ho < 1 || G.Wo < 1)
    fail(op + ": output size [" + std::to_string(G.Ho) + "," + std::to_string(G.Wo) +
         "] is too small for input " + shape_str(xs));
  if (G.H * G.W > int64_t(std::numeric_limits<int32_t>::max()))
    fail(op + ": planes of more than 2^31 elements are not supported (input " + shape_str(xs) + ")");
  return G;
}

// Planes per parallel chunk so that each chunk has enough work.
int64_t plane_grain(const PoolGeom& G) {
  const int64_t per = std::max<int64_t>(1, G.Ho * G.Wo * G.kh * G.kw);
  return std::max<int64_t>(1, kParallelElems / per);
}

// One plane of 2x2 / stride-2 max pooling with selects instead of branches. Same rules as the
// general loop: the first maximum wins ties (row-major order in the window), NaN propagates.
template <typename T>
static void max_pool2x2(const T* __restrict x, T* __restrict y, int32_t* __restrict idx, int64_t W,
                        int64_t Ho, int64_t Wo) {
  for (int64_t oh = 0; oh < Ho; oh++) {
    const T* r0 = x + 2 * oh * W;
    const T* r1 = r0 + W;
    const int32_t base = int32_t(2 * oh * W);
    for (int64_t ow = 0; ow < Wo; ow++) {
      const int64_t c = 2 * ow;
      T best = r0[c];
      int32_t bi = base + int32_t(c);
      const T v1 = r0[c + 1], v2 = r1[c], v3 = r1[c + 1];
      bool t = (v1 > best) | (v1 != v1);
      best = t ? v1 : best;
      bi = t ? base + int32_t(c + 1) : bi;
      t = (v2 > best) | (v2 != v2);
      best = t ? v2 : best;
      bi = t ? base + int32_t(W + c) : bi;
      t = (v3 > best) | (v3 != v3);
      best = t ? v3 : best;
      bi = t ? base + int32_t(W + c + 1) : bi;
      y[oh * Wo + ow] = best;
      idx[oh * Wo + ow] = bi;
    }
  }
}

template <typename T>
void max_pool_kernel(const PoolGeom& G, const T* x, T* y, int32_t* idx) {
  const int64_t HW = G.H * G.W, L = G.Ho * G.Wo;
  if (G.kh == 2 && G.kw == 2 && G.sh == 2 && G.sw == 2 && G.ph == 0 && G.pw == 0 && G.dh == 1 &&
      G.dw == 1 && 2 * G.Ho <= G.H && 2 * G.Wo <= G.W) {
    // The common 2x2 / stride-2 case, branch-free: the general loop's data-dependent branches
    // mispredict about half the time on real activations (measured 16 ms -> see max_pool2x2).
    parallel_for(0, G.N * G.C, plane_grain(G), [&](int64_t lo, int64_t hi) {
      for (int64_t p = lo; p < hi; p++) max_pool2x2(x + p * HW, y + p * L, idx + p * L, G.W, G.Ho, G.Wo);
    });
    return;
  }
  parallel_for(0, G.N * G.C, plane_grain(G), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) {
      const T* xp = x + p * HW;
      T* yp = y + p * L;
      int32_t* ip = idx + p * L;
      for (int64_t oh = 0; oh < G.Ho; oh++) {
        const int64_t h0 = oh * G.sh - G.ph;
        for (int64_t ow = 0; ow < G.Wo; ow++) {
          const int64_t w0 = ow * G.sw - G.pw;
          T best = -std::numeric_limits<T>::infinity();
          int64_t bi = -1;
          for (int64_t i = 0; i < G.kh; i++) {
            const int64_t ih = h0 + i * G.dh;
            if (ih < 0 || ih >= G.H) continue;
            for (int64_t j = 0; j < G.kw; j++) {
              const int64_t iw = w0 + j * G.dw;
              if (iw < 0 || iw >= G.W) continue;
              const T v = xp[ih * G.W + iw];
              // First maximum wins ties; NaN propagates, as in PyTorch.
              if (bi < 0 || v > best || std::isnan(v)) {
                best = v;
                bi = ih * G.W + iw;
              }
            }
          }
          yp[oh * G.Wo + ow] = best;
          ip[oh * G.Wo + ow] = int32_t(bi);
        }
      }
    }
  });
}

// dx (zero-filled) [P, HW] += scatter of g [P, L] at idx. Returns false on an out-of-range index.
template <typename T>
bool max_unpool_kernel(int64_t P, int64_t HW, int64_t L, const T* g, const int32_t* idx, T* dx) {
  std::atomic<bool> ok{true};
  const int64_t grain = std::max<int64_t>(1, kParallelElems / std::max<int64_t>(1, L));
  parallel_for(0, P, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) {
      const T* gp = g + p * L;
      const int32_t* ip = idx + p * L;
      T* dp = dx + p * HW;
      for (int64_t o = 0; o < L; o++) {
        const int64_t k = ip[o];
        if (k < 0) continue;  // a window that saw only padding
        if (k >= HW) {
          ok = false;
          return;
        }
        dp[k] += gp[o];
      }
    }
  });
  return ok;
}

// out [P, L] = gg [P, HW] at idx (0 where idx < 0): the adjoint of max_unpool_kernel.
template <typename T>
void max_gather_kernel(int64_t P, int64_t HW, int64_t L, const T* gg, const int32_t* idx, T* out) {
  const int64_t grain = std::max<int64_t>(1, kParallelElems / std::max<int64_t>(1, L));
  parallel_for(0, P, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) {
      const T* sp = gg + p * HW;
      const int32_t* ip = idx + p * L;
      T* op = out + p * L;
      for (int64_t o = 0; o < L; o++) op[o] = ip[o] >= 0 ? sp[ip[o]] : T(0);
    }
  });
}

// Window of output (oh, ow) for average pooling and its divisor.
struct AvgWindow {
  int64_t hs, he, ws, we;
  int64_t divisor;
};

inline AvgWindow avg_window(const PoolGeom& G, bool count_include_pad, int64_t oh, int64_t ow) {
  int64_t h0 = oh * G.sh - G.ph, w0 = ow * G.sw - G.pw;
  // The window is clipped to the padded input first (that size is the divisor with
  // count_include_pad), then to the input itself.
  int64_t h1 = std::min(h0 + G.kh, G.H + G.ph), w1 = std::min(w0 + G.kw, G.W + G.pw);
  const int64_t padded = (h1 - h0) * (w1 - w0);
  AvgWindow a;
  a.hs = std::max<int64_t>(h0, 0);
  a.ws = std::max<int64_t>(w0, 0);
  a.he = std::min(h1, G.H);
  a.we = std::min(w1, G.W);
  a.divisor = count_include_pad ? padded : (a.he - a.hs) * (a.we - a.ws);
  return a;
}

template <typename T>
void avg_pool_kernel(const PoolGeom& G, bool cip, const T* x, T* y) {
  const int64_t HW = G.H * G.W, L = G.Ho * G.Wo;
  parallel_for(0, G.N * G.C, plane_grain(G), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) {
      const T* xp = x + p * HW;
      T* yp = y + p * L;
      for (int64_t oh = 0; oh < G.Ho; oh++)
        for (int64_t ow = 0; ow < G.Wo; ow++) {
          AvgWindow a = avg_window(G, cip, oh, ow);
          T s = T(0);
          for (int64_t ih = a.hs; ih < a.he; ih++)
            for (int64_t iw = a.ws; iw < a.we; iw++) s += xp[ih * G.W + iw];
          yp[oh * G.Wo + ow] = a.divisor > 0 ? s / T(a.divisor) : T(0);
        }
    }
  });
}

// dx (zero-filled) += each g spread over its window / divisor.
template <typename T>
void avg_unpool_kernel(const PoolGeom& G, bool cip, const T* g, T* dx) {
  const int64_t HW = G.H * G.W, L = G.Ho * G.Wo;
  parallel_for(0, G.N * G.C, plane_grain(G), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) {
      const T* gp = g + p * L;
      T* dp = dx + p * HW;
      for (int64_t oh = 0; oh < G.Ho; oh++)
        for (int64_t ow = 0; ow < G.Wo; ow++) {
          AvgWindow a = avg_window(G, cip, oh, ow);
          if (a.divisor <= 0) continue;
          const T v = gp[oh * G.Wo + ow] / T(a.divisor);
          for (int64_t ih = a.hs; ih < a.he; ih++)
            for (int64_t iw = a.ws; iw < a.we; iw++) dp[ih * G.W + iw] += v;
        }
    }
  });
}

Tensor max_pool2d_gather(const Tensor& gg, const Tensor& indices);

// indices [N,C,Ho,Wo] int32, g the same shape, input_shape [N,C,H,W].
void check_unpool(const std::string& op, const Tensor& g, const Tensor& indices, const Shape& xs) {
  check_float(op, g, "gradient");
  if (indices.dtype() != DType::I32)
    fail_type(op + ": indices must be int32, got " + dtype_name(indices.dtype()));
  if (g.dim() != 4 || xs.size() != 4 || g.shape() != indices.shape() || xs[0] != g.shape()[0] ||
      xs[1] != g.shape()[1])
    fail(op + ": gradient of shape " + shape_str(g.shape()) + " and indices of shape " +
         shape_str(indices.shape()) + " do not fit an input of shape " + shape_str(xs));
  for (int64_t d : xs)
    if (d < 0) fail(op + ": invalid input shape " + shape_str(xs));
  if (xs[2] * xs[3] > int64_t(std::numeric_limits<int32_t>::max()))
    fail(op + ": planes of more than 2^31 elements are not supported (input " + shape_str(xs) + ")");
}

Tensor max_pool2d_gather(const Tensor& gg_in, const Tensor& indices) {
  const std::string op = "max_pool2d_gather";
  check_float(op, gg_in, "input");
  if (gg_in.dim() != 4 || indices.dim() != 4 || gg_in.shape()[0] != indices.shape()[0] ||
      gg_in.shape()[1] != indices.shape()[1])
    fail(op + ": input of shape " + shape_str(gg_in.shape()) + " does not fit indices of shape " +
         shape_str(indices.shape()));
  Tensor out = empty(indices.shape(), gg_in.dtype());
  const int64_t P = indices.shape()[0] * indices.shape()[1];
  const int64_t HW = gg_in.shape()[2] * gg_in.shape()[3];
  const int64_t L = indices.shape()[2] * indices.shape()[3];
  if (out.numel() > 0) {
    Tensor gc = input4(gg_in), ic = input4(indices);
    // Indices come from max_pool2d_with_indices on this same shape, so they are in range.
    if (gc.dtype() == DType::F32)
      max_gather_kernel<float>(P, HW, L, gc.data<float>(), ic.data<int32_t>(), out.data<float>());
    else
      max_gather_kernel<double>(P, HW, L, gc.data<double>(), ic.data<int32_t>(), out.data<double>());
  }
  if (any_requires_grad({gg_in})) {
    Shape xs = gg_in.shape();
    Tensor idx = indices;
    record("max_pool2d_gather", {gg_in}, {out}, [xs, idx](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{max_pool2d_backward(g[0], idx, xs)};
    });
  }
  return out;
}

std::array<Tensor, 2> max_pool_4d(const std::string& op, const Tensor& x, const PoolArgs& a) {
  check_float(op, x, "input");
  PoolGeom G = pool_geom(op, x.shape(), a);
  Tensor y = empty({G.N, G.C, G.Ho, G.Wo}, x.dtype());
  Tensor idx = empty({G.N, G.C, G.Ho, G.Wo}, DType::I32);
  if (y.numel() > 0) {
    Tensor xc = input4(x);
    if (x.dtype() == DType::F32)
      max_pool_kernel<float>(G, xc.data<float>(), y.data<float>(), idx.data<int32_t>());
    else
      max_pool_kernel<double>(G, xc.data<double>(), y.data<double>(), idx.data<int32_t>());
  }
  if (any_requires_grad({x})) {
    Shape xs = x.shape();
    record("max_pool2d", {x}, {y}, [xs, idx](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{max_pool2d_backward(g[0], idx, xs)};
    });
  }
  return {y, idx};
}

Tensor avg_pool_4d(const std::string& op, const Tensor& x, const PoolArgs& a, bool cip) {
  check_float(op, x, "input");
  PoolGeom G = pool_geom(op, x.shape(), a);
  Tensor y = empty({G.N, G.C, G.Ho, G.Wo}, x.dtype());
  if (y.numel() > 0) {
    Tensor xc = input4(x);
    if (x.dtype() == DType::F32) avg_pool_kernel<float>(G, cip, xc.data<float>(), y.data<float>());
    else avg_pool_kernel<double>(G, cip, xc.data<double>(), y.data<double>());
  }
  if (any_requires_grad({x})) {
    Shape xs = x.shape();
    record("avg_pool2d", {x}, {y}, [xs, a, cip](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{avg_pool2d_backward(g[0], xs, a.kernel, a.stride, a.padding,
                                                     a.ceil_mode, cip)};
    });
  }
  return y;
}

// Unbatched [C,H,W] inputs run as a batch of one.
bool is_unbatched(const std::string& op, const Tensor& x, const char* layout3, const char* layout4) {
  if (x.dim() == 3) return true;
  if (x.dim() == 4) return false;
  fail(op + ": expected an input of shape " + layout4 + " or " + layout3 + ", got " + shape_str(x.shape()));
}

}  // namespace

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
  Tensor dx = empty(input_shape, dt);
  if (dx.numel() > 0 && g.numel() > 0) {
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
  Tensor dw = empty(weight_shape, dt);
  if (x.numel() > 0 && g.numel() > 0) {
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

std::array<Tensor, 2> max_pool2d_with_indices(const Tensor& x, Pair kernel, Pair stride,
                                              Pair padding, Pair dilation, bool ceil_mode) {
  const std::string op = "max_pool2d";
  PoolArgs a{kernel, stride, padding, dilation, ceil_mode};
  if (is_unbatched(op, x, "[C,H,W]", "[N,C,H,W]")) {
    auto r = max_pool_4d(op, unsqueeze(x, 0), a);
    return {squeeze(r[0], 0), squeeze(r[1], 0)};
  }
  return max_pool_4d(op, x, a);
}

Tensor max_pool2d(const Tensor& x, Pair kernel, Pair stride, Pair padding, Pair dilation,
                  bool ceil_mode) {
  return max_pool2d_with_indices(x, kernel, stride, padding, dilation, ceil_mode)[0];
}

Tensor max_pool2d_backward(const Tensor& g, const Tensor& indices, const Shape& input_shape) {
  const std::string op = "max_pool2d_backward";
  check_unpool(op, g, indices, input_shape);
  Tensor dx = empty(input_shape, g.dtype());
  const int64_t P = input_shape[0] * input_shape[1], HW = input_shape[2] * input_shape[3];
  const int64_t L = g.shape()[2] * g.shape()[3];
  if (g.numel() > 0 && dx.numel() > 0) {
    Tensor gc = input4(g), ic = input4(indices);
    bool ok = g.dtype() == DType::F32
                  ? max_unpool_kernel<float>(P, HW, L, gc.data<float>(), ic.data<int32_t>(), dx.data<float>())
                  : max_unpool_kernel<double>(P, HW, L, gc.data<double>(), ic.data<int32_t>(), dx.data<double>());
    if (!ok) fail(op + ": an index is out of range for input of shape " + shape_str(input_shape));
  }
  if (any_requires_grad({g})) {
    Tensor idx = indices;
    record(op.c_str(), {g}, {dx}, [idx](Node&, const std::vector<Tensor>& u) {
      return std::vector<Tensor>{max_pool2d_gather(u[0], idx)};
    });
  }
  return dx;
}

Tensor avg_pool2d(const Tensor& x, Pair kernel, Pair stride, Pair padding, bool ceil_mode,
                  bool count_include_pad) {
  const std::string op = "avg_pool2d";
  PoolArgs a{kernel, stride, padding, {1, 1}, ceil_mode};
  if (is_unbatched(op, x, "[C,H,W]", "[N,C,H,W]"))
    return squeeze(avg_pool_4d(op, unsqueeze(x, 0), a, count_include_pad), 0);
  return avg_pool_4d(op, x, a, count_include_pad);
}

Tensor avg_pool2d_backward(const Tensor& g, const Shape& input_shape, Pair kernel, Pair stride,
                           Pair padding, bool ceil_mode, bool count_include_pad) {
  const std::string op = "avg_pool2d_backward";
  check_float(op, g, "gradient");
  for (int64_t d : input_shape)
    if (d < 0) fail(op + ": invalid input shape " + shape_str(input_shape));
  PoolArgs a{kernel, stride, padding, {1, 1}, ceil_mode};
  PoolGeom G = pool_geom(op, input_shape, a);
  Shape want{G.N, G.C, G.Ho, G.Wo};
  if (g.shape() != want)
    fail(op + ": gradient of shape " + shape_str(g.shape()) + " does not match the pooling output " +
         shape_str(want) + " of input " + shape_str(input_shape));
  Tensor dx = empty(input_shape, g.dtype());
  if (g.numel() > 0) {
    Tensor gc = input4(g);
    if (g.dtype() == DType::F32)
      avg_unpool_kernel<float>(G, count_include_pad, gc.data<float>(), dx.data<float>());
    else
      avg_unpool_kernel<double>(G, count_include_pad, gc.data<double>(), dx.data<double>());
  }
  if (any_requires_grad({g})) {
    // The backward is linear in g with the pooling as its adjoint.
    record(op.c_str(), {g}, {dx}, [a, count_include_pad](Node&, const std::vector<Tensor>& u) {
      return std::vector<Tensor>{avg_pool_4d("avg_pool2d", u[0], a, count_include_pad)};
    });
  }
  return dx;
}

}  // namespace tf
