// tf.nn.functional (alias tf.F): the layers' computations as functions, and the losses.
//
// Everything is composed from differentiable tensor ops (convolution and pooling from native
// kernels), so gradients, higher-order gradients included, come from the tape. Loss formulas
// follow PyTorch exactly, including its weighted means and label smoothing.
import { noGrad } from '../autograd';
import { Handle, kernels as native } from '../kernels';
import { where } from '../ops';
import { Tensor, describe, rand, wrap, checkOptions, int32Index, isFloating } from '../tensor';
import { liftHalf } from '../storage_dtypes';
import { argumentError, axisError, dtypeError, internalError, rangeError, shapeError, show, stateError, tfError } from '../errors';
import { fusedNative } from '../fused';  // speed: fused kernels
import { maskToAdditive } from './args';

/** How a loss reduces its per-element values: 'mean' (default), 'sum', or 'none' (unreduced). */
export type Reduction = 'mean' | 'sum' | 'none';
/** A size given once for both spatial dims, or as [height, width]. */
export type IntPair = number | [number, number] | number[];

function need(x: unknown, op: string, what = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw argumentError(`${op}: ${what} must be a Tensor, got ${describe(x)}`);
  return x;
}
function needFloat(x: unknown, op: string, what = 'input'): Tensor {
  const t = need(x, op, what);
  if (!isFloating(t.dtype))
    throw dtypeError(`${op}: ${what} must be a floating-point tensor, got ${t.dtype} [${t.shape}]`);
  return t;
}
function optTensor(x: unknown, op: string, what: string): Tensor | null {
  if (x === undefined || x === null) return null;
  return need(x, op, what);
}
function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A kernel-function from the native binding, or an Error saying that this build lacks it. */
function kernel(name: string): (...args: unknown[]) => Handle {
  const f = (native as unknown as Record<string, unknown>)[name];
  if (typeof f !== 'function') throw internalError(`${name}: this build of the native addon has no ${name} kernel`);
  return liftHalf(f as (...args: unknown[]) => Handle);  // float16/bfloat16 run in float32
}

function pair(v: IntPair, op: string, what: string): [number, number] {
  const a = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0]] : v;
  if (!Array.isArray(a) || a.length !== 2 || !a.every((n) => Number.isInteger(n)))
    throw argumentError(`${op}: ${what} must be an integer or an array of two integers, got ${show(v)}`);
  return [a[0], a[1]];
}
function single(v: number | number[], op: string, what: string): number {
  const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw argumentError(`${op}: ${what} must be an integer, got ${show(v)}`);
  return n;
}

function reductionArg(r: unknown, op: string): Reduction {
  const v = r === undefined ? 'mean' : r;
  if (v !== 'mean' && v !== 'sum' && v !== 'none')
    throw argumentError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${show(r)}`);
  return v;
}
function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? loss : reduction === 'sum' ? loss.sum() : loss.mean();
}

// ---- activations ----
/** max(x, 0) elementwise. */
export const relu = (x: Tensor) => need(x, 'relu').relu();
/** GELU: exact (x·Φ(x)), or with approximate 'tanh' PyTorch's 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  need(x, 'gelu');
  if (approximate === 'none') return x.gelu();
  if (approximate !== 'tanh') throw argumentError(`gelu: approximate must be 'none' or 'tanh', got ${show(approximate)}`);
  return x.gelu({ approximate: 'tanh' });  // speed: fused kernel
}
/** x·sigmoid(x) elementwise. */
export const silu = (x: Tensor) => need(x, 'silu').silu();
/** 1 / (1 + e^−x) elementwise. */
export const sigmoid = (x: Tensor) => need(x, 'sigmoid').sigmoid();
/** tanh elementwise. */
export const tanh = (x: Tensor) => need(x, 'tanh').tanh();
/** x for x > 0, negativeSlope·x otherwise (default 0.01). */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01) => need(x, 'leakyRelu').leakyRelu(negativeSlope);
/** Softmax along `dim` (default the last). */
export const softmax = (x: Tensor, dim = -1) => need(x, 'softmax').softmax(dim);
/** log(softmax) along `dim` (default the last), computed stably. */
export const logSoftmax = (x: Tensor, dim = -1) => need(x, 'logSoftmax').logSoftmax(dim);
/** ELU: x for x > 0, alpha·(exp(x) − 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  need(x, 'elu');
  return where(x.gt(0), x, x.clamp(null, 0).exp().sub(1).mul(alpha));
}

// ---- linear and convolution ----
/** x @ weightᵀ + bias, for x of shape [..., in] and weight [out, in]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  need(x, 'linear');
  need(weight, 'linear', 'weight');
  if (weight.ndim !== 2) throw shapeError(`linear: weight must be 2-d [out, in], got [${weight.shape}]`);
  const inF = weight.shape[1];
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF)
    throw shapeError(`linear: input of shape [${x.shape}] does not match weight [${weight.shape}] (last dim must be ${inF})`);
  const b = optTensor(bias, 'linear', 'bias');
  // speed: one node (GEMMs over all leading dims, bias as the GEMM's epilogue) when the dtypes agree
  // (float16/bfloat16 too: the kernel then runs in float32 and the result rounds once, bias included)
  if (isFloating(x.dtype) && weight.dtype === x.dtype && (!b || (b.dtype === x.dtype && b.ndim === 1)))
    return wrap(fusedNative.linear(x._h, weight._h, b ? b._h : null));
  const y = x.matmul(weight.T);
  return b ? y.add(b) : y;
}

/** Options of conv2d. */
export interface Conv2dOptions {
  /** Step between kernel positions (default 1). */
  stride?: IntPair;
  /** Zero padding on each side (default 0), or 'valid' / 'same'. */
  padding?: IntPair | 'valid' | 'same';
  /** Spacing between kernel taps (default 1). */
  dilation?: IntPair;
  /** Channel groups (default 1). */
  groups?: number;
}

// 'same' padding is symmetric here: the native kernels take one padding per side.
function samePadding(k: number[], d: number[], stride: number[], op: string): number[] {
  return k.map((kk, i) => {
    if (stride[i] !== 1) throw tfError('ARGUMENT', `${op}: padding 'same' needs stride 1, got stride [${stride}]`);
    const total = d[i] * (kk - 1);
    if (total % 2) throw tfError('ARGUMENT', `${op}: padding 'same' needs an even dilation·(kernel − 1), got ${total}`);
    return total / 2;
  });
}

/** 2-d convolution (cross-correlation, as PyTorch): x [N,C,H,W], weight [O, C/groups, kh, kw]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  checkOptions(opts, 'conv2d');
  needFloat(x, 'conv2d');
  needFloat(weight, 'conv2d', 'weight');
  if (weight.ndim !== 4) throw shapeError(`conv2d: weight must be 4-d [out, in/groups, kh, kw], got [${weight.shape}]`);
  const stride = pair(opts.stride ?? 1, 'conv2d', 'stride');
  const dilation = pair(opts.dilation ?? 1, 'conv2d', 'dilation');
  const padding = opts.padding === 'valid' ? [0, 0]
    : opts.padding === 'same' ? samePadding(weight.shape.slice(2), dilation, stride, 'conv2d')
    : pair(opts.padding ?? 0, 'conv2d', 'padding');
  const groups = single(opts.groups ?? 1, 'conv2d', 'groups');
  const b = optTensor(bias, 'conv2d', 'bias');
  return wrap(kernel('conv2d')(x._h, weight._h, b ? b._h : null, stride, padding, dilation, groups));
}

/** Options of conv1d. */
export interface Conv1dOptions {
  /** Step between kernel positions (default 1). */
  stride?: number | number[];
  /** Zero padding on each side (default 0), or 'valid' / 'same'. */
  padding?: number | number[] | 'valid' | 'same';
  /** Spacing between kernel taps (default 1). */
  dilation?: number | number[];
  /** Channel groups (default 1). */
  groups?: number;
}

/** 1-d convolution: x [N,C,L], weight [O, C/groups, k]; a 2-d convolution over [N,C,1,L]. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  checkOptions(opts, 'conv1d');
  needFloat(x, 'conv1d');
  needFloat(weight, 'conv1d', 'weight');
  if (weight.ndim !== 3) throw shapeError(`conv1d: weight must be 3-d [out, in/groups, k], got [${weight.shape}]`);
  if (x.ndim !== 2 && x.ndim !== 3) throw shapeError(`conv1d: input must be [N,C,L] or [C,L], got [${x.shape}]`);
  const s = single(opts.stride ?? 1, 'conv1d', 'stride');
  const d = single(opts.dilation ?? 1, 'conv1d', 'dilation');
  const p = opts.padding === 'valid' ? 0
    : opts.padding === 'same' ? samePadding([weight.shape[2]], [d], [s], 'conv1d')[0]
    : single(opts.padding ?? 0, 'conv1d', 'padding');
  const groups = single(opts.groups ?? 1, 'conv1d', 'groups');
  const x4 = x.ndim === 2 ? x.unsqueeze(0).unsqueeze(2) : x.unsqueeze(2);
  const y = conv2d(x4, weight.unsqueeze(2), bias, { stride: [1, s], padding: [0, p], dilation: [1, d], groups });
  return x.ndim === 2 ? y.squeeze(2).squeeze(0) : y.squeeze(2);
}

// ---- pooling ----
/** Options of maxPool2d. */
export interface MaxPool2dOptions {
  /** Step between windows (default, or null: the kernel size). */
  stride?: IntPair | null;
  /** Implicit −inf padding on each side (default 0). */
  padding?: IntPair;
  /** Spacing between window taps (default 1). */
  dilation?: IntPair;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
}
/**
 * 2-d max pooling: [N, C, H, W] (or [C, H, W]) → [N, C, H', W'], H' = ⌊(H + 2·padding − dilation·(k − 1) − 1) /
 * stride⌋ + 1
 * (⌈⌉ with ceilMode); stride defaults to kernelSize.
 * @example tf.F.maxPool2d(x, 2);  // [8, 16, 28, 28] → [8, 16, 14, 14]
 */
export function maxPool2d(x: Tensor, kernelSize: IntPair, opts: MaxPool2dOptions = {}): Tensor {
  checkOptions(opts, 'maxPool2d');
  needFloat(x, 'maxPool2d');
  const k = pair(kernelSize, 'maxPool2d', 'kernel size');
  const s = opts.stride === undefined || opts.stride === null ? k : pair(opts.stride, 'maxPool2d', 'stride');
  return wrap(kernel('maxPool2d')(x._h, k, s, pair(opts.padding ?? 0, 'maxPool2d', 'padding'),
    pair(opts.dilation ?? 1, 'maxPool2d', 'dilation'), !!opts.ceilMode));
}

/** Options of avgPool2d. */
export interface AvgPool2dOptions {
  /** Step between windows (default, or null: the kernel size). */
  stride?: IntPair | null;
  /** Zero padding on each side (default 0). */
  padding?: IntPair;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count padded zeros in each window's mean (default true). */
  countIncludePad?: boolean;
}
/**
 * 2-d average pooling: [N, C, H, W] → [N, C, H', W'] (H' as for maxPool2d without dilation); stride
 * defaults to kernelSize; countIncludePad (default true) counts the zero padding in the mean.
 */
export function avgPool2d(x: Tensor, kernelSize: IntPair, opts: AvgPool2dOptions = {}): Tensor {
  checkOptions(opts, 'avgPool2d');
  needFloat(x, 'avgPool2d');
  const k = pair(kernelSize, 'avgPool2d', 'kernel size');
  const s = opts.stride === undefined || opts.stride === null ? k : pair(opts.stride, 'avgPool2d', 'stride');
  return wrap(kernel('avgPool2d')(x._h, k, s, pair(opts.padding ?? 0, 'avgPool2d', 'padding'), !!opts.ceilMode,
    opts.countIncludePad ?? true));
}

function pool1d(x: Tensor, op: string, f: (x4: Tensor) => Tensor): Tensor {
  needFloat(x, op);
  if (x.ndim !== 2 && x.ndim !== 3) throw shapeError(`${op}: input must be [N,C,L] or [C,L], got [${x.shape}]`);
  return f(x.unsqueeze(-2)).squeeze(-2);
}
/** 1-d max pooling over the last dim: [N, C, L] (or [C, L]) → [N, C, L']; stride defaults to kernelSize. */
export function maxPool1d(x: Tensor, kernelSize: number,
  opts: { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean } = {}): Tensor {
  checkOptions(opts, 'maxPool1d');
  return pool1d(x, 'maxPool1d', (x4) => maxPool2d(x4, [1, kernelSize], {
    stride: [1, opts.stride ?? kernelSize], padding: [0, opts.padding ?? 0], dilation: [1, opts.dilation ?? 1],
    ceilMode: opts.ceilMode,
  }));
}
/** 1-d average pooling over the last dim: [N, C, L] (or [C, L]) → [N, C, L']; stride defaults to kernelSize. */
export function avgPool1d(x: Tensor, kernelSize: number,
  opts: { stride?: number | null; padding?: number; ceilMode?: boolean; countIncludePad?: boolean } = {}): Tensor {
  checkOptions(opts, 'avgPool1d');
  return pool1d(x, 'avgPool1d', (x4) => avgPool2d(x4, [1, kernelSize], {
    stride: [1, opts.stride ?? kernelSize], padding: [0, opts.padding ?? 0], ceilMode: opts.ceilMode,
    countIncludePad: opts.countIncludePad,
  }));
}

/**
 * Adaptive average pooling to outputSize [oh, ow] over the last two dims: window i spans
 * [floor(i·H/oh), ceil((i+1)·H/oh)), as PyTorch's. Output 1×1 is a plain mean.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: IntPair): Tensor {
  needFloat(x, 'adaptiveAvgPool2d');
  if (x.ndim !== 3 && x.ndim !== 4) throw shapeError(`adaptiveAvgPool2d: input must be [N,C,H,W] or [C,H,W], got [${x.shape}]`);
  const [oh, ow] = pair(outputSize, 'adaptiveAvgPool2d', 'output size');
  const H = x.shape[x.ndim - 2], W = x.shape[x.ndim - 1];
  if (oh === 1 && ow === 1) return x.mean([-2, -1], true);
  if (H % oh === 0 && W % ow === 0) return avgPool2d(x, [H / oh, W / ow]);
  const rows: Tensor[] = [];
  for (let i = 0; i < oh; i++) {
    const h0 = Math.floor((i * H) / oh), h1 = Math.ceil(((i + 1) * H) / oh);
    const cols: Tensor[] = [];
    for (let j = 0; j < ow; j++) {
      const w0 = Math.floor((j * W) / ow), w1 = Math.ceil(((j + 1) * W) / ow);
      cols.push(x.narrow(-2, h0, h1 - h0).narrow(-1, w0, w1 - w0).mean([-2, -1]));
    }
    rows.push(stackLast(cols));
  }
  return stackAt(rows, x.ndim - 2);
}
function stackLast(ts: Tensor[]): Tensor {
  return wrap(native.stack(ts.map((t) => t._h), -1));
}
function stackAt(ts: Tensor[], dim: number): Tensor {
  return wrap(native.stack(ts.map((t) => t._h), dim));
}

// ---- dropout ----
/** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1−p). */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  needFloat(x, 'dropout');
  if (typeof p !== 'number') throw argumentError(`dropout: probability must be a number, got ${describe(p)}`);
  if (!(p >= 0 && p <= 1)) throw rangeError(`dropout: probability must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const keep = rand(x.shape, { dtype: x.dtype }).lt(1 - p).to(x.dtype);
  return x.mul(keep).mul(1 / (1 - p));
}

// ---- normalisation ----
/** Options of batchNorm. */
export interface BatchNormOptions {
  /** Per-channel scale γ [C], or null. */
  weight?: Tensor | null;
  /** Per-channel shift β [C], or null. */
  bias?: Tensor | null;
  /** Use the batch's statistics and update the running ones (default false: use the running statistics). */
  training?: boolean;
  /** Weight of the batch in the running statistics (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalisation over dim 1 of x [N, C, ...]. In training it normalises with the batch's
 * statistics and, when running stats are given, updates them in place: the running variance with
 * the unbiased batch variance, as PyTorch. momentum null means a cumulative average (needs
 * numBatchesTracked, which the layer passes).
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
  opts: BatchNormOptions & { numBatchesTracked?: number } = {}): Tensor {
  checkOptions(opts, 'batchNorm');
  needFloat(x, 'batchNorm');
  if (x.ndim < 2) throw shapeError(`batchNorm: input must have at least 2 dims [N, C, ...], got [${x.shape}]`);
  const C = x.shape[1];
  const eps = opts.eps ?? 1e-5;
  const training = opts.training ?? false;
  const view = [1, C, ...x.shape.slice(2).map(() => 1)];
  for (const [t, w] of [[runningMean, 'runningMean'], [runningVar, 'runningVar'], [opts.weight, 'weight'], [opts.bias, 'bias']] as const)
    if (t !== null && t !== undefined && (!(t instanceof Tensor) || t.size !== C))
      throw shapeError(`batchNorm: ${w} must be a tensor of ${C} elements for input [${x.shape}], got ${describe(t)}`);
  let y: Tensor;
  let fusedAffine = false;
  if (training) {
    const axes = [0, ...x.shape.slice(2).map((_, i) => i + 2)];
    const n = x.size / C;
    if (n <= 1) throw shapeError(`batchNorm: expected more than 1 value per channel when training, got input [${x.shape}]`);
    let mean: Tensor, varB: Tensor;
    const same = (t: Tensor | null | undefined) => !t || t.dtype === x.dtype;
    if ((x.dtype === 'float32' || x.dtype === 'float64') && same(opts.weight) && same(opts.bias)) {
      // One fused node with its affine part (fused_batch_norm.h).
      const [yh, mh, vh] = fusedNative.batchNormTrain(x._h, opts.weight ? opts.weight._h : null,
        opts.bias ? opts.bias._h : null, eps);
      y = wrap(yh);
      mean = wrap(mh);
      varB = wrap(vh);
      fusedAffine = true;
    } else {
      mean = x.mean(axes, true);
      const centered = x.sub(mean);
      varB = centered.square().mean(axes, true);
      y = centered.mul(varB.add(eps).rsqrt());
    }
    if (runningMean && runningVar) {
      const m = opts.momentum === null ? 1 / (opts.numBatchesTracked ?? 1) : (opts.momentum ?? 0.1);
      noGrad(() => {
        const bm = mean.detach().reshape([C]);
        const bv = varB.detach().reshape([C]).mul(n / (n - 1));
        runningMean.copy_(runningMean.mul(1 - m).add(bm.mul(m).to(runningMean.dtype)));
        runningVar.copy_(runningVar.mul(1 - m).add(bv.mul(m).to(runningVar.dtype)));
      });
    }
    if (fusedAffine) {
      mean.dispose();
      varB.dispose();
    }
  } else {
    if (!runningMean || !runningVar) throw stateError('batchNorm: running statistics are required when not training');
    y = x.sub(runningMean.reshape(view)).mul(runningVar.reshape(view).add(eps).rsqrt());
  }
  if (fusedAffine) return y;
  if (opts.weight) y = y.mul(opts.weight.reshape(view));
  if (opts.bias) y = y.add(opts.bias.reshape(view));
  return y;
}

/** Layer normalisation over the trailing dims named by normalizedShape (biased variance, as PyTorch). */
export function layerNorm(x: Tensor, normalizedShape: number | number[], weight?: Tensor | null, bias?: Tensor | null,
  eps = 1e-5): Tensor {
  needFloat(x, 'layerNorm');
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(ns) || !ns.every((d) => Number.isInteger(d)))
    throw argumentError(`layerNorm: normalizedShape must be an integer or an array of integers, got ${describe(normalizedShape)}`);
  const tail = x.shape.slice(x.ndim - ns.length);
  if (ns.length > x.ndim || !sameShape(tail, ns))
    throw shapeError(`layerNorm: input of shape [${x.shape}] does not end with the normalized shape [${ns}]`);
  // speed: one fused node when weight and bias have the input's dtype (else the composition below)
  const fits = (t: Tensor | null | undefined) => !t || (t instanceof Tensor && t.dtype === x.dtype);
  if (ns.length > 0 && fits(weight) && fits(bias))
    return wrap(fusedNative.layerNorm(x._h, weight ? weight._h : null, bias ? bias._h : null, ns.length, eps));
  const axes = ns.map((_, i) => x.ndim - ns.length + i);
  const mean = x.mean(axes, true);
  const centered = x.sub(mean);
  let y = centered.mul(centered.square().mean(axes, true).add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

// ---- embedding ----
/**
 * Rows of weight [num, dim] picked by the int32 indices in `input` (any shape) → [...input.shape, dim].
 * The row at paddingIdx gets no gradient, as in PyTorch.
 */
export function embedding(input: Tensor, weight: Tensor, paddingIdx?: number | null): Tensor {
  need(input, 'embedding');
  need(weight, 'embedding', 'weight');
  if (input.dtype !== 'int32' && input.dtype !== 'int64')
    throw dtypeError(`embedding: input must be int32 or int64 indices, got ${input.dtype} [${input.shape}]`);
  if (weight.ndim !== 2) throw shapeError(`embedding: weight must be 2-d [num, dim], got [${weight.shape}]`);
  const out = weight.indexSelect(0, input.reshape([-1])).reshape([...input.shape, weight.shape[1]]);
  if (paddingIdx === undefined || paddingIdx === null) return out;
  const pad = paddingIdx < 0 ? paddingIdx + weight.shape[0] : paddingIdx;
  // Same values, but the padding rows' contribution flows through a detached copy.
  const keep = input.ne(pad).unsqueeze(-1);
  return where(keep, out, out.detach());
}

// ---- attention ----
/** Options of scaledDotProductAttention. */
export interface SdpaOptions {
  /** Bool: true where a query MAY attend to a key (PyTorch's convention); float: added to the scores. Broadcasts to [..., L, S]. */
  attnMask?: Tensor | null;
  /** Dropout on the attention weights (applied when > 0 and training is not false). */
  dropoutP?: number;
  /** Query i attends to keys j ≤ i (top-left aligned, as PyTorch). */
  isCausal?: boolean;
  /** Multiplies q·kᵀ; default 1/√E. */
  scale?: number | null;
  /** Default true; false turns dropout off. */
  training?: boolean;
}

/**
 * softmax(scale·q·kᵀ + mask)·v over the last two dims, as PyTorch's F.scaled_dot_product_attention:
 * q [..., L, E], k [..., S, E], v [..., S, Ev] → [..., L, Ev]. One fused node (native/core/attention.h)
 * unless dropout is on.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: SdpaOptions = {}): Tensor {
  const op = 'scaledDotProductAttention';
  checkOptions(opts, op);
  needFloat(q, op, 'query');
  needFloat(k, op, 'key');
  needFloat(v, op, 'value');
  const mask = optTensor(opts.attnMask, op, 'attnMask');
  if (mask && mask.dtype !== 'bool' && !isFloating(mask.dtype))
    throw argumentError(`${op}: attnMask must be a bool or floating-point tensor, got ${mask.dtype} [${mask.shape}]`);
  const p = opts.dropoutP ?? 0;
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw rangeError(`${op}: dropoutP must be in [0, 1), got ${describe(p)}`);
  const scale = opts.scale ?? null;
  if (scale !== null && (typeof scale !== 'number' || !Number.isFinite(scale)))
    throw argumentError(`${op}: scale must be a finite number, got ${describe(scale)}`);
  if (p > 0 && opts.training !== false) {
    const w = attentionWeights(q, k, mask ? (mask.dtype === 'bool' ? where(mask, 0, -Infinity).to(q.dtype) : mask) : null,
      !!opts.isCausal, scale);
    return dropout(w, p, true).matmul(v);
  }
  return wrap(fusedNative.sdpa(q._h, k._h, v._h, mask ? mask._h : null, !!opts.isCausal, scale));
}

/** softmax(scale·q·kᵀ + additive mask [+ causal]) composed of ops (the weights themselves). @internal */
export function attentionWeights(q: Tensor, k: Tensor, additiveMask: Tensor | null, isCausal: boolean,
  scale: number | null): Tensor {
  const op = 'attentionWeights';
  needFloat(q, op, 'query');
  needFloat(k, op, 'key');
  if (additiveMask !== null && additiveMask !== undefined) need(additiveMask, op, 'mask');
  if (scale !== null && scale !== undefined && (typeof scale !== 'number' || !Number.isFinite(scale)))
    throw argumentError(`${op}: scale must be a finite number or null, got ${describe(scale)}`);
  const d = q.shape[q.ndim - 1];
  let scores = q.matmul(k.transpose(-2, -1)).mul(scale ?? 1 / Math.sqrt(d));
  if (isCausal) {
    const L = q.shape[q.ndim - 2], S = k.shape[k.ndim - 2];
    const causal = wrap(native.arange(0, S, 1, 2)).unsqueeze(0).gt(wrap(native.arange(0, L, 1, 2)).unsqueeze(1));
    scores = scores.add(maskToAdditive(causal, scores.dtype, 'scaledDotProductAttention', 'causal mask'));
  }
  if (additiveMask) scores = scores.add(additiveMask);
  return scores.softmax(-1);
}

// ---- losses ----
/** Options every loss function takes. */
export interface LossOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}
/** Options of nllLoss. */
export interface NllOptions extends LossOptions {
  /** Per-class weights [C]. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (and do not count in the mean). Default −100. */
  ignoreIndex?: number;
}
/** Options of crossEntropy. */
export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the one-hot target with the uniform distribution: (1 − ε)·onehot + ε / C. */
  labelSmoothing?: number;
}

// Validates (input [N, C, d...] or [C], target [N, d...] or []) and flattens to [M, C] and [M].
function classProblem(input: Tensor, target: Tensor, op: string, weight: Tensor | null, ignoreIndex: number) {
  needFloat(input, op);
  need(target, op, 'target');
  if (input.ndim < 1) throw shapeError(`${op}: input must have a class dimension, got a scalar`);
  const unbatched = input.ndim === 1;
  const C = unbatched ? input.shape[0] : input.shape[1];
  const want = unbatched ? [] : [input.shape[0], ...input.shape.slice(2)];
  const intTarget = target.dtype === 'int32' || target.dtype === 'int64';
  if (!intTarget || !sameShape(target.shape, want))
    throw dtypeError(`${op}: target must be int32 or int64 class indices of shape [${want}]` +
      (op === 'crossEntropy' && !intTarget ? ` (or class probabilities of shape [${input.shape}])` : '') + `, got ${target.dtype} [${target.shape}]`);
  target = int32Index(target, op, 'target');
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C))
    throw shapeError(`${op}: weight must have shape [${C}] (one per class), got [${weight.shape}]`);
  const tv = target.toTypedArray() as Int32Array;
  for (let i = 0; i < tv.length; i++) {
    const c = tv[i];
    if (c !== ignoreIndex && (c < 0 || c >= C))
      throw axisError(`${op}: target ${c} (at flat index ${i}) is out of range for ${C} classes`);
  }
  // Classes last, then one row per prediction.
  const x2 = unbatched ? input.unsqueeze(0) : input.ndim === 2 ? input : classesLast(input).reshape([-1, C]);
  const t1 = target.reshape([-1]);
  return { x2, t1, C, outShape: target.shape };
}

// [N, C, d1, ...] → [N, d1, ..., C]
function classesLast(x: Tensor): Tensor {
  return x.permute([0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2), 1]);
}

// Weighted negative log-likelihood on flattened rows: returns per-row losses and per-row weights.
function nllRows(logp: Tensor, t1: Tensor, weight: Tensor | null, ignoreIndex: number) {
  const valid = t1.ne(ignoreIndex);
  const safe = where(valid, t1, 0);
  const picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1);
  let w = valid.to(logp.dtype);
  if (weight) w = w.mul(weight.to(logp.dtype).indexSelect(0, safe));
  return { loss: picked.neg().mul(w), w, valid };
}

/** Negative log-likelihood of log-probabilities input [N, C, ...] at the int32 targets [N, ...]. */
export function nllLoss(input: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  checkOptions(opts, 'nllLoss');
  const reduction = reductionArg(opts.reduction, 'nllLoss');
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const weight = optTensor(opts.weight, 'nllLoss', 'weight');
  const { x2, t1, outShape } = classProblem(input, target, 'nllLoss', weight, ignoreIndex);
  const { loss, w } = nllRows(x2, t1, weight, ignoreIndex);
  if (reduction === 'none') return loss.reshape(outShape);
  if (reduction === 'sum') return loss.sum();
  // Weighted mean: divided by the total weight of the counted targets (NaN when none counts).
  return loss.sum().div(w.sum());
}

/**
 * Cross-entropy of logits [N, C, ...] (or [C]) against int32 class indices [N, ...] (or []):
 * logSoftmax over dim 1 then the weighted NLL, with optional label smoothing, as PyTorch.
  * @example const loss = tf.F.crossEntropy(model.forward(x), labels);  // logits [N, C], labels int32 [N] → scalar
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  checkOptions(opts, 'crossEntropy');
  const reduction = reductionArg(opts.reduction, 'crossEntropy');
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const eps = opts.labelSmoothing ?? 0;
  if (typeof eps !== 'number') throw argumentError(`crossEntropy: labelSmoothing must be a number, got ${describe(eps)}`);
  if (!(eps >= 0 && eps <= 1)) throw rangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const weight = optTensor(opts.weight, 'crossEntropy', 'weight');
  if (target instanceof Tensor && input instanceof Tensor && isFloating(target.dtype) &&
    sameShape(target.shape, input.shape))
    return crossEntropyProbs(input, target, weight, eps, reduction, ignoreIndex);
  const { x2, t1, C, outShape } = classProblem(input, target, 'crossEntropy', weight, ignoreIndex);
  const logp = x2.logSoftmax(1);
  const { loss: nll, w, valid } = nllRows(logp, t1, weight, ignoreIndex);
  if (eps === 0) {
    if (reduction === 'none') return nll.reshape(outShape);
    if (reduction === 'sum') return nll.sum();
    return nll.sum().div(w.sum());
  }
  // The smoothing term: −Σ_c w_c·logp_c per row (uniform target over classes), zero on ignored rows.
  const wlogp = weight ? logp.mul(weight.to(logp.dtype)) : logp;
  const smooth = wlogp.sum(1).neg().mul(valid.to(logp.dtype));
  let nllR: Tensor, smoothR: Tensor;
  if (reduction === 'none') {
    nllR = nll.reshape(outShape);
    smoothR = smooth.reshape(outShape);
  } else if (reduction === 'sum') {
    nllR = nll.sum();
    smoothR = smooth.sum();
  } else {
    // Both terms are normalised by the same total: the summed class weights of the counted targets.
    const denom = w.sum();
    nllR = nll.sum().div(denom);
    smoothR = smooth.sum().div(denom);
  }
  return nllR.mul(1 - eps).add(smoothR.mul(eps / C));
}

/**
 * Cross-entropy against class probabilities target (the shape of input): −Σ_c w_c·q_c·logp_c per
 * row, q smoothed as (1 − ε)·q + ε/C; the mean divides by the number of rows, as PyTorch.
 */
function crossEntropyProbs(input: Tensor, target: Tensor, weight: Tensor | null, eps: number, reduction: Reduction,
  ignoreIndex: number): Tensor {
  const op = 'crossEntropy';
  needFloat(input, op);
  if (!sameShape(input.shape, target.shape))
    throw shapeError(`${op}: class-probability target must have the input's shape [${input.shape}], got [${target.shape}]`);
  if (ignoreIndex !== -100) throw shapeError(`${op}: ignoreIndex is not supported with class-probability targets`);
  if (input.ndim < 1) throw shapeError(`${op}: input must have a class dimension, got a scalar`);
  const cd = input.ndim === 1 ? 0 : 1;
  const C = input.shape[cd];
  const logp = input.logSoftmax(cd);
  let q = target.to(input.dtype);
  if (eps > 0) q = q.mul(1 - eps).add(eps / C);
  let prod = logp.mul(q);
  if (weight) {
    if (weight.ndim !== 1 || weight.shape[0] !== C)
      throw shapeError(`${op}: weight must have shape [${C}] (one per class), got [${weight.shape}]`);
    prod = prod.mul(weight.to(input.dtype).reshape([C, ...input.shape.slice(cd + 1).map(() => 1)]));
  }
  if (reduction === 'none') return prod.sum(cd).neg();
  if (reduction === 'sum') return prod.sum().neg();
  return prod.sum().neg().div(input.size / C);
}

function pairwise(input: Tensor, target: Tensor, op: string): void {
  needFloat(input, op);
  needFloat(target, op, 'target');
  if (!sameShape(input.shape, target.shape))
    throw shapeError(`${op}: input shape [${input.shape}] and target shape [${target.shape}] differ`);
}

/** Mean squared error (x − y)². */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkOptions(opts, 'mseLoss');
  const reduction = reductionArg(opts.reduction, 'mseLoss');
  pairwise(input, target, 'mseLoss');
  return reduce(input.sub(target).square(), reduction);
}

/** Mean absolute error |x − y|. */
export function l1Loss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkOptions(opts, 'l1Loss');
  const reduction = reductionArg(opts.reduction, 'l1Loss');
  pairwise(input, target, 'l1Loss');
  return reduce(input.sub(target).abs(), reduction);
}

/** Huber loss: ½d² for |d| < delta, delta·(|d| − ½delta) beyond. */
export function huberLoss(input: Tensor, target: Tensor, opts: LossOptions & { delta?: number } = {}): Tensor {
  checkOptions(opts, 'huberLoss');
  const reduction = reductionArg(opts.reduction, 'huberLoss');
  pairwise(input, target, 'huberLoss');
  const delta = opts.delta ?? 1;
  const d = input.sub(target).abs();
  return reduce(where(d.lt(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)), reduction);
}

/** Smooth L1: ½d²/beta for |d| < beta, |d| − ½beta beyond. */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: LossOptions & { beta?: number } = {}): Tensor {
  checkOptions(opts, 'smoothL1Loss');
  const reduction = reductionArg(opts.reduction, 'smoothL1Loss');
  pairwise(input, target, 'smoothL1Loss');
  const beta = opts.beta ?? 1;
  const d = input.sub(target).abs();
  if (beta === 0) return reduce(d, reduction);
  return reduce(where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta)), reduction);
}

/**
 * Binary cross-entropy of probabilities; the logs are clamped at −100 and the gradient's
 * denominator x·(1 − x) at 1e-12, as PyTorch, so saturated predictions (exactly 0 or 1) give a
 * finite loss and finite gradients.
 */
// PyTorch's constant is a C float: 1e-12 rounded to float32, in float64 too.
const BCE_EPS = Math.fround(1e-12);

/**
 * Binary cross-entropy −[y·log x + (1 − y)·log(1 − x)] of probabilities x in [0, 1] against targets
 * y of the same shape; logs clamped at −100 as PyTorch. Reduced by opts.reduction (default 'mean').
 */
export function bceLoss(input: Tensor, target: Tensor, opts: LossOptions & { weight?: Tensor | null } = {}): Tensor {
  checkOptions(opts, 'bceLoss');
  const reduction = reductionArg(opts.reduction, 'bceLoss');
  pairwise(input, target, 'bceLoss');
  const x = input, y = target;
  const logP = () => x.log().clamp(-100, null);
  const log1mP = () => x.neg().add(1).log().clamp(-100, null);
  let loss = noGrad(() => y.mul(logP()).add(y.neg().add(1).mul(log1mP())).neg());
  // The gradient is written out rather than taken through the clamps: d/dx of clamp(log x) at
  // x = 0 would be 0·∞. Its formula uses differentiable ops, so higher orders still work.
  native.customOp('bceLoss', [x._h, y._h], [loss._h], (gs) => {
    const g = wrap(gs[0]);
    const gx = x.requiresGrad ? g.mul(x.sub(y)).div(x.mul(x.neg().add(1)).clamp(BCE_EPS, null)) : null;
    const gy = y.requiresGrad ? g.mul(log1mP().sub(logP())) : null;
    return [gx ? gx._h : null, gy ? gy._h : null];
  });
  const w = optTensor(opts.weight, 'bceLoss', 'weight');
  if (w) loss = loss.mul(w);
  return reduce(loss, reduction);
}

/**
 * Binary cross-entropy of logits, computed stably as (1 − y)·x + (1 + (pw − 1)·y)·softplus(−x);
 * posWeight (broadcast over the last dim, one per class) weighs the positive term.
 */
export function bceWithLogitsLoss(input: Tensor, target: Tensor,
  opts: LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null } = {}): Tensor {
  checkOptions(opts, 'bceWithLogitsLoss');
  const reduction = reductionArg(opts.reduction, 'bceWithLogitsLoss');
  pairwise(input, target, 'bceWithLogitsLoss');
  const sp = input.neg().softplus();
  const pw = optTensor(opts.posWeight, 'bceWithLogitsLoss', 'posWeight');
  const logWeight = pw ? pw.sub(1).mul(target).add(1) : null;
  let loss = target.neg().add(1).mul(input).add(logWeight ? logWeight.mul(sp) : sp);
  const w = optTensor(opts.weight, 'bceWithLogitsLoss', 'weight');
  if (w) loss = loss.mul(w);
  return reduce(loss, reduction);
}

/** KL divergence with input = log-probabilities: target·(log target − input) (0 where target is 0). */
export function klDiv(input: Tensor, target: Tensor,
  opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}): Tensor {
  checkOptions(opts, 'klDiv');
  pairwise(input, target, 'klDiv');
  const r = opts.reduction ?? 'mean';
  let loss: Tensor;
  if (opts.logTarget) loss = target.exp().mul(target.sub(input));
  // log(1) stands in where the target is 0, so 0·log 0 is 0 and no NaN reaches the gradient.
  else loss = target.mul(where(target.gt(0), target, 1).log().sub(input));
  if (r === 'batchmean') return loss.sum().div(input.ndim ? input.shape[0] : 1);
  return reduce(loss, reductionArg(r, 'klDiv'));
}

export { klDiv as klDivLoss };

// Functions of the layers added for issue #10, each in its own file.
export { softplus } from './activations';
export { selu, celu, mish, hardswish, hardsigmoid, hardtanh, relu6, logSigmoid, softsign, softmin, glu, prelu } from './activations';
export { convTranspose1d, convTranspose2d } from './conv_transpose';
export { conv3d } from './conv3d';
export { maxPool3d, avgPool3d, adaptiveMaxPool2d, adaptiveAvgPool1d } from './pooling';
export { groupNorm, instanceNorm, rmsNorm, localResponseNorm } from './norm';
export { pad } from './padding';
export { interpolate, pixelShuffle, pixelUnshuffle, affineGrid, gridSample } from './upsample';
export { unfold, fold } from './fold';
export { normalize, cosineSimilarity, pairwiseDistance } from './distance';
export { bilinear, dropout1d, dropout2d, gumbelSoftmax, oneHot } from './misc_layers';
export {
  marginRankingLoss, hingeEmbeddingLoss, cosineEmbeddingLoss, tripletMarginLoss, gaussianNllLoss, poissonNllLoss,
  multilabelSoftMarginLoss,
} from './losses';
