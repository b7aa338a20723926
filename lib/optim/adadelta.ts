// Adadelta, as torch.optim.Adadelta:
//   g += wd*p;  s = rho*s + (1-rho)*g^2;  d = sqrt(a+eps)/sqrt(s+eps) * g;  a = rho*a + (1-rho)*d^2;  p -= lr*d
import type { Handle } from '../kernels';
import { Tensor } from '../tensor';
import { kernels } from './kernels';
import { Optimizer, ParamGroup, ParamState, ParamsArg, checkNumber } from './optimizer';
import { rangeError } from '../errors';

/** Options of Adadelta (defaults in brackets). */
export interface AdadeltaOptions {
  /** Scale of the update [1]. */
  lr: number;
  /** Decay rate of the running averages [0.9]. */
  rho: number;
  /** Added inside the square roots [1e-6]. */
  eps: number;
  /** L2 penalty added to the gradient [0]. */
  weightDecay: number;
}

/** Adadelta (torch.optim.Adadelta): steps from running averages of squared gradients and squared updates. */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: ParamsArg<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super('Adadelta', params, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 }, options);
  }
  protected validate(o: AdadeltaOptions, where: string): void {
    checkNumber(where, 'lr', o.lr, 0);
    checkNumber(where, 'rho', o.rho, 0);
    if (o.rho > 1) throw rangeError(`${where}: option rho must be in [0, 1], got ${o.rho}`);
    checkNumber(where, 'eps', o.eps, 0);
    checkNumber(where, 'weightDecay', o.weightDecay, 0);
  }
  protected update(p: Tensor, grad: Handle, g: ParamGroup<AdadeltaOptions>, st: ParamState): void {
    if (!(st.squareAvg instanceof Tensor)) {
      st.step = 0;
      st.squareAvg = this.newState(p);
      st.accDelta = this.newState(p);
    }
    kernels.adadeltaStep(p._h, grad, (st.squareAvg as Tensor)._h, (st.accDelta as Tensor)._h, g.lr, g.rho, g.eps,
      g.weightDecay);
    st.step = (st.step as number) + 1;
  }
}
