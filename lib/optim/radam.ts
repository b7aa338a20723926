// RAdam, as torch.optim.RAdam (variance-rectified Adam):
//   m, v as Adam;  rho_inf = 2/(1-b2) - 1;  rho_t = rho_inf - 2t*b2^t/(1-b2^t)
//   rho_t > 5: p -= lr * m/(1-b1^t) * sqrt(1-b2^t)/(sqrt(v)+eps) * r_t   else: p -= lr * m/(1-b1^t)
import type { Handle } from '../kernels';
import { Tensor } from '../tensor';
import { kernels } from './kernels';
import { Optimizer, ParamGroup, ParamState, ParamsArg } from './optimizer';
import { checkAdamLike } from './adamax';

/** Options of RAdam (defaults in brackets). */
export interface RAdamOptions {
  /** Learning rate [1e-3]. */
  lr: number;
  /** Decay rates of the running means of the gradient and its square [[0.9, 0.999]]. */
  betas: [number, number];
  /** Added to the denominator [1e-8]. */
  eps: number;
  /** L2 penalty added to the gradient [0]. */
  weightDecay: number;
}

/** RAdam (torch.optim.RAdam): Adam with the variance of the adaptive step rectified; plain momentum steps early on. */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: ParamsArg<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super('RAdam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }, options);
  }
  protected validate(o: RAdamOptions, where: string): void {
    checkAdamLike(o, where);
  }
  protected update(p: Tensor, grad: Handle, g: ParamGroup<RAdamOptions>, st: ParamState): void {
    if (!(st.expAvg instanceof Tensor)) {
      st.step = 0;
      st.expAvg = this.newState(p);
      st.expAvgSq = this.newState(p);
    }
    const step = (st.step as number) + 1;
    kernels.radamStep(p._h, grad, (st.expAvg as Tensor)._h, (st.expAvgSq as Tensor)._h, g.lr, g.betas[0], g.betas[1],
      g.eps, g.weightDecay, step);
    st.step = step;
  }
}
