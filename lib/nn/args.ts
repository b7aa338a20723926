// Argument checks shared by the layers and functions added in lib/nn (one wording for every op).
import { Handle, kernels as native } from '../kernels';
import { DType, Tensor, describe, dtypeCode, isFloating, wrap } from '../tensor';
import { argumentError, dtypeError, internalError, rangeError, show } from '../errors';
import { where } from '../ops';

/** @internal */
export function need(x: unknown, op: string, what = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw argumentError(`${op}: ${what} must be a Tensor, got ${describe(x)}`);
  return x;
}
/** @internal */
export function needFloat(x: unknown, op: string, what = 'input'): Tensor {
  const t = need(x, op, what);
  if (!isFloating(t.dtype))
    throw argumentError(`${op}: ${what} must be a floating-point tensor, got ${t.dtype} [${t.shape}]`);
  return t;
}
/** @internal */
export function optTensor(x: unknown, op: string, what: string): Tensor | null {
  if (x === undefined || x === null) return null;
  return need(x, op, what);
}
/** @internal n integers from a number (repeated) or an array of 1 or n integers. */
export function tuple(v: unknown, n: number, op: string, what: string): number[] {
  // Array.from: holes become undefined (every() would skip them) and the result cannot change later.
  const a = typeof v === 'number' ? new Array(n).fill(v) : Array.isArray(v) && v.length === 1 ? new Array(n).fill(v[0]) :
    Array.isArray(v) ? Array.from(v) : v;
  if (!Array.isArray(a) || a.length !== n || !a.every((x) => Number.isInteger(x)))
    throw argumentError(`${op}: ${what} must be an integer or an array of ${n} integers, got ${show(v)}`);
  return a as number[];
}
/** @internal */
export function posInt(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw argumentError(`${op}: ${what} must be a positive integer, got ${typeof v === 'number' ? v : describe(v)}`);
  return v;
}
/** @internal */
export function num(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw argumentError(`${op}: ${what} must be a number, got ${describe(v)}`);
  return v;
}
/** @internal A dim in [-ndim, ndim) made non-negative. */
export function axis(d: unknown, ndim: number, op: string, what = 'dim'): number {
  if (typeof d !== 'number' || !Number.isInteger(d))
    throw argumentError(`${op}: ${what} must be an integer, got ${describe(d)}`);
  if (d < -ndim || d >= ndim) throw rangeError(`${op}: ${what} ${d} is out of range for a tensor of ${ndim} dims`);
  return d < 0 ? d + ndim : d;
}
/** @internal A native kernel by name, or an Error saying that this build lacks it. */
export function kernel(name: string): (...args: unknown[]) => Handle {
  const f = (native as unknown as Record<string, unknown>)[name];
  if (typeof f !== 'function') throw internalError(`${name}: this build of the native addon has no ${name} kernel`);
  return f as (...args: unknown[]) => Handle;
}
/** @internal An int32 index tensor. */
export function indexTensor(ix: ArrayLike<number>): Tensor {
  return wrap(native.fromTyped(Int32Array.from(ix), [ix.length], dtypeCode('int32')));
}
/** @internal A 1-d tensor of dtype (float) holding values. */
export function floatTensor(v: ArrayLike<number>, dtype: string, shape: number[] = [v.length]): Tensor {
  const arr = dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v);
  return wrap(native.fromTyped(arr, shape, dtypeCode(dtype as DType)));
}
export type Reduction = 'mean' | 'sum' | 'none';
/** @internal */
export function reductionArg(r: unknown, op: string): Reduction {
  const v = r === undefined ? 'mean' : r;
  if (v !== 'mean' && v !== 'sum' && v !== 'none')
    throw argumentError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${show(r)}`);
  return v;
}
/** @internal */
export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? loss : reduction === 'sum' ? loss.sum() : loss.mean();
}
/** A bool mask (true = masked) as 0 / −inf; a float mask as is. @internal */
export function maskToAdditive(mask: Tensor, dtype: 'float32' | 'float64' | string, op: string, what: string): Tensor {
  need(mask, op, what);
  if (mask.dtype === 'bool') return where(mask, -Infinity, 0).to(dtype as 'float32');
  if (mask.dtype === 'float32' || mask.dtype === 'float64') return mask.dtype === dtype ? mask : mask.to(dtype as 'float32');
  throw dtypeError(`${op}: ${what} must be a bool or floating-point tensor, got ${mask.dtype} [${mask.shape}]`);
}
