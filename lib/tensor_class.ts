// The Tensor class: a typed wrapper over a native handle. The elementwise ops (lib/elementwise.ts)
// are installed on it as methods by lib/tensor.ts; the rest are written here.
import { Handle, native } from './native';
import { DTYPES, DType, NestedArray, TensorLike, axesArg, checkOptions, checkTensor, describe, dtypeCode, intArg, shapeArg } from './args';
import { scopes } from './memory';
import { device as deviceName } from './device_name';
import type { ElementwiseMethods, MoreMethods } from './methods';
import { argumentError, dtypeError, shapeError, stateError } from './errors';

/** @internal Wraps a native handle as a Tensor, registering it with the innermost tidy scope. */
export function wrap(h: Handle): Tensor {
  return new Tensor(h);
}

// The elementwise methods (t.exp(), t.add(u), ...) are typed from their functions.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Tensor extends ElementwiseMethods, MoreMethods {}

export class Tensor {
  /** @internal native handle */
  readonly _h: Handle;
  private _shape?: number[];
  private _dtype?: DType;

  /** @internal use tf.tensor(...) and friends to create tensors */
  constructor(h: Handle) {
    this._h = h;
    if (scopes.length) scopes[scopes.length - 1].add(this);
  }

  // ---- metadata ----
  get shape(): number[] {
    if (!this._shape) this._shape = native.shape(this._h);
    return this._shape.slice();
  }
  get dtype(): DType {
    if (!this._dtype) this._dtype = DTYPES[native.dtype(this._h)];
    return this._dtype;
  }
  get ndim(): number {
    if (!this._shape) this._shape = native.shape(this._h);
    return this._shape.length;
  }
  get size(): number {
    if (!this._shape) this._shape = native.shape(this._h);
    return this._shape.reduce((a, b) => a * b, 1);
  }
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
  get isDisposed(): boolean {
    return native.isDisposed(this._h);
  }

  // ---- data out ----
  toTypedArray(): Float32Array | Float64Array | Int32Array | Uint8Array {
    return native.toTyped(this._h);
  }
  toArray(): NestedArray {
    const flat = native.toTyped(this._h);
    const shape = this.shape;
    const isBool = this.dtype === 'bool';
    const conv = (v: number): number | boolean => (isBool ? v !== 0 : v);
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
  item(): number {
    const v = native.item(this._h);
    return v;
  }
  toString(): string {
    if (this.isDisposed) return 'Tensor(disposed)';
    const data = this.size <= 100 ? JSON.stringify(this.toArray()) : `[… ${this.size} values]`;
    return `Tensor(${data}, shape=[${this.shape}], dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
  print(): void {
    console.log(this.toString());
  }

  // ---- lifetime ----
  /** Frees this handle's native memory now (the storage goes once no view or graph holds it). */
  dispose(): void {
    native.dispose(this._h);
    for (const s of scopes) s.delete(this);
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
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  int(): Tensor {
    return this.to('int32');
  }
  clone(): Tensor {
    return wrap(native.clone(this._h));
  }
  detach(): Tensor {
    return wrap(native.detach(this._h));
  }
  contiguous(): Tensor {
    return wrap(native.contiguous(this._h));
  }

  // ---- reductions ----
  sum(axis?: number | number[], keepdim = false): Tensor { return this.reduce('sum', axis, keepdim); }
  mean(axis?: number | number[], keepdim = false): Tensor { return this.reduce('mean', axis, keepdim); }
  max(axis?: number | number[], keepdim = false): Tensor { return this.reduce('max', axis, keepdim); }
  min(axis?: number | number[], keepdim = false): Tensor { return this.reduce('min', axis, keepdim); }
  logsumexp(axis?: number | number[], keepdim = false): Tensor { return this.reduce('logsumexp', axis, keepdim); }
  /** Variance with Bessel's correction (unbiased), as PyTorch's default. */
  var(axis?: number | number[], keepdim = false, correction = 1): Tensor {
    return this.reduce('var', axis, keepdim, correction);
  }
  std(axis?: number | number[], keepdim = false, correction = 1): Tensor {
    return this.reduce('std', axis, keepdim, correction);
  }
  argmax(axis?: number, keepdim = false): Tensor {
    return wrap(native.reduce('argmax', this._h, axesArg(axis, 'argmax'), !!keepdim));
  }
  argmin(axis?: number, keepdim = false): Tensor {
    return wrap(native.reduce('argmin', this._h, axesArg(axis, 'argmin'), !!keepdim));
  }
  private reduce(kind: string, axis: number | number[] | undefined, keepdim: boolean, correction?: number): Tensor {
    if (typeof kind !== 'string') throw argumentError(`reduce: kind must be a string, got ${describe(kind)}`);
    if (typeof keepdim !== 'boolean') throw argumentError(`${kind}: keepdim must be a boolean, got ${describe(keepdim)}`);
    return wrap(native.reduce(kind, this._h, axesArg(axis, kind), keepdim, correction));
  }
  softmax(axis = -1): Tensor { return wrap(native.softmax(this._h, intArg(axis, 'softmax', 'axis'), false)); }
  logSoftmax(axis = -1): Tensor { return wrap(native.softmax(this._h, intArg(axis, 'logSoftmax', 'axis'), true)); }

  // ---- linear algebra ----
  matmul(other: Tensor): Tensor { return wrap(native.matmul(this._h, checkTensor(other, 'matmul')._h)); }

  // ---- shape ----
  reshape(...shape: (number | number[])[]): Tensor {
    const s = shape.length === 1 && Array.isArray(shape[0]) ? shape[0] : shape;
    return wrap(native.reshape(this._h, shapeArg(s, 'reshape')));
  }
  view(...shape: (number | number[])[]): Tensor { return this.reshape(...shape); }
  transpose(d0 = 0, d1 = 1): Tensor {
    return wrap(native.transpose(this._h, intArg(d0, 'transpose', 'd0'), intArg(d1, 'transpose', 'd1')));
  }
  /** Matrix transpose of the last two dims. */
  get T(): Tensor { return this.ndim < 2 ? this : this.transpose(-2, -1); }
  permute(...dims: (number | number[])[]): Tensor {
    const d = dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : dims;
    return wrap(native.permute(this._h, shapeArg(d, 'permute')));
  }
  squeeze(dim?: number): Tensor {
    return wrap(native.squeeze(this._h, dim === undefined ? null : intArg(dim, 'squeeze', 'dim')));
  }
  unsqueeze(dim: number): Tensor { return wrap(native.unsqueeze(this._h, intArg(dim, 'unsqueeze', 'dim'))); }
  expand(...shape: (number | number[])[]): Tensor {
    const s = shape.length === 1 && Array.isArray(shape[0]) ? shape[0] : shape;
    return wrap(native.expand(this._h, shapeArg(s, 'expand')));
  }
  flatten(start = 0, end = -1): Tensor {
    return wrap(native.flatten(this._h, intArg(start, 'flatten', 'start'), intArg(end, 'flatten', 'end')));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(native.narrow(this._h, intArg(dim, 'narrow', 'dim'), intArg(start, 'narrow', 'start'),
      intArg(length, 'narrow', 'length')));
  }
  select(dim: number, index: number): Tensor {
    return wrap(native.select(this._h, intArg(dim, 'select', 'dim'), intArg(index, 'select', 'index')));
  }
  split(size: number, dim = 0): Tensor[] {
    return native.split(this._h, intArg(size, 'split', 'size'), intArg(dim, 'split', 'dim')).map(wrap);
  }
  chunk(n: number, dim = 0): Tensor[] {
    return native.chunk(this._h, intArg(n, 'chunk', 'n'), intArg(dim, 'chunk', 'dim')).map(wrap);
  }
  /** The slices along dim (views, that dim removed); their gradients meet in one stack. */
  unbind(dim = 0): Tensor[] {
    return native.unbind(this._h, intArg(dim, 'unbind', 'dim')).map(wrap);
  }

  // ---- indexing ----
  gather(dim: number, index: Tensor): Tensor {
    return wrap(native.gather(this._h, intArg(dim, 'gather', 'dim'), checkTensor(index, 'gather', 'index')._h));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(native.indexSelect(this._h, intArg(dim, 'indexSelect', 'dim'), checkTensor(index, 'indexSelect', 'index')._h));
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(native.scatterAdd(this._h, intArg(dim, 'scatterAdd', 'dim'), checkTensor(index, 'scatterAdd', 'index')._h,
      checkTensor(src, 'scatterAdd', 'src')._h));
  }
  indexAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(native.indexAdd(this._h, intArg(dim, 'indexAdd', 'dim'), checkTensor(index, 'indexAdd', 'index')._h,
      checkTensor(src, 'indexAdd', 'src')._h));
  }
  oneHot(classes: number): Tensor { return wrap(native.oneHot(this._h, intArg(classes, 'oneHot', 'classes'))); }

  // ---- gradients ----
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
