// Dtypes and argument checking shared by every public function: what JavaScript can get wrong
// (types, integer-ness) is caught here with a TypeError naming the op; shape and range checks are
// left to the engine, which names the op and the shapes in its errors.
import { native, type Handle } from './native';
import { Tensor } from './tensor_class';
import { argumentError, axisError, dtypeError, rangeError, show } from './errors';

/**
 * A tensor's element type. int64, uint8, float16 and bfloat16 are storage dtypes: math on them runs
 * in int64 (natively), int32 and float32 (the half types) and rounds back.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool' | 'int64' | 'uint8' | 'float16' | 'bfloat16';
/** Anything accepted where a tensor operand is: a Tensor or a plain number. */
export type TensorLike = Tensor | number;
/** Nested arrays of numbers or booleans. */
export type NestedArray = number | boolean | NestedArray[];

/** The engine's dtype codes, in order (native/core/tensor.h). */
export const DTYPES: DType[] = ['float32', 'float64', 'int32', 'bool', 'int64', 'uint8', 'float16', 'bfloat16'];
/** Whether d is float16 or bfloat16 (storage dtypes that compute in float32). */
export function isHalf(d: DType): boolean {
  return d === 'float16' || d === 'bfloat16';
}
/** Whether d is a floating-point dtype (the half types included: they can require grad). */
export function isFloating(d: DType): boolean {
  return d === 'float32' || d === 'float64' || isHalf(d);
}
/** Whether d is an integer dtype (bool is not). */
export function isInteger(d: DType): boolean {
  return d === 'int32' || d === 'int64' || d === 'uint8';
}
/** Bytes per element of d, as the engine stores it (native/core/tensor.h TF_DTYPES). */
export function dtypeBytes(d: DType): number {
  return native.dtypeSizes[dtypeCode(d)];
}
export function dtypeCode(d: DType, op = 'tensor'): number {
  const c = DTYPES.indexOf(d);
  if (c < 0) throw dtypeError(`${op}: unknown dtype ${show(d)} (expected one of ${DTYPES.join(', ')})`);
  return c;
}

/**
 * An index tensor as int32, the engine's index dtype: int32 as is, int64 narrowed (PyTorch's index
 * dtype; a value beyond int32 cannot index any dim, so it is a RangeError here).
 */
export function int32Index(t: Tensor, op: string, what: string): Tensor {
  if (t.dtype === 'int32') return t;
  if (t.dtype !== 'int64') throw dtypeError(`${op}: ${what} must be an int32 or int64 tensor, got ${t.dtype}`);
  if (t.size > 0) {
    const lo = t.min().item(), hi = t.max().item();
    if (lo < -2147483648 || hi > 2147483647)
      throw rangeError(`${op}: ${what} value ${lo < -2147483648 ? lo : hi} is out of range`);
  }
  return t.to('int32');
}

/** A tensor's values as a numeric typed array (int64 as float64: exact while |v| <= 2^53). */
export function numbersOf(t: Tensor): Float32Array | Float64Array | Int32Array | Uint8Array {
  const v = t.toTypedArray();
  // By tag, not instanceof: the addon's arrays come from Node's realm.
  return Object.prototype.toString.call(v) === '[object BigInt64Array]' ? Float64Array.from(v as BigInt64Array, Number)
    : v as Float32Array | Float64Array | Int32Array | Uint8Array;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (x instanceof Tensor) return `Tensor of shape [${x.shape}]`;
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 20 ? x.slice(0, 20) + '…' : x)}`;
  return typeof x;
}

export function checkTensor(x: unknown, op: string, what = 'argument'): Tensor {
  if (!(x instanceof Tensor)) throw argumentError(`${op}: ${what} must be a Tensor, got ${describe(x)}`);
  return x;
}

/** The native handle of a Tensor or a number operand, checking the type. */
export function operand(x: unknown, op: string): Handle | number {
  if (x instanceof Tensor) return x._h;
  if (typeof x === 'number') return x;
  throw argumentError(`${op}: expected a Tensor or a number, got ${describe(x)}`);
}

export function axesArg(axis: number | number[] | undefined | null, op: string): number | number[] | null {
  if (axis === undefined || axis === null) return null;
  if (typeof axis === 'number') return intArg(axis, op, 'axis');
  if (Array.isArray(axis)) return axis.map((a) => intArg(a, op, 'axis'));
  throw argumentError(`${op}: axis must be a number or an array of numbers, got ${describe(axis)}`);
}

/** Options objects: undefined takes the defaults; null or a non-object is a TypeError naming the op. */
export function checkOptions(opts: unknown, op: string): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts))
    throw argumentError(`${op}: options must be an object, got ${describe(opts)}`);
}

export function intArg(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw argumentError(`${op}: ${what} must be an integer, got ${typeof v === 'number' ? v : describe(v)}`);
  return v;
}

export function numArg(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number') throw argumentError(`${op}: ${what} must be a number, got ${describe(v)}`);
  return v;
}

export function shapeArg(shape: unknown, op: string): number[] {
  if (typeof shape === 'number') shape = [shape];
  if (!Array.isArray(shape)) throw argumentError(`${op}: shape must be an array of integers, got ${describe(shape)}`);
  return shape.map((d) => intArg(d, op, 'every shape entry'));
}

/** One axis of x (negative counts from the end; a 0-d tensor has axis 0), or a RangeError (ERR_TENSORFOLD_AXIS). */
export function axisOf(x: { readonly ndim: number; readonly shape: number[] }, axis: unknown, op: string): number {
  const a = intArg(axis, op, 'axis');
  const n = Math.max(x.ndim, 1);
  if (a < -n || a >= n) throw axisError(`${op}: axis ${a} is out of range for a tensor of shape [${x.shape}]`);
  return a < 0 ? a + n : a;
}

/** An optional boolean option: dflt when undefined, a TypeError for anything but a boolean. */
export function boolOpt(v: unknown, dflt: boolean, op: string, what: string): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw argumentError(`${op}: ${what} must be a boolean, got ${describe(v)}`);
  return v;
}
