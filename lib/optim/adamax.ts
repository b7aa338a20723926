// Adamax, as torch.optim.Adamax (Adam with the infinity norm):
//   t += 1;  g += wd*p;  m = b1*m + (1-b1)*g;  u = max(b2*u, |g| + eps);  p -= lr/(1-b1^t) * m / u
import type { Handle } from '../kernels';
import { Tensor, describe } from '../tensor';
import { kernels } from './kernels';
import { Optimizer, ParamGroup, ParamState, ParamsArg, checkNumber } from './optimizer';
import { argumentError } from '../errors';

/** Options of Adamax (defaults in brackets). */
export interface AdamaxOptions {
  /** Learning rate [2e-3]. */
  lr: number;
  /** Decay rates of the gradient mean and the infinity norm [[0.9, 0.999]]. */
  betas: [number, number];
  /** Added to the norm [1e-8]. */
  eps: number;
  /** L2 penalty added to the gradient [0]. */
  weightDecay: number;
}

/** @internal Checks lr, betas, eps and weightDecay, as every Adam-like optimizer takes them. */
export function checkAdamLike(o: { lr: number; betas: [number, number]; eps: number; weightDecay: number }, where: string): void {
  checkNumber(where, 'lr', o.lr, 0);
  if (!Array.isArray(o.betas) || o.betas.length !== 2)
    throw argumentError(`${where}: option betas must be an array of two numbers, got ${describe(o.betas)}`);
  checkNumber(where, 'betas[0]', o.betas[0], 0, { maxExclusive: 1 });
  checkNumber(where, 'betas[1]', o.betas[1], 0, { maxExclusive: 1 });
  checkNumber(where, 'eps', o.eps, 0);
  checkNumber(where, 'weightDecay', o.weightDecay, 0);
}

/** Adamax (torch.optim.Adamax): Adam with the infinity norm in place of the squared-gradient mean. */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: ParamsArg<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super('Adamax', params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }, options);
  }
  protected validate(o: AdamaxOptions, where: string): void {
    checkAdamLike(o, where);
  }
  protected update(p: Tensor, grad: Handle, g: ParamGroup<AdamaxOptions>, st: ParamState): void {
    if (!(st.expAvg instanceof Tensor)) {
      st.step = 0;
      st.expAvg = this.newState(p);
      st.expInf = this.newState(p);
    }
    const step = (st.step as number) + 1;
    kernels.adamaxStep(p._h, grad, (st.expAvg as Tensor)._h, (st.expInf as Tensor)._h, g.lr, g.betas[0], g.betas[1],
      g.eps, g.weightDecay, step);
    st.step = step;
  }
}
