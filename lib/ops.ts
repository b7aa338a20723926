// Functional forms of the tensor operations: tf.sum(x) is x.sum(). The elementwise ops are in
// lib/elementwise.ts, re-exported here. A plain number is accepted wherever a tensor operand is.
import { native, Handle } from './native';
import { Tensor, TensorLike, describe, intArg, wrap } from './tensor';
import { argumentError, tfError } from './errors';

export * from './elementwise';

function t(x: unknown, op: string): Tensor {
  if (x instanceof Tensor) return x;
  throw argumentError(`${op}: expected a Tensor, got ${describe(x)}`);
}

function h(x: unknown, op: string): Handle | number {
  if (x instanceof Tensor) return x._h;
  if (typeof x === 'number') return x;
  throw argumentError(`${op}: expected a Tensor or a number, got ${describe(x)}`);
}

/** Elementwise cond ? a : b, broadcasting all three. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return wrap(native.where(t(cond, 'where')._h, h(a, 'where'), h(b, 'where')));
}

/** tf.sum(x, axis?, keepdim?): x.sum(axis, keepdim), over all elements by default. */
export const sum = (x: Tensor, axis?: number | number[], keepdim = false) => t(x, 'sum').sum(axis, keepdim);
/** tf.mean(x, axis?, keepdim?): x.mean(axis, keepdim). */
export const mean = (x: Tensor, axis?: number | number[], keepdim = false) => t(x, 'mean').mean(axis, keepdim);
/** tf.max(x, axis?, keepdim?): the largest values, x.max(axis, keepdim). For elementwise max use tf.maximum. */
export const max = (x: Tensor, axis?: number | number[], keepdim = false) => t(x, 'max').max(axis, keepdim);
/** tf.min(x, axis?, keepdim?): the smallest values, x.min(axis, keepdim). For elementwise min use tf.minimum. */
export const min = (x: Tensor, axis?: number | number[], keepdim = false) => t(x, 'min').min(axis, keepdim);
/** tf.argmax(x, axis?, keepdim?): int32 index of the largest value (of the flattened tensor without axis). */
export const argmax = (x: Tensor, axis?: number, keepdim = false) => t(x, 'argmax').argmax(axis, keepdim);
/** tf.argmin(x, axis?, keepdim?): int32 index of the smallest value (of the flattened tensor without axis). */
export const argmin = (x: Tensor, axis?: number, keepdim = false) => t(x, 'argmin').argmin(axis, keepdim);
/** Variance over `axis` (all elements by default), with `correction` 1 (Bessel's, unbiased) by default. Also tf.var. */
export const variance = (x: Tensor, axis?: number | number[], keepdim = false, correction = 1) =>
  t(x, 'var').var(axis, keepdim, correction);
export { variance as var };
/** Standard deviation over `axis` (all elements by default), with `correction` 1 (unbiased) by default. */
export const std = (x: Tensor, axis?: number | number[], keepdim = false, correction = 1) =>
  t(x, 'std').std(axis, keepdim, correction);
/** log(sum(exp(x))) over `axis`, computed stably. */
export const logsumexp = (x: Tensor, axis?: number | number[], keepdim = false) => t(x, 'logsumexp').logsumexp(axis, keepdim);
/**
 * Softmax along `axis` (the last by default): exp(x) / sum(exp(x)).
 * @example tf.softmax(tf.tensor([1, 2, 3]));  // [0.090, 0.245, 0.665]
 */
export const softmax = (x: Tensor, axis = -1) => t(x, 'softmax').softmax(axis);
/** log(softmax(x)) along `axis` (the last by default), computed stably. */
export const logSoftmax = (x: Tensor, axis = -1) => t(x, 'logSoftmax').logSoftmax(axis);
/**
 * Matrix product a @ b with broadcasting batch dims: [..., n, k] @ [..., k, m] → [..., n, m].
 * @example tf.matmul(tf.randn([8, 4, 3]), tf.randn([3, 5]));  // shape [8, 4, 5]
 */
export const matmul = (a: Tensor, b: Tensor) => t(a, 'matmul').matmul(b);

/** x in a new shape (one entry may be -1). */
export const reshape = (x: Tensor, shape: number[]) => t(x, 'reshape').reshape(shape);
/** Swaps dims d0 and d1 of x (0 and 1 by default); a view. */
export const transpose = (x: Tensor, d0 = 0, d1 = 1) => t(x, 'transpose').transpose(d0, d1);
/** Reorders x's dims: output dim i is input dim dims[i]; a view. */
export const permute = (x: Tensor, dims: number[]) => t(x, 'permute').permute(dims);
/** Removes size-1 dims (all, or only `dim`); a view. */
export const squeeze = (x: Tensor, dim?: number) => t(x, 'squeeze').squeeze(dim);
/** Inserts a size-1 dim at `dim`; a view. */
export const unsqueeze = (x: Tensor, dim: number) => t(x, 'unsqueeze').unsqueeze(dim);
/** Broadcasts x's size-1 dims to `shape` without copying; a view. */
export const expand = (x: Tensor, shape: number[]) => t(x, 'expand').expand(shape);
/** Merges dims start..end (inclusive) into one. */
export const flatten = (x: Tensor, start = 0, end = -1) => t(x, 'flatten').flatten(start, end);
/** The slice start..start+length-1 of x along `dim`; a view. */
export const narrow = (x: Tensor, dim: number, start: number, length: number) => t(x, 'narrow').narrow(dim, start, length);
/** The slice of x at `index` along `dim`, that dim removed; a view. */
export const select = (x: Tensor, dim: number, index: number) => t(x, 'select').select(dim, index);
/** Splits x along `dim` into pieces of `size` (the last may be smaller). */
export const split = (x: Tensor, size: number, dim = 0) => t(x, 'split').split(size, dim);
/** Splits x along `dim` into `n` nearly equal pieces. */
export const chunk = (x: Tensor, n: number, dim = 0) => t(x, 'chunk').chunk(n, dim);
/** The slices of x along `dim`, that dim removed. */
export const unbind = (x: Tensor, dim = 0) => t(x, 'unbind').unbind(dim);
/** Picks values of x along `dim` by an int32 index of the output's shape (see Tensor.gather). */
export const gather = (x: Tensor, dim: number, index: Tensor) => t(x, 'gather').gather(dim, index);
/** The slices of x at the int32 1-d `index` along `dim`. */
export const indexSelect = (x: Tensor, dim: number, index: Tensor) => t(x, 'indexSelect').indexSelect(dim, index);
/** A copy of x with src added at the positions `index` gives along `dim` (see Tensor.scatterAdd). */
export const scatterAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor) => t(x, 'scatterAdd').scatterAdd(dim, index, src);
/** A copy of x with src's slices added at the int32 1-d `index` along `dim`. */
export const indexAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor) => t(x, 'indexAdd').indexAdd(dim, index, src);
/** One-hot encoding of int32 class indices: [...] → [..., classes]. */
export const oneHot = (x: Tensor, classes: number) => t(x, 'oneHot').oneHot(classes);
/** A copy of x with its own storage (gradient flows through). */
export const clone = (x: Tensor) => t(x, 'clone').clone();
/** x cut from the tape (shares storage; no gradient flows). */
export const detach = (x: Tensor) => t(x, 'detach').detach();

function tensorList(ts: unknown, op: string): Handle[] {
  if (!Array.isArray(ts)) throw argumentError(`${op}: expected an array of Tensors, got ${describe(ts)}`);
  if (ts.length === 0) throw tfError('ARGUMENT', `${op}: expected a non-empty array of Tensors`);
  return ts.map((x, i) => {
    if (!(x instanceof Tensor)) throw argumentError(`${op}: element ${i} is not a Tensor (got ${describe(x)})`);
    return x._h;
  });
}

/**
 * Joins tensors along an existing dim `dim`; the other dims must agree. Also tf.cat.
 * @example tf.concat([tf.zeros([2, 3]), tf.ones([1, 3])]);  // shape [3, 3]
 */
export function concat(ts: Tensor[], dim = 0): Tensor {
  return wrap(native.concat(tensorList(ts, 'concat'), intArg(dim, 'concat', 'dim')));
}
/** Joins tensors along an existing dim (the same as concat). */
export const cat = concat;
/** Joins same-shaped tensors along a new dim `dim`: n tensors of [a, b] → [n, a, b] for dim 0. */
export function stack(ts: Tensor[], dim = 0): Tensor {
  return wrap(native.stack(tensorList(ts, 'stack'), intArg(dim, 'stack', 'dim')));
}
