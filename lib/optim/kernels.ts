// Typed view of the fused optimizer kernels in native/binding/optim.cc. Each step updates the
// parameter and its state buffers in place in one pass and bumps their storage versions; nothing is
// recorded on the tape.
import { Handle, native } from '../native';

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

export const kernels = native as unknown as OptimKernels;
