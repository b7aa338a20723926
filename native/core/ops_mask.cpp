// Strided views for indexing: slice_step (x[a:b:s] along one dim) and diagonal_view.
#include "ops_mask.h"

#include <functional>

#include "autograd.h"

namespace tf {

namespace {

// A view's geometry as a function of its base's: both the forward view and the zeros its gradient
// is scattered into go through the same map, so forward and backward cannot disagree.
using Geo = std::function<void(Shape& sh, Shape& st, int64_t& off)>;

Tensor view_by(const Tensor& a, const Geo& geo) {
  Shape sh = a.shape(), st = a.strides();
  int64_t off = a.offset();
  geo(sh, st, off);
  return make_view(a, sh, st, off);
}

Tensor scatter_by(const Tensor& g, const Shape& shape, const Geo& geo, const char* name);

Tensor geo_view(const Tensor& a, const Geo& geo, const char* name) {
  Tensor out = view_by(a, geo);
  if (any_requires_grad({a})) {
    Shape ash = a.shape();
    std::string nm = name;
    record(name, {a}, {out}, [ash, geo, nm](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{scatter_by(g[0], ash, geo, nm.c_str())};
    });
  }
  return out;
}

Tensor scatter_by(const Tensor& g, const Shape& shape, const Geo& geo, const char* name) {
  Tensor out = zeros(shape, g.dtype());
  {
    NoGradGuard ng;
    copy_(view_by(out, geo), g);
  }
  if (any_requires_grad({g})) {
    std::string nm = std::string(name) + "Backward";
    record(nm.c_str(), {g}, {out}, [geo, name = std::string(name)](Node&, const std::vector<Tensor>& gg) {
      return std::vector<Tensor>{geo_view(gg[0], geo, name.c_str())};
    });
  }
  return out;
}

}  // namespace

Tensor slice_step(const Tensor& a, int64_t dim, int64_t start, int64_t step, int64_t length) {
  if (a.dim() == 0) fail_range("slice: cannot slice a 0-d tensor");
  dim = norm_axis(dim, a.dim(), "slice");
  int64_t size = a.shape()[dim];
  if (step <= 0) fail_range("slice: step must be positive, got " + std::to_string(step));
  if (start < 0 || length < 0 || (length > 0 && start + (length - 1) * step >= size))
    fail_range("slice: start " + std::to_string(start) + ", step " + std::to_string(step) + " and length " +
               std::to_string(length) + " are out of range for dim " + std::to_string(dim) + " of shape " +
               shape_str(a.shape()));
  Geo geo = [dim, start, step, length](Shape& sh, Shape& st, int64_t& off) {
    off += start * st[dim];
    sh[dim] = length;
    st[dim] *= step;
  };
  return geo_view(a, geo, "slice");
}

Tensor diagonal_view(const Tensor& a, int64_t offset, int64_t d1, int64_t d2) {
  if (a.dim() < 2) fail_range("diagonal: expected at least 2 dims, got shape " + shape_str(a.shape()));
  d1 = norm_axis(d1, a.dim(), "diagonal");
  d2 = norm_axis(d2, a.dim(), "diagonal");
  if (d1 == d2) fail_range("diagonal: dims must differ, got " + std::to_string(d1) + " twice");
  Geo geo = [offset, d1, d2](Shape& sh, Shape& st, int64_t& off) {
    int64_t n1 = sh[d1], n2 = sh[d2];
    // PyTorch's diagonal: offset > 0 moves along d2, < 0 along d1; past the edge the diagonal is empty.
    int64_t len = offset >= 0 ? std::max<int64_t>(0, std::min(n1, n2 - offset)) : std::max<int64_t>(0, std::min(n1 + offset, n2));
    if (len > 0) off += offset >= 0 ? offset * st[d2] : -offset * st[d1];
    int64_t s = st[d1] + st[d2];
    Shape nsh, nst;
    for (int64_t i = 0; i < int64_t(sh.size()); i++)
      if (i != d1 && i != d2) { nsh.push_back(sh[i]); nst.push_back(st[i]); }
    nsh.push_back(len);
    nst.push_back(s);
    sh = nsh;
    st = nst;
  };
  return geo_view(a, geo, "diagonal");
}

}  // namespace tf
