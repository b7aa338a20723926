// The Tensor class: a typed wrapper over a native handle. The elementwise ops (lib/elementwise.ts)
// are installed on it as methods by lib/tensor.ts; the rest are written here.
import { Handle, native } from './native';
import { DTYPES, DType, NestedArray, TensorLike, axesArg, checkOptions, checkTensor, describe, dtypeCode, intArg, shapeArg } from './args';
import { scopes } from './memory';
import { device as deviceName } from './device_name';
import type { ElementwiseMethods, MoreMethods } from './methods';
import { argumentError, dtypeError, shapeError, stateError } from './errors';

// What a Tensor holds once disposed: a handle that is disposed from the start, so every use names
// the disposal as before while the tensor's own handle is reused (see Tensor.dispose).
const DISPOSED: Handle = native.disposedHandle();

/** @internal Wraps a native handle as a Tensor, registering it with the innermost tidy scope. */
export function wrap(h: Handle): Tensor {
  return new Tensor(h);
}

// The elementwise methods (t.exp(), t.add(u), ...) are typed from their functions.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Tensor extends ElementwiseMethods, MoreMethods {}

/**
 * An n-dimensional array of values of one dtype (float32, float64, int32, bool, int64, uint8, float16,
 * bfloat16) in native memory, with a place on the gradient tape. Create one with tf.tensor, tf.zeros, tf.randn...; every op returns a new
 * Tensor (or a view). Memory is freed by dispose(), tf.tidy or the garbage collector.
 * @example const x = tf.tensor([[1, 2], [3, 4]], { requiresGrad: true });  // shape [2, 2], float32
 */
export class Tensor {
  /** @internal native handle (a disposed handle once dispose() has run) */
  _h: Handle;
  private _shape?: number[];
  private _dtype?: DType;

  /** @internal use tf.tensor(...) and friends to create tensors */
  constructor(h: Handle) {
    this._h = h;
    if (scopes.length) scopes[scopes.length - 1].add(this);
  }

  // ---- metadata ----
  /** The size of each dimension (a copy), e.g. [batch, channels, height, width]; [] for a scalar. */
  get shape(): number[] {
    if (!this._shape) this._shape = native.shape(this._h);
    return this._shape.slice();
  }
  /** The element type: 'float32', 'float64', 'int32' or 'bool'. */
  get dtype(): DType {
    if (!this._dtype) this._dtype = DTYPES[native.dtype(this._h)];
    return this._dtype;
  }
  /** The number of dimensions (shape.length); 0 for a scalar. */
  get ndim(): number {
    if (!this._shape) this._shape = native.shape(this._h);
    return this._shape.length;
  }
  /** The number of elements (the product of the shape; 1 for a scalar). */
  get size(): number {
    if (!this._shape) this._shape = native.shape(this._h);
    return this._shape.reduce((a, b) => a * b, 1);
  }
  /** Whether backward() computes a gradient for this tensor (float dtypes only). Settable on leaves. */
  get requiresGrad(): boolean {
    return native.requiresGrad(this._h);
  }
  set requiresGrad(r: boolean) {
    native.setRequiresGrad(this._h, !!r);
  }
  /** Sets requiresGrad and returns this, for chaining. */
  requiresGrad_(r = true): this {
    this.requiresGrad = r;
    return this;
  }
  /**
   * The gradient accumulated by backward() (same shape as this tensor), or null before any; settable
   * (set null to clear, as optimizer.zeroGrad does).
   */
  get grad(): Tensor | null {
    const g = native.getGrad(this._h);
    return g ? wrap(g) : null;
  }
  set grad(g: Tensor | null) {
    native.setGrad(this._h, g === null || g === undefined ? null : checkTensor(g, 'grad', 'gradient')._h);
  }
  /** True for tensors created by the user (not by an op that recorded a gradient). */
  get isLeaf(): boolean {
    return native.isLeaf(this._h);
  }
  /** Name of the op that produced this tensor on the tape, or null. */
  get gradFn(): string | null {
    return native.gradFn(this._h);
  }
  /** True once dispose() (or an enclosing tf.tidy) has freed this tensor; using it then throws. */
  get isDisposed(): boolean {
    return native.isDisposed(this._h);
  }

  // ---- data out ----
  /**
   * The values in row-major order as a typed array of the dtype's kind (Float32Array, Float64Array,
   * Int32Array, BigInt64Array for int64, Uint8Array for bool and uint8, Float32Array for float16 and
   * bfloat16: JavaScript has no 16-bit float array in Node 20).
   */
  toTypedArray(): Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array {
    return native.toTyped(this._h);
  }
  /**
   * The values as nested JavaScript arrays of the tensor's shape (booleans for bool; a number for a scalar).
   * @example tf.tensor([[1, 2], [3, 4]]).toArray();  // [[1, 2], [3, 4]]
   */
  toArray(): NestedArray {
    const flat = native.toTyped(this._h);
    const shape = this.shape;
    const isBool = this.dtype === 'bool';
    // int64 comes as BigInt: numbers out (exact while |v| <= 2^53, as item() and PyTorch's tolist()).
    const conv = (v: number | bigint): number | boolean => (isBool ? v !== 0 : Number(v));
    if (shape.length === 0) return conv(flat[0]);
    let pos = 0;
    const build = (d: number): NestedArray[] => {
      const n = shape[d];
      const out: NestedArray[] = new Array(n);
      if (d === shape.length - 1) for (let i = 0; i < n; i++) out[i] = conv(flat[pos++]);
      else for (let i = 0; i < n; i++) out[i] = build(d + 1);
      return out;
    };
    return build(0);
  }
  /** The value of a one-element tensor as a number (PyTorch's item()); throws for more elements. */
  item(): number {
    const v = native.item(this._h);
    return v;
  }
  /** A readable form: `Tensor([...], shape=[...], dtype=...)`, values elided past 100 elements. */
  toString(): string {
    if (this.isDisposed) return 'Tensor(disposed)';
    const data = this.size <= 100 ? JSON.stringify(this.toArray()) : `[… ${this.size} values]`;
    return `Tensor(${data}, shape=[${this.shape}], dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
  /** Prints toString() to the console. */
  print(): void {
    console.log(this.toString());
  }

  // ---- lifetime ----
  /** Frees this handle's native memory now (the storage goes once no view or graph holds it). */
  dispose(): void {
    this._disposeHandle();
    for (const s of scopes) s.delete(this);
  }
  /**
   * @internal Frees the native tensor without touching tidy scopes. The handle is given back for
   * reuse by a later op's result (creating and collecting a handle costs more than a small op),
   * so this Tensor stops referring to it.
   */
  _disposeHandle(): void {
    const h = this._h;
    this._h = DISPOSED;
    native.dispose(h, true);
  }


  // ---- conversion ----
  /** The device: always 'cpu' (see lib/device.ts). */
  get device(): 'cpu' {
    return 'cpu';
  }
  /**
   * Converts the dtype; also takes PyTorch's device forms: to('cpu'), to('cpu', dtype),
   * to({device, dtype}), to(otherTensor) (its dtype). The tensor itself when nothing changes.
   */
  to(dtypeOrDevice: DType | 'cpu' | string | Tensor | { device?: string; dtype?: DType }, dtype?: DType): Tensor {
    let dt: DType | undefined = dtype;
    let dev: string | undefined;
    if (dtypeOrDevice instanceof Tensor) dt = dtypeOrDevice.dtype;
    else if (typeof dtypeOrDevice === 'string') {
      if ((DTYPES as string[]).includes(dtypeOrDevice)) dt = dtypeOrDevice as DType;
      else dev = dtypeOrDevice;
    } else {
      checkOptions(dtypeOrDevice, 'to');
      dev = (dtypeOrDevice as { device?: string }).device;
      dt = (dtypeOrDevice as { dtype?: DType }).dtype ?? dt;
    }
    if (dev !== undefined) deviceName(dev);
    if (dt === undefined) return this;
    return wrap(native.to(this._h, dtypeCode(dt, 'to')));
  }
  /** Converts to float32 (to('float32')). */
  float(): Tensor {
    return this.to('float32');
  }
  /** Converts to float64 (to('float64')). */
  double(): Tensor {
    return this.to('float64');
  }
  /** Converts to int32 (to('int32')), truncating toward zero. */
  int(): Tensor {
    return this.to('int32');
  }
  /** A copy with its own storage; the gradient flows back to this tensor. */
  clone(): Tensor {
    return wrap(native.clone(this._h));
  }
  /** A tensor sharing this one's storage but cut from the tape: no gradient flows through it. */
  detach(): Tensor {
    return wrap(native.detach(this._h));
  }
  /**
   * This tensor's values in row-major storage: a copy when this is a strided view (after transpose,
   * expand, ...), otherwise the same values.
   */
  contiguous(): Tensor {
    return wrap(native.contiguous(this._h));
  }

  // ---- reductions ----
  /**
   * Sum over all elements (a scalar), or over `axis` (one or several dims; removed unless keepdim).
   * @example tf.tensor([[1, 2], [3, 4]]).sum(1);  // [3, 7]
   */
  sum(axis?: number | number[], keepdim = false): Tensor { return this.reduce('sum', axis, keepdim); }
  /** Mean over all elements, or over `axis` (dims removed unless keepdim). Float dtypes. */
  mean(axis?: number | number[], keepdim = false): Tensor { return this.reduce('mean', axis, keepdim); }
  /**
   * Largest value over all elements, or over `axis` (dims removed unless keepdim); the gradient goes
   * to the maximal elements. For the index, see argmax.
   */
  max(axis?: number | number[], keepdim = false): Tensor { return this.reduce('max', axis, keepdim); }
  /** Smallest value over all elements, or over `axis` (dims removed unless keepdim). */
  min(axis?: number | number[], keepdim = false): Tensor { return this.reduce('min', axis, keepdim); }
  /** log(sum(exp(x))) over `axis` (all elements by default), computed stably (the max is subtracted first). */
  logsumexp(axis?: number | number[], keepdim = false): Tensor { return this.reduce('logsumexp', axis, keepdim); }
  /** Variance with Bessel's correction (unbiased), as PyTorch's default. */
  var(axis?: number | number[], keepdim = false, correction = 1): Tensor {
    return this.reduce('var', axis, keepdim, correction);
  }
  /**
   * Standard deviation over `axis` (all elements by default); `correction` 1 is Bessel's (unbiased), 0 the population
   * form.
   */
  std(axis?: number | number[], keepdim = false, correction = 1): Tensor {
    return this.reduce('std', axis, keepdim, correction);
  }
  /**
   * Index of the largest value (int32): over the flattened tensor, or along `axis` (removed unless keepdim).
   * @example tf.tensor([[1, 5], [7, 2]]).argmax(1);  // [1, 0]
   */
  argmax(axis?: number, keepdim = false): Tensor {
    return wrap(native.reduce('argmax', this._h, axesArg(axis, 'argmax'), !!keepdim));
  }
  /** Index of the smallest value (int32): over the flattened tensor, or along `axis` (removed unless keepdim). */
  argmin(axis?: number, keepdim = false): Tensor {
    return wrap(native.reduce('argmin', this._h, axesArg(axis, 'argmin'), !!keepdim));
  }
  private reduce(kind: string, axis: number | number[] | undefined, keepdim: boolean, correction?: number): Tensor {
    if (typeof kind !== 'string') throw argumentError(`reduce: kind must be a string, got ${describe(kind)}`);
    if (typeof keepdim !== 'boolean') throw argumentError(`${kind}: keepdim must be a boolean, got ${describe(keepdim)}`);
    return wrap(native.reduce(kind, this._h, axesArg(axis, kind), keepdim, correction));
  }
  /** exp(x) / sum(exp(x)) along `axis` (the last by default), computed stably; same shape. */
  softmax(axis = -1): Tensor { return wrap(native.softmax(this._h, intArg(axis, 'softmax', 'axis'), false)); }
  /** log(softmax(x)) along `axis` (the last by default), computed stably; same shape. */
  logSoftmax(axis = -1): Tensor { return wrap(native.softmax(this._h, intArg(axis, 'logSoftmax', 'axis'), true)); }

  // ---- linear algebra ----
  /**
   * Matrix product with PyTorch's rules: [n, k] @ [k, m] → [n, m]; 1-d operands are vectors; batch
   * dims (all but the last two) broadcast, [b, n, k] @ [k, m] → [b, n, m].
   * @example tf.tensor([[1, 2], [3, 4]]).matmul(tf.tensor([[5], [6]]));  // [[17], [39]]
   */
  matmul(other: Tensor): Tensor { return wrap(native.matmul(this._h, checkTensor(other, 'matmul')._h)); }

  // ---- shape ----
  /**
   * The same values in a new shape (a list or separate numbers; one entry may be -1, inferred). A view
   * when the layout allows, otherwise a copy.
   * @example tf.arange(6).reshape(2, -1);  // shape [2, 3]
   */
  reshape(...shape: (number | number[])[]): Tensor {
    const s = shape.length === 1 && Array.isArray(shape[0]) ? shape[0] : shape;
    return wrap(native.reshape(this._h, shapeArg(s, 'reshape')));
  }
  /** The same as reshape (PyTorch's view). */
  view(...shape: (number | number[])[]): Tensor { return this.reshape(...shape); }
  /** Swaps dims d0 and d1 (0 and 1 by default; negative counts from the end); a view. */
  transpose(d0 = 0, d1 = 1): Tensor {
    return wrap(native.transpose(this._h, intArg(d0, 'transpose', 'd0'), intArg(d1, 'transpose', 'd1')));
  }
  /** Matrix transpose of the last two dims. */
  get T(): Tensor { return this.ndim < 2 ? this : this.transpose(-2, -1); }
  /**
   * Reorders the dims: output dim i is input dim dims[i]; a view.
   * @example tf.zeros([2, 3, 4]).permute(2, 0, 1).shape;  // [4, 2, 3]
   */
  permute(...dims: (number | number[])[]): Tensor {
    const d = dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : dims;
    return wrap(native.permute(this._h, shapeArg(d, 'permute')));
  }
  /** Removes size-1 dims: all of them, or only `dim` (left as is when its size is not 1); a view. */
  squeeze(dim?: number): Tensor {
    return wrap(native.squeeze(this._h, dim === undefined ? null : intArg(dim, 'squeeze', 'dim')));
  }
  /** Inserts a size-1 dim at position `dim`: [3, 4].unsqueeze(0) → [1, 3, 4]; a view. */
  unsqueeze(dim: number): Tensor { return wrap(native.unsqueeze(this._h, intArg(dim, 'unsqueeze', 'dim'))); }
  /**
   * Broadcasts size-1 dims to a larger shape without copying (-1 keeps a size; new leading dims may be added); a view.
   * @example tf.tensor([[1], [2]]).expand(2, 3);  // [[1, 1, 1], [2, 2, 2]]
   */
  expand(...shape: (number | number[])[]): Tensor {
    const s = shape.length === 1 && Array.isArray(shape[0]) ? shape[0] : shape;
    return wrap(native.expand(this._h, shapeArg(s, 'expand')));
  }
  /** Merges dims start..end (inclusive; all by default) into one: [b, c, h, w].flatten(1) → [b, c·h·w]. */
  flatten(start = 0, end = -1): Tensor {
    return wrap(native.flatten(this._h, intArg(start, 'flatten', 'start'), intArg(end, 'flatten', 'end')));
  }
  /** The slice start..start+length-1 along `dim`; a view. */
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(native.narrow(this._h, intArg(dim, 'narrow', 'dim'), intArg(start, 'narrow', 'start'),
      intArg(length, 'narrow', 'length')));
  }
  /** The slice at `index` along `dim`, that dim removed: [3, 4].select(0, 1) → [4]; a view. */
  select(dim: number, index: number): Tensor {
    return wrap(native.select(this._h, intArg(dim, 'select', 'dim'), intArg(index, 'select', 'index')));
  }
  /** Splits along `dim` into pieces of `size` (the last may be smaller); views. */
  split(size: number, dim = 0): Tensor[] {
    return native.split(this._h, intArg(size, 'split', 'size'), intArg(dim, 'split', 'dim')).map(wrap);
  }
  /** Splits along `dim` into `n` pieces of equal size (the last may be smaller, as PyTorch's chunk); views. */
  chunk(n: number, dim = 0): Tensor[] {
    return native.chunk(this._h, intArg(n, 'chunk', 'n'), intArg(dim, 'chunk', 'dim')).map(wrap);
  }
  /** The slices along dim (views, that dim removed); their gradients meet in one stack. */
  unbind(dim = 0): Tensor[] {
    return native.unbind(this._h, intArg(dim, 'unbind', 'dim')).map(wrap);
  }

  // ---- indexing ----
  /**
   * out[i][j] = x[index[i][j]][j] for dim 0 (likewise for other dims): picks along `dim` by the int32
   * `index`, whose shape is the output's.
   * @example logits.gather(1, labels.unsqueeze(1));  // [batch, classes] → [batch, 1]
   */
  gather(dim: number, index: Tensor): Tensor {
    return wrap(native.gather(this._h, intArg(dim, 'gather', 'dim'), checkTensor(index, 'gather', 'index')._h));
  }
  /** The slices at the int32 1-d `index` along `dim`: [n, d].indexSelect(0, idx) → [idx.size, d]. */
  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(native.indexSelect(this._h, intArg(dim, 'indexSelect', 'dim'), checkTensor(index, 'indexSelect', 'index')._h));
  }
  /**
   * A copy of this tensor with src's values added at the positions `index` gives along `dim`
   * (out[index[i][j]][j] += src[i][j] for dim 0); the inverse of gather.
   */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(native.scatterAdd(this._h, intArg(dim, 'scatterAdd', 'dim'), checkTensor(index, 'scatterAdd', 'index')._h,
      checkTensor(src, 'scatterAdd', 'src')._h));
  }
  /** A copy of this tensor with src's slices added along `dim` at the int32 1-d `index` (repeats accumulate). */
  indexAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(native.indexAdd(this._h, intArg(dim, 'indexAdd', 'dim'), checkTensor(index, 'indexAdd', 'index')._h,
      checkTensor(src, 'indexAdd', 'src')._h));
  }
  /** One-hot encoding of int32 class indices: shape [...] → [..., classes], 1 at each index. */
  oneHot(classes: number): Tensor { return wrap(native.oneHot(this._h, intArg(classes, 'oneHot', 'classes'))); }

  // ---- gradients ----
  /**
   * Backpropagates from this tensor: accumulates d this / d leaf into the .grad of every leaf that
   * requires grad. A non-scalar needs `grad` (the upstream gradient, its shape). The graph is freed
   * afterwards unless retainGraph; createGraph records the backward itself, for higher derivatives.
   * @example const loss = model.forward(x).square().mean(); loss.backward();  // params now have .grad
   */
  backward(grad?: Tensor | null, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    checkOptions(opts, 'backward');
    const g = grad === undefined || grad === null ? null : checkTensor(grad, 'backward', 'grad')._h;
    native.backward(this._h, g, !!opts.retainGraph || !!opts.createGraph, !!opts.createGraph);
  }

  /**
   * Runs fn(grad) each time the gradient with respect to this tensor has been computed (all its
   * contributions summed), in backward() and in tf.grad alike. A Tensor returned by fn replaces the
   * gradient: it flows on down the chain rule and, for a leaf, is what reaches .grad. Hooks run in
   * registration order; `remove()` on the returned handle unregisters one. Under createGraph the
   * hook's own ops are recorded, so a replaced gradient is differentiable.
   */
  registerHook(fn: (grad: Tensor) => Tensor | null | undefined | void): { remove(): void } {
    if (typeof fn !== 'function') throw argumentError(`registerHook: the hook must be a function, got ${describe(fn)}`);
    if (!this.requiresGrad)
      throw stateError(`registerHook: cannot register a hook on a tensor of shape [${this.shape}] that does not require grad`);
    const shape = this.shape;
    const dtype = this.dtype;
    const id = native.addTensorHook(this._h, (gh) => {
      const r = fn(wrap(gh));
      if (r === undefined || r === null) return null;
      if (!(r instanceof Tensor))
        throw argumentError(`registerHook: the hook must return a Tensor or nothing, got ${describe(r)}`);
      const rs = r.shape;
      if (rs.length !== shape.length || rs.some((d, i) => d !== shape[i]))
        throw shapeError(`registerHook: the hook returned a gradient of shape [${rs}] for a tensor of shape [${shape}]`);
      if (r.dtype !== dtype)
        throw dtypeError(`registerHook: the hook returned a gradient of dtype ${r.dtype} for a tensor of dtype ${dtype}`);
      return r._h;
    });
    let removed = false;
    return {
      remove(): void {
        if (removed) return;
        removed = true;
        native.removeTensorHook(id);
      },
    };
  }
}
