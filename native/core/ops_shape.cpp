// Shape ops. Views share storage (reshape of contiguous data, transpose, permute, squeeze,
// unsqueeze, expand, narrow, select, split, chunk); concat and stack copy.
#include <algorithm>
#include <numeric>

#include "iter.h"
#include "ops.h"

namespace tf {

static Tensor view_of(const Tensor& a, Shape shape, Shape strides, int64_t offset) {
  return make_view(a, std::move(shape), std::move(strides), offset);
}

// Strides viewing a tensor of shape osh / strides ost as nsh without a copy, when the elements of each
// run of old dims that are contiguous with each other map onto whole new dims (PyTorch's rule for
// view); false when some new dim would straddle a gap. speed: lets reshape return views.
static bool reshape_view_strides(const Shape& osh, const Shape& ost, const Shape& nsh, Shape& nst) {
  if (osh.empty()) return false;
  for (auto d : osh)
    if (d == 0) return false;
  nst.assign(nsh.size(), 0);
  int64_t view_d = int64_t(nsh.size()) - 1;
  int64_t base = ost.back(), tensor_numel = 1, view_numel = 1;
  for (int64_t d = int64_t(osh.size()) - 1; d >= 0; d--) {
    tensor_numel *= osh[size_t(d)];
    if (d == 0 || (osh[size_t(d - 1)] != 1 && ost[size_t(d - 1)] != tensor_numel * base)) {
      while (view_d >= 0 && (view_numel < tensor_numel || nsh[size_t(view_d)] == 1)) {
        nst[size_t(view_d)] = view_numel * base;
        view_numel *= nsh[size_t(view_d)];
        view_d--;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        base = ost[size_t(d - 1)];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

Tensor reshape(const Tensor& a, Shape shape) {
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] == -1) {
      if (infer >= 0) fail("reshape: only one dimension can be -1, got " + shape_str(shape));
      infer = int64_t(i);
    } else if (shape[i] < 0) {
      fail_range("reshape: invalid dimension " + std::to_string(shape[i]) + " in " + shape_str(shape));
    } else {
      known *= shape[i];
    }
  }
  int64_t n = a.numel();
  if (infer >= 0) {
    if (known == 0 || n % known != 0)
      fail("reshape: cannot reshape tensor of shape " + shape_str(a.shape()) + " (" + std::to_string(n) +
           " elements) into " + shape_str(shape));
    shape[infer] = n / known;
  }
  numel_of(shape, "reshape");
  int64_t m = 1;
  for (auto d : shape) m *= d;
  if (m != n)
    fail("reshape: cannot reshape tensor of shape " + shape_str(a.shape()) + " (" + std::to_string(n) +
         " elements) into " + shape_str(shape) + " (" + std::to_string(m) + " elements)");
  if (shape == a.shape()) return a;
  // speed: a strided tensor whose dims regroup without a copy (a split chunk viewed per head) is viewed
  Shape vst;
  const bool as_view = !a.is_contiguous() && reshape_view_strides(a.shape(), a.strides(), shape, vst);
  Tensor src = a.is_contiguous() || as_view ? a : contiguous(a);
  Tensor out = view_of(src, shape, as_view ? vst : contiguous_strides(shape), src.offset());
  if (any_requires_grad({src})) {
    Shape ash = src.shape();
    record("reshape", {src}, {out}, [ash](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{reshape(g[0], ash)};
    });
  }
  return out;
}

Tensor permute(const Tensor& a, std::vector<int64_t> dims) {
  int64_t nd = a.dim();
  if (int64_t(dims.size()) != nd)
    fail("permute: dims " + shape_str(dims) + " do not match a " + std::to_string(nd) + "-d tensor of shape " +
         shape_str(a.shape()));
  std::vector<bool> seen(nd, false);
  for (auto& d : dims) {
    d = norm_axis(d, nd, "permute");
    if (seen[d]) fail_range("permute: dim " + std::to_string(d) + " repeated in " + shape_str(dims));
    seen[d] = true;
  }
  Shape sh(nd), st(nd);
  for (int64_t i = 0; i < nd; i++) {
    sh[i] = a.shape()[dims[i]];
    st[i] = a.strides()[dims[i]];
  }
  Tensor out = view_of(a, sh, st, a.offset());
  if (any_requires_grad({a})) {
    std::vector<int64_t> inv(nd);
    for (int64_t i = 0; i < nd; i++) inv[dims[i]] = i;
    record("permute", {a}, {out}, [inv](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{permute(g[0], inv)};
    });
  }
  return out;
}

Tensor transpose(const Tensor& a, int64_t d0, int64_t d1) {
  int64_t nd = a.dim();
  if (nd < 2 && d0 == 0 && d1 == 1) return a;  // 0-d and 1-d: transpose is the identity
  if (nd == 0) {  // a 0-d tensor has one (virtual) axis, 0 or -1: swapping it with itself is the identity
    norm_axis(d0, nd, "transpose");
    norm_axis(d1, nd, "transpose");
    return a;
  }
  d0 = norm_axis(d0, nd, "transpose");
  d1 = norm_axis(d1, nd, "transpose");
  std::vector<int64_t> perm(nd);
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[d0], perm[d1]);
  return permute(a, perm);
}

static Tensor reshape_view_op(const char* name, const Tensor& a, Shape sh, Shape st) {
  Tensor out = view_of(a, sh, st, a.offset());
  if (any_requires_grad({a})) {
    Shape ash = a.shape();
    record(name, {a}, {out}, [ash](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{reshape(g[0], ash)};
    });
  }
  return out;
}

Tensor squeeze(const Tensor& a, std::optional<int64_t> dim) {
  Shape sh, st;
  int64_t target = dim ? norm_axis(*dim, a.dim(), "squeeze") : -1;
  for (int64_t i = 0; i < a.dim(); i++) {
    bool drop = a.shape()[i] == 1 && (!dim || i == target);
    if (!drop) {
      sh.push_back(a.shape()[i]);
      st.push_back(a.strides()[i]);
    }
  }
  if (sh.size() == size_t(a.dim())) return a;
  return reshape_view_op("squeeze", a, sh, st);
}

Tensor unsqueeze(const Tensor& a, int64_t dim) {
  int64_t nd = a.dim() + 1;
  if (dim < -nd || dim >= nd)
    fail_range("unsqueeze: dim " + std::to_string(dim) + " is out of range for a " + std::to_string(a.dim()) +
               "-d tensor");
  if (dim < 0) dim += nd;
  Shape sh = a.shape(), st = a.strides();
  int64_t stride = dim < a.dim() ? sh[dim] * st[dim] : 1;
  sh.insert(sh.begin() + dim, 1);
  st.insert(st.begin() + dim, stride);
  return reshape_view_op("unsqueeze", a, sh, st);
}

Tensor expand(const Tensor& a, Shape shape) {
  int64_t nd = int64_t(shape.size());
  if (nd < a.dim())
    fail("expand: cannot expand shape " + shape_str(a.shape()) + " to fewer dimensions " + shape_str(shape));
  Shape st(nd, 0);
  int64_t lead = nd - a.dim();
  for (int64_t i = 0; i < nd; i++) {
    if (i < lead) {
      if (shape[i] < 0) fail_range("expand: -1 is not allowed for new leading dimension in " + shape_str(shape));
      continue;
    }
    int64_t have = a.shape()[i - lead];
    if (shape[i] == -1) shape[i] = have;
    if (have == shape[i]) st[i] = a.strides()[i - lead];
    else if (have == 1) st[i] = 0;
    else
      fail("expand: shape " + shape_str(a.shape()) + " cannot be expanded to " + shape_str(shape) +
           " (dim " + std::to_string(i) + ": " + std::to_string(have) + " vs " + std::to_string(shape[i]) + ")");
  }
  numel_of(shape, "expand");
  if (shape == a.shape()) return a;
  Tensor out = view_of(a, shape, st, a.offset());
  if (any_requires_grad({a})) {
    Shape ash = a.shape();
    record("expand", {a}, {out}, [ash](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{sum_to(g[0], ash)};
    });
  }
  return out;
}

Tensor flatten(const Tensor& a, int64_t start, int64_t end) {
  if (a.dim() == 0) return reshape(a, {1});
  start = norm_axis(start, a.dim(), "flatten");
  end = norm_axis(end, a.dim(), "flatten");
  if (start > end) fail_range("flatten: start dim " + std::to_string(start) + " is after end dim " + std::to_string(end));
  Shape sh;
  int64_t m = 1;
  for (int64_t i = 0; i < a.dim(); i++) {
    if (i < start || i > end) sh.push_back(a.shape()[i]);
    else {
      m *= a.shape()[i];
      if (i == end) sh.push_back(m);
    }
  }
  return reshape(a, sh);
}

Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length) {
  if (a.dim() == 0) fail_range("narrow: cannot narrow a 0-d tensor");
  dim = norm_axis(dim, a.dim(), "narrow");
  int64_t size = a.shape()[dim];
  if (start < 0) start += size;
  if (start < 0 || length < 0 || start + length > size)
    fail_range("narrow: start " + std::to_string(start) + " and length " + std::to_string(length) +
               " are out of range for dim " + std::to_string(dim) + " of shape " + shape_str(a.shape()));
  Shape sh = a.shape();
  sh[dim] = length;
  Tensor out = view_of(a, sh, a.strides(), a.offset() + start * a.strides()[dim]);
  if (any_requires_grad({a})) {
    Shape ash = a.shape();
    record("narrow", {a}, {out}, [ash, dim, start](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{pad_narrow(g[0], ash, dim, start)};
    });
  }
  return out;
}

Tensor select(const Tensor& a, int64_t dim, int64_t index) {
  if (a.dim() == 0) fail_range("select: cannot select from a 0-d tensor");
  dim = norm_axis(dim, a.dim(), "select");
  int64_t size = a.shape()[dim];
  if (index < -size || index >= size)
    fail_range("select: index " + std::to_string(index) + " is out of range for dim " + std::to_string(dim) +
               " of shape " + shape_str(a.shape()));
  if (index < 0) index += size;
  Shape sh = a.shape(), st = a.strides();
  int64_t off = a.offset() + index * st[dim];
  sh.erase(sh.begin() + dim);
  st.erase(st.begin() + dim);
  Tensor out = view_of(a, sh, st, off);
  if (any_requires_grad({a})) {
    Shape ash = a.shape();
    record("select", {a}, {out}, [ash, dim, index](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{pad_narrow(unsqueeze(g[0], dim), ash, dim, index)};
    });
  }
  return out;
}

Tensor pad_narrow(const Tensor& g, const Shape& shape, int64_t dim, int64_t start) {
  Tensor out = zeros(shape, g.dtype());
  {
    NoGradGuard ng;
    copy_(narrow(out, dim, start, g.shape()[dim]), g);
  }
  if (any_requires_grad({g})) {
    int64_t len = g.shape()[dim];
    record("padNarrow", {g}, {out}, [dim, start, len](Node&, const std::vector<Tensor>& gg) {
      return std::vector<Tensor>{narrow(gg[0], dim, start, len)};
    });
  }
  return out;
}

Tensor concat(const std::vector<Tensor>& ts, int64_t dim) {
  if (ts.empty()) fail("concat: expected a non-empty list of tensors");
  const Tensor& first = ts[0];
  if (first.dim() == 0) fail_range("concat: zero-dimensional tensor cannot be concatenated");
  dim = norm_axis(dim, first.dim(), "concat");
  DType dt = first.dtype();
  Shape sh = first.shape();
  int64_t total = 0;
  for (size_t i = 0; i < ts.size(); i++) {
    const Tensor& t = ts[i];
    if (t.dim() != first.dim())
      fail("concat: tensor " + std::to_string(i) + " has shape " + shape_str(t.shape()) +
           ", expected " + std::to_string(first.dim()) + " dims like " + shape_str(first.shape()));
    for (int64_t d = 0; d < t.dim(); d++)
      if (d != dim && t.shape()[d] != sh[d])
        fail("concat: shapes " + shape_str(first.shape()) + " and " + shape_str(t.shape()) +
             " differ in dim " + std::to_string(d) + " (concatenating on dim " + std::to_string(dim) + ")");
    total += t.shape()[dim];
    dt = promote(dt, t.dtype());
  }
  sh[dim] = total;
  Tensor out = empty_uninit(sh, dt);  // every element is copied in below
  std::vector<int64_t> sizes;
  int64_t off = 0;
  for (auto& t : ts) {
    int64_t len = t.shape()[dim];
    sizes.push_back(len);
    NoGradGuard ng;  // the copies are not recorded; concat's own node is
    if (len) copy_(narrow(out, dim, off, len), t);
    off += len;
  }
  if (any_requires_grad(ts)) {
    std::vector<Tensor> ins;  // gradients flow back through the dtype conversion
    for (auto& t : ts) ins.push_back(to_dtype(t, dt));
    record("concat", ins, {out}, [sizes, dim](Node& n, const std::vector<Tensor>& g) {
      std::vector<Tensor> r;
      int64_t off = 0;
      for (size_t i = 0; i < sizes.size(); i++) {
        r.push_back(n.next[i].node ? narrow(g[0], dim, off, sizes[i]) : Tensor());
        off += sizes[i];
      }
      return r;
    });
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& ts, int64_t dim) {
  if (ts.empty()) fail("stack: expected a non-empty list of tensors");
  int64_t nd = ts[0].dim() + 1;
  if (dim < -nd || dim >= nd)
    fail_range("stack: dim " + std::to_string(dim) + " is out of range for " + std::to_string(ts[0].dim()) +
               "-d tensors");
  if (dim < 0) dim += nd;
  std::vector<Tensor> us;
  for (size_t i = 0; i < ts.size(); i++) {
    if (ts[i].shape() != ts[0].shape())
      fail("stack: tensor " + std::to_string(i) + " has shape " + shape_str(ts[i].shape()) +
           " but tensor 0 has shape " + shape_str(ts[0].shape()) + "; all must be equal");
    us.push_back(unsqueeze(ts[i], dim));
  }
  return concat(us, dim);
}

// Pieces along `dim` as views, recorded as ONE node whose backward concatenates (or stacks) the
// pieces' gradients: slicing a sequence into T steps then costs O(T) in backward, where one
// narrow/select node per piece would each build a zero tensor the size of the whole (O(T²)).
static std::vector<Tensor> pieces(const char* name, const Tensor& a, int64_t dim,
                                  const std::vector<int64_t>& starts, int64_t size, bool drop_dim) {
  std::vector<Tensor> outs;
  std::vector<int64_t> lens;
  int64_t n = a.shape()[dim];
  for (int64_t s0 : starts) {
    int64_t len = drop_dim ? 1 : std::min(size, n - s0);
    lens.push_back(len);
    Shape sh = a.shape(), st = a.strides();
    int64_t off = a.offset() + s0 * st[dim];
    if (drop_dim) {
      sh.erase(sh.begin() + dim);
      st.erase(st.begin() + dim);
    } else {
      sh[dim] = len;
    }
    outs.push_back(view_of(a, sh, st, off));
  }
  if (!outs.empty() && any_requires_grad({a})) {
    record(name, {a}, outs, [dim, drop_dim](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{drop_dim ? stack(g, dim) : concat(g, dim)};
    });
  }
  return outs;
}

std::vector<Tensor> unbind(const Tensor& a, int64_t dim) {
  if (a.dim() == 0) fail_range("unbind: cannot unbind a 0-d tensor");
  dim = norm_axis(dim, a.dim(), "unbind");
  std::vector<int64_t> starts(a.shape()[dim]);
  std::iota(starts.begin(), starts.end(), 0);
  return pieces("unbind", a, dim, starts, 1, true);
}

std::vector<Tensor> split(const Tensor& a, int64_t size, int64_t dim) {
  if (a.dim() == 0) fail_range("split: cannot split a 0-d tensor");
  dim = norm_axis(dim, a.dim(), "split");
  if (size <= 0) fail_range("split: size must be positive, got " + std::to_string(size));
  int64_t n = a.shape()[dim];
  if (n == 0) return {a};
  std::vector<int64_t> starts;
  for (int64_t s = 0; s < n; s += size) starts.push_back(s);
  return pieces("split", a, dim, starts, size, false);
}

std::vector<Tensor> chunk(const Tensor& a, int64_t n, int64_t dim) {
  if (n <= 0) fail_range("chunk: number of chunks must be positive, got " + std::to_string(n));
  if (a.dim() == 0) fail_range("chunk: cannot chunk a 0-d tensor");
  dim = norm_axis(dim, a.dim(), "chunk");
  int64_t len = a.shape()[dim];
  if (len == 0) {  // PyTorch: n empty chunks (split would give one)
    std::vector<Tensor> out;
    for (int64_t i = 0; i < n; i++) out.push_back(narrow(a, dim, 0, 0));
    return out;
  }
  int64_t size = std::max<int64_t>(1, (len + n - 1) / n);
  return split(a, size, dim);
}

}  // namespace tf
