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

export const sum = (x: Tensor, axis?: number | number[], keepdim = false) => t(x, 'sum').sum(axis, keepdim);
export const mean = (x: Tensor, axis?: number | number[], keepdim = false) => t(x, 'mean').mean(axis, keepdim);
export const max = (x: Tensor, axis?: number | number[], keepdim = false) => t(x, 'max').max(axis, keepdim);
export const min = (x: Tensor, axis?: number | number[], keepdim = false) => t(x, 'min').min(axis, keepdim);
export const argmax = (x: Tensor, axis?: number, keepdim = false) => t(x, 'argmax').argmax(axis, keepdim);
export const argmin = (x: Tensor, axis?: number, keepdim = false) => t(x, 'argmin').argmin(axis, keepdim);
export const variance = (x: Tensor, axis?: number | number[], keepdim = false, correction = 1) =>
  t(x, 'var').var(axis, keepdim, correction);
export { variance as var };
export const std = (x: Tensor, axis?: number | number[], keepdim = false, correction = 1) =>
  t(x, 'std').std(axis, keepdim, correction);
export const logsumexp = (x: Tensor, axis?: number | number[], keepdim = false) => t(x, 'logsumexp').logsumexp(axis, keepdim);
export const softmax = (x: Tensor, axis = -1) => t(x, 'softmax').softmax(axis);
export const logSoftmax = (x: Tensor, axis = -1) => t(x, 'logSoftmax').logSoftmax(axis);
export const matmul = (a: Tensor, b: Tensor) => t(a, 'matmul').matmul(b);

export const reshape = (x: Tensor, shape: number[]) => t(x, 'reshape').reshape(shape);
export const transpose = (x: Tensor, d0 = 0, d1 = 1) => t(x, 'transpose').transpose(d0, d1);
export const permute = (x: Tensor, dims: number[]) => t(x, 'permute').permute(dims);
export const squeeze = (x: Tensor, dim?: number) => t(x, 'squeeze').squeeze(dim);
export const unsqueeze = (x: Tensor, dim: number) => t(x, 'unsqueeze').unsqueeze(dim);
export const expand = (x: Tensor, shape: number[]) => t(x, 'expand').expand(shape);
export const flatten = (x: Tensor, start = 0, end = -1) => t(x, 'flatten').flatten(start, end);
export const narrow = (x: Tensor, dim: number, start: number, length: number) => t(x, 'narrow').narrow(dim, start, length);
export const select = (x: Tensor, dim: number, index: number) => t(x, 'select').select(dim, index);
export const split = (x: Tensor, size: number, dim = 0) => t(x, 'split').split(size, dim);
export const chunk = (x: Tensor, n: number, dim = 0) => t(x, 'chunk').chunk(n, dim);
export const unbind = (x: Tensor, dim = 0) => t(x, 'unbind').unbind(dim);
export const gather = (x: Tensor, dim: number, index: Tensor) => t(x, 'gather').gather(dim, index);
export const indexSelect = (x: Tensor, dim: number, index: Tensor) => t(x, 'indexSelect').indexSelect(dim, index);
export const scatterAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor) => t(x, 'scatterAdd').scatterAdd(dim, index, src);
export const indexAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor) => t(x, 'indexAdd').indexAdd(dim, index, src);
export const oneHot = (x: Tensor, classes: number) => t(x, 'oneHot').oneHot(classes);
export const clone = (x: Tensor) => t(x, 'clone').clone();
export const detach = (x: Tensor) => t(x, 'detach').detach();

function tensorList(ts: unknown, op: string): Handle[] {
  if (!Array.isArray(ts)) throw argumentError(`${op}: expected an array of Tensors, got ${describe(ts)}`);
  if (ts.length === 0) throw tfError('ARGUMENT', `${op}: expected a non-empty array of Tensors`);
  return ts.map((x, i) => {
    if (!(x instanceof Tensor)) throw argumentError(`${op}: element ${i} is not a Tensor (got ${describe(x)})`);
    return x._h;
  });
}

export function concat(ts: Tensor[], dim = 0): Tensor {
  return wrap(native.concat(tensorList(ts, 'concat'), intArg(dim, 'concat', 'dim')));
}
export const cat = concat;
export function stack(ts: Tensor[], dim = 0): Tensor {
  return wrap(native.stack(tensorList(ts, 'stack'), intArg(dim, 'stack', 'dim')));
}
