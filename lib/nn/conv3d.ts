// 3-d convolution as a sum over kernel depth of native 2-d convolutions: for each depth tap kd the
// input planes it meets (od·stride + kd·dilation in the zero-padded input) form one batch of 2-d
// images, convolved with that tap's [out, in/groups, kh, kw] weight slice.
import { concat } from '../ops';
import { Tensor, DType, checkOptions, zeros } from '../tensor';
import { Module } from './module';
import { needFloat, optTensor, tuple, posInt, indexTensor } from './args';
import { initConvParams } from './conv_transpose';
import * as F from './functional';
import { shapeError } from '../errors';

export interface Conv3dOptions {
  stride?: number | number[];
  padding?: number | number[] | 'valid' | 'same';
  dilation?: number | number[];
  groups?: number;
}

/** 3-d convolution (cross-correlation): x [N, C, D, H, W] (or unbatched), weight [O, C/groups, kd, kh, kw]. */
export function conv3d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv3dOptions = {}): Tensor {
  const op = 'conv3d';
  checkOptions(opts, op);
  needFloat(x, op);
  needFloat(weight, op, 'weight');
  if (weight.ndim !== 5) throw shapeError(`${op}: weight must be 5-d [out, in/groups, kd, kh, kw], got [${weight.shape}]`);
  if (x.ndim === 4) return conv3d(x.unsqueeze(0), weight, bias, opts).squeeze(0);
  if (x.ndim !== 5) throw shapeError(`${op}: input must be [N,C,D,H,W] or [C,D,H,W], got [${x.shape}]`);
  const s = tuple(opts.stride ?? 1, 3, op, 'stride');
  const d = tuple(opts.dilation ?? 1, 3, op, 'dilation');
  const g = posInt(opts.groups ?? 1, op, 'groups');
  const k = weight.shape.slice(2);
  let p: number[];
  if (opts.padding === 'valid') p = [0, 0, 0];
  else if (opts.padding === 'same') {
    if (s.some((v) => v !== 1)) throw shapeError(`${op}: padding 'same' needs stride 1, got stride [${s}]`);
    p = k.map((kk, i) => {
      const total = d[i] * (kk - 1);
      if (total % 2) throw shapeError(`${op}: padding 'same' needs an even dilation·(kernel − 1), got ${total}`);
      return total / 2;
    });
  } else p = tuple(opts.padding ?? 0, 3, op, 'padding');
  const [N, C, D] = x.shape;
  if (C !== weight.shape[1] * g)
    throw shapeError(`${op}: input [${x.shape}] has ${C} channels but weight [${weight.shape}] with groups ${g} expects ${weight.shape[1] * g}`);
  const Dp = D + 2 * p[0];
  const Do = Math.floor((Dp - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  if (Do <= 0) throw shapeError(`${op}: input depth ${D} (padding ${p[0]}) is smaller than the kernel's extent ${d[0] * (k[0] - 1) + 1}`);
  const xp = p[0] ? padDepth(x, p[0]) : x;
  let y: Tensor | null = null;
  for (let kd = 0; kd < k[0]; kd++) {
    const ix = Array.from({ length: Do }, (_, o) => o * s[0] + kd * d[0]);
    // [N, C, Do, H, W] → [N·Do, C, H, W]
    const planes = xp.indexSelect(2, indexTensor(ix)).transpose(1, 2).reshape([N * Do, C, x.shape[3], x.shape[4]]);
    const part = F.conv2d(planes, weight.select(2, kd), null, { stride: [s[1], s[2]], padding: [p[1], p[2]],
      dilation: [d[1], d[2]], groups: g });
    y = y ? y.add(part) : part;
  }
  const out = (y as Tensor);
  const O = weight.shape[0];
  let r = out.reshape([N, Do, O, out.shape[2], out.shape[3]]).transpose(1, 2);
  const b = optTensor(bias, op, 'bias');
  if (b) r = r.add(b.reshape([O, 1, 1, 1]));
  return r;
}

function padDepth(x: Tensor, p: number): Tensor {
  const z = zeros([x.shape[0], x.shape[1], p, x.shape[3], x.shape[4]], { dtype: x.dtype });
  return concat([z, x, z], 2);
}

/** Conv3d(in, out, kernel, {stride, padding, dilation, groups, bias}): weight [out, in/groups, kd, kh, kw]. */
export class Conv3d extends Module {
  /** The kernels, [outChannels, inChannels / groups, kd, kh, kw]. */
  weight: Tensor;
  /** The bias, [outChannels], or null. */
  bias: Tensor | null;
  /** Input channels (dim 1). */
  readonly inChannels: number;
  /** Output channels (dim 1). */
  readonly outChannels: number;
  /** Kernel [depth, height, width]. */
  readonly kernelSize: number[];
  /** Stride [depth, height, width]. */
  readonly stride: number[];
  /** Zero padding per spatial dim, or 'valid' / 'same'. */
  readonly padding: number[] | 'valid' | 'same';
  /** Spacing between kernel taps, per spatial dim. */
  readonly dilation: number[];
  /** Channel groups. */
  readonly groups: number;
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[],
    opts: Conv3dOptions & { bias?: boolean; dtype?: DType } = {}) {
    super();
    const name = 'Conv3d';
    checkOptions(opts, name);
    posInt(inChannels, name, 'inChannels');
    posInt(outChannels, name, 'outChannels');
    const groups = posInt(opts.groups ?? 1, name, 'groups');
    if (inChannels % groups || outChannels % groups)
      throw shapeError(`${name}: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`);
    this.kernelSize = tuple(kernelSize, 3, name, 'kernelSize');
    this.kernelSize.forEach((v) => posInt(v, name, 'kernel size'));
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.stride = tuple(opts.stride ?? 1, 3, name, 'stride');
    const p = opts.padding ?? 0;
    this.padding = p === 'same' || p === 'valid' ? p : tuple(p, 3, name, 'padding');
    this.dilation = tuple(opts.dilation ?? 1, 3, name, 'dilation');
    this.groups = groups;
    const { weight, bias } = initConvParams([outChannels, inChannels / groups, ...this.kernelSize], outChannels,
      opts.bias ?? true, opts.dtype);
    this.weight = weight;
    this.bias = bias;
  }
  /**
   * [N, inChannels, D, H, W] → [N, outChannels, D', H', W'], each size ⌊(n + 2·padding − dilation·(k − 1) − 1) /
   * stride⌋ + 1.
   */
  forward(x: Tensor): Tensor {
    return conv3d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation,
      groups: this.groups });
  }
  /** The channels, kernel size and stride, for the module's printed form. */
  extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}]`;
  }
}
