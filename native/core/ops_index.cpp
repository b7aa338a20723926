// Indexing: gather, index_select, index_add, scatter_add, one_hot. Indices are int32 tensors.
#include <atomic>

#include "iter.h"
#include "ops.h"
#include "parallel.h"

namespace tf {

// Index tensors are int32 or int64 (PyTorch's dtype); int64 ones are narrowed once here, after a
// range check (no dim is longer than 2^31 - 1, so a wider index is out of range anyway).
static Tensor index_as_int32(const Tensor& index, const char* op) {
  if (index.dtype() == DType::I32) return index;
  if (index.dtype() != DType::I64)
    fail_type(std::string(op) + ": index must be an int32 or int64 tensor, got " + dtype_name(index.dtype()) +
              " of shape " + shape_str(index.shape()));
  Tensor c = contiguous(detach(index));
  const int64_t* v = c.data<int64_t>();
  const int64_t n = c.numel();
  Tensor out = empty_uninit(c.shape(), DType::I32);
  int32_t* o = out.data<int32_t>();
  // Narrowed and checked in one threaded pass (an index as large as the data is common); the
  // first bad index is then found in order, so the message does not depend on the threads.
  std::atomic<bool> ok{true};
  parallel_for(0, n, 65536, [&](int64_t lo, int64_t hi) {
    bool good = true;
    for (int64_t i = lo; i < hi; i++) {
      good &= v[i] >= INT32_MIN && v[i] <= INT32_MAX;
      o[i] = int32_t(v[i]);
    }
    if (!good) ok.store(false, std::memory_order_relaxed);
  });
  if (!ok.load())
    for (int64_t i = 0; i < n; i++)
      if (v[i] < INT32_MIN || v[i] > INT32_MAX)
        fail_range(std::string(op) + ": index " + std::to_string(v[i]) + " is out of range");
  return out;
}

// An in-range index; negative counts from the end.
static inline int64_t wrapped(int64_t i, int64_t size) { return i < 0 ? i + size : i; }

static int64_t read_index(const Tensor& index, int64_t off, int64_t size, const char* op) {
  int64_t v = index.data<int32_t>()[off];
  if (v < -size || v >= size)
    fail_range(std::string(op) + ": index " + std::to_string(v) + " is out of range for a dimension of size " +
               std::to_string(size));
  return wrapped(v, size);
}

// Visits every element of `shape`, calling fn(multi_index).
template <typename F>
static void for_each_index(const Shape& shape, F&& fn) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  if (n == 0) return;
  Shape idx(shape.size(), 0);
  for (int64_t k = 0; k < n; k++) {
    fn(idx);
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

static int64_t offset_of(const Shape& idx, const Shape& strides, int64_t skip, int64_t skip_val) {
  int64_t off = 0;
  for (size_t d = 0; d < idx.size(); d++) off += (int64_t(d) == skip ? skip_val : idx[d]) * strides[d];
  return off;
}

static void check_gather_shapes(const Tensor& a, int64_t dim, const Tensor& index, const char* op) {
  if (index.dim() != a.dim())
    fail(std::string(op) + ": index shape " + shape_str(index.shape()) + " must have as many dims as input shape " +
         shape_str(a.shape()));
  for (int64_t d = 0; d < a.dim(); d++)
    if (d != dim && index.shape()[d] > a.shape()[d])
      fail(std::string(op) + ": index shape " + shape_str(index.shape()) + " is larger than input shape " +
           shape_str(a.shape()) + " in dim " + std::to_string(d));
}

// Gather and scatter over whole rows (contiguous operands, the index as large as the input in every
// dim but `dim`) see the data as [outer, size, inner] and the index as [outer, m, inner]: plain
// loops, where the general path pays a multi-index walk and two offset sums per element.
struct RowLayout {
  int64_t outer = 1, inner = 1, m = 1;
};
// The element counts before and after `dim` of shape s.
static void around(const Shape& s, int64_t dim, int64_t& outer, int64_t& inner) {
  outer = inner = 1;
  for (int64_t d = 0; d < int64_t(s.size()); d++) {
    if (d < dim) outer *= s[d];
    if (d > dim) inner *= s[d];
  }
}
static bool row_layout(const Tensor& a, int64_t dim, const Tensor& index, RowLayout& L) {
  if (a.dim() == 0 || !a.is_contiguous() || !index.is_contiguous()) return false;
  for (int64_t d = 0; d < a.dim(); d++)
    if (d != dim && index.shape()[d] != a.shape()[d]) return false;
  around(a.shape(), dim, L.outer, L.inner);
  L.m = index.shape()[dim];
  return true;
}
// Rows per pool task on the row paths: about 16K elements each, at least one row (rows may be
// empty: a zero-size dim must not divide by zero here).
static int64_t row_grain(int64_t row_elems) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, row_elems)); }

// Checks every index up front, so that an error is raised before any output is written and does
// not depend on how the work was split across threads.
static void check_all_indices(const Tensor& index, int64_t size, const char* op) {
  const int32_t* ix = index.data<int32_t>();
  for (int64_t k = 0, n = index.numel(); k < n; k++)
    if (ix[k] < -size || ix[k] >= size) read_index(index, k, size, op);
}

// One index: wrapped if negative; `good` turns false (and position 0 is read) when out of range,
// so the check costs no separate pass over the index.
static inline int64_t checked(int64_t v, int64_t size, bool& good) {
  if (v < 0) v += size;
  if (__builtin_expect(uint64_t(v) >= uint64_t(size), 0)) {
    good = false;
    return 0;
  }
  return v;
}

// The row path of gather: out[q, j, i] = src[q, index[q, j, i], i]. Returns false when an index
// is out of range (the caller then reports the first bad one and drops the output).
template <typename T>
static bool gather_rows(const T* src, const int32_t* ix, T* o, const RowLayout& L, int64_t size) {
  std::atomic<bool> ok{true};
  const int64_t m = L.m, inner = L.inner;
  if (L.outer * m * inner == 0) return true;
  if (inner == 1) {
    // Along the last dim each output row picks from one input row: a loop per row, not per
    // element (the general loop below spends its time on row bookkeeping when rows are 1 long).
    parallel_for(0, L.outer, row_grain(m), [&](int64_t lo, int64_t hi) {
      bool good = true;
      for (int64_t q = lo; q < hi; q++) {
        const T* srow = src + q * size;
        const int32_t* irow = ix + q * m;
        T* orow = o + q * m;
        // Random reads miss the cache once per line of a new row; the next row's lines are
        // prefetched while this one is gathered (one line per 64 bytes of output).
        const char* next = reinterpret_cast<const char*>(srow + size);
        const int64_t row_bytes = q + 1 < hi ? size * int64_t(sizeof(T)) : 0;
        constexpr int64_t kLine = 64 / int64_t(sizeof(T));
        int64_t pf = 0;
        for (int64_t j0 = 0; j0 < m; j0 += kLine) {
          if (pf < row_bytes) __builtin_prefetch(next + pf);
          pf += 64;
          const int64_t j1 = std::min(m, j0 + kLine);
          for (int64_t j = j0; j < j1; j++) orow[j] = srow[checked(irow[j], size, good)];
        }
      }
      if (!good) ok.store(false, std::memory_order_relaxed);
    });
    return ok.load();
  }
  parallel_for(0, L.outer * m, row_grain(inner), [&](int64_t lo, int64_t hi) {
    bool good = true;
    int64_t q = lo / m, j = lo - q * m;
    for (int64_t r = lo; r < hi; r++) {
      const T* srow = src + q * size * inner;
      const int32_t* irow = ix + r * inner;
      T* orow = o + r * inner;
      // Each element may come from another row of src (a cache and TLB miss each): the read
      // kAhead elements on is prefetched, so that many misses overlap.
      constexpr int64_t kAhead = 32;
      const int64_t lead = std::max<int64_t>(0, inner - kAhead);
      for (int64_t i = 0; i < lead; i++) {
        bool ignore = true;
        __builtin_prefetch(srow + checked(irow[i + kAhead], size, ignore) * inner + i + kAhead);
        orow[i] = srow[checked(irow[i], size, good) * inner + i];
      }
      for (int64_t i = lead; i < inner; i++) orow[i] = srow[checked(irow[i], size, good) * inner + i];
      if (++j == m) { j = 0; q++; }
    }
    if (!good) ok.store(false, std::memory_order_relaxed);
  });
  return ok.load();
}

Tensor gather(const Tensor& a, int64_t dim, const Tensor& index_in) {
  const Tensor index = index_as_int32(index_in, "gather");
  dim = norm_axis(dim, a.dim(), "gather");
  check_gather_shapes(a, dim, index, "gather");
  Tensor out = empty_uninit(index.shape(), a.dtype());  // both paths write every element
  int64_t size = a.dim() ? a.shape()[dim] : 1;
  if (size == 0 && index.numel() > 0) check_all_indices(contiguous(index), size, "gather");  // every index is bad
  // A strided operand of whole rows (a transposed view) is copied once to take the row path: a
  // blocked copy costs far less than the general path's multi-index walk.
  Tensor ac = detach(a), ic = index;
  bool whole = a.dim() > 0;
  for (int64_t d = 0; d < a.dim() && whole; d++) whole = d == dim || index.shape()[d] == a.shape()[d];
  if (whole) {
    ac = contiguous(ac);
    ic = contiguous(ic);
  }
  RowLayout L;
  if (row_layout(ac, dim, ic, L)) {
    bool ok = true;
    TF_DISPATCH_STORED(a.dtype(), T, { ok = gather_rows<T>(ac.data<T>(), ic.data<int32_t>(), out.data<T>(), L, size); });
    if (!ok) check_all_indices(ic, size, "gather");
  } else TF_DISPATCH_STORED(a.dtype(), T, {
    const T* src = a.data<T>();
    T* o = out.data<T>();
    int64_t k = 0;
    for_each_index(index.shape(), [&](const Shape& idx) {
      int64_t j = read_index(index, offset_of(idx, index.strides(), -1, 0), size, "gather");
      o[k++] = src[offset_of(idx, a.strides(), dim, j)];
    });
  });
  if (any_requires_grad({a})) {
    Shape ash = a.shape();
    Tensor ix = index;
    record("gather", {a}, {out}, [ash, dim, ix](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{scatter_add(zeros(ash, g[0].dtype()), dim, ix, g[0])};
    });
  }
  return out;
}

Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index_in, const Tensor& src_in) {
  const Tensor index = index_as_int32(index_in, "scatterAdd");
  if (is_storage_only(a.dtype()))  // accumulates in the compute dtype, rounded back once
    return in_compute_dtype(a, [&](const Tensor& x) { return scatter_add(x, dim, index, operand_in_compute_dtype(src_in, a.dtype())); });
  dim = norm_axis(dim, a.dim(), "scatterAdd");
  check_gather_shapes(a, dim, index, "scatterAdd");
  if (src_in.dim() != index.dim())
    fail("scatterAdd: src shape " + shape_str(src_in.shape()) + " must have as many dims as index shape " +
         shape_str(index.shape()));
  for (int64_t d = 0; d < index.dim(); d++)
    if (index.shape()[d] > src_in.shape()[d])
      fail("scatterAdd: index shape " + shape_str(index.shape()) + " is larger than src shape " +
           shape_str(src_in.shape()));
  Tensor src = to_dtype(src_in, a.dtype());
  Tensor out = contiguous(detach(a));
  if (out.storage() == a.storage()) out = clone(detach(a));
  int64_t size = a.dim() ? a.shape()[dim] : 1;
  RowLayout L;
  if (src.is_contiguous() && src.shape() == index.shape() && row_layout(out, dim, index, L)) {
    check_all_indices(index, size, "scatterAdd");
    const int32_t* ix = index.data<int32_t>();
    TF_DISPATCH_ALL(a.dtype(), T, {
      const T* s = src.data<T>();
      T* o = out.data<T>();
      // Split by outer row: rows of one outer index may write to the same place.
      parallel_for(0, L.outer, row_grain(L.m * L.inner), [&](int64_t lo, int64_t hi) {
        for (int64_t q = lo; q < hi; q++) {
          T* orow = o + q * size * L.inner;
          for (int64_t r = q * L.m; r < (q + 1) * L.m; r++)
            for (int64_t i = 0; i < L.inner; i++) {
              T& dst = orow[wrapped(ix[r * L.inner + i], size) * L.inner + i];
              dst = T(dst + s[r * L.inner + i]);
            }
        }
      });
    });
  } else TF_DISPATCH_ALL(a.dtype(), T, {
    const T* s = src.data<T>();
    T* o = out.data<T>();
    for_each_index(index.shape(), [&](const Shape& idx) {
      int64_t j = read_index(index, offset_of(idx, index.strides(), -1, 0), size, "scatterAdd");
      T& dst = o[offset_of(idx, out.strides(), dim, j)];
      dst = T(dst + s[offset_of(idx, src.strides(), -1, 0)]);
    });
  });
  if (any_requires_grad({a, src})) {
    Tensor ix = index;
    Shape ssh = src.shape();
    record("scatterAdd", {a, src}, {out}, [dim, ix, ssh](Node& n, const std::vector<Tensor>& g) {
      Tensor gs;
      if (n.next[1].node) {
        gs = gather(g[0], dim, ix);
        if (gs.shape() != ssh) gs = pad_narrow(gs, ssh, 0, 0);  // index smaller than src: rest gets 0
      }
      return std::vector<Tensor>{n.next[0].node ? g[0] : Tensor(), gs};
    });
  }
  return out;
}

Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index_in) {
  const Tensor index = index_as_int32(index_in, "indexSelect");
  if (index.dim() > 1) fail("indexSelect: index must be 1-d, got shape " + shape_str(index.shape()));
  if (a.dim() == 0) fail_range("indexSelect: cannot index a 0-d tensor");
  dim = norm_axis(dim, a.dim(), "indexSelect");
  int64_t n = index.numel(), size = a.shape()[dim];
  Tensor ix = contiguous(index);
  Shape sh = a.shape();
  sh[dim] = n;
  Tensor out = empty_uninit(sh, a.dtype());  // both paths write every element
  if (a.is_contiguous()) {
    // [outer, size, inner] → [outer, n, inner] by row copies; the general path below makes two
    // views and a copy per index, which dominates for many short rows (a 1-d gather of a million).
    check_all_indices(ix, size, "indexSelect");
    int64_t outer, inner;
    around(a.shape(), dim, outer, inner);
    const int32_t* ixp = ix.data<int32_t>();
    TF_DISPATCH_STORED(a.dtype(), T, {
      const T* src = a.data<T>();
      T* o = out.data<T>();
      if (inner == 1) {  // along the last dim (flip(-1) is one): a loop per row, not per element
        parallel_for(0, outer, row_grain(n), [&](int64_t lo, int64_t hi) {
          for (int64_t q = lo; q < hi; q++)
            for (int64_t i = 0; i < n; i++) o[q * n + i] = src[q * size + wrapped(ixp[i], size)];
        });
      } else {
        parallel_for(0, outer * n, row_grain(inner), [&](int64_t lo, int64_t hi) {
          for (int64_t r = lo; r < hi; r++) {
            const int64_t q = r / n, j = wrapped(ixp[r - q * n], size);
            std::copy_n(src + (q * size + j) * inner, inner, o + r * inner);
          }
        });
      }
    });
  } else {
    NoGradGuard ng;
    Tensor src = detach(a);
    for (int64_t i = 0; i < n; i++) {
      int64_t j = read_index(ix, i, size, "indexSelect");
      copy_(select(out, dim, i), select(src, dim, j));
    }
  }
  if (any_requires_grad({a})) {
    Shape ash = a.shape();
    record("indexSelect", {a}, {out}, [ash, dim, ix](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{index_add(zeros(ash, g[0].dtype()), dim, ix, g[0])};
    });
  }
  return out;
}

Tensor index_add(const Tensor& a, int64_t dim, const Tensor& index_in, const Tensor& src_in) {
  const Tensor index = index_as_int32(index_in, "indexAdd");
  if (is_storage_only(a.dtype()))  // accumulates in the compute dtype, rounded back once
    return in_compute_dtype(a, [&](const Tensor& x) { return index_add(x, dim, index, operand_in_compute_dtype(src_in, a.dtype())); });
  if (index.dim() > 1) fail("indexAdd: index must be 1-d, got shape " + shape_str(index.shape()));
  if (a.dim() == 0) fail_range("indexAdd: cannot index a 0-d tensor");
  dim = norm_axis(dim, a.dim(), "indexAdd");
  int64_t n = index.numel(), size = a.shape()[dim];
  Shape want = a.shape();
  want[dim] = n;
  if (src_in.shape() != want)
    fail("indexAdd: src shape " + shape_str(src_in.shape()) + " should be " + shape_str(want));
  Tensor src = to_dtype(src_in, a.dtype());
  Tensor ix = contiguous(index);
  Tensor out = clone(detach(a));
  if (out.is_contiguous() && a.dtype() != DType::Bool) {  // bool adds saturate: general path
    check_all_indices(ix, size, "indexAdd");
    Tensor sc = contiguous(src);
    int64_t outer, inner;
    around(a.shape(), dim, outer, inner);
    const int32_t* ixp = ix.data<int32_t>();
    TF_DISPATCH_ALL(a.dtype(), T, {
      const T* s = sc.data<T>();
      T* o = out.data<T>();
      // Split by outer index: one outer row's indices may repeat.
      parallel_for(0, outer, row_grain(n * inner), [&](int64_t lo, int64_t hi) {
        for (int64_t q = lo; q < hi; q++)
          for (int64_t i = 0; i < n; i++) {
            T* dst = o + (q * size + wrapped(ixp[i], size)) * inner;
            const T* from = s + (q * n + i) * inner;
            for (int64_t k = 0; k < inner; k++) dst[k] = T(dst[k] + from[k]);
          }
      });
    });
  } else {
    NoGradGuard ng;
    Tensor s = detach(src);
    for (int64_t i = 0; i < n; i++) {
      int64_t j = read_index(ix, i, size, "indexAdd");
      Tensor row = select(out, dim, j);
      copy_(row, add(row, select(s, dim, i)));
    }
  }
  if (any_requires_grad({a, src})) {
    record("indexAdd", {a, src}, {out}, [dim, ix](Node& n, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{n.next[0].node ? g[0] : Tensor(),
                                 n.next[1].node ? index_select(g[0], dim, ix) : Tensor()};
    });
  }
  return out;
}

Tensor one_hot(const Tensor& index_in, int64_t classes) {
  const Tensor index = index_as_int32(index_in, "oneHot");
  if (classes <= 0) fail_range("oneHot: classes must be positive, got " + std::to_string(classes));
  Shape sh = index.shape();
  sh.push_back(classes);
  Tensor out = zeros(sh, DType::I32);
  Tensor ix = contiguous(index);
  int32_t* o = out.data<int32_t>();
  for (int64_t i = 0; i < ix.numel(); i++) {
    int64_t v = ix.data<int32_t>()[i];
    if (v < 0 || v >= classes)
      fail_range("oneHot: class index " + std::to_string(v) + " is out of range for " + std::to_string(classes) +
                 " classes");
    o[i * classes + v] = 1;
  }
  return out;
}

}  // namespace tf
