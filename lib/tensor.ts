// The Tensor class: a typed wrapper over a native handle, with every operation as a method.
// Methods validate what JavaScript can get wrong (types, integer-ness) and leave shape and range
// checks to the engine, which names the op and the shapes in its errors.
import { Handle, native } from './native';
import { show } from './errors';

export type DType = 'float32' | 'float64' | 'int32' | 'bool';
/** Anything accepted where a tensor operand is: a Tensor or a plain number. */
export type TensorLike = Tensor | number;
/** Nested arrays of numbers or booleans. */
export type NestedArray = number | boolean | NestedArray[];

const DTYPES: DType[] = ['float32', 'float64', 'int32', 'bool'];
export function dtypeCode(d: DType, op = 'tensor'): number {
  const c = DTYPES.indexOf(d);
  if (c < 0) throw new TypeError(`${op}: unknown dtype ${show(d)} (expected one of ${DTYPES.join(', ')})`);
  return c;
}

// Operation codes shared with the engine (native/core/ops.h enums: same order).
export const UNARY = ['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'relu',
  'gelu', 'silu', 'softplus', 'sign'] as const;
export const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
export const COMPARE = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
const U = Object.fromEntries(UNARY.map((n, i) => [n, i])) as Record<(typeof UNARY)[number], number>;
const B = Object.fromEntries(BINARY.map((n, i) => [n, i])) as Record<(typeof BINARY)[number], number>;
const C = Object.fromEntries(COMPARE.map((n, i) => [n, i])) as Record<(typeof COMPARE)[number], number>;

// ---- tidy scopes ----
const scopes: Set<Tensor>[] = [];

/** @internal Wraps a native handle as a Tensor, registering it with the innermost tidy scope. */
export function wrap(h: Handle): Tensor {
  return new Tensor(h);
}

/** The native handle of a Tensor or a number operand, checking the type. */
function operand(x: unknown, op: string): Handle | number {
  if (x instanceof Tensor) return x._h;
  if (typeof x === 'number') return x;
  throw new TypeError(`${op}: expected a Tensor or a number, got ${describe(x)}`);
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (x instanceof Tensor) return `Tensor of shape [${x.shape}]`;
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 20 ? x.slice(0, 20) + '…' : x)}`;
  return typeof x;
}

function checkTensor(x: unknown, op: string, what = 'argument'): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: ${what} must be a Tensor, got ${describe(x)}`);
  return x;
}

function axesArg(axis: number | number[] | undefined | null, op: string): number | number[] | null {
  if (axis === undefined || axis === null) return null;
  if (typeof axis === 'number') return intArg(axis, op, 'axis');
  if (Array.isArray(axis)) return axis.map((a) => intArg(a, op, 'axis'));
  throw new TypeError(`${op}: axis must be a number or an array of numbers, got ${describe(axis)}`);
}

/** Options objects: undefined takes the defaults; null or a non-object is a TypeError naming the op. */
export function checkOptions(opts: unknown, op: string): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts))
    throw new TypeError(`${op}: options must be an object, got ${describe(opts)}`);
}

export function intArg(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`${op}: ${what} must be an integer, got ${typeof v === 'number' ? v : describe(v)}`);
  return v;
}

function shapeArg(shape: unknown, op: string): number[] {
  if (typeof shape === 'number') shape = [shape];
  if (!Array.isArray(shape)) throw new TypeError(`${op}: shape must be an array of integers, got ${describe(shape)}`);
  return shape.map((d) => intArg(d, op, 'every shape entry'));
}

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
  to(dtype: DType): Tensor {
    return wrap(native.to(this._h, dtypeCode(dtype, 'to')));
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

  // ---- elementwise ----
  neg(): Tensor { return wrap(native.unary(U.neg, this._h)); }
  abs(): Tensor { return wrap(native.unary(U.abs, this._h)); }
  exp(): Tensor { return wrap(native.unary(U.exp, this._h)); }
  log(): Tensor { return wrap(native.unary(U.log, this._h)); }
  sqrt(): Tensor { return wrap(native.unary(U.sqrt, this._h)); }
  rsqrt(): Tensor { return wrap(native.unary(U.rsqrt, this._h)); }
  sin(): Tensor { return wrap(native.unary(U.sin, this._h)); }
  cos(): Tensor { return wrap(native.unary(U.cos, this._h)); }
  tanh(): Tensor { return wrap(native.unary(U.tanh, this._h)); }
  sigmoid(): Tensor { return wrap(native.unary(U.sigmoid, this._h)); }
  relu(): Tensor { return wrap(native.unary(U.relu, this._h)); }
  gelu(): Tensor { return wrap(native.unary(U.gelu, this._h)); }
  silu(): Tensor { return wrap(native.unary(U.silu, this._h)); }
  softplus(): Tensor { return wrap(native.unary(U.softplus, this._h)); }
  sign(): Tensor { return wrap(native.unary(U.sign, this._h)); }
  square(): Tensor { return wrap(native.binary(B.mul, this._h, this._h)); }
  leakyRelu(slope = 0.01): Tensor {
    if (typeof slope !== 'number') throw new TypeError(`leakyRelu: slope must be a number, got ${describe(slope)}`);
    return wrap(native.leakyRelu(this._h, slope));
  }

  add(other: TensorLike): Tensor { return wrap(native.binary(B.add, this._h, operand(other, 'add'))); }
  sub(other: TensorLike): Tensor { return wrap(native.binary(B.sub, this._h, operand(other, 'sub'))); }
  mul(other: TensorLike): Tensor { return wrap(native.binary(B.mul, this._h, operand(other, 'mul'))); }
  div(other: TensorLike): Tensor { return wrap(native.binary(B.div, this._h, operand(other, 'div'))); }
  pow(other: TensorLike): Tensor { return wrap(native.binary(B.pow, this._h, operand(other, 'pow'))); }
  maximum(other: TensorLike): Tensor { return wrap(native.binary(B.maximum, this._h, operand(other, 'maximum'))); }
  minimum(other: TensorLike): Tensor { return wrap(native.binary(B.minimum, this._h, operand(other, 'minimum'))); }
  clamp(min?: number | null, max?: number | null): Tensor {
    for (const [v, w] of [[min, 'min'], [max, 'max']] as const)
      if (v !== undefined && v !== null && typeof v !== 'number')
        throw new TypeError(`clamp: ${w} must be a number, got ${describe(v)}`);
    return wrap(native.clamp(this._h, min ?? null, max ?? null));
  }

  eq(other: TensorLike): Tensor { return wrap(native.compare(C.eq, this._h, operand(other, 'eq'))); }
  ne(other: TensorLike): Tensor { return wrap(native.compare(C.ne, this._h, operand(other, 'ne'))); }
  lt(other: TensorLike): Tensor { return wrap(native.compare(C.lt, this._h, operand(other, 'lt'))); }
  le(other: TensorLike): Tensor { return wrap(native.compare(C.le, this._h, operand(other, 'le'))); }
  gt(other: TensorLike): Tensor { return wrap(native.compare(C.gt, this._h, operand(other, 'gt'))); }
  ge(other: TensorLike): Tensor { return wrap(native.compare(C.ge, this._h, operand(other, 'ge'))); }

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
    if (typeof keepdim !== 'boolean') throw new TypeError(`${kind}: keepdim must be a boolean, got ${describe(keepdim)}`);
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

  // ---- in place (no gradient; bumps the version so saved tensors notice) ----
  /** Copies src (broadcast) into this tensor in place. */
  copy_(src: TensorLike): this {
    if (typeof src === 'number') native.inPlace('fill', this._h, src);
    else native.inPlace('copy', this._h, checkTensor(src, 'copy_', 'src')._h);
    return this;
  }
  fill_(value: number): this {
    if (typeof value !== 'number') throw new TypeError(`fill_: value must be a number, got ${describe(value)}`);
    native.inPlace('fill', this._h, value);
    return this;
  }
  zero_(): this { return this.fill_(0); }
  uniform_(low = 0, high = 1): this { native.inPlace('uniform', this._h, low, high); return this; }
  normal_(mean = 0, std = 1): this { native.inPlace('normal', this._h, mean, std); return this; }
}

// ---- creation ----
export interface TensorOptions {
  dtype?: DType;
  shape?: number[];
  requiresGrad?: boolean;
}
export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

function finish(t: Tensor, opts?: { requiresGrad?: boolean }): Tensor {
  if (opts && opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Infers the shape of nested arrays and flattens them, rejecting ragged or non-numeric data. */
function flattenNested(data: NestedArray): { flat: Float64Array; shape: number[]; allBool: boolean } {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const flat = new Float64Array(n);
  let pos = 0;
  let allBool = true;
  const walk = (x: unknown, d: number, where: number[]): void => {
    if (d === shape.length) {
      if (typeof x === 'number') {
        allBool = false;
        flat[pos++] = x;
      } else if (typeof x === 'boolean') {
        flat[pos++] = x ? 1 : 0;
      } else {
        throw new TypeError(`tensor: non-numeric value ${describe(x)} at index [${where}]`);
      }
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d])
      throw new TypeError(`tensor: ragged nested array: expected length ${shape[d]} at index [${where}], got ` +
        (Array.isArray(x) ? `length ${x.length}` : describe(x)));
    for (let i = 0; i < x.length; i++) walk(x[i], d + 1, [...where, i]);
  };
  walk(data, 0, []);
  if (n === 0) allBool = false;
  return { flat, shape, allBool };
}

export function tensor(data: NestedArray | Float32Array | Float64Array | Int32Array | Uint8Array | Tensor,
  opts: TensorOptions = {}): Tensor {
  checkOptions(opts, 'tensor');
  if (data instanceof Tensor) return finish(opts.dtype ? data.to(opts.dtype).clone() : data.clone(), opts);
  let flat: Float32Array | Float64Array | Int32Array | Uint8Array;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    // By tag, not instanceof: typed arrays from another realm (vm contexts, jest) count too.
    const tag = (data as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
    if (tag === 'Float32Array') dtype = 'float32';
    else if (tag === 'Float64Array') dtype = 'float64';
    else if (tag === 'Int32Array') dtype = 'int32';
    else if (tag === 'Uint8Array') dtype = 'bool';
    else throw new TypeError(`tensor: typed arrays must be Float32Array, Float64Array, Int32Array or Uint8Array, got ${tag ?? 'a DataView'}`);
    flat = data as Float32Array | Float64Array | Int32Array | Uint8Array;
    shape = [flat.length];
  } else {
    if (typeof data !== 'number' && typeof data !== 'boolean' && !Array.isArray(data))
      throw new TypeError(`tensor: data must be a number, boolean, nested array or typed array, got ${describe(data)}`);
    const r = flattenNested(data);
    flat = r.flat;
    shape = r.shape;
    dtype = r.allBool ? 'bool' : 'float32';
  }
  if (opts.shape !== undefined) {
    const s = shapeArg(opts.shape, 'tensor');
    const n = s.reduce((a, b) => a * b, 1);
    if (n !== flat.length)
      throw new Error(`tensor: ${flat.length} values do not fill shape [${s}] (${n} elements)`);
    shape = s;
  }
  if (opts.dtype !== undefined) dtype = opts.dtype;
  return finish(wrap(native.fromTyped(flat, shape, dtypeCode(dtype))), opts);
}

function createShape(shape: number | number[], op: string): number[] {
  return shapeArg(shape, op);
}

export function zeros(shape: number | number[], opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'zeros');
  return finish(wrap(native.full(createShape(shape, 'zeros'), 0, dtypeCode(opts.dtype ?? 'float32', 'zeros'))), opts);
}
export function ones(shape: number | number[], opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'ones');
  return finish(wrap(native.full(createShape(shape, 'ones'), 1, dtypeCode(opts.dtype ?? 'float32', 'ones'))), opts);
}
export function full(shape: number | number[], value: number | boolean, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'full');
  if (typeof value !== 'number' && typeof value !== 'boolean')
    throw new TypeError(`full: value must be a number, got ${describe(value)}`);
  const dt = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  return finish(wrap(native.full(createShape(shape, 'full'), +value, dtypeCode(dt, 'full'))), opts);
}
export function zerosLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'zerosLike');
  return zeros(checkTensor(t, 'zerosLike').shape, { dtype: t.dtype, ...opts });
}
export function onesLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'onesLike');
  return ones(checkTensor(t, 'onesLike').shape, { dtype: t.dtype, ...opts });
}
export function fullLike(t: Tensor, value: number, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'fullLike');
  return full(checkTensor(t, 'fullLike').shape, value, { dtype: t.dtype, ...opts });
}

/** arange(end) or arange(start, end, step = 1); int32 when all arguments are integers. */
export function arange(a: number, b?: number, step = 1, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'arange');
  const [start, end] = b === undefined ? [0, a] : [a, b];
  for (const [v, w] of [[start, 'start'], [end, 'end'], [step, 'step']] as const)
    if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`arange: ${w} must be a number, got ${describe(v)}`);
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dt = opts.dtype ?? (allInt ? 'int32' : 'float32');
  return finish(wrap(native.arange(start, end, step, dtypeCode(dt, 'arange'))), opts);
}
export function linspace(start: number, end: number, n: number, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'linspace');
  return finish(wrap(native.linspace(start, end, intArg(n, 'linspace', 'n'), dtypeCode(opts.dtype ?? 'float32', 'linspace'))), opts);
}
export function eye(n: number, m?: number, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'eye');
  const nn = intArg(n, 'eye', 'n');
  const mm = m === undefined ? nn : intArg(m, 'eye', 'm');
  return finish(wrap(native.eye(nn, mm, dtypeCode(opts.dtype ?? 'float32', 'eye'))), opts);
}
export function randn(shape: number | number[], opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'randn');
  return finish(wrap(native.random('randn', createShape(shape, 'randn'), dtypeCode(opts.dtype ?? 'float32', 'randn'))), opts);
}
export function rand(shape: number | number[], opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'rand');
  return finish(wrap(native.random('rand', createShape(shape, 'rand'), dtypeCode(opts.dtype ?? 'float32', 'rand'))), opts);
}
/** Integers uniformly in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: number | number[], opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'randint');
  return wrap(native.random('randint', createShape(shape, 'randint'), dtypeCode(opts.dtype ?? 'int32', 'randint'),
    intArg(low, 'randint', 'low'), intArg(high, 'randint', 'high')));
}
export function manualSeed(seed: number): void {
  intArg(seed, 'manualSeed', 'seed');
  native.manualSeed(seed);
}

// ---- memory ----
/** Runs fn and disposes every tensor created inside it that it does not return. */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`tidy: expected a function, got ${describe(fn)}`);
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    for (const t of scope) t.dispose();
    throw new Error('tidy: fn must be synchronous (it returned a Promise)');
  }
  const kept = new Set<Tensor>();
  collectTensors(result, kept);
  for (const t of scope) if (!kept.has(t) && !keptForever.has(t)) native.dispose(t._h);
  // Returned tensors belong to the enclosing scope now.
  if (scopes.length) for (const t of kept) if (scope.has(t)) scopes[scopes.length - 1].add(t);
  return result;
}

const keptForever = new WeakSet<Tensor>();
/** Marks t so that no enclosing tidy disposes it. */
export function keep<T extends Tensor>(t: T): T {
  keptForever.add(checkTensor(t, 'keep'));
  for (const s of scopes) s.delete(t);
  return t;
}

export function collectTensors(x: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 16 || x === null || x === undefined) return;
  if (x instanceof Tensor) out.add(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, out, depth + 1);
  else if (x instanceof Map) for (const v of x.values()) collectTensors(v, out, depth + 1);
  else if (typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype)
    for (const v of Object.values(x as object)) collectTensors(v, out, depth + 1);
}

/** Disposes a tensor or every tensor in an array / object. */
export function dispose(x: unknown): void {
  const s = new Set<Tensor>();
  collectTensors(x, s);
  for (const t of s) t.dispose();
}

/**
 * Live native tensors of this thread: `tensors` (JS handles not yet disposed or collected) and
 * `bytes` (their distinct storages). `cachedBytes`: freed large blocks the engine keeps for reuse,
 * process-wide (TENSORFOLD_CACHE_MB, default 512; `tf.emptyCache()` releases them).
 */
export function memory(): { tensors: number; bytes: number; cachedBytes: number } {
  const m = native.memory();
  return { tensors: m.tensors, bytes: m.bytes, cachedBytes: m.cachedBytes };
}

/** Returns the engine's cached free blocks to the operating system. */
export function emptyCache(): void {
  native.emptyCache();
}

export function backendInfo(): { blas: string; simd: string; threads: number } {
  return native.backendInfo();
}

export function setNumThreads(n: number): void {
  native.setNumThreads(intArg(n, 'setNumThreads', 'n'));
}
