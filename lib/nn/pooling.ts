// Pooling beyond the native 2-d kernels: 3-d max and average pooling, adaptive max pooling, 1-d
// adaptive average pooling. Pooling is separable: the depth axis is reduced first (a max over
// index-selected slices, or a linear map whose rows hold each window's 1/divisor weights), then the
// native 2-d kernel pools height and width. PyTorch's divisors are products of per-axis counts,
// so the split gives the same numbers.
import { maximum, stack } from '../ops';
import { Tensor, checkOptions } from '../tensor';
import { Module } from './module';
import { needFloat, tuple, floatTensor, indexTensor } from './args';
import * as F from './functional';
import { rangeError, shapeError } from '../errors';

function poolOut(n: number, k: number, s: number, p: number, d: number, ceil: boolean, op: string): number {
  if (k < 1 || s < 1 || d < 1 || p < 0)
    throw rangeError(`${op}: kernelSize, stride and dilation must be positive and padding non-negative, got ` +
      `kernelSize ${k}, stride ${s}, dilation ${d}, padding ${p}`);
  if (p > Math.floor(k / 2)) throw shapeError(`${op}: padding ${p} must be at most half the kernel size ${k}`);
  const span = n + 2 * p - d * (k - 1) - 1;
  if (span < 0) throw shapeError(`${op}: input size ${n} (padding ${p}) is smaller than the kernel's extent ${d * (k - 1) + 1}`);
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // The last window must start inside the input or the left padding, as PyTorch.
  if (ceil && (o - 1) * s >= n + p) o--;
  return o;
}

// [N, C, D, H, W] or [C, D, H, W] → batched, and a function that undoes it.
function batched5(x: Tensor, op: string): [Tensor, (y: Tensor) => Tensor] {
  needFloat(x, op);
  if (x.ndim === 4) return [x.unsqueeze(0), (y) => y.squeeze(0)];
  if (x.ndim !== 5) throw shapeError(`${op}: input must be [N,C,D,H,W] or [C,D,H,W], got [${x.shape}]`);
  return [x, (y) => y];
}

// x [N, C, Do, H, W] pooled over (H, W) by the 2-d kernel f, keeping Do.
function pool2dInner(x: Tensor, f: (x4: Tensor) => Tensor): Tensor {
  const [N, C, Do, H, W] = x.shape;
  const y = f(x.reshape([N, C * Do, H, W]));
  return y.reshape([N, C, Do, y.shape[2], y.shape[3]]);
}

export interface Pool3dOptions {
  stride?: number | number[] | null;
  padding?: number | number[];
  ceilMode?: boolean;
}

/** 3-d max pooling over [N, C, D, H, W]. */
export function maxPool3d(x: Tensor, kernelSize: number | number[], opts: Pool3dOptions & { dilation?: number | number[] } = {}): Tensor {
  const op = 'maxPool3d';
  checkOptions(opts, op);
  const [xb, unb] = batched5(x, op);
  const k = tuple(kernelSize, 3, op, 'kernelSize');
  const s = opts.stride === undefined || opts.stride === null ? k : tuple(opts.stride, 3, op, 'stride');
  const p = tuple(opts.padding ?? 0, 3, op, 'padding');
  const d = tuple(opts.dilation ?? 1, 3, op, 'dilation');
  const D = xb.shape[2];
  const Do = poolOut(D, k[0], s[0], p[0], d[0], !!opts.ceilMode, op);
  // Window positions outside the input are clamped onto it: a repeated element does not change a max.
  let m: Tensor | null = null;
  for (let j = 0; j < k[0]; j++) {
    const ix = Array.from({ length: Do }, (_, o) => Math.min(Math.max(o * s[0] - p[0] + j * d[0], 0), D - 1));
    const slice = xb.indexSelect(2, indexTensor(ix));
    m = m ? maximum(m, slice) : slice;
  }
  return unb(pool2dInner(m as Tensor, (x4) => F.maxPool2d(x4, [k[1], k[2]], {
    stride: [s[1], s[2]], padding: [p[1], p[2]], dilation: [d[1], d[2]], ceilMode: opts.ceilMode,
  })));
}

/** 3-d average pooling over [N, C, D, H, W] (countIncludePad as PyTorch, default true). */
export function avgPool3d(x: Tensor, kernelSize: number | number[], opts: Pool3dOptions & { countIncludePad?: boolean } = {}): Tensor {
  const op = 'avgPool3d';
  checkOptions(opts, op);
  const [xb, unb] = batched5(x, op);
  const k = tuple(kernelSize, 3, op, 'kernelSize');
  const s = opts.stride === undefined || opts.stride === null ? k : tuple(opts.stride, 3, op, 'stride');
  const p = tuple(opts.padding ?? 0, 3, op, 'padding');
  const cip = opts.countIncludePad ?? true;
  const D = xb.shape[2];
  const Do = poolOut(D, k[0], s[0], p[0], 1, !!opts.ceilMode, op);
  const A = new Array(Do * D).fill(0);
  for (let o = 0; o < Do; o++) {
    const start = o * s[0] - p[0];
    const end = Math.min(start + k[0], D + p[0]);
    const lo = Math.max(start, 0), hi = Math.min(end, D);
    const div = cip ? end - start : hi - lo;
    for (let i = lo; i < hi; i++) A[o * D + i] = 1 / div;
  }
  const At = floatTensor(A, xb.dtype, [Do, D]).transpose(0, 1);
  // [N, C, D, H, W] → [N, C, H, W, D] · Aᵀ → [N, C, H, W, Do] → [N, C, Do, H, W]
  const pooledD = xb.permute([0, 1, 3, 4, 2]).matmul(At).permute([0, 1, 4, 2, 3]);
  return unb(pool2dInner(pooledD, (x4) => F.avgPool2d(x4, [k[1], k[2]], {
    stride: [s[1], s[2]], padding: [p[1], p[2]], ceilMode: opts.ceilMode, countIncludePad: cip,
  })));
}

// Adaptive windows: [floor(i·n/o), ceil((i+1)·n/o)).
const winStart = (i: number, n: number, o: number) => Math.floor((i * n) / o);
const winEnd = (i: number, n: number, o: number) => Math.ceil(((i + 1) * n) / o);

/** Adaptive max pooling to outputSize [oh, ow] over the last two dims. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | (number | null)[]): Tensor {
  const op = 'adaptiveMaxPool2d';
  needFloat(x, op);
  if (x.ndim !== 3 && x.ndim !== 4) throw shapeError(`${op}: input must be [N,C,H,W] or [C,H,W], got [${x.shape}]`);
  const H = x.shape[x.ndim - 2], W = x.shape[x.ndim - 1];
  const raw = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  const [oh, ow] = tuple(Array.isArray(raw) ? raw.map((v, i) => v ?? [H, W][i]) : raw, 2, op, 'outputSize');
  if (oh < 1 || ow < 1) throw rangeError(`${op}: outputSize must be positive, got [${oh}, ${ow}]`);
  const rows: Tensor[] = [];
  for (let i = 0; i < oh; i++) {
    const h0 = winStart(i, H, oh), h1 = winEnd(i, H, oh);
    const cols: Tensor[] = [];
    for (let j = 0; j < ow; j++) {
      const w0 = winStart(j, W, ow), w1 = winEnd(j, W, ow);
      cols.push(x.narrow(-2, h0, h1 - h0).narrow(-1, w0, w1 - w0).max([-2, -1]));
    }
    rows.push(stackAt(cols, -1));
  }
  return stackAt(rows, x.ndim - 2);
}
function stackAt(ts: Tensor[], dim: number): Tensor {
  return stack(ts, dim);
}

/** Adaptive average pooling of the last dim to outputSize: a linear map holding each window's mean weights. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number | number[]): Tensor {
  const op = 'adaptiveAvgPool1d';
  needFloat(x, op);
  if (x.ndim !== 2 && x.ndim !== 3) throw shapeError(`${op}: input must be [N,C,L] or [C,L], got [${x.shape}]`);
  const [o] = tuple(outputSize, 1, op, 'outputSize');
  if (o < 0) throw rangeError(`${op}: outputSize must not be negative, got ${o}`);
  const L = x.shape[x.ndim - 1];
  const A = new Array(o * L).fill(0);
  for (let i = 0; i < o; i++) {
    const a = winStart(i, L, o), b = winEnd(i, L, o);
    for (let j = a; j < b; j++) A[i * L + j] = 1 / (b - a);
  }
  return x.matmul(floatTensor(A, x.dtype, [o, L]).transpose(0, 1));
}

// ---- layers ----
/** Max over sliding 3-d windows (stride defaults to kernelSize): [N, C, D, H, W] → [N, C, D', H', W']. */
export class MaxPool3d extends Module {
  constructor(
    /** Window size: one number or [depth, height, width]. */ readonly kernelSize: number | number[],
    /** stride (default kernelSize), padding, dilation, ceilMode, as PyTorch's. */
    readonly opts: Pool3dOptions & { dilation?: number | number[] } = {}) {
    super();
    checkOptions(opts, 'MaxPool3d');
  }
  /** [N, C, D, H, W] → [N, C, D', H', W']. */
  forward(x: Tensor): Tensor {
    return maxPool3d(x, this.kernelSize, this.opts);
  }
}
/** Mean over sliding 3-d windows (stride defaults to kernelSize): [N, C, D, H, W] → [N, C, D', H', W']. */
export class AvgPool3d extends Module {
  constructor(
    /** Window size: one number or [depth, height, width]. */ readonly kernelSize: number | number[],
    /** stride (default kernelSize), padding, ceilMode, countIncludePad, as PyTorch's. */
    readonly opts: Pool3dOptions & { countIncludePad?: boolean } = {}) {
    super();
    checkOptions(opts, 'AvgPool3d');
  }
  /** [N, C, D, H, W] → [N, C, D', H', W']. */
  forward(x: Tensor): Tensor {
    return avgPool3d(x, this.kernelSize, this.opts);
  }
}
/** Max pooling to a fixed output size: [N, C, H, W] → [N, C, oh, ow] (null keeps that input size). */
export class AdaptiveMaxPool2d extends Module {
  constructor(
    /** The output [height, width] (one number for both; null keeps the input's). */
    readonly outputSize: number | (number | null)[]) {
    super();
  }
  /** [N, C, H, W] → [N, C, oh, ow]. */
  forward(x: Tensor): Tensor {
    return adaptiveMaxPool2d(x, this.outputSize);
  }
}
/** Mean pooling to a fixed output length: [N, C, L] → [N, C, outputSize]. */
export class AdaptiveAvgPool1d extends Module {
  constructor(
    /** The output length. */ readonly outputSize: number | number[]) {
    super();
  }
  /** [N, C, L] (or [C, L]) → [N, C, outputSize]. */
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }
}
