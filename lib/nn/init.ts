// nn.init: in-place initialisers, with PyTorch's fan and gain conventions.
//
// Fans of a weight [out, in, k1, k2, ...]: fanIn = in·k1·k2·…, fanOut = out·k1·k2·…
//   kaimingUniform: U(−b, b), b = gain·sqrt(3 / fan)      kaimingNormal: N(0, gain / sqrt(fan))
//   xavierUniform:  U(−b, b), b = gain·sqrt(6 / (fanIn + fanOut))   xavierNormal: std gain·sqrt(2 / (fanIn + fanOut))
// Every function fills its tensor in place (without recording gradients) and returns it.
import { noGrad } from '../autograd';
import { Tensor, describe, checkOptions } from '../tensor';
import { argumentError, dtypeError, shapeError, tfError } from '../errors';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' |
  'leakyRelu' | 'selu' | 'identity';
export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';

function target(t: unknown, op: string): Tensor {
  if (!(t instanceof Tensor)) throw argumentError(`${op}: expected a Tensor, got ${describe(t)}`);
  if (t.dtype !== 'float32' && t.dtype !== 'float64')
    throw dtypeError(`${op}: tensor must be float32 or float64, got ${t.dtype}`);
  return t;
}

/** [fanIn, fanOut] of a weight of at least 2 dims. */
export function calculateFanInAndFanOut(t: Tensor, opArg = 'calculateFanInAndFanOut'): [number, number] {
  // Exported, so the name may come from anywhere: quoting a non-string in a message could throw.
  const op = typeof opArg === 'string' ? opArg : 'calculateFanInAndFanOut';
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
  const [fanIn, fanOut] = calculateFanInAndFanOut(t, op);
  if (mode === 'fanIn' || mode === 'fan_in') return fanIn;
  if (mode === 'fanOut' || mode === 'fan_out') return fanOut;
  throw tfError('ARGUMENT', `${op}: mode must be 'fanIn' or 'fanOut', got ${describe(mode)}`);
}

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (used when nonlinearity is leaky_relu). Default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

export function uniform(t: Tensor, low = 0, high = 1): Tensor {
  target(t, 'uniform');
  return noGrad(() => t.uniform_(low, high));
}
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  target(t, 'normal');
  return noGrad(() => t.normal_(mean, std));
}
export function constant(t: Tensor, value: number): Tensor {
  target(t, 'constant');
  return noGrad(() => t.fill_(value));
}
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  checkOptions(opts, 'kaimingUniform');
  target(t, 'kaimingUniform');
  const fan = fanOf(t, opts.mode ?? 'fanIn', 'kaimingUniform');
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  const bound = Math.sqrt(3) * (gain / Math.sqrt(fan));
  return uniform(t, -bound, bound);
}
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
  const [fanIn, fanOut] = calculateFanInAndFanOut(t, 'xavierUniform');
  const bound = gainArg(gain, 'xavierUniform') * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound);
}
export function xavierNormal(t: Tensor, gain?: number | { gain?: number }): Tensor {
  target(t, 'xavierNormal');
  const [fanIn, fanOut] = calculateFanInAndFanOut(t, 'xavierNormal');
  return normal(t, 0, gainArg(gain, 'xavierNormal') * Math.sqrt(2 / (fanIn + fanOut)));
}

// PyTorch's trailing-underscore spellings, for code ported from Python.
export {
  uniform as uniform_, normal as normal_, constant as constant_, zeros as zeros_, ones as ones_,
  kaimingUniform as kaimingUniform_, kaimingNormal as kaimingNormal_, xavierUniform as xavierUniform_,
  xavierNormal as xavierNormal_,
};
