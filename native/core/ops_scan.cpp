// Scans along one axis (cumsum, cumprod, the indices of cummax / cummin) and the sorting
// permutation. Index results are int32. cummax, cummin and sort return only indices: their values
// are a gather of the input, whose gradient (a scatter-add) the tape already knows.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "iter.h"
#include "ops_scan.h"
#include "parallel.h"

namespace tf {

// The axis moved last and made contiguous: rows of length `len`.
struct Rows {
  Tensor t;
  int64_t ax = 0, len = 1, rows = 0;
};
static Rows rows_of(const Tensor& a_in, int64_t axis, const char* op) {
  Rows r;
  Tensor a = detach(a_in);
  if (a.dim() == 0) a = reshape(a, {1});
  r.ax = norm_axis(axis, a.dim(), op);
  r.t = contiguous(transpose(a, r.ax, a.dim() - 1));
  r.len = r.t.shape().back();
  r.rows = r.len ? r.t.numel() / r.len : 0;
  return r;
}
// Back from the rows layout to the input's shape.
static Tensor unrows(const Tensor& out, const Rows& r, const Tensor& like) {
  Tensor o = contiguous(transpose(out, r.ax, out.dim() - 1));
  return like.dim() == 0 ? reshape(o, {}) : o;
}

template <typename T, typename Acc>
static void scan_rows(const T* x, T* y, int64_t rows, int64_t len, bool prod) {
  parallel_for(0, rows, std::max<int64_t>(1, 65536 / std::max<int64_t>(len, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; r++) {
      Acc acc = prod ? Acc(1) : Acc(0);
      const T* xr = x + r * len;
      T* yr = y + r * len;
      for (int64_t i = 0; i < len; i++) {
        acc = prod ? Acc(acc * Acc(xr[i])) : Acc(acc + Acc(xr[i]));
        yr[i] = T(acc);
      }
    }
  });
}

static Tensor scan_raw(const Tensor& a_in, int64_t axis, bool prod, const char* op) {
  // Integers and bool accumulate in int32 (PyTorch: int64, which this library lacks).
  Tensor a = a_in.dtype() == DType::Bool ? to_dtype(detach(a_in), DType::I32) : detach(a_in);
  Rows r = rows_of(a, axis, op);
  Tensor out = empty_uninit(r.t.shape(), r.t.dtype());
  if (r.rows) {
    switch (r.t.dtype()) {
      case DType::F32: scan_rows<float, double>(r.t.data<float>(), out.data<float>(), r.rows, r.len, prod); break;
      case DType::F64: scan_rows<double, double>(r.t.data<double>(), out.data<double>(), r.rows, r.len, prod); break;
      case DType::I32:
        scan_rows<int32_t, uint32_t>(r.t.data<int32_t>(), out.data<int32_t>(), r.rows, r.len, prod);  // wraps as int32
        break;
      case DType::I64:
        scan_rows<int64_t, uint64_t>(r.t.data<int64_t>(), out.data<int64_t>(), r.rows, r.len, prod);  // wraps as int64
        break;
      default: fail(std::string(op) + ": unsupported dtype");
    }
  }
  return unrows(out, r, a);
}

static Tensor either(const Tensor& a, const Tensor& b) {
  return compare(Compare::Ne, add(to_dtype(a, DType::I32), to_dtype(b, DType::I32)), scalar_tensor(0, DType::I32));
}

// The reverse cumulative sum: out_i = sum_{j >= i} g_j, summed from the end as PyTorch's, so that
// a NaN or inf in g reaches only the entries at or before it (total - prefix spread it to all).
static Tensor rev_cumsum(const Tensor& g, int64_t ax) {
  if (g.dim() == 0) return g;
  const int64_t n = g.shape()[ax];
  Tensor rev = arange(double(n - 1), -1.0, -1.0, DType::I32);
  return index_select(cumsum(index_select(g, ax, rev), ax), ax, rev);
}

Tensor cumsum(const Tensor& a, int64_t axis) {
  if (is_storage_only(a.dtype()))
    return in_compute_dtype(a, [&](const Tensor& x) { return cumsum(x, axis); }, true);
  Tensor out = scan_raw(a, axis, false, "cumsum");
  if (is_floating(a.dtype()) && any_requires_grad({a})) {
    int64_t ax = a.dim() == 0 ? 0 : norm_axis(axis, a.dim(), "cumsum");
    bool scalar = a.dim() == 0;
    record("cumsum", {a}, {out}, [ax, scalar](Node&, const std::vector<Tensor>& g) {
      if (scalar) return std::vector<Tensor>{g[0]};
      return std::vector<Tensor>{rev_cumsum(g[0], ax)};
    });
  }
  return out;
}

Tensor cumprod(const Tensor& a, int64_t axis) {
  if (is_storage_only(a.dtype()))
    return in_compute_dtype(a, [&](const Tensor& x) { return cumprod(x, axis); }, true);
  Tensor out = scan_raw(a, axis, true, "cumprod");
  if (is_floating(a.dtype()) && any_requires_grad({a})) {
    int64_t ax = a.dim() == 0 ? 0 : norm_axis(axis, a.dim(), "cumprod");
    bool scalar = a.dim() == 0;
    record("cumprod", {a}, {out}, [ax, scalar](Node& self, const std::vector<Tensor>& g) {
      if (scalar) return std::vector<Tensor>{g[0]};
      Tensor x = self.get_saved(0), y = self.get_saved(1);
      DType dt = x.dtype();
      Tensor zero = scalar_tensor(0, dt), one = scalar_tensor(1, dt);
      // Where x != 0: sum_{j >= i} g_j y_j / x_i. At the first zero of a row: the same sum with
      // that zero replaced by 1 (the products through it); after it: 0, which the first formula
      // also gives except at a later zero (0 / 0), so those are masked.
      Tensor nz = compare(Compare::Ne, x, zero);
      Tensor general = div(rev_cumsum(mul(g[0], y), ax), where(nz, x, one));
      Tensor zeros_seen = cumsum(to_dtype(logical_not(nz), DType::I32), ax);
      Tensor first = logical_not(either(nz, compare(Compare::Ne, zeros_seen, scalar_tensor(1, DType::I32))));
      Tensor after = compare(Compare::Ge, zeros_seen, scalar_tensor(1, DType::I32));
      Tensor y1 = cumprod(where(first, one, x), ax);
      Tensor at_zero = sum(where(after, mul(g[0], y1), zero), {ax}, true);
      return std::vector<Tensor>{where(nz, general, where(first, at_zero, zero))};
    }, {0}, {0});
  }
  return out;
}

// NaN counts as larger than everything (PyTorch's order); it propagates through cummax and cummin.
template <typename T>
static bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

Tensor cum_extreme_indices(const Tensor& a, int64_t axis, bool is_max) {
  if (is_storage_only(a.dtype()))
    return in_compute_dtype(a, [&](const Tensor& x) { return cum_extreme_indices(x, axis, is_max); }, true);
  const char* op = is_max ? "cummax" : "cummin";
  Rows r = rows_of(a, axis, op);
  Tensor out = empty_uninit(r.t.shape(), DType::I32);
  int32_t* o = out.data<int32_t>();
  TF_DISPATCH_ALL(r.t.dtype(), T, {
    const T* x = r.t.data<T>();
    for (int64_t row = 0; row < r.rows; row++) {
      const T* xr = x + row * r.len;
      int32_t* orow = o + row * r.len;
      int64_t best = 0;
      for (int64_t i = 0; i < r.len; i++) {
        // Ties move to the later index, as PyTorch's cummax / cummin.
        if (!is_nan(xr[best]) && (is_nan(xr[i]) || (is_max ? xr[i] >= xr[best] : xr[i] <= xr[best]))) best = i;
        orow[i] = int32_t(best);
      }
    }
  });
  return unrows(out, r, a);
}

// PyTorch's order of (value, index) pairs: by value (NaN the largest), ties by the lower index,
// which makes any sorting algorithm stable. SortOrder<T>{descending}(a, b): a comes first.
template <typename T>
struct SortOrder {
  bool descending;
  bool operator()(const std::pair<T, int32_t>& a, const std::pair<T, int32_t>& b) const {
    bool an = is_nan(a.first), bn = is_nan(b.first);
    if (an || bn) {
      if (an && bn) return a.second < b.second;
      return descending ? an : bn;
    }
    if (a.first != b.first) return descending ? a.first > b.first : a.first < b.first;
    return a.second < b.second;
  }
};

// The whole row: sorts (value, index) pairs, since contiguous keys sort several times faster than
// indices that point into the row.
template <typename T>
static void sort_row(const T* xr, int32_t* orow, int64_t len, bool descending, std::vector<std::pair<T, int32_t>>& buf) {
  buf.resize(size_t(len));
  for (int64_t i = 0; i < len; i++) buf[size_t(i)] = {xr[i], int32_t(i)};
  std::sort(buf.begin(), buf.end(), SortOrder<T>{descending});
  for (int64_t i = 0; i < len; i++) orow[i] = buf[size_t(i)].second;
}

// The first k < len of the row (topk), in one pass over the row (no copy of it) keeping the best k
// so far. An element later in the row loses a tie with every kept one, so one comparison with the
// worst kept value rejects nearly all of a random row: a block of 16 is tested at once (a loop the
// compiler vectorizes), and only a block with a candidate is looked at element by element. That
// comparison is true for NaN, which then takes the exact order. A random row still admits about
// k·ln(len/k) elements, so the update matters too: for small k a sorted array with insertion (a
// few moves), else a heap.
template <typename T, bool Desc>
static void select_row(const T* xr, int32_t* orow, int64_t len, int64_t k, std::vector<std::pair<T, int32_t>>& best) {
  if (k == 0) return;
  const SortOrder<T> first{Desc};
  const bool sorted = k <= 64;
  best.resize(size_t(k));
  for (int64_t i = 0; i < k; i++) best[size_t(i)] = {xr[i], int32_t(i)};
  if (sorted) std::sort(best.begin(), best.end(), first);
  else std::make_heap(best.begin(), best.end(), first);  // the top is the worst
  std::pair<T, int32_t>* worst = sorted ? &best.back() : &best.front();
  T bar = worst->first;
  // Whether v may rank before the worst kept element (true for NaN).
  auto may_enter = [&bar](T v) { return Desc ? !(v <= bar) : !(v >= bar); };
  constexpr int64_t kBlock = 16;
  for (int64_t i0 = k; i0 < len; i0 += kBlock) {
    const int64_t i1 = std::min(len, i0 + kBlock);
    if (i1 - i0 == kBlock) {
      bool any = false;
      for (int64_t i = i0; i < i1; i++) any |= may_enter(xr[i]);
      if (!any) continue;
    }
    for (int64_t i = i0; i < i1; i++) {
      if (!may_enter(xr[i])) continue;
      const std::pair<T, int32_t> cand{xr[i], int32_t(i)};
      if (!first(cand, *worst)) continue;
      if (sorted) {
        // A later non-NaN value passes a kept b when it ranks strictly before it: v > b
        // (descending, where a NaN b stays ahead), !(v >= b) (ascending, where a NaN b is last).
        const T v = cand.first;
        size_t p = size_t(k - 1);
        if (is_nan(v)) {
          for (; p > 0 && first(cand, best[p - 1]); p--) best[p] = best[p - 1];
        } else {
          for (; p > 0 && (Desc ? v > best[p - 1].first : !(v >= best[p - 1].first)); p--) best[p] = best[p - 1];
        }
        best[p] = cand;
      } else {
        std::pop_heap(best.begin(), best.end(), first);
        best.back() = cand;
        std::push_heap(best.begin(), best.end(), first);
      }
      bar = worst->first;
    }
  }
  if (!sorted) std::sort_heap(best.begin(), best.end(), first);
  for (int64_t i = 0; i < k; i++) orow[i] = best[size_t(i)].second;
}

Tensor sort_indices(const Tensor& a, int64_t axis, bool descending, int64_t k) {
  if (is_storage_only(a.dtype()))
    return in_compute_dtype(a, [&](const Tensor& x) { return sort_indices(x, axis, descending, k); }, true);
  Rows r = rows_of(a, axis, "sort");
  if (r.len > INT32_MAX) fail("sort: dims longer than 2^31 - 1 are not supported");
  if (k < 0 || k > r.len) k = r.len;
  Shape os = r.t.shape();
  if (!os.empty()) os.back() = k;
  Tensor out = empty_uninit(os, DType::I32);
  int32_t* o = out.data<int32_t>();
  TF_DISPATCH_ALL(r.t.dtype(), T, {
    const T* x = r.t.data<T>();
    parallel_for(0, r.rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(r.len, 1)), [&](int64_t lo, int64_t hi) {
      std::vector<std::pair<T, int32_t>> buf;
      for (int64_t row = lo; row < hi; row++) {
        if (k < r.len && descending) select_row<T, true>(x + row * r.len, o + row * k, r.len, k, buf);
        else if (k < r.len) select_row<T, false>(x + row * r.len, o + row * k, r.len, k, buf);
        else sort_row<T>(x + row * r.len, o + row * k, r.len, descending, buf);
      }
    });
  });
  return unrows(out, r, a);
}

}  // namespace tf
