// The elementwise ops, each written once as a function: tf.op(x, ...). lib/methods.ts installs
// every export of this file as the method x.op(...), so this file holds nothing else.
//
// Native ops are looked up by name in the engine's op table (native/core/op_table.h, where their
// kernels and gradients are declared): a name missing there fails at load. The rest are
// compositions of other ops, so their gradients (and second derivatives) follow from those.
// test/op_table.test.js checks that every op appears here, in docs/API.md and in the fixtures.
import { native } from './native';
import { Tensor, wrap } from './tensor_class';
import { TensorLike, checkTensor, describe, isFloating, numArg, operand } from './args';
import { tensor } from './creation';
import { GeluOptions, geluWith } from './fused';
import { argumentError, internalError } from './errors';

const TABLE = native.opTable();
function code(kind: 'unary' | 'binary' | 'compare', name: string): number {
  const c = TABLE[kind].indexOf(name);
  if (c < 0) throw internalError(`tensorfold: ${kind} op ${name} is missing from the native op table; rebuild the addon`);
  return c;
}

// The method form of a native op, without re-packing its arguments (the per-op overhead of the
// smallest ops is a few hundred nanoseconds, so this shows up in small_add).
const METHOD = Symbol.for('tensorfold.method');
function withMethod<F>(fn: F, method: (this: Tensor, ...a: never[]) => Tensor): F {
  (fn as unknown as Record<symbol, unknown>)[METHOD] = method;
  return fn;
}

function unary(name: string): (x: Tensor) => Tensor {
  const c = code('unary', name);
  return withMethod((x: Tensor): Tensor => {
    if (!(x instanceof Tensor)) throw argumentError(`${name}: expected a Tensor, got ${describe(x)}`);
    return wrap(native.unary(c, x._h));
  }, function (this: Tensor) { return wrap(native.unary(c, this._h)); });
}

function binary(name: string): (a: TensorLike, b: TensorLike) => Tensor {
  const c = code('binary', name);
  return withMethod((a: TensorLike, b: TensorLike): Tensor => {
    if (typeof a === 'number' && typeof b === 'number') throw argumentError(`${name}: at least one operand must be a Tensor`);
    return wrap(native.binary(c, operand(a, name), operand(b, name)));
  }, function (this: Tensor, b: TensorLike) { return wrap(native.binary(c, this._h, operand(b, name))); });
}

function compare(name: string): (a: TensorLike, b: TensorLike) => Tensor {
  const c = code('compare', name);
  return withMethod((a: TensorLike, b: TensorLike): Tensor => {
    if (typeof a === 'number' && typeof b === 'number') throw argumentError(`${name}: at least one operand must be a Tensor`);
    return wrap(native.compare(c, operand(a, name), operand(b, name)));
  }, function (this: Tensor, b: TensorLike) { return wrap(native.compare(c, this._h, operand(b, name))); });
}

// ---- native unary (op_table.h TF_UNARY_OPS) ----
/** Elementwise -x. */
export const neg = unary('neg');
/** Elementwise |x|. */
export const abs = unary('abs');
/** Elementwise e^x. */
export const exp = unary('exp');
/** Elementwise natural logarithm (NaN below 0, -inf at 0). */
export const log = unary('log');
/** Elementwise square root (NaN below 0). */
export const sqrt = unary('sqrt');
/** Elementwise 1 / sqrt(x). */
export const rsqrt = unary('rsqrt');
/** Elementwise sine (radians). */
export const sin = unary('sin');
/** Elementwise cosine (radians). */
export const cos = unary('cos');
/** Elementwise hyperbolic tangent. */
export const tanh = unary('tanh');
/** Elementwise logistic sigmoid 1 / (1 + e^-x). */
export const sigmoid = unary('sigmoid');
/** Elementwise max(x, 0). */
export const relu = unary('relu');
const geluExact = unary('gelu');
/**
 * GELU, x·Φ(x) (PyTorch's default); `{approximate: 'tanh'}` is PyTorch's tanh form. Both have
 * fused backward kernels (native/core/fused_act.*).
 */
export const gelu = withMethod((x: Tensor, opts?: GeluOptions): Tensor => {
  if (opts === undefined) return geluExact(x);
  if (!(x instanceof Tensor)) throw argumentError(`gelu: expected a Tensor, got ${describe(x)}`);
  return geluWith(x, opts);
}, function (this: Tensor, opts?: GeluOptions) { return opts === undefined ? geluExact(this) : geluWith(this, opts); });
/** Elementwise SiLU (swish): x · sigmoid(x). */
export const silu = unary('silu');
/** Elementwise log(1 + e^x), computed stably. */
export const softplus = unary('softplus');
/** Elementwise sign: -1, 0 or 1 (gradient 0). */
export const sign = unary('sign');
/** Elementwise rounding down (gradient 0). */
export const floor = unary('floor');
/** Elementwise rounding up (gradient 0). */
export const ceil = unary('ceil');
/** Rounds half to even, as PyTorch. */
export const round = unary('round');
/** Elementwise rounding toward zero (gradient 0). */
export const trunc = unary('trunc');
/** Elementwise log(1 + x), accurate for small x. */
export const log1p = unary('log1p');
/** Elementwise e^x - 1, accurate for small x. */
export const expm1 = unary('expm1');
/** Elementwise base-2 logarithm. */
export const log2 = unary('log2');
/** Elementwise base-10 logarithm. */
export const log10 = unary('log10');
/** Elementwise 2^x. */
export const exp2 = unary('exp2');
/** Elementwise error function. */
export const erf = unary('erf');
/** Elementwise complementary error function 1 - erf(x), accurate for large x. */
export const erfc = unary('erfc');
/** Elementwise inverse error function (on (-1, 1); ±inf at ±1). */
export const erfinv = unary('erfinv');
/** Elementwise tangent (radians). */
export const tan = unary('tan');
/** Elementwise arcsine (NaN outside [-1, 1]). */
export const asin = unary('asin');
/** Elementwise arccosine (NaN outside [-1, 1]). */
export const acos = unary('acos');
/** Elementwise arctangent. */
export const atan = unary('atan');
/** Elementwise hyperbolic sine. */
export const sinh = unary('sinh');
/** Elementwise hyperbolic cosine. */
export const cosh = unary('cosh');
/** Elementwise inverse hyperbolic sine. */
export const asinh = unary('asinh');
/** Elementwise inverse hyperbolic cosine (NaN below 1). */
export const acosh = unary('acosh');
/** Elementwise inverse hyperbolic tangent (NaN outside [-1, 1]). */
export const atanh = unary('atanh');

// ---- native binary (TF_BINARY_OPS), broadcasting; a number is accepted on either side ----
/**
 * a + b elementwise, broadcasting (PyTorch's rules); either side may be a number.
 * @example tf.tensor([[1], [2]]).add(tf.tensor([10, 20]));  // [[11, 21], [12, 22]]
 */
export const add = binary('add');
/** a - b elementwise, broadcasting; either side may be a number. */
export const sub = binary('sub');
/** a · b elementwise, broadcasting; either side may be a number. */
export const mul = binary('mul');
/** a / b elementwise, broadcasting; either side may be a number. */
export const div = binary('div');
/** a^b elementwise, broadcasting; either side may be a number. */
export const pow = binary('pow');
/** Elementwise larger of a and b, broadcasting (NaN propagates); the gradient goes to the chosen side. */
export const maximum = binary('maximum');
/** Elementwise smaller of a and b, broadcasting (NaN propagates); the gradient goes to the chosen side. */
export const minimum = binary('minimum');
/** Elementwise angle of the point (b, a): atan2(a, b) in (-π, π], broadcasting. */
export const atan2 = binary('atan2');
/** C's fmod: the result has the sign of the dividend. */
export const fmod = binary('fmod');
/** Python's modulo: the result has the sign of the divisor. */
export const remainder = binary('remainder');
/** floor(a / b); not differentiable, as in PyTorch. */
export const floorDivide = binary('floorDivide');
/** Elementwise sqrt(a² + b²) without overflow, broadcasting. */
export const hypot = binary('hypot');
/** Elementwise log(e^a + e^b), computed stably, broadcasting. */
export const logaddexp = binary('logaddexp');
/** x · log(y), 0 where x is 0 (unless y is NaN). */
export const xlogy = binary('xlogy');

// ---- comparisons (TF_COMPARE_OPS) -> bool ----
/** Elementwise a == b, broadcasting; a bool tensor. */
export const eq = compare('eq');
/** Elementwise a != b, broadcasting; a bool tensor. */
export const ne = compare('ne');
/** Elementwise a < b, broadcasting; a bool tensor. */
export const lt = compare('lt');
/** Elementwise a <= b, broadcasting; a bool tensor. */
export const le = compare('le');
/**
 * Elementwise a > b, broadcasting; a bool tensor.
 * @example x.gt(0).sum();  // how many positive entries
 */
export const gt = compare('gt');
/** Elementwise a >= b, broadcasting; a bool tensor. */
export const ge = compare('ge');

// ---- with parameters ----
/** Leaky ReLU: x for x > 0, slope · x otherwise (slope 0.01 by default, as PyTorch). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  checkTensor(x, 'leakyRelu');
  return wrap(native.leakyRelu(x._h, numArg(slope, 'leakyRelu', 'slope')));
}
/** Clamps to [min, max] (either may be null); the gradient is 1 on the closed interval, 0 outside and at NaN. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkTensor(x, 'clamp');
  for (const [v, w] of [[min, 'min'], [max, 'max']] as const)
    if (v !== undefined && v !== null && typeof v !== 'number')
      throw argumentError(`clamp: ${w} must be a number, got ${describe(v)}`);
  return wrap(native.clamp(x._h, min ?? null, max ?? null));
}

// ---- compositions ----
/** Elementwise x². */
export const square = (x: Tensor): Tensor => mul(checkTensor(x, 'square'), x);
/** Elementwise 1 / x. */
export const reciprocal = (x: Tensor): Tensor => div(1, checkTensor(x, 'reciprocal'));
/** Elementwise fractional part x - trunc(x) (keeps the sign of x). */
export const frac = (x: Tensor): Tensor => sub(checkTensor(x, 'frac'), trunc(x));

/** clamp(x, min, max) with PyTorch's hardtanh gradient: 1 strictly inside (and at NaN), 0 elsewhere. */
export function hardtanh(x: Tensor, min = -1, max = 1): Tensor {
  checkTensor(x, 'hardtanh');
  numArg(min, 'hardtanh', 'min');
  numArg(max, 'hardtanh', 'max');
  const outside = logicalOr(le(x, min), ge(x, max));
  return where(outside, clamp(x, min, max).detach(), x);
}
/** Elementwise min(max(x, 0), 6). */
export const relu6 = (x: Tensor): Tensor => hardtanh(checkTensor(x, 'relu6'), 0, 6);
/** relu6(x + 3) / 6 with PyTorch's gradient: 1/6 strictly inside (-3, 3), 0 elsewhere and at NaN. */
export function hardsigmoid(x: Tensor): Tensor {
  checkTensor(x, 'hardsigmoid');
  const inside = logicalAnd(gt(x, -3), lt(x, 3));
  return where(inside, div(add(x, 3), 6), div(clamp(add(x, 3), 0, 6), 6).detach());
}
/**
 * x (x + 3) / 6 on [-3, 3], 0 below, x above; the gradient (2x + 3) / 6 on the closed interval, as
 * PyTorch. As PyTorch's x * relu6(x + 3) / 6: NaN takes the x branch (gradient 1), -inf gives NaN
 * (x * 0, with gradient 0). The middle branch sees x clamped to [-3, 3], so where x is infinite the branch where()
 * discards stays finite (its zero gradient times an infinite derivative would be NaN).
 */
export function hardswish(x: Tensor): Tensor {
  checkTensor(x, 'hardswish');
  const m = clamp(x, -3, 3);
  return where(lt(x, -3), mul(x.detach(), 0), where(le(x, 3), div(mul(m, add(m, 3)), 6), x));
}

// expm1 of min(x, 0): the branch where() discards must stay finite, or its zero gradient times
// an infinite derivative would be NaN. NaN stays in this branch with gradient 1, so that elu's
// gradient at NaN is NaN, as PyTorch's.
const negPart = (x: Tensor): Tensor => where(gt(x, 0), 0, x);
/** x for x > 0, alpha (e^x - 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkTensor(x, 'elu');
  numArg(alpha, 'elu', 'alpha');
  return where(gt(x, 0), x, mul(expm1(negPart(x)), alpha));
}
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/** Elementwise SELU: scale · elu(x, alpha) with PyTorch's constants (alpha ≈ 1.6733, scale ≈ 1.0507). */
export const selu = (x: Tensor): Tensor => mul(elu(checkTensor(x, 'selu'), SELU_ALPHA), SELU_SCALE);
/** x for x > 0, alpha (e^(x/alpha) - 1) otherwise. */
export function celu(x: Tensor, alpha = 1): Tensor {
  checkTensor(x, 'celu');
  numArg(alpha, 'celu', 'alpha');
  return where(gt(x, 0), x, mul(expm1(div(negPart(x), alpha)), alpha));
}
/** Elementwise Mish: x · tanh(softplus(x)). */
export const mish = (x: Tensor): Tensor => mul(checkTensor(x, 'mish'), tanh(softplus(x)));
/**
 * log(sigmoid(x)) = -softplus(-x): softplus is exact for large |x| of either sign (it returns its
 * argument past 20), the gradient is sigmoid(-x) (1/2 at 0), and logSigmoid(inf) is 0, not NaN.
 */
export const logSigmoid = (x: Tensor): Tensor => neg(softplus(neg(checkTensor(x, 'logSigmoid'))));
/** Elementwise x / (1 + |x|). */
export const softsign = (x: Tensor): Tensor => div(checkTensor(x, 'softsign'), add(abs(x), 1));

/** start + weight (end - start); weight is a number or a tensor (broadcast). */
export function lerp(start: Tensor, end: TensorLike, weight: TensorLike): Tensor {
  checkTensor(start, 'lerp');
  operand(end, 'lerp');
  operand(weight, 'lerp');
  // PyTorch's two-sided formula: exact at both ends (weight 1 gives end), and the same NaN/inf results.
  const d = sub(end, start);
  if (typeof weight === 'number') return weight < 0.5 ? add(start, mul(d, weight)) : sub(end, mul(d, 1 - weight));
  return where(lt(weight, 0.5), add(start, mul(d, weight)), sub(end, mul(d, sub(1, weight))));
}
/** x + value · t1 · t2 */
export function addcmul(x: Tensor, t1: TensorLike, t2: TensorLike, value = 1): Tensor {
  checkTensor(x, 'addcmul');
  numArg(value, 'addcmul', 'value');
  const p = mul(t1, t2);
  return add(x, value === 1 ? p : mul(p, value));
}
/** x + value · t1 / t2 */
export function addcdiv(x: Tensor, t1: TensorLike, t2: TensorLike, value = 1): Tensor {
  checkTensor(x, 'addcdiv');
  numArg(value, 'addcdiv', 'value');
  const q = div(t1, t2);
  return add(x, value === 1 ? q : mul(q, value));
}

/** 0 for x < 0, `values` where x == 0, 1 for x > 0; not differentiable. The dtype is x's. */
export function heaviside(x: Tensor, values: TensorLike): Tensor {
  checkTensor(x, 'heaviside');
  const v = typeof values === 'number' ? values : checkTensor(values, 'heaviside', 'values').detach().to(x.dtype);
  return where(eq(x, 0), v, gt(x, 0).to(x.dtype)).detach();
}

const isFloat = (x: Tensor): boolean => isFloating(x.dtype);
const falses = (x: Tensor): Tensor => wrap(native.full(x.shape, 0, 3));
/** Elementwise test for NaN; a bool tensor (all false for integer dtypes). */
export const isnan = (x: Tensor): Tensor => (isFloat(checkTensor(x, 'isnan')) ? ne(x, x) : falses(x));
/** Elementwise test for ±inf; a bool tensor. */
export const isinf = (x: Tensor): Tensor => (isFloat(checkTensor(x, 'isinf')) ? eq(abs(x), Infinity) : falses(x));
/** Elementwise test for neither NaN nor ±inf; a bool tensor. */
export const isfinite = (x: Tensor): Tensor => (isFloat(checkTensor(x, 'isfinite')) ? lt(abs(x), Infinity) : logicalNot(falses(x)));

/** NaN, +inf and -inf replaced by `nan`, `posinf` and `neginf` (default: 0 and the dtype's extremes). */
export function nanToNum(x: Tensor, nan = 0, posinf?: number | null, neginf?: number | null): Tensor {
  checkTensor(x, 'nanToNum');
  numArg(nan, 'nanToNum', 'nan');
  if (!isFloat(x)) return x.clone();
  const big = x.dtype === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
  const hi = posinf ?? big, lo = neginf ?? -big;
  numArg(hi, 'nanToNum', 'posinf');
  numArg(lo, 'nanToNum', 'neginf');
  return where(ne(x, x), nan, where(eq(x, Infinity), hi, where(eq(x, -Infinity), lo, x)));
}

// Logical ops: nonzero is true; the result is bool.
const truth = (x: TensorLike, op: string): Tensor =>
  typeof x === 'number' ? tensor(x !== 0) : ne(checkTensor(x, op), 0);
/** Elementwise logical not (nonzero is true); a bool tensor. */
export const logicalNot = (x: Tensor): Tensor => eq(checkTensor(x, 'logicalNot'), 0);
/** Elementwise logical and (nonzero is true), broadcasting; a bool tensor. */
export const logicalAnd = (a: Tensor, b: TensorLike): Tensor => mul(truth(a, 'logicalAnd'), truth(b, 'logicalAnd'));
/** Elementwise logical or (nonzero is true), broadcasting; a bool tensor. */
export const logicalOr = (a: Tensor, b: TensorLike): Tensor => add(truth(a, 'logicalOr'), truth(b, 'logicalOr'));
/** Elementwise logical exclusive or (nonzero is true), broadcasting; a bool tensor. */
export const logicalXor = (a: Tensor, b: TensorLike): Tensor => ne(truth(a, 'logicalXor'), truth(b, 'logicalXor'));

// where() is a function only (a method x.where would read as PyTorch's x.where(cond, y)), so the
// public one lives in lib/ops.ts; the compositions above use this private copy.
function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return wrap(native.where(cond._h, operand(a, 'where'), operand(b, 'where')));
}
