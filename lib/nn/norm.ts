// Normalisation layers beyond batch and layer norm: GroupNorm, InstanceNorm1d/2d, RMSNorm,
// LocalResponseNorm. Statistics are biased (divide by n) in the normalisation, as PyTorch; the
// running variance kept by InstanceNorm(trackRunningStats) is unbiased, as there.
import { noGrad } from '../autograd';
import { concat } from '../ops';
import { Tensor, DType, checkOptions, describe, ones, wrap, zeros } from '../tensor';
import { fusedNative } from '../fused';
import { Module, Parameter } from './module';
import { need, needFloat, optTensor, posInt, num } from './args';
import { argumentError, shapeError } from '../errors';

function affineView(C: number, ndim: number): number[] {
  return [1, C, ...new Array(Math.max(ndim - 2, 0)).fill(1)];
}

/** Group normalisation: x [N, C, ...] in numGroups groups of channels, then a per-channel affine. */
export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const op = 'groupNorm';
  needFloat(x, op);
  posInt(numGroups, op, 'numGroups');
  if (x.ndim < 2) throw shapeError(`${op}: input must be [N, C, ...], got [${x.shape}]`);
  const [N, C] = x.shape;
  if (C % numGroups) throw shapeError(`${op}: ${C} channels of input [${x.shape}] do not split into ${numGroups} groups`);
  const g = x.reshape([N, numGroups, -1]);
  const mean = g.mean(-1, true);
  const c = g.sub(mean);
  let y = c.mul(c.square().mean(-1, true).add(eps).rsqrt()).reshape(x.shape);
  const w = optTensor(weight, op, 'weight'), b = optTensor(bias, op, 'bias');
  if (w) y = y.mul(w.reshape(affineView(C, x.ndim)));
  if (b) y = y.add(b.reshape(affineView(C, x.ndim)));
  return y;
}

export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Instance normalisation: each (sample, channel) over its spatial dims. With running statistics and
 * useInputStats, they are updated with the batch mean of the instances' mean and unbiased variance.
 */
export function instanceNorm(x: Tensor, opts: InstanceNormOptions = {}): Tensor {
  const op = 'instanceNorm';
  checkOptions(opts, op);
  needFloat(x, op);
  if (x.ndim < 3) throw shapeError(`${op}: input must be [N, C, ...spatial], got [${x.shape}]`);
  const C = x.shape[1];
  const axes = x.shape.slice(2).map((_, i) => i + 2);
  const eps = opts.eps ?? 1e-5;
  const rm = optTensor(opts.runningMean, op, 'runningMean'), rv = optTensor(opts.runningVar, op, 'runningVar');
  const view = affineView(C, x.ndim);
  let y: Tensor;
  if (opts.useInputStats ?? true) {
    const mean = x.mean(axes, true);
    const c = x.sub(mean);
    const v = c.square().mean(axes, true);
    y = c.mul(v.add(eps).rsqrt());
    if (rm && rv) {
      const m = opts.momentum ?? 0.1;
      const n = axes.reduce((a, d) => a * x.shape[d], 1);
      noGrad(() => {
        const bm = mean.detach().reshape([x.shape[0], C]).mean(0);
        const bv = v.detach().reshape([x.shape[0], C]).mean(0).mul(n / Math.max(n - 1, 1));
        rm.copy_(rm.mul(1 - m).add(bm.mul(m).to(rm.dtype)));
        rv.copy_(rv.mul(1 - m).add(bv.mul(m).to(rv.dtype)));
      });
    }
  } else {
    if (!rm || !rv) throw shapeError(`${op}: running statistics are required when useInputStats is false`);
    y = x.sub(rm.reshape(view)).mul(rv.reshape(view).add(eps).rsqrt());
  }
  const w = optTensor(opts.weight, op, 'weight'), b = optTensor(opts.bias, op, 'bias');
  if (w) y = y.mul(w.reshape(view));
  if (b) y = y.add(b.reshape(view));
  return y;
}

/** x·rsqrt(mean(x², over normalizedShape) + eps)·weight; eps defaults to the dtype's machine epsilon, as PyTorch. */
export function rmsNorm(x: Tensor, normalizedShape: number | number[], weight?: Tensor | null, eps?: number | null): Tensor {
  const op = 'rmsNorm';
  needFloat(x, op);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(ns) || ns.length === 0 || !ns.every((d) => Number.isInteger(d)))
    throw argumentError(`${op}: normalizedShape must be an integer or a non-empty array of integers, got ${describe(normalizedShape)}`);
  const tail = x.shape.slice(x.ndim - ns.length);
  if (ns.length > x.ndim || ns.some((d, i) => d !== tail[i]))
    throw shapeError(`${op}: input of shape [${x.shape}] does not end with the normalized shape [${ns}]`);
  const w = optTensor(weight, op, 'weight');
  if (eps !== undefined && eps !== null && (typeof eps !== 'number' || !(eps >= 0)))
    throw argumentError(`${op}: eps must be a non-negative number, got ${describe(eps)}`);
  const e = eps ?? (x.dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7);
  // One fused node (native/core/fused_norm.*) when the weight has the input's dtype; else composed.
  if (!w || w.dtype === x.dtype) return wrap(fusedNative.rmsNorm(x._h, w ? w._h : null, ns.length, e));
  const axes = ns.map((_, i) => x.ndim - ns.length + i);
  return x.mul(x.square().mean(axes, true).add(e).rsqrt()).mul(w);
}

/** Local response normalisation across channels: x / (k + α/n · Σ_{window} x²)^β, as PyTorch. */
export function localResponseNorm(x: Tensor, size: number, alpha = 1e-4, beta = 0.75, k = 1): Tensor {
  const op = 'localResponseNorm';
  needFloat(x, op);
  posInt(size, op, 'size');
  if (x.ndim < 3) throw shapeError(`${op}: input must have at least 3 dims [N, C, ...], got [${x.shape}]`);
  const sq = x.square();
  const C = x.shape[1];
  const before = Math.floor(size / 2), after = Math.floor((size - 1) / 2);
  const zshape = (n: number) => [x.shape[0], n, ...x.shape.slice(2)];
  const parts = [];
  if (before) parts.push(zeros(zshape(before), { dtype: x.dtype }));
  parts.push(sq);
  if (after) parts.push(zeros(zshape(after), { dtype: x.dtype }));
  const padded = parts.length > 1 ? concat(parts, 1) : sq;
  let s: Tensor | null = null;
  for (let i = 0; i < size; i++) {
    const sl = padded.narrow(1, i, C);
    s = s ? s.add(sl) : sl;
  }
  const div = (s as Tensor).mul(alpha / size).add(k).pow(beta);
  return x.div(div);
}

// ---- layers ----
export interface NormLayerOptions {
  eps?: number;
  affine?: boolean;
  dtype?: DType;
}

/** GroupNorm(numGroups, numChannels, {eps, affine}): weight ones and bias zeros of [numChannels]. */
export class GroupNorm extends Module {
  /** Per-channel scale, [numChannels] (null without affine). */
  weight: Tensor | null;
  /** Per-channel shift, [numChannels] (null without affine). */
  bias: Tensor | null;
  /** Groups the channels are split into; numChannels divides by it. */
  readonly numGroups: number;
  /** Channels C (dim 1). */
  readonly numChannels: number;
  /** Added to the variance (default 1e-5). */
  readonly eps: number;
  constructor(numGroups: number, numChannels: number, opts: NormLayerOptions = {}) {
    super();
    checkOptions(opts, 'GroupNorm');
    this.numGroups = posInt(numGroups, 'GroupNorm', 'numGroups');
    this.numChannels = posInt(numChannels, 'GroupNorm', 'numChannels');
    if (numChannels % numGroups)
      throw shapeError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.eps = opts.eps ?? 1e-5;
    const dtype = opts.dtype ?? 'float32';
    const affine = opts.affine ?? true;
    this.weight = affine ? Parameter(ones([numChannels], { dtype })) : null;
    this.bias = affine ? Parameter(zeros([numChannels], { dtype })) : null;
  }
  /**
   * Normalises each group of channels over (channels in the group, spatial dims), then scales and shifts: [N, C, *] →
   * same shape.
   */
  forward(x: Tensor): Tensor {
    need(x, 'GroupNorm');
    if (x.ndim < 2 || x.shape[1] !== this.numChannels)
      throw shapeError(`GroupNorm: expected ${this.numChannels} channels in dim 1, got input [${x.shape}]`);
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
  /** The sizes, eps and affine, for the module's printed form. */
  extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${!!this.weight}`;
  }
}

export interface InstanceNormLayerOptions extends NormLayerOptions {
  momentum?: number;
  trackRunningStats?: boolean;
}

abstract class InstanceNormBase extends Module {
  /** Per-channel scale, [numFeatures] (null unless affine). */
  weight: Tensor | null;
  /** Per-channel shift, [numFeatures] (null unless affine). */
  bias: Tensor | null;
  /** Buffer: running mean per channel (null unless trackRunningStats). */
  declare running_mean: Tensor | null;
  /** Buffer: running variance per channel (null unless trackRunningStats). */
  declare running_var: Tensor | null;
  /** Buffer kept for PyTorch's state dict layout (never advanced, as in PyTorch). */
  declare num_batches_tracked: Tensor | null;
  /** Channels C (dim 1). */
  readonly numFeatures: number;
  /** Added to the variance (default 1e-5). */
  readonly eps: number;
  /** Weight of each batch in the running statistics (default 0.1). */
  readonly momentum: number;
  /** Whether running statistics are kept and used in eval mode (default false). */
  readonly trackRunningStats: boolean;
  constructor(private readonly layer: string, private readonly spatial: number, numFeatures: number,
    opts: InstanceNormLayerOptions) {
    super();
    checkOptions(opts, layer);
    this.numFeatures = posInt(numFeatures, layer, 'numFeatures');
    this.eps = num(opts.eps ?? 1e-5, layer, 'eps');
    this.momentum = num(opts.momentum ?? 0.1, layer, 'momentum');
    const dtype = opts.dtype ?? 'float32';
    const affine = opts.affine ?? false;
    this.weight = affine ? Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? Parameter(zeros([numFeatures], { dtype })) : null;
    this.trackRunningStats = !!opts.trackRunningStats;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
      this.registerBuffer('running_var', ones([numFeatures], { dtype }));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    } else {
      this.running_mean = null;
      this.running_var = null;
      this.num_batches_tracked = null;
    }
  }
  /** Normalises each (example, channel) over its spatial dims: [N, C, *] (or unbatched [C, *]) → same shape. */
  forward(x: Tensor): Tensor {
    need(x, this.layer);
    const unbatched = x.ndim === this.spatial + 1;
    if (!unbatched && x.ndim !== this.spatial + 2)
      throw shapeError(`${this.layer}: expected a ${this.spatial + 1}-d or ${this.spatial + 2}-d input, got [${x.shape}]`);
    const xb = unbatched ? x.unsqueeze(0) : x;
    if (xb.shape[1] !== this.numFeatures && this.weight)
      throw shapeError(`${this.layer}: expected ${this.numFeatures} channels, got input [${x.shape}]`);
    const useInput = this.training || !this.trackRunningStats;
    // PyTorch's InstanceNorm keeps num_batches_tracked in its state dict but never advances it.
    const y = instanceNorm(xb, {
      runningMean: this.trackRunningStats ? this.running_mean : null,
      runningVar: this.trackRunningStats ? this.running_var : null,
      weight: this.weight, bias: this.bias, useInputStats: useInput, momentum: this.momentum, eps: this.eps,
    });
    return unbatched ? y.squeeze(0) : y;
  }
  /** The options, for the module's printed form. */
  extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${!!this.weight}, ` +
      `trackRunningStats=${this.trackRunningStats}`;
  }
}
/** InstanceNorm1d(numFeatures, {eps, momentum, affine = false, trackRunningStats = false}) over [N, C, L]. */
export class InstanceNorm1d extends InstanceNormBase {
  constructor(numFeatures: number, opts: InstanceNormLayerOptions = {}) {
    super('InstanceNorm1d', 1, numFeatures, opts);
  }
}
/** InstanceNorm2d(numFeatures, {eps, momentum, affine = false, trackRunningStats = false}) over [N, C, H, W]. */
export class InstanceNorm2d extends InstanceNormBase {
  constructor(numFeatures: number, opts: InstanceNormLayerOptions = {}) {
    super('InstanceNorm2d', 2, numFeatures, opts);
  }
}

/** RMSNorm(normalizedShape, {eps, elementwiseAffine = true}): weight ones of normalizedShape. */
export class RMSNorm extends Module {
  /** Elementwise scale of normalizedShape (null without elementwiseAffine). */
  weight: Tensor | null;
  /** The trailing dims normalised over. */
  readonly normalizedShape: number[];
  /** Added to the mean square; null for the dtype's machine epsilon (PyTorch's default). */
  readonly eps: number | null;
  constructor(normalizedShape: number | number[], opts: { eps?: number | null; elementwiseAffine?: boolean; dtype?: DType } = {}) {
    super();
    checkOptions(opts, 'RMSNorm');
    const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(ns)) throw argumentError(`RMSNorm: normalizedShape must be an integer or an array of integers`);
    ns.forEach((d) => posInt(d, 'RMSNorm', 'normalizedShape'));
    this.normalizedShape = ns;
    this.eps = opts.eps ?? null;
    this.weight = opts.elementwiseAffine ?? true ? Parameter(ones(ns, { dtype: opts.dtype ?? 'float32' })) : null;
  }
  /** x / sqrt(mean(x²) + eps) over the trailing normalizedShape dims, · weight. Same shape as x. */
  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }
  /** normalizedShape and eps, for the module's printed form. */
  extraRepr(): string {
    return `[${this.normalizedShape}], eps=${this.eps}`;
  }
}

/** LocalResponseNorm(size, alpha = 1e-4, beta = 0.75, k = 1). */
export class LocalResponseNorm extends Module {
  constructor(
    /** Neighbouring channels summed over. */ readonly size: number,
    /** Multiplicative factor (default 1e-4). */ readonly alpha = 1e-4,
    /** Exponent (default 0.75). */ readonly beta = 0.75,
    /** Additive constant (default 1). */ readonly k = 1) {
    super();
    posInt(size, 'LocalResponseNorm', 'size');
  }
  /** x / (k + alpha/size · Σ x² over `size` neighbouring channels)^beta: [N, C, *] → same shape. */
  forward(x: Tensor): Tensor {
    return localResponseNorm(x, this.size, this.alpha, this.beta, this.k);
  }
}
