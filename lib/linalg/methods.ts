// The linear-algebra ops that PyTorch also offers as Tensor methods (t.mm(b), t.det(), ...):
// lib/methods.ts installs every export of this file as a method, and lib/index.ts exports them as
// tf.* functions, as PyTorch's torch.det / torch.inverse.
import { Tensor } from '../tensor';
import { det as detOf, inv, pinv, slogdet as slogdetOf, SlogdetResult } from './decompositions';
import { matrixExp as matrixExpOf, matrixPower as matrixPowerOf } from './matrix_functions';

export { dot, outer, mm, bmm, mv, addmm, baddbmm, cross, kron } from './functions';
/** Determinant of each square matrix in the last two dims (torch.det). */
export const det = (A: Tensor): Tensor => detOf(A);
/** Sign and log|det| (torch.slogdet). */
export const slogdet = (A: Tensor): SlogdetResult => slogdetOf(A);
/** Inverse of each square matrix (torch.inverse); singular matrices are an Error. */
export const inverse = (A: Tensor): Tensor => inv(A);
/** Moore–Penrose pseudo-inverse (torch.pinverse). */
export const pinverse = (A: Tensor, opts?: { atol?: number; rtol?: number; hermitian?: boolean }): Tensor => pinv(A, opts);
/** A^n for an integer n, negative through the inverse (torch.matrix_power). */
export const matrixPower = (A: Tensor, n: number): Tensor => matrixPowerOf(A, n);
/** The matrix exponential (torch.matrix_exp). */
export const matrixExp = (A: Tensor): Tensor => matrixExpOf(A);
