// matrix_power and matrix_exp, composed from matmul and the differentiable inverse, so their
// gradients (and higher orders) come from the tape.
import { argumentError } from '../errors';
import { noGrad } from '../autograd';
import { Tensor, describe, eye } from '../tensor';
import { squareArg } from './common';
import { inv } from './decompositions';

function identityLike(A: Tensor): Tensor {
  const n = A.shape[A.ndim - 1];
  return eye(n, undefined, { dtype: A.dtype }).expand(A.shape).contiguous();
}

/** A^n for an integer n (n < 0 inverts first), by repeated squaring. */
export function matrixPower(A: Tensor, n: number): Tensor {
  const op = 'linalg.matrixPower';
  squareArg(A, op);
  if (typeof n !== 'number' || !Number.isInteger(n)) throw argumentError(`${op}: n must be an integer, got ${describe(n)}`);
  if (n === 0) return identityLike(A);
  let base = n < 0 ? inv(A) : A;
  let k = Math.abs(n);
  let result: Tensor | null = null;
  for (;;) {
    if (k & 1) result = result ? result.matmul(base) : base;
    k = Math.floor(k / 2);
    if (!k) break;
    base = base.matmul(base);
  }
  return result === A ? A.clone() : (result as Tensor);
}

/**
 * Matrix exponential by scaling and squaring: exp(A) = exp(A / 2^s)^(2^s) with s chosen so that
 * ‖A / 2^s‖₁ ≤ 1/2, and a Taylor polynomial there whose truncation error is below the dtype's
 * rounding (degree 14 for float64, 8 for float32).
 */
export function matrixExp(A: Tensor): Tensor {
  const op = 'linalg.matrixExp';
  squareArg(A, op);
  const norm1 = noGrad(() => (A.size === 0 ? 0 : A.abs().sum(-2).max().item()));
  // Non-finite entries: no scaling, and NaN / infinity propagate to the result as in PyTorch.
  const s = Number.isFinite(norm1) && norm1 > 0.5 ? Math.ceil(Math.log2(norm1 / 0.5)) : 0;
  const X = s ? A.mul(2 ** -s) : A;
  const I = identityLike(A);
  const degree = A.dtype === 'float64' ? 14 : 8;
  let E = I;
  for (let k = degree; k >= 1; k--) E = I.add(X.matmul(E).mul(1 / k));
  for (let i = 0; i < s; i++) E = E.matmul(E);
  return E;
}
