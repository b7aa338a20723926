// The one typed module between lib/nn, lib/optim and the addon: they reach native code only
// through `kernels` (and the Tensor API), never through lib/native.ts directly.
//
// The fused optimizer kernels (native/binding/optim.cc) update the parameter and its state buffers
// in place in one pass and bump their storage versions; nothing is recorded on the tape.
import { Binding, Handle, native } from './native';

export type { Handle };
type H = Handle;

export interface OptimKernels {
  sgdStep(param: H, grad: H, momentumBuf: H | null, lr: number, momentum: number, dampening: number,
    weightDecay: number, nesterov: boolean, first: boolean): void;
  adamStep(param: H, grad: H, expAvg: H, expAvgSq: H, maxExpAvgSq: H | null, lr: number, beta1: number,
    beta2: number, eps: number, weightDecay: number, step: number, amsgrad: boolean, decoupled: boolean): void;
  rmspropStep(param: H, grad: H, squareAvg: H, gradAvg: H | null, momentumBuf: H | null, lr: number, alpha: number,
    eps: number, weightDecay: number, momentum: number, centered: boolean): void;
  adagradStep(param: H, grad: H, sum: H, lr: number, lrDecay: number, weightDecay: number, eps: number,
    step: number): void;
  adamaxStep(param: H, grad: H, expAvg: H, expInf: H, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, step: number): void;
  nadamStep(param: H, grad: H, expAvg: H, expAvgSq: H, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, momentumDecay: number, step: number, muProduct: number): void;
  radamStep(param: H, grad: H, expAvg: H, expAvgSq: H, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, step: number): void;
  adadeltaStep(param: H, grad: H, squareAvg: H, accDelta: H, lr: number, rho: number, eps: number,
    weightDecay: number): void;
  /** sum |x|^p over t (accumulated in double), or max |x| when p is Infinity. */
  gradNormPow(t: H, p: number): number;
  scaleInPlace(t: H, c: number): void;
  clampAbsInPlace(t: H, v: number): void;
}

/** The addon as lib/nn and lib/optim see it: the binding's typed surface plus the fused kernels. */
export type Kernels = Binding & OptimKernels;
export const kernels: Kernels = native as unknown as Kernels;
