// NAdam, as torch.optim.NAdam (Adam with Nesterov momentum and the momentum-decay schedule):
//   mu_t = b1*(1 - 0.5*0.96^(t*psi));  muProduct *= mu_t
//   m, v as Adam;  denom = sqrt(v/(1-b2^t)) + eps
//   p -= lr*(1-mu_t)/(1-muProduct) * g/denom + lr*mu_{t+1}/(1-muProduct*mu_{t+1}) * m/denom
import type { Handle } from '../kernels';
import { Tensor } from '../tensor';
import { kernels } from './kernels';
import { Optimizer, ParamGroup, ParamState, ParamsArg, checkNumber } from './optimizer';
import { checkAdamLike } from './adamax';

/** Options of NAdam (defaults in brackets). */
export interface NAdamOptions {
  /** Learning rate [2e-3]. */
  lr: number;
  /** Decay rates of the running means of the gradient and its square [[0.9, 0.999]]. */
  betas: [number, number];
  /** Added to the denominator [1e-8]. */
  eps: number;
  /** L2 penalty added to the gradient [0]. */
  weightDecay: number;
  /** ψ in the momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ)) [4e-3]. */
  momentumDecay: number;
}

/** NAdam (torch.optim.NAdam): Adam with Nesterov momentum and its momentum-decay schedule. */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: ParamsArg<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super('NAdam', params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 }, options);
  }
  protected validate(o: NAdamOptions, where: string): void {
    checkAdamLike(o, where);
    checkNumber(where, 'momentumDecay', o.momentumDecay, 0);
  }
  protected update(p: Tensor, grad: Handle, g: ParamGroup<NAdamOptions>, st: ParamState): void {
    if (!(st.expAvg instanceof Tensor)) {
      st.step = 0;
      st.muProduct = 1;
      st.expAvg = this.newState(p);
      st.expAvgSq = this.newState(p);
    }
    const step = (st.step as number) + 1;
    const mu = g.betas[0] * (1 - 0.5 * Math.pow(0.96, step * g.momentumDecay));
    const muProduct = (st.muProduct as number) * mu;
    kernels.nadamStep(p._h, grad, (st.expAvg as Tensor)._h, (st.expAvgSq as Tensor)._h, g.lr, g.betas[0], g.betas[1],
      g.eps, g.weightDecay, g.momentumDecay, step, muProduct);
    st.step = step;
    st.muProduct = muProduct;
  }
}
