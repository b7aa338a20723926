// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
// decay, as torch.optim.SGD:
//   d = g + wd*p;  buf = first ? d : momentum*buf + (1-dampening)*d;  d = nesterov ? d + momentum*buf : buf
//   p -= lr*d
import type { Handle } from '../kernels';
import { Tensor } from '../tensor';
import { kernels } from '../kernels';
import { Optimizer, ParamGroup, ParamState, ParamsArg, checkBool, checkNumber } from './optimizer';
import { rangeError } from '../errors';

/** Options of SGD (defaults in brackets). */
export interface SGDOptions {
  /** Learning rate [1e-3]. */
  lr: number;
  /** Momentum factor [0]. */
  momentum: number;
  /** Dampening of the momentum [0]. */
  dampening: number;
  /** Nesterov momentum [false]; needs momentum > 0 and dampening 0. */
  nesterov: boolean;
  /** L2 penalty added to the gradient [0]. */
  weightDecay: number;
}

/**
 * Stochastic gradient descent (torch.optim.SGD) with optional momentum, dampening, Nesterov momentum
 * and L2 weight decay; each parameter's update is one fused native kernel.
 * @example const opt = new tf.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 }, options);
  }

  protected validate(o: SGDOptions, where: string): void {
    checkNumber(where, 'lr', o.lr, 0);
    checkNumber(where, 'momentum', o.momentum, 0);
    checkNumber(where, 'dampening', o.dampening, -Infinity);
    checkNumber(where, 'weightDecay', o.weightDecay, 0);
    checkBool(where, 'nesterov', o.nesterov);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0))
      throw rangeError(`${where}: nesterov requires momentum > 0 and dampening = 0 (got momentum ${o.momentum}, dampening ${o.dampening})`);
  }

  protected update(p: Tensor, grad: Handle, g: ParamGroup<SGDOptions>, st: ParamState): void {
    let buf: Tensor | null = null;
    let first = false;
    if (g.momentum !== 0) {
      if (!(st.momentumBuffer instanceof Tensor)) {
        st.momentumBuffer = this.newState(p);
        first = true;
      }
      buf = st.momentumBuffer as Tensor;
    }
    kernels.sgdStep(p._h, grad, buf ? buf._h : null, g.lr, g.momentum, g.dampening, g.weightDecay, g.nesterov, first);
  }
}
