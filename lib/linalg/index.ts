// tf.linalg: torch.linalg for tensorfold. Decompositions return arrays in PyTorch's order that also
// carry PyTorch's field names: `const [U, S, Vh] = tf.linalg.svd(A)` and `tf.linalg.svd(A).S` both work.
//
//   const A = tf.randn([4, 3, 3], { dtype: 'float64', requiresGrad: true });
//   const x = tf.linalg.solve(A, tf.ones([4, 3], { dtype: 'float64' }));   // batched A x = 1
//   tf.linalg.det(A).sum().backward();                                    // A.grad = det · A⁻ᵀ
import { Tensor } from '../tensor';
import { la } from './common';
import { cross as crossAny } from './functions';

export {
  det, slogdet, inv, solve, solveTriangular, cholesky, qr, svd, svdvals, eigh, eigvalsh, pinv, lstsq,
} from './decompositions';
export type { SlogdetResult, QrResult, SvdResult, EighResult, LstsqResult } from './decompositions';
export { norm, vectorNorm, matrixNorm } from './norms';
export type { Ord } from './norms';
export { matrixPower, matrixExp } from './matrix_functions';
export { matmul, vecdot, multiDot, matrixRank, cond } from './extras';
export { dot, outer, mm, bmm, mv, addmm, baddbmm, kron, cdist } from './functions';

/** torch.linalg.cross: the cross product along dim (default -1). */
export function cross(a: Tensor, b: Tensor, dim = -1): Tensor {
  return crossAny(a, b, dim);
}

/** Which LAPACK the factorizations run on: 'openblas' or the engine's own routines ('own'). */
export function lapackBackend(): 'openblas' | 'own' {
  return la.lapackBackend() as 'openblas' | 'own';
}
