// Activations composed from existing tensor ops, in one place: when the engine gains native
// elementwise kernels (elu, selu, mish, hardswish, logSigmoid, softsign, ...) each function here
// switches to its op in one line, and the layers and their tests stay as they are.
//
// Gradients come from the compositions. Where PyTorch's derivative at a kink differs from the
// composition's (hardswish at ±3, hardtanh at its bounds) the difference is on a set of measure zero.
import { where } from '../ops';
import { Tensor, checkOptions, zeros } from '../tensor';
import { Module, Parameter } from './module';
import { need, needFloat, num, axis } from './args';
import * as init from './init';
import { argumentError, rangeError, shapeError, show } from '../errors';

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

// exp(x) − 1 on the non-positive part only, so large positive x never overflows into the gradient.
const expm1Neg = (x: Tensor) => x.clamp(null, 0).exp().sub(1);

/** SELU: scale·(max(0, x) + min(0, α·(exp(x) − 1))) with PyTorch's constants. */
export function selu(x: Tensor): Tensor {
  needFloat(x, 'selu');
  return where(x.gt(0), x, expm1Neg(x).mul(SELU_ALPHA)).mul(SELU_SCALE);
}
/** CELU: max(0, x) + min(0, α·(exp(x/α) − 1)). */
export function celu(x: Tensor, alpha = 1): Tensor {
  needFloat(x, 'celu');
  num(alpha, 'celu', 'alpha');
  if (alpha === 0) throw rangeError('celu: alpha must not be 0');
  return where(x.gt(0), x, expm1Neg(x.div(alpha)).mul(alpha));
}
/** Mish: x·tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return needFloat(x, 'mish').mul(x.softplus().tanh());
}
/** Hardswish: x·relu6(x + 3)/6. */
export function hardswish(x: Tensor): Tensor {
  return needFloat(x, 'hardswish').mul(x.add(3).clamp(0, 6)).div(6);
}
/** Hardsigmoid: relu6(x + 3)/6. */
export function hardsigmoid(x: Tensor): Tensor {
  return needFloat(x, 'hardsigmoid').add(3).clamp(0, 6).div(6);
}
/** Hardtanh: x clamped to [minVal, maxVal]. */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  needFloat(x, 'hardtanh');
  if (!(num(minVal, 'hardtanh', 'minVal') <= num(maxVal, 'hardtanh', 'maxVal')))
    throw rangeError(`hardtanh: minVal (${minVal}) must not exceed maxVal (${maxVal})`);
  return x.clamp(minVal, maxVal);
}
/** min(max(x, 0), 6) elementwise. */
export function relu6(x: Tensor): Tensor {
  return needFloat(x, 'relu6').clamp(0, 6);
}
/** log(sigmoid(x)) = −softplus(−x), stable for large |x|. */
export function logSigmoid(x: Tensor): Tensor {
  return needFloat(x, 'logSigmoid').neg().softplus().neg();
}
/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return needFloat(x, 'softsign').div(x.abs().add(1));
}
/** softmax(−x). */
export function softmin(x: Tensor, dim = -1): Tensor {
  return needFloat(x, 'softmin').neg().softmax(dim);
}
/** Gated linear unit: the first half of dim times sigmoid of the second half. */
export function glu(x: Tensor, dim = -1): Tensor {
  needFloat(x, 'glu');
  const d = axis(dim, x.ndim, 'glu');
  const n = x.shape[d];
  if (n % 2) throw shapeError(`glu: dim ${dim} of input [${x.shape}] must have an even size, got ${n}`);
  return x.narrow(d, 0, n / 2).mul(x.narrow(d, n / 2, n / 2).sigmoid());
}
/** Softplus with PyTorch's beta and threshold: log(1 + exp(βx))/β, and x itself where βx > threshold. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  needFloat(x, 'softplus');
  num(beta, 'softplus', 'beta');
  num(threshold, 'softplus', 'threshold');
  const bx = beta === 1 ? x : x.mul(beta);
  const sp = beta === 1 ? x.softplus() : bx.softplus().div(beta);
  return where(bx.gt(threshold), x, sp);
}
/**
 * PReLU: x where x > 0, weight·x elsewhere; weight has 1 element or one per channel (dim 1, or
 * dim 0 of a 1-d input), as PyTorch.
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  needFloat(x, 'prelu');
  need(weight, 'prelu', 'weight');
  let w = weight;
  if (weight.size !== 1) {
    const C = x.ndim >= 2 ? x.shape[1] : x.shape[0];
    if (weight.ndim !== 1 || weight.shape[0] !== C)
      throw shapeError(`prelu: weight must have 1 element or one per channel (${C}) for input [${x.shape}], got [${weight.shape}]`);
    if (x.ndim >= 2) w = weight.reshape([C, ...x.shape.slice(2).map(() => 1)]);
  } else w = weight.reshape([]);
  return where(x.gt(0), x, x.mul(w));
}

// ---- layers ----
abstract class Elementwise extends Module {
  /** Leaves sizes unchanged (a phantom type for Sequential's compile-time check; no JS field). */
  declare readonly shapeKeeps: 'all';
}
/** SELU as a layer: scale·elu(x, alpha) with PyTorch's constants. */
export class SELU extends Elementwise {
  /** selu(x); same shape. */
  forward(x: Tensor): Tensor { return selu(x); }
}
/** CELU as a layer: x for x > 0, alpha·(e^(x/alpha) − 1) otherwise. */
export class CELU extends Elementwise {
  constructor(
    /** The negative saturation value (default 1). */ readonly alpha = 1) { super(); }
  /** celu(x, alpha); same shape. */
  forward(x: Tensor): Tensor { return celu(x, this.alpha); }
  /** alpha, for the module's printed form. */
  extraRepr(): string { return `alpha=${this.alpha}`; }
}
/** Mish as a layer: x·tanh(softplus(x)). */
export class Mish extends Elementwise {
  /** mish(x); same shape. */
  forward(x: Tensor): Tensor { return mish(x); }
}
/** Hardswish as a layer: x·relu6(x + 3) / 6. */
export class Hardswish extends Elementwise {
  /** hardswish(x); same shape. */
  forward(x: Tensor): Tensor { return hardswish(x); }
}
/** Hardsigmoid as a layer: relu6(x + 3) / 6. */
export class Hardsigmoid extends Elementwise {
  /** hardsigmoid(x); same shape. */
  forward(x: Tensor): Tensor { return hardsigmoid(x); }
}
/** Hardtanh as a layer: x clamped to [minVal, maxVal]. */
export class Hardtanh extends Elementwise {
  constructor(
    /** Lower bound (default −1). */ readonly minVal = -1,
    /** Upper bound (default 1). */ readonly maxVal = 1) { super(); }
  /** hardtanh(x, minVal, maxVal); same shape. */
  forward(x: Tensor): Tensor { return hardtanh(x, this.minVal, this.maxVal); }
  /** The bounds, for the module's printed form. */
  extraRepr(): string { return `minVal=${this.minVal}, maxVal=${this.maxVal}`; }
}
/** ReLU6 as a layer: min(max(x, 0), 6). */
export class ReLU6 extends Elementwise {
  /** relu6(x); same shape. */
  forward(x: Tensor): Tensor { return relu6(x); }
}
/** log(sigmoid(x)) as a layer, stable for large |x|. */
export class LogSigmoid extends Elementwise {
  /** logSigmoid(x); same shape. */
  forward(x: Tensor): Tensor { return logSigmoid(x); }
}
/** Softsign as a layer: x / (1 + |x|). */
export class Softsign extends Elementwise {
  /** softsign(x); same shape. */
  forward(x: Tensor): Tensor { return softsign(x); }
}
/** Softmin as a layer: softmax(−x) along `dim`. */
export class Softmin extends Elementwise {
  constructor(
    /** The dim normalised over (default −1). */ readonly dim = -1) { super(); }
  /** softmin(x, dim); same shape. */
  forward(x: Tensor): Tensor { return softmin(x, this.dim); }
}
/** Gated linear unit as a layer: splits `dim` in halves a, b and returns a·sigmoid(b). */
export class GLU extends Module {
  constructor(
    /** The dim split in two (default −1); its size must be even. */ readonly dim = -1) { super(); }
  /** [..., 2n, ...] → [..., n, ...] along dim. */
  forward(x: Tensor): Tensor { return glu(x, this.dim); }
}
/** PReLU with numParameters slopes (1, or one per channel), each initialised to `init` (0.25). */
export class PReLU extends Elementwise {
  /** The learned slopes for x < 0, [numParameters]. */
  weight: Tensor;
  /** The number of slopes (PyTorch's num_parameters; numParameters() is the Module's element count). */
  readonly num_parameters: number;
  constructor(numParameters = 1, initValue = 0.25, opts: { dtype?: 'float32' | 'float64' } = {}) {
    super();
    checkOptions(opts, 'PReLU');
    if (!Number.isInteger(numParameters) || numParameters <= 0)
      throw argumentError(`PReLU: numParameters must be a positive integer, got ${show(numParameters)}`);
    this.num_parameters = numParameters;
    this.weight = init.constant(Parameter(zeros([numParameters], { dtype: opts.dtype ?? 'float32' })), initValue);
  }
  /** x for x > 0, weight·x otherwise (one slope, or one per channel of dim 1); same shape. */
  forward(x: Tensor): Tensor { return prelu(x, this.weight); }
  /** The number of slopes, for the module's printed form. */
  extraRepr(): string { return `numParameters=${this.num_parameters}`; }
}
