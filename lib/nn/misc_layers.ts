// Small layers: Bilinear, Unflatten, channel dropout (Dropout1d/2d), and F.gumbelSoftmax / F.oneHot.
import { Tensor, DType, checkOptions, describe, rand, zeros } from '../tensor';
import { Module, Parameter } from './module';
import * as init from './init';
import { need, needFloat, optTensor, posInt, axis } from './args';
import { argumentError, rangeError, shapeError, show } from '../errors';

/** y = x1ᵀ·W·x2 + b over the last dims: weight [out, in1, in2], bias [out]. */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = 'bilinear';
  needFloat(x1, op, 'input1');
  needFloat(x2, op, 'input2');
  needFloat(weight, op, 'weight');
  if (weight.ndim !== 3) throw shapeError(`${op}: weight must be [out, in1, in2], got [${weight.shape}]`);
  const [O, I1, I2] = weight.shape;
  if (x1.shape[x1.ndim - 1] !== I1 || x2.shape[x2.ndim - 1] !== I2)
    throw shapeError(`${op}: inputs [${x1.shape}] and [${x2.shape}] do not match weight [${weight.shape}]`);
  // (x1 · W reshaped [in1, out·in2]) then a dot with x2 per output.
  const t = x1.matmul(weight.permute([1, 0, 2]).reshape([I1, O * I2]));
  const y = t.reshape([...x1.shape.slice(0, -1), O, I2]).mul(x2.unsqueeze(-2)).sum(-1);
  const b = optTensor(bias, op, 'bias');
  return b ? y.add(b) : y;
}

/** Bilinear(in1, in2, out, {bias}): weight and bias U(±1/sqrt(in1)), as PyTorch. */
export class Bilinear extends Module {
  /** The weight, [outFeatures, in1Features, in2Features]. */
  weight: Tensor;
  /** The bias, [outFeatures], or null. */
  bias: Tensor | null;
  constructor(
    /** Size of x1's last dim. */ readonly in1Features: number,
    /** Size of x2's last dim. */ readonly in2Features: number,
    /** Size of the output's last dim. */ readonly outFeatures: number,
    opts: { bias?: boolean; dtype?: DType } = {}) {
    super();
    checkOptions(opts, 'Bilinear');
    [in1Features, in2Features, outFeatures].forEach((v) => posInt(v, 'Bilinear', 'size'));
    const dtype = opts.dtype ?? 'float32';
    const bound = 1 / Math.sqrt(in1Features);
    this.weight = init.uniform(Parameter(zeros([outFeatures, in1Features, in2Features], { dtype })), -bound, bound);
    this.bias = opts.bias ?? true ? init.uniform(Parameter(zeros([outFeatures], { dtype })), -bound, bound) : null;
  }
  /** y = x1ᵀ A x2 + b: x1 [..., in1], x2 [..., in2] → [..., out]. */
  forward(x1: Tensor, x2: Tensor): Tensor {
    return bilinear(x1, x2, this.weight, this.bias);
  }
}

/** Unflatten(dim, sizes): splits one dim into sizes (one entry may be −1). */
export class Unflatten extends Module {
  /** The sizes dim is split into. */
  readonly unflattenedSize: number[];
  constructor(
    /** The dim that is split. */ readonly dim: number, unflattenedSize: number[]) {
    super();
    // A copy (holes read as undefined, which every() would skip), so the check holds for forward().
    const sizes: unknown = Array.isArray(unflattenedSize) ? Array.from(unflattenedSize) : unflattenedSize;
    if (!Array.isArray(sizes) || !sizes.every((v) => Number.isInteger(v)))
      throw argumentError(`Unflatten: unflattenedSize must be an array of integers, got ${show(unflattenedSize)}`);
    this.unflattenedSize = sizes;
  }
  /** [N, C·H·W] → [N, C, H, W] for Unflatten(1, [C, H, W]). */
  forward(x: Tensor): Tensor {
    need(x, 'Unflatten');
    const d = axis(this.dim, x.ndim, 'Unflatten');
    return x.reshape([...x.shape.slice(0, d), ...this.unflattenedSize, ...x.shape.slice(d + 1)]);
  }
}

/** Zeroes whole channels with probability p (one draw per sample and channel), scaling the rest by 1/(1−p). */
function channelDropout(x: Tensor, p: number, training: boolean, spatial: number, op: string): Tensor {
  needFloat(x, op);
  if (typeof p !== 'number') throw argumentError(`${op}: p must be a number, got ${describe(p)}`);
  if (!(p >= 0 && p <= 1)) throw rangeError(`${op}: p must be in [0, 1], got ${p}`);
  if (x.ndim !== spatial + 1 && x.ndim !== spatial + 2)
    throw shapeError(`${op}: expected a ${spatial + 1}-d or ${spatial + 2}-d input, got [${x.shape}]`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const lead = x.ndim - spatial;
  const maskShape = [...x.shape.slice(0, lead), ...new Array(spatial).fill(1)];
  const keep = rand(maskShape, { dtype: x.dtype as 'float32' }).lt(1 - p).to(x.dtype as 'float32');
  return x.mul(keep).mul(1 / (1 - p));
}
/**
 * Channel dropout for [N, C, L] (or [C, L]): in training zeroes whole channels with probability p, scaling the rest
 * by 1/(1 − p).
 */
export function dropout1d(x: Tensor, p = 0.5, training = true): Tensor {
  return channelDropout(x, p, training, 1, 'dropout1d');
}
/**
 * Channel dropout for [N, C, H, W] (or [C, H, W]): in training zeroes whole channels with probability p, scaling the
 * rest by 1/(1 − p).
 */
export function dropout2d(x: Tensor, p = 0.5, training = true): Tensor {
  return channelDropout(x, p, training, 2, 'dropout2d');
}
/** Channel dropout as a layer, for [N, C, L] inputs (identity in eval mode). */
export class Dropout1d extends Module {
  constructor(
    /** Probability of zeroing a channel. */ readonly p = 0.5) { super(); }
  /** dropout1d(x, p) in training, x in eval; same shape. */
  forward(x: Tensor): Tensor { return dropout1d(x, this.p, this.training); }
}
/** Channel dropout as a layer, for [N, C, H, W] inputs (identity in eval mode). */
export class Dropout2d extends Module {
  constructor(
    /** Probability of zeroing a channel. */ readonly p = 0.5) { super(); }
  /** dropout2d(x, p) in training, x in eval; same shape. */
  forward(x: Tensor): Tensor { return dropout2d(x, this.p, this.training); }
}

/**
 * Gumbel-softmax sample softmax((logits + g)/tau), g = −log(E), E ~ Exp(1); with hard, the one-hot of
 * its argmax in the forward pass and the soft sample's gradient (straight-through), as PyTorch.
 */
export function gumbelSoftmax(logits: Tensor, opts: { tau?: number; hard?: boolean; dim?: number } = {}): Tensor {
  const op = 'gumbelSoftmax';
  checkOptions(opts, op);
  needFloat(logits, op, 'logits');
  const tau = opts.tau ?? 1, dim = axis(opts.dim ?? -1, logits.ndim, op);
  // E = −log(U) with U in (0, 1]: 1 − rand keeps U away from 0.
  const u = rand(logits.shape, { dtype: logits.dtype as 'float32' }).neg().add(1);
  const g = u.log().neg().log().neg();
  const y = logits.add(g).div(tau).softmax(dim);
  if (!opts.hard) return y;
  const hard = oneHot(y.detach().argmax(dim), logits.shape[dim]).to(y.dtype as 'float32');
  const last = logits.ndim - 1;
  // Classes come out last; put them back at dim.
  const moved = dim === last ? hard
    : hard.permute([...Array.from({ length: dim }, (_, i) => i), last, ...Array.from({ length: last - dim }, (_, i) => dim + i)]);
  return moved.sub(y.detach()).add(y);
}

/** One-hot encoding of int indices; numClasses −1 means max + 1. */
export function oneHot(t: Tensor, numClasses = -1): Tensor {
  need(t, 'oneHot');
  let n = numClasses;
  if (n === -1) n = t.size ? (t.max().item() as number) + 1 : 0;
  return t.oneHot(n);
}
