// torch.linalg's solvers and decompositions over the engine's primitives (native/core/linalg_ops.cpp),
// each differentiable with PyTorch's backward rule.
import { argumentError, dtypeError, rangeError, shapeError } from '../errors';
import { noGrad } from '../autograd';
import { Tensor, describe, wrap, zeros } from '../tensor';
import {
  boolOpt, eps, floatArg, la, matrixArg, named, numOpt, options, squareArg, tensorArg,
} from './common';

/** PyTorch's rule: B is a vector (or a batch of vectors) when it is 1-D or has A's shape without the last dim. */
function isVectorRhs(A: Tensor, B: Tensor): boolean {
  if (B.ndim === 1) return true;
  if (B.ndim !== A.ndim - 1) return false;
  const a = A.shape, b = B.shape;
  return b.every((d, i) => d === a[i]);
}

function sameDtype(A: Tensor, B: Tensor, op: string): void {
  if (A.dtype !== B.dtype) throw dtypeError(`${op}: A and B must have the same dtype, got ${A.dtype} and ${B.dtype}`);
}

/** Determinant of square matrices [..., n, n] → [...]. Gradient det · A⁻ᵀ (A must be invertible). */
export function det(A: Tensor): Tensor {
  return wrap(la.linalgDet(squareArg(A, 'linalg.det')._h));
}

/** slogdet's result: [sign, logabsdet], also named. */
export type SlogdetResult = [Tensor, Tensor] & { sign: Tensor; logabsdet: Tensor };
/** Sign and log |det| (−inf for singular matrices); `const [sign, logabsdet] = slogdet(A)`. */
export function slogdet(A: Tensor): SlogdetResult {
  const [s, l] = la.linalgSlogdet(squareArg(A, 'linalg.slogdet')._h);
  return named([wrap(s), wrap(l)], ['sign', 'logabsdet'] as const) as SlogdetResult;
}

/** Inverse; a singular matrix is an Error, as in PyTorch. */
export function inv(A: Tensor): Tensor {
  return wrap(la.linalgInv(squareArg(A, 'linalg.inv')._h));
}

/** Solves A X = B (or X A = B with {left: false}); B may be a vector or a batch of vectors. */
export function solve(A: Tensor, B: Tensor, opts?: { left?: boolean }): Tensor {
  const op = 'linalg.solve';
  const o = options(opts, op);
  const left = boolOpt(o.left, true, op, 'left');
  squareArg(A, op);
  floatArg(B, op, 'B');
  sameDtype(A, B, op);
  if (left && isVectorRhs(A, B)) return wrap(la.linalgSolve(A._h, B.unsqueeze(-1)._h, true)).squeeze(-1);
  if (!left && B.ndim === 1) return wrap(la.linalgSolve(A._h, B.unsqueeze(0)._h, false)).squeeze(0);
  matrixArg(B, op, 'B');
  return wrap(la.linalgSolve(A._h, B._h, left));
}

/** Solves the triangular system A X = B (X A = B with {left: false}), reading only A's `upper` or lower triangle. */
export function solveTriangular(A: Tensor, B: Tensor,
  opts: { upper: boolean; left?: boolean; unitriangular?: boolean }): Tensor {
  const op = 'linalg.solveTriangular';
  if (opts === undefined || opts === null || typeof opts !== 'object' || typeof opts.upper !== 'boolean')
    throw argumentError(`${op}: options {upper: boolean} are required (PyTorch's keyword-only upper), got ${describe(opts)}`);
  const left = boolOpt(opts.left, true, op, 'left');
  const unit = boolOpt(opts.unitriangular, false, op, 'unitriangular');
  squareArg(A, op);
  matrixArg(B, op, 'B');
  sameDtype(A, B, op);
  return wrap(la.linalgSolveTriangular(A._h, B._h, opts.upper, left, unit));
}

/** Cholesky factor L (A = L Lᵀ) of symmetric positive-definite matrices, reading the lower triangle. */
export function cholesky(A: Tensor, opts?: { upper?: boolean }): Tensor {
  const op = 'linalg.cholesky';
  const upper = boolOpt(options(opts, op).upper, false, op, 'upper');
  return wrap(la.linalgCholesky(squareArg(A, op)._h, upper));
}

/** qr's result: [Q, R], also named. */
export type QrResult = [Tensor, Tensor] & { Q: Tensor; R: Tensor };
/** QR decomposition; mode 'reduced' (default), 'complete' or 'r' (Q is then an empty tensor). */
export function qr(A: Tensor, opts?: { mode?: 'reduced' | 'complete' | 'r' } | string): QrResult {
  const op = 'linalg.qr';
  const mode = typeof opts === 'string' ? opts : options(opts, op).mode ?? 'reduced';
  if (mode !== 'reduced' && mode !== 'complete' && mode !== 'r')
    throw rangeError(`${op}: mode must be 'reduced', 'complete' or 'r', got ${describe(mode)}`);
  const [q, r] = la.linalgQr(matrixArg(A, op)._h, mode);
  return named([wrap(q), wrap(r)], ['Q', 'R'] as const) as QrResult;
}

/** svd's result: [U, S, Vh] with A = U diag(S) Vh, also named. */
export type SvdResult = [Tensor, Tensor, Tensor] & { U: Tensor; S: Tensor; Vh: Tensor };
/** A = U diag(S) Vh, S descending. fullMatrices defaults to true, as in PyTorch. */
export function svd(A: Tensor, opts?: { fullMatrices?: boolean }): SvdResult {
  const op = 'linalg.svd';
  const full = boolOpt(options(opts, op).fullMatrices, true, op, 'fullMatrices');
  const [u, s, vh] = la.linalgSvd(matrixArg(A, op)._h, full, true);
  return named([wrap(u), wrap(s), wrap(vh)], ['U', 'S', 'Vh'] as const) as SvdResult;
}

/** Singular values, descending. Differentiable (gradient U diag(gS) Vh). */
export function svdvals(A: Tensor): Tensor {
  const [u, s, vh] = la.linalgSvd(matrixArg(A, 'linalg.svdvals')._h, false, false).map(wrap);
  u.dispose();
  vh.dispose();
  return s;
}

function uploArg(v: unknown, op: string): boolean {
  if (v === undefined || v === 'L') return true;
  if (v === 'U') return false;
  throw rangeError(`${op}: UPLO must be 'L' or 'U', got ${describe(v)}`);
}

/** eigh's result: [eigenvalues, eigenvectors], also named. */
export type EighResult = [Tensor, Tensor] & { eigenvalues: Tensor; eigenvectors: Tensor };
/** Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices, reading the UPLO triangle. */
export function eigh(A: Tensor, opts?: { UPLO?: 'L' | 'U' }): EighResult {
  const op = 'linalg.eigh';
  const lower = uploArg(options(opts, op).UPLO, op);
  const [w, v] = la.linalgEigh(squareArg(A, op)._h, lower, true);
  return named([wrap(w), wrap(v)], ['eigenvalues', 'eigenvectors'] as const) as EighResult;
}

/** Eigenvalues (ascending) of symmetric matrices [..., n, n] → [..., n], reading the UPLO triangle ('L' by default). */
export function eigvalsh(A: Tensor, opts?: { UPLO?: 'L' | 'U' }): Tensor {
  const op = 'linalg.eigvalsh';
  const lower = uploArg(options(opts, op).UPLO, op);
  const [w, v] = la.linalgEigh(squareArg(A, op)._h, lower, false).map(wrap);
  v.dispose();
  return w;
}

/**
 * Moore–Penrose pseudo-inverse through the SVD (or eigh with {hermitian: true}); singular values at
 * or below max(atol, rtol·σ_max) count as zero. rtol defaults to eps·max(m, n) when atol is not given.
 */
export function pinv(A: Tensor, opts?: { atol?: number; rtol?: number; hermitian?: boolean }): Tensor {
  const op = 'linalg.pinv';
  const o = options(opts, op);
  const atol = numOpt(o.atol, op, 'atol'), rtol = numOpt(o.rtol, op, 'rtol');
  const hermitian = boolOpt(o.hermitian, false, op, 'hermitian');
  return wrap(la.linalgPinv(matrixArg(A, op)._h, atol ?? -1, rtol ?? -1, hermitian));
}

/** lstsq's result: [solution, residuals, rank, singularValues], also named (as torch.linalg.lstsq). */
export type LstsqResult = [Tensor, Tensor, Tensor, Tensor] & { solution: Tensor; residuals: Tensor; rank: Tensor; singularValues: Tensor };
const DRIVERS = ['gelsy', 'gelsd', 'gelss', 'gels'];
/**
 * Least-squares solution of A X ≈ B (minimum norm when A is wide or rank-deficient), computed as
 * pinv(A) B, so its gradients are PyTorch's (linalg_lstsq_backward goes through pinv too).
 * As in PyTorch (whose CPU default driver is 'gelsy'): residuals, the squared residual norms per
 * column, are filled when m > n, every A has full rank and the driver is not 'gelsy'; rank (int32
 * here, int64 in PyTorch) for every driver but 'gels'; singularValues for 'gelsd' and 'gelss'.
 */
export function lstsq(A: Tensor, B: Tensor, opts?: { rcond?: number; driver?: string }): LstsqResult {
  const op = 'linalg.lstsq';
  const o = options(opts, op);
  matrixArg(A, op);
  floatArg(B, op, 'B');
  sameDtype(A, B, op);
  const driver = o.driver ?? 'gelsy';
  if (!DRIVERS.includes(driver)) throw rangeError(`${op}: driver must be one of ${DRIVERS.join(', ')}, got ${describe(driver)}`);
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1];
  const vector = B.ndim === A.ndim - 1;
  const Bm = vector ? B.unsqueeze(-1) : tensorArg(B, op, 'B');
  if (Bm.ndim < 2 || Bm.shape[Bm.ndim - 2] !== m)
    throw shapeError(`${op}: incompatible shapes of A [${A.shape}] and B [${B.shape}] (B needs ${m} rows)`);
  const rcond = numOpt(o.rcond, op, 'rcond') ?? eps(A.dtype) * Math.max(m, n);
  const X = la.linalgPinv(A._h, 0, rcond, false);
  let solution = wrap(X).matmul(Bm);
  const [S, rank, full] = noGrad(() => {
    const s = svdvals(A);
    const cut = s.max(-1, true).mul(rcond);
    const r = s.gt(cut).to('int32').sum(-1).to('int32');
    const isFull = r.toTypedArray().every((v) => v === Math.min(m, n));
    cut.dispose();
    return [s, r, isFull] as const;
  });
  let residuals = zeros([0], { dtype: A.dtype });
  if (driver !== 'gelsy' && m > n && full) residuals = A.matmul(solution).sub(Bm).square().sum(-2);
  if (vector) {
    solution = solution.squeeze(-1);
    if (residuals.ndim > 1) residuals = residuals.squeeze(-1);
  }
  const sv = driver === 'gelsd' || driver === 'gelss' ? S : zeros([0], { dtype: A.dtype });
  const rk = driver === 'gels' ? zeros([0], { dtype: 'int32' }) : rank;
  return named([solution, residuals, rk, sv], ['solution', 'residuals', 'rank', 'singularValues'] as const) as LstsqResult;
}
