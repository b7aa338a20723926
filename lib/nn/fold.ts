// im2col and col2im: F.unfold is a grouped convolution with one-hot kernels (output channel
// c·kh·kw + i·kw + j copies input channel c at kernel offset (i, j), PyTorch's order), and F.fold is
// its adjoint, the same convolution's input gradient. Both record their backward on the tape.
import { Tensor, checkOptions, eye, wrap } from '../tensor';
import { Module } from './module';
import { needFloat, tuple, kernel } from './args';
import * as F from './functional';
import { shapeError } from '../errors';

export interface FoldOptions {
  dilation?: number | number[];
  padding?: number | number[];
  stride?: number | number[];
}

function oneHotKernels(C: number, kh: number, kw: number, dtype: string): Tensor {
  const K = kh * kw;
  return eye(K, K, { dtype: dtype as 'float32' }).reshape([1, K, 1, kh, kw]).expand([C, K, 1, kh, kw])
    .reshape([C * K, 1, kh, kw]).contiguous();
}

/** Sliding blocks of x [N, C, H, W] → [N, C·kh·kw, L]. */
export function unfold(x: Tensor, kernelSize: number | number[], opts: FoldOptions = {}): Tensor {
  const op = 'unfold';
  checkOptions(opts, op);
  needFloat(x, op);
  if (x.ndim === 3) return unfold(x.unsqueeze(0), kernelSize, opts).squeeze(0);
  if (x.ndim !== 4) throw shapeError(`${op}: input must be [N,C,H,W] or [C,H,W], got [${x.shape}]`);
  const [kh, kw] = tuple(kernelSize, 2, op, 'kernelSize');
  const C = x.shape[1];
  const y = F.conv2d(x, oneHotKernels(C, kh, kw, x.dtype), null, {
    stride: tuple(opts.stride ?? 1, 2, op, 'stride'), padding: tuple(opts.padding ?? 0, 2, op, 'padding'),
    dilation: tuple(opts.dilation ?? 1, 2, op, 'dilation'), groups: C,
  });
  return y.reshape([x.shape[0], C * kh * kw, -1]);
}

/** Sums sliding blocks x [N, C·kh·kw, L] back into [N, C, outputSize...] (overlaps add). */
export function fold(x: Tensor, outputSize: number | number[], kernelSize: number | number[], opts: FoldOptions = {}): Tensor {
  const op = 'fold';
  checkOptions(opts, op);
  needFloat(x, op);
  if (x.ndim === 2) return fold(x.unsqueeze(0), outputSize, kernelSize, opts).squeeze(0);
  if (x.ndim !== 3) throw shapeError(`${op}: input must be [N, C·kh·kw, L] or [C·kh·kw, L], got [${x.shape}]`);
  const [H, W] = tuple(outputSize, 2, op, 'outputSize');
  const [kh, kw] = tuple(kernelSize, 2, op, 'kernelSize');
  const s = tuple(opts.stride ?? 1, 2, op, 'stride');
  const p = tuple(opts.padding ?? 0, 2, op, 'padding');
  const d = tuple(opts.dilation ?? 1, 2, op, 'dilation');
  const K = kh * kw;
  if (x.shape[1] % K) throw shapeError(`${op}: dim 1 of input [${x.shape}] must be divisible by kh·kw = ${K}`);
  const C = x.shape[1] / K;
  const lh = Math.floor((H + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0]) + 1;
  const lw = Math.floor((W + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1]) + 1;
  if (lh <= 0 || lw <= 0 || lh * lw !== x.shape[2])
    throw shapeError(`${op}: input [${x.shape}] has ${x.shape[2]} blocks, but outputSize [${H},${W}] with kernel [${kh},${kw}] gives ${Math.max(lh, 0) * Math.max(lw, 0)}`);
  const g = x.reshape([x.shape[0], C * K, lh, lw]);
  return wrap(kernel('conv2dInputGrad')(g._h, oneHotKernels(C, kh, kw, x.dtype)._h, [x.shape[0], C, H, W], s, p, d, C));
}

/** Extracts sliding blocks (im2col): [N, C, H, W] → [N, C·kh·kw, L], L the number of block positions. */
export class Unfold extends Module {
  constructor(
    /** Block size: one number or [kh, kw]. */ readonly kernelSize: number | number[],
    /** dilation, padding and stride of the blocks (defaults 1, 0, 1). */ readonly opts: FoldOptions = {}) {
    super();
    checkOptions(opts, 'Unfold');
  }
  /** [N, C, H, W] → [N, C·kh·kw, L]. */
  forward(x: Tensor): Tensor { return unfold(x, this.kernelSize, this.opts); }
}
/** Sums sliding blocks back into an image (col2im, the adjoint of Unfold): [N, C·kh·kw, L] → [N, C, H, W]. */
export class Fold extends Module {
  constructor(
    /** The image size [H, W] (one number for both). */ readonly outputSize: number | number[],
    /** Block size: one number or [kh, kw]. */ readonly kernelSize: number | number[],
    /** dilation, padding and stride of the blocks (defaults 1, 0, 1). */ readonly opts: FoldOptions = {}) {
    super();
    checkOptions(opts, 'Fold');
  }
  /** [N, C·kh·kw, L] → [N, C, H, W]; overlapping blocks add up. */
  forward(x: Tensor): Tensor { return fold(x, this.outputSize, this.kernelSize, this.opts); }
}
