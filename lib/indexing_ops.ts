// Indexing and masking ops (issue #9): each a function tf.op(x, ...) that lib/methods.ts also
// installs as the method x.op(...). Views (diagonal, basic x.index(...)) come from the engine's
// strided views (native/core/ops_mask.cpp); the rest compose where / gather / indexSelect /
// indexAdd / scatterAdd, so their gradients and second order follow from those ops. Index values
// are read on the host to check their range: an out-of-range index is a RangeError naming the op
// and the shape instead of whatever the composed op would report.
import { native } from './native';
import { Tensor, wrap } from './tensor_class';
import { DType, TensorLike, checkOptions, checkTensor, describe, dtypeCode, int32Index, intArg, isInteger, numbersOf } from './args';
import { argumentError, axisError, dtypeError, shapeError, show, stateError } from './errors';
import * as I from './inplace';
import { keep } from './memory';

type H = Tensor['_h'];
const views = native as unknown as {
  sliceStep(h: H, dim: number, start: number, step: number, length: number): H;
  diagonalView(h: H, offset: number, d1: number, d2: number): H;
  triangle(h: H, k: number, lower: boolean): H;
};
const int32 = (v: ArrayLike<number>, shape: number[] = [v.length]): Tensor => wrap(native.fromTyped(Int32Array.from(v), shape, 2));
const bools = (v: ArrayLike<number>, shape: number[]): Tensor => wrap(native.fromTyped(Uint8Array.from(v), shape, 3));
const zerosOf = (shape: number[], dtype: DType): Tensor => wrap(native.full(shape, 0, dtypeCode(dtype)));
const where = (c: Tensor, a: Tensor | number, b: Tensor | number): Tensor =>
  wrap(native.where(c._h, a instanceof Tensor ? a._h : a, b instanceof Tensor ? b._h : b));
const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

function dimArg(ndim: number, d: unknown, op: string): number {
  const n = Math.max(ndim, 1);
  const a = intArg(d, op, 'dim');
  if (a < -n || a >= n) throw axisError(`${op}: dim ${a} is out of range for a tensor of ${ndim} dims`);
  return a < 0 ? a + n : a;
}
function intTensor(t: unknown, op: string, what: string): Tensor {
  checkTensor(t, op, what);
  return int32Index(t as Tensor, op, what);
}
// Index values checked against a dim of size n (negatives count from the end when `wrap`): the
// values as numbers, normalised.
function indexValues(idx: Tensor, n: number, op: string, shape: number[], wrapNeg = true): Int32Array {
  const v = Int32Array.from(idx.contiguous().toTypedArray() as Int32Array);
  for (let i = 0; i < v.length; i++) {
    const k = v[i];
    if (k >= n || k < (wrapNeg ? -n : 0))
      throw axisError(`${op}: index ${k} is out of range for a dim of size ${n} (tensor of shape [${shape}])`);
    if (k < 0) v[i] = k + n;
  }
  return v;
}
function valueArg(value: unknown, x: Tensor, op: string): Tensor | number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  checkTensor(value, op, 'value');
  if ((value as Tensor).ndim !== 0) throw shapeError(`${op}: value must be a number or a 0-d tensor, got shape [${(value as Tensor).shape}]`);
  return (value as Tensor).to(x.dtype);
}

// ---- triangles and diagonals ----

function triangle(x: Tensor, k: number, op: string, lower: boolean): Tensor {
  checkTensor(x, op);
  intArg(k, op, 'k');
  if (x.ndim < 2) throw shapeError(`${op}: expected a tensor of at least 2 dims, got shape [${x.shape}]`);
  // One native copy pass (native/core/ops_triangle.cpp): the rest is set to 0, never multiplied.
  return wrap(views.triangle(x._h, k, lower));
}
/** The lower triangle of the last two dims (elements with j - i <= k), the rest zero. */
export const tril = (x: Tensor, k = 0): Tensor => triangle(x, k, 'tril', true);
/** The upper triangle of the last two dims (elements with j - i >= k), the rest zero. */
export const triu = (x: Tensor, k = 0): Tensor => triangle(x, k, 'triu', false);

/** The diagonal of dims d1, d2 (a view, moved to the last dim); offset > 0 above the main diagonal. */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  checkTensor(x, 'diagonal');
  intArg(offset, 'diagonal', 'offset');
  if (x.ndim < 2) throw shapeError(`diagonal: expected a tensor of at least 2 dims, got shape [${x.shape}]`);
  const a = dimArg(x.ndim, dim1, 'diagonal'), b = dimArg(x.ndim, dim2, 'diagonal');
  if (a === b) throw shapeError(`diagonal: dim1 and dim2 must differ, got ${a} twice`);
  return wrap(views.diagonalView(x._h, offset, a, b));
}
/** A 1-D x as the k-th diagonal of a square matrix; a 2-D x's k-th diagonal (a copy). */
export function diag(x: Tensor, k = 0): Tensor {
  checkTensor(x, 'diag');
  intArg(k, 'diag', 'k');
  if (x.ndim === 2) return diagonal(x, k).clone();
  if (x.ndim !== 1) throw shapeError(`diag: expected a 1-D or 2-D tensor, got shape [${x.shape}]`);
  const n = x.shape[0] + Math.abs(k);
  const pos = Array.from({ length: x.shape[0] }, (_, i) => (k >= 0 ? i * n + i + k : (i - k) * n + i));
  return zerosOf([n * n], x.dtype).indexAdd(0, int32(pos), x).reshape([n, n]);
}
/** The sum of the main diagonal of a 2-D tensor. */
export function trace(x: Tensor): Tensor {
  checkTensor(x, 'trace');
  if (x.ndim !== 2) throw shapeError(`trace: expected a 2-D tensor, got shape [${x.shape}]`);
  return diagonal(x).sum();
}

// ---- masks ----

function boolMask(mask: unknown, op: string): Tensor {
  checkTensor(mask, op, 'mask');
  if ((mask as Tensor).dtype !== 'bool') throw dtypeError(`${op}: mask must be a bool tensor, got ${(mask as Tensor).dtype}`);
  return mask as Tensor;
}
/** x with value (a number or a 0-d tensor) where mask (broadcast to x's shape) is true. */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  checkTensor(x, 'maskedFill');
  const m = boolMask(mask, 'maskedFill');
  const v = valueArg(value, x, 'maskedFill');
  const r = where(m, v, x);
  if (r.shape.join() !== x.shape.join())
    throw shapeError(`maskedFill: mask of shape [${m.shape}] does not broadcast to the tensor's shape [${x.shape}]`);
  return r;
}
function broadcastPair(a: Tensor, b: Tensor, op: string): [Tensor, Tensor] {
  const n = Math.max(a.ndim, b.ndim);
  const sa = [...Array(n - a.ndim).fill(1), ...a.shape], sb = [...Array(n - b.ndim).fill(1), ...b.shape];
  const s = sa.map((v, i) => {
    if (v === sb[i] || sb[i] === 1) return v;
    if (v === 1) return sb[i];
    throw shapeError(`${op}: shapes [${a.shape}] and [${b.shape}] do not broadcast`);
  });
  return [a.reshape(sa).expand(s), b.reshape(sb).expand(s)];
}
/** The elements of x where mask is true (both broadcast), as a 1-D tensor. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkTensor(x, 'maskedSelect');
  const [xx, mm] = broadcastPair(x, boolMask(mask, 'maskedSelect'), 'maskedSelect');
  const m = mm.contiguous().toTypedArray();
  const pos: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i]) pos.push(i);
  return xx.reshape([-1]).indexSelect(0, int32(pos));
}
/** The coordinates of the non-zero elements: int32 [n, ndim], or with {asTuple: true} one 1-D tensor per dim. */
export function nonzero(x: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  checkTensor(x, 'nonzero');
  checkOptions(opts, 'nonzero');
  const v = numbersOf(x.contiguous());
  const shape = x.shape, nd = shape.length;
  const coords: number[][] = Array.from({ length: nd }, () => []);
  const flat: number[] = [];
  let count = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0) continue;  // NaN counts as non-zero, as in PyTorch
    count++;
    let r = i;
    for (let d = nd - 1; d >= 0; d--) { coords[d].push(r % shape[d]); r = Math.floor(r / shape[d]); }
  }
  if (opts.asTuple) return nd === 0 ? [int32(Array(count).fill(0))] : coords.map((c) => int32(c));
  for (let i = 0; i < count; i++) for (let d = 0; d < nd; d++) flat.push(coords[d][i]);
  return int32(flat, [count, nd]);
}
/** x.gather(dim, indices) with x and indices broadcast over the other dims; over the flattened x without dim. */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number): Tensor {
  checkTensor(x, 'takeAlongDim');
  const idx = intTensor(indices, 'takeAlongDim', 'indices');
  if (dim === undefined || dim === null) {
    indexValues(idx, x.size, 'takeAlongDim', x.shape, false);
    return x.reshape([-1]).gather(0, idx.reshape([-1]));
  }
  if (idx.ndim !== x.ndim) throw shapeError(`takeAlongDim: indices of shape [${idx.shape}] must have as many dims as x of shape [${x.shape}]`);
  const d = dimArg(x.ndim, dim, 'takeAlongDim');
  if (x.ndim === 0) return x.reshape([1]).gather(0, idx.reshape([1])).reshape([]);
  indexValues(idx, x.shape[d], 'takeAlongDim', x.shape, false);
  const s = x.shape.map((v, i) => {
    const w = idx.shape[i];
    if (i === d || v === w || w === 1) return v;
    if (v === 1) return w;
    throw shapeError(`takeAlongDim: x of shape [${x.shape}] and indices of shape [${idx.shape}] do not broadcast`);
  });
  const xs = s.map((v, i) => (i === d ? x.shape[d] : v)), is = s.map((v, i) => (i === d ? idx.shape[d] : v));
  return x.expand(xs).gather(d, idx.expand(is).contiguous());
}
/** The elements of the flattened x at index (negatives from the end), in index's shape. */
export function take(x: Tensor, index: Tensor): Tensor {
  checkTensor(x, 'take');
  const idx = intTensor(index, 'take', 'index');
  const v = indexValues(idx, x.size, 'take', x.shape);
  return x.reshape([-1]).indexSelect(0, int32(v)).reshape(idx.shape);
}

// ---- scatters ----

// For each element of index (row-major), the flat position in x it writes to.
function scatterTargets(x: Tensor, d: number, idx: Tensor, op: string): Int32Array {
  const xs = x.ndim === 0 ? [1] : x.shape;
  const is = idx.ndim === 0 ? [1] : idx.shape;
  if (is.length !== xs.length) throw shapeError(`${op}: index of shape [${idx.shape}] must have as many dims as the tensor of shape [${x.shape}]`);
  is.forEach((v, i) => {
    if (i !== d && v > xs[i]) throw shapeError(`${op}: index of shape [${idx.shape}] is larger than the tensor of shape [${x.shape}] in dim ${i}`);
  });
  const vals = indexValues(idx, xs[d], op, x.shape, false);
  const out = new Int32Array(vals.length);
  const xst = xs.map((_, i) => prod(xs.slice(i + 1)));
  for (let i = 0; i < vals.length; i++) {
    let r = i, p = 0;
    for (let k = is.length - 1; k >= 0; k--) {
      const c = r % is[k];
      r = Math.floor(r / is[k]);
      p += (k === d ? vals[i] : c) * xst[k];
    }
    out[i] = p;
  }
  return out;
}
function srcFor(src: unknown, x: Tensor, idx: Tensor, op: string): Tensor {
  if (typeof src === 'number') return wrap(native.full(idx.shape, src, dtypeCode(x.dtype)));
  checkTensor(src, op, 'src');
  const s = src as Tensor;
  if (s.ndim !== idx.ndim) throw shapeError(`${op}: src of shape [${s.shape}] must have as many dims as index of shape [${idx.shape}]`);
  let r = s;
  idx.shape.forEach((v, i) => {
    if (v > s.shape[i]) throw shapeError(`${op}: index of shape [${idx.shape}] is larger than src of shape [${s.shape}] in dim ${i}`);
    if (v < s.shape[i]) r = r.narrow(i, 0, v);
  });
  return r.dtype === x.dtype ? r : r.to(x.dtype);
}
// Elements of x hit by the targets, as a bool tensor of x's shape; the count of hits per element.
function hits(x: Tensor, targets: Int32Array): [Tensor, Int32Array] {
  const c = new Int32Array(x.size);
  for (const t of targets) c[t]++;
  return [bools(c.map((v) => (v ? 1 : 0)), x.shape), c];
}
/**
 * x with src (a tensor, or a number) written at index along dim (PyTorch's scatter); reduce 'add'
 * or 'multiply' combine instead of overwriting. Of several writes to one place the last one wins.
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: TensorLike, opts: { reduce?: 'add' | 'multiply' } = {}): Tensor {
  checkTensor(x, 'scatter');
  checkOptions(opts, 'scatter');
  const d = dimArg(x.ndim, dim, 'scatter');
  const idx = intTensor(index, 'scatter', 'index');
  const targets = scatterTargets(x, d, idx, 'scatter');
  const s = srcFor(src, x, idx, 'scatter');
  const xx = x.ndim === 0 ? x.reshape([1]) : x;
  const ss = s.ndim === 0 ? s.reshape([1]) : s, ii = idx.ndim === 0 ? idx.reshape([1]) : idx;
  const back = (t: Tensor): Tensor => (x.ndim === 0 ? t.reshape([]) : t);
  if (opts.reduce === 'add') return back(xx.scatterAdd(d, ii.contiguous(), ss));
  if (opts.reduce === 'multiply') {
    // The product of every write and the old value, through logs of nothing: a host loop (no gradient, as in PyTorch 1.13).
    const out = Array.from(numbersOf(xx.contiguous()));
    const sv = numbersOf(ss.contiguous());
    targets.forEach((t, i) => { out[t] *= sv[i]; });
    return back(wrap(native.fromTyped(Float64Array.from(out), xx.shape, dtypeCode(x.dtype))));
  }
  if (opts.reduce !== undefined) throw argumentError(`scatter: reduce must be 'add' or 'multiply', got ${show(opts.reduce)}`);
  // Only the last write to each place counts.
  const last = new Map<number, number>();
  targets.forEach((t, i) => last.set(t, i));
  const keep = new Uint8Array(targets.length);
  for (const i of last.values()) keep[i] = 1;
  const [hit] = hits(xx, targets);
  const kept = where(bools(keep, ss.shape), ss, 0);
  return back(where(hit, 0, xx).scatterAdd(d, ii.contiguous(), kept));
}
/**
 * PyTorch's scatter_reduce: 'sum' | 'prod' | 'mean' | 'amax' | 'amin' of the writes to each place,
 * with x's own value unless includeSelf is false. All are differentiable.
 */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: string,
  opts: { includeSelf?: boolean } = {}): Tensor {
  checkTensor(x, 'scatterReduce');
  checkOptions(opts, 'scatterReduce');
  const d = dimArg(x.ndim, dim, 'scatterReduce');
  const idx = intTensor(index, 'scatterReduce', 'index');
  if (!['sum', 'prod', 'mean', 'amax', 'amin'].includes(reduce as string))
    throw argumentError(`scatterReduce: reduce must be 'sum', 'prod', 'mean', 'amax' or 'amin', got ${show(reduce)}`);
  checkTensor(src, 'scatterReduce', 'src');
  const targets = scatterTargets(x, d, idx, 'scatterReduce');
  const s = srcFor(src, x, idx, 'scatterReduce');
  const self = opts.includeSelf !== false;
  const xx = x.ndim === 0 ? x.reshape([1]) : x;
  const ss = s.ndim === 0 ? s.reshape([1]) : s, ii = (idx.ndim === 0 ? idx.reshape([1]) : idx).contiguous();
  const back = (t: Tensor): Tensor => (x.ndim === 0 ? t.reshape([]) : t);
  const [hit, count] = hits(xx, targets);
  const base = self ? xx : where(hit, 0, xx);
  if (reduce === 'sum') return back(base.scatterAdd(d, ii, ss));
  if (reduce === 'mean') {
    const total = base.scatterAdd(d, ii, ss);
    const n = Array.from(count, (c) => Math.max(1, c + (self ? 1 : 0)));
    const nt = wrap(native.fromTyped(Int32Array.from(n), xx.shape, 2)).to(x.dtype);
    // Integer means round toward -inf, as PyTorch's floor division does.
    return back(isInteger(x.dtype) ? total.floorDivide(nt) : total.div(nt));
  }
  // prod / amax / amin: a host loop. prod's gradient is one tape node (scatterProdGrad); amax / amin
  // get PyTorch's (shared evenly among the elements equal to the result) below.
  const xv = numbersOf(xx.contiguous());
  const out = Array.from(xv);
  const sv = numbersOf(ss.contiguous());
  const seen = new Uint8Array(out.length);
  targets.forEach((t, i) => {
    const v = sv[i];
    if (!self && !seen[t]) { out[t] = v; seen[t] = 1; return; }
    out[t] = reduce === 'prod' ? out[t] * v : reduce === 'amax' ? (Number.isNaN(v) || v > out[t] ? v : out[t]) : (Number.isNaN(v) || v < out[t] ? v : out[t]);
  });
  // float64 holds every value of every dtype here (int64 up to 2^53); the engine converts to x's dtype.
  const typed = (o: ArrayLike<number>) => Float64Array.from(o);
  const flatOut = wrap(native.fromTyped(typed(out), xx.shape, dtypeCode(x.dtype)));
  const r = back(flatOut);
  const float = x.dtype === 'float32' || x.dtype === 'float64';
  if (!float || !native.isGradEnabled() || !(x.requiresGrad || s.requiresGrad)) return r;
  if (reduce === 'prod') {
    // The backward reads these; those made here are kept from an enclosing tidy, which would
    // dispose them before a backward() called after it.
    const own = (t: Tensor): Tensor => (t === x || t === src ? t : keep(t));
    scatterProdGrad(flatOut, own(xx), d, own(ii), own(ss), self, own(hit));
    return back(flatOut);  // reshaped after the node is recorded, so a 0-d result is on the tape
  }
  // The result plus zero-valued terms that carry the gradient: d out / d input is a constant weight
  // (1 / the number of ties), so the second derivative is zero, as it is for PyTorch's.
  const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));
  const cnt = new Float64Array(out.length), wSelf = new Float64Array(out.length), wSrc = new Float64Array(sv.length);
  for (let p = 0; p < out.length; p++) if ((self || !count[p]) && same(xv[p], out[p])) { wSelf[p] = 1; cnt[p]++; }
  targets.forEach((t, i) => { if (same(sv[i], out[t])) { wSrc[i] = 1; cnt[t]++; } });
  for (let p = 0; p < out.length; p++) if (wSelf[p]) wSelf[p] /= cnt[p];
  targets.forEach((t, i) => { if (wSrc[i]) wSrc[i] /= cnt[t]; });
  const c = (v: Float64Array, shape: number[]) => wrap(native.fromTyped(typed(v), shape, dtypeCode(x.dtype)));
  // t - t.detach() is zero with gradient one; non-finite values (inf - inf) are cut out first.
  const zeroValued = (t: Tensor, w: Tensor): Tensor => {
    const f = where(t.isfinite(), t, 0);
    return f.sub(f.detach()).mul(w);
  };
  const dx = zeroValued(xx, c(wSelf, xx.shape));
  const ds = zerosOf(xx.shape, x.dtype).scatterAdd(d, ii, zeroValued(ss, c(wSrc, ss.shape)));
  return back(r.reshape(xx.shape).add(dx).add(ds));
}
/**
 * Records out = scatterReduce(x, d, index, src, 'prod', {includeSelf}) on the tape, with PyTorch
 * 1.13's backward (scatter_reduce_backward), written in differentiable ops so that it has a second
 * order. The gradient of a factor is the product of the other factors at its place: result / factor
 * where the factor is not zero. For a zero factor that quotient is undefined, so the product is
 * recomputed with that factor replaced by one: x's zeros all at once (each x element is alone at
 * its place), and src's zeros where a zero is the only one among the src values written to a place
 * (where two or more are, every factor's exclusive product still contains a zero and result / factor
 * is right at 0/1 = 0). Only that last case has no second order: as PyTorch, it is an Error then.
 */
function scatterProdGrad(out: Tensor, x: Tensor, d: number, index: Tensor, src: Tensor, includeSelf: boolean, hit: Tensor): void {
  const opts = { includeSelf };
  const needX = x.requiresGrad, needSrc = src.requiresGrad;
  native.customOp('scatterReduce', [x._h, src._h], [out._h], (gs) => {
    const grad = gs[0] ? wrap(gs[0]) : zerosOf(x.shape, x.dtype);
    let gx: Tensor | null = null, gsrc: Tensor | null = null;
    if (needX) {
      const xZero = x.eq(0);
      const xMasked = where(xZero, 1, x);
      gx = grad.mul(scatterReduce(xMasked, d, index, src, 'prod', opts)).div(xMasked);
      // Without self, a place that is written takes nothing from x.
      if (!includeSelf) gx = where(hit, 0, gx);
    }
    if (needSrc) {
      const srcZero = src.eq(0);
      const zerosAt = zerosOf(x.shape, x.dtype).scatterAdd(d, index, srcZero.to(x.dtype)).gather(d, index);
      const singleZero = srcZero.logicalAnd(zerosAt.eq(1));
      const srcMasked = where(singleZero, 1, src);
      const withoutZero = scatterReduce(x, d, index, srcMasked, 'prod', opts);
      const result = scatterReduce(x, d, index, src, 'prod', opts);  // recomputed: a saved copy would hold this node
      gsrc = where(singleZero, grad.mul(withoutZero).gather(d, index),
        grad.mul(result).gather(d, index).div(where(srcZero, 1, src)));
      if (native.isGradEnabled() && gsrc.requiresGrad && zerosAt.gt(1).any().item()) gsrc = noSecondOrder(gsrc);
    }
    return [gx ? gx._h : null, gsrc ? gsrc._h : null];
  });
}
// g's values, on a node whose backward is an Error (PyTorch's DelayedError).
function noSecondOrder(g: Tensor): Tensor {
  const copy = wrap(native.detach(g._h)).clone();
  native.customOp('scatterReduce', [g._h], [copy._h], () => {
    throw stateError('scatterReduce: the second derivative of \'prod\' with respect to src is not supported where ' +
      'two or more zeros of src are written to the same place (as in PyTorch)');
  });
  return copy;
}
function dimMask(x: Tensor, d: number, picked: Int32Array): Tensor {
  const n = x.ndim === 0 ? 1 : x.shape[d];
  const m = new Uint8Array(n);
  for (const k of picked) m[k] = 1;
  const shape = x.ndim === 0 ? [] : x.shape.map((v, i) => (i === d ? n : 1));
  return bools(m, shape);
}
/** x with value (a number or a 0-d tensor) in the slices at index along dim. */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: TensorLike): Tensor {
  checkTensor(x, 'indexFill');
  const d = dimArg(x.ndim, dim, 'indexFill');
  const idx = intTensor(index, 'indexFill', 'index');
  if (idx.ndim > 1) throw shapeError(`indexFill: index must be 0-d or 1-D, got shape [${idx.shape}]`);
  const picked = indexValues(idx, x.ndim === 0 ? 1 : x.shape[d], 'indexFill', x.shape);
  return where(dimMask(x, d, picked), valueArg(value, x, 'indexFill'), x);
}
/** x with the slices at index along dim replaced by those of source (last one wins on repeats). */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  checkTensor(x, 'indexCopy');
  const d = dimArg(x.ndim, dim, 'indexCopy');
  const idx = intTensor(index, 'indexCopy', 'index');
  checkTensor(source, 'indexCopy', 'source');
  if (idx.ndim > 1) throw shapeError(`indexCopy: index must be 0-d or 1-D, got shape [${idx.shape}]`);
  const picked = indexValues(idx, x.ndim === 0 ? 1 : x.shape[d], 'indexCopy', x.shape);
  const xx = x.ndim === 0 ? x.reshape([1]) : x;
  const want = xx.shape.map((v, i) => (i === d ? picked.length : v));
  const src = source.ndim === 0 && x.ndim === 0 ? source.reshape([1]) : source;
  if (src.shape.join() !== want.join())
    throw shapeError(`indexCopy: source of shape [${source.shape}] does not fit index of ${picked.length} elements into [${x.shape}] along dim ${d}`);
  const last = new Map<number, number>();
  picked.forEach((p, i) => last.set(p, i));
  const keepIdx = [...last.values()].sort((a, b) => a - b);
  const srcKept = keepIdx.length === picked.length ? src : src.indexSelect(d, int32(keepIdx));
  const out = where(dimMask(xx, d, picked), 0, xx).indexAdd(d, int32(keepIdx.map((i) => picked[i])), srcKept.to(x.dtype));
  return x.ndim === 0 ? out.reshape([]) : out;
}

// ---- x.index(...) and x.indexPut_(...) ----

type IndexItem = number | string | null | Tensor;
function parseSlice(s: string, n: number, dim: number): [number, number, number] {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^\s*(-?\d+)?\s*$/.test(p)))
    throw argumentError(`index: ${show(s)} is not a slice ('start:stop:step', each part optional)`);
  const num = (p: string | undefined): number | null => (p === undefined || p.trim() === '' ? null : parseInt(p, 10));
  const step = num(parts[2]) ?? 1;
  if (step <= 0) throw argumentError(`index: slice step must be positive, got ${step} (for dim ${dim})`);
  const clamp = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    const w = v < 0 ? v + n : v;
    return Math.min(Math.max(w, 0), n);
  };
  const start = clamp(num(parts[0]), 0), stop = clamp(num(parts[1]), n);
  return [start, Math.max(0, Math.ceil((stop - start) / step)), step];
}
/**
 * x[spec] with PyTorch's rules: numbers (negative from the end), slice strings ('1:5:2'), '...',
 * null (a new axis), int32 tensors (advanced indexing, broadcast together) and bool tensors (a mask
 * over as many dims as they have). Without tensors the result is a view of x.
 */
export function index(x: Tensor, ...spec: IndexItem[]): Tensor {
  checkTensor(x, 'index');
  const consumed = spec.map((it) => (it === null || it === '...' ? 0 : it instanceof Tensor && it.dtype === 'bool' ? it.ndim : 1));
  const ell = spec.filter((it) => it === '...').length;
  if (ell > 1) throw argumentError('index: at most one \'...\' is allowed');
  const used = consumed.reduce((a, b) => a + b, 0);
  if (used > x.ndim) throw axisError(`index: ${used} indices for a tensor of ${x.ndim} dims (shape [${x.shape}])`);
  let v = x, d = 0;
  const adv: { pos: number; t: Tensor }[] = [];
  for (const it of spec) {
    if (it === '...') { d += x.ndim - used; continue; }
    if (it === null) { v = v.unsqueeze(d); d++; continue; }
    if (typeof it === 'number') {
      intArg(it, 'index', 'an index');
      const n = v.shape[d];
      if (it < -n || it >= n) throw axisError(`index: index ${it} is out of range for dim ${d} of size ${n} (shape [${x.shape}])`);
      v = v.select(d, it);
      continue;
    }
    if (typeof it === 'string') {
      const [start, len, step] = parseSlice(it, v.shape[d], d);
      if (step !== 1) v = wrap(views.sliceStep(v._h, d, start, step, len));
      else if (start !== 0 || len !== v.shape[d]) v = v.narrow(d, start, len);
      d++;
      continue;
    }
    if (it instanceof Tensor) {
      if (it.dtype === 'bool') {
        if (it.ndim === 0) {
          v = v.unsqueeze(d);
          adv.push({ pos: d, t: int32(it.item() ? [0] : []) });
          d++;
          continue;
        }
        const ms = v.shape.slice(d, d + it.ndim);
        if (ms.join() !== it.shape.join()) throw axisError(`index: mask of shape [${it.shape}] does not match dims [${ms}] of shape [${x.shape}]`);
        (nonzero(it, { asTuple: true }) as Tensor[]).forEach((c) => adv.push({ pos: d++, t: c }));
        continue;
      }
      if (it.dtype !== 'int32' && it.dtype !== 'int64') throw dtypeError(`index: index tensors must be int32, int64 or bool, got ${it.dtype}`);
      adv.push({ pos: d++, t: int32Index(it, 'index', 'index tensor') });
      continue;
    }
    throw argumentError(`index: an index must be a number, a slice string, '...', null or a Tensor, got ${describe(it)}`);
  }
  if (adv.length === 0) return v;
  return advanced(v, adv, x.shape);
}
function advanced(v: Tensor, adv: { pos: number; t: Tensor }[], xshape: number[]): Tensor {
  const nb = Math.max(...adv.map((a) => a.t.ndim));
  const bshape = Array(nb).fill(1);
  for (const { t } of adv) {
    const s = [...Array(nb - t.ndim).fill(1), ...t.shape];
    s.forEach((w, i) => {
      if (w === bshape[i] || w === 1) return;
      if (bshape[i] !== 1) throw shapeError(`index: index tensors of shapes ${adv.map((a) => `[${a.t.shape}]`).join(', ')} do not broadcast`);
      bshape[i] = w;
    });
  }
  const total = prod(bshape);
  const lin = new Int32Array(total);
  const sizes = adv.map((a) => v.shape[a.pos]);
  adv.forEach(({ pos, t }, k) => {
    const vals = indexValues(t, v.shape[pos], 'index', xshape);
    const mult = prod(sizes.slice(k + 1));
    const ts = [...Array(nb - t.ndim).fill(1), ...t.shape];
    for (let i = 0; i < total; i++) {
      // The broadcast element of t for output element i.
      let r = i, src = 0, stride = 1;
      for (let dd = nb - 1; dd >= 0; dd--) {
        const c = r % bshape[dd];
        r = Math.floor(r / bshape[dd]);
        if (ts[dd] !== 1) src += c * stride;
        stride *= ts[dd];
      }
      lin[i] += vals[src] * mult;
    }
  });
  const advDims = adv.map((a) => a.pos);
  const rest = v.shape.map((_, i) => i).filter((i) => !advDims.includes(i));
  const restShape = rest.map((i) => v.shape[i]);
  const flat = v.permute([...advDims, ...rest]).reshape([prod(sizes), ...restShape]);
  let out = flat.indexSelect(0, int32(lin)).reshape([...bshape, ...restShape]);
  const adjacent = advDims.every((p, i) => i === 0 || p === advDims[i - 1] + 1);
  if (adjacent && advDims[0] > 0) {
    // PyTorch puts the broadcast dims where the (adjacent) index tensors were.
    const p = advDims[0];
    const perm = [...Array(nb).keys()].map((i) => i + p);
    const others = [...Array(restShape.length).keys()].map((i) => i + nb);
    out = out.permute([...others.slice(0, p), ...perm.map((_, i) => i), ...others.slice(p)]);
  }
  return out;
}
/** x[spec] = value in place (value a number or a tensor broadcast to x[spec]'s shape), recorded by the tape. */
export function indexPut_(x: Tensor, spec: IndexItem[], value: TensorLike): Tensor {
  checkTensor(x, 'indexPut_');
  if (!Array.isArray(spec)) throw argumentError(`indexPut_: spec must be an array of index items, got ${describe(spec)}`);
  if (!spec.some((it) => it instanceof Tensor)) {
    I.copy_(index(x, ...spec), value);
    return x;
  }
  // The flat positions x[spec] selects, and the value written there; the rest keeps x.
  const ids = wrap(native.arange(0, x.size, 1, 2)).reshape(x.shape);
  const pos = index(ids, ...spec);
  const p = Int32Array.from(pos.contiguous().toTypedArray() as Int32Array);
  let val: Tensor;
  if (typeof value === 'number') val = wrap(native.full(pos.shape, value, dtypeCode(x.dtype)));
  else {
    checkTensor(value, 'indexPut_', 'value');
    try { val = value.to(x.dtype).expand(pos.shape); } catch {
      throw shapeError(`indexPut_: value of shape [${value.shape}] does not broadcast to the indexed shape [${pos.shape}]`);
    }
  }
  const last = new Map<number, number>();
  p.forEach((q, i) => last.set(q, i));
  const keep = [...last.values()].sort((a, b) => a - b);
  const hit = new Uint8Array(x.size);
  for (const q of p) hit[q] = 1;
  const src = x.requiresGrad ? x.clone() : x;
  const written = where(bools(hit, [x.size]), 0, src.reshape([-1]))
    .indexAdd(0, int32(keep.map((i) => p[i])), val.reshape([-1]).indexSelect(0, int32(keep))).reshape(x.shape);
  I.copy_(x, written);
  return x;
}
