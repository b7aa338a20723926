// tf-level shape functions over several tensors or a padding spec (not Tensor methods):
// meshgrid, broadcastTensors, einsum, hstack, vstack, pad. Compositions of views, concat, expand
// and matmul, so differentiable to any order.
import { native } from './native';
import { Tensor, wrap } from './tensor_class';
import { checkOptions, checkTensor, describe, dtypeCode, intArg, numArg } from './args';
import { flip } from './shape_ops';
import { argumentError, shapeError, tfError } from './errors';

function list(ts: unknown, op: string): Tensor[] {
  // A copy: holes in the caller's array become undefined (and fail the check) instead of being skipped.
  const arr = Array.isArray(ts) ? Array.from(ts as unknown[]) : [ts];
  if (arr.length === 0) throw tfError('ARGUMENT', `${op}: expected at least one Tensor`);
  arr.forEach((t, i) => checkTensor(t, op, `element ${i}`));
  return arr as Tensor[];
}
const cat = (ts: Tensor[], d: number): Tensor => (ts.length === 1 ? ts[0] : wrap(native.concat(ts.map((t) => t._h), d)));

/** Coordinate grids from 1-D tensors; indexing 'ij' (matrix, the default) or 'xy' (Cartesian). */
export function meshgrid(tensors: Tensor[], opts: { indexing?: 'ij' | 'xy' } = {}): Tensor[] {
  const ts = list(tensors, 'meshgrid');
  checkOptions(opts, 'meshgrid');
  const indexing = opts.indexing ?? 'ij';
  if (indexing !== 'ij' && indexing !== 'xy') throw argumentError(`meshgrid: indexing must be 'ij' or 'xy', got ${describe(indexing)}`);
  ts.forEach((t, i) => { if (t.ndim > 1) throw shapeError(`meshgrid: expected 0-d or 1-D tensors, element ${i} has shape [${t.shape}]`); });
  const swap = indexing === 'xy' && ts.length >= 2;
  const order = swap ? [ts[1], ts[0], ...ts.slice(2)] : ts;
  const shape = order.map((t) => t.size);
  const outs = order.map((t, i) => t.reshape(shape.map((s, k) => (k === i ? s : 1))).expand(shape));
  return swap ? [outs[1], outs[0], ...outs.slice(2)] : outs;
}

function broadcastShape(shapesArg: number[][], op: string): number[] {
  // Copies first: the shapes may come straight from a caller (holes, getters, huge lengths).
  const shapes = Array.from(shapesArg, (s, i) => {
    if (!Array.isArray(s) || s.length > 64)
      throw argumentError(`${op}: shape ${i} must be an array of at most 64 non-negative integers, got ${describe(s)}`);
    return Array.from(s, (d) => {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
        throw argumentError(`${op}: shape ${i} must hold non-negative integers, got ${describe(d)}`);
      return d;
    });
  });
  const n = Math.max(0, ...shapes.map((s) => s.length));
  const out = Array(n).fill(1);
  for (const s of shapes) {
    s.forEach((d, i) => {
      const k = n - s.length + i;
      if (out[k] === 1) out[k] = d;
      else if (d !== 1 && d !== out[k])
        throw shapeError(`${op}: shapes ${shapes.map((x) => `[${x}]`).join(', ')} cannot be broadcast together`);
    });
  }
  return out;
}
/** The tensors expanded to their common broadcast shape (views). */
export function broadcastTensors(...tensors: (Tensor | Tensor[])[]): Tensor[] {
  const ts = list(tensors.length === 1 && Array.isArray(tensors[0]) ? tensors[0] : tensors, 'broadcastTensors');
  const shape = broadcastShape(ts.map((t) => t.shape), 'broadcastTensors');
  return ts.map((t) => t.expand(shape));
}
/**
 * The shape that the given shapes broadcast to (PyTorch's broadcast_shapes); throws when they do not broadcast.
 * @example tf.broadcastShapes([3, 1], [1, 4]);  // [3, 4]
 */
export const broadcastShapes = (...shapes: number[][]): number[] => broadcastShape(shapes, 'broadcastShapes');

const atleast1d = (t: Tensor): Tensor => (t.ndim === 0 ? t.reshape([1]) : t);
const atleast2d = (t: Tensor): Tensor => (t.ndim === 0 ? t.reshape([1, 1]) : t.ndim === 1 ? t.reshape([1, t.size]) : t);
/** Concatenates along dim 1 (dim 0 for 1-D tensors). */
export function hstack(tensors: Tensor[]): Tensor {
  const ts = list(tensors, 'hstack').map(atleast1d);
  return cat(ts, ts[0].ndim === 1 ? 0 : 1);
}
/** Concatenates along dim 0, 1-D tensors taken as rows. */
export function vstack(tensors: Tensor[]): Tensor {
  return cat(list(tensors, 'vstack').map(atleast2d), 0);
}

/** How pad fills: a constant, the reflection (edge not repeated), the edge value, or wrapping around. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
/**
 * Pads (or, negative in 'constant' mode, crops) x. pads = [left, right] of the last dim, then of
 * the one before, ...; PyTorch's F.pad order. 'reflect' mirrors without repeating the edge,
 * 'replicate' repeats it, 'circular' wraps around.
 */
export function pad(x: Tensor, pads: number[], opts: { mode?: PadMode; value?: number } = {}): Tensor {
  checkTensor(x, 'pad');
  checkOptions(opts, 'pad');
  if (!Array.isArray(pads)) throw argumentError(`pad: pads must be an array of integers, got ${describe(pads)}`);
  pads.forEach((p) => intArg(p, 'pad', 'every pad'));
  const mode = opts.mode ?? 'constant';
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode))
    throw argumentError(`pad: mode must be constant, reflect, replicate or circular, got ${describe(mode)}`);
  const value = numArg(opts.value ?? 0, 'pad', 'value');
  if (pads.length % 2 !== 0 || pads.length / 2 > x.ndim)
    throw shapeError(`pad: pads must hold a pair per padded dim, at most ${x.ndim} pairs, got [${pads}]`);
  let r = x;
  let copied = false;
  for (let k = 0; k < pads.length / 2; k++) {
    const d = x.ndim - 1 - k;
    let [l, rt] = [pads[2 * k], pads[2 * k + 1]];
    const n = r.shape[d];
    if (mode === 'constant') {
      if (n + l + rt < 0 || n + Math.min(l, 0) < 0 || n + Math.min(rt, 0) < 0)
        throw shapeError(`pad: padding [${pads}] crops dim ${d} of input [${x.shape}] below size 0`);
      if (l < 0) { r = r.narrow(d, -l, r.shape[d] + l); l = 0; }
      if (rt < 0) { r = r.narrow(d, 0, r.shape[d] + rt); rt = 0; }
      const block = (m: number): Tensor => {
        const s = r.shape;
        s[d] = m;
        return wrap(native.full(s, value, dtypeCode(r.dtype)));
      };
      const parts = [...(l ? [block(l)] : []), r, ...(rt ? [block(rt)] : [])];
      if (parts.length > 1) { r = cat(parts, d); copied = true; }
      continue;
    }
    if (l < 0 || rt < 0) throw shapeError(`pad: negative pads are only allowed in constant mode, got [${pads}]`);
    if (mode === 'reflect' && (l >= n || rt >= n))
      throw shapeError(`pad: reflect padding [${l}, ${rt}] must be smaller than dim ${d} of size ${n}`);
    if (mode === 'circular' && (l > n || rt > n))
      throw shapeError(`pad: circular padding [${l}, ${rt}] must not exceed dim ${d} of size ${n}`);
    if (n === 0 && (l || rt)) throw shapeError(`pad: cannot ${mode}-pad an empty dim ${d}`);
    let left: Tensor | null = null, right: Tensor | null = null;
    if (l) {
      if (mode === 'reflect') left = flip(r.narrow(d, 1, l), d);
      else if (mode === 'replicate') left = r.narrow(d, 0, 1).expand(r.shape.map((s, i) => (i === d ? l : s)));
      else left = r.narrow(d, n - l, l);
    }
    if (rt) {
      if (mode === 'reflect') right = flip(r.narrow(d, n - 1 - rt, rt), d);
      else if (mode === 'replicate') right = r.narrow(d, n - 1, 1).expand(r.shape.map((s, i) => (i === d ? rt : s)));
      else right = r.narrow(d, 0, rt);
    }
    const parts = [...(left ? [left] : []), r, ...(right ? [right] : [])];
    if (parts.length > 1) { r = cat(parts, d); copied = true; }
  }
  // Always a new tensor, as PyTorch's: with only cropping (or zero) pads r is x or a view of it.
  return copied ? r : r.clone();
}

// ---- einsum ----
type Term = { idx: string[]; t: Tensor };
/**
 * Einstein summation, e.g. einsum('bij,bjk->bik', a, b). Operands are contracted pairwise, left to
 * right, each pair as one batched matmul (indices summed away first when only one operand has
 * them); '...' stands for broadcast leading dims; without '->' the output is the indices seen once,
 * in alphabetical order. Repeated indices within one operand (diagonals) are not supported.
 */
export function einsum(equation: string, ...operands: (Tensor | Tensor[])[]): Tensor {
  if (typeof equation !== 'string') throw argumentError(`einsum: equation must be a string, got ${describe(equation)}`);
  const ts = list(operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands, 'einsum');
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const specs = lhs.split(',');
  if (specs.length !== ts.length)
    throw tfError('ARGUMENT', `einsum: the equation names ${specs.length} operands, got ${ts.length} tensors`);
  // '...' becomes fresh upper-case letters for the broadcast dims, right-aligned.
  const ell = Math.max(0, ...specs.map((s, i) => (s.includes('...') ? ts[i].ndim - (s.length - 3) : 0)));
  const ellIdx = Array.from({ length: ell }, (_, i) => String.fromCharCode(65 + i));
  const parse = (s: string, ndim: number | null, what: string): string[] => {
    const parts = s.split('...');
    if (parts.length > 2) throw tfError('ARGUMENT', `einsum: '...' appears twice in ${what}`);
    for (const c of parts.join('')) if (!/[a-z]/i.test(c)) throw tfError('ARGUMENT', `einsum: invalid index '${c}' in ${what}`);
    if (parts.length === 1) return [...s];
    const k = ndim === null ? ell : ndim - (parts[0].length + parts[1].length);
    if (k < 0) throw tfError('ARGUMENT', `einsum: ${what} has more indices than dims`);
    return [...parts[0], ...ellIdx.slice(ell - k), ...parts[1]];
  };
  const terms: Term[] = specs.map((s, i) => {
    for (const c of s.replace('...', '')) if (/[A-Z]/.test(c)) throw tfError('ARGUMENT', `einsum: only lower-case indices are supported, got '${c}'`);
    const idx = parse(s, ts[i].ndim, `operand ${i}`);
    if (idx.length !== ts[i].ndim)
      throw tfError('ARGUMENT', `einsum: operand ${i} has ${ts[i].ndim} dims but '${s}' names ${idx.length}`);
    if (new Set(idx).size !== idx.length)
      throw tfError('ARGUMENT', `einsum: repeated index in '${s}' (diagonals) is not supported`);
    return { idx, t: ts[i] };
  });
  const count = new Map<string, number>();
  terms.forEach((tm) => tm.idx.forEach((c) => count.set(c, (count.get(c) ?? 0) + 1)));
  let out: string[];
  if (arrow >= 0) {
    out = parse(eq.slice(arrow + 2), null, 'the output');
    if (new Set(out).size !== out.length) throw tfError('ARGUMENT', `einsum: repeated index in the output '${eq.slice(arrow + 2)}'`);
    for (const c of out) if (!count.has(c)) throw tfError('ARGUMENT', `einsum: output index '${c}' is not in any operand`);
  } else {
    out = [...ellIdx, ...[...count.keys()].filter((c) => /[a-z]/.test(c) && count.get(c) === 1).sort()];
  }
  // Sizes, broadcasting 1s.
  const size = new Map<string, number>();
  terms.forEach((tm, i) => tm.idx.forEach((c, k) => {
    const s = tm.t.shape[k], prev = size.get(c);
    if (prev === undefined || prev === 1) size.set(c, s);
    else if (s !== 1 && s !== prev) throw tfError('ARGUMENT', `einsum: index '${c}' has size ${prev} and ${s} (operand ${i})`);
  }));
  const sumOut = (tm: Term, keep: Set<string>): Term => {
    const drop = tm.idx.map((c, k) => (keep.has(c) ? -1 : k)).filter((k) => k >= 0);
    if (!drop.length) return tm;
    return { idx: tm.idx.filter((c) => keep.has(c)), t: tm.t.sum(drop) };
  };
  let acc = sumOut(terms[0], new Set([...out, ...terms.slice(1).flatMap((tm) => tm.idx)]));
  for (let i = 1; i < terms.length; i++) {
    const later = new Set([...out, ...terms.slice(i + 1).flatMap((tm) => tm.idx)]);
    const b = sumOut(terms[i], new Set([...later, ...acc.idx]));
    const a = sumOut(acc, new Set([...later, ...b.idx]));
    acc = contract(a, b, later, size);
  }
  // Final: sum what the output lacks, then order as the output.
  acc = sumOut(acc, new Set(out));
  const full = acc.t.expand(acc.idx.map((c) => size.get(c) as number));
  return acc.idx.length ? full.permute(out.map((c) => acc.idx.indexOf(c))) : full;
}

function contract(a: Term, b: Term, keep: Set<string>, size: Map<string, number>): Term {
  const inB = new Set(b.idx), inA = new Set(a.idx);
  const batch = a.idx.filter((c) => inB.has(c) && keep.has(c));
  const summed = a.idx.filter((c) => inB.has(c) && !keep.has(c));
  const left = a.idx.filter((c) => !inB.has(c));
  const right = b.idx.filter((c) => !inA.has(c));
  const prod = (cs: string[]): number => cs.reduce((p, c) => p * (size.get(c) as number), 1);
  const arrange = (tm: Term, order: string[]): Tensor =>
    tm.t.permute(order.map((c) => tm.idx.indexOf(c))).expand(order.map((c) => size.get(c) as number));
  const A = arrange(a, [...batch, ...left, ...summed]).reshape([prod(batch), prod(left), prod(summed)]);
  const B = arrange(b, [...batch, ...summed, ...right]).reshape([prod(batch), prod(summed), prod(right)]);
  const r = A.matmul(B).reshape([...batch, ...left, ...right].map((c) => size.get(c) as number));
  return { idx: [...batch, ...left, ...right], t: r };
}
