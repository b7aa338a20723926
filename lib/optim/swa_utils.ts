// Weight averaging (tf.optim.swaUtils), as torch.optim.swa_utils: AveragedModel keeps a copy of a
// model whose parameters are a running average (SWA: equal weights; EMA with getEmaMultiAvgFn) of
// the model's parameters at each updateParameters(model) call.
//
//   const ema = new optim.swaUtils.AveragedModel(model, { multiAvgFn: optim.swaUtils.getEmaMultiAvgFn(0.999) });
//   for (...) { opt.step(); ema.updateParameters(model); }
//   ema.forward(x);   // evaluates with the averaged weights
import { noGrad } from '../autograd';
import { Module } from '../nn/module';
import { cloneModule } from '../nn/clone';
import { Tensor, checkOptions, describe, full } from '../tensor';
import { argumentError, rangeError, tfError } from '../errors';

/** avg(averaged, current, numAveraged) → the new averaged value of one tensor. */
export type AvgFn = (averaged: Tensor, current: Tensor, numAveraged: number) => Tensor;
/** Updates every averaged tensor in place from the current ones. */
export type MultiAvgFn = (averaged: Tensor[], current: Tensor[], numAveraged: number) => void;

/** Exponential moving average: averaged ← averaged + (1 − decay)·(current − averaged). */
export function getEmaMultiAvgFn(decay = 0.999): MultiAvgFn {
  if (typeof decay !== 'number' || !(decay >= 0 && decay <= 1))
    throw rangeError(`getEmaMultiAvgFn: decay must be in [0, 1], got ${describe(decay)}`);
  return (avg, cur) => {
    avg.forEach((a, i) => a.copy_(a.add(cur[i].to(a.dtype).sub(a).mul(1 - decay))));
  };
}
/** The equal-weight average of all the models seen: averaged ← averaged + (current − averaged)/(n + 1). */
export function getSwaMultiAvgFn(): MultiAvgFn {
  return (avg, cur, n) => {
    avg.forEach((a, i) => a.copy_(a.add(cur[i].to(a.dtype).sub(a).div(n + 1))));
  };
}
/** The one-tensor forms, for avgFn. */
export function getEmaAvgFn(decay = 0.999): AvgFn {
  return (a, c) => a.mul(decay).add(c.mul(1 - decay));
}
/** The one-tensor equal-weight average, for avgFn: averaged + (current − averaged) / (n + 1). */
export function getSwaAvgFn(): AvgFn {
  return (a, c, n) => a.add(c.sub(a).div(n + 1));
}

/** Options of AveragedModel (without avgFn and multiAvgFn: the equal-weight SWA average). */
export interface AveragedModelOptions {
  /** Computes each averaged tensor from (averaged, current, numAveraged). */
  avgFn?: AvgFn | null;
  /** Updates all averaged tensors in place at once (e.g. getEmaMultiAvgFn(0.999)). */
  multiAvgFn?: MultiAvgFn | null;
  /** Average the buffers too (else they are copied from the model at each update). */
  useBuffers?: boolean;
}

/** A deep copy of `model` whose parameters hold the average; state dict: module.*, n_averaged. */
export class AveragedModel extends Module {
  /** The averaged copy of the model. */
  module: Module;
  /** Buffer: how many models have been averaged (int32 scalar). */
  declare n_averaged: Tensor;
  /** Whether buffers are averaged too (else copied from the model). */
  readonly useBuffers: boolean;
  declare private avgFn: AvgFn | null;
  declare private multiAvgFn: MultiAvgFn | null;

  constructor(model: Module, opts: AveragedModelOptions = {}) {
    super();
    checkOptions(opts, 'AveragedModel');
    if (!(model instanceof Module)) throw argumentError(`AveragedModel: model must be a Module, got ${describe(model)}`);
    for (const k of ['avgFn', 'multiAvgFn'] as const)
      if (opts[k] !== undefined && opts[k] !== null && typeof opts[k] !== 'function')
        throw argumentError(`AveragedModel: ${k} must be a function, got ${describe(opts[k])}`);
    this.module = cloneModule(model);
    this.registerBuffer('n_averaged', full([], 0, { dtype: 'int32' }));
    this.useBuffers = !!opts.useBuffers;
    Object.defineProperty(this, 'avgFn', { value: opts.avgFn ?? null, enumerable: false, writable: true });
    Object.defineProperty(this, 'multiAvgFn', { value: opts.multiAvgFn ?? null, enumerable: false, writable: true });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  /** The averaged model's forward on the same arguments. */
  forward(...args: any[]): any {
    return this.module.forward(...args);
  }

  /** Folds the model's current parameters (and buffers with useBuffers) into the average. */
  updateParameters(model: Module): void {
    if (!(model instanceof Module)) throw argumentError(`AveragedModel.updateParameters: model must be a Module, got ${describe(model)}`);
    const pick = (m: Module) => (this.useBuffers ? [...m.parameters(), ...m.buffers()] : m.parameters());
    const mine = pick(this.module), theirs = pick(model);
    if (mine.length !== theirs.length)
      throw tfError('ARGUMENT', `AveragedModel.updateParameters: the model has ${theirs.length} tensors to average, the copy ${mine.length}`);
    mine.forEach((p, i) => {
      if (p.shape.join(',') !== theirs[i].shape.join(','))
        throw tfError('ARGUMENT', `AveragedModel.updateParameters: tensor ${i} has shape [${theirs[i].shape}], the average [${p.shape}]`);
    });
    const n = this.n_averaged.item() as number;
    noGrad(() => {
      const avg = mine.map((p) => p.detach()), cur = theirs.map((p) => p.detach());
      if (n === 0) avg.forEach((a, i) => a.copy_(cur[i]));
      else if (this.multiAvgFn) this.multiAvgFn(avg, cur, n);
      else if (this.avgFn) avg.forEach((a, i) => a.copy_(this.avgFn!(a, cur[i].to(a.dtype), n)));
      else getSwaMultiAvgFn()(avg, cur, n);
      if (!this.useBuffers) {
        const bm = this.module.buffers(), bo = model.buffers();
        bm.forEach((b, i) => { if (bo[i]) b.copy_(bo[i]); });
      }
      this.n_averaged.copy_(n + 1);
    });
  }
}
