// Max and average pooling (NCHW), with backward rules that are differentiable again: the
// backward of max pooling is a scatter through the argmax indices, whose own backward is the
// matching gather; average pooling's backward is its adjoint spread, linear in g.
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
#include "nn_common.h"

namespace tf {
namespace {
using namespace nn_detail;

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
// Writes all of dx: each thread zeroes its planes before scattering into them (in cache; a serial
// memset of the whole gradient beforehand was 1% of the MNIST training step).
bool max_unpool_kernel(int64_t P, int64_t HW, int64_t L, const T* g, const int32_t* idx, T* dx) {
  std::atomic<bool> ok{true};
  const int64_t grain = std::max<int64_t>(1, kParallelElems / std::max<int64_t>(1, L));
  parallel_for(0, P, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) {
      const T* gp = g + p * L;
      const int32_t* ip = idx + p * L;
      T* dp = dx + p * HW;
      std::fill(dp, dp + HW, T(0));
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
  // max_pool_kernel writes every output and index.
  Tensor y = empty_uninit({G.N, G.C, G.Ho, G.Wo}, x.dtype());
  Tensor idx = empty_uninit({G.N, G.C, G.Ho, G.Wo}, DType::I32);
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

}  // namespace

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
  const int64_t P = input_shape[0] * input_shape[1], HW = input_shape[2] * input_shape[3];
  const int64_t L = g.shape()[2] * g.shape()[3];
  const bool work = g.numel() > 0 && P * HW > 0;
  Tensor dx = work ? empty_uninit(input_shape, g.dtype()) : empty(input_shape, g.dtype());
  if (work) {
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
