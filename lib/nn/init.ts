// nn.init: in-place initialisers, with PyTorch's fan and gain conventions.
//
// Fans of a weight [out, in, k1, k2, ...]: fanIn = in·k1·k2·…, fanOut = out·k1·k2·…
//   kaimingUniform: U(−b, b), b = gain·sqrt(3 / fan)      kaimingNormal: N(0, gain / sqrt(fan))
//   xavierUniform:  U(−b, b), b = gain·sqrt(6 / (fanIn + fanOut))   xavierNormal: std gain·sqrt(2 / (fanIn + fanOut))
// Every function fills its tensor in place (without recording gradients) and returns it.
import { noGrad } from '../autograd';
import { argumentError, dtypeError, rangeError, shapeError, show, tfError } from '../errors';
import { Tensor, describe, checkOptions, isFloating, rand, randn, tensor } from '../tensor';

/** The activation calculateGain knows (PyTorch's names, and camelCase forms). */
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' |
  'leakyRelu' | 'selu' | 'identity' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d' | 'convTranspose1d' |
  'convTranspose2d' | 'convTranspose3d';
/**
 * Which fan Kaiming initialisation scales by: the inputs (preserves the forward variance) or the outputs (the
 * backward's).
 */
export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';

function target(t: unknown, op: string): Tensor {
  if (!(t instanceof Tensor)) throw argumentError(`${op}: expected a Tensor, got ${describe(t)}`);
  if (!isFloating(t.dtype))
    throw dtypeError(`${op}: tensor must be floating-point, got ${t.dtype}`);
  return t;
}

/** [fanIn, fanOut] of a weight of at least 2 dims. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  return fans(t, 'calculateFanInAndFanOut');
}

// The initialisers' own errors name them, not calculateFanInAndFanOut.
function fans(t: Tensor, op: string): [number, number] {
  if (!(t instanceof Tensor)) throw argumentError(`${op}: expected a Tensor, got ${describe(t)}`);
  if (t.ndim < 2)
    throw shapeError(`${op}: fan in and fan out need a tensor of at least 2 dims, got shape [${t.shape}]`);
  const s = t.shape;
  const receptive = s.slice(2).reduce((a, b) => a * b, 1);
  return [s[1] * receptive, s[0] * receptive];
}

/** The recommended gain for a nonlinearity (param: the leaky-ReLU slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid': case 'identity':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d':
    case 'convTranspose1d': case 'convTranspose2d': case 'convTranspose3d':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': case 'leakyRelu': {
      const slope = param === undefined || param === null ? 0.01 : param;
      if (typeof slope !== 'number') throw argumentError(`calculateGain: negative slope must be a number, got ${describe(slope)}`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw tfError('ARGUMENT', `calculateGain: unsupported nonlinearity ${describe(nonlinearity)}`);
  }
}

function fanOf(t: Tensor, mode: FanMode, op: string): number {
  const [fanIn, fanOut] = fans(t, op);
  if (mode === 'fanIn' || mode === 'fan_in') return fanIn;
  if (mode === 'fanOut' || mode === 'fan_out') return fanOut;
  throw tfError('ARGUMENT', `${op}: mode must be 'fanIn' or 'fanOut', got ${describe(mode)}`);
}

/** Options of kaimingUniform / kaimingNormal. */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (used when nonlinearity is leaky_relu). Default 0. */
  a?: number;
  /** 'fanIn' (default) or 'fanOut'. */
  mode?: FanMode;
  /** The activation after the layer, which sets the gain (default 'leaky_relu'). */
  nonlinearity?: Nonlinearity;
}

/** Fills t in place (without recording) with samples from U(low, high); returns t. */
export function uniform(t: Tensor, low = 0, high = 1): Tensor {
  target(t, 'uniform');
  return noGrad(() => t.uniform_(low, high));
}
/** Fills t in place (without recording) with samples from N(mean, std²); returns t. */
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  target(t, 'normal');
  return noGrad(() => t.normal_(mean, std));
}
/** Fills t in place (without recording) with `value`; returns t. */
export function constant(t: Tensor, value: number): Tensor {
  target(t, 'constant');
  return noGrad(() => t.fill_(value));
}
/** Fills t with zeros in place; returns t. */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}
/** Fills t with ones in place; returns t. */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/**
 * He initialisation: U(−b, b) with b = gain·sqrt(3 / fan), fan from opts.mode (default fanIn),
 * gain from opts.nonlinearity (default leaky_relu with slope opts.a = 0); in place, returns t.
 * @example tf.nn.init.kaimingUniform(layer.weight, { nonlinearity: 'relu' });
 */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  checkOptions(opts, 'kaimingUniform');
  target(t, 'kaimingUniform');
  const fan = fanOf(t, opts.mode ?? 'fanIn', 'kaimingUniform');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  const bound = Math.sqrt(3) * (gain / Math.sqrt(fan));
  return uniform(t, -bound, bound);
}
/** He initialisation: N(0, std²) with std = gain / sqrt(fan), fan and gain as kaimingUniform; in place, returns t. */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  checkOptions(opts, 'kaimingNormal');
  target(t, 'kaimingNormal');
  const fan = fanOf(t, opts.mode ?? 'fanIn', 'kaimingNormal');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return normal(t, 0, gain / Math.sqrt(fan));
}

function gainArg(g: number | { gain?: number } | undefined, op: string): number {
  const v = typeof g === 'object' && g !== null ? g.gain ?? 1 : g ?? 1;
  if (typeof v !== 'number') throw argumentError(`${op}: gain must be a number, got ${describe(v)}`);
  return v;
}
/** xavierUniform(t, gain = 1) or xavierUniform(t, {gain}). */
export function xavierUniform(t: Tensor, gain?: number | { gain?: number }): Tensor {
  target(t, 'xavierUniform');
  const [fanIn, fanOut] = fans(t, 'xavierUniform');
  const bound = gainArg(gain, 'xavierUniform') * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound);
}
/**
 * Glorot initialisation: N(0, std²) with std = gain·sqrt(2 / (fanIn + fanOut)); xavierNormal(t, gain = 1) or (t,
 * {gain}); in place, returns t.
 */
export function xavierNormal(t: Tensor, gain?: number | { gain?: number }): Tensor {
  target(t, 'xavierNormal');
  const [fanIn, fanOut] = fans(t, 'xavierNormal');
  return normal(t, 0, gainArg(gain, 'xavierNormal') * Math.sqrt(2 / (fanIn + fanOut)));
}

// Values computed in JavaScript (float64) and copied into t in one go.
function fillWith(t: Tensor, values: ArrayLike<number>): Tensor {
  return noGrad(() => t.copy_(tensor(Float64Array.from(values), { dtype: 'float64', shape: t.shape }).to(t.dtype)));
}

/**
 * A (semi-)orthogonal matrix, as PyTorch: t viewed as [rows, rest] is filled with the Q of the QR
 * decomposition of a standard-normal matrix (signs fixed by R's diagonal), times gain.
 */
export function orthogonal(t: Tensor, gain = 1): Tensor {
  target(t, 'orthogonal');
  if (typeof gain !== 'number') throw argumentError(`orthogonal: gain must be a number, got ${describe(gain)}`);
  if (t.ndim < 2) throw shapeError(`orthogonal: only tensors with 2 or more dims are supported, got shape [${t.shape}]`);
  const rows = t.shape[0], cols = t.size / rows;
  if (t.size === 0) return t;
  const g = randn([rows, cols], { dtype: 'float64' }).toTypedArray() as Float64Array;
  // Work on the tall orientation m ≥ n (transposing a wide matrix), as PyTorch does.
  const wide = rows < cols;
  const m = wide ? cols : rows, n = wide ? rows : cols;
  const A = new Float64Array(m * n);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) A[wide ? j * n + i : i * n + j] = g[i * cols + j];
  // Modified Gram–Schmidt: Q (m×n) with orthonormal columns, R's diagonal for the signs.
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < k; j++) {
      let d = 0;
      for (let i = 0; i < m; i++) d += A[i * n + j] * A[i * n + k];
      for (let i = 0; i < m; i++) A[i * n + k] -= d * A[i * n + j];
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += A[i * n + k] * A[i * n + k];
    nrm = Math.sqrt(nrm);
    // R's diagonal is the (positive) norm here, so no sign flip is needed: Q·sign(diag R) = Q.
    for (let i = 0; i < m; i++) A[i * n + k] = nrm > 0 ? A[i * n + k] / nrm : 0;
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * cols + j] = gain * (wide ? A[j * n + i] : A[i * n + j]);
  return fillWith(t, out);
}

/** Normal(mean, std) truncated to [a, b], by redrawing the values that fall outside. */
export function truncNormal(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  const op = 'truncNormal';
  target(t, op);
  [mean, std, a, b].forEach((v, i) => {
    if (typeof v !== 'number' || Number.isNaN(v))
      throw argumentError(`${op}: ${['mean', 'std', 'a', 'b'][i]} must be a number, got ${describe(v)}`);
  });
  if (!(a < b)) throw rangeError(`truncNormal: a (${a}) must be smaller than b (${b})`);
  const v = Float64Array.from(randn([t.size], { dtype: 'float64' }).toTypedArray() as Float64Array, (z) => mean + std * z);
  let out = [...v.keys()].filter((i) => v[i] < a || v[i] > b);
  for (let round = 0; out.length && round < 1000; round++) {
    const z = randn([out.length], { dtype: 'float64' }).toTypedArray() as Float64Array;
    out.forEach((i, j) => { v[i] = mean + std * z[j]; });
    out = out.filter((i) => v[i] < a || v[i] > b);
  }
  // An interval far in the tail: whatever is left after many rounds is clamped into it.
  for (const i of out) v[i] = Math.min(Math.max(v[i], a), b);
  return fillWith(t, v);
}

/** The identity matrix (2-d tensors only), as PyTorch's eye_. */
export function eye(t: Tensor): Tensor {
  target(t, 'eye');
  if (t.ndim !== 2) throw shapeError(`eye: only 2-d tensors are supported, got shape [${t.shape}]`);
  const [r, c] = t.shape;
  const v = new Float64Array(r * c);
  for (let i = 0; i < Math.min(r, c); i++) v[i * c + i] = 1;
  return fillWith(t, v);
}

/** The Dirac delta for 3-, 4- and 5-d convolution weights: each output channel copies one input channel. */
export function dirac(t: Tensor, groups = 1): Tensor {
  target(t, 'dirac');
  if (t.ndim < 3 || t.ndim > 5) throw shapeError(`dirac: only 3-, 4- and 5-d tensors are supported, got shape [${t.shape}]`);
  if (typeof groups !== 'number' || !Number.isInteger(groups) || groups <= 0)
    throw argumentError(`dirac: groups must be a positive integer, got ${show(groups)}`);
  if (t.shape[0] % groups)
    throw shapeError(`dirac: dim 0 (${t.shape[0]}) of shape [${t.shape}] must be divisible by groups (${groups})`);
  const outPer = t.shape[0] / groups;
  const minDim = Math.min(outPer, t.shape[1]);
  const k = t.shape.slice(2);
  const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const v = new Float64Array(t.size);
  for (let g = 0; g < groups; g++)
    for (let d = 0; d < minDim; d++) {
      let off = (g * outPer + d) * strides[0] + d * strides[1];
      k.forEach((kk, i) => { off += Math.floor(kk / 2) * strides[2 + i]; });
      v[off] = 1;
    }
  return fillWith(t, v);
}

/** A sparse 2-d matrix: N(0, std) entries with ceil(sparsity·rows) zeros in each column, as PyTorch. */
export function sparse(t: Tensor, sparsity: number, std = 0.01): Tensor {
  target(t, 'sparse');
  if (t.ndim !== 2) throw shapeError(`sparse: only 2-d tensors are supported, got shape [${t.shape}]`);
  if (typeof sparsity !== 'number' || !(sparsity >= 0 && sparsity <= 1))
    throw rangeError(`sparse: sparsity must be in [0, 1], got ${describe(sparsity)}`);
  if (typeof std !== 'number') throw argumentError(`sparse: std must be a number, got ${describe(std)}`);
  const [rows, cols] = t.shape;
  const zerosPerCol = Math.ceil(sparsity * rows);
  const v = Float64Array.from(randn([rows * cols], { dtype: 'float64' }).toTypedArray() as Float64Array, (z) => z * std);
  const u = rand([cols, rows], { dtype: 'float64' }).toTypedArray() as Float64Array;
  for (let j = 0; j < cols; j++) {
    // A random permutation of the rows (argsort of uniforms); its first zerosPerCol are zeroed.
    const order = Array.from({ length: rows }, (_, i) => i).sort((p, q) => u[j * rows + p] - u[j * rows + q]);
    for (let z = 0; z < zerosPerCol; z++) v[order[z] * cols + j] = 0;
  }
  return fillWith(t, v);
}

// PyTorch's trailing-underscore spellings, for code ported from Python.
export {
  uniform as uniform_, normal as normal_, constant as constant_, zeros as zeros_, ones as ones_,
  kaimingUniform as kaimingUniform_, kaimingNormal as kaimingNormal_, xavierUniform as xavierUniform_,
  xavierNormal as xavierNormal_, orthogonal as orthogonal_, truncNormal as truncNormal_, eye as eye_, dirac as dirac_,
  sparse as sparse_,
};
