// Vector and matrix norms (torch.linalg.vector_norm / matrix_norm / norm), composed from tensor ops.
import { argumentError, axisError, rangeError, shapeError } from '../errors';
import { isGradEnabled, noGrad } from '../autograd';
import { native } from '../native';
import { where } from '../ops';
import { Tensor, describe, wrap } from '../tensor';
import { floatArg, normDim } from './common';
import { svdvals } from './decompositions';

/** A norm's order: a number (p, or ±Infinity), 'fro' (Frobenius) or 'nuc' (nuclear, the sum of singular values). */
export type Ord = number | 'fro' | 'nuc';
type Dim = number | number[] | null | undefined;

function dimsArg(dim: Dim, ndim: number, op: string): number[] | null {
  if (dim === undefined || dim === null) return null;
  const ds = typeof dim === 'number' ? [dim] : Array.isArray(dim) ? dim : null;
  if (!ds) throw argumentError(`${op}: dim must be an integer or an array of integers, got ${describe(dim)}`);
  const r = ds.map((d) => normDim(d, ndim, op));
  if (new Set(r).size !== r.length) throw axisError(`${op}: dim [${ds}] repeats a dimension`);
  return r;
}

// The 2-norm with PyTorch's gradient at zero (0, where sqrt's chain rule would give 0·∞ = NaN):
// g·x / ‖x‖ with ‖x‖ replaced by 1 where it is 0 (x is 0 there too).
function norm2(x: Tensor, dims: number[] | null, keepdim: boolean): Tensor {
  const axes = dims ?? undefined;
  const out = noGrad(() => x.mul(x).sum(axes, keepdim).sqrt());
  if (!x.requiresGrad || !isGradEnabled()) return out;
  native.customOp('vectorNorm', [x._h], [out._h], (gs) => {
    let g = wrap(gs[0]);
    if (!keepdim && dims) for (const d of [...dims].sort((a, b) => a - b)) g = g.unsqueeze(d);
    // Recomputed rather than captured: the output holds this node, and a closure holding the
    // output would keep the graph alive from the JavaScript side.
    const n = x.mul(x).sum(axes, true).sqrt();
    const safe = where(n.eq(0), 1, n);
    return [g.mul(x).div(safe)._h];
  });
  return out;
}

/** torch.linalg.vector_norm: ord 2 (default), any p, Infinity, -Infinity or 0, over dim (all by default). */
export function vectorNorm(x: Tensor, ord: number = 2, dim?: Dim, keepdim = false): Tensor {
  const op = 'linalg.vectorNorm';
  floatArg(x, op, 'x');
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw argumentError(`${op}: ord must be a number, got ${describe(ord)}`);
  const dims = dimsArg(dim, x.ndim, op);
  const axes = dims ?? undefined;
  if (x.ndim === 0) return vectorNorm(x.reshape([1]), ord, 0, false).reshape([]);
  if (ord === 2) return norm2(x, dims, keepdim);
  const a = x.abs();
  if (ord === Infinity) return dims ? a.max(dims, keepdim) : keepAll(a.max(), x, keepdim);
  if (ord === -Infinity) return dims ? a.min(dims, keepdim) : keepAll(a.min(), x, keepdim);
  if (ord === 0) return x.ne(0).to(x.dtype).sum(axes, keepdim);
  if (ord === 1) return a.sum(axes, keepdim);
  return a.pow(ord).sum(axes, keepdim).pow(1 / ord);
}

function keepAll(r: Tensor, x: Tensor, keepdim: boolean): Tensor {
  return keepdim ? r.reshape(x.shape.map(() => 1)) : r;
}

/** Moves dims d0, d1 to the end (rows, cols). */
function toEnd(A: Tensor, d0: number, d1: number): Tensor {
  const rest = A.shape.map((_, i) => i).filter((i) => i !== d0 && i !== d1);
  return A.permute([...rest, d0, d1]);
}

/** torch.linalg.matrix_norm: ord 'fro' (default), 'nuc', 1, -1, 2, -2, Infinity, -Infinity over dims (-2, -1). */
export function matrixNorm(A: Tensor, ord: Ord = 'fro', dim: [number, number] = [-2, -1], keepdim = false): Tensor {
  const op = 'linalg.matrixNorm';
  floatArg(A, op);
  if (A.ndim < 2) throw shapeError(`${op}: A must have at least 2 dimensions, got shape [${A.shape}]`);
  if (!Array.isArray(dim) || dim.length !== 2) throw argumentError(`${op}: dim must be a pair of dims, got ${describe(dim)}`);
  const [d0, d1] = dimsArg(dim, A.ndim, op) as number[];
  const restore = (r: Tensor): Tensor => {
    if (!keepdim) return r;
    for (const d of [d0, d1].sort((a, b) => a - b)) r = r.unsqueeze(d);
    return r;
  };
  if (ord === 'fro') return vectorNorm(A, 2, [d0, d1], keepdim);
  if (ord === 'nuc') return restore(svdvals(toEnd(A, d0, d1)).sum(-1));
  if (ord === 2) return restore(svdvals(toEnd(A, d0, d1)).max(-1));
  if (ord === -2) return restore(svdvals(toEnd(A, d0, d1)).min(-1));
  if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
    // 1: largest column sum; Infinity: largest row sum.
    const [sumDim, pickDim] = Math.abs(ord) === 1 ? [d0, d1] : [d1, d0];
    const s = A.abs().sum(sumDim, true);
    const r = ord > 0 ? s.max(pickDim, true) : s.min(pickDim, true);
    return keepdim ? r : r.squeeze(Math.max(d0, d1)).squeeze(Math.min(d0, d1));
  }
  throw rangeError(`${op}: ord must be 'fro', 'nuc', 1, -1, 2, -2, Infinity or -Infinity, got ${describe(ord)}`);
}

/**
 * torch.linalg.norm: a vector norm when dim is one dim (or when neither ord nor dim is given: the
 * 2-norm of all elements), a matrix norm when dim is two dims or A is 2-D with ord given.
 */
export function norm(A: Tensor, ord?: Ord | null, dim?: Dim, keepdim = false): Tensor {
  const op = 'linalg.norm';
  floatArg(A, op);
  if (dim !== undefined && dim !== null) {
    const ds = typeof dim === 'number' ? [dim] : dim;
    if (Array.isArray(ds) && ds.length === 2) return matrixNorm(A, ord ?? 'fro', ds as [number, number], keepdim);
    if (typeof ord === 'string') throw rangeError(`${op}: ord '${ord}' needs two dims, got dim ${describe(dim)}`);
    return vectorNorm(A, ord ?? 2, ds, keepdim);
  }
  if (ord === undefined || ord === null) return vectorNorm(A, 2, null, keepdim);
  if (A.ndim === 2) return matrixNorm(A, ord, [-2, -1], keepdim);
  if (A.ndim === 1 && typeof ord === 'number') return vectorNorm(A, ord, null, keepdim);
  throw shapeError(`${op}: if dim is not given but ord is, A must be 1-D (vector ord) or 2-D, got shape [${A.shape}]`);
}
