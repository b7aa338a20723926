// RMSprop, as torch.optim.RMSprop:
//   g += wd*p;  s = alpha*s + (1-alpha)*g^2;  centered: ga = alpha*ga + (1-alpha)*g, avg = sqrt(s - ga^2)
//   else avg = sqrt(s);  avg += eps
//   momentum > 0: buf = momentum*buf + g/avg, p -= lr*buf;  else p -= lr*g/avg
import type { Handle } from '../kernels';
import { Tensor } from '../tensor';
import { kernels } from '../kernels';
import { Optimizer, ParamGroup, ParamState, ParamsArg, checkBool, checkNumber } from './optimizer';

/** Options of RMSprop (defaults in brackets). */
export interface RMSpropOptions {
  /** Learning rate [1e-2]. */
  lr: number;
  /** Decay rate of the squared-gradient average [0.99]. */
  alpha: number;
  /** Added to the denominator [1e-8]. */
  eps: number;
  /** L2 penalty added to the gradient [0]. */
  weightDecay: number;
  /** Momentum factor [0]. */
  momentum: number;
  /** Normalise by the variance estimate (subtracting the squared mean gradient) [false]. */
  centered: boolean;
}

/**
 * RMSprop (torch.optim.RMSprop): divides the gradient by a running root mean square, optionally
 * centered and with momentum.
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false }, options);
  }

  protected validate(o: RMSpropOptions, where: string): void {
    checkNumber(where, 'lr', o.lr, 0);
    checkNumber(where, 'alpha', o.alpha, 0);
    checkNumber(where, 'eps', o.eps, 0);
    checkNumber(where, 'weightDecay', o.weightDecay, 0);
    checkNumber(where, 'momentum', o.momentum, 0);
    checkBool(where, 'centered', o.centered);
  }

  protected update(p: Tensor, grad: Handle, g: ParamGroup<RMSpropOptions>, st: ParamState): void {
    if (!(st.squareAvg instanceof Tensor)) {
      st.step = 0;
      st.squareAvg = this.newState(p);
    }
    // Buffers for options switched on mid-training start from zero, as PyTorch creates them all
    // up front (zeros) on the first step.
    if (g.centered && !(st.gradAvg instanceof Tensor)) st.gradAvg = this.newState(p);
    if (g.momentum > 0 && !(st.momentumBuffer instanceof Tensor)) st.momentumBuffer = this.newState(p);
    kernels.rmspropStep(p._h, grad, (st.squareAvg as Tensor)._h, g.centered ? (st.gradAvg as Tensor)._h : null,
      g.momentum > 0 ? (st.momentumBuffer as Tensor)._h : null, g.lr, g.alpha, g.eps, g.weightDecay, g.momentum,
      g.centered);
    st.step = (st.step as number) + 1;
  }
}
