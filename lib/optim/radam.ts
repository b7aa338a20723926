// RAdam, as torch.optim.RAdam (variance-rectified Adam):
//   m, v as Adam;  rho_inf = 2/(1-b2) - 1;  rho_t = rho_inf - 2t*b2^t/(1-b2^t)
//   rho_t > 5: p -= lr * m/(1-b1^t) * sqrt(1-b2^t)/(sqrt(v)+eps) * r_t   else: p -= lr * m/(1-b1^t)
import { Handle } from '../native';
import { Tensor } from '../tensor';
import { kernels } from './kernels';
import { Optimizer, ParamGroup, ParamState, ParamsArg } from './optimizer';
import { checkAdamLike } from './adamax';

export interface RAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

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
