// In-place writes with gradient history (PyTorch's rebase_history).
//
// The value to write is computed out of place (on the tape when needed) by the caller; assign_
// copies it into the destination's memory and makes the destination's history "this value, and
// nothing of what was there before": the overwritten values get a zero gradient. A write through
// a view also rewrites the history of the tensor the view shares memory with (its root base): the
// base's new node sends the gradient of the written region to the value and the rest to the base's
// previous history (PyTorch's CopySlices).
#include "ops.h"

namespace tf {

static void check_target(const Tensor& dst, const char* op) {
  if (!grad_enabled()) return;
  const std::string o(op);
  if (dst.requires_grad() && dst.is_leaf() && !dst.impl()->view_base.lock())
    fail(o + ": a leaf tensor that requires grad cannot be changed in place (the gradient would be wrong); "
             "do it inside tf.noGrad(), or on a clone()");
  auto base = dst.impl()->view_base.lock();
  if (base && base->requires_grad && !base->grad_fn)
    fail(o + ": a view of a leaf tensor that requires grad cannot be changed in place; do it inside "
             "tf.noGrad(), or on a clone()");
}

// Memory overlap: a write through an expanded view would give one location several values.
static void check_no_overlap(const Tensor& dst, const char* op) {
  for (int64_t d = 0; d < dst.dim(); d++)
    if (dst.strides()[d] == 0 && dst.shape()[d] > 1)
      fail(std::string(op) + ": the destination (shape " + shape_str(dst.shape()) +
           ") is an expanded view in which several elements share one memory location; clone() it first");
}

// The flat positions (in the base's row-major order) of the view's elements, in view order.
static Tensor view_positions(const TensorImpl& base, const Tensor& view, const char* op) {
  if (base.strides != contiguous_strides(base.shape))
    fail(std::string(op) + ": in-place write through a view of a non-contiguous tensor that requires grad "
                           "is not supported; clone() the base first");
  int64_t n = numel_of(base.shape, op);
  Tensor all = arange(0, double(n), 1, DType::I32);
  Tensor pos = make_view(all, view.shape(), view.strides(), view.offset() - base.offset);
  return contiguous(detach(pos));
}

static bool same_node(const std::weak_ptr<Node>& w, const std::shared_ptr<Node>& s) {
  return !w.owner_before(s) && !s.owner_before(w);
}

// The view's history as a view of the base's current one: its gradient scattered into the base.
static void record_as_view(const Tensor& base, const Tensor& view, const Tensor& flat_pos) {
  Shape bshape = base.shape();
  DType dt = base.dtype();
  int64_t n = base.numel();
  record("view (after an in-place write)", {base}, {view}, [flat_pos, bshape, n, dt](Node&, const std::vector<Tensor>& g) {
    Tensor z = zeros({n}, dt);
    return std::vector<Tensor>{reshape(index_add(z, 0, flat_pos, reshape(g[0], {-1})), bshape)};
  });
  view.impl()->view_base_fn = base.impl()->grad_fn;
}

void refresh_view_history(const Tensor& view) {
  if (!grad_enabled()) return;
  auto base_impl = view.impl()->view_base.lock();
  if (!base_impl || same_node(view.impl()->view_base_fn, base_impl->grad_fn)) return;
  view.impl()->view_base_fn = base_impl->grad_fn;
  if (!base_impl->requires_grad || !base_impl->grad_fn) return;
  Tensor base(base_impl);
  record_as_view(base, view, reshape(view_positions(*base_impl, view, "view"), {-1}));
}

void assign_(const Tensor& dst, const Tensor& value_in, const char* op) {
  check_target(dst, op);
  check_no_overlap(dst, op);
  Shape b = broadcast_shapes(dst.shape(), value_in.shape(), op);
  if (b != dst.shape())
    fail(std::string(op) + ": the result of shape " + shape_str(value_in.shape()) +
         " cannot be written into a tensor of shape " + shape_str(dst.shape()));
  Tensor value = to_dtype(value_in, dst.dtype());
  if (value.shape() != dst.shape()) value = expand(value, dst.shape());
  auto base_impl = dst.impl()->view_base.lock();
  bool base_grad = base_impl && base_impl->requires_grad;
  bool track = grad_enabled() && (dst.requires_grad() || value.requires_grad() || base_grad);
  if (value.impl() != dst.impl()) {
    NoGradGuard ng;
    copy_(dst, value);  // bumps the version: nodes that saved the old values now refuse to run
  }
  if (!track || value.impl() == dst.impl()) return;
  std::string name = std::string(op);
  if (!base_impl) {
    Shape shape = dst.shape();
    DType dt = dst.dtype();
    bool old_grad = dst.requires_grad();
    record(name.c_str(), {dst, value}, {dst}, [shape, dt, old_grad](Node&, const std::vector<Tensor>& g) {
      return std::vector<Tensor>{old_grad ? zeros(shape, dt) : Tensor(), g[0]};
    });
    return;
  }
  // Through a view: the base's new history, then the view's as a view of it.
  Tensor base(base_impl);
  Tensor pos = view_positions(*base_impl, dst, op);
  Tensor flat_pos = reshape(pos, {-1});
  Shape bshape = base.shape(), vshape = dst.shape();
  DType dt = base.dtype();
  int64_t n = base.numel();
  Tensor keep;  // 1 outside the written region, 0 inside
  {
    NoGradGuard ng;
    keep = index_add(full({n}, 1.0, dt), 0, flat_pos, full({flat_pos.numel()}, -1.0, dt));
  }
  keep = reshape(keep, bshape);
  record((name + " (through a view)").c_str(), {base, value}, {base},
         [keep, flat_pos, vshape](Node&, const std::vector<Tensor>& g) {
           Tensor to_base = mul(g[0], keep);
           Tensor to_value = reshape(index_select(reshape(g[0], {-1}), 0, flat_pos), vshape);
           return std::vector<Tensor>{to_base, to_value};
         });
  record_as_view(base, dst, flat_pos);
}

}  // namespace tf
