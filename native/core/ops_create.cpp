// Creation, conversion, copies and random numbers.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "convert_half.h"
#include "iter.h"
#include "ops.h"

namespace tf {

Tensor zeros(const Shape& shape, DType dtype) { return empty(shape, dtype); }

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  if (value != 0) fill_(t, value);
  return t;
}

Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }

void fill_(const Tensor& dst, double value) {
  TF_DISPATCH_STORED(dst.dtype(), T, {
    T v = convert<T>(value);
    auto plan = make_plan<1>(dst.shape(), {dst.strides()}, {(char*)dst.raw_data()}, {sizeof(T)});
    run_plan<1>(plan, [&](std::array<char*, 1> p, int64_t n, const std::array<int64_t, 1>& s) {
      T* d = reinterpret_cast<T*>(p[0]);
      for (int64_t i = 0; i < n; i++) d[i * s[0]] = v;
    });
  });
  dst.bump_version();
}

template <typename D, typename S>
static void copy_cast_run(char* dp, const char* sp, int64_t n, int64_t ds, int64_t ss) {
  D* d = reinterpret_cast<D*>(dp);
  const S* s = reinterpret_cast<const S*>(sp);
  if (ds == 1 && ss == 1) {
    if constexpr (std::is_same_v<D, S>) std::memcpy(d, s, size_t(n) * sizeof(D));
    else for (int64_t i = 0; i < n; i++) d[i] = convert<D>(s[i]);
  } else if (ds == 1 && ss == 0) {
    // A broadcast source (the backward of sum / mean expands the gradient this way): a fill, which
    // vectorises, where the strided loop below did not (sum() of [4096, 512]: 0.26 ms of its backward).
    std::fill(d, d + n, convert<D>(*s));
  } else {
    for (int64_t i = 0; i < n; i++) d[i * ds] = convert<D>(s[i * ss]);
  }
}

// A copy whose source runs across the destination's rows (x.t().contiguous(), a permute that
// moves the last dim) read the source with a large stride, row by row: every element on another
// page, 44 ms for 4096 x 4096 float32 (1.5 GB/s; PyTorch 38 ms; AMD EPYC, 2 threads). It is done
// in bands of kCopyBand destination rows, each walked in tiles kCopyTileCols columns wide: a tile
// reads kCopyTileCols source lines and the band's next tile reads the same lines' neighbours, so
// lines and pages are used while in L1 and the TLB. 4096 x 4096: 5-7 ms (a memcpy of it: 3 ms);
// bands of 16-64 rows or tiles of 32-64 columns measured 7-18 ms.
// Applies when the destination's inner dim is contiguous and another dim is contiguous in the
// source; returns false (nothing written) otherwise.
constexpr int64_t kCopyBand = 256;
constexpr int64_t kCopyTileCols = 8;

template <typename D, typename S>
static bool copy_tiled(const IterPlan<2>& p) {
  const int64_t in = p.nd - 1;
  if (in < 1 || p.stride(0, in) != 1) return false;
  const int64_t s_in = p.stride(1, in);
  if (s_in == 1 || s_in == 0) return false;
  int64_t t = -1;
  for (int64_t d = 0; d < in; d++)
    if (p.stride(1, d) == 1) t = d;
  if (t < 0 || p.shape(t) < 8 || p.shape(in) < 8) return false;
  const int64_t rows = p.shape(t), cols = p.shape(in), d_t = p.stride(0, t);
  // The remaining dims, outermost first, each a plain loop around the tiled pair.
  std::vector<int64_t> odims;
  int64_t outer = 1;
  for (int64_t d = 0; d < in; d++)
    if (d != t) {
      odims.push_back(d);
      outer *= p.shape(d);
    }
  // Narrower bands when there would be too few to keep every thread busy.
  int64_t band = kCopyBand;
  while (band > 32 && outer * ((rows + band - 1) / band) < 2 * num_threads()) band /= 2;
  const int64_t bands = (rows + band - 1) / band;
  D* const dbase = reinterpret_cast<D*>(p.base[0]);
  const S* const sbase = reinterpret_cast<const S*>(p.base[1]);
  // One unit: one index of the remaining dims and one band of rows, all its columns.
  auto units = [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; u++) {
      int64_t rem = u / bands, off_d = 0, off_s = 0;
      for (size_t k = odims.size(); k-- > 0;) {
        const int64_t d = odims[k], idx = rem % p.shape(d);
        rem /= p.shape(d);
        off_d += idx * p.stride(0, d);
        off_s += idx * p.stride(1, d);
      }
      const int64_t i0 = (u % bands) * band, i1 = std::min(rows, i0 + band);
      for (int64_t j0 = 0; j0 < cols; j0 += kCopyTileCols) {
        const int64_t j1 = std::min(cols, j0 + kCopyTileCols);
        for (int64_t i = i0; i < i1; i++) {
          D* drow = dbase + off_d + i * d_t;
          const S* scol = sbase + off_s + i;
          for (int64_t j = j0; j < j1; j++) drow[j] = convert<D>(scol[j * s_in]);
        }
      }
    }
  };
  const int64_t n_units = outer * bands;
  if (outer * rows * cols < kParallelElems) units(0, n_units);
  else parallel_for(0, n_units, std::max<int64_t>(1, kParallelElems / (band * cols)), units);
  return true;
}

// Strided, broadcasting, converting copy without autograd or version bump.
static void copy_raw(const Tensor& dst, const Tensor& src) {
  // float32 <-> float16 / bfloat16 of whole contiguous tensors: the conversions every op on a half
  // type does (one in, one out).
  if (dst.is_contiguous() && src.is_contiguous() && dst.shape() == src.shape()) {
    if (src.dtype() == DType::F32 && dst.dtype() == DType::F16)
      return f32_to_f16(src.data<float>(), reinterpret_cast<uint16_t*>(dst.raw_data()), dst.numel());
    if (src.dtype() == DType::F16 && dst.dtype() == DType::F32)
      return f16_to_f32(reinterpret_cast<const uint16_t*>(src.raw_data()), dst.data<float>(), dst.numel());
    if (src.dtype() == DType::F32 && dst.dtype() == DType::BF16)
      return f32_to_bf16(src.data<float>(), reinterpret_cast<uint16_t*>(dst.raw_data()), dst.numel());
    if (src.dtype() == DType::BF16 && dst.dtype() == DType::F32)
      return bf16_to_f32(reinterpret_cast<const uint16_t*>(src.raw_data()), dst.data<float>(), dst.numel());
  }
  Shape ss = broadcast_strides(src, dst.shape());
  auto plan = make_plan<2>(dst.shape(), {dst.strides(), ss},
                           {(char*)dst.raw_data(), (char*)src.raw_data()},
                           {int64_t(dtype_size(dst.dtype())), int64_t(dtype_size(src.dtype()))});
  TF_DISPATCH_STORED(dst.dtype(), D, {
    TF_DISPATCH_STORED(src.dtype(), S, {
      if (copy_tiled<D, S>(plan)) return;
      run_plan<2>(plan, [&](std::array<char*, 2> p, int64_t n, const std::array<int64_t, 2>& s) {
        copy_cast_run<D, S>(p[0], p[1], n, s[0], s[1]);
      });
    });
  });
}

void copy_(const Tensor& dst, const Tensor& src) {
  Shape b = broadcast_shapes(dst.shape(), src.shape(), "copy_");
  if (b != dst.shape())
    fail("copy_: source of shape " + shape_str(src.shape()) + " cannot be broadcast to " +
         shape_str(dst.shape()));
  copy_raw(dst, src);
  dst.bump_version();
}

Tensor to_dtype(const Tensor& a, DType dtype) {
  if (a.dtype() == dtype) return a;
  Tensor out = empty_uninit(a.shape(), dtype);
  copy_raw(out, a);
  if (is_floating(dtype) && is_floating(a.dtype()) && any_requires_grad({a})) {
    DType from = a.dtype();
    record("to", {a}, {out}, [from](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{to_dtype(g[0], from)};
    });
  }
  return out;
}

Tensor clone(const Tensor& a) {
  Tensor out = empty_uninit(a.shape(), a.dtype());
  copy_raw(out, a);
  if (any_requires_grad({a}))
    record("clone", {a}, {out}, [](Node&, const std::vector<Tensor>& g) { return g; });
  return out;
}

Tensor contiguous(const Tensor& a) {
  if (a.is_contiguous()) return a;
  return clone(a);
}

Tensor detach(const Tensor& a) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = a.storage();
  impl->dtype = a.dtype();
  impl->shape = a.shape();
  impl->strides = a.strides();
  impl->offset = a.offset();
  return Tensor(impl);
}

double item_at(const Tensor& a, int64_t i) {
  int64_t off = 0;
  for (int64_t d = a.dim() - 1; d >= 0; d--) {
    int64_t s = a.shape()[d];
    off += (i % s) * a.strides()[d];
    i /= s;
  }
  double v = 0;
  TF_DISPATCH_STORED(a.dtype(), T, { v = convert<double>(a.data<T>()[off]); });
  return v;
}

Tensor arange(double start, double end, double step, DType dtype) {
  if (step == 0 || !std::isfinite(step)) fail_range("arange: step must be a non-zero finite number");
  if (!std::isfinite(start) || !std::isfinite(end))
    fail_range("arange: start and end must be finite numbers");
  double n = std::ceil((end - start) / step);
  if (n < 0) n = 0;
  if (n > double(kMaxElements)) fail_range("arange: too many elements (" + std::to_string(n) + ")");
  Tensor t = empty({int64_t(n)}, dtype);
  TF_DISPATCH_STORED(dtype, T, {
    T* d = t.data<T>();
    for (int64_t i = 0; i < int64_t(n); i++) d[i] = convert<T>(start + double(i) * step);
  });
  return t;
}

Tensor linspace(double start, double end, int64_t n, DType dtype) {
  if (n < 0) fail_range("linspace: number of points must be >= 0, got " + std::to_string(n));
  Tensor t = empty({n}, dtype);
  double step = n > 1 ? (end - start) / double(n - 1) : 0;
  TF_DISPATCH_STORED(dtype, T, {
    T* d = t.data<T>();
    // Symmetric fill as PyTorch does, so the last point is exactly `end`.
    int64_t half = n / 2;
    for (int64_t i = 0; i < n; i++)
      d[i] = convert<T>(i < half ? start + step * double(i) : end - step * double(n - 1 - i));
  });
  return t;
}

Tensor eye(int64_t n, int64_t m, DType dtype) {
  Tensor t = zeros({n, m}, dtype);
  TF_DISPATCH_STORED(dtype, T, {
    T* d = t.data<T>();
    for (int64_t i = 0; i < std::min(n, m); i++) d[i * m + i] = convert<T>(1.0);
  });
  return t;
}

// ---- random numbers ----
// splitmix64 finaliser over (seed, counter): a counter-based generator, so each element depends
// only on its index and the draw is identical for any thread count.
static inline uint64_t mix64(uint64_t seed, uint64_t ctr) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ULL + ctr * 0xD1B54A32D192ED03ULL + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static inline double u53(uint64_t seed, uint64_t ctr) {
  return double(mix64(seed, ctr) >> 11) * (1.0 / 9007199254740992.0);
}

template <typename F>
static void fill_random(const Tensor& t, Generator& g, uint64_t per_elem, F&& f) {
  uint64_t seed = g.seed, base = g.offset;
  int64_t n = t.numel();
  g.offset += uint64_t(n) * per_elem;
  Tensor c = t.is_contiguous() ? t : empty_uninit(t.shape(), t.dtype());
  TF_DISPATCH_STORED(c.dtype(), T, {
    T* d = c.data<T>();
    parallel_for(0, n, 16384, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) d[i] = convert<T>(f(seed, base + uint64_t(i) * per_elem));
    });
  });
  if (!t.is_contiguous()) copy_raw(t, c);
  t.bump_version();
}

static double uniform01(uint64_t seed, uint64_t ctr) { return u53(seed, ctr); }
static double normal01(uint64_t seed, uint64_t ctr) {
  // Box-Muller from two uniforms; 1 - u keeps log's argument in (0, 1].
  double u1 = 1.0 - u53(seed, ctr), u2 = u53(seed, ctr + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

Tensor rand(const Shape& shape, DType dtype, Generator& g) {
  if (!is_floating(dtype)) fail_type(std::string("rand: dtype must be floating point, got ") + dtype_name(dtype));
  Tensor t = empty_uninit(shape, dtype);
  fill_random(t, g, 1, [&](uint64_t s, uint64_t c) {
    double u = uniform01(s, c);
    // Rounding to a narrower float can turn u into 1.0: clamp to the largest value below 1 in the
    // dtype, keeping the interval half-open.
    const double top = dtype == DType::F32 ? 0.99999994 : dtype == DType::F16 ? 0.99951171875
                     : dtype == DType::BF16 ? 0.99609375 : 1.0;
    return u > top ? top : u;
  });
  return t;
}

Tensor randn(const Shape& shape, DType dtype, Generator& g) {
  if (!is_floating(dtype)) fail_type(std::string("randn: dtype must be floating point, got ") + dtype_name(dtype));
  Tensor t = empty_uninit(shape, dtype);
  fill_random(t, g, 2, normal01);
  return t;
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, DType dtype, Generator& g) {
  if (high <= low)
    fail_range("randint: high (" + std::to_string(high) + ") must be greater than low (" +
               std::to_string(low) + ")");
  Tensor t = empty_uninit(shape, dtype);
  double span = double(high - low);
  fill_random(t, g, 1, [&](uint64_t s, uint64_t c) {
    return double(low) + std::floor(uniform01(s, c) * span);
  });
  return t;
}

Tensor bernoulli_mask(const Shape& shape, double keep_prob, DType dtype, Generator& g) {
  Tensor t = empty_uninit(shape, dtype);
  fill_random(t, g, 1, [&](uint64_t s, uint64_t c) { return uniform01(s, c) < keep_prob ? 1.0 : 0.0; });
  return t;
}

void uniform_(const Tensor& t, double low, double high, Generator& g) {
  fill_random(t, g, 1, [&](uint64_t s, uint64_t c) { return low + (high - low) * uniform01(s, c); });
}

void normal_(const Tensor& t, double mean, double std, Generator& g) {
  fill_random(t, g, 2, [&](uint64_t s, uint64_t c) { return mean + std * normal01(s, c); });
}

}  // namespace tf
