// Transposed convolutions: the adjoint of conv2d, computed by the engine's conv2d input-gradient
// kernel (col2im of Wᵀ·X), which records its own backward (a conv2d and a weight gradient), so
// gradients of every order come from the tape.
import { Tensor, DType, checkOptions, wrap, zeros } from '../tensor';
import { Module, Parameter } from './module';
import * as init from './init';
import { needFloat, optTensor, tuple, posInt, kernel } from './args';
import { shapeError } from '../errors';

export interface ConvTransposeOptions {
  stride?: number | number[];
  padding?: number | number[];
  outputPadding?: number | number[];
  groups?: number;
  dilation?: number | number[];
}

/**
 * 2-d transposed convolution: x [N, Cin, H, W] (or [Cin, H, W]), weight [Cin, Cout/groups, kh, kw];
 * output size (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1, as PyTorch.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  const op = 'convTranspose2d';
  checkOptions(opts, op);
  needFloat(x, op);
  needFloat(weight, op, 'weight');
  if (weight.ndim !== 4) throw shapeError(`${op}: weight must be 4-d [in, out/groups, kh, kw], got [${weight.shape}]`);
  if (x.ndim === 3) return convTranspose2d(x.unsqueeze(0), weight, bias, opts).squeeze(0);
  if (x.ndim !== 4) throw shapeError(`${op}: input must be [N,C,H,W] or [C,H,W], got [${x.shape}]`);
  const s = tuple(opts.stride ?? 1, 2, op, 'stride');
  const p = tuple(opts.padding ?? 0, 2, op, 'padding');
  const op_ = tuple(opts.outputPadding ?? 0, 2, op, 'outputPadding');
  const d = tuple(opts.dilation ?? 1, 2, op, 'dilation');
  const g = posInt(opts.groups ?? 1, op, 'groups');
  if (x.shape[1] !== weight.shape[0])
    throw shapeError(`${op}: input [${x.shape}] has ${x.shape[1]} channels but weight [${weight.shape}] expects ${weight.shape[0]}`);
  for (let i = 0; i < 2; i++)
    if (op_[i] < 0 || (op_[i] >= s[i] && op_[i] >= d[i]))
      throw shapeError(`${op}: outputPadding [${op_}] must be smaller than stride [${s}] or dilation [${d}]`);
  const outC = weight.shape[1] * g;
  const size = [0, 1].map((i) => (x.shape[2 + i] - 1) * s[i] - 2 * p[i] + d[i] * (weight.shape[2 + i] - 1) + op_[i] + 1);
  if (size.some((n) => n <= 0))
    throw shapeError(`${op}: input [${x.shape}] with weight [${weight.shape}] gives an empty output [${size}]`);
  const y = wrap(kernel('conv2dInputGrad')(x._h, weight._h, [x.shape[0], outC, ...size], s, p, d, g));
  const b = optTensor(bias, op, 'bias');
  if (!b) return y;
  if (b.size !== outC) throw shapeError(`${op}: bias must have ${outC} elements, got [${b.shape}]`);
  return y.add(b.reshape([outC, 1, 1]));
}

/** 1-d transposed convolution: x [N, Cin, L], weight [Cin, Cout/groups, k]; a 2-d one over [N, C, 1, L]. */
export function convTranspose1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  const op = 'convTranspose1d';
  checkOptions(opts, op);
  needFloat(x, op);
  needFloat(weight, op, 'weight');
  if (weight.ndim !== 3) throw shapeError(`${op}: weight must be 3-d [in, out/groups, k], got [${weight.shape}]`);
  if (x.ndim !== 2 && x.ndim !== 3) throw shapeError(`${op}: input must be [N,C,L] or [C,L], got [${x.shape}]`);
  const one = (v: unknown, what: string, dflt: number) => [dflt === 1 ? 1 : 0, tuple(v ?? dflt, 1, op, what)[0]];
  const y = convTranspose2d(x.unsqueeze(-2), weight.unsqueeze(2), bias, {
    stride: one(opts.stride, 'stride', 1), padding: one(opts.padding, 'padding', 0),
    outputPadding: one(opts.outputPadding, 'outputPadding', 0), dilation: one(opts.dilation, 'dilation', 1),
    groups: opts.groups,
  });
  return y.squeeze(-2);
}

export interface ConvTransposeLayerOptions extends ConvTransposeOptions {
  bias?: boolean;
  dtype?: DType;
}

abstract class ConvTransposeNd extends Module {
  /** The kernels, [inChannels, outChannels / groups, ...kernelSize] (PyTorch's layout). */
  weight: Tensor;
  /** The bias, [outChannels], or null. */
  bias: Tensor | null;
  /** Input channels (dim 1). */
  readonly inChannels: number;
  /** Output channels (dim 1). */
  readonly outChannels: number;
  /** Kernel size per spatial dim. */
  readonly kernelSize: number[];
  /** Stride per spatial dim (the upsampling factor). */
  readonly stride: number[];
  /** dilation·(k − 1) − padding zeros are added on each side of the input, per spatial dim. */
  readonly padding: number[];
  /** Extra size added to one side of the output, per spatial dim. */
  readonly outputPadding: number[];
  /** Spacing between kernel taps, per spatial dim. */
  readonly dilation: number[];
  /** Channel groups. */
  readonly groups: number;
  constructor(name: string, n: number, inChannels: number, outChannels: number, kernelSize: number | number[],
    opts: ConvTransposeLayerOptions) {
    super();
    checkOptions(opts, name);
    posInt(inChannels, name, 'inChannels');
    posInt(outChannels, name, 'outChannels');
    const groups = posInt(opts.groups ?? 1, name, 'groups');
    if (inChannels % groups || outChannels % groups)
      throw shapeError(`${name}: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`);
    this.kernelSize = tuple(kernelSize, n, name, 'kernelSize');
    this.kernelSize.forEach((k) => posInt(k, name, 'kernel size'));
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.stride = tuple(opts.stride ?? 1, n, name, 'stride');
    this.padding = tuple(opts.padding ?? 0, n, name, 'padding');
    this.outputPadding = tuple(opts.outputPadding ?? 0, n, name, 'outputPadding');
    this.dilation = tuple(opts.dilation ?? 1, n, name, 'dilation');
    this.groups = groups;
    const { weight, bias } = initConvParams([inChannels, outChannels / groups, ...this.kernelSize], outChannels,
      opts.bias ?? true, opts.dtype);
    this.weight = weight;
    this.bias = bias;
  }
  protected opts(): ConvTransposeOptions {
    return { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation,
      groups: this.groups };
  }
  /** The channels, kernel size and stride, for the module's printed form. */
  extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}]`;
  }
}

/** @internal Weight of `shape` and a bias of `biasSize`, initialised as PyTorch's convolutions. */
export function initConvParams(shape: number[], biasSize: number, bias: boolean, dtype?: DType) {
  const dt = dtype ?? 'float32';
  const weight = Parameter(zeros(shape, { dtype: dt }));
  init.kaimingUniform(weight, { a: Math.sqrt(5) });
  let b: Tensor | null = null;
  if (bias) {
    const bound = 1 / Math.sqrt(init.calculateFanInAndFanOut(weight)[0]);
    b = init.uniform(Parameter(zeros([biasSize], { dtype: dt })), -bound, bound);
  }
  return { weight, bias: b };
}

/** ConvTranspose2d(in, out, kernel, {stride, padding, outputPadding, groups, bias, dilation}). */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose2d', 2, inChannels, outChannels, kernelSize, opts);
  }
  /**
   * [N, inChannels, H, W] → [N, outChannels, H', W'], H' = (H − 1)·stride − 2·padding + dilation·(kh − 1) +
   * outputPadding + 1 (likewise W').
   * @example new tf.nn.ConvTranspose2d(16, 8, 2, { stride: 2 }).forward(tf.randn([1, 16, 7, 7]));  // [1, 8, 14, 14]
   */
  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, this.opts());
  }
}
/** ConvTranspose1d(in, out, kernel, {stride, padding, outputPadding, groups, bias, dilation}). */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], opts: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose1d', 1, inChannels, outChannels, kernelSize, opts);
  }
  /**
   * [N, inChannels, L] → [N, outChannels, L'], L' = (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.
   */
  forward(x: Tensor): Tensor {
    return convTranspose1d(x, this.weight, this.bias, this.opts());
  }
}
