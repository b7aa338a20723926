// Creating tensors: from data, filled, ranges, random (the seeded generator).
import { native } from './native';
import { Tensor, wrap } from './tensor_class';
import { DType, NestedArray, checkOptions, checkTensor, describe, dtypeCode, intArg, shapeArg } from './args';
import { argumentError, rangeError, shapeError } from './errors';
import { Generator, generatorArg } from './generator';

/** Options of tf.tensor. */
export interface TensorOptions {
  /** The element type (by default inferred from the data: float32, or bool for all-boolean data). */
  dtype?: DType;
  /** Reshape the data to this shape (the element count must match). */
  shape?: number[];
  /** Make the new tensor a leaf that records gradients. */
  requiresGrad?: boolean;
}
/** Options of the creation functions (zeros, ones, full, arange, ...). */
export interface CreateOptions {
  /** The element type (float32 by default, int32 for integer ranges and randint). */
  dtype?: DType;
  /** Make the new tensor a leaf that records gradients. */
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
        throw argumentError(`tensor: non-numeric value ${describe(x)} at index [${where}]`);
      }
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d])
      throw argumentError(`tensor: ragged nested array: expected length ${shape[d]} at index [${where}], got ` +
        (Array.isArray(x) ? `length ${x.length}` : describe(x)));
    for (let i = 0; i < x.length; i++) walk(x[i], d + 1, [...where, i]);
  };
  walk(data, 0, []);
  if (n === 0) allBool = false;
  return { flat, shape, allBool };
}

/**
 * Creates a tensor from a number, nested arrays (shape inferred; float32, or bool for all-boolean
 * data), a typed array (1-d, dtype from the array's kind: Float32Array → float32, Int32Array →
 * int32, Uint8Array → bool, BigInt64Array → int64...), or another tensor (copied). opts.shape reshapes flat data.
 * @example const x = tf.tensor([[1, 2, 3], [4, 5, 6]]);  // shape [2, 3], float32
 */
export function tensor(data: NestedArray | Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array | Tensor,
  opts: TensorOptions = {}): Tensor {
  checkOptions(opts, 'tensor');
  if (data instanceof Tensor) return finish(opts.dtype ? data.to(opts.dtype).clone() : data.clone(), opts);
  let flat: Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    // By tag, not instanceof: typed arrays from another realm (vm contexts, jest) count too.
    const tag = (data as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
    if (tag === 'Float32Array') dtype = 'float32';
    else if (tag === 'Float64Array') dtype = 'float64';
    else if (tag === 'Int32Array') dtype = 'int32';
    else if (tag === 'Uint8Array') dtype = 'bool';
    else if (tag === 'BigInt64Array') dtype = 'int64';
    else throw argumentError(`tensor: typed arrays must be Float32Array, Float64Array, Int32Array, Uint8Array or BigInt64Array, got ${tag ?? 'a DataView'}`);
    flat = data as Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array;
    shape = [flat.length];
  } else {
    if (typeof data !== 'number' && typeof data !== 'boolean' && !Array.isArray(data))
      throw argumentError(`tensor: data must be a number, boolean, nested array or typed array, got ${describe(data)}`);
    const r = flattenNested(data);
    flat = r.flat;
    shape = r.shape;
    dtype = r.allBool ? 'bool' : 'float32';
  }
  if (opts.shape !== undefined) {
    const s = shapeArg(opts.shape, 'tensor');
    const n = s.reduce((a, b) => a * b, 1);
    if (n !== flat.length)
      throw shapeError(`tensor: ${flat.length} values do not fill shape [${s}] (${n} elements)`);
    shape = s;
  }
  if (opts.dtype !== undefined) dtype = opts.dtype;
  return finish(wrap(native.fromTyped(flat, shape, dtypeCode(dtype))), opts);
}

// A new tensor's shape: the engine would also refuse a negative size, but in its own name ("tensor").
function createShape(shape: number | number[], op: string): number[] {
  const dims = shapeArg(shape, op);
  if (dims.some((d) => d < 0)) throw rangeError(`${op}: negative dimension in shape [${dims}]`);
  return dims;
}

/**
 * A tensor of zeros of the given shape (float32 unless opts.dtype).
 * @example tf.zeros([2, 3]);
 */
export function zeros(shape: number | number[], opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'zeros');
  return finish(wrap(native.full(createShape(shape, 'zeros'), 0, dtypeCode(opts.dtype ?? 'float32', 'zeros'))), opts);
}
/** A tensor of ones of the given shape (float32 unless opts.dtype). */
export function ones(shape: number | number[], opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'ones');
  return finish(wrap(native.full(createShape(shape, 'ones'), 1, dtypeCode(opts.dtype ?? 'float32', 'ones'))), opts);
}
/** A tensor of the given shape filled with `value` (float32, or bool for a boolean value, unless opts.dtype). */
export function full(shape: number | number[], value: number | boolean, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'full');
  if (typeof value !== 'number' && typeof value !== 'boolean')
    throw argumentError(`full: value must be a number, got ${describe(value)}`);
  const dt = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  return finish(wrap(native.full(createShape(shape, 'full'), +value, dtypeCode(dt, 'full'))), opts);
}
/** Zeros with t's shape and dtype (opts may override the dtype). */
export function zerosLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'zerosLike');
  return zeros(checkTensor(t, 'zerosLike').shape, { dtype: t.dtype, ...opts });
}
/** Ones with t's shape and dtype (opts may override the dtype). */
export function onesLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'onesLike');
  return ones(checkTensor(t, 'onesLike').shape, { dtype: t.dtype, ...opts });
}
/** `value` everywhere, with t's shape and dtype (opts may override the dtype). */
export function fullLike(t: Tensor, value: number, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'fullLike');
  return full(checkTensor(t, 'fullLike').shape, value, { dtype: t.dtype, ...opts });
}

/** arange(end) or arange(start, end, step = 1); int32 when all arguments are integers. */
export function arange(a: number, b?: number, step = 1, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'arange');
  const [start, end] = b === undefined ? [0, a] : [a, b];
  for (const [v, w] of [[start, 'start'], [end, 'end'], [step, 'step']] as const)
    if (typeof v !== 'number' || Number.isNaN(v)) throw argumentError(`arange: ${w} must be a number, got ${describe(v)}`);
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dt = opts.dtype ?? (allInt ? 'int32' : 'float32');
  return finish(wrap(native.arange(start, end, step, dtypeCode(dt, 'arange'))), opts);
}
/**
 * `n` evenly spaced values from start to end, both included (float32 unless opts.dtype).
 * @example tf.linspace(0, 1, 5);  // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, end: number, n: number, opts: CreateOptions = {}): Tensor {
  checkOptions(opts, 'linspace');
  return finish(wrap(native.linspace(start, end, intArg(n, 'linspace', 'n'), dtypeCode(opts.dtype ?? 'float32', 'linspace'))), opts);
}
/** The identity matrix [n, m] (m defaults to n): ones on the diagonal. Options may follow n directly, as `torch.eye(n, dtype=…)`. */
export function eye(n: number, opts?: CreateOptions): Tensor;
export function eye(n: number, m?: number, opts?: CreateOptions): Tensor;
export function eye(n: number, mOrOpts?: number | CreateOptions, maybeOpts: CreateOptions = {}): Tensor {
  // torch.eye(n, dtype=…) passes the options by keyword; here they may follow n directly.
  const [m, opts] = typeof mOrOpts === 'object' && mOrOpts !== null ? [undefined, mOrOpts] : [mOrOpts, maybeOpts];
  checkOptions(opts, 'eye');
  const nn = intArg(n, 'eye', 'n');
  const mm = m === undefined ? nn : intArg(m, 'eye', 'm');
  return finish(wrap(native.eye(nn, mm, dtypeCode(opts.dtype ?? 'float32', 'eye'))), opts);
}
/** Options of the random creation functions: CreateOptions plus the generator to draw from. */
export interface RandomOptions extends CreateOptions {
  /** Draw from this tf.Generator instead of the global one. */
  generator?: Generator;
}
/** One draw from opts.generator, or from the global generator (tf.manualSeed) without one. */
function draw(kind: 'rand' | 'randn' | 'randint', shape: number[], dtype: number, opts: RandomOptions, op: string,
  a?: number, b?: number): Tensor {
  const g = generatorArg(opts.generator, op);
  return wrap(g ? g._draw(kind, shape, dtype, a, b) : native.random(kind, shape, dtype, a, b));
}
/**
 * Samples from the standard normal distribution N(0, 1) (float32 unless opts.dtype), from
 * opts.generator or the global generator (tf.manualSeed).
 * @example const w = tf.randn([784, 10], { requiresGrad: true });
 */
export function randn(shape: number | number[], opts: RandomOptions = {}): Tensor {
  checkOptions(opts, 'randn');
  return finish(draw('randn', createShape(shape, 'randn'), dtypeCode(opts.dtype ?? 'float32', 'randn'), opts, 'randn'), opts);
}
/** Samples uniformly from [0, 1) (float32 unless opts.dtype), from opts.generator or the global generator. */
export function rand(shape: number | number[], opts: RandomOptions = {}): Tensor {
  checkOptions(opts, 'rand');
  return finish(draw('rand', createShape(shape, 'rand'), dtypeCode(opts.dtype ?? 'float32', 'rand'), opts, 'rand'), opts);
}
/** Integers uniformly in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: number | number[], opts: RandomOptions = {}): Tensor {
  checkOptions(opts, 'randint');
  return draw('randint', createShape(shape, 'randint'), dtypeCode(opts.dtype ?? 'int32', 'randint'), opts, 'randint',
    intArg(low, 'randint', 'low'), intArg(high, 'randint', 'high'));
}
/** Seeds the global random generator (randn, rand, dropout, initialisers), for reproducible runs. */
export function manualSeed(seed: number): void {
  intArg(seed, 'manualSeed', 'seed');
  native.manualSeed(seed);
}
