// In-place forms of the ops (x.add_(y) and friends), each also installed as a Tensor method by
// lib/methods.ts. Each computes its value out of place and hands it to the engine's assign
// (native/core/ops_inplace.cpp), which writes it into x and gives x the history of that value, as
// PyTorch's in-place ops do: the overwritten values get a zero gradient, a write through a view
// rewrites the base's history, nodes that saved the old values refuse to run, and a leaf that
// requires grad (or a view of one) is an Error outside tf.noGrad.
import { native } from './native';
import { Tensor, wrap } from './tensor_class';
import { DType, TensorLike, checkTensor, dtypeCode, isFloating, isInteger, numArg, operand } from './args';
import * as E from './elementwise';
import { argumentError, dtypeError, shapeError } from './errors';

type H = Tensor['_h'];
const more = native as unknown as { assign(dst: H, value: H, op: string): void; detachInPlace(h: H): void };

const isFloat = isFloating;
// PyTorch's can_cast: an in-place op cannot store a float result in an int tensor, nor a number in bool.
function castable(from: DType, to: DType): boolean {
  if (isFloat(from)) return isFloat(to);
  if (isInteger(from)) return to !== 'bool';
  return true;
}

function taped(args: unknown[]): boolean {
  if (!native.isGradEnabled()) return false;
  return args.some((a) => a instanceof Tensor && a.requiresGrad);
}

// The shared path: value = compute(x), on a clone of x when the tape will save it (x's memory is
// about to be overwritten, and the op may have saved its input for the backward pass).
function apply(x: Tensor, op: string, args: unknown[], compute: (src: Tensor) => Tensor, cast = false): Tensor {
  checkTensor(x, op);
  const src = taped([x, ...args]) ? x.clone() : x;
  let v: Tensor;
  try {
    v = compute(src);
  } catch (e) {
    // Name the in-place op the user called, keeping the error's kind.
    const err = e as Error;
    const Kind = err.name === 'RangeError' ? RangeError : err.name === 'TypeError' ? TypeError : Error;
    const named = new Kind(`${op}: ${err.message}`) as Error & { code?: unknown };
    named.code = (err as Error & { code?: unknown }).code;  // the same documented code
    throw named;
  }
  if (!cast && !castable(v.dtype, x.dtype))
    throw dtypeError(`${op}: the result type ${v.dtype} cannot be stored in a tensor of dtype ${x.dtype}`);
  more.assign(x._h, v._h, op);
  return x;
}

const unary = (op: string, f: (t: Tensor) => Tensor) => (x: Tensor): Tensor => apply(x, op, [], f);

/**
 * In place x += alpha · other (broadcast to x's shape); returns x.
 * @example w.add_(w.grad, -0.1);  // inside tf.noGrad: a plain SGD step
 */
export const add_ = (x: Tensor, other: TensorLike, alpha = 1): Tensor => {
  operand(other, 'add_');
  numArg(alpha, 'add_', 'alpha');
  return apply(x, 'add_', [other], (s) => E.add(s, alpha === 1 ? other : E.mul(other, alpha)));
};
/** In place x -= alpha · other; returns x. */
export const sub_ = (x: Tensor, other: TensorLike, alpha = 1): Tensor => {
  operand(other, 'sub_');
  numArg(alpha, 'sub_', 'alpha');
  return apply(x, 'sub_', [other], (s) => E.sub(s, alpha === 1 ? other : E.mul(other, alpha)));
};
/** In place x *= other; returns x. */
export const mul_ = (x: Tensor, other: TensorLike): Tensor => apply(x, 'mul_', [other], (s) => E.mul(s, other));
/** In place x /= other (x must be a float tensor); returns x. */
export const div_ = (x: Tensor, other: TensorLike): Tensor => apply(x, 'div_', [other], (s) => E.div(s, other));
/** In place x = x^exponent; returns x. */
export const pow_ = (x: Tensor, exponent: TensorLike): Tensor => apply(x, 'pow_', [exponent], (s) => E.pow(s, exponent));
/** In place clamp to [min, max] (either may be null); returns x. */
export const clamp_ = (x: Tensor, min?: number | null, max?: number | null): Tensor =>
  apply(x, 'clamp_', [], (s) => E.clamp(s, min, max));
/** In place -x; returns x. */
export const neg_ = unary('neg_', E.neg);
/** In place |x|; returns x. */
export const abs_ = unary('abs_', E.abs);
/** In place e^x; returns x. */
export const exp_ = unary('exp_', E.exp);
/** In place natural logarithm; returns x. */
export const log_ = unary('log_', E.log);
/** In place square root; returns x. */
export const sqrt_ = unary('sqrt_', E.sqrt);
/** In place max(x, 0); returns x. */
export const relu_ = unary('relu_', E.relu);
/** In place logistic sigmoid; returns x. */
export const sigmoid_ = unary('sigmoid_', E.sigmoid);
/** In place tanh; returns x. */
export const tanh_ = unary('tanh_', E.tanh);
/** In place rounding down; returns x. */
export const floor_ = unary('floor_', E.floor);
/** In place rounding up; returns x. */
export const ceil_ = unary('ceil_', E.ceil);
/** In place rounding half to even; returns x. */
export const round_ = unary('round_', E.round);
/** In place rounding toward zero; returns x. */
export const trunc_ = unary('trunc_', E.trunc);
/** In place sign (-1, 0, 1); returns x. */
export const sign_ = unary('sign_', E.sign);
/** In place sine; returns x. */
export const sin_ = unary('sin_', E.sin);
/** In place cosine; returns x. */
export const cos_ = unary('cos_', E.cos);
/** In place x²; returns x. */
export const square_ = unary('square_', E.square);
/** In place 1 / x; returns x. */
export const reciprocal_ = unary('reciprocal_', E.reciprocal);

/** value where mask (broadcast to x) is true; value is a number or a 0-d tensor. */
export function maskedFill_(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  checkTensor(mask, 'maskedFill_', 'mask');
  if (mask.dtype !== 'bool') throw argumentError(`maskedFill_: mask must be a bool tensor, got ${mask.dtype}`);
  operand(value, 'maskedFill_');
  if (value instanceof Tensor && value.ndim !== 0)
    throw shapeError(`maskedFill_: value must be a number or a 0-d tensor, got shape [${value.shape}]`);
  const fill = typeof value === 'number' ? value : value.to(x.dtype);
  return apply(x, 'maskedFill_', [value], (s) => wrap(native.where(mask._h, operand(fill, 'maskedFill_'), s._h)), true);
}

/** Fills with a number or a 0-d tensor (differentiable in that tensor). */
export function fill_(x: Tensor, value: TensorLike): Tensor {
  checkTensor(x, 'fill_');
  if (typeof value === 'number') return apply(x, 'fill_', [], () => wrap(native.full([], value, dtypeOf(x))), true);
  checkTensor(value, 'fill_', 'value');
  if (value.ndim !== 0) throw shapeError(`fill_: value must be a number or a 0-d tensor, got shape [${value.shape}]`);
  return apply(x, 'fill_', [value], () => value, true);
}
/** Fills x with zeros in place; returns x. */
export const zero_ = (x: Tensor): Tensor => fill_(x, 0);
/** Copies src (broadcast to x's shape, cast to its dtype) into x. */
export function copy_(x: Tensor, src: TensorLike): Tensor {
  if (typeof src === 'number') return fill_(x, src);
  checkTensor(src, 'copy_', 'src');
  return apply(x, 'copy_', [src], () => src, true);
}

const dtypeOf = (x: Tensor): number => dtypeCode(x.dtype);
function random(x: Tensor, op: string, kind: 'uniform' | 'normal', a: number, b: number): Tensor {
  checkTensor(x, op);
  if (!isFloat(x.dtype)) throw argumentError(`${op}: expected a float tensor, got ${x.dtype}`);
  return apply(x, op, [], () => {
    const v = wrap(native.full(x.shape, 0, dtypeOf(x)));
    native.inPlace(kind, v._h, a, b);
    return v;
  }, true);
}
/** Fills a float tensor in place with samples uniform in [low, high) (global generator); returns x. */
export const uniform_ = (x: Tensor, low = 0, high = 1): Tensor =>
  random(x, 'uniform_', 'uniform', numArg(low, 'uniform_', 'low'), numArg(high, 'uniform_', 'high'));
/** Fills a float tensor in place with samples from N(mean, std²) (global generator); returns x. */
export const normal_ = (x: Tensor, mean = 0, std = 1): Tensor =>
  random(x, 'normal_', 'normal', numArg(mean, 'normal_', 'mean'), numArg(std, 'normal_', 'std'));

/** Cuts x from the tape in place: it becomes a leaf that does not require grad. */
export function detach_(x: Tensor): Tensor {
  checkTensor(x, 'detach_');
  more.detachInPlace(x._h);
  return x;
}
