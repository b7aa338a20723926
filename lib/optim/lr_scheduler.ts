// Learning-rate schedulers, as torch.optim.lr_scheduler. Each computes the next lr from the
// current one in PyTorch's chainable form (not the closed form), so the values match PyTorch step
// by step and several schedulers on one optimizer compose the way they do there.
//
//   const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 10, gamma: 0.5 });
//   for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
//
// Constructing a scheduler performs its step 0 (which may already change the lr, e.g. LinearLR),
// and records each group's starting lr as `initialLr` on the group.
import { Tensor, describe } from '../tensor';
import { Optimizer, checkNumber } from './optimizer';
import { argumentError, rangeError, show } from '../errors';
import { checkOptions, positiveInt, schedulerState, loadSchedulerState } from './lr_scheduler_util';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptimizer = Optimizer<any>;

function checkOptimizer(op: string, opt: unknown): AnyOptimizer {
  if (!(opt instanceof Optimizer)) throw argumentError(`${op}: expected an optimizer, got ${describe(opt)}`);
  return opt;
}

/** Base of the epoch-driven schedulers: step() advances lastEpoch and sets every group's lr. */
export abstract class LRScheduler {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** Each group's initialLr when the scheduler was created. */
  baseLrs: number[];
  /** Number of step() calls so far minus one (0 right after construction). */
  lastEpoch = -1;
  protected lastLr: number[] = [];

  protected constructor(op: string, optimizer: unknown) {
    // JavaScript can construct the abstract class itself: say so rather than fail on `op`.
    if (typeof op !== 'string') throw argumentError('LRScheduler: the base class is abstract; construct StepLR, CosineAnnealingLR, ... instead');
    this.optimizer = checkOptimizer(op, optimizer);
    for (const g of this.optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** Subclasses call this at the end of their constructor, once their options are set. */
  protected initialStep(): void {
    this.step();
  }

  /** The lr of every group for the current lastEpoch, from the groups' current lrs. */
  protected abstract computeLr(): number[];

  /** The lr of every group at lastEpoch from the base lrs alone, where a closed form exists. */
  protected closedFormLr?(): number[];

  /**
   * step() advances one epoch. step(epoch) jumps to `epoch` (PyTorch's deprecated form, which
   * SequentialLR uses to restart a scheduler): the closed form where there is one.
   */
  step(epoch?: number): void {
    let lrs: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      lrs = this.computeLr();
    } else {
      if (typeof epoch !== 'number' || !Number.isFinite(epoch))
        throw argumentError(`${this.constructor.name}.step: epoch must be a number, got ${describe(epoch)}`);
      this.lastEpoch = epoch;
      lrs = this.closedFormLr ? this.closedFormLr() : this.computeLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = lrs[i];
    });
    this.lastLr = lrs.slice();
  }

  /** The lrs the last step() set, one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** JSON-able state (everything but the optimizer). */
  stateDict(): Record<string, unknown> {
    return schedulerState(this);
  }

  /** Restores the state from stateDict() (on a scheduler built over the same optimizer). */
  loadStateDict(sd: Record<string, unknown>): void {
    loadSchedulerState(this, sd);
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/**
 * Multiplies the lr by gamma every stepSize epochs.
 * @example const sched = new tf.optim.lrScheduler.StepLR(opt, { stepSize: 30 });  // sched.step() each epoch
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  stepSize: number;
  /** Decay factor (default 0.1). */
  gamma: number;
  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number }) {
    super('StepLR', optimizer);
    const o = checkOptions('StepLR', options, ['stepSize', 'gamma']);
    this.stepSize = positiveInt('StepLR', 'stepSize', o.stepSize);
    this.gamma = (o.gamma ?? 0.1) as number;
    checkNumber('StepLR', 'gamma', this.gamma, 0);
    this.initialStep();
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * Math.pow(this.gamma, Math.floor(this.lastEpoch / this.stepSize)));
  }
}

/** Multiplies the lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  /** Decay factor per epoch. */
  gamma: number;
  constructor(optimizer: AnyOptimizer, options: { gamma: number }) {
    super('ExponentialLR', optimizer);
    const o = checkOptions('ExponentialLR', options, ['gamma']);
    this.gamma = o.gamma as number;
    checkNumber('ExponentialLR', 'gamma', this.gamma, 0);
    this.initialStep();
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * Math.pow(this.gamma, this.lastEpoch));
  }
}

/**
 * Cosine annealing from the base lr to etaMin over tMax epochs (and back up after, as PyTorch).
 * @example const sched = new tf.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 100 });
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs from the base lr down to etaMin (half a cosine period). */
  tMax: number;
  /** The lowest lr (default 0). */
  etaMin: number;
  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number }) {
    super('CosineAnnealingLR', optimizer);
    const o = checkOptions('CosineAnnealingLR', options, ['tMax', 'etaMin']);
    this.tMax = positiveInt('CosineAnnealingLR', 'tMax', o.tMax);
    this.etaMin = (o.etaMin ?? 0) as number;
    checkNumber('CosineAnnealingLR', 'etaMin', this.etaMin, 0);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const e = this.lastEpoch, T = this.tMax, eta = this.etaMin;
    if (e === 0) return this.groupLrs();
    if ((e - 1 - T) % (2 * T) === 0)
      return this.groupLrs().map((lr, i) => lr + ((this.baseLrs[i] - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    return this.groupLrs().map(
      (lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - eta) + eta);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/** Scales the lr linearly from startFactor to endFactor over totalIters epochs. */
export class LinearLR extends LRScheduler {
  /** Factor of the base lr at epoch 0 (default 1/3). */
  startFactor: number;
  /** Factor reached at totalIters and kept after (default 1). */
  endFactor: number;
  /** Epochs of the linear ramp (default 5). */
  totalIters: number;
  constructor(optimizer: AnyOptimizer, options: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super('LinearLR', optimizer);
    const o = checkOptions('LinearLR', options, ['startFactor', 'endFactor', 'totalIters']);
    this.startFactor = (o.startFactor ?? 1 / 3) as number;
    this.endFactor = (o.endFactor ?? 1) as number;
    this.totalIters = (o.totalIters ?? 5) as number;
    checkNumber('LinearLR', 'startFactor', this.startFactor, 0);
    if (this.startFactor === 0 || this.startFactor > 1)
      throw rangeError(`LinearLR: invalid startFactor ${this.startFactor} (must be in (0, 1])`);
    checkNumber('LinearLR', 'endFactor', this.endFactor, 0);
    if (this.endFactor > 1) throw rangeError(`LinearLR: invalid endFactor ${this.endFactor} (must be in [0, 1])`);
    if (typeof this.totalIters !== 'number' || !Number.isInteger(this.totalIters))
      throw argumentError(`LinearLR: option totalIters must be an integer, got ${describe(this.totalIters)}`);
    if (this.totalIters < 0) throw rangeError(`LinearLR: invalid totalIters ${this.totalIters} (must be >= 0)`);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const e = this.lastEpoch, s = this.startFactor, f = this.endFactor, n = this.totalIters;
    if (e === 0) return this.groupLrs().map((lr) => lr * s);
    if (e > n) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
  protected closedFormLr(): number[] {
    const k = this.startFactor + ((this.endFactor - this.startFactor) * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters;
    return this.baseLrs.map((b) => b * k);
  }
}

/** Options of ReduceLROnPlateau (PyTorch's defaults). */
export interface ReduceLROnPlateauOptions {
  /** 'min' (default): the metric should fall (a loss); 'max': it should rise (an accuracy). */
  mode?: 'min' | 'max';
  /** lr ← lr · factor on a plateau (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Minimum improvement that counts (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): relative to the best value; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** One floor for every group, or one per group. */
  minLr?: number | number[];
  /** Changes smaller than this are ignored. */
  eps?: number;
}

/**
 * Reduces the lr by `factor` once the metric given to step(metric) stops improving for `patience` epochs.
 * @example const sched = new tf.optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 5 }); sched.step(valLoss);
 */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** 'min' or 'max': which direction of the metric is an improvement. */
  mode: 'min' | 'max';
  /** Multiplier applied to the lr on a plateau. */
  factor: number;
  /** Epochs without improvement tolerated. */
  patience: number;
  /** Minimum improvement that counts. */
  threshold: number;
  /** 'rel' or 'abs' threshold. */
  thresholdMode: 'rel' | 'abs';
  /** Epochs to wait after a reduction. */
  cooldown: number;
  /** The lr floor of each group. */
  minLrs: number[];
  /** Reductions smaller than this are skipped. */
  eps: number;
  /** The best metric seen so far. */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Cooldown epochs left. */
  cooldownCounter = 0;
  /** Number of step() calls so far. */
  lastEpoch = 0;
  protected lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const op = 'ReduceLROnPlateau';
    this.optimizer = checkOptimizer(op, optimizer);
    const o = checkOptions(op, options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.mode = (o.mode ?? 'min') as 'min' | 'max';
    if (this.mode !== 'min' && this.mode !== 'max') throw rangeError(`${op}: invalid mode ${show(this.mode)} (must be 'min' or 'max')`);
    this.thresholdMode = (o.thresholdMode ?? 'rel') as 'rel' | 'abs';
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs')
      throw rangeError(`${op}: invalid thresholdMode ${show(this.thresholdMode)} (must be 'rel' or 'abs')`);
    this.factor = (o.factor ?? 0.1) as number;
    checkNumber(op, 'factor', this.factor, 0, { maxExclusive: 1 });
    this.patience = (o.patience ?? 10) as number;
    checkNumber(op, 'patience', this.patience, 0);
    this.threshold = (o.threshold ?? 1e-4) as number;
    checkNumber(op, 'threshold', this.threshold, 0);
    this.cooldown = (o.cooldown ?? 0) as number;
    checkNumber(op, 'cooldown', this.cooldown, 0);
    this.eps = (o.eps ?? 1e-8) as number;
    checkNumber(op, 'eps', this.eps, 0);
    const n = this.optimizer.paramGroups.length;
    const minLr = o.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw rangeError(`${op}: expected ${n} minLr values (one per group), got ${minLr.length}`);
      minLr.forEach((v, i) => checkNumber(op, `minLr[${i}]`, v, 0));
      this.minLrs = minLr.slice();
    } else {
      checkNumber(op, 'minLr', minLr, 0);
      this.minLrs = new Array(n).fill(minLr);
    }
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** Whether the scheduler is waiting out a cooldown. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records this epoch's metric (a number or a one-element Tensor). */
  step(metric: number | Tensor): void {
    let current: number;
    if (metric instanceof Tensor) current = metric.item();
    else if (typeof metric === 'number') current = metric;
    else throw argumentError(`ReduceLROnPlateau.step: metric must be a number or a Tensor, got ${describe(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const old = g.lr;
        const next = Math.max(old * this.factor, this.minLrs[i]);
        if (old - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The groups' lrs after the last step(), one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** JSON-able state (everything but the optimizer; `best` may be ±Infinity, which JSON writes as null). */
  stateDict(): Record<string, unknown> {
    return schedulerState(this);
  }

  /** Restores the state from stateDict(). */
  loadStateDict(sd: Record<string, unknown>): void {
    loadSchedulerState(this, sd);
    if (this.best === null) this.best = this.mode === 'min' ? Infinity : -Infinity;
  }
}

export {
  LambdaLR, MultiplicativeLR, MultiStepLR, ConstantLR, PolynomialLR, OneCycleLR, CyclicLR, CosineAnnealingWarmRestarts,
  SequentialLR, ChainedScheduler,
} from './lr_scheduler_more';
