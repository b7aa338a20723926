#include "autograd.h"

#include <algorithm>
#include <exception>
#include <map>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "ops.h"

namespace tf {

namespace {
thread_local bool t_grad_enabled = true;
thread_local uint64_t t_seq = 0;
}  // namespace

namespace {
struct HookEntry {
  uint64_t id;
  std::weak_ptr<TensorImpl> leaf;  // an entry whose leaf died is dropped, never fired
  GradHook fn;
};
thread_local std::unordered_map<TensorImpl*, std::vector<HookEntry>> t_hooks;
thread_local std::unordered_map<uint64_t, TensorImpl*> t_hook_owner;
thread_local uint64_t t_hook_id = 0;
thread_local std::vector<std::function<void()>> t_backward_callbacks;

// The live hooks of a leaf (entries of a dead leaf at a reused address are dropped).
std::vector<HookEntry>* hooks_of(TensorImpl* leaf) {
  auto it = t_hooks.find(leaf);
  if (it == t_hooks.end()) return nullptr;
  auto& v = it->second;
  for (auto& e : v)
    if (e.leaf.expired()) t_hook_owner.erase(e.id);
  v.erase(std::remove_if(v.begin(), v.end(), [](const HookEntry& e) { return e.leaf.expired(); }), v.end());
  if (v.empty()) {
    t_hooks.erase(it);
    return nullptr;
  }
  return &v;
}
}  // namespace

uint64_t add_grad_hook(const Tensor& leaf, GradHook fn) {
  if (!leaf.is_leaf() || !leaf.requires_grad())
    fail("gradient hook: the tensor of shape " + shape_str(leaf.shape()) + " is not a leaf that requires grad");
  uint64_t id = ++t_hook_id;
  t_hooks[leaf.impl()].push_back({id, leaf.ptr(), std::move(fn)});
  t_hook_owner[id] = leaf.impl();
  return id;
}

void remove_grad_hook(uint64_t id) {
  auto o = t_hook_owner.find(id);
  if (o == t_hook_owner.end()) return;
  auto it = t_hooks.find(o->second);
  t_hook_owner.erase(o);
  if (it == t_hooks.end()) return;
  auto& v = it->second;
  v.erase(std::remove_if(v.begin(), v.end(), [&](const HookEntry& e) { return e.id == id; }), v.end());
  if (v.empty()) t_hooks.erase(it);
}

namespace {
// Which node or leaf holds each tensor hook, for removal by id. Weak: hooks die with their owner,
// and entries of dead owners are swept as the map grows.
struct TensorHookOwner {
  std::weak_ptr<Node> node;
  std::weak_ptr<TensorImpl> leaf;
  bool on_leaf = false;
  bool dead() const { return on_leaf ? leaf.expired() : node.expired(); }
};
thread_local std::unordered_map<uint64_t, TensorHookOwner> t_tensor_hook_owner;
thread_local size_t t_tensor_hook_sweep_at = 64;
// Hooks on leaves, alive or not yet swept: while zero, backward skips looking for hooked leaves.
thread_local size_t t_leaf_tensor_hooks = 0;

void forget_owner(std::unordered_map<uint64_t, TensorHookOwner>::iterator it) {
  if (it->second.on_leaf) t_leaf_tensor_hooks--;
  t_tensor_hook_owner.erase(it);
}

void erase_hook(std::vector<TensorHookEntry>& list, uint64_t id) {
  list.erase(std::remove_if(list.begin(), list.end(), [&](const TensorHookEntry& e) { return e.id == id; }), list.end());
}

// Runs hooks in registration order, each on the gradient of its output (grads[output_nr]) as the
// hooks before it left it. An undefined gradient (an output nothing used) is not hooked.
void run_tensor_hooks(const std::vector<TensorHookEntry>& list, Tensor* grads) {
  // Copy first: a hook may add or remove hooks.
  std::vector<std::pair<int, TensorHook>> fns;
  for (auto& e : list) fns.emplace_back(e.output_nr, e.fn);
  for (auto& [nr, f] : fns) {
    Tensor& g = grads[nr];
    if (!g.defined()) continue;
    Tensor r = f(g);
    if (!r.defined()) continue;
    if (r.shape() != g.shape())
      fail(ErrorCode::Shape, "registerHook: the hook returned a gradient of shape " + shape_str(r.shape()) +
           " for a tensor of shape " + shape_str(g.shape()));
    if (r.dtype() != g.dtype())
      fail(ErrorKind::Type, ErrorCode::DType, std::string("registerHook: the hook returned a gradient of dtype ") +
           dtype_name(r.dtype()) + " for a tensor of dtype " + dtype_name(g.dtype()));
    g = r;
  }
}
}  // namespace

uint64_t add_tensor_hook(const Tensor& t, TensorHook fn) {
  if (!t.requires_grad())
    fail(ErrorCode::State, "registerHook: cannot register a hook on a tensor of shape " + shape_str(t.shape()) +
         " that does not require grad");
  if (!t.impl()->view_base.expired()) refresh_view_history(t);  // hook the view's current history
  if (t_tensor_hook_owner.size() >= t_tensor_hook_sweep_at) {
    for (auto it = t_tensor_hook_owner.begin(); it != t_tensor_hook_owner.end();) {
      auto cur = it++;
      if (cur->second.dead()) forget_owner(cur);
    }
    t_tensor_hook_sweep_at = std::max<size_t>(64, 2 * t_tensor_hook_owner.size());
  }
  uint64_t id = ++t_hook_id;
  TensorHookOwner owner;
  if (const auto& node = t.grad_fn()) {
    node->tensor_hooks.push_back({id, t.impl()->output_nr, std::move(fn)});
    owner.node = node;
  } else {
    auto& hooks = t.impl()->hooks;
    if (!hooks) hooks = std::make_shared<TensorHooks>();
    hooks->list.push_back({id, 0, std::move(fn)});
    owner.leaf = t.ptr();
    owner.on_leaf = true;
    t_leaf_tensor_hooks++;
  }
  t_tensor_hook_owner.emplace(id, std::move(owner));
  return id;
}

void remove_tensor_hook(uint64_t id) {
  auto it = t_tensor_hook_owner.find(id);
  if (it == t_tensor_hook_owner.end()) return;
  TensorHookOwner owner = it->second;
  forget_owner(it);
  if (auto node = owner.node.lock()) erase_hook(node->tensor_hooks, id);
  if (auto leaf = owner.leaf.lock())
    if (leaf->hooks) erase_hook(leaf->hooks->list, id);
}

namespace {
thread_local int t_backward_depth = 0;  // backward passes running on this thread (hooks may nest one)
}

void queue_backward_callback(std::function<void()> fn) {
  if (t_backward_depth == 0) fail("queueBackwardCallback: no backward pass is running (call it from a gradient hook)");
  t_backward_callbacks.push_back(std::move(fn));
}

bool grad_enabled() { return t_grad_enabled; }
void set_grad_enabled(bool on) { t_grad_enabled = on; }

bool any_requires_grad(const std::vector<Tensor>& inputs) {
  if (!t_grad_enabled) return false;
  for (auto& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

bool any_requires_grad(const Tensor& input) {
  return t_grad_enabled && input.defined() && input.requires_grad();
}

static std::shared_ptr<Node> grad_accumulator(const Tensor& leaf) {
  // One accumulator per leaf would be nicer to share, but a fresh one per use is equally correct:
  // the engine sums the contributions into .grad one at a time.
  auto n = std::make_shared<Node>();
  n->name = "AccumulateGrad";
  n->leaf_weak = leaf.ptr();
  n->is_acc_ = true;
  n->out_shapes = {leaf.shape()};
  n->out_dtypes = {leaf.dtype()};
  n->seq = 0;
  return n;
}

Tensor Node::get_saved(size_t i) {
  if (!fn || i >= saved.size())
    fail(ErrorCode::State, name + ": trying to backward through the graph a second time (its saved tensors were "
                "freed); pass retainGraph: true to the first backward");
  SavedTensor& s = saved[i];
  if (s.t.version() != s.version)
    fail(ErrorCode::State, name + ": a tensor of shape " + shape_str(s.t.shape()) +
         " needed for the gradient was modified in place after it was used; clone() it first");
  if (s.is_output && grad_enabled()) {
    auto impl = std::make_shared<TensorImpl>(*s.t.impl());
    impl->grad_fn = shared_from_this();
    impl->output_nr = s.output_nr;  // which of this node's outputs it is
    impl->requires_grad = true;
    return Tensor(impl);
  }
  return s.t;
}

void Node::release() {
  saved.clear();
  saved.shrink_to_fit();
  fn = nullptr;
  // A released node never runs again, so its hooks are dead weight; dropping them also frees
  // JavaScript functions that close over the hooked tensor.
  tensor_hooks.clear();
  tensor_hooks.shrink_to_fit();
}

std::shared_ptr<Node> record(const char* name, const std::vector<Tensor>& inputs,
                             const std::vector<Tensor>& outputs, Node::BackwardFn fn,
                             const std::vector<int>& save_inputs,
                             const std::vector<int>& save_outputs) {
  return record_n(name, inputs.data(), inputs.size(), outputs.data(), outputs.size(), std::move(fn),
                  save_inputs.data(), save_inputs.size(), save_outputs.data(), save_outputs.size());
}

std::shared_ptr<Node> record_n(const char* name, const Tensor* inputs, size_t n_inputs,
                               const Tensor* outputs, size_t n_outputs, Node::BackwardFn&& fn,
                               const int* save_inputs, size_t n_save_inputs,
                               const int* save_outputs, size_t n_save_outputs) {
  for (size_t k = 0; k < n_inputs; k++)
    if (inputs[k].defined() && !inputs[k].impl()->view_base.expired()) refresh_view_history(inputs[k]);
  auto node = std::make_shared<Node>();
  node->name = name;
  node->seq = ++t_seq;
  node->next.resize(n_inputs);
  for (size_t k = 0; k < n_inputs; k++) {
    const Tensor& t = inputs[k];
    Edge& e = node->next[k];
    if (t.defined() && t.requires_grad()) {
      if (t.grad_fn()) {
        e.node = t.grad_fn();
        e.output_nr = t.impl()->output_nr;
      } else {
        e.node = grad_accumulator(t);
      }
    }
  }
  node->saved.reserve(n_save_inputs + n_save_outputs);
  for (size_t k = 0; k < n_save_inputs; k++) {
    const Tensor& t = inputs[save_inputs[k]];
    node->saved.push_back({t, t.version(), false, 0});
  }
  for (size_t k = 0; k < n_save_outputs; k++) {
    int i = save_outputs[k];
    // Save a grad_fn-free alias of the output: sharing storage, not the impl.
    auto impl = std::make_shared<TensorImpl>();
    const Tensor& o = outputs[i];
    impl->storage = o.storage();
    impl->dtype = o.dtype();
    impl->shape = o.shape();
    impl->strides = o.strides();
    impl->offset = o.offset();
    node->saved.push_back({Tensor(impl), o.version(), true, i});
  }
  node->out_shapes.reserve(n_outputs);
  node->out_dtypes.reserve(n_outputs);
  for (size_t i = 0; i < n_outputs; i++) {
    node->out_shapes.push_back(outputs[i].shape());
    node->out_dtypes.push_back(outputs[i].dtype());
    TensorImpl* o = outputs[i].impl();
    o->grad_fn = node;
    o->output_nr = int(i);
    o->requires_grad = true;
  }
  node->fn = std::move(fn);
  return node;
}

namespace {

struct Key {
  Node* node;
  int nr;
  bool operator==(const Key& o) const { return node == o.node && nr == o.nr; }
};
struct KeyHash {
  size_t operator()(const Key& k) const { return std::hash<void*>()(k.node) * 31 + k.nr; }
};

Tensor accumulate(const Tensor& a, const Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return add(a, b);
}

}  // namespace

std::vector<Tensor> run_backward(const std::vector<Tensor>& roots,
                                 const std::vector<Tensor>& root_grads, bool retain_graph,
                                 bool create_graph, const std::vector<Tensor>& inputs,
                                 bool allow_unused) {
  GradModeGuard mode(create_graph);
  const bool capture = !inputs.empty();

  // Targets for capture: (node, output_nr) -> input index. A leaf input is identified by its impl.
  std::unordered_map<Key, std::vector<size_t>, KeyHash> capture_nodes;
  std::unordered_map<TensorImpl*, std::vector<size_t>> capture_leaves;
  for (size_t i = 0; i < inputs.size(); i++) {
    const Tensor& t = inputs[i];
    if (!t.requires_grad())
      fail(ErrorCode::State, "grad: input " + std::to_string(i) + " of shape " + shape_str(t.shape()) +
           " does not require grad");
    if (t.grad_fn())
      capture_nodes[{t.grad_fn().get(), t.impl()->output_nr}].push_back(i);
    else
      capture_leaves[t.impl()].push_back(i);
  }
  std::vector<Tensor> result(inputs.size());

  // Discover the graph and count dependencies.
  std::unordered_map<Node*, int> deps;
  std::unordered_map<Node*, std::shared_ptr<Node>> keep;
  std::vector<Node*> stack;
  auto visit = [&](const std::shared_ptr<Node>& n) {
    if (!n) return;
    if (keep.emplace(n.get(), n).second) stack.push_back(n.get());
  };
  std::unordered_map<Key, Tensor, KeyHash> grads;
  for (size_t i = 0; i < roots.size(); i++) {
    const Tensor& r = roots[i];
    if (!r.requires_grad())
      fail(ErrorCode::State, "backward: tensor of shape " + shape_str(r.shape()) +
           " does not require grad (no input of the computation requires grad)");
    Tensor g = root_grads.size() > i ? root_grads[i] : Tensor();
    if (!g.defined()) {
      if (r.numel() != 1)
        fail("backward: grad can be implicitly created only for scalar outputs, got shape " +
             shape_str(r.shape()));
      g = full(r.shape(), 1.0, r.dtype());
    } else if (g.shape() != r.shape()) {
      fail("backward: grad of shape " + shape_str(g.shape()) + " does not match output shape " +
           shape_str(r.shape()));
    }
    std::shared_ptr<Node> n = r.grad_fn();
    int nr = r.impl()->output_nr;
    if (!n) {
      // Root is a leaf itself.
      if (capture) {
        auto it = capture_leaves.find(r.impl());
        if (it != capture_leaves.end())
          for (size_t k : it->second) result[k] = accumulate(result[k], g);
        continue;
      }
      n = grad_accumulator(r);
      nr = 0;
    }
    visit(n);
    Key k{n.get(), nr};
    grads[k] = accumulate(grads[k], g);
  }
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (auto& e : n->next) {
      if (!e.node) continue;
      deps[e.node.get()]++;
      visit(e.node);
    }
  }

  // Leaves with hooks: how many accumulator nodes of this pass feed each, so the hooks fire after
  // the last one. Callbacks queued by hooks run at the end; a failed pass drops them.
  std::unordered_map<TensorImpl*, int> hook_pending;
  if (!capture && !t_hooks.empty()) {
    for (auto& kv : keep)
      if (kv.first->is_acc_) {
        auto leaf = kv.first->leaf_weak.lock();
        if (leaf && hooks_of(leaf.get())) hook_pending[leaf.get()]++;
      }
  }
  std::unordered_set<TensorImpl*> hook_accumulated;
  struct DropCallbacks {
    size_t keep_n;
    ~DropCallbacks() {
      t_backward_callbacks.resize(std::min(keep_n, t_backward_callbacks.size()));
      t_backward_depth--;
    }
  } drop_callbacks{t_backward_callbacks.size()};
  t_backward_depth++;

  // When capturing, a node runs only if one of its inputs leads to a target. A captured node itself
  // does not run unless something below it is also captured: its graph may still be needed (by
  // an enclosing computation), so it must not be executed and released here.
  std::unordered_set<Node*> needed;
  std::unordered_set<Node*> targets;
  if (capture) {
    for (auto& kv : capture_nodes) targets.insert(kv.first.node);
    std::unordered_map<Node*, int> memo;  // 1 leads to a target, 2 does not
    std::function<bool(Node*)> leads = [&](Node* n) -> bool {
      auto it = memo.find(n);
      if (it != memo.end()) return it->second == 1;
      memo[n] = 2;
      bool below = false;
      for (auto& e : n->next)
        if (e.node && leads(e.node.get())) below = true;
      bool self = targets.count(n) > 0;
      if (n->is_acc_) {
        auto leaf = n->leaf_weak.lock();
        self = self || (leaf && capture_leaves.count(leaf.get()));
      }
      if (below) needed.insert(n);
      memo[n] = (self || below) ? 1 : 2;
      return self || below;
    };
    for (auto& kv : keep) leads(kv.first);
  }

  // Hooked leaves (registerHook): each accumulator node of one adds its part to a sum, and the
  // last one runs the hooks on the whole gradient before it reaches .grad or the captured result.
  std::unordered_map<TensorImpl*, int> leaf_hook_pending;
  std::unordered_map<TensorImpl*, Tensor> leaf_hook_sum;
  if (t_leaf_tensor_hooks > 0) {
    for (auto& kv : keep)
      if (kv.first->is_acc_) {
        auto leaf = kv.first->leaf_weak.lock();
        if (leaf && leaf->hooks && !leaf->hooks->list.empty() && (!capture || capture_leaves.count(leaf.get())))
          leaf_hook_pending[leaf.get()]++;
      }
  }

  // Accumulator nodes have seq 0 and so would all run last; with hooks waiting on them they run as
  // soon as ready instead, so that a hook (a DDP bucket's allreduce) starts during backward.
  const bool acc_first = !hook_pending.empty();
  auto cmp = [acc_first](Node* a, Node* b) {
    if (acc_first && a->is_acc_ != b->is_acc_) return b->is_acc_;
    return a->seq < b->seq;
  };
  std::priority_queue<Node*, std::vector<Node*>, decltype(cmp)> ready(cmp);
  for (auto& kv : keep)
    if (deps[kv.first] == 0) ready.push(kv.first);

  // A pass that fails without retainGraph drops the tensor hooks of the nodes it would have
  // released, as release() does when it completes: a hook closing over its own tensor would
  // otherwise keep it alive in a cycle (tensor -> node -> hook -> JavaScript closure -> tensor).
  struct DropHooksOnFailure {
    const std::unordered_map<Node*, std::shared_ptr<Node>>& nodes;
    const std::unordered_set<Node*>* only;  // grad(): the nodes it runs; null: all
    bool active;
    int uncaught = std::uncaught_exceptions();
    ~DropHooksOnFailure() {
      if (!active || std::uncaught_exceptions() <= uncaught) return;
      for (auto& kv : nodes)
        if (!only || only->count(kv.first)) kv.second->tensor_hooks.clear();
    }
  } drop_hooks{keep, capture ? &needed : nullptr, !retain_graph};

  std::vector<Tensor> gout;  // reused across nodes: one allocation for the whole pass
  while (!ready.empty()) {
    Node* n = ready.top();
    ready.pop();
    int nout = std::max(1, n->num_outputs());
    gout.assign(size_t(nout), Tensor());
    for (int i = 0; i < nout; i++) {
      auto it = grads.find({n, i});
      if (it != grads.end()) {
        gout[i] = it->second;
        grads.erase(it);
      }
    }
    bool run = !capture || needed.count(n);
    if (!n->tensor_hooks.empty() && (run || targets.count(n))) run_tensor_hooks(n->tensor_hooks, gout.data());
    if (capture) {
      for (int i = 0; i < nout; i++) {
        auto it = capture_nodes.find({n, i});
        if (it != capture_nodes.end() && gout[i].defined())
          for (size_t k : it->second) result[k] = accumulate(result[k], gout[i]);
      }
    }
    if (n->is_acc_) {
      auto leaf = n->leaf_weak.lock();
      Tensor leaf_grad = std::move(gout[0]);
      if (leaf && !leaf_hook_pending.empty()) {
        auto it = leaf_hook_pending.find(leaf.get());
        if (it != leaf_hook_pending.end()) {
          Tensor& sum = leaf_hook_sum[leaf.get()];
          sum = accumulate(sum, leaf_grad);
          leaf_grad = Tensor();
          if (--it->second == 0) {
            leaf_grad = sum;
            leaf_hook_sum.erase(leaf.get());
            if (leaf->hooks) run_tensor_hooks(leaf->hooks->list, &leaf_grad);
          }
        }
      }
      if (leaf && leaf_grad.defined()) {
        if (capture) {
          auto it = capture_leaves.find(leaf.get());
          if (it != capture_leaves.end())
            for (size_t k : it->second) result[k] = accumulate(result[k], leaf_grad);
        } else {
          Tensor g = leaf_grad;
          if (!create_graph && g.requires_grad()) g = detach(g);
          Tensor lg(leaf);
          if (lg.grad().defined()) {
            lg.set_grad(add(lg.grad(), g));
          } else if (create_graph) {
            lg.set_grad(g);
          } else {
            // .grad must own its buffer: clipping updates it in place, so an expanded view or a
            // buffer shared with another tensor (held here by leaf_grad and g only) is copied.
            bool owned = g.is_contiguous() && g.offset() == 0 && g.ptr().use_count() <= 2 &&
                         g.storage().use_count() == 1;
            lg.set_grad(owned ? g : clone(g));
          }
          if (!hook_pending.empty() && hook_pending.count(leaf.get())) hook_accumulated.insert(leaf.get());
        }
      }
      if (leaf && !capture && !hook_pending.empty()) {
        auto it = hook_pending.find(leaf.get());
        if (it != hook_pending.end() && --it->second == 0 && hook_accumulated.count(leaf.get())) {
          // Copy first: a hook may add or remove hooks.
          std::vector<GradHook> fns;
          if (auto* v = hooks_of(leaf.get()))
            for (auto& e : *v) fns.push_back(e.fn);
          for (auto& f : fns) f();
        }
      }
    } else if (run) {
      bool any = false;
      for (auto& g : gout) any = any || g.defined();
      if (any) {
        if (!n->fn)
          fail(ErrorCode::State, n->name + ": trying to backward through the graph a second time (its saved "
                    "tensors were freed); pass retainGraph: true to the first backward");
        for (int i = 0; i < nout; i++)
          if (!gout[i].defined()) gout[i] = zeros(n->out_shapes[i], n->out_dtypes[i]);
        std::vector<Tensor> gin = n->fn(*n, gout);
        if (gin.size() != n->next.size())
          fail(ErrorCode::Argument, n->name + ": backward returned " + std::to_string(gin.size()) +
               " gradients for " + std::to_string(n->next.size()) + " inputs");
        for (size_t i = 0; i < gin.size(); i++) {
          const Edge& e = n->next[i];
          if (!e.node || !gin[i].defined()) continue;
          auto ins = grads.try_emplace(Key{e.node.get(), e.output_nr}, gin[i]);
          if (!ins.second) ins.first->second = accumulate(ins.first->second, gin[i]);
        }
      }
      if (!retain_graph) n->release();
    }
    for (auto& e : n->next) {
      if (!e.node) continue;
      if (--deps[e.node.get()] == 0) ready.push(e.node.get());
    }
    gout.clear();  // drop this node's gradients now, as the per-node vector did
  }
  if (!capture && t_backward_callbacks.size() > drop_callbacks.keep_n) {
    std::vector<std::function<void()>> cbs(t_backward_callbacks.begin() + long(drop_callbacks.keep_n),
                                           t_backward_callbacks.end());
    t_backward_callbacks.resize(drop_callbacks.keep_n);
    for (auto& cb : cbs) cb();
  }
  if (capture && !allow_unused) {
    for (size_t i = 0; i < result.size(); i++)
      if (!result[i].defined())
        fail(ErrorCode::State, "grad: input " + std::to_string(i) + " was not used in the computation");
  }
  return result;
}

void backward(const Tensor& root, const Tensor& grad, bool retain_graph, bool create_graph) {
  run_backward({root}, {grad}, retain_graph, create_graph);
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  int64_t lead = g.dim() - int64_t(shape.size());
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < g.dim(); i++) {
    if (i < lead) axes.push_back(i);
    else if (shape[i - lead] == 1 && g.shape()[i] != 1) axes.push_back(i);
  }
  Tensor r = axes.empty() ? g : sum(g, axes, true);
  if (lead > 0 || r.shape() != shape) r = reshape(r, shape);
  return r;
}

}  // namespace tf
