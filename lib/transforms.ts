// Forward-mode and second-order transforms, built on the reverse-mode tape.
//
// jvp uses the double-vjp trick: for a dummy cotangent u, g(u) = Jᵀu is linear in u and recorded
// on the tape (createGraph), so differentiating <g(u), t> with respect to u gives J t. No separate
// forward-mode rules are needed, only backward rules that are themselves differentiable.
import { Handle, native } from './native';
import { Tensor, describe, wrap, zeros, zerosLike, eye } from './tensor';
import { stack } from './ops';
import { enableGrad } from './autograd';
import { argumentError, dtypeError, shapeError, tfError } from './errors';

function floatTensor(x: unknown, op: string, what: string): Tensor {
  if (!(x instanceof Tensor)) throw argumentError(`${op}: ${what} must be a Tensor, got ${describe(x)}`);
  if (x.dtype !== 'float32' && x.dtype !== 'float64')
    throw dtypeError(`${op}: ${what} must be a floating-point Tensor, got ${x.dtype}`);
  return x;
}

function sameShape(a: Tensor, b: Tensor): boolean {
  const s = a.shape, t = b.shape;
  return s.length === t.length && s.every((d, i) => d === t[i]);
}

// An argument to differentiate: used as is when an enclosing transform already watches it (so
// the result stays differentiable for that transform), otherwise a fresh leaf.
function watch(x: Tensor): { t: Tensor; nested: boolean } {
  if (x.requiresGrad && native.isGradEnabled()) return { t: x, nested: true };
  return { t: x.detach().requiresGrad_(true), nested: false };
}

// Gradients of outs (against cots) w.r.t. inputs; zeros where an input is unreachable.
function vjpOf(outs: Tensor[], cots: (Tensor | null)[], inputs: Tensor[], create: boolean): Tensor[] {
  const o: Handle[] = [], c: (Handle | null)[] = [];
  outs.forEach((t, j) => {
    if (!t.requiresGrad) return;
    o.push(t._h);
    c.push(cots[j] ? (cots[j] as Tensor)._h : null);
  });
  const ins = inputs.filter((t) => t.requiresGrad);
  if (o.length === 0 || ins.length === 0) return inputs.map((t) => zerosLike(t));
  const r = native.gradOf(o, c, ins.map((t) => t._h), true, create);
  let q = 0;
  return inputs.map((t) => {
    if (!t.requiresGrad) return zerosLike(t);
    const g = r[q++];
    return g ? wrap(g) : zerosLike(t);
  });
}

/**
 * jvp(f, primals, tangents) → [f(primals), J·tangents]: the directional derivative of f at the
 * primals along the tangents. primals and tangents: one Tensor each, or arrays of equal length.
 */
export function jvp(f: (...xs: Tensor[]) => Tensor, primals: Tensor | Tensor[], tangents: Tensor | Tensor[]): [Tensor, Tensor] {
  if (typeof f !== 'function') throw argumentError(`jvp: expected a function, got ${describe(f)}`);
  const ps = Array.isArray(primals) ? primals : [primals];
  const ts = Array.isArray(tangents) ? tangents : [tangents];
  if (ps.length !== ts.length)
    throw tfError('ARGUMENT', `jvp: ${ps.length} primal(s) but ${ts.length} tangent(s)`);
  ps.forEach((p, i) => {
    floatTensor(p, 'jvp', `primal ${i}`);
    floatTensor(ts[i], 'jvp', `tangent ${i}`);
    if (!sameShape(p, ts[i]))
      throw shapeError(`jvp: tangent ${i} of shape [${ts[i].shape}] does not match primal of shape [${p.shape}]`);
  });
  const w = ps.map(watch);
  const xs = w.map((v) => v.t);
  const nested = w.some((v) => v.nested) || ts.some((t) => t.requiresGrad && native.isGradEnabled());
  const out = enableGrad(() => f(...xs));
  if (!(out instanceof Tensor)) throw argumentError(`jvp: the function must return a Tensor, got ${describe(out)}`);
  if (!out.requiresGrad) return [out, zerosLike(out)];
  const u = zerosLike(out).requiresGrad_(true);
  const gs = enableGrad(() => vjpOf([out], [u], xs, true));  // Jᵀu, linear in u
  const tangentOut = enableGrad(() => vjpOf(gs, ts, [u], nested))[0];
  return [nested ? out : out.detach(), nested ? tangentOut : tangentOut.detach()];
}

/**
 * jacobian(f)(x) → the Jacobian of f at x, of shape [...f(x).shape, ...x.shape], one reverse pass
 * per output element (rows against the standard basis).
 */
export function jacobian(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  if (typeof f !== 'function') throw argumentError(`jacobian: expected a function, got ${describe(f)}`);
  return (x: Tensor): Tensor => {
    floatTensor(x, 'jacobian', 'x');
    const { t, nested } = watch(x);
    const out = enableGrad(() => f(t));
    if (!(out instanceof Tensor)) throw argumentError(`jacobian: the function must return a Tensor, got ${describe(out)}`);
    const m = out.size;
    const shape = [...out.shape, ...x.shape];
    if (!out.requiresGrad || m === 0) return zeros(shape, { dtype: x.dtype });
    const basis = eye(m, m, { dtype: out.dtype });
    const rows: Tensor[] = [];
    for (let i = 0; i < m; i++) {
      const e = basis.select(0, i).reshape(out.shape);
      rows.push(enableGrad(() => vjpOf([out], [e], [t], nested))[0]);
    }
    const J = stack(rows, 0).reshape(shape);
    return nested ? J : J.detach();
  };
}

/** hessian(f)(x) → the Hessian of scalar f at x, of shape [...x.shape, ...x.shape]. */
export function hessian(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  if (typeof f !== 'function') throw argumentError(`hessian: expected a function, got ${describe(f)}`);
  const gradF = (x: Tensor): Tensor => {
    const out = f(x);
    if (!(out instanceof Tensor) || out.size !== 1)
      throw shapeError(`hessian: the function must return a scalar Tensor, got ${out instanceof Tensor ? `shape [${out.shape}]` : describe(out)}`);
    return vjpOf([out], [null], [x], true)[0];
  };
  return jacobian(gradF);
}

/** hvp(f, x, v) → H·v, the Hessian of scalar f at x times v, without forming H. */
export function hvp(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor): Tensor {
  if (typeof f !== 'function') throw argumentError(`hvp: expected a function, got ${describe(f)}`);
  floatTensor(x, 'hvp', 'x');
  floatTensor(v, 'hvp', 'v');
  if (!sameShape(x, v)) throw shapeError(`hvp: v of shape [${v.shape}] does not match x of shape [${x.shape}]`);
  const { t, nested } = watch(x);
  const out = enableGrad(() => f(t));
  if (!(out instanceof Tensor) || out.size !== 1)
    throw shapeError(`hvp: the function must return a scalar Tensor, got ${out instanceof Tensor ? `shape [${out.shape}]` : describe(out)}`);
  const g = enableGrad(() => vjpOf([out], [null], [t], true))[0];
  const create = nested || (v.requiresGrad && native.isGradEnabled());
  const hv = enableGrad(() => vjpOf([g], [v], [t], create))[0];
  return create ? hv : hv.detach();
}
