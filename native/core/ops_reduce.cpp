// Reductions (sum, mean, max, min, arg*, var, std, logsumexp) and softmax.
#include <algorithm>
#include <cmath>
#include <limits>

#include "iter.h"
#include "ops_scan.h"  // prod's gradient with zeros: cumprod
#include "kernels.h"
#include "ops.h"
#include "fused_kernels.h"  // speed: softmax rows
#include "fused_softmax.h"  // speed: softmax backward

namespace tf {

static std::vector<int64_t> norm_axes(const std::vector<int64_t>& axes, int64_t nd, const char* op) {
  std::vector<int64_t> r;
  if (axes.empty()) {
    for (int64_t i = 0; i < nd; i++) r.push_back(i);
    return r;
  }
  for (int64_t a : axes) {
    int64_t x = norm_axis(a, nd, op);
    if (nd == 0) continue;
    if (std::find(r.begin(), r.end(), x) != r.end())
      fail_range(std::string(op) + ": axis " + std::to_string(a) + " appears twice");
    r.push_back(x);
  }
  std::sort(r.begin(), r.end());
  return r;
}

static Shape reduced_shape(const Shape& s, const std::vector<int64_t>& axes, bool keepdim) {
  Shape out;
  for (int64_t i = 0; i < int64_t(s.size()); i++) {
    bool red = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (!red) out.push_back(s[i]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

// SumSq (the 2-norm's sum of squares) is only reduced over contiguous rows (B == 1) of float data.
enum class RedKind { Sum, Max, Min, Prod, SumSq };

// Product accumulator: double for float data (as prod_f32), unsigned 64-bit for integers so that
// overflow wraps (modulo 2^32 once cast back to int32) instead of being undefined.
template <typename T>
using ProdAcc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;

template <typename T>
static T row_prod(const T* row, int64_t R) {
  if constexpr (std::is_same_v<T, float>) return T(prod_f32(row, R));
  else if constexpr (std::is_same_v<T, double>) return prod_f64(row, R);
  else {
    uint64_t acc = 1;
    for (int64_t r = 0; r < R; r++) acc *= uint64_t(row[r]);
    return T(acc);
  }
}

// Reduces contiguous x viewed as [A, R, B] over R. Output [A, B].
template <typename T, typename Acc>
static void reduce_arb(RedKind k, const T* x, T* out, int64_t A, int64_t R, int64_t B) {
  auto combine = [k](Acc acc, T v) -> Acc {
    switch (k) {
      case RedKind::Sum: return acc + Acc(v);
      case RedKind::Max: return (v != v || Acc(v) > acc) ? Acc(v) : acc;
      case RedKind::Min: return (v != v || Acc(v) < acc) ? Acc(v) : acc;
      case RedKind::Prod: case RedKind::SumSq: break;  // own loops below
    }
    return acc;
  };
  if (B == 1) {
    parallel_for(0, A, std::max<int64_t>(1, kParallelElems / std::max<int64_t>(R, 1)), [&](int64_t lo, int64_t hi) {
      for (int64_t a = lo; a < hi; a++) {
        const T* row = x + a * R;
        if (k == RedKind::Prod) { out[a] = row_prod(row, R); continue; }
        if (k == RedKind::SumSq) {
          if constexpr (std::is_same_v<T, float>) out[a] = T(sumsq_f32(row, R));
          if constexpr (std::is_same_v<T, double>) out[a] = sumsq_f64(row, R);
          continue;
        }
        if (k == RedKind::Sum) {
          if constexpr (std::is_same_v<T, float>) { out[a] = sum_f32(row, R); continue; }
          if constexpr (std::is_same_v<T, double>) { out[a] = sum_f64(row, R); continue; }
        } else {
          if constexpr (std::is_same_v<T, float>) { out[a] = extreme_f32(row, R, k == RedKind::Max); continue; }
          if constexpr (std::is_same_v<T, double>) { out[a] = extreme_f64(row, R, k == RedKind::Max); continue; }
        }
        Acc acc = Acc(row[0]);
        if (k == RedKind::Sum) acc = Acc(0);
        for (int64_t r = (k == RedKind::Sum ? 0 : 1); r < R; r++) {
          acc = combine(acc, row[r]);
          if constexpr (std::is_floating_point_v<T>) if (acc != acc) break;
        }
        out[a] = T(acc);
      }
    });
    return;
  }
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    if (k == RedKind::Sum || k == RedKind::Prod) {
      // Sum (bias gradients) and product: whole rows streamed through vector loops (kernels.cpp).
      parallel_for(0, A, std::max<int64_t>(1, kParallelElems / std::max<int64_t>(R * B, 1)), [&](int64_t lo, int64_t hi) {
        for (int64_t a = lo; a < hi; a++) {
          const T* xa = x + a * R * B;
          T* oa = out + a * B;
          if constexpr (std::is_same_v<T, float>) (k == RedKind::Sum ? col_sum_f32 : col_prod_f32)(xa, oa, R, B);
          else (k == RedKind::Sum ? col_sum_f64 : col_prod_f64)(xa, oa, R, B);
        }
      });
      return;
    }
  }
  if (k == RedKind::Max || k == RedKind::Min) {  // R >= 1 here (reduce_raw)
    parallel_for(0, A, std::max<int64_t>(1, kParallelElems / std::max<int64_t>(R * B, 1)), [&](int64_t lo, int64_t hi) {
      for (int64_t a = lo; a < hi; a++) col_extreme(x + a * R * B, out + a * B, R, B, k == RedKind::Max);
    });
    return;
  }
  // Other column reductions: accumulate whole rows of B, vector-friendly.
  parallel_for(0, A * B, std::max<int64_t>(64, kParallelElems / std::max<int64_t>(R, 1)), [&](int64_t lo, int64_t hi) {
    std::vector<ProdAcc<T>> pacc;
    for (int64_t a = lo / B; a <= (hi - 1) / B; a++) {
      int64_t b0 = std::max(lo, a * B) - a * B, b1 = std::min(hi, (a + 1) * B) - a * B;
      T* o = out + a * B;
      const T* base = x + a * R * B;
      if (k == RedKind::Prod) {
        pacc.assign(size_t(b1 - b0), ProdAcc<T>(1));
        ProdAcc<T>* __restrict p = pacc.data();
        for (int64_t r = 0; r < R; r++) {
          const T* __restrict row = base + r * B + b0;
          for (int64_t b = 0; b < b1 - b0; b++) p[b] *= ProdAcc<T>(row[b]);
        }
        for (int64_t b = b0; b < b1; b++) o[b] = T(p[b - b0]);
        continue;
      }
      for (int64_t b = b0; b < b1; b++) o[b] = T(0);
      for (int64_t r = 0; r < R; r++) {
        const T* row = base + r * B;
        for (int64_t b = b0; b < b1; b++) o[b] = T(combine(Acc(o[b]), row[b]));
      }
    }
  });
}

// Moves the (sorted) reduced axes into one block so the data is [A, R, B], copying only if needed.
static Tensor reduce_raw(RedKind k, const Tensor& a_in, const std::vector<int64_t>& axes,
                         bool keepdim, const char* op) {
  Tensor a = detach(a_in);
  const int64_t nd = a.dim();
  Shape oshape = reduced_shape(a.shape(), axes, keepdim);
  bool block = axes.empty() || axes.back() - axes.front() + 1 == int64_t(axes.size());
  if (!block) {
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < nd; i++)
      if (std::find(axes.begin(), axes.end(), i) == axes.end()) perm.push_back(i);
    for (int64_t x : axes) perm.push_back(x);
    a = permute(a, perm);
  }
  a = contiguous(a);
  int64_t A = 1, R = 1, B = 1;
  if (!block) {
    for (int64_t i = 0; i < nd - int64_t(axes.size()); i++) A *= a.shape()[i];
    for (int64_t i = nd - int64_t(axes.size()); i < nd; i++) R *= a.shape()[i];
  } else if (!axes.empty()) {
    for (int64_t i = 0; i < axes.front(); i++) A *= a.shape()[i];
    for (int64_t x : axes) R *= a.shape()[x];
    for (int64_t i = axes.back() + 1; i < nd; i++) B *= a.shape()[i];
  } else {
    A = a.numel();
  }
  // As PyTorch: a sum over an empty dim is 0, a max or min over one has no value; reducing the
  // non-empty dims of an empty tensor is fine (an empty result).
  if (R == 0 && (k == RedKind::Max || k == RedKind::Min))
    fail(std::string(op) + ": cannot reduce over an empty dim of a tensor of shape " + shape_str(a_in.shape()));
  Tensor out = empty(oshape, a.dtype());
  if (A * B == 0) return out;
  if (R == 0) {  // a sum of nothing is 0, a product 1
    if (k == RedKind::Prod) fill_(out, 1);
    return out;
  }
  TF_DISPATCH_ALL(a.dtype(), T, {
    if constexpr (std::is_same_v<T, uint8_t>) reduce_arb<T, int64_t>(k, a.data<T>(), out.data<T>(), A, R, B);
    else if constexpr (std::is_same_v<T, int32_t>) reduce_arb<T, int64_t>(k, a.data<T>(), out.data<T>(), A, R, B);
    else reduce_arb<T, T>(k, a.data<T>(), out.data<T>(), A, R, B);
  });
  return out;
}

Tensor sum(const Tensor& a_in, std::vector<int64_t> axes_in, bool keepdim) {
  if (is_storage_only(a_in.dtype()))
    return in_compute_dtype(a_in, [&](const Tensor& x) { return sum(x, axes_in, keepdim); }, true);
  Tensor a = a_in.dtype() == DType::Bool ? to_dtype(a_in, DType::I32) : a_in;
  auto axes = norm_axes(axes_in, a.dim(), "sum");
  Tensor out = reduce_raw(RedKind::Sum, a, axes, keepdim, "sum");
  if (any_requires_grad({a})) {
    Shape ash = a.shape(), kshape = reduced_shape(a.shape(), axes, true);
    record("sum", {a}, {out}, [ash, kshape](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{expand(reshape(g[0], kshape), ash)};
    });
  }
  return out;
}

// x's exclusive products along its last dim: element i gets the product of the others of its row.
// PyTorch's form (the products before i times those after i, two cumprods) so that second order,
// through cumprod's own gradient, is theirs too.
static Tensor exclusive_prods_last(const Tensor& x) {
  const int64_t d = x.dim() - 1, n = x.shape()[d];
  Shape one = x.shape();
  one[d] = 1;
  Tensor ones = full(one, 1, x.dtype());
  Tensor rev = arange(double(n - 1), -1.0, -1.0, DType::I32);
  Tensor before = cumprod(concat({ones, narrow(x, d, 0, n - 1)}, d), d);
  Tensor after = index_select(cumprod(concat({ones, narrow(index_select(x, d, rev), d, 0, n - 1)}, d), d), d, rev);
  return mul(before, after);
}

static bool has_zero(const Tensor& x_in) {
  Tensor x = contiguous(detach(x_in));
  const int64_t n = x.numel();
  if (x.dtype() == DType::F32) return std::find(x.data<float>(), x.data<float>() + n, 0.0f) != x.data<float>() + n;
  return std::find(x.data<double>(), x.data<double>() + n, 0.0) != x.data<double>() + n;
}

// As PyTorch 1.13's prod_backward: without a zero anywhere in x, g * result / x; otherwise g times
// the product of the other elements of each slice. So the one zero of a slice gets the product of
// the rest, every element of a slice with two zeros gets 0, and a slice without zeros gets the same
// exclusive products (which differ from result / x only around inf and NaN, as PyTorch's).
Tensor prod(const Tensor& a_in, std::vector<int64_t> axes_in, bool keepdim) {
  if (is_storage_only(a_in.dtype()))
    return in_compute_dtype(a_in, [&](const Tensor& x) { return prod(x, axes_in, keepdim); }, true);
  // Integers and bool multiply in int32 / int64, wrapping (PyTorch: int64).
  Tensor a = a_in.dtype() == DType::Bool ? to_dtype(a_in, DType::I32) : a_in;
  auto axes = norm_axes(axes_in, a.dim(), "prod");
  Tensor out = reduce_raw(RedKind::Prod, a, axes, keepdim, "prod");
  if (is_floating(a.dtype()) && any_requires_grad({a})) {
    Shape ash = a.shape(), kshape = reduced_shape(a.shape(), axes, true);
    record("prod", {a}, {out}, [ash, kshape, axes](Node& n, const std::vector<Tensor>& g) {
      Tensor x = n.get_saved(0);
      if (x.dim() == 0) return std::vector<Tensor>{g[0]};
      Tensor gg = expand(reshape(g[0], kshape), ash);
      if (!has_zero(x)) {
        Tensor y = expand(reshape(n.get_saved(1), kshape), ash);
        return std::vector<Tensor>{mul(gg, div(y, x))};
      }
      // The reduced dims moved last and flattened into one, where the exclusive products are taken.
      std::vector<int64_t> perm, inv(ash.size());
      Shape kept;
      for (int64_t i = 0; i < int64_t(ash.size()); i++)
        if (std::find(axes.begin(), axes.end(), i) == axes.end()) { perm.push_back(i); kept.push_back(ash[i]); }
      for (int64_t i : axes) perm.push_back(i);
      for (size_t i = 0; i < perm.size(); i++) inv[size_t(perm[i])] = int64_t(i);
      Shape flat = kept;
      flat.push_back(-1);
      Shape permuted;
      for (int64_t i : perm) permuted.push_back(ash[size_t(i)]);
      Tensor e = exclusive_prods_last(reshape(permute(x, perm), flat));
      e = permute(reshape(e, permuted), inv);
      return std::vector<Tensor>{mul(gg, e)};
    }, {0}, {0});
  }
  return out;
}

// The 2-norm, sqrt(sum(x^2)), reading x once where the reduced elements are contiguous rows (every
// case but a reduction over leading dims, which goes through mul and sum). The gradient is x / norm,
// and 0 where the norm is 0 (as PyTorch), in differentiable ops so second order follows.
Tensor norm2(const Tensor& a_in, std::vector<int64_t> axes_in, bool keepdim) {
  if (is_half(a_in.dtype()))
    return in_compute_dtype(a_in, [&](const Tensor& x) { return norm2(x, axes_in, keepdim); });
  if (!is_float(a_in.dtype())) fail_type("norm: expected a float tensor, got " + std::string(dtype_name(a_in.dtype())));
  auto axes = norm_axes(axes_in, a_in.dim(), "norm");
  const bool rows = axes.empty() || axes.back() == a_in.dim() - 1 ||
                    axes.back() - axes.front() + 1 != int64_t(axes.size());
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor s = rows ? reduce_raw(RedKind::SumSq, a_in, axes, keepdim, "norm") : sum(mul(a_in, a_in), axes, keepdim);
    out = sqrt(s);
  }
  if (any_requires_grad({a_in})) {
    Shape kshape = reduced_shape(a_in.shape(), axes, true);
    record("norm", {a_in}, {out}, [kshape](Node& n, const std::vector<Tensor>& g) {
      Tensor x = n.get_saved(0);
      Tensor y = reshape(n.get_saved(1), kshape);
      Tensor zero = scalar_tensor(0, x.dtype());
      Tensor z = compare(Compare::Eq, y, zero);
      Tensor scale = where(z, zero, div(reshape(g[0], kshape), where(z, scalar_tensor(1, x.dtype()), y)));
      return std::vector<Tensor>{mul(x, scale)};
    }, {0}, {0});
  }
  return out;
}

static int64_t count_of(const Tensor& a, const std::vector<int64_t>& axes) {
  int64_t n = 1;
  for (int64_t x : axes) n *= a.shape()[x];
  return n;
}

Tensor mean(const Tensor& a_in, std::vector<int64_t> axes_in, bool keepdim) {
  if (is_half(a_in.dtype()))
    return in_compute_dtype(a_in, [&](const Tensor& x) { return mean(x, axes_in, keepdim); });
  Tensor a = is_float(a_in.dtype()) ? a_in : to_dtype(a_in, DType::F32);
  auto axes = norm_axes(axes_in, a.dim(), "mean");
  int64_t n = count_of(a, axes);
  return mul(sum(a, axes, keepdim), scalar_tensor(n ? 1.0 / double(n) : NAN, a.dtype()));
}

static Tensor extreme(RedKind k, const Tensor& a_in, std::vector<int64_t> axes_in, bool keepdim,
                      const char* op) {
  if (is_storage_only(a_in.dtype()))
    return in_compute_dtype(a_in, [&](const Tensor& x) { return extreme(k, x, axes_in, keepdim, op); });
  if (a_in.dtype() == DType::Bool) return to_dtype(extreme(k, to_dtype(a_in, DType::I32), axes_in, keepdim, op), DType::Bool);
  auto axes = norm_axes(axes_in, a_in.dim(), op);
  Tensor out = reduce_raw(k, a_in, axes, keepdim, op);
  if (any_requires_grad({a_in})) {
    // Gradient goes to the elements equal to the extreme, split evenly among ties. Over every
    // element with no axis given (x.max()), as PyTorch's max(): a NaN extreme sends it to the NaN
    // elements, and the others get exactly 0 (selected, so a NaN gradient does not leak into them).
    // With axes, as PyTorch's amax: a NaN extreme gives NaN, and the gradient is multiplied by the mask.
    Shape ash = a_in.shape(), kshape = reduced_shape(a_in.shape(), axes, true);
    const bool whole = axes_in.empty();
    record(op, {a_in}, {out}, [ash, kshape, axes, whole](Node& n, const std::vector<Tensor>& g) {
      Tensor a = n.get_saved(0);
      Tensor y = expand(reshape(n.get_saved(1), kshape), ash);
      Tensor hit = compare(Compare::Eq, a, y);
      if (whole) hit = where(compare(Compare::Ne, y, y), compare(Compare::Ne, a, a), hit);
      Tensor mask = to_dtype(hit, g[0].dtype());
      Tensor cnt = sum(mask, axes, true);
      Tensor gg = expand(reshape(g[0], kshape), ash);
      if (whole) return std::vector<Tensor>{where(hit, div(gg, cnt), zeros({}, gg.dtype()))};
      return std::vector<Tensor>{div(mul(gg, mask), cnt)};
    }, {0}, {0});
  }
  return out;
}

Tensor amax(const Tensor& a, std::vector<int64_t> axes, bool keepdim) { return extreme(RedKind::Max, a, axes, keepdim, "max"); }
Tensor amin(const Tensor& a, std::vector<int64_t> axes, bool keepdim) { return extreme(RedKind::Min, a, axes, keepdim, "min"); }

template <typename T>
static T extreme_of(const T* x, int64_t n, bool is_max) {
  if constexpr (std::is_same_v<T, float>) return extreme_f32(x, n, is_max);
  else if constexpr (std::is_same_v<T, double>) return extreme_f64(x, n, is_max);
  else return x[0];  // not called: only float rows take the vector path
}

// Index of the first element equal to m (the first NaN when m is NaN), known to be present. Checks
// blocks of 16 with a fixed-count loop the compiler vectorises, then finds the element in the block.
template <typename T>
static int64_t first_index_of(const T* x, int64_t n, T m) {
  const bool nan = m != m;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    bool hit = false;
    for (int j = 0; j < 16; j++) hit |= nan ? x[i + j] != x[i + j] : x[i + j] == m;
    if (hit) break;
  }
  for (; i < n; i++)
    if (nan ? x[i] != x[i] : x[i] == m) return i;
  return 0;
}

// As PyTorch: the first index of the extreme; the first NaN when there is one. Float rows take the
// vector max or min, then look for its first occurrence.
static Tensor arg_extreme(bool is_max, const Tensor& a_in, std::optional<int64_t> axis, bool keepdim) {
  if (is_storage_only(a_in.dtype()))
    return in_compute_dtype(a_in, [&](const Tensor& x) { return arg_extreme(is_max, x, axis, keepdim); }, true);
  const char* op = is_max ? "argmax" : "argmin";
  if (a_in.numel() == 0 && (!axis || a_in.dim() == 0 || a_in.size(norm_axis(*axis, a_in.dim(), op)) == 0))
    fail(std::string(op) + ": cannot reduce over an empty dim of a tensor of shape " + shape_str(a_in.shape()));
  Tensor a = detach(a_in);
  Shape oshape;
  int64_t ax;
  if (!axis) {
    a = reshape(contiguous(a), {a.numel()});
    ax = 0;
    if (keepdim) oshape = Shape(a_in.dim(), 1);
  } else {
    ax = norm_axis(*axis, a.dim(), op);
    if (a.dim() == 0) { a = reshape(a, {1}); ax = 0; }
    oshape = reduced_shape(a_in.dim() == 0 ? Shape{1} : a_in.shape(), {ax}, keepdim);
    if (a_in.dim() == 0) oshape = {};
  }
  // Move the axis last, contiguous: rows of length R.
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < a.dim(); i++) if (i != ax) perm.push_back(i);
  perm.push_back(ax);
  a = contiguous(permute(a, perm));
  int64_t R = a.shape().back(), rows = R ? a.numel() / R : 0;
  Tensor out = empty(oshape, DType::I32);
  int32_t* o = out.data<int32_t>();
  TF_DISPATCH_ALL(a.dtype(), T, {
    const T* x = a.data<T>();
    parallel_for(0, rows, std::max<int64_t>(1, kParallelElems / std::max<int64_t>(R, 1)), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; r++) {
        const T* row = x + r * R;
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
          if (R >= 64) {
            o[r] = int32_t(first_index_of(row, R, extreme_of(row, R, is_max)));
            continue;
          }
        }
        int64_t best = 0;
        for (int64_t i = 1; i < R; i++) {
          if constexpr (std::is_floating_point_v<T>) if (row[best] != row[best]) break;
          bool better = is_max ? row[i] > row[best] : row[i] < row[best];
          if constexpr (std::is_floating_point_v<T>) better = better || row[i] != row[i];
          if (better) best = i;
        }
        o[r] = int32_t(best);
      }
    });
  });
  return out;
}

Tensor argmax(const Tensor& a, std::optional<int64_t> axis, bool keepdim) { return arg_extreme(true, a, axis, keepdim); }
Tensor argmin(const Tensor& a, std::optional<int64_t> axis, bool keepdim) { return arg_extreme(false, a, axis, keepdim); }

Tensor var(const Tensor& a_in, std::vector<int64_t> axes_in, bool keepdim, double correction) {
  if (is_half(a_in.dtype()))
    return in_compute_dtype(a_in, [&](const Tensor& x) { return var(x, axes_in, keepdim, correction); });
  Tensor a = is_float(a_in.dtype()) ? a_in : to_dtype(a_in, DType::F32);
  auto axes = norm_axes(axes_in, a.dim(), "var");
  int64_t n = count_of(a, axes);
  double denom = std::max(0.0, double(n) - correction);
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor d = sub(a, mean(a, axes, true));
    out = div(sum(mul(d, d), axes, keepdim), scalar_tensor(denom, a.dtype()));
  }
  if (any_requires_grad({a})) {
    // PyTorch's rule 2 (x - mean) / (n - correction), without the mean's own term (zero in exact
    // arithmetic, NaN as soon as x holds an infinity). Written in differentiable ops, so second
    // order (through the mean) is exact.
    Shape ash = a.shape(), kshape = reduced_shape(a.shape(), axes, true);
    record("var", {a}, {out}, [ash, kshape, axes, denom](Node& nd, const std::vector<Tensor>& g) {
      Tensor x = nd.get_saved(0);
      Tensor d = sub(x, mean(x, axes, true));
      Tensor gg = expand(reshape(g[0], kshape), ash);
      return std::vector<Tensor>{mul(gg, mul(d, scalar_tensor(2.0 / denom, x.dtype())))};
    }, {0}, {});
  }
  return out;
}

Tensor std_(const Tensor& a, std::vector<int64_t> axes, bool keepdim, double correction) {
  // As PyTorch: the gradient is 0 where the deviation is 0 (constant input), not 0 / 0. The inner
  // where keeps sqrt's own derivative finite there, so second order is finite too.
  Tensor v = var(a, axes, keepdim, correction);
  Tensor zero = scalar_tensor(0, v.dtype());
  Tensor is0 = compare(Compare::Eq, v, zero);
  return where(is0, zero, sqrt(where(is0, scalar_tensor(1, v.dtype()), v)));
}

Tensor logsumexp(const Tensor& a_in, std::vector<int64_t> axes_in, bool keepdim) {
  if (is_half(a_in.dtype()))
    return in_compute_dtype(a_in, [&](const Tensor& x) { return logsumexp(x, axes_in, keepdim); });
  Tensor a = is_float(a_in.dtype()) ? a_in : to_dtype(a_in, DType::F32);
  auto axes = norm_axes(axes_in, a.dim(), "logsumexp");
  if (a.numel() == 0) return log(sum(exp(a), axes, keepdim));
  // Shift by the (constant) max for stability; an infinite max is replaced by 0.
  Tensor m = amax(detach(a), axes, true);
  Tensor fin = compare(Compare::Lt, unary(Unary::Abs, m), scalar_tensor(INFINITY, m.dtype()));
  m = where(fin, m, scalar_tensor(0, m.dtype()));
  Tensor r = add(log(sum(exp(sub(a, m)), axes, true)), m);
  if (!keepdim) r = reshape(r, reduced_shape(a.shape(), axes, false));
  return r;
}

// Softmax over the last axis of a contiguous [rows, C] buffer.
template <typename T>
static void softmax_rows(const T* x, T* y, int64_t rows, int64_t C, bool log_space) {
  fused::softmax_rows<T>(x, y, rows, C, log_space);  // speed: SIMD rows (fused_kernels.h)
}

static Tensor softmax_impl(const Tensor& a_in, int64_t axis_in, bool log_space) {
  if (is_half(a_in.dtype()))
    return in_compute_dtype(a_in, [&](const Tensor& x) { return softmax_impl(x, axis_in, log_space); });
  const char* op = log_space ? "logSoftmax" : "softmax";
  Tensor a = is_float(a_in.dtype()) ? a_in : to_dtype(a_in, DType::F32);
  int64_t axis = norm_axis(axis_in, a.dim(), op);
  if (a.dim() == 0) return log_space ? zeros({}, a.dtype()) : full({}, 1, a.dtype());
  Tensor x = detach(a);
  int64_t last = a.dim() - 1;
  if (axis != last) x = transpose(x, axis, last);
  x = contiguous(x);
  Tensor y = empty_uninit(x.shape(), x.dtype());
  int64_t C = x.shape().back(), rows = C ? x.numel() / C : 0;
  if (C > 0) {
    if (x.dtype() == DType::F32) softmax_rows(x.data<float>(), y.data<float>(), rows, C, log_space);
    else softmax_rows(x.data<double>(), y.data<double>(), rows, C, log_space);
  }
  Tensor out = axis != last ? contiguous(transpose(y, axis, last)) : y;
  if (any_requires_grad({a})) {
    if (log_space) {
      // d logsoftmax: g - softmax · Σg
      record(op, {a}, {out}, [axis](Node& n, const std::vector<Tensor>& g) {  // speed: fused (fused_softmax.h)
        return std::vector<Tensor>{softmax_backward(g[0], n.get_saved(0), axis, true)};
      }, {}, {0});
    } else {
      // d softmax: y · (g - Σ g·y)
      record(op, {a}, {out}, [axis](Node& n, const std::vector<Tensor>& g) {  // speed: fused (fused_softmax.h)
        return std::vector<Tensor>{softmax_backward(g[0], n.get_saved(0), axis, false)};
      }, {}, {0});
    }
  }
  return out;
}

Tensor softmax(const Tensor& a, int64_t axis) { return softmax_impl(a, axis, false); }
Tensor log_softmax(const Tensor& a, int64_t axis) { return softmax_impl(a, axis, true); }

}  // namespace tf
