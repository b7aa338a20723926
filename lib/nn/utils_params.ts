// parametersToVector / vectorToParameters (tf.nn.utils), as torch.nn.utils.
import { noGrad } from '../autograd';
import { concat } from '../ops';
import { Tensor, describe } from '../tensor';
import { argumentError, shapeError } from '../errors';

function list(op: string, params: unknown): Tensor[] {
  if (params instanceof Tensor) return [params];
  // A typed array iterates numbers (never Tensors), and iterating a detached one throws V8's error.
  if (params === null || typeof params !== 'object' || ArrayBuffer.isView(params) ||
    typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function')
    throw argumentError(`${op}: parameters must be a Tensor or an iterable of Tensors, got ${describe(params)}`);
  const out = Array.from(params as Iterable<unknown>);
  out.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw argumentError(`${op}: parameters[${i}] must be a Tensor, got ${describe(p)}`);
  });
  return out as Tensor[];
}

/** The parameters flattened and concatenated into one 1-d tensor (differentiable). */
export function parametersToVector(parameters: Iterable<Tensor> | Tensor): Tensor {
  const ps = list('parametersToVector', parameters);
  if (!ps.length) throw shapeError('parametersToVector: no parameters given');
  const dt = ps[0].dtype;
  ps.forEach((p, i) => {
    if (p.dtype !== dt) throw argumentError(`parametersToVector: parameters[${i}] is ${p.dtype}, parameters[0] is ${dt}`);
  });
  return concat(ps.map((p) => p.reshape([-1])), 0);
}

/** Copies consecutive slices of vec into the parameters, in place (no gradient recorded). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor> | Tensor): void {
  if (!(vec instanceof Tensor)) throw argumentError(`vectorToParameters: vec must be a Tensor, got ${describe(vec)}`);
  if (vec.ndim !== 1) throw shapeError(`vectorToParameters: vec must be 1-d, got shape [${vec.shape}]`);
  const ps = list('vectorToParameters', parameters);
  const total = ps.reduce((a, p) => a + p.size, 0);
  if (total !== vec.size)
    throw shapeError(`vectorToParameters: vec has ${vec.size} elements but the parameters have ${total}`);
  noGrad(() => {
    let off = 0;
    for (const p of ps) {
      p.copy_(vec.narrow(0, off, p.size).reshape(p.shape).to(p.dtype));
      off += p.size;
    }
  });
}
