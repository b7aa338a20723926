// tf.customGrad (PyTorch's autograd.Function): the forward runs without recording, and one tape
// node stands for it, whose backward is the user's gradFunc. Tensor arguments are the node's inputs.
import { native } from './native';
import { Tensor, wrap } from './tensor_class';
import { describe, isFloating } from './args';
import { zeros } from './creation';
import { isGradEnabled, noGrad } from './autograd';
import { argumentError, shapeError } from './errors';

export type CustomGradResult = {
  value: Tensor | Tensor[];
  /** Receives dy (a Tensor, or an array with one per output) and returns one gradient (or null) per Tensor argument. */
  gradFunc: (dy: Tensor | Tensor[]) => Tensor | null | (Tensor | null)[];
};

const isFloat = (t: Tensor): boolean => isFloating(t.dtype);

/**
 * Defines a function with a hand-written gradient (PyTorch's autograd.Function): f returns the
 * value (computed without recording) and gradFunc, which maps the output gradient to one gradient
 * (or null) per Tensor argument. The result is one node on the tape.
 * @example const clip = tf.customGrad((x) => ({ value: x.clamp(-1, 1), gradFunc: (dy) => dy }));
 */
export function customGrad<A extends unknown[]>(f: (...args: A) => CustomGradResult): (...args: A) => Tensor | Tensor[] {
  const op = 'customGrad';
  if (typeof f !== 'function') throw argumentError(`${op}: expected a function, got ${describe(f)}`);
  return (...args: A): Tensor | Tensor[] => {
    const res = noGrad(() => f(...args));
    if (res === null || typeof res !== 'object')
      throw argumentError(`${op}: the function must return {value, gradFunc}, got ${describe(res)}`);
    const { value, gradFunc } = res;
    const single = value instanceof Tensor;
    const raw = single ? [value as Tensor] : value;
    if (!Array.isArray(raw) || raw.length === 0 || !raw.every((v) => v instanceof Tensor))
      throw argumentError(`${op}: value must be a Tensor or a non-empty array of Tensors, got ${describe(value)}`);
    if (typeof gradFunc !== 'function') throw argumentError(`${op}: gradFunc must be a function, got ${describe(gradFunc)}`);
    const inputs = args.filter((a): a is Tensor => a instanceof Tensor);
    // An output that is an input (or already on the tape) would alias the input's history: copy it.
    const outs = raw.map((o) => (o.requiresGrad || o.gradFn || inputs.includes(o) ? noGrad(() => o.clone()) : o));
    const result = single ? outs[0] : outs;
    if (!isGradEnabled() || !inputs.some((x) => x.requiresGrad) || !outs.every(isFloat)) return result;
    const inShapes = inputs.map((x) => ({ shape: x.shape, dtype: x.dtype }));
    const outMeta = outs.map((o) => ({ shape: o.shape, dtype: o.dtype }));
    native.customOp(op, inputs.map((x) => x._h), outs.map((o) => o._h), (gs) => {
      const dys = outMeta.map((m, k) => (gs[k] ? wrap(gs[k]) : zeros(m.shape, { dtype: m.dtype })));
      let gr = gradFunc(single ? dys[0] : dys);
      if (!Array.isArray(gr)) gr = [gr];
      if (gr.length !== inputs.length)
        throw argumentError(`${op}: gradFunc returned ${gr.length} gradient(s) for ${inputs.length} Tensor argument(s)`);
      return gr.map((g, k) => {
        if (g === null || g === undefined) return null;
        if (!(g instanceof Tensor)) throw argumentError(`${op}: gradient ${k} must be a Tensor or null, got ${describe(g)}`);
        const want = inShapes[k];
        if (g.shape.join() !== want.shape.join())
          throw shapeError(`${op}: gradient ${k} has shape [${g.shape}], but Tensor argument ${k} has shape [${want.shape}]`);
        return (g.dtype === want.dtype ? g : g.to(want.dtype))._h;
      });
    });
    return result;
  };
}
