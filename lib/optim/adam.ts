// Adam and AdamW, as torch.optim.Adam / AdamW (including amsgrad and bias correction):
//   g += wd*p (Adam)  or  p *= 1 - lr*wd (AdamW, decoupled)
//   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;  vmax = max(vmax, v) (amsgrad)
//   p -= lr/(1-b1^t) * m / (sqrt(v or vmax)/sqrt(1-b2^t) + eps)
import type { Handle } from '../kernels';
import { Tensor, describe } from '../tensor';
import { kernels } from '../kernels';
import { Optimizer, ParamGroup, ParamState, ParamsArg, checkBool, checkNumber } from './optimizer';
import { argumentError } from '../errors';

/** Options of Adam and AdamW (defaults in brackets). */
export interface AdamOptions {
  /** Learning rate [1e-3]. */
  lr: number;
  /** Decay rates of the running means of the gradient and its square [[0.9, 0.999]]. */
  betas: [number, number];
  /** Added to the denominator for stability [1e-8]. */
  eps: number;
  /** Weight decay [0 for Adam: L2 on the gradient; 1e-2 for AdamW: decoupled, p ·= 1 − lr·wd]. */
  weightDecay: number;
  /** Use the running maximum of the squared-gradient mean (AMSGrad) [false]. */
  amsgrad: boolean;
}

function validateAdam(o: AdamOptions, where: string): void {
  checkNumber(where, 'lr', o.lr, 0);
  if (!Array.isArray(o.betas) || o.betas.length !== 2)
    throw argumentError(`${where}: option betas must be an array of two numbers, got ${describe(o.betas)}`);
  checkNumber(where, 'betas[0]', o.betas[0], 0, { maxExclusive: 1 });
  checkNumber(where, 'betas[1]', o.betas[1], 0, { maxExclusive: 1 });
  checkNumber(where, 'eps', o.eps, 0);
  checkNumber(where, 'weightDecay', o.weightDecay, 0);
  checkBool(where, 'amsgrad', o.amsgrad);
}

/** The shared update; Adam and AdamW differ only in where weight decay applies. */
abstract class AdamBase extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;

  protected validate(o: AdamOptions, where: string): void {
    validateAdam(o, where);
  }

  protected update(p: Tensor, grad: Handle, g: ParamGroup<AdamOptions>, st: ParamState): void {
    if (!(st.expAvg instanceof Tensor)) {
      st.step = 0;
      st.expAvg = this.newState(p);
      st.expAvgSq = this.newState(p);
    }
    if (g.amsgrad && !(st.maxExpAvgSq instanceof Tensor)) st.maxExpAvgSq = this.newState(p);
    const step = (st.step as number) + 1;
    kernels.adamStep(p._h, grad, (st.expAvg as Tensor)._h, (st.expAvgSq as Tensor)._h,
      g.amsgrad ? (st.maxExpAvgSq as Tensor)._h : null, g.lr, g.betas[0], g.betas[1], g.eps, g.weightDecay, step,
      g.amsgrad, this.decoupled);
    st.step = step;
  }
}

/**
 * Adam (torch.optim.Adam): per-parameter steps from bias-corrected running means of the gradient and
 * its square, with optional L2 weight decay (added to the gradient) and amsgrad; one fused kernel per parameter.
 * @example const opt = new tf.optim.Adam(model.parameters(), { lr: 1e-3 });  // zeroGrad, backward, step
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false }, options);
  }
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter): default weightDecay 1e-2.
 * @example const opt = new tf.optim.AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.1 });
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false }, options);
  }
}
