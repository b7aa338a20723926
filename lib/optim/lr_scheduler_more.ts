// More learning-rate schedulers, as torch.optim.lr_scheduler: LambdaLR, MultiplicativeLR,
// MultiStepLR, ConstantLR, PolynomialLR, OneCycleLR, CyclicLR, CosineAnnealingWarmRestarts, and
// the combinators SequentialLR and ChainedScheduler. Same chainable forms as PyTorch, so the lrs
// agree step by step (test/optim_extra.test.js against scripts/gen_optim_extra_fixtures.py).
import { describe } from '../tensor';
import { Optimizer, checkNumber } from './optimizer';
import { LRScheduler } from './lr_scheduler';
import { checkOptions, positiveInt, schedulerState, loadSchedulerState } from './lr_scheduler_util';
import { argumentError, rangeError, stateError, tfError, show } from '../errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptimizer = Optimizer<any>;
type LrLambda = (epoch: number) => number;

function lambdas(op: string, f: unknown, n: number): LrLambda[] {
  const list = Array.isArray(f) ? f : new Array(n).fill(f);
  if (list.length !== n) throw rangeError(`${op}: expected ${n} lrLambda functions (one per group), got ${list.length}`);
  list.forEach((x, i) => {
    if (typeof x !== 'function') throw argumentError(`${op}: lrLambda${Array.isArray(f) ? `[${i}]` : ''} must be a function, got ${describe(x)}`);
  });
  return list;
}
// Per-group values: one number for all, or an array with one per group.
function perGroup(op: string, name: string, v: unknown, n: number): number[] {
  const list = Array.isArray(v) ? v : new Array(n).fill(v);
  if (list.length !== n) throw rangeError(`${op}: expected ${n} values of ${name} (one per group), got ${list.length}`);
  list.forEach((x, i) => checkNumber(op, `${name}${Array.isArray(v) ? `[${i}]` : ''}`, x, 0));
  return list as number[];
}
// State without the functions (PyTorch does not save lambdas either).
function stateWithout(sched: object, keys: string[]): Record<string, unknown> {
  const s = schedulerState(sched);
  for (const k of keys) delete s[k];
  return s;
}

/** lr = initialLr · lrLambda(epoch). */
export class LambdaLR extends LRScheduler {
  /** One function of the epoch per group, giving the factor of the initial lr. */
  lrLambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, options: { lrLambda: LrLambda | LrLambda[] }) {
    super('LambdaLR', optimizer);
    const o = checkOptions('LambdaLR', options, ['lrLambda']);
    this.lrLambdas = lambdas('LambdaLR', o.lrLambda, this.optimizer.paramGroups.length);
    this.initialStep();
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch));
  }
  /** JSON-able state, without the lambdas (as PyTorch, which does not save them either). */
  stateDict(): Record<string, unknown> {
    return stateWithout(this, ['lrLambdas']);
  }
}

/** lr *= lrLambda(epoch) at every epoch after the first. */
export class MultiplicativeLR extends LRScheduler {
  /** One function of the epoch per group, giving the factor applied at each step. */
  lrLambdas: LrLambda[];
  constructor(optimizer: AnyOptimizer, options: { lrLambda: LrLambda | LrLambda[] }) {
    super('MultiplicativeLR', optimizer);
    const o = checkOptions('MultiplicativeLR', options, ['lrLambda']);
    this.lrLambdas = lambdas('MultiplicativeLR', o.lrLambda, this.optimizer.paramGroups.length);
    this.initialStep();
  }
  protected computeLr(): number[] {
    if (this.lastEpoch <= 0) return this.groupLrs();
    return this.groupLrs().map((lr, i) => lr * this.lrLambdas[i](this.lastEpoch));
  }
  /** JSON-able state, without the lambdas. */
  stateDict(): Record<string, unknown> {
    return stateWithout(this, ['lrLambdas']);
  }
}

/** lr *= gamma at each milestone epoch (twice at a milestone listed twice). */
export class MultiStepLR extends LRScheduler {
  /** The epochs at which the lr decays (sorted). */
  milestones: number[];
  /** Decay factor (default 0.1). */
  gamma: number;
  constructor(optimizer: AnyOptimizer, options: { milestones: number[]; gamma?: number }) {
    super('MultiStepLR', optimizer);
    const o = checkOptions('MultiStepLR', options, ['milestones', 'gamma']);
    if (!Array.isArray(o.milestones) || !o.milestones.every((m) => Number.isInteger(m)))
      throw argumentError(`MultiStepLR: option milestones must be an array of integers, got ${describe(o.milestones)}`);
    this.milestones = (o.milestones as number[]).slice().sort((a, b) => a - b);
    this.gamma = (o.gamma ?? 0.1) as number;
    checkNumber('MultiStepLR', 'gamma', this.gamma, 0);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (!hits) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * Math.pow(this.gamma, hits));
  }
  protected closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * Math.pow(this.gamma, passed));
  }
}

/** lr · factor for the first totalIters epochs, then the lr itself. */
export class ConstantLR extends LRScheduler {
  /** Factor of the lr during the first totalIters epochs (default 1/3). */
  factor: number;
  /** Epochs the factor applies (default 5). */
  totalIters: number;
  constructor(optimizer: AnyOptimizer, options: { factor?: number; totalIters?: number } = {}) {
    super('ConstantLR', optimizer);
    const o = checkOptions('ConstantLR', options, ['factor', 'totalIters']);
    this.factor = (o.factor ?? 1 / 3) as number;
    checkNumber('ConstantLR', 'factor', this.factor, 0);
    if (this.factor > 1 || this.factor === 0) throw rangeError(`ConstantLR: invalid factor ${this.factor} (must be in (0, 1])`);
    this.totalIters = (o.totalIters ?? 5) as number;
    checkNumber('ConstantLR', 'totalIters', this.totalIters, 0);
    this.initialStep();
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs().map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 / this.factor));
  }
  protected closedFormLr(): number[] {
    const k = this.factor + (this.lastEpoch >= this.totalIters ? 1 - this.factor : 0);
    return this.baseLrs.map((b) => b * k);
  }
}

/** Polynomial decay to 0 over totalIters epochs: lr · (1 − e/T)^power. */
export class PolynomialLR extends LRScheduler {
  /** Epochs until the lr reaches 0 (default 5). */
  totalIters: number;
  /** Exponent of the decay (default 1: linear). */
  power: number;
  constructor(optimizer: AnyOptimizer, options: { totalIters?: number; power?: number } = {}) {
    super('PolynomialLR', optimizer);
    const o = checkOptions('PolynomialLR', options, ['totalIters', 'power']);
    this.totalIters = positiveInt('PolynomialLR', 'totalIters', o.totalIters ?? 5);
    this.power = (o.power ?? 1) as number;
    checkNumber('PolynomialLR', 'power', this.power, 0);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const e = this.lastEpoch, T = this.totalIters;
    if (e === 0 || e > T) return this.groupLrs();
    const k = Math.pow((1 - e / T) / (1 - (e - 1) / T), this.power);
    return this.groupLrs().map((lr) => lr * k);
  }
  protected closedFormLr(): number[] {
    const k = Math.pow(1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters, this.power);
    return this.baseLrs.map((b) => b * k);
  }
}

// Momentum a scheduler may cycle: SGD-like 'momentum', or Adam-like betas[0].
function momentumKey(op: string, opt: AnyOptimizer, allowBetas: boolean): 'momentum' | 'betas' {
  const d = opt.defaults as Record<string, unknown>;
  if ('momentum' in d) return 'momentum';
  if (allowBetas && 'betas' in d) return 'betas';
  throw tfError('ARGUMENT', `${op}: optimizer must support momentum${allowBetas ? ' or betas' : ''} with cycleMomentum enabled`);
}
function setMomentum(g: Record<string, unknown>, key: 'momentum' | 'betas', m: number): void {
  if (key === 'momentum') g.momentum = m;
  else g.betas = [m, ...((g.betas as number[]).slice(1))];
}

export interface OneCycleLROptions {
  maxLr: number | number[];
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/** The 1cycle policy: up from maxLr/divFactor to maxLr, then down to a much smaller lr (momentum the other way). */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle (totalSteps, or epochs · stepsPerEpoch). */
  totalSteps: number;
  /** 'cos' (default) or 'linear' annealing between the phase ends. */
  annealStrategy: 'cos' | 'linear';
  /** Whether momentum (or Adam's betas[0]) cycles inversely to the lr (default true). */
  cycleMomentum: boolean;
  /** The phases: their last step and the lr and momentum they anneal between. */
  phases: Phase[];
  /** Which group option is cycled: 'momentum' (SGD-like), 'betas' (Adam-like), or null. */
  momentumKey: 'momentum' | 'betas' | null;

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    const op = 'OneCycleLR';
    const o = checkOptions(op, options, ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy',
      'cycleMomentum', 'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase']);
    if (!(optimizer instanceof Optimizer)) throw argumentError(`${op}: expected an optimizer, got ${describe(optimizer)}`);
    const groups = optimizer.paramGroups as Record<string, unknown>[];
    const n = groups.length;
    // The groups' lrs are set before the base class records initialLr, as PyTorch does.
    const maxLrs = perGroup(op, 'maxLr', o.maxLr, n);
    const divFactor = (o.divFactor ?? 25) as number, finalDiv = (o.finalDivFactor ?? 1e4) as number;
    checkNumber(op, 'divFactor', divFactor, 0);
    checkNumber(op, 'finalDivFactor', finalDiv, 0);
    groups.forEach((g, i) => {
      g.initialLr = maxLrs[i] / divFactor;
      g.maxLr = maxLrs[i];
      g.minLr = (g.initialLr as number) / finalDiv;
    });
    super(op, optimizer);
    if (o.totalSteps !== undefined && o.totalSteps !== null) this.totalSteps = positiveInt(op, 'totalSteps', o.totalSteps);
    else if (o.epochs !== undefined && o.epochs !== null && o.stepsPerEpoch !== undefined && o.stepsPerEpoch !== null)
      this.totalSteps = positiveInt(op, 'epochs', o.epochs) * positiveInt(op, 'stepsPerEpoch', o.stepsPerEpoch);
    else throw tfError('ARGUMENT', `${op}: you must define either totalSteps OR (epochs AND stepsPerEpoch)`);
    const pct = (o.pctStart ?? 0.3) as number;
    checkNumber(op, 'pctStart', pct, 0);
    if (pct > 1) throw rangeError(`${op}: invalid pctStart ${pct} (must be in [0, 1])`);
    this.annealStrategy = (o.annealStrategy ?? 'cos') as 'cos' | 'linear';
    if (this.annealStrategy !== 'cos' && this.annealStrategy !== 'linear')
      throw rangeError(`${op}: annealStrategy must be 'cos' or 'linear', got ${show(o.annealStrategy)}`);
    const T = this.totalSteps;
    this.phases = o.threePhase
      ? [
        { endStep: pct * T - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: 2 * pct * T - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        { endStep: T - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
      ]
      : [
        { endStep: pct * T - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: T - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
      ];
    this.cycleMomentum = (o.cycleMomentum ?? true) as boolean;
    this.momentumKey = null;
    if (this.cycleMomentum) {
      this.momentumKey = momentumKey(op, this.optimizer, true);
      const maxM = perGroup(op, 'maxMomentum', o.maxMomentum ?? 0.95, n), baseM = perGroup(op, 'baseMomentum', o.baseMomentum ?? 0.85, n);
      groups.forEach((g, i) => {
        setMomentum(g, this.momentumKey as 'momentum' | 'betas', maxM[i]);
        g.maxMomentum = maxM[i];
        g.baseMomentum = baseM[i];
      });
    }
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps)
      throw stateError(`OneCycleLR: tried to step ${step} times; the total number of steps is ${this.totalSteps}`);
    return (this.optimizer.paramGroups as Record<string, unknown>[]).map((g) => {
      let start = 0, lr = 0, mom = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (step <= ph.endStep || i === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) mom = this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
          break;
        }
        start = ph.endStep;
      }
      if (this.cycleMomentum) setMomentum(g, this.momentumKey as 'momentum' | 'betas', mom);
      return lr;
    });
  }
}

export interface CyclicLROptions {
  baseLr: number | number[];
  maxLr: number | number[];
  stepSizeUp?: number;
  stepSizeDown?: number | null;
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  gamma?: number;
  scaleFn?: ((x: number) => number) | null;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
}

/** Cyclical learning rates between baseLr and maxLr (triangular, triangular2, exp_range or a custom scaleFn). */
export class CyclicLR extends LRScheduler {
  /** The upper lr of each group's cycle. */
  maxLrs: number[];
  /** Steps in one cycle (stepSizeUp + stepSizeDown). */
  totalSize: number;
  /** The rising part of a cycle, as a fraction. */
  stepRatio: number;
  /** 'triangular' (default), 'triangular2' or 'exp_range'. */
  mode: string;
  /** Decay base of 'exp_range' (default 1). */
  gamma: number;
  /** Whether scaleFn takes the cycle number or the step count. */
  scaleMode: 'cycle' | 'iterations';
  /** Whether momentum cycles inversely to the lr (default true). */
  cycleMomentum: boolean;
  /** The lower momentum of each group (default 0.8). */
  baseMomentums: number[];
  /** The upper momentum of each group (default 0.9). */
  maxMomentums: number[];
  /** Scales the amplitude of each cycle (from the mode, or the user's). */
  scaleFn: (x: number) => number;

  constructor(optimizer: AnyOptimizer, options: CyclicLROptions) {
    const op = 'CyclicLR';
    const o = checkOptions(op, options, ['baseLr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma', 'scaleFn',
      'scaleMode', 'cycleMomentum', 'baseMomentum', 'maxMomentum']);
    if (!(optimizer instanceof Optimizer)) throw argumentError(`${op}: expected an optimizer, got ${describe(optimizer)}`);
    const groups = optimizer.paramGroups as Record<string, unknown>[];
    const n = groups.length;
    const baseLrs = perGroup(op, 'baseLr', o.baseLr, n);
    // A fresh CyclicLR starts every group at its baseLr (and that becomes its initialLr).
    groups.forEach((g, i) => { g.lr = baseLrs[i]; });
    super(op, optimizer);
    this.baseLrs = baseLrs;
    this.maxLrs = perGroup(op, 'maxLr', o.maxLr, n);
    const up = (o.stepSizeUp ?? 2000) as number;
    const down = (o.stepSizeDown ?? up) as number;
    checkNumber(op, 'stepSizeUp', up, 0);
    checkNumber(op, 'stepSizeDown', down, 0);
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = (o.mode ?? 'triangular') as string;
    this.gamma = (o.gamma ?? 1) as number;
    if (o.scaleFn !== undefined && o.scaleFn !== null) {
      if (typeof o.scaleFn !== 'function') throw argumentError(`${op}: scaleFn must be a function, got ${describe(o.scaleFn)}`);
      this.scaleFn = o.scaleFn as (x: number) => number;
      this.scaleMode = (o.scaleMode ?? 'cycle') as 'cycle' | 'iterations';
    } else if (this.mode === 'triangular') {
      this.scaleFn = () => 1;
      this.scaleMode = 'cycle';
    } else if (this.mode === 'triangular2') {
      this.scaleFn = (x) => 1 / Math.pow(2, x - 1);
      this.scaleMode = 'cycle';
    } else if (this.mode === 'exp_range') {
      this.scaleFn = (x) => Math.pow(this.gamma, x);
      this.scaleMode = 'iterations';
    } else throw rangeError(`${op}: mode must be 'triangular', 'triangular2' or 'exp_range', got ${show(this.mode)}`);
    this.cycleMomentum = (o.cycleMomentum ?? true) as boolean;
    this.baseMomentums = [];
    this.maxMomentums = [];
    if (this.cycleMomentum) {
      momentumKey(op, this.optimizer, false);
      this.baseMomentums = perGroup(op, 'baseMomentum', o.baseMomentum ?? 0.8, n);
      this.maxMomentums = perGroup(op, 'maxMomentum', o.maxMomentum ?? 0.9, n);
      groups.forEach((g, i) => { g.momentum = this.baseMomentums[i]; });
    }
    this.initialStep();
  }

  protected computeLr(): number[] {
    const e = this.lastEpoch;
    const cycle = Math.floor(1 + e / this.totalSize);
    const x = 1 + e / this.totalSize - cycle;
    const scale = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const s = this.scaleFn(this.scaleMode === 'cycle' ? cycle : e);
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * scale * s);
    if (this.cycleMomentum)
      (this.optimizer.paramGroups as Record<string, unknown>[]).forEach((g, i) => {
        g.momentum = this.maxMomentums[i] - (this.maxMomentums[i] - this.baseMomentums[i]) * scale * s;
      });
    return lrs;
  }
  /** JSON-able state, without a custom scaleFn. */
  stateDict(): Record<string, unknown> {
    return stateWithout(this, ['scaleFn']);
  }
  /** Restores the state from stateDict(), keeping this scheduler's scaleFn. */
  loadStateDict(sd: Record<string, unknown>): void {
    const fn = this.scaleFn;
    loadSchedulerState(this, sd);
    this.scaleFn = fn;
  }
}

/** Cosine annealing with warm restarts: period T0, then T0·tMult, ... (SGDR). step(epoch) takes fractional epochs. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Epochs of the first period. */
  T0: number;
  /** Factor by which each period is longer than the previous (default 1). */
  tMult: number;
  /** The lowest lr (default 0). */
  etaMin: number;
  /** Length of the current period. */
  tI: number;
  /** Epochs since the last restart (fractional with step(epoch)). */
  tCur: number;
  constructor(optimizer: AnyOptimizer, options: { T0: number; tMult?: number; etaMin?: number }) {
    const op = 'CosineAnnealingWarmRestarts';
    super(op, optimizer);
    const o = checkOptions(op, options, ['T0', 'tMult', 'etaMin']);
    this.T0 = positiveInt(op, 'T0', o.T0);
    this.tMult = positiveInt(op, 'tMult', o.tMult ?? 1);
    this.etaMin = (o.etaMin ?? 0) as number;
    checkNumber(op, 'etaMin', this.etaMin, 0);
    this.tI = this.T0;
    this.tCur = -1;
    this.initialStep();
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }
  /** Advances one epoch, or jumps to `epoch` (fractional epochs allowed, for per-batch updates). */
  step(epoch?: number): void {
    let e: number;
    if (epoch === undefined && this.lastEpoch < 0) e = 0;
    else e = epoch as number;
    if (epoch === undefined && this.lastEpoch >= 0) {
      e = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      if (typeof e !== 'number' || !(e >= 0)) throw rangeError(`CosineAnnealingWarmRestarts.step: expected a non-negative epoch, got ${describe(e)}`);
      if (e >= this.T0) {
        if (this.tMult === 1) this.tCur = e % this.T0;
        else {
          const k = Math.floor(Math.log((e / this.T0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = e - (this.T0 * (Math.pow(this.tMult, k) - 1)) / (this.tMult - 1);
          this.tI = this.T0 * Math.pow(this.tMult, k);
        }
      } else {
        this.tI = this.T0;
        this.tCur = e;
      }
    }
    this.lastEpoch = Math.floor(e);
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]; });
    this.lastLr = lrs.slice();
  }
}

type Scheduler = LRScheduler;

function checkSchedulers(op: string, schedulers: unknown, optimizer?: AnyOptimizer): Scheduler[] {
  if (!Array.isArray(schedulers) || schedulers.length === 0)
    throw argumentError(`${op}: schedulers must be a non-empty array of schedulers, got ${describe(schedulers)}`);
  // A copy, checked entry by entry: forEach would skip holes, and a getter may resize the array.
  const list: unknown[] = [];
  for (let i = 0; i < schedulers.length; i++) list.push(schedulers[i]);
  list.forEach((s, i) => {
    if (!(s instanceof LRScheduler)) throw argumentError(`${op}: schedulers[${i}] must be an LR scheduler, got ${describe(s)}`);
    if (optimizer && s.optimizer !== optimizer)
      throw tfError('ARGUMENT', `${op}: schedulers[${i}] drives a different optimizer than the one given`);
  });
  if (list.length === 0) throw argumentError(`${op}: schedulers must be a non-empty array of schedulers`);
  return list as Scheduler[];
}

/** Runs schedulers one after another, switching at the milestone epochs (each restarts from epoch 0). */
export class SequentialLR {
  /** The optimizer the schedulers share. */
  readonly optimizer: AnyOptimizer;
  /** The schedulers, in the order they take over. */
  schedulers: Scheduler[];
  /** The epochs at which the next scheduler takes over (one fewer than the schedulers). */
  milestones: number[];
  /** Number of step() calls so far. */
  lastEpoch: number;
  protected lastLr: number[];
  constructor(optimizer: AnyOptimizer, options: { schedulers: Scheduler[]; milestones: number[] }) {
    const op = 'SequentialLR';
    if (!(optimizer instanceof Optimizer)) throw argumentError(`${op}: expected an optimizer, got ${describe(optimizer)}`);
    const o = checkOptions(op, options, ['schedulers', 'milestones']);
    this.optimizer = optimizer;
    this.schedulers = checkSchedulers(op, o.schedulers, optimizer);
    if (!Array.isArray(o.milestones) || o.milestones.length !== this.schedulers.length - 1)
      throw tfError('ARGUMENT', `${op}: expected ${this.schedulers.length - 1} milestones (one fewer than schedulers), got ${describe(o.milestones)}`);
    this.milestones = (o.milestones as number[]).slice();
    this.lastEpoch = 0;
    // Every scheduler already made its initial step: undo them and redo only the first one's.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    (this.schedulers[0] as unknown as { initialStep(): void }).initialStep();
    this.lastLr = this.schedulers[0].getLastLr();
  }
  /** Advances one epoch with the scheduler in charge (restarting it at its milestone). */
  step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx] <= this.lastEpoch) idx++;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }
  /** The lrs the last step() set, one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }
  /** JSON-able state, with each scheduler's. */
  stateDict(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, milestones: this.milestones.slice(), lastLr: this.lastLr.slice(),
      schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  /** Restores the state from stateDict(). */
  loadStateDict(sd: Record<string, unknown>): void {
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.schedulers) || sd.schedulers.length !== this.schedulers.length)
      throw argumentError(`SequentialLR.loadStateDict: expected the state of ${this.schedulers.length} schedulers, got ${describe(sd)}`);
    this.lastEpoch = sd.lastEpoch as number;
    this.milestones = (sd.milestones as number[]).slice();
    this.lastLr = (sd.lastLr as number[]).slice();
    this.schedulers.forEach((s, i) => s.loadStateDict((sd.schedulers as Record<string, unknown>[])[i]));
  }
}

/** Steps every scheduler at each step(), so their effects compose. */
export class ChainedScheduler {
  /** The optimizer of the first scheduler. */
  readonly optimizer: AnyOptimizer;
  /** The schedulers stepped together. */
  schedulers: Scheduler[];
  protected lastLr: number[];
  constructor(schedulers: Scheduler[]) {
    this.schedulers = checkSchedulers('ChainedScheduler', schedulers);
    this.optimizer = this.schedulers[0].optimizer;
    this.lastLr = this.schedulers[this.schedulers.length - 1].optimizer.paramGroups.map((g) => g.lr);
  }
  /** Steps every scheduler once, in order. */
  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.schedulers[this.schedulers.length - 1].optimizer.paramGroups.map((g) => g.lr);
  }
  /** The groups' lrs after the last step(). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }
  /** JSON-able state, with each scheduler's. */
  stateDict(): Record<string, unknown> {
    return { lastLr: this.lastLr.slice(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  /** Restores the state from stateDict(). */
  loadStateDict(sd: Record<string, unknown>): void {
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.schedulers) || sd.schedulers.length !== this.schedulers.length)
      throw argumentError(`ChainedScheduler.loadStateDict: expected the state of ${this.schedulers.length} schedulers, got ${describe(sd)}`);
    this.lastLr = (sd.lastLr as number[]).slice();
    this.schedulers.forEach((s, i) => s.loadStateDict((sd.schedulers as Record<string, unknown>[])[i]));
  }
}
