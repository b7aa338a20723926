// Adagrad, as torch.optim.Adagrad:
//   t += 1;  g += wd*p;  clr = lr / (1 + (t-1)*lrDecay);  sum += g^2;  p -= clr * g / (sqrt(sum) + eps)
import type { Handle } from '../kernels';
import { Tensor } from '../tensor';
import { kernels } from '../kernels';
import { Optimizer, ParamGroup, ParamState, ParamsArg, checkNumber } from './optimizer';

/** Options of Adagrad (defaults in brackets). */
export interface AdagradOptions {
  /** Learning rate [1e-2]. */
  lr: number;
  /** Learning-rate decay: step t uses lr / (1 + (t − 1)·lrDecay) [0]. */
  lrDecay: number;
  /** L2 penalty added to the gradient [0]. */
  weightDecay: number;
  /** Starting value of the squared-gradient sums [0]. */
  initialAccumulatorValue: number;
  /** Added to the denominator [1e-10]. */
  eps: number;
}

/** Adagrad (torch.optim.Adagrad): steps scaled by the root of each parameter's summed squared gradients. */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsArg<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 }, options);
  }

  protected validate(o: AdagradOptions, where: string): void {
    checkNumber(where, 'lr', o.lr, 0);
    checkNumber(where, 'lrDecay', o.lrDecay, 0);
    checkNumber(where, 'weightDecay', o.weightDecay, 0);
    checkNumber(where, 'initialAccumulatorValue', o.initialAccumulatorValue, 0);
    checkNumber(where, 'eps', o.eps, 0);
  }

  protected update(p: Tensor, grad: Handle, g: ParamGroup<AdagradOptions>, st: ParamState): void {
    if (!(st.sum instanceof Tensor)) {
      st.step = 0;
      st.sum = this.newState(p, g.initialAccumulatorValue);
    }
    const step = (st.step as number) + 1;
    kernels.adagradStep(p._h, grad, (st.sum as Tensor)._h, g.lr, g.lrDecay, g.weightDecay, g.eps, step);
    st.step = step;
  }
}
