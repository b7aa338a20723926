// The gradient tape: eager reverse mode.
//
// Every op that sees an input requiring grad (while grad mode is on) records a Node holding edges to
// its inputs' nodes, the tensors it saved, and a backward closure. Backward closures are written
// with the same differentiable ops, so running them with grad mode on (create_graph) records a new
// graph: that is how tf.grad(tf.grad(f)) works. A node may also hold an arbitrary closure that
// re-runs a computation (checkpointed fold/scan bodies, JavaScript-defined functions).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor.h"

namespace tf {

// Grad mode is per thread, and so per JavaScript environment (each worker_thread has its own).
bool grad_enabled();
void set_grad_enabled(bool on);
struct NoGradGuard {
  bool prev;
  NoGradGuard() : prev(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(prev); }
};
struct GradModeGuard {
  bool prev;
  explicit GradModeGuard(bool on) : prev(grad_enabled()) { set_grad_enabled(on); }
  ~GradModeGuard() { set_grad_enabled(prev); }
};

struct Edge {
  std::shared_ptr<Node> node;  // null: this input needs no gradient
  int output_nr = 0;
};

// A tensor saved for backward. Remembers the storage version so that an in-place change made
// after saving is reported instead of silently giving a wrong gradient. An op's own output is
// saved without its grad_fn (that would be a reference cycle) and re-attached on unpacking.
struct SavedTensor {
  Tensor t;
  uint64_t version = 0;
  bool is_output = false;
  int output_nr = 0;
};

// Tensor.registerHook: fn(grad) runs once the gradient with respect to a tensor is complete (every
// contribution summed) and returns a replacement, or an undefined tensor to keep it. The result
// is what flows on down the chain rule and, for a leaf, what reaches .grad.
using TensorHook = std::function<Tensor(const Tensor& grad)>;
struct TensorHookEntry {
  uint64_t id;
  int output_nr;  // which output of the node it watches (0 for a leaf)
  TensorHook fn;
};
struct TensorHooks {
  std::vector<TensorHookEntry> list;
};

struct Node : std::enable_shared_from_this<Node> {
  using BackwardFn =
      std::function<std::vector<Tensor>(Node& self, const std::vector<Tensor>& grad_outputs)>;

  std::string name;
  std::vector<Edge> next;         // one per input of the op
  std::vector<SavedTensor> saved;
  std::vector<Shape> out_shapes;  // shape of each output (undefined grads become zeros)
  std::vector<DType> out_dtypes;
  BackwardFn fn;                  // null once released
  uint64_t seq = 0;               // creation order; later nodes run first
  std::weak_ptr<TensorImpl> leaf_weak;  // AccumulateGrad nodes: the leaf to accumulate into
  // Hooks of the outputs (non-leaf tensors), run before this node's backward: kept on the node
  // because the graph outlives the JavaScript wrapper of an intermediate tensor.
  std::vector<TensorHookEntry> tensor_hooks;

  virtual ~Node() = default;
  int num_outputs() const { return int(out_shapes.size()); }
  Tensor get_saved(size_t i);  // checks the version; throws if released or modified
  void release();              // drop saved tensors, closure and hooks
  bool is_acc_ = false;  // an AccumulateGrad node
};

// Whether backward must produce the gradient of input i (a node's input that needs no gradient has
// no next node): backward rules skip the work for the others.
inline bool needs(const Node& n, size_t i) { return n.next[i].node != nullptr; }

// Does any input need grad (and is grad mode on)?
bool any_requires_grad(const std::vector<Tensor>& inputs);
// One input: also what any_requires_grad({x}) resolves to, without building a vector (a malloc
// and two reference-count updates per op on the small-op path).
bool any_requires_grad(const Tensor& input);

// Record `outputs` as produced by an op over `inputs`. Call only when any_requires_grad(inputs).
// `save_inputs` / `save_outputs` list indices of inputs / outputs the backward closure reads via
// self.get_saved(k): saved inputs come first, in order, then saved outputs.
std::shared_ptr<Node> record(const char* name, const std::vector<Tensor>& inputs,
                             const std::vector<Tensor>& outputs, Node::BackwardFn fn,
                             const std::vector<int>& save_inputs = {},
                             const std::vector<int>& save_outputs = {});
// The same over plain arrays, for hot ops that would otherwise build four small vectors per call.
std::shared_ptr<Node> record_n(const char* name, const Tensor* inputs, size_t n_inputs,
                               const Tensor* outputs, size_t n_outputs, Node::BackwardFn&& fn,
                               const int* save_inputs, size_t n_save_inputs,
                               const int* save_outputs, size_t n_save_outputs);

// Reverse pass. roots with their gradients (undefined grad = ones for a scalar root).
// If `inputs` is empty: accumulate into leaves' .grad and return {}.
// Else: return the gradients w.r.t. `inputs` (undefined where unreachable) and touch no .grad.
std::vector<Tensor> run_backward(const std::vector<Tensor>& roots,
                                 const std::vector<Tensor>& root_grads, bool retain_graph,
                                 bool create_graph, const std::vector<Tensor>& inputs = {},
                                 bool allow_unused = true);

void backward(const Tensor& root, const Tensor& grad, bool retain_graph, bool create_graph);

// Hooks run after a leaf's gradient of the current backward pass is completely accumulated into its
// .grad (PyTorch's post-accumulate-grad hook): a leaf used several times fires once, after its last
// contribution. DistributedDataParallel starts a bucket's allreduce from them while the rest of
// backward still runs. Per thread, like grad mode. Only backward() into .grad fires them.
using GradHook = std::function<void()>;
uint64_t add_grad_hook(const Tensor& leaf, GradHook fn);
void remove_grad_hook(uint64_t id);
// Runs fn once, when the backward pass now running ends without error (called from a hook;
// an Error outside backward).
void queue_backward_callback(std::function<void()> fn);

// Registers a tensor hook on t, which must require grad (leaf or not); returns an id for removal.
// Hooks run in registration order, in backward() and in grad() alike (for grad(), before the
// gradient of an input is captured). A hook is called only for a gradient that was computed.
uint64_t add_tensor_hook(const Tensor& t, TensorHook fn);
void remove_tensor_hook(uint64_t id);  // no-op for an unknown id or a dead tensor

// Sum `g` down to `shape` (undoes NumPy broadcasting); differentiable.
Tensor sum_to(const Tensor& g, const Shape& shape);

}  // namespace tf
