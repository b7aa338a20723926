// Further torch.linalg functions, composed from the ones above: matmul, vecdot, multiDot,
// matrixRank, cond.
import { argumentError, shapeError } from '../errors';
import { noGrad } from '../autograd';
import { Tensor, describe } from '../tensor';
import { eps, floatArg, matrixArg, numOpt, options, boolOpt, tensorArg } from './common';
import { eigvalsh, inv, svdvals } from './decompositions';
import { matrixNorm, Ord } from './norms';

/** torch.linalg.matmul (the same as tf.matmul). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return tensorArg(a, 'linalg.matmul', 'a').matmul(tensorArg(b, 'linalg.matmul', 'b'));
}

/** Dot products of vectors along dim (default -1), broadcasting the other dims. */
export function vecdot(x: Tensor, y: Tensor, opts?: { dim?: number }): Tensor {
  const op = 'linalg.vecdot';
  tensorArg(x, op, 'x');
  tensorArg(y, op, 'y');
  const dim = options(opts, op).dim ?? -1;
  return x.mul(y).sum(dim);
}

/** Product of a chain of matrices (first and last may be vectors, as in PyTorch), left to right. */
export function multiDot(tensors: Tensor[]): Tensor {
  const op = 'linalg.multiDot';
  if (!Array.isArray(tensors) || tensors.length < 2)
    throw argumentError(`${op}: expected an array of at least 2 tensors, got ${describe(tensors)}`);
  tensors.forEach((t, i) => {
    tensorArg(t, op, `tensor ${i}`);
    const inner = i > 0 && i < tensors.length - 1;
    if (inner ? t.ndim !== 2 : t.ndim !== 1 && t.ndim !== 2)
      throw shapeError(`${op}: tensor ${i} must be ${inner ? '2-D' : '1-D or 2-D'}, got shape [${t.shape}]`);
  });
  return tensors.slice(1).reduce((acc, t) => acc.matmul(t), tensors[0]);
}

/** Number of singular values above max(atol, rtol·σ_max) (rtol defaults to eps·max(m, n)); int32. */
export function matrixRank(A: Tensor, opts?: { atol?: number; rtol?: number; hermitian?: boolean }): Tensor {
  const op = 'linalg.matrixRank';
  const o = options(opts, op);
  matrixArg(A, op);
  const atol = numOpt(o.atol, op, 'atol') ?? 0;
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1];
  const rtol = numOpt(o.rtol, op, 'rtol') ?? (atol > 0 ? 0 : eps(A.dtype) * Math.max(m, n));
  const hermitian = boolOpt(o.hermitian, false, op, 'hermitian');
  return noGrad(() => {
    const s = hermitian ? eigvalsh(A).abs() : svdvals(A);
    if (s.shape[s.ndim - 1] === 0) return s.sum(-1).to('int32');
    const tol = s.max(-1, true).mul(rtol).maximum(atol);
    return s.gt(tol).to('int32').sum(-1).to('int32');
  });
}

/** Condition number: σ_max/σ_min for p = 2 (default) or -2 its inverse, else norm(A, p)·norm(A⁻¹, p). */
export function cond(A: Tensor, p: Ord | null = null): Tensor {
  const op = 'linalg.cond';
  floatArg(A, op);
  if (p === null || p === undefined || p === 2 || p === -2) {
    const s = svdvals(matrixArg(A, op));
    const k = s.shape[s.ndim - 1];
    const big = s.narrow(-1, 0, 1).squeeze(-1), small = s.narrow(-1, k - 1, 1).squeeze(-1);
    return p === -2 ? small.div(big) : big.div(small);
  }
  return matrixNorm(A, p).mul(matrixNorm(inv(A), p));
}
