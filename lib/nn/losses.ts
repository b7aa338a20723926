// Loss functions beyond the basic ones in functional.ts, and the loss modules (each the class form
// of its F function, options as PyTorch's keyword arguments; a class weight is a buffer, so it is
// in the state dict under PyTorch's name).
import { where } from '../ops';
import { Tensor, checkOptions } from '../tensor';
import { Module } from './module';
import { needFloat, need, num, reduce, reductionArg, Reduction, optTensor } from './args';
import { pairwiseDistance } from './distance';
import { logSigmoid } from './activations';
import * as F from './functional';
import { shapeError } from '../errors';

function sameShapes(a: Tensor, b: Tensor, op: string, what: string): void {
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i]))
    throw shapeError(`${op}: input shape [${a.shape}] and ${what} shape [${b.shape}] differ`);
}

/** max(0, −y·(x1 − x2) + margin), y ∈ {1, −1}. */
export function marginRankingLoss(x1: Tensor, x2: Tensor, target: Tensor,
  opts: { margin?: number; reduction?: Reduction } = {}): Tensor {
  const op = 'marginRankingLoss';
  checkOptions(opts, op);
  needFloat(x1, op, 'input1'); needFloat(x2, op, 'input2'); need(target, op, 'target');
  const r = reductionArg(opts.reduction, op);
  return reduce(target.to(x1.dtype).neg().mul(x1.sub(x2)).add(opts.margin ?? 0).clamp(0, null), r);
}

/** x where y = 1, max(0, margin − x) where y = −1. */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, opts: { margin?: number; reduction?: Reduction } = {}): Tensor {
  const op = 'hingeEmbeddingLoss';
  checkOptions(opts, op);
  needFloat(input, op); need(target, op, 'target');
  const r = reductionArg(opts.reduction, op);
  const marginClamp = input.neg().add(opts.margin ?? 1).clamp(0, null);
  const loss = where(target.ne(1), marginClamp, 0).add(where(target.ne(-1), input, 0));
  return reduce(loss, r);
}

// PyTorch's constant inside cosine_embedding_loss.
const COS_EPS = 1e-12;

/** 1 − cos(x1, x2) where y = 1, max(0, cos − margin) where y = −1 (cos over dim 1, or 0 for 1-d inputs). */
export function cosineEmbeddingLoss(x1: Tensor, x2: Tensor, target: Tensor,
  opts: { margin?: number; reduction?: Reduction } = {}): Tensor {
  const op = 'cosineEmbeddingLoss';
  checkOptions(opts, op);
  needFloat(x1, op, 'input1'); needFloat(x2, op, 'input2'); need(target, op, 'target');
  sameShapes(x1, x2, op, 'input2');
  if (x1.ndim !== 1 && x1.ndim !== 2) throw shapeError(`${op}: inputs must be [N, D] or [D], got [${x1.shape}]`);
  const r = reductionArg(opts.reduction, op);
  const d = x1.ndim - 1;
  const prod = x1.mul(x2).sum(d);
  const m1 = x1.square().sum(d).add(COS_EPS), m2 = x2.square().sum(d).add(COS_EPS);
  const cos = prod.div(m1.mul(m2).sqrt());
  const pos = cos.neg().add(1), neg = cos.sub(opts.margin ?? 0).clamp(0, null);
  return reduce(where(target.eq(1), pos, 0).add(where(target.eq(-1), neg, 0)), r);
}

/** max(0, margin + d(a, p) − d(a, n)) with the pairwise p-norm distance; swap uses min(d(a, n), d(p, n)). */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor,
  opts: { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction } = {}): Tensor {
  const op = 'tripletMarginLoss';
  checkOptions(opts, op);
  needFloat(anchor, op, 'anchor'); needFloat(positive, op, 'positive'); needFloat(negative, op, 'negative');
  const r = reductionArg(opts.reduction, op);
  const p = opts.p ?? 2, eps = opts.eps ?? 1e-6;
  const dPos = pairwiseDistance(anchor, positive, p, eps);
  let dNeg = pairwiseDistance(anchor, negative, p, eps);
  if (opts.swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, p, eps));
  return reduce(dPos.sub(dNeg).add(opts.margin ?? 1).clamp(0, null), r);
}

/**
 * ½(log var + (input − target)²/var) (+ ½log 2π with full). var is clamped at eps for the value only:
 * its gradient passes through unchanged, as PyTorch's in-place clamp under no_grad.
 */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor,
  opts: { full?: boolean; eps?: number; reduction?: Reduction } = {}): Tensor {
  const op = 'gaussianNllLoss';
  checkOptions(opts, op);
  needFloat(input, op); needFloat(target, op, 'target'); needFloat(variance, op, 'var');
  const r = reductionArg(opts.reduction, op);
  let v = variance;
  if (v.ndim === input.ndim - 1 && v.shape.every((d, i) => d === input.shape[i])) v = v.unsqueeze(-1);
  const okShape = v.ndim === input.ndim && v.shape.every((d, i) => d === input.shape[i] || (i === v.ndim - 1 && d === 1));
  if (!okShape) throw shapeError(`${op}: var of shape [${variance.shape}] does not fit input [${input.shape}]`);
  if ((v.detach().lt(0).sum().item() as number) > 0) throw shapeError(`${op}: var has negative entries`);
  const eps = num(opts.eps ?? 1e-6, op, 'eps');
  v = v.add(v.detach().clamp(eps, null).sub(v.detach()));
  let loss = v.log().add(input.sub(target).square().div(v)).mul(0.5);
  if (opts.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
  return reduce(loss, r);
}

/** Poisson NLL: exp(input) − target·input (logInput), or input − target·log(input + eps); full adds Stirling's term. */
export function poissonNllLoss(input: Tensor, target: Tensor,
  opts: { logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction } = {}): Tensor {
  const op = 'poissonNllLoss';
  checkOptions(opts, op);
  needFloat(input, op); needFloat(target, op, 'target');
  const r = reductionArg(opts.reduction, op);
  let loss = opts.logInput ?? true ? input.exp().sub(target.mul(input))
    : input.sub(target.mul(input.add(opts.eps ?? 1e-8).log()));
  if (opts.full) {
    const safe = where(target.gt(1), target, 1);
    const stirling = safe.mul(safe.log()).sub(safe).add(safe.mul(2 * Math.PI).log().mul(0.5));
    loss = loss.add(where(target.gt(1), stirling, 0));
  }
  return reduce(loss, r);
}

/** −mean over classes of y·logσ(x) + (1 − y)·logσ(−x) (optionally class-weighted), per sample. */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor,
  opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const op = 'multilabelSoftMarginLoss';
  checkOptions(opts, op);
  needFloat(input, op); need(target, op, 'target');
  const r = reductionArg(opts.reduction, op);
  const y = target.to(input.dtype);
  let loss = y.mul(logSigmoid(input)).add(y.neg().add(1).mul(logSigmoid(input.neg()))).neg();
  const w = optTensor(opts.weight, op, 'weight');
  if (w) loss = loss.mul(w);
  const C = input.shape[input.ndim - 1];
  return reduce(loss.sum(-1).div(C), r);
}

// ---- loss modules ----
type Opts = Record<string, unknown>;

abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(name: string, opts: Opts) {
    super();
    checkOptions(opts, name);
    this.reduction = reductionArg(opts.reduction, name);
  }
  extraRepr(): string {
    return `reduction=${this.reduction}`;
  }
}
// A weighted loss keeps its weight (and posWeight) as buffers, under PyTorch's names.
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(name: string, opts: Opts) {
    super(name, opts);
    this.registerBuffer('weight', optTensor(opts.weight, name, 'weight'));
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {}) {
    super('CrossEntropyLoss', opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction,
      labelSmoothing: this.labelSmoothing });
  }
}
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
    super('NLLLoss', opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}
export class MSELoss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) { super('MSELoss', opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, { reduction: this.reduction }); }
}
export class L1Loss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) { super('L1Loss', opts); }
  forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, { reduction: this.reduction }); }
}
export class BCELoss extends WeightedLoss {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) { super('BCELoss', opts); }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.bceLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}
export class BCEWithLogitsLoss extends WeightedLoss {
  declare pos_weight: Tensor | null;
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {}) {
    super('BCEWithLogitsLoss', opts);
    this.registerBuffer('pos_weight', optTensor(opts.posWeight, 'BCEWithLogitsLoss', 'posWeight'));
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.bceWithLogitsLoss(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super('HuberLoss', opts);
    this.delta = opts.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super('SmoothL1Loss', opts);
    this.beta = opts.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}
export class KLDivLoss extends Module {
  readonly reduction: Reduction | 'batchmean';
  readonly logTarget: boolean;
  constructor(opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    checkOptions(opts, 'KLDivLoss');
    this.reduction = opts.reduction ?? 'mean';
    this.logTarget = !!opts.logTarget;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
export class MarginRankingLoss extends Loss {
  readonly margin: number;
  constructor(opts: { margin?: number; reduction?: Reduction } = {}) {
    super('MarginRankingLoss', opts);
    this.margin = opts.margin ?? 0;
  }
  forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor {
    return marginRankingLoss(x1, x2, target, { margin: this.margin, reduction: this.reduction });
  }
}
export class TripletMarginLoss extends Loss {
  constructor(readonly opts: { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction } = {}) {
    super('TripletMarginLoss', opts);
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return tripletMarginLoss(anchor, positive, negative, this.opts);
  }
}
export class CosineEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(opts: { margin?: number; reduction?: Reduction } = {}) {
    super('CosineEmbeddingLoss', opts);
    this.margin = opts.margin ?? 0;
  }
  forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor {
    return cosineEmbeddingLoss(x1, x2, target, { margin: this.margin, reduction: this.reduction });
  }
}
export class HingeEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(opts: { margin?: number; reduction?: Reduction } = {}) {
    super('HingeEmbeddingLoss', opts);
    this.margin = opts.margin ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}
export class GaussianNLLLoss extends Loss {
  constructor(readonly opts: { full?: boolean; eps?: number; reduction?: Reduction } = {}) {
    super('GaussianNLLLoss', opts);
  }
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return gaussianNllLoss(input, target, variance, this.opts);
  }
}
export class PoissonNLLLoss extends Loss {
  constructor(readonly opts: { logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction } = {}) {
    super('PoissonNLLLoss', opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return poissonNllLoss(input, target, this.opts);
  }
}
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) { super('MultiLabelSoftMarginLoss', opts); }
  forward(input: Tensor, target: Tensor): Tensor {
    return multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}
