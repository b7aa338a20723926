// Feed-forward layers: linear, convolution, pooling, normalisation, dropout, embedding, activations.
// Parameter names, shapes and default initialisation follow PyTorch, so state dicts move between
// the two unchanged.
import { noGrad } from '../autograd';
import { DType, Tensor, describe, ones, zeros, checkOptions } from '../tensor';
import * as F from './functional';
import * as init from './init';
import { Module, Parameter } from './module';
import { argumentError, axisError, rangeError, shapeError, show } from '../errors';

/** Options every parametrised layer takes. */
export interface FactoryOptions {
  /** dtype of the parameters (default float32). */
  dtype?: DType;
}

function posInt(v: unknown, layer: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw argumentError(`${layer}: ${what} must be a positive integer, got ${typeof v === 'number' ? v : describe(v)}`);
  return v;
}

/** @internal A fresh float parameter of the given shape (zeros until initialised). */
export function newParam(shape: number[], dtype: DType = 'float32'): Tensor {
  return Parameter(zeros(shape, { dtype }));
}

/**
 * y = x Wᵀ + b over the last dim. weight [out, in], bias [out]; both U(−1/sqrt(in), 1/sqrt(in)).
 * @example const fc = new tf.nn.Linear(784, 10);  // fc.forward(x): [batch, 784] → [batch, 10]
 */
// In / Out are number literal types when the sizes are written as literals (see lib/typed.ts):
// Sequential then rejects, at compile time, a Linear whose input size does not match.
export class Linear<In extends number = number, Out extends number = number> extends Module {
  /** The weight, [outFeatures, inFeatures]. */
  weight: Tensor;
  /** The bias, [outFeatures], or null without one. */
  bias: Tensor | null;
  /** Size of each input's last dim. */
  readonly inFeatures: In;
  /** Size of each output's last dim. */
  readonly outFeatures: Out;

  constructor(inFeatures: In, outFeatures: Out, opts: { bias?: boolean } & FactoryOptions = {}) {
    super();
    checkOptions(opts, 'Linear');
    this.inFeatures = posInt(inFeatures, 'Linear', 'inFeatures') as In;
    this.outFeatures = posInt(outFeatures, 'Linear', 'outFeatures') as Out;
    this.weight = newParam([outFeatures, inFeatures], opts.dtype);
    this.bias = opts.bias ?? true ? newParam([outFeatures], opts.dtype) : null;
    this.resetParameters();
  }
  /** Re-draws weight and bias from PyTorch's default U(−1/sqrt(in), 1/sqrt(in)). */
  resetParameters(): void {
    // kaiming_uniform(a = √5) is U(±1/sqrt(fanIn)): PyTorch's long-standing default.
    init.kaimingUniform(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = 1 / Math.sqrt(this.inFeatures);
      init.uniform(this.bias, -bound, bound);
    }
  }
  /**
   * x Wᵀ + b: [..., inFeatures] → [..., outFeatures].
   * @example new tf.nn.Linear(784, 10).forward(tf.randn([64, 784]));  // [64, 10]
   */
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
  /** The sizes and whether there is a bias, for the module's printed form. */
  extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${!!this.bias}`;
  }
}

/** Options of the convolution layers (P: a number, or a per-dim array for 2-d and 3-d). */
export interface ConvOptions<P> extends FactoryOptions {
  /** Step between kernel positions (default 1). */
  stride?: P;
  /** Zero padding on each side (default 0), or 'valid' (none) / 'same' (output size = input size, stride 1). */
  padding?: P | 'valid' | 'same';
  /** Spacing between kernel taps (default 1). */
  dilation?: P;
  /** Channel groups (default 1); in and out channels must divide by it. */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
}

// Weight [out, in/groups, ...kernel] and bias [out], both U(±1/sqrt(fanIn)) as PyTorch's default.
function convParams(layer: string, inChannels: number, outChannels: number, kernel: number[], groups: number,
  bias: boolean, dtype?: DType): { weight: Tensor; bias: Tensor | null } {
  posInt(inChannels, layer, 'inChannels');
  posInt(outChannels, layer, 'outChannels');
  posInt(groups, layer, 'groups');
  if (inChannels % groups || outChannels % groups)
    throw shapeError(`${layer}: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`);
  kernel.forEach((k) => posInt(k, layer, 'kernel size'));
  const w = newParam([outChannels, inChannels / groups, ...kernel], dtype);
  init.kaimingUniform(w, { a: Math.sqrt(5) });
  let b: Tensor | null = null;
  if (bias) {
    const bound = 1 / Math.sqrt(init.calculateFanInAndFanOut(w)[0]);
    b = init.uniform(newParam([outChannels], dtype), -bound, bound);
  }
  return { weight: w, bias: b };
}

function asPair(v: number | number[], layer: string, what: string): [number, number] {
  if (typeof v !== 'number' && !Array.isArray(v))
    throw argumentError(`${layer}: ${what} must be an integer or two integers, got ${describe(v)}`);
  const a = typeof v === 'number' ? [v, v] : v.length === 1 ? [v[0], v[0]] : v;
  if (a.length !== 2 || !a.every((n) => Number.isInteger(n)))
    throw argumentError(`${layer}: ${what} must be an integer or two integers, got ${show(v)}`);
  return [a[0], a[1]];
}

/**
 * 2-d convolution over NCHW input: weight [out, in/groups, kh, kw], bias [out].
 * @example const conv = new tf.nn.Conv2d(3, 16, 3, { padding: 1 });  // [N, 3, H, W] → [N, 16, H, W]
 */
export class Conv2d<In extends number = number, Out extends number = number> extends Module {
  /** The kernels, [outChannels, inChannels / groups, kh, kw]. */
  weight: Tensor;
  /** The bias, [outChannels], or null. */
  bias: Tensor | null;
  /** Input channels (dim 1). */
  readonly inChannels: In;
  /** Output channels (dim 1). */
  readonly outChannels: Out;
  /** Kernel [height, width]. */
  readonly kernelSize: [number, number];
  /** Step between kernel positions, [height, width]. */
  readonly stride: [number, number];
  /** Zero padding [height, width] on each side, or 'valid' (none) / 'same' (output size = input size). */
  readonly padding: [number, number] | 'valid' | 'same';
  /** Spacing between kernel taps, [height, width]. */
  readonly dilation: [number, number];
  /** Channel groups: each output channel sees inChannels / groups inputs. */
  readonly groups: number;

  constructor(inChannels: In, outChannels: Out, kernelSize: number | number[],
    opts: ConvOptions<number | number[]> = {}) {
    super();
    checkOptions(opts, 'Conv2d');
    const k = asPair(kernelSize, 'Conv2d', 'kernelSize');
    const { weight, bias } = convParams('Conv2d', inChannels, outChannels, k, opts.groups ?? 1, opts.bias ?? true,
      opts.dtype);
    this.weight = weight;
    this.bias = bias;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = k;
    this.stride = asPair(opts.stride ?? 1, 'Conv2d', 'stride');
    const p = opts.padding ?? 0;
    this.padding = p === 'same' || p === 'valid' ? p : asPair(p, 'Conv2d', 'padding');
    this.dilation = asPair(opts.dilation ?? 1, 'Conv2d', 'dilation');
    this.groups = opts.groups ?? 1;
  }
  /**
   * [N, inChannels, H, W] → [N, outChannels, H', W'], H' = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1
   * (likewise W').
   * @example new tf.nn.Conv2d(1, 32, 3, { padding: 1 }).forward(tf.randn([8, 1, 28, 28]));  // [8, 32, 28, 28]
   */
  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation,
      groups: this.groups });
  }
  /** The channels, kernel size, stride and padding, for the module's printed form. */
  extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], ` +
      `padding=${Array.isArray(this.padding) ? `[${this.padding}]` : this.padding}`;
  }
}

/** 1-d convolution over [N, C, L] input: weight [out, in/groups, k], bias [out]. */
export class Conv1d<In extends number = number, Out extends number = number> extends Module {
  /** The kernels, [outChannels, inChannels / groups, kernelSize]. */
  weight: Tensor;
  /** The bias, [outChannels], or null. */
  bias: Tensor | null;
  /** Input channels (dim 1). */
  readonly inChannels: In;
  /** Output channels (dim 1). */
  readonly outChannels: Out;
  /** Kernel length. */
  readonly kernelSize: number;
  /** Step between kernel positions. */
  readonly stride: number;
  /** Zero padding on each side, or 'valid' (none) / 'same' (output length = input length). */
  readonly padding: number | 'valid' | 'same';
  /** Spacing between kernel taps. */
  readonly dilation: number;
  /** Channel groups: each output channel sees inChannels / groups inputs. */
  readonly groups: number;

  constructor(inChannels: In, outChannels: Out, kernelSize: number, opts: ConvOptions<number> = {}) {
    super();
    checkOptions(opts, 'Conv1d');
    const { weight, bias } = convParams('Conv1d', inChannels, outChannels, [kernelSize], opts.groups ?? 1,
      opts.bias ?? true, opts.dtype);
    this.weight = weight;
    this.bias = bias;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.groups = opts.groups ?? 1;
  }
  /** [N, inChannels, L] → [N, outChannels, L'], L' = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1. */
  forward(x: Tensor): Tensor {
    return F.conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation,
      groups: this.groups });
  }
  /** The channels, kernel size and stride, for the module's printed form. */
  extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}`;
  }
}

/**
 * Max over sliding windows (stride defaults to kernelSize): [N, C, H, W] → [N, C, H', W'].
 * @example new tf.nn.MaxPool2d(2).forward(tf.randn([8, 32, 28, 28]));  // [8, 32, 14, 14]
 */
export class MaxPool2d extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'channels';
  constructor(
    /** Window size: one number or [height, width]. */ readonly kernelSize: number | number[],
    /** stride (default kernelSize), padding, dilation, ceilMode, as PyTorch's. */
    readonly opts: F.MaxPool2dOptions = {}) {
    super();
    checkOptions(opts, 'MaxPool2d');
  }
  /** [N, C, H, W] → [N, C, H', W']. */
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, this.opts);
  }
}
/** Mean over sliding windows (stride defaults to kernelSize): [N, C, H, W] → [N, C, H', W']. */
export class AvgPool2d extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'channels';
  constructor(
    /** Window size: one number or [height, width]. */ readonly kernelSize: number | number[],
    /** stride (default kernelSize), padding, ceilMode, countIncludePad, as PyTorch's. */
    readonly opts: F.AvgPool2dOptions = {}) {
    super();
    checkOptions(opts, 'AvgPool2d');
  }
  /** [N, C, H, W] → [N, C, H', W']. */
  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.opts);
  }
}
/** Max over sliding windows of length kernelSize (stride defaults to kernelSize): [N, C, L] → [N, C, L']. */
export class MaxPool1d extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'channels';
  constructor(
    /** Window length. */ readonly kernelSize: number,
    /** stride (default kernelSize), padding, dilation, ceilMode, as PyTorch's. */
    readonly opts: { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean } = {}) {
    super();
    checkOptions(opts, 'MaxPool1d');
  }
  /** [N, C, L] → [N, C, L'] (or [C, L] → [C, L']). */
  forward(x: Tensor): Tensor {
    return F.maxPool1d(x, this.kernelSize, this.opts);
  }
}
/** Mean over sliding windows of length kernelSize (stride defaults to kernelSize): [N, C, L] → [N, C, L']. */
export class AvgPool1d extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'channels';
  constructor(
    /** Window length. */ readonly kernelSize: number,
    /** stride (default kernelSize), padding, ceilMode, countIncludePad, as PyTorch's. */
    readonly opts: { stride?: number | null; padding?: number; ceilMode?: boolean; countIncludePad?: boolean } = {}) {
    super();
    checkOptions(opts, 'AvgPool1d');
  }
  /** [N, C, L] → [N, C, L']. */
  forward(x: Tensor): Tensor {
    return F.avgPool1d(x, this.kernelSize, this.opts);
  }
}
/**
 * Mean pooling to a fixed output size, whatever the input size: [N, C, H, W] → [N, C, oh, ow].
 * @example new tf.nn.AdaptiveAvgPool2d(1).forward(tf.randn([8, 64, 7, 7]));  // [8, 64, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'channels';
  constructor(
    /** The output [height, width] (one number for both). */ readonly outputSize: number | number[]) {
    super();
  }
  /** [N, C, H, W] → [N, C, oh, ow]. */
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
}

/** Options of BatchNorm1d / BatchNorm2d. */
export interface BatchNormOptions extends FactoryOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages (0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learnable per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  /** Per-channel scale γ, [numFeatures] (null unless affine). */
  weight: Tensor | null;
  /** Per-channel shift β, [numFeatures] (null unless affine). */
  bias: Tensor | null;
  // PyTorch's buffer names, so state dicts load in both directions.
  /** Buffer: running mean per channel, used in eval mode (null without trackRunningStats). PyTorch's name. */
  running_mean!: Tensor | null;
  /** Buffer: running (unbiased) variance per channel, used in eval mode (null without trackRunningStats). */
  running_var!: Tensor | null;
  /** Buffer: training batches seen (int32 scalar; null without trackRunningStats). */
  num_batches_tracked!: Tensor | null;
  /** The number of channels C. */
  readonly numFeatures: number;
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps: number;
  /** Weight of each new batch in the running statistics (default 0.1); null for a cumulative average. */
  readonly momentum: number | null;

  constructor(name: string, numFeatures: number, opts: BatchNormOptions) {
    super();
    this.numFeatures = posInt(numFeatures, name, 'numFeatures');
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    const affine = opts.affine ?? true;
    this.weight = affine ? Parameter(ones([numFeatures], { dtype: opts.dtype })) : null;
    this.bias = affine ? newParam([numFeatures], opts.dtype) : null;
    const track = opts.trackRunningStats ?? true;
    this.registerBuffer('running_mean', track ? zeros([numFeatures], { dtype: opts.dtype }) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures], { dtype: opts.dtype }) : null);
    this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: 'int32' }) : null);
  }
  /** running_mean under its camelCase name. */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** running_var under its camelCase name. */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** Resets the running mean to 0, variance to 1 and the batch count to 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.running_mean?.fill_(0);
      this.running_var?.fill_(1);
      this.num_batches_tracked?.fill_(0);
    });
  }
  protected abstract checkInput(x: Tensor): void;
  /**
   * Normalises each channel (dim 1): in training with the batch's statistics (updating the running
   * ones), in eval with the running statistics; then γ·x̂ + β. Same shape as x.
   */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw argumentError(`${this.constructor.name}: input must be a Tensor, got ${describe(x)}`);
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures)
      throw shapeError(`${this.constructor.name}: expected ${this.numFeatures} channels in dim 1, got input [${x.shape}]`);
    if (!this.training && this.running_mean && this.running_var)
      return F.batchNorm(x, this.running_mean, this.running_var, { weight: this.weight, bias: this.bias, eps: this.eps });
    let n: number | undefined;
    if (this.training && this.num_batches_tracked) {
      n = this.num_batches_tracked.item() + 1;
      noGrad(() => this.num_batches_tracked!.fill_(n!));
    }
    // Training, or eval without running statistics: normalise with the batch's own statistics.
    const track = this.training;
    return F.batchNorm(x, track ? this.running_mean : null, track ? this.running_var : null, {
      weight: this.weight, bias: this.bias, training: true, momentum: this.momentum, eps: this.eps,
      numBatchesTracked: n,
    });
  }
  /** numFeatures, eps and momentum, for the module's printed form. */
  extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}`;
  }
}

/** Batch normalisation of [N, C] or [N, C, L] input over all but the channel dim. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, opts);
    checkOptions(opts, 'BatchNorm1d');
  }
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw shapeError(`BatchNorm1d: expected 2-d or 3-d input, got [${x.shape}]`);
  }
}
/** Batch normalisation of NCHW input over N, H, W. */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, opts);
    checkOptions(opts, 'BatchNorm2d');
  }
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw shapeError(`BatchNorm2d: expected 4-d input [N,C,H,W], got [${x.shape}]`);
  }
}

/** Normalises over the trailing normalizedShape dims, then scales and shifts elementwise. */
export class LayerNorm extends Module {
  /** Elementwise scale, of normalizedShape (null without elementwiseAffine). */
  weight: Tensor | null;
  /** Elementwise shift, of normalizedShape (null without elementwiseAffine or bias). */
  bias: Tensor | null;
  /** The trailing dims normalised over. */
  readonly normalizedShape: number[];
  /** Added to the variance before the square root (default 1e-5). */
  readonly eps: number;
  constructor(normalizedShape: number | number[],
    opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } & FactoryOptions = {}) {
    super();
    checkOptions(opts, 'LayerNorm');
    if (typeof normalizedShape !== 'number' && !Array.isArray(normalizedShape))
      throw argumentError(`LayerNorm: normalizedShape must be an integer or an array of integers, got ${describe(normalizedShape)}`);
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
    this.normalizedShape.forEach((d) => posInt(d, 'LayerNorm', 'normalizedShape entry'));
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? Parameter(ones(this.normalizedShape, { dtype: opts.dtype })) : null;
    this.bias = affine && (opts.bias ?? true) ? newParam(this.normalizedShape, opts.dtype) : null;
  }
  /**
   * (x − mean) / sqrt(var + eps) over the trailing normalizedShape dims, then · weight + bias. Same shape as x.
   * @example new tf.nn.LayerNorm(512).forward(tf.randn([2, 10, 512]));  // [2, 10, 512]
   */
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  /** normalizedShape and eps, for the module's printed form. */
  extraRepr(): string {
    return `[${this.normalizedShape}], eps=${this.eps}`;
  }
}

/** Inverted dropout in training mode (masks from tf.rand, so tf.manualSeed makes them repeatable); identity in eval. */
export class Dropout extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  constructor(
    /** The probability of zeroing an element. */ readonly p = 0.5) {
    super();
    if (typeof p !== 'number') throw argumentError(`Dropout: p must be a number, got ${describe(p)}`);
    if (!(p >= 0 && p <= 1)) throw rangeError(`Dropout: p must be in [0, 1], got ${p}`);
  }
  /** In training: zeroes each element with probability p and scales the rest by 1/(1 − p); in eval: x. Same shape. */
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
  /** p, for the module's printed form. */
  extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** A lookup table: int32 indices of any shape → [..., embeddingDim]. weight ~ N(0, 1). */
export class Embedding extends Module {
  /** The table, [numEmbeddings, embeddingDim]. */
  weight: Tensor;
  /** Rows in the table (the vocabulary size). */
  readonly numEmbeddings: number;
  /** Size of each embedding vector. */
  readonly embeddingDim: number;
  /** The row that stays zero and gets no gradient, or null. */
  readonly paddingIdx: number | null;
  constructor(numEmbeddings: number, embeddingDim: number, opts: { paddingIdx?: number | null } & FactoryOptions = {}) {
    super();
    checkOptions(opts, 'Embedding');
    this.numEmbeddings = posInt(numEmbeddings, 'Embedding', 'numEmbeddings');
    this.embeddingDim = posInt(embeddingDim, 'Embedding', 'embeddingDim');
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings)
        throw axisError(`Embedding: paddingIdx ${show(pad)} is out of range for ${numEmbeddings} embeddings`);
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.weight = newParam([numEmbeddings, embeddingDim], opts.dtype);
    init.normal(this.weight);
    if (pad !== null) noGrad(() => this.weight.narrow(0, pad as number, 1).fill_(0));
  }
  /**
   * Looks up rows: int32 indices [...] → [..., embeddingDim].
   * @example new tf.nn.Embedding(1000, 64).forward(tf.tensor([[1, 2, 3]], { dtype: 'int32' }));  // [1, 3, 64]
   */
  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, this.paddingIdx);
  }
  /** The table's sizes, for the module's printed form. */
  extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}

// ---- parameter-free layers ----
/** Returns its input unchanged (a placeholder layer). */
export class Identity extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  /** x itself. */
  forward(x: Tensor): Tensor {
    return x;
  }
}
/** max(x, 0) elementwise, as a layer. */
export class ReLU extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  /** max(x, 0); same shape. */
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}
/** GELU x·Φ(x) as a layer; approximate 'tanh' uses PyTorch's tanh form. */
export class GELU extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  constructor(
    /** 'none' (exact, erf-based) or 'tanh'. */ readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  /** GELU of x; same shape. */
  forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
}
/** tanh elementwise, as a layer. */
export class Tanh extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  /** tanh(x); same shape. */
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}
/** The logistic sigmoid elementwise, as a layer. */
export class Sigmoid extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  /** sigmoid(x); same shape. */
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}
/** SiLU (swish) x·sigmoid(x) elementwise, as a layer. */
export class SiLU extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  /** x·sigmoid(x); same shape. */
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}
/** log(1 + e^(beta·x)) / beta elementwise, linear where beta·x > threshold (PyTorch's Softplus). */
export class Softplus extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  constructor(
    /** Sharpness (default 1). */ readonly beta = 1,
    /** Above beta·x > threshold the output is x (default 20). */ readonly threshold = 20) {
    super();
  }
  /** softplus(x); same shape. */
  forward(x: Tensor): Tensor {
    return F.softplus(x, this.beta, this.threshold);
  }
}
/** ELU as a layer: x for x > 0, alpha·(e^x − 1) otherwise. */
export class ELU extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  constructor(
    /** The negative saturation value (default 1). */ readonly alpha = 1) {
    super();
  }
  /** elu(x); same shape. */
  forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }
}
/** Leaky ReLU as a layer: x for x > 0, negativeSlope·x otherwise. */
export class LeakyReLU extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  constructor(
    /** Slope for x < 0 (default 0.01). */ readonly negativeSlope = 0.01) {
    super();
  }
  /** leakyRelu(x); same shape. */
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
}
/** Softmax along `dim` as a layer. */
export class Softmax extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  constructor(
    /** The dim that sums to 1 (default −1, the last). */ readonly dim = -1) {
    super();
  }
  /** softmax(x, dim); same shape. */
  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
}
/** log(softmax) along `dim` as a layer. */
export class LogSoftmax extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
  constructor(
    /** The dim normalised over (default −1, the last). */ readonly dim = -1) {
    super();
  }
  /** logSoftmax(x, dim); same shape. */
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
}
/** Flattens dims startDim..endDim (default 1..−1: everything but the batch). */
export class Flatten extends Module {
  constructor(
    /** First dim merged (default 1, after the batch). */ readonly startDim = 1,
    /** Last dim merged (default −1). */ readonly endDim = -1) {
    super();
  }
  /** [N, C, H, W] → [N, C·H·W] with the defaults. */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw argumentError(`Flatten: input must be a Tensor, got ${describe(x)}`);
    return x.flatten(this.startDim, this.endDim);
  }
}
