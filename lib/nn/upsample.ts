// Resampling: F.interpolate / Upsample, pixel (un)shuffle, and the spatial-transformer pair
// affineGrid + gridSample.
//
// interpolate is separable: each spatial dim is resampled by a matrix M [out, in] whose rows hold
// the interpolation weights PyTorch's kernels use (nearest: one 1; linear: two taps; cubic: four
// taps with A = −0.75, edge taps clamped; area: the adaptive-average windows). y = x·Mᵀ along that
// dim, so the backward pass is the tape's matmul rule.
import { Tensor, checkOptions, numbersOf } from '../tensor';
import { Module } from './module';
import { need, needFloat, floatTensor, indexTensor, posInt } from './args';
import { argumentError, shapeError, show } from '../errors';
import { stack } from '../ops';

export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area';
export interface InterpolateOptions {
  size?: number | number[] | null;
  scaleFactor?: number | number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

const CUBIC_A = -0.75;
const cubic1 = (x: number) => ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
const cubic2 = (x: number) => ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;

// The [out, in] weight matrix of one dim. `scale` is PyTorch's: 1/scaleFactor when a scale factor
// was given (and not recomputed), else in/out.
function resampleMatrix(mode: InterpolateMode, n: number, out: number, scale: number, alignCorners: boolean): number[] {
  const M = new Array(out * n).fill(0);
  const put = (o: number, i: number, w: number) => { M[o * n + Math.min(Math.max(i, 0), n - 1)] += w; };
  const areaScale = alignCorners ? (out > 1 ? (n - 1) / (out - 1) : 0) : scale;
  const source = (o: number, cubic: boolean) => {
    if (alignCorners) return areaScale * o;
    const s = scale * (o + 0.5) - 0.5;
    return !cubic && s < 0 ? 0 : s;
  };
  for (let o = 0; o < out; o++) {
    if (mode === 'nearest') {
      // PyTorch computes this index in float32.
      const f = Math.fround(scale);
      put(o, Math.min(Math.floor(Math.fround(o * f)), n - 1), 1);
    } else if (mode === 'nearest-exact') {
      put(o, Math.min(Math.floor((o + 0.5) * scale), n - 1), 1);
    } else if (mode === 'area') {
      const a = Math.floor((o * n) / out), b = Math.ceil(((o + 1) * n) / out);
      for (let i = a; i < b; i++) put(o, i, 1 / (b - a));
    } else if (mode === 'bicubic') {
      const s = source(o, true);
      const i0 = Math.floor(s), t = s - i0;
      const w = [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)];
      for (let k = 0; k < 4; k++) put(o, i0 - 1 + k, w[k]);
    } else {
      const s = source(o, false);
      const i0 = Math.min(Math.floor(s), n - 1);
      const i1 = i0 < n - 1 ? i0 + 1 : i0;
      const l1 = s - i0;
      put(o, i0, 1 - l1);
      put(o, i1, l1);
    }
  }
  return M;
}

const SPATIAL: Record<string, number | null> = {
  nearest: null, 'nearest-exact': null, area: null, linear: 1, bilinear: 2, bicubic: 2, trilinear: 3,
};

/** Resizes the spatial dims of x [N, C, ...] to `size`, or by `scaleFactor`, as PyTorch's F.interpolate. */
export function interpolate(x: Tensor, opts: InterpolateOptions = {}): Tensor {
  const op = 'interpolate';
  checkOptions(opts, op);
  needFloat(x, op);
  const mode = opts.mode ?? 'nearest';
  if (!(mode in SPATIAL))
    throw argumentError(`${op}: mode must be one of ${Object.keys(SPATIAL).join(', ')}, got ${show(mode)}`);
  const nsp = x.ndim - 2;
  if (nsp < 1) throw shapeError(`${op}: input must be [N, C, ...spatial], got [${x.shape}]`);
  const want = SPATIAL[mode];
  if (want !== null && want !== nsp)
    throw shapeError(`${op}: mode '${mode}' needs a ${want + 2}-d input, got [${x.shape}]`);
  const linearish = mode === 'linear' || mode === 'bilinear' || mode === 'bicubic' || mode === 'trilinear';
  if (opts.alignCorners !== undefined && opts.alignCorners !== null && !linearish)
    throw shapeError(`${op}: alignCorners only applies to linear, bilinear, bicubic and trilinear modes, not '${mode}'`);
  const alignCorners = !!opts.alignCorners;
  const hasSize = opts.size !== undefined && opts.size !== null;
  const hasScale = opts.scaleFactor !== undefined && opts.scaleFactor !== null;
  if (hasSize === hasScale) throw shapeError(`${op}: give exactly one of size and scaleFactor`);
  const ins = x.shape.slice(2);
  let outs: number[], scales: number[];
  if (hasSize) {
    const s = opts.size as number | number[];
    outs = typeof s === 'number' ? ins.map(() => s) : s;
    if (!Array.isArray(outs) || outs.length !== nsp)
      throw shapeError(`${op}: size must have ${nsp} entries for input [${x.shape}], got ${show(s)}`);
    outs.forEach((v) => posInt(v, op, 'size'));
    scales = ins.map((n, i) => n / outs[i]);
  } else {
    const f = opts.scaleFactor as number | number[];
    const fs = typeof f === 'number' ? ins.map(() => f) : f;
    if (!Array.isArray(fs) || fs.length !== nsp || !fs.every((v) => typeof v === 'number' && v > 0))
      throw shapeError(`${op}: scaleFactor must be a positive number or ${nsp} of them, got ${show(f)}`);
    outs = ins.map((n, i) => Math.floor(n * fs[i]));
    if (outs.some((v) => v <= 0)) throw shapeError(`${op}: scaleFactor ${show(f)} gives an empty output for input [${x.shape}]`);
    scales = opts.recomputeScaleFactor ? ins.map((n, i) => n / outs[i]) : fs.map((v) => 1 / v);
  }
  let y = x;
  for (let i = 0; i < nsp; i++) {
    const n = ins[i], o = outs[i];
    if (n === o && (mode === 'nearest' || mode === 'nearest-exact' || mode === 'area' || (!hasScale || scales[i] === 1))) continue;
    const M = floatTensor(resampleMatrix(mode, n, o, scales[i], alignCorners), x.dtype, [o, n]);
    const d = 2 + i;
    y = y.transpose(d, -1).matmul(M.transpose(0, 1)).transpose(d, -1);
  }
  return y;
}

/** Upsample({size | scaleFactor, mode = 'nearest', alignCorners}): the layer form of interpolate. */
export class Upsample extends Module {
  constructor(
    /**
     * size or scaleFactor, mode ('nearest' default, 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear',
     * 'area') and alignCorners, as F.interpolate.
     */
    readonly opts: InterpolateOptions = {}) {
    super();
    checkOptions(opts, 'Upsample');
  }
  /** Resizes the spatial dims: [N, C, *in] → [N, C, *size] (or *in · scaleFactor). */
  forward(x: Tensor): Tensor {
    return interpolate(x, this.opts);
  }
}

/** [*, C·r², H, W] → [*, C, H·r, W·r]. */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  const op = 'pixelShuffle';
  need(x, op);
  const r = posInt(upscaleFactor, op, 'upscaleFactor');
  if (x.ndim < 3) throw shapeError(`${op}: input must have at least 3 dims [*, C, H, W], got [${x.shape}]`);
  const lead = x.shape.slice(0, -3);
  const [C, H, W] = x.shape.slice(-3);
  if (C % (r * r)) throw shapeError(`${op}: channels ${C} of input [${x.shape}] are not divisible by ${r}² = ${r * r}`);
  const c = C / (r * r), L = lead.length;
  return x.reshape([...lead, c, r, r, H, W])
    .permute([...lead.map((_, i) => i), L, L + 3, L + 1, L + 4, L + 2])
    .reshape([...lead, c, H * r, W * r]);
}
/** [*, C, H·r, W·r] → [*, C·r², H, W]. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  const op = 'pixelUnshuffle';
  need(x, op);
  const r = posInt(downscaleFactor, op, 'downscaleFactor');
  if (x.ndim < 3) throw shapeError(`${op}: input must have at least 3 dims [*, C, H, W], got [${x.shape}]`);
  const lead = x.shape.slice(0, -3);
  const [C, H, W] = x.shape.slice(-3);
  if (H % r || W % r) throw shapeError(`${op}: height and width of input [${x.shape}] must be divisible by ${r}`);
  const L = lead.length;
  return x.reshape([...lead, C, H / r, r, W / r, r])
    .permute([...lead.map((_, i) => i), L, L + 2, L + 4, L + 1, L + 3])
    .reshape([...lead, C * r * r, H / r, W / r]);
}
/** Rearranges [N, C·r², H, W] → [N, C, H·r, W·r] (r = upscaleFactor), as in sub-pixel convolution. */
export class PixelShuffle extends Module {
  constructor(
    /** r: each spatial size grows r times. */ readonly upscaleFactor: number) { super(); }
  /** [N, C·r², H, W] → [N, C, H·r, W·r]. */
  forward(x: Tensor): Tensor { return pixelShuffle(x, this.upscaleFactor); }
}
/** The inverse of PixelShuffle: [N, C, H·r, W·r] → [N, C·r², H, W]. */
export class PixelUnshuffle extends Module {
  constructor(
    /** r: each spatial size shrinks r times. */ readonly downscaleFactor: number) { super(); }
  /** [N, C, H·r, W·r] → [N, C·r², H, W]. */
  forward(x: Tensor): Tensor { return pixelUnshuffle(x, this.downscaleFactor); }
}

/** Sampling grid [N, H, W, 2] of the affine maps theta [N, 2, 3] over an output of size [N, C, H, W]. */
export function affineGrid(theta: Tensor, size: number[], opts: { alignCorners?: boolean } = {}): Tensor {
  const op = 'affineGrid';
  checkOptions(opts, op);
  needFloat(theta, op, 'theta');
  if (!Array.isArray(size) || size.length !== 4) throw shapeError(`${op}: size must be [N, C, H, W] (2-d grids only), got ${show(size)}`);
  const [N, , H, W] = size;
  if (theta.ndim !== 3 || theta.shape[0] !== N || theta.shape[1] !== 2 || theta.shape[2] !== 3)
    throw shapeError(`${op}: theta must have shape [${N},2,3] for size [${size}], got [${theta.shape}]`);
  const lin = (n: number, i: number) => (opts.alignCorners ? (n > 1 ? -1 + (2 * i) / (n - 1) : -1) : (2 * i + 1) / n - 1);
  const base: number[] = [];
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) base.push(lin(W, j), lin(H, i), 1);
  const B = floatTensor(base, theta.dtype, [1, H * W, 3]);
  return B.matmul(theta.transpose(1, 2)).reshape([N, H, W, 2]);
}

export interface GridSampleOptions {
  mode?: 'bilinear' | 'nearest';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
}

/**
 * Reflects pixel coordinates into the image as PyTorch's grid_sample: about the border pixel centres
 * [0, n − 1] with alignCorners, about the image edges [−0.5, n − 0.5] without. Each coordinate becomes
 * ±c + offset with the sign and offset read from its value, so the gradient is ±1 as there.
 */
function reflectCoords(c: Tensor, n: number, alignCorners: boolean): Tensor {
  const lo = alignCorners ? 0 : -0.5, span = alignCorners ? n - 1 : n;
  if (span <= 0) return c.mul(0);
  const v = numbersOf(c.detach());
  const sign = new Array(v.length), off = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const d = Math.abs(v[i] - lo);
    const flips = Math.floor(d / span);
    // |c − lo| = flips·span + extra: an even number of flips keeps the direction, an odd one mirrors it.
    const s = v[i] >= lo ? 1 : -1;
    if (flips % 2 === 0) { sign[i] = s; off[i] = lo - s * lo - flips * span; }
    else { sign[i] = -s; off[i] = lo + span + s * lo + flips * span; }
  }
  return c.mul(floatTensor(sign, c.dtype, c.shape)).add(floatTensor(off, c.dtype, c.shape));
}

/**
 * Samples input [N, C, H, W] at grid [N, Ho, Wo, 2] ((x, y) in [−1, 1]) → [N, C, Ho, Wo], as PyTorch's
 * grid_sample (2-d; modes bilinear and nearest; padding zeros, border and reflection). Bilinear gradients flow to
 * both the input and the grid.
 */
export function gridSample(input: Tensor, grid: Tensor, opts: GridSampleOptions = {}): Tensor {
  const op = 'gridSample';
  checkOptions(opts, op);
  needFloat(input, op);
  needFloat(grid, op, 'grid');
  if (input.ndim !== 4 || grid.ndim !== 4 || grid.shape[3] !== 2 || grid.shape[0] !== input.shape[0])
    throw shapeError(`${op}: expected input [N,C,H,W] and grid [N,Ho,Wo,2], got [${input.shape}] and [${grid.shape}]`);
  const mode = opts.mode ?? 'bilinear', padding = opts.paddingMode ?? 'zeros';
  if (mode !== 'bilinear' && mode !== 'nearest') throw argumentError(`${op}: mode must be 'bilinear' or 'nearest', got ${show(mode)}`);
  if (padding !== 'zeros' && padding !== 'border' && padding !== 'reflection')
    throw argumentError(`${op}: paddingMode must be 'zeros', 'border' or 'reflection', got ${show(padding)}`);
  const [N, C, H, W] = input.shape;
  const [, Ho, Wo] = grid.shape;
  const P = Ho * Wo;
  const g = grid.to(input.dtype).reshape([N, P, 2]);
  const unnorm = (c: Tensor, n: number) => (opts.alignCorners ? c.add(1).mul((n - 1) / 2) : c.add(1).mul(n).sub(1).div(2));
  let ix = unnorm(g.select(2, 0), W), iy = unnorm(g.select(2, 1), H);
  if (padding === 'reflection') {
    ix = reflectCoords(ix, W, !!opts.alignCorners);
    iy = reflectCoords(iy, H, !!opts.alignCorners);
  }
  if (padding === 'border' || padding === 'reflection') {
    ix = ix.clamp(0, W - 1);
    iy = iy.clamp(0, H - 1);
  }
  const flat = input.reshape([N, C, H * W]);
  const xv = numbersOf(ix.detach()), yv = numbersOf(iy.detach());
  const NP = N * P;
  // K integer corners per point, laid out [N, K, P] so that one gather fetches them all; a corner
  // outside the image reads pixel 0 and is then multiplied by 0 (zeros padding).
  const gatherCorners = (xs: Float64Array[], ys: Float64Array[]): Tensor => {
    const K = xs.length;
    const lin = new Int32Array(K * NP), ok = new Float64Array(K * NP);
    for (let k = 0; k < K; k++) {
      const cxs = xs[k], cys = ys[k];
      for (let i = 0; i < NP; i++) {
        const cx = cxs[i], cy = cys[i];
        if (cx >= 0 && cx < W && cy >= 0 && cy < H) {
          const n = (i / P) | 0;
          const at = (n * K + k) * P + (i - n * P);
          lin[at] = cy * W + cx;
          ok[at] = 1;
        }
      }
    }
    let idx = indexTensor(lin).reshape([N, 1, K * P]);
    if (C > 1) idx = idx.expand([N, C, K * P]).contiguous();
    return flat.gather(2, idx).mul(floatTensor(ok, input.dtype, [N, 1, K * P])).reshape([N, C, K, P]);
  };
  let out: Tensor;
  if (mode === 'nearest') {
    const rnd = (v: number) => { const f = Math.floor(v), d = v - f; return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f; };
    out = gatherCorners([Float64Array.from(xv, rnd)], [Float64Array.from(yv, rnd)]).select(2, 0);
  } else {
    const x0 = new Float64Array(NP), y0 = new Float64Array(NP), x1 = new Float64Array(NP), y1 = new Float64Array(NP);
    for (let i = 0; i < NP; i++) {
      x0[i] = Math.floor(xv[i]); y0[i] = Math.floor(yv[i]);
      x1[i] = x0[i] + 1; y1[i] = y0[i] + 1;
    }
    // Corners in the order (x0, y0), (x1, y0), (x0, y1), (x1, y1).
    const corners = gatherCorners([x0, x1, x0, x1], [y0, y0, y1, y1]);
    // The weights stay tensor ops of ix, iy so that the gradient reaches the grid.
    const wx1 = ix.sub(floatTensor(x0, input.dtype, [N, P])), wy1 = iy.sub(floatTensor(y0, input.dtype, [N, P]));
    const wx0 = wx1.neg().add(1), wy0 = wy1.neg().add(1);
    const weights = stack([wx0.mul(wy0), wx1.mul(wy0), wx0.mul(wy1), wx1.mul(wy1)], 1).unsqueeze(1);
    out = corners.mul(weights).sum(2);
  }
  return out.reshape([N, C, Ho, Wo]);
}
