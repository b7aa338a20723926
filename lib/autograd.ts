// Gradient transforms over the tape: noGrad, grad, valueAndGrad, vjp.
//
// tf.grad(f) differentiates with respect to its arguments without touching any .grad. When an
// argument already requires grad (an outer transform is watching it), the inner pass records its
// backward (createGraph), which is what makes tf.grad(tf.grad(f)) work.
import { native } from './native';
import { Tensor, describe, wrap, zerosLike, checkOptions } from './tensor';
import { argumentError, axisError, dtypeError, shapeError } from './errors';

/**
 * Runs fn with gradient recording off.
 * @example tf.noGrad(() => w.sub_(w.grad.mul(lr)));  // a manual update, not recorded
 */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw argumentError(`noGrad: expected a function, got ${describe(fn)}`);
  const prev = native.setGradEnabled(false);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

/** Runs fn with gradient recording on (inside a noGrad, for example). */
export function enableGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw argumentError(`enableGrad: expected a function, got ${describe(fn)}`);
  const prev = native.setGradEnabled(true);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

/** True unless inside tf.noGrad (gradient recording is on). */
export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

/** Options of tf.grad and tf.valueAndGrad. */
export interface GradOptions {
  /** Which arguments to differentiate with respect to: one index (gradient returned alone) or several (array). */
  argnums?: number | number[];
  /** Record the backward pass so the gradient can be differentiated again (automatic when nested). */
  createGraph?: boolean;
}

function argnumList(argnums: number | number[] | undefined, nargs: number, op: string): number[] {
  const list = argnums === undefined ? [0] : Array.isArray(argnums) ? argnums : [argnums];
  for (const i of list)
    if (!Number.isInteger(i) || i < 0 || i >= nargs)
      throw axisError(`${op}: argnums entry ${i} is out of range for ${nargs} argument(s)`);
  return list;
}

// Prepares the differentiated arguments: each becomes a tensor that requires grad. One that does
// already is used as is, so an enclosing transform sees the dependency.
function prepare(args: unknown[], nums: number[], op: string) {
  const inputs: Tensor[] = [];
  const callArgs = args.slice();
  let nested = false;
  for (const i of nums) {
    const a = args[i];
    if (!(a instanceof Tensor)) throw argumentError(`${op}: argument ${i} must be a Tensor, got ${describe(a)}`);
    if (a.dtype !== 'float32' && a.dtype !== 'float64')
      throw dtypeError(`${op}: argument ${i} must be a floating-point tensor, got ${a.dtype}`);
    let x = a;
    if (a.requiresGrad && native.isGradEnabled()) nested = true;
    else x = a.detach().requiresGrad_(true);
    inputs.push(x);
    callArgs[i] = x;
  }
  return { inputs, callArgs, nested };
}

function scalarOutput(out: unknown, op: string): Tensor {
  if (!(out instanceof Tensor)) throw argumentError(`${op}: the function must return a Tensor, got ${describe(out)}`);
  if (out.size !== 1) throw shapeError(`${op}: the function must return a scalar (one element), got shape [${out.shape}]`);
  return out;
}

function gradients(outs: Tensor[], cots: (Tensor | null)[], inputs: Tensor[], createGraph: boolean, retain: boolean): Tensor[] {
  const needs = outs.some((o) => o.requiresGrad);
  if (!needs) return inputs.map((x) => zerosLike(x));
  const res = native.gradOf(
    outs.map((o) => o._h),
    cots.map((c) => (c ? c._h : null)),
    inputs.map((x) => x._h),
    retain || createGraph,
    createGraph,
  );
  // An input the output does not depend on has a zero gradient (as in JAX).
  return res.map((g, i) => (g ? wrap(g) : zerosLike(inputs[i])));
}

/** valueAndGrad(f)(...args) → [f(...args), gradient(s)]. */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, opts: GradOptions = {}) {
  checkOptions(opts, 'valueAndGrad');
  if (typeof f !== 'function') throw argumentError(`valueAndGrad: expected a function, got ${describe(f)}`);
  return (...args: A): [Tensor, Tensor | Tensor[]] => {
    const nums = argnumList(opts.argnums, args.length, 'grad');
    const { inputs, callArgs, nested } = prepare(args, nums, 'grad');
    const out = scalarOutput(enableGrad(() => f(...(callArgs as A))), 'grad');
    const createGraph = !!opts.createGraph || nested;
    const gs = gradients([out], [null], inputs, createGraph, false);
    const value = createGraph ? out : out.detach();
    return [value, Array.isArray(opts.argnums) ? gs : gs[0]];
  };
}

/**
 * grad(f)(...args) → gradient of scalar f w.r.t. argument 0 (or the arguments in argnums, as an array).
 * @example tf.grad((x) => x.square().sum())(tf.tensor([1, 2, 3]));  // [2, 4, 6]
 */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, opts: GradOptions = {}) {
  checkOptions(opts, 'grad');
  const vg = valueAndGrad(f, opts);
  return (...args: A): Tensor | Tensor[] => vg(...args)[1];
}

/** vjp(f, ...primals) → [f(...primals), (cotangent) => gradients w.r.t. each primal]. */
export function vjp(f: (...args: Tensor[]) => Tensor, ...primals: Tensor[]): [Tensor, (cotangent: Tensor) => Tensor[]] {
  if (typeof f !== 'function') throw argumentError(`vjp: expected a function, got ${describe(f)}`);
  const nums = primals.map((_, i) => i);
  const { inputs, callArgs, nested } = prepare(primals, nums, 'vjp');
  const out = enableGrad(() => f(...(callArgs as Tensor[])));
  if (!(out instanceof Tensor)) throw argumentError(`vjp: the function must return a Tensor, got ${describe(out)}`);
  const pullback = (cot: Tensor): Tensor[] => {
    if (!(cot instanceof Tensor)) throw argumentError(`vjp: cotangent must be a Tensor, got ${describe(cot)}`);
    const s = out.shape, c = cot.shape;
    if (s.length !== c.length || s.some((d, i) => d !== c[i]))
      throw shapeError(`vjp: cotangent of shape [${c}] does not match output shape [${s}]`);
    return gradients([out], [cot], inputs, nested || cot.requiresGrad, true);
  };
  return [nested ? out : out.detach(), pullback];
}
