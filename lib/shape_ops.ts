// Shape ops (issue #9): each a function tf.op(x, ...) that lib/methods.ts also installs as the
// method x.op(...). All are compositions of views, narrow/concat, indexSelect and expand, so their
// gradients (and second order) follow from those. tf-level functions over several tensors
// (meshgrid, einsum, pad, ...) are in lib/shape_functions.ts.
import { native } from './native';
import { Tensor, wrap } from './tensor_class';
import { checkTensor, describe, intArg, numbersOf, shapeArg } from './args';
import { argumentError, axisError, rangeError, shapeError } from './errors';

// A dim index, negative counting from the end; RangeError naming the op otherwise.
function dimArg(x: Tensor | number, d: unknown, op: string, extra = 0): number {
  const n = typeof x === 'number' ? x : Math.max(x.ndim, 1);
  const nd = n + extra;
  const a = intArg(d, op, 'dim');
  if (a < -nd || a >= nd) throw axisError(`${op}: dim ${a} is out of range for ${nd} dims`);
  return a < 0 ? a + nd : a;
}
function dimsArg(x: Tensor, dims: unknown, op: string): number[] {
  const list = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(list)) throw argumentError(`${op}: dims must be an integer or an array of integers, got ${describe(dims)}`);
  const out = list.map((d) => dimArg(x, d, op));
  if (new Set(out).size !== out.length) throw shapeError(`${op}: dims [${list}] repeat a dim`);
  return out;
}
const int32 = (v: number[]): Tensor => wrap(native.fromTyped(Int32Array.from(v), [v.length], 2));
const cat = (ts: Tensor[], d: number): Tensor => (ts.length === 1 ? ts[0] : wrap(native.concat(ts.map((t) => t._h), d)));

/** Reverses the order along each of dims. */
export function flip(x: Tensor, dims: number | number[]): Tensor {
  checkTensor(x, 'flip');
  let r = x;
  if (x.ndim === 0) { dimsArg(x, dims, 'flip'); return x.clone(); }
  for (const d of dimsArg(x, dims, 'flip')) {
    const n = x.shape[d];
    r = r.indexSelect(d, int32(Array.from({ length: n }, (_, i) => n - 1 - i)));
  }
  return r === x ? x.clone() : r;
}
/** Rotates elements along dims by shifts (numbers or arrays of equal length); without dims, over the flattened tensor. */
export function roll(x: Tensor, shifts: number | number[], dims?: number | number[]): Tensor {
  checkTensor(x, 'roll');
  const sh = typeof shifts === 'number' ? [shifts] : shifts;
  if (!Array.isArray(sh)) throw argumentError(`roll: shifts must be an integer or an array of integers, got ${describe(shifts)}`);
  sh.forEach((s) => intArg(s, 'roll', 'shift'));
  if (dims === undefined || dims === null) {
    if (sh.length !== 1) throw shapeError(`roll: without dims, shifts must be one number, got [${sh}]`);
    return roll(x.reshape([-1]), sh, 0).reshape(x.shape);
  }
  const ds = dimsArg(x, dims, 'roll');
  if (ds.length !== sh.length) throw shapeError(`roll: shifts [${sh}] and dims [${ds}] must have the same length`);
  let r = x;
  ds.forEach((d, k) => {
    const n = x.ndim === 0 ? 1 : x.shape[d];
    if (n === 0 || x.ndim === 0) return;
    const s = ((sh[k] % n) + n) % n;
    if (s) r = cat([r.narrow(d, n - s, s), r.narrow(d, 0, n - s)], d);
  });
  return r === x ? x.clone() : r;
}
/** Rotates by 90° k times in the plane of dims (from the first towards the second). */
export function rot90(x: Tensor, k = 1, dims: number[] = [0, 1]): Tensor {
  checkTensor(x, 'rot90');
  intArg(k, 'rot90', 'k');
  if (!Array.isArray(dims) || dims.length !== 2) throw shapeError(`rot90: dims must be two dims, got ${describe(dims)}`);
  if (x.ndim < 2) throw shapeError(`rot90: expected at least 2 dims, got shape [${x.shape}]`);
  const [a, b] = dims.map((d) => dimArg(x, d, 'rot90'));
  if (a === b) throw shapeError(`rot90: dims must differ, got [${dims}]`);
  const m = ((k % 4) + 4) % 4;
  if (m === 1) return flip(x, b).transpose(a, b);
  if (m === 2) return flip(x, [a, b]);
  if (m === 3) return flip(x, a).transpose(a, b);
  return x.clone();
}
function sizesOf(sizes: (number | number[])[], op: string): number[] {
  const s = sizes.length === 1 && Array.isArray(sizes[0]) ? sizes[0] : sizes;
  const out = shapeArg(s, op);
  for (const v of out) if (v < 0) throw rangeError(`${op}: sizes must be non-negative, got [${out}]`);
  return out;
}
/** Tiles x: repeat(2, 3) of a [a, b] tensor is [2a, 3b] (PyTorch's Tensor.repeat; sizes may add leading dims). */
export function repeat(x: Tensor, ...sizes: (number | number[])[]): Tensor {
  checkTensor(x, 'repeat');
  const reps = sizesOf(sizes, 'repeat');
  if (reps.length < x.ndim)
    throw shapeError(`repeat: ${reps.length} repeat counts for a tensor of ${x.ndim} dims (need at least ${x.ndim})`);
  const shape = [...Array(reps.length - x.ndim).fill(1), ...x.shape];
  const inter: number[] = [], big: number[] = [], out: number[] = [];
  shape.forEach((s, i) => { inter.push(1, s); big.push(reps[i], s); out.push(reps[i] * s); });
  // clone: with every count 1, or an empty x (contiguous() has nothing to copy), the chain is a view
  // of x, and repeat always copies (as PyTorch's), so an in-place change of the result must not reach x.
  const r = x.reshape(inter).expand(big).contiguous().reshape(out);
  return reps.every((k) => k === 1) || x.size === 0 ? r.clone() : r;
}
/** numpy.tile: like repeat, with missing leading counts taken as 1. */
export function tile(x: Tensor, ...reps: (number | number[])[]): Tensor {
  checkTensor(x, 'tile');
  const r = sizesOf(reps, 'tile');
  return repeat(x, [...Array(Math.max(0, x.ndim - r.length)).fill(1), ...r]);
}
/** Repeats each element `repeats` times (a number, or an int32 tensor of one count per element) along dim (flattened when omitted). */
export function repeatInterleave(x: Tensor, repeats: number | Tensor, dim?: number): Tensor {
  checkTensor(x, 'repeatInterleave');
  if (dim === undefined || dim === null) return repeatInterleave(x.reshape([-1]), repeats, 0);
  const d = dimArg(x, dim, 'repeatInterleave');
  const xx = x.ndim === 0 ? x.reshape([1]) : x;
  const n = xx.shape[d];
  let counts: number[];
  if (typeof repeats === 'number') {
    intArg(repeats, 'repeatInterleave', 'repeats');
    if (repeats < 0) throw rangeError(`repeatInterleave: repeats must be non-negative, got ${repeats}`);
    counts = Array(n).fill(repeats);
  } else {
    checkTensor(repeats, 'repeatInterleave', 'repeats');
    if (repeats.dtype !== 'int32' && repeats.dtype !== 'int64') throw argumentError(`repeatInterleave: repeats must be an int32 or int64 tensor, got ${repeats.dtype}`);
    counts = Array.from(numbersOf(repeats));
    if (repeats.ndim > 1 || (counts.length !== n && counts.length !== 1))
      throw shapeError(`repeatInterleave: repeats of shape [${repeats.shape}] do not match dim ${d} of size ${n}`);
    if (counts.length === 1) counts = Array(n).fill(counts[0]);
    if (counts.some((c) => c < 0)) throw rangeError('repeatInterleave: repeats must be non-negative');
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total > 2 ** 31 - 1) throw rangeError(`repeatInterleave: ${total} repeats along dim ${d} are more than an int32 index can address`);
  const idx: number[] = [];
  counts.forEach((c, i) => { for (let k = 0; k < c; k++) idx.push(i); });
  return xx.indexSelect(d, int32(idx));
}
/** Moves dims `source` to positions `destination` (numbers or arrays of equal length), keeping the others in order. */
export function movedim(x: Tensor, source: number | number[], destination: number | number[]): Tensor {
  checkTensor(x, 'movedim');
  const src = dimsArg(x, source, 'movedim'), dst = dimsArg(x, destination, 'movedim');
  if (src.length !== dst.length) throw shapeError(`movedim: source [${src}] and destination [${dst}] must have the same length`);
  if (x.ndim === 0) return x;
  const perm = Array<number>(x.ndim).fill(-1);
  src.forEach((s, i) => { perm[dst[i]] = s; });
  const rest = Array.from({ length: x.ndim }, (_, i) => i).filter((i) => !src.includes(i));
  let k = 0;
  for (let i = 0; i < perm.length; i++) if (perm[i] < 0) perm[i] = rest[k++];
  return x.permute(perm);
}
/** Swaps two dims (transpose(axis0, axis1)); a view. */
export const swapaxes = (x: Tensor, axis0: number, axis1: number): Tensor => checkTensor(x, 'swapaxes').transpose(axis0, axis1);
/** Swaps two dims (the same as swapaxes); a view. */
export const swapdims = swapaxes;
/** Splits dim into sizes (one may be -1). */
export function unflatten(x: Tensor, dim: number, sizes: number[]): Tensor {
  checkTensor(x, 'unflatten');
  const d = dimArg(x, dim, 'unflatten');
  const s = shapeArg(sizes, 'unflatten');
  if (s.length === 0) throw shapeError('unflatten: sizes must be non-empty');
  const shape = x.shape;
  const known = s.filter((v) => v !== -1).reduce((a, b) => a * b, 1);
  if (s.filter((v) => v === -1).length > 1 || (s.includes(-1) ? known === 0 || shape[d] % known !== 0 : known !== shape[d]))
    throw shapeError(`unflatten: sizes [${s}] do not multiply to dim ${d} of size ${shape[d]}`);
  return x.reshape([...shape.slice(0, d), ...s.map((v) => (v === -1 ? shape[d] / known : v)), ...shape.slice(d + 1)]);
}
/** x expanded to `shape` by broadcasting (expand); a view. */
export const broadcastTo = (x: Tensor, shape: number[]): Tensor => checkTensor(x, 'broadcastTo').expand(shapeArg(shape, 'broadcastTo'));
/** x expanded to other's shape (expand); a view. */
export const expandAs = (x: Tensor, other: Tensor): Tensor => checkTensor(x, 'expandAs').expand(checkTensor(other, 'expandAs', 'other').shape);
/** x reshaped to other's shape. */
export const reshapeAs = (x: Tensor, other: Tensor): Tensor => checkTensor(x, 'reshapeAs').reshape(checkTensor(other, 'reshapeAs', 'other').shape);
/** x viewed in other's shape (the same as reshapeAs). */
export const viewAs = (x: Tensor, other: Tensor): Tensor => checkTensor(x, 'viewAs').reshape(checkTensor(other, 'viewAs', 'other').shape);
