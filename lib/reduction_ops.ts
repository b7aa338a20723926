// Reductions and scans beyond sum/mean/max/min (issue #9): each a function tf.op(x, ...) that
// lib/methods.ts also installs as the method x.op(...). Scans and the sorting permutation are
// native kernels (native/core/ops_scan.cpp); values picked by an index (cummax, median, quantile)
// are a gather of the input, so their gradients follow from gather's. Index results are int32.
import { native } from './native';
import { Tensor, wrap } from './tensor_class';
import { TensorLike, axisOf, checkOptions, checkTensor, describe, dtypeCode, intArg, isFloating, numArg, operand } from './args';
import * as E from './elementwise';
import { argumentError, rangeError, shapeError } from './errors';

type H = Tensor['_h'];
const more = native as unknown as { scan(kind: string, h: H, axis: number, flag?: boolean): H };

const where = (c: Tensor, a: TensorLike, b: TensorLike): Tensor =>
  wrap(native.where(c._h, operand(a, 'where'), operand(b, 'where')));
const isFloat = (x: Tensor): boolean => isFloating(x.dtype);
const floatOf = (x: Tensor): Tensor => (isFloat(x) ? x : x.to('float32'));
function keepArg(keepdim: unknown, op: string): boolean {
  if (typeof keepdim !== 'boolean') throw argumentError(`${op}: keepdim must be a boolean, got ${describe(keepdim)}`);
  return keepdim;
}
// x with `axis` (possibly undefined: all of x, flattened) as a real dim; 0-d becomes [1].
function along(x: Tensor, axis: number | undefined | null, op: string): { t: Tensor; ax: number } {
  if (axis === undefined || axis === null) return { t: x.reshape([-1]), ax: 0 };
  const ax = axisOf(x, axis, op);
  return { t: x.ndim === 0 ? x.reshape([1]) : x, ax };
}
// Back to the shape PyTorch gives: keepdim or not, 0-d in, 0-d out.
function finish(r: Tensor, x: Tensor, axis: number | undefined | null, ax: number, keepdim: boolean): Tensor {
  if (axis === undefined || axis === null) return keepdim ? r.reshape(x.shape.map(() => 1)) : r.reshape([]);
  if (x.ndim === 0) return r.reshape([]);
  return keepdim ? r : r.squeeze(ax);
}
const int32 = (v: number | number[]): Tensor => wrap(native.fromTyped(Int32Array.from(Array.isArray(v) ? v : [v]), Array.isArray(v) ? [v.length] : [], 2));

// ---- scans ----
/** Cumulative sum along axis; int and bool inputs give int32 (PyTorch: int64). */
export function cumsum(x: Tensor, axis: number): Tensor {
  checkTensor(x, 'cumsum');
  return wrap(more.scan('cumsum', x._h, intArg(axis, 'cumsum', 'axis')));
}
/**
 * Cumulative product along axis. The gradient is exact with zeros in x, and so is its derivative
 * except in a pair of zeros of one slice (taken as 0 there; finite differences give the product of
 * the others).
 */
export function cumprod(x: Tensor, axis: number): Tensor {
  checkTensor(x, 'cumprod');
  return wrap(more.scan('cumprod', x._h, intArg(axis, 'cumprod', 'axis')));
}
function cumExtreme(x: Tensor, axis: number, op: 'cummax' | 'cummin'): [Tensor, Tensor] {
  checkTensor(x, op);
  const idx = wrap(more.scan(op, x._h, intArg(axis, op, 'axis')));
  if (x.ndim === 0) return [x.clone(), idx];
  return [x.gather(axis, idx), idx];
}
/** [running max, its index] along axis (ties: the later index; NaN propagates). */
export const cummax = (x: Tensor, axis: number): [Tensor, Tensor] => cumExtreme(x, axis, 'cummax');
/** [running min, its index] along axis (ties: the later index; NaN propagates). */
export const cummin = (x: Tensor, axis: number): [Tensor, Tensor] => cumExtreme(x, axis, 'cummin');
/** log(cumsum(exp(x))) along axis, stable for large x. */
export function logcumsumexp(x: Tensor, axis: number): Tensor {
  checkTensor(x, 'logcumsumexp');
  const xf = floatOf(x);
  const { t, ax } = along(xf, axis, 'logcumsumexp');
  if (t.size === 0) return xf.clone();
  const m0 = t.detach().max(ax, true);
  const m = where(E.isfinite(m0), m0, 0);
  return E.add(E.log(cumsum(E.exp(E.sub(t, m)), ax)), m).reshape(x.shape);
}

/**
 * Product over axis (all elements when axis is omitted); 1 over an empty dim. One pass in the
 * engine (float32 accumulated in double); the gradient is PyTorch's, exact with zeros in x, and so
 * is its derivative.
 */
export function prod(x: Tensor, axis?: number, keepdim = false): Tensor {
  checkTensor(x, 'prod');
  keepArg(keepdim, 'prod');
  if (axis === undefined || axis === null) return wrap(native.reduce('prod', x._h, null, keepdim));
  const ax = axisOf(x, axis, 'prod');
  return wrap(native.reduce('prod', x._h, x.ndim === 0 ? null : ax, keepdim));
}

// ---- logical ----
/** True where any element (over axis) is nonzero; bool. */
export function any(x: Tensor, axis?: number, keepdim = false): Tensor {
  checkTensor(x, 'any');
  keepArg(keepdim, 'any');
  return E.gt(E.ne(x.detach(), 0).sum(axis, keepdim), 0);
}
/** True where every element (over axis) is nonzero; bool. */
export function all(x: Tensor, axis?: number, keepdim = false): Tensor {
  checkTensor(x, 'all');
  keepArg(keepdim, 'all');
  return E.eq(E.eq(x.detach(), 0).sum(axis, keepdim), 0);
}
/** The number of nonzero elements (over axis); int32 (PyTorch: int64). */
export function countNonzero(x: Tensor, axis?: number | number[]): Tensor {
  checkTensor(x, 'countNonzero');
  return E.ne(x.detach(), 0).sum(axis).to('int32');
}

// ---- norms and statistics ----
// sqrt / root with a zero gradient where the argument is 0 (PyTorch's norm at 0), finite at second order.
function safeRoot(s: Tensor, p: number): Tensor {
  const z = E.eq(s, 0);
  const safe = where(z, 1, s);
  return where(z, 0, p === 2 ? E.sqrt(safe) : E.pow(safe, 1 / p));
}
/** The p-norm over axis (all elements when omitted): p a number, Infinity, -Infinity or 'fro'. */
export function norm(x: Tensor, p: number | 'fro' = 2, axis?: number | number[], keepdim = false): Tensor {
  checkTensor(x, 'norm');
  keepArg(keepdim, 'norm');
  if (!isFloat(x)) throw argumentError(`norm: expected a float tensor, got ${x.dtype}`);
  if (p === 'fro') p = 2;
  numArg(p, 'norm', 'p');
  // One pass over x in the engine for p = 2 (x·x, sum and sqrt were three).
  if (p === 2) return wrap(native.reduce('norm2', x._h, axis ?? null, keepdim));
  if (p === 0) return E.ne(x, 0).to(x.dtype).sum(axis, keepdim);
  const a = E.abs(x);
  if (p === Infinity) return a.max(axis, keepdim);
  if (p === -Infinity) return a.min(axis, keepdim);
  if (p === 1) return a.sum(axis, keepdim);
  return safeRoot(E.pow(a, p).sum(axis, keepdim), p);
}
/** Largest value over `axis` (all dims by default; dims removed unless keepdim), as x.max. */
export const amax = (x: Tensor, axis?: number | number[], keepdim = false): Tensor => checkTensor(x, 'amax').max(axis, keepdim);
/** Smallest value over `axis` (all dims by default; dims removed unless keepdim), as x.min. */
export const amin = (x: Tensor, axis?: number | number[], keepdim = false): Tensor => checkTensor(x, 'amin').min(axis, keepdim);

/** Sum treating NaN as 0. */
export function nansum(x: Tensor, axis?: number | number[], keepdim = false): Tensor {
  checkTensor(x, 'nansum');
  return (isFloat(x) ? where(E.isnan(x), 0, x) : x).sum(axis, keepdim);
}
/** Mean of the non-NaN elements. */
export function nanmean(x: Tensor, axis?: number | number[], keepdim = false): Tensor {
  checkTensor(x, 'nanmean');
  if (!isFloat(x)) throw argumentError(`nanmean: expected a float tensor, got ${x.dtype}`);
  const n = E.logicalNot(E.isnan(x)).sum(axis, keepdim).to(x.dtype);
  return E.div(nansum(x, axis, keepdim), n);
}
/** [variance, mean] over axis (Bessel's correction by default). */
export function varMean(x: Tensor, axis?: number | number[], keepdim = false, correction = 1): [Tensor, Tensor] {
  checkTensor(x, 'varMean');
  return [x.var(axis, keepdim, correction), floatOf(x).mean(axis, keepdim)];
}

/** Counts of each value of a 1-D non-negative int32 tensor (or sums of `weights`), length max + 1 or minlength. */
export function bincount(x: Tensor, opts: { weights?: Tensor | null; minlength?: number } = {}): Tensor {
  checkTensor(x, 'bincount');
  checkOptions(opts, 'bincount');
  if (!['int32', 'int64', 'uint8', 'bool'].includes(x.dtype)) throw argumentError(`bincount: expected an integer tensor, got ${x.dtype}`);
  if (x.ndim !== 1) throw shapeError(`bincount: expected a 1-D tensor, got shape [${x.shape}]`);
  const minlength = intArg(opts.minlength ?? 0, 'bincount', 'minlength');
  if (minlength < 0) throw rangeError(`bincount: minlength must be non-negative, got ${minlength}`);
  const xi = x.to('int32');
  const w = opts.weights ?? null;
  if (w !== null) {
    checkTensor(w, 'bincount', 'weights');
    if (w.shape.join() !== x.shape.join())
      throw shapeError(`bincount: weights of shape [${w.shape}] do not match the input of shape [${x.shape}]`);
  }
  if (x.size && E.lt(xi, 0).sum().item() > 0) throw rangeError('bincount: the input must be non-negative');
  const n = Math.max(minlength, x.size ? xi.max().item() + 1 : 0);
  const dt = w === null ? 'int32' : w.dtype === 'float64' ? 'float64' : 'float32';
  const zeros = wrap(native.full([n], 0, dtypeCode(dt)));
  if (x.size === 0) return zeros;
  return zeros.indexAdd(0, xi, w === null ? wrap(native.full([x.size], 1, 2)) : w.to(dt));
}

// ---- order statistics (sort-based) ----
function sortIdx(t: Tensor, ax: number, descending: boolean): Tensor {
  return wrap(more.scan('sort', t._h, ax, descending));
}
/**
 * The lower median. Without axis: the median of all elements (a 0-d tensor); with axis:
 * [values, indices]. NaN propagates (the index is that of the first NaN), as PyTorch.
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, axis: number, keepdim?: boolean): [Tensor, Tensor];
export function median(x: Tensor, axis?: number, keepdim = false): Tensor | [Tensor, Tensor] {
  checkTensor(x, 'median');
  keepArg(keepdim, 'median');
  const { t, ax } = along(x, axis, 'median');
  const n = t.shape[ax];
  if (n === 0) throw shapeError(`median: cannot take the median over an empty dim of a tensor of shape [${x.shape}]`);
  const order = sortIdx(t, ax, false);
  let pos: Tensor = int32(Math.floor((n - 1) / 2));
  if (isFloat(t)) {
    const nans = E.isnan(t.detach()).sum(ax, true);
    pos = where(E.gt(nans, 0), E.sub(n, nans), pos).to('int32');
  } else {
    const s = t.shape;
    s[ax] = 1;
    pos = pos.expand(s);
  }
  pos = pos.expand(order.shape.map((d, i) => (i === ax ? 1 : d)));
  const idx = order.gather(ax, pos.contiguous());
  const values = t.gather(ax, idx);
  if (axis === undefined || axis === null) return finish(values, x, axis, ax, false);
  return [finish(values, x, axis, ax, keepdim), finish(idx, x, axis, ax, keepdim)];
}

type Interp = 'linear' | 'lower' | 'higher' | 'midpoint' | 'nearest';
/**
 * The q-th quantiles (q a number or a 1-D tensor in [0, 1]) over axis (all elements when omitted),
 * with PyTorch's interpolation modes; a tensor q adds a leading dim. NaN in a slice gives NaN.
 */
export function quantile(x: Tensor, q: TensorLike, axis?: number | null, keepdim = false,
  opts: { interpolation?: Interp } = {}): Tensor {
  checkTensor(x, 'quantile');
  keepArg(keepdim, 'quantile');
  checkOptions(opts, 'quantile');
  if (!isFloat(x)) throw argumentError(`quantile: expected a float tensor, got ${x.dtype}`);
  const mode = opts.interpolation ?? 'linear';
  if (!['linear', 'lower', 'higher', 'midpoint', 'nearest'].includes(mode))
    throw argumentError(`quantile: interpolation must be linear, lower, higher, midpoint or nearest, got ${describe(mode)}`);
  const qs: number[] = typeof q === 'number' ? [q] : (checkTensor(q, 'quantile', 'q'), q.ndim > 1
    ? (() => { throw shapeError(`quantile: q must be a number or a 0-d or 1-D tensor, got shape [${q.shape}]`); })()
    : Array.from(q.toTypedArray(), Number));
  for (const v of qs) if (!(v >= 0 && v <= 1)) throw rangeError(`quantile: q must be in [0, 1], got ${v}`);
  const { t, ax } = along(x, axis, 'quantile');
  const n = t.shape[ax];
  if (n === 0) throw shapeError(`quantile: cannot take quantiles over an empty dim of a tensor of shape [${x.shape}]`);
  const sorted = t.gather(ax, sortIdx(t, ax, false));
  const hasNan = E.isnan(t.detach()).sum(ax, true).gt(0);
  const outs = qs.map((qv) => {
    const pos = qv * (n - 1);
    let lo = Math.floor(pos), hi = Math.ceil(pos);
    let w = pos - lo;
    if (mode === 'lower') hi = lo;
    else if (mode === 'higher') lo = hi;
    else if (mode === 'nearest') { const r = roundHalfEven(pos); lo = hi = r; }
    else if (mode === 'midpoint') w = lo === hi ? 0 : 0.5;
    const a = sorted.narrow(ax, lo, 1);
    let r = lo === hi ? a : E.add(a, E.mul(E.sub(sorted.narrow(ax, hi, 1), a), w));
    r = where(hasNan, NaN, r);
    return finish(r, x, axis, ax, keepdim);
  });
  if (typeof q === 'number' || q.ndim === 0) return outs[0];
  return wrap(native.stack(outs.map((o) => o._h), 0));
}
function roundHalfEven(v: number): number {
  const f = Math.floor(v), d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
