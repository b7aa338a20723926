// Shared pieces of lib/linalg: the typed binding surface, argument checks, named results.
import { argumentError, axisError, dtypeError, shapeError } from '../errors';
import { Handle, native } from '../native';
import { Tensor, checkOptions, describe } from '../tensor';

type H = Handle;
/** The linear-algebra entry points of the addon (native/binding/linalg.cc). */
export interface LinalgBinding {
  linalgSolve(a: H, b: H, left: boolean): H;
  linalgSolveTriangular(a: H, b: H, upper: boolean, left: boolean, unitriangular: boolean): H;
  linalgInv(a: H): H;
  linalgDet(a: H): H;
  linalgSlogdet(a: H): [H, H];
  linalgCholesky(a: H, upper: boolean): H;
  linalgQr(a: H, mode: string): [H, H];
  linalgSvd(a: H, fullMatrices: boolean, computeUV: boolean): [H, H, H];
  linalgEigh(a: H, lower: boolean, computeV: boolean): [H, H];
  linalgPinv(a: H, atol: number, rtol: number, hermitian: boolean): H;
  lapackBackend(): string;
}
export const la = native as unknown as LinalgBinding;

export function tensorArg(x: unknown, op: string, what = 'A'): Tensor {
  if (!(x instanceof Tensor)) throw argumentError(`${op}: ${what} must be a Tensor, got ${describe(x)}`);
  return x;
}

export function floatArg(x: unknown, op: string, what = 'A'): Tensor {
  const t = tensorArg(x, op, what);
  if (t.dtype !== 'float32' && t.dtype !== 'float64')
    throw dtypeError(`${op}: expected ${what} to be float32 or float64, got ${t.dtype} with shape [${t.shape}]`);
  return t;
}

/** A float tensor with at least `min` dims. */
export function matrixArg(x: unknown, op: string, what = 'A', min = 2): Tensor {
  const t = floatArg(x, op, what);
  if (t.ndim < min) throw shapeError(`${op}: ${what} must have at least ${min} dimensions, got shape [${t.shape}]`);
  return t;
}

export function squareArg(x: unknown, op: string): Tensor {
  const t = matrixArg(x, op);
  const s = t.shape;
  if (s[s.length - 1] !== s[s.length - 2])
    throw shapeError(`${op}: A must be batches of square matrices, but they are ${s[s.length - 2]} by ${s[s.length - 1]} matrices (shape [${s}])`);
  return t;
}

export function options<T extends object>(opts: T | undefined, op: string): T {
  if (opts === undefined) return {} as T;
  checkOptions(opts, op);
  return opts;
}

export { boolOpt } from '../args';

export function numOpt(v: unknown, op: string, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v)) throw argumentError(`${op}: ${what} must be a number, got ${describe(v)}`);
  return v;
}

/**
 * PyTorch returns named tuples from decompositions; here the result is an array in PyTorch's order
 * (so `const [U, S, Vh] = svd(A)` works) that also carries the fields by name (`svd(A).S`).
 */
export function named<K extends string>(values: Tensor[], names: readonly K[]): Tensor[] & Record<K, Tensor> {
  const out = values.slice() as Tensor[] & Record<K, Tensor>;
  names.forEach((n, i) => {
    Object.defineProperty(out, n, { value: values[i], enumerable: false, writable: false });
  });
  return out;
}

export function eps(dtype: string): number {
  return dtype === 'float32' ? 1.1920928955078125e-7 : 2.220446049250313e-16;
}

/** Negative dims counted from the end; RangeError naming the op otherwise. */
export function normDim(d: number, ndim: number, op: string): number {
  if (typeof d !== 'number' || !Number.isInteger(d)) throw argumentError(`${op}: dim must be an integer, got ${describe(d)}`);
  const r = d < 0 ? d + ndim : d;
  if (r < 0 || r >= ndim) throw axisError(`${op}: dim ${d} is out of range for a tensor with ${ndim} dimensions`);
  return r;
}
