// The plain linear-algebra functions (torch.dot, outer, mm, bmm, mv, addmm, baddbmm, cross, kron,
// cdist), composed from matmul and elementwise ops so that their gradients come from the tape.
import { argumentError, dtypeError, rangeError, shapeError } from '../errors';
import { concat } from '../ops';
import { Tensor, describe } from '../tensor';
import { normDim, options, tensorArg } from './common';
import { vectorNorm } from './norms';

function dims(t: Tensor, n: number, op: string, what: string): void {
  if (t.ndim !== n) throw shapeError(`${op}: ${what} must be ${n}-D, got shape [${t.shape}]`);
}

function sameDtype(a: Tensor, b: Tensor, op: string): void {
  if (a.dtype !== b.dtype) throw dtypeError(`${op}: expected both operands to have the same dtype, got ${a.dtype} and ${b.dtype}`);
}

function numArg(v: unknown, def: number, op: string, what: string): number {
  if (v === undefined) return def;
  if (typeof v !== 'number') throw argumentError(`${op}: ${what} must be a number, got ${describe(v)}`);
  return v;
}

/** Inner product of two 1-D tensors of the same length. */
export function dot(a: Tensor, b: Tensor): Tensor {
  const op = 'dot';
  tensorArg(a, op, 'a'); tensorArg(b, op, 'b');
  dims(a, 1, op, 'a'); dims(b, 1, op, 'b');
  sameDtype(a, b, op);
  if (a.shape[0] !== b.shape[0]) throw shapeError(`${op}: inconsistent tensor size, a has ${a.shape[0]} elements and b ${b.shape[0]}`);
  return a.matmul(b);
}

/** Outer product of 1-D tensors: [n] ⊗ [m] → [n, m]. */
export function outer(a: Tensor, b: Tensor): Tensor {
  const op = 'outer';
  tensorArg(a, op, 'a'); tensorArg(b, op, 'b');
  dims(a, 1, op, 'a'); dims(b, 1, op, 'b');
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}

/** Matrix product of two 2-D tensors (no broadcasting). */
export function mm(a: Tensor, b: Tensor): Tensor {
  const op = 'mm';
  tensorArg(a, op, 'a'); tensorArg(b, op, 'b');
  dims(a, 2, op, 'a'); dims(b, 2, op, 'b');
  sameDtype(a, b, op);
  return a.matmul(b);
}

/** Batched matrix product of 3-D tensors with equal batch sizes (no broadcasting). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  const op = 'bmm';
  tensorArg(a, op, 'a'); tensorArg(b, op, 'b');
  dims(a, 3, op, 'a'); dims(b, 3, op, 'b');
  sameDtype(a, b, op);
  if (a.shape[0] !== b.shape[0]) throw shapeError(`${op}: batch sizes differ: a [${a.shape}], b [${b.shape}]`);
  return a.matmul(b);
}

/** Matrix-vector product: [n, m] @ [m] → [n]. */
export function mv(a: Tensor, v: Tensor): Tensor {
  const op = 'mv';
  tensorArg(a, op, 'a'); tensorArg(v, op, 'v');
  dims(a, 2, op, 'a'); dims(v, 1, op, 'v');
  sameDtype(a, v, op);
  return a.matmul(v);
}

function scaledSum(c: Tensor, prod: Tensor, beta: number, alpha: number, op: string): Tensor {
  const cs = c.shape, ps = prod.shape;
  const fits = cs.length <= ps.length && cs.every((d, i) => d === 1 || d === ps[ps.length - cs.length + i]);
  if (!fits) throw shapeError(`${op}: input of shape [${cs}] does not broadcast to the product's shape [${ps}]`);
  const p = alpha === 1 ? prod : prod.mul(alpha);
  // beta = 0 ignores c entirely (NaN in c does not propagate), as in PyTorch.
  if (beta === 0) return p;
  return p.add(beta === 1 ? c : c.mul(beta));
}

/** beta·c + alpha·(a @ b) with 2-D a, b; c broadcasts to the product. */
export function addmm(c: Tensor, a: Tensor, b: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
  const op = 'addmm';
  const o = options(opts, op);
  tensorArg(c, op, 'input');
  return scaledSum(c, mm(a, b), numArg(o.beta, 1, op, 'beta'), numArg(o.alpha, 1, op, 'alpha'), op);
}

/** beta·c + alpha·bmm(a, b). */
export function baddbmm(c: Tensor, a: Tensor, b: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
  const op = 'baddbmm';
  const o = options(opts, op);
  tensorArg(c, op, 'input');
  return scaledSum(c, bmm(a, b), numArg(o.beta, 1, op, 'beta'), numArg(o.alpha, 1, op, 'alpha'), op);
}

/**
 * Cross product of 3-vectors along dim (broadcasting a and b). torch.cross's default: the first dim
 * of size 3; tf.linalg.cross defaults to -1 as torch.linalg.cross does.
 */
export function cross(a: Tensor, b: Tensor, dim?: number): Tensor {
  const op = 'cross';
  tensorArg(a, op, 'a'); tensorArg(b, op, 'b');
  sameDtype(a, b, op);
  if (a.ndim !== b.ndim) throw shapeError(`${op}: a and b must have the same number of dimensions, got [${a.shape}] and [${b.shape}]`);
  let d: number;
  if (dim === undefined || dim === null) {
    d = a.shape.findIndex((s, i) => s === 3 && b.shape[i] === 3);
    if (d < 0) throw shapeError(`${op}: no dimension of size 3 in a [${a.shape}] and b [${b.shape}]`);
  } else {
    d = normDim(dim, a.ndim, op);
  }
  if (a.shape[d] !== 3 || b.shape[d] !== 3)
    throw shapeError(`${op}: a and b must have size 3 along dim ${d}, got [${a.shape}] and [${b.shape}]`);
  const [a1, a2, a3] = [0, 1, 2].map((i) => a.narrow(d, i, 1));
  const [b1, b2, b3] = [0, 1, 2].map((i) => b.narrow(d, i, 1));
  return concat([a2.mul(b3).sub(a3.mul(b2)), a3.mul(b1).sub(a1.mul(b3)), a1.mul(b2).sub(a2.mul(b1))], d);
}

/** Kronecker product: block (i, j) of the result is a[i, j] · b (any ranks; the smaller is padded with leading 1s). */
export function kron(a: Tensor, b: Tensor): Tensor {
  const op = 'kron';
  tensorArg(a, op, 'a'); tensorArg(b, op, 'b');
  const n = Math.max(a.ndim, b.ndim);
  const as = [...Array(n - a.ndim).fill(1), ...a.shape], bs = [...Array(n - b.ndim).fill(1), ...b.shape];
  const ai = a.reshape(as.flatMap((s) => [s, 1])), bi = b.reshape(bs.flatMap((s) => [1, s]));
  return ai.mul(bi).reshape(as.map((s, i) => s * bs[i]));
}

/** Pairwise p-norm distances: x1 [..., P, M], x2 [..., R, M] → [..., P, R] (batch dims broadcast). */
export function cdist(x1: Tensor, x2: Tensor, p = 2): Tensor {
  const op = 'cdist';
  tensorArg(x1, op, 'x1'); tensorArg(x2, op, 'x2');
  if (x1.ndim < 2 || x2.ndim < 2) throw shapeError(`${op}: x1 and x2 must have at least 2 dimensions, got [${x1.shape}] and [${x2.shape}]`);
  if (x1.shape[x1.ndim - 1] !== x2.shape[x2.ndim - 1])
    throw shapeError(`${op}: x1 and x2 must have the same number of columns, got [${x1.shape}] and [${x2.shape}]`);
  if (typeof p !== 'number' || !(p >= 0)) throw rangeError(`${op}: p must be a non-negative number, got ${describe(p)}`);
  sameDtype(x1, x2, op);
  return vectorNorm(x1.unsqueeze(-2).sub(x2.unsqueeze(-3)), p, -1);
}
