// Sorting and selection (issue #9): each a function tf.op(x, ...) that lib/methods.ts also
// installs as the method x.op(...). The permutation is a native stable sort
// (native/core/ops_scan.cpp, NaN counted as the largest value, as PyTorch); values are a gather of
// the input by it, so they are differentiable through gather. Indices are int32 (PyTorch: int64).
// unique, searchsorted and bucketize give integer or value results without gradient, as PyTorch.
import { native } from './native';
import { Tensor, wrap } from './tensor_class';
import { TensorLike, axisOf, boolOpt, checkOptions, checkTensor, describe, dtypeCode, intArg, numbersOf } from './args';
import { argumentError, rangeError, shapeError } from './errors';

type H = Tensor['_h'];
const more = native as unknown as { scan(kind: string, h: H, axis: number, flag?: boolean, k?: number): H };

function order(x: Tensor, ax: number, descending: boolean, k = -1): Tensor {
  return wrap(more.scan('sort', x._h, ax, descending, k));
}
const pick = (x: Tensor, ax: number, idx: Tensor): Tensor => (x.ndim === 0 ? x.clone() : x.gather(ax, idx));

/** [values, indices] sorted along axis (stable: equal values keep their order; NaN is largest). */
export function sort(x: Tensor, axis = -1, opts: { descending?: boolean; stable?: boolean } = {}): [Tensor, Tensor] {
  checkTensor(x, 'sort');
  checkOptions(opts, 'sort');
  const ax = axisOf(x, axis, 'sort');
  const desc = boolOpt(opts.descending, false, 'sort', 'descending');
  boolOpt(opts.stable, false, 'sort', 'stable');
  const idx = order(x, ax, desc);
  return [pick(x, ax, idx), idx];
}
/** The indices that sort x along axis (int32). */
export function argsort(x: Tensor, axis = -1, opts: { descending?: boolean; stable?: boolean } = {}): Tensor {
  checkTensor(x, 'argsort');
  checkOptions(opts, 'argsort');
  boolOpt(opts.stable, false, 'argsort', 'stable');
  return order(x, axisOf(x, axis, 'argsort'), boolOpt(opts.descending, false, 'argsort', 'descending'));
}
/** [values, indices] of the k largest (or smallest) along axis, largest first unless largest is false. */
export function topk(x: Tensor, k: number, axis = -1, opts: { largest?: boolean; sorted?: boolean } = {}): [Tensor, Tensor] {
  checkTensor(x, 'topk');
  checkOptions(opts, 'topk');
  intArg(k, 'topk', 'k');
  const ax = axisOf(x, axis, 'topk');
  const n = x.ndim === 0 ? 1 : x.shape[ax];
  if (k < 0 || k > n) throw rangeError(`topk: k = ${k} is out of range for a dim of size ${n}`);
  const largest = boolOpt(opts.largest, true, 'topk', 'largest');
  boolOpt(opts.sorted, true, 'topk', 'sorted');
  const idx = order(x, ax, largest, x.ndim > 0 ? k : -1);
  return [pick(x, ax, idx), idx];
}
/** [values, indices] of the k-th smallest element (k from 1) along axis. */
export function kthvalue(x: Tensor, k: number, axis = -1, keepdim = false): [Tensor, Tensor] {
  checkTensor(x, 'kthvalue');
  intArg(k, 'kthvalue', 'k');
  if (typeof keepdim !== 'boolean') throw argumentError(`kthvalue: keepdim must be a boolean, got ${describe(keepdim)}`);
  const ax = axisOf(x, axis, 'kthvalue');
  const n = x.ndim === 0 ? 1 : x.shape[ax];
  if (k < 1 || k > n) throw rangeError(`kthvalue: k = ${k} is out of range for a dim of size ${n}`);
  if (x.ndim === 0) return [x.clone(), wrap(native.full([], 0, 2))];
  let idx = order(x, ax, false, k).narrow(ax, k - 1, 1).contiguous();
  const v = x.gather(ax, idx);
  if (!keepdim) idx = idx.squeeze(ax);
  return [keepdim ? v : v.squeeze(ax), idx];
}

type UniqueOpts = { sorted?: boolean; returnInverse?: boolean; returnCounts?: boolean };
/**
 * The distinct values of x (flattened), ascending. With returnInverse and/or returnCounts:
 * [values, inverse?, counts?] (those asked for, in that order); inverse has x's shape (int32).
 */
export function unique(x: Tensor, opts: UniqueOpts = {}): Tensor | Tensor[] {
  checkTensor(x, 'unique');
  checkOptions(opts, 'unique');
  boolOpt(opts.sorted, true, 'unique', 'sorted');
  const inv = boolOpt(opts.returnInverse, false, 'unique', 'returnInverse');
  const cnt = boolOpt(opts.returnCounts, false, 'unique', 'returnCounts');
  const flat = x.detach().reshape([-1]);
  const idx = order(flat, 0, false).toTypedArray() as Int32Array;
  const vals = numbersOf(flat);
  const uniq: number[] = [], counts: number[] = [];
  const inverse = new Int32Array(vals.length);
  for (let i = 0; i < idx.length; i++) {
    const v = vals[idx[i]];
    // NaN never equals itself, so each NaN is its own value (as PyTorch on the CPU)
    if (uniq.length === 0 || !(uniq[uniq.length - 1] === v)) { uniq.push(v); counts.push(0); }
    counts[counts.length - 1]++;
    inverse[idx[i]] = uniq.length - 1;
  }
  const code = dtypeCode(x.dtype);
  const values = wrap(native.fromTyped(Float64Array.from(uniq), [uniq.length], code));
  if (!inv && !cnt) return values;
  const out = [values];
  if (inv) out.push(wrap(native.fromTyped(inverse, x.shape, 2)));
  if (cnt) out.push(wrap(native.fromTyped(Int32Array.from(counts), [counts.length], 2)));
  return out;
}

/**
 * For each value, the index at which it would be inserted into the sorted last dim of
 * sortedSequence to keep it sorted (the first such index; the last with right: true). A 1-D
 * sequence serves every value; otherwise the leading dims of both must match. int32.
 */
export function searchsorted(sortedSequence: Tensor, values: TensorLike,
  opts: { right?: boolean; side?: 'left' | 'right' } = {}): Tensor {
  checkTensor(sortedSequence, 'searchsorted', 'sortedSequence');
  checkOptions(opts, 'searchsorted');
  let right = boolOpt(opts.right, false, 'searchsorted', 'right');
  if (opts.side !== undefined) {
    if (opts.side !== 'left' && opts.side !== 'right')
      throw argumentError(`searchsorted: side must be 'left' or 'right', got ${describe(opts.side)}`);
    if (opts.right === true && opts.side === 'left') throw shapeError('searchsorted: side and right disagree');
    right = opts.side === 'right';
  }
  const seq = sortedSequence;
  if (seq.ndim === 0) throw shapeError('searchsorted: sortedSequence must have at least one dim');
  const v = typeof values === 'number' ? wrap(native.full([], values, dtypeCode(seq.dtype === 'float64' ? 'float64' : 'float32'))) : checkTensor(values, 'searchsorted', 'values');
  const m = seq.shape[seq.ndim - 1];
  let rows: number, per: number;
  if (seq.ndim === 1) { rows = 1; per = v.size; } else {
    const lead = seq.shape.slice(0, -1), vlead = v.shape.slice(0, -1);
    if (v.ndim !== seq.ndim || lead.join() !== vlead.join())
      throw shapeError(`searchsorted: the leading dims of sortedSequence [${seq.shape}] and values [${v.shape}] must match`);
    rows = lead.reduce((a, b) => a * b, 1);
    per = v.shape[v.ndim - 1];
  }
  const s = numbersOf(seq.detach().contiguous()), q = numbersOf(v.detach().contiguous());
  const out = new Int32Array(q.length);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < per; j++) {
      const x = q[r * per + j];
      let lo = 0, hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const e = s[r * m + mid];
        // NaN sorts last: nothing is past it, and a NaN query goes after every number
        const before = x !== x ? e === e : right ? e <= x : e < x;
        if (before) lo = mid + 1; else hi = mid;
      }
      out[r * per + j] = lo;
    }
  }
  return wrap(native.fromTyped(out, v.shape, 2));
}
/** The bucket of each element of x among 1-D sorted boundaries: searchsorted(boundaries, x). */
export function bucketize(x: TensorLike, boundaries: Tensor, opts: { right?: boolean } = {}): Tensor {
  checkTensor(boundaries, 'bucketize', 'boundaries');
  checkOptions(opts, 'bucketize');
  if (boundaries.ndim !== 1) throw shapeError(`bucketize: boundaries must be 1-D, got shape [${boundaries.shape}]`);
  if (typeof x !== 'number') checkTensor(x, 'bucketize');
  return searchsorted(boundaries, x, { right: boolOpt(opts.right, false, 'bucketize', 'right') });
}
