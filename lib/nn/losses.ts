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
  /** 'mean' (default), 'sum' or 'none'. */
  readonly reduction: Reduction;
  constructor(name: string, opts: Opts) {
    super();
    checkOptions(opts, name);
    this.reduction = reductionArg(opts.reduction, name);
  }
  /** The reduction, for the module's printed form. */
  extraRepr(): string {
    return `reduction=${this.reduction}`;
  }
}
// A weighted loss keeps its weight (and posWeight) as buffers, under PyTorch's names.
abstract class WeightedLoss extends Loss {
  /** Buffer: per-class weights [C], or null. */
  declare weight: Tensor | null;
  constructor(name: string, opts: Opts) {
    super(name, opts);
    this.registerBuffer('weight', optTensor(opts.weight, name, 'weight'));
  }
}

/**
 * Cross-entropy of logits against class indices (or class probabilities), as torch.nn.CrossEntropyLoss:
 * logSoftmax over the class dim, then the negative log-likelihood, with optional class weights,
 * ignoreIndex and label smoothing.
 * @example const loss = new tf.nn.CrossEntropyLoss().forward(logits, labels);  // logits [N, C], labels int32 [N]
 */
export class CrossEntropyLoss extends WeightedLoss {
  /** Targets equal to this are skipped (default −100). */
  readonly ignoreIndex: number;
  /** ε in (1 − ε)·onehot + ε / C (default 0). */
  readonly labelSmoothing: number;
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {}) {
    super('CrossEntropyLoss', opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  /**
   * input [N, C] (or [N, C, d...], or [C]) logits, target int32 [N] (or [N, d...]) class indices, or
   * probabilities of input's shape → the loss (a scalar unless reduction 'none': [N, d...]).
   */
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction,
      labelSmoothing: this.labelSmoothing });
  }
}
/** Negative log-likelihood of log-probabilities against class indices (torch.nn.NLLLoss). */
export class NLLLoss extends WeightedLoss {
  /** Targets equal to this are skipped (default −100). */
  readonly ignoreIndex: number;
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
    super('NLLLoss', opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  /** input [N, C] log-probabilities, target int32 [N] → −input[n, target[n]] reduced (weighted mean by default). */
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}
/** Mean squared error (x − y)², reduced (torch.nn.MSELoss). */
export class MSELoss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) { super('MSELoss', opts); }
  /** input and target of the same shape → the loss (a scalar unless reduction 'none'). */
  forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, { reduction: this.reduction }); }
}
/** Mean absolute error |x − y|, reduced (torch.nn.L1Loss). */
export class L1Loss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) { super('L1Loss', opts); }
  /** input and target of the same shape → the loss (a scalar unless reduction 'none'). */
  forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, { reduction: this.reduction }); }
}
/** Binary cross-entropy of probabilities (torch.nn.BCELoss); for logits use BCEWithLogitsLoss. */
export class BCELoss extends WeightedLoss {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) { super('BCELoss', opts); }
  /** input probabilities and target of the same shape → the loss (a scalar unless reduction 'none'). */
  forward(input: Tensor, target: Tensor): Tensor {
    return F.bceLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}
/** Binary cross-entropy of logits, sigmoid folded in stably (torch.nn.BCEWithLogitsLoss), with optional posWeight. */
export class BCEWithLogitsLoss extends WeightedLoss {
  /** Buffer: weight of the positive term per class (broadcast along the last dim), or null. */
  declare pos_weight: Tensor | null;
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {}) {
    super('BCEWithLogitsLoss', opts);
    this.registerBuffer('pos_weight', optTensor(opts.posWeight, 'BCEWithLogitsLoss', 'posWeight'));
  }
  /** input logits and target of the same shape → the loss (a scalar unless reduction 'none'). */
  forward(input: Tensor, target: Tensor): Tensor {
    return F.bceWithLogitsLoss(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}
/** Huber loss: ½d² for |d| < delta, delta·(|d| − ½delta) beyond, d = x − y (torch.nn.HuberLoss). */
export class HuberLoss extends Loss {
  /** Where the loss turns from quadratic to linear (default 1). */
  readonly delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super('HuberLoss', opts);
    this.delta = opts.delta ?? 1;
  }
  /** input and target of the same shape → the loss. */
  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}
/** Smooth L1: ½d²/beta for |d| < beta, |d| − ½beta beyond (torch.nn.SmoothL1Loss). */
export class SmoothL1Loss extends Loss {
  /** Where the loss turns from quadratic to linear (default 1). */
  readonly beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super('SmoothL1Loss', opts);
    this.beta = opts.beta ?? 1;
  }
  /** input and target of the same shape → the loss. */
  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}
/** KL divergence with input as log-probabilities: target·(log target − input) (torch.nn.KLDivLoss). */
export class KLDivLoss extends Module {
  /** 'mean' (default, over elements), 'batchmean' (sum / batch size: the true KL), 'sum' or 'none'. */
  readonly reduction: Reduction | 'batchmean';
  /** Whether target is given as log-probabilities (default false). */
  readonly logTarget: boolean;
  constructor(opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    checkOptions(opts, 'KLDivLoss');
    this.reduction = opts.reduction ?? 'mean';
    this.logTarget = !!opts.logTarget;
  }
  /** input log-probabilities and target of the same shape → the loss. */
  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
/** max(0, −y·(x1 − x2) + margin), y = ±1 (torch.nn.MarginRankingLoss). */
export class MarginRankingLoss extends Loss {
  /** The margin added to −y·(x1 − x2) (default 0). */
  readonly margin: number;
  constructor(opts: { margin?: number; reduction?: Reduction } = {}) {
    super('MarginRankingLoss', opts);
    this.margin = opts.margin ?? 0;
  }
  /** x1, x2 and target (±1) of one shape → the loss. */
  forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor {
    return marginRankingLoss(x1, x2, target, { margin: this.margin, reduction: this.reduction });
  }
}
/** max(d(a, p) − d(a, n) + margin, 0) with the p-norm distance (torch.nn.TripletMarginLoss). */
export class TripletMarginLoss extends Loss {
  constructor(
    /** margin (1), p (2), eps (1e-6), swap (false), reduction ('mean'), as PyTorch's. */
    readonly opts: { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction } = {}) {
    super('TripletMarginLoss', opts);
  }
  /** anchor, positive, negative [N, D] → the loss. */
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return tripletMarginLoss(anchor, positive, negative, this.opts);
  }
}
/** 1 − cos(x1, x2) for y = 1, max(0, cos(x1, x2) − margin) for y = −1 (torch.nn.CosineEmbeddingLoss). */
export class CosineEmbeddingLoss extends Loss {
  /** Cosine similarity above which a dissimilar pair (y = −1) is penalised (default 0). */
  readonly margin: number;
  constructor(opts: { margin?: number; reduction?: Reduction } = {}) {
    super('CosineEmbeddingLoss', opts);
    this.margin = opts.margin ?? 0;
  }
  /** x1, x2 [N, D] and target ±1 [N] → the loss. */
  forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor {
    return cosineEmbeddingLoss(x1, x2, target, { margin: this.margin, reduction: this.reduction });
  }
}
/** x for y = 1, max(0, margin − x) for y = −1 (torch.nn.HingeEmbeddingLoss). */
export class HingeEmbeddingLoss extends Loss {
  /** The margin for dissimilar pairs (y = −1) (default 1). */
  readonly margin: number;
  constructor(opts: { margin?: number; reduction?: Reduction } = {}) {
    super('HingeEmbeddingLoss', opts);
    this.margin = opts.margin ?? 1;
  }
  /** input and target (±1) of one shape → the loss. */
  forward(input: Tensor, target: Tensor): Tensor {
    return hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}
/** Gaussian negative log-likelihood ½(log var + (x − y)² / var) (torch.nn.GaussianNLLLoss). */
export class GaussianNLLLoss extends Loss {
  constructor(
    /** full (add the constant ½log 2π), eps (variance floor, 1e-6), reduction, as PyTorch's. */
    readonly opts: { full?: boolean; eps?: number; reduction?: Reduction } = {}) {
    super('GaussianNLLLoss', opts);
  }
  /** input (means), target and variance (broadcastable) → the loss. */
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return gaussianNllLoss(input, target, variance, this.opts);
  }
}
/**
 * Poisson negative log-likelihood: e^x − y·x with logInput (default), else x − y·log(x + eps)
 * (torch.nn.PoissonNLLLoss).
 */
export class PoissonNLLLoss extends Loss {
  constructor(
    /** logInput (true), full (add Stirling's term), eps (1e-8), reduction, as PyTorch's. */
    readonly opts: { logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction } = {}) {
    super('PoissonNLLLoss', opts);
  }
  /** input and target of one shape → the loss. */
  forward(input: Tensor, target: Tensor): Tensor {
    return poissonNllLoss(input, target, this.opts);
  }
}
/**
 * Multi-label one-versus-all loss: the mean over classes of binary cross-entropy on logits
 * (torch.nn.MultiLabelSoftMarginLoss).
 */
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) { super('MultiLabelSoftMarginLoss', opts); }
  /** input logits [N, C] and 0/1 targets [N, C] → the loss. */
  forward(input: Tensor, target: Tensor): Tensor {
    return multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}
