// Gradient clipping (tf.nn.utils), in place on each parameter's .grad, as torch.nn.utils.
//
//   loss.backward();
//   const total = tf.nn.utils.clipGradNorm(model.parameters(), 1.0);   // norm before clipping
//   opt.step();
import { kernels, kernels as native } from '../kernels';
import { Tensor, describe, checkOptions } from '../tensor';
import { argumentError, rangeError, stateError } from '../errors';

function paramList(op: string, params: unknown): Tensor[] {
  if (params instanceof Tensor) return [params];
  // A typed array iterates numbers (never Tensors), and iterating a detached one throws V8's error.
  if (params === null || typeof params !== 'object' || ArrayBuffer.isView(params) ||
    typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function')
    throw argumentError(`${op}: params must be a Tensor or an iterable of Tensors, got ${describe(params)}`);
  const list = Array.from(params as Iterable<unknown>);
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw argumentError(`${op}: params[${i}] must be a Tensor, got ${describe(p)}`);
  });
  return list as Tensor[];
}

function checkNum(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw argumentError(`${op}: ${name} must be a number, got ${describe(v)}`);
  return v;
}

/**
 * Scales the gradients of `params` so that their joint `normType`-norm (as if all were one vector;
 * `Infinity` for the max-norm) is at most `maxNorm`, multiplying by maxNorm / (total + 1e-6)
 * when that is below 1. Returns the total norm before clipping. Parameters without a gradient are
 * ignored. With `{errorIfNonfinite: true}` a NaN or infinite total throws instead of clipping.
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2,
  opts: { errorIfNonfinite?: boolean } = {}): number {
  checkOptions(opts, 'clipGradNorm');
  const op = 'clipGradNorm';
  const list = paramList(op, params);
  checkNum(op, 'maxNorm', maxNorm);
  checkNum(op, 'normType', normType);
  if (!(normType > 0)) throw rangeError(`${op}: normType must be positive (or Infinity), got ${normType}`);
  const grads = list.map((p) => native.getGrad(p._h)).filter((g): g is NonNullable<typeof g> => g !== null);
  try {
    if (grads.length === 0) return 0;
    let total: number;
    if (normType === Infinity) {
      total = 0;
      for (const g of grads) {
        const m = kernels.gradNormPow(g, Infinity);
        total = Number.isNaN(m) || Number.isNaN(total) ? NaN : Math.max(total, m);
      }
    } else {
      let s = 0;
      for (const g of grads) s += kernels.gradNormPow(g, normType);
      total = normType === 2 ? Math.sqrt(s) : normType === 1 ? s : Math.pow(s, 1 / normType);
    }
    if (opts.errorIfNonfinite && !Number.isFinite(total))
      throw stateError(`${op}: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped`);
    const coef = maxNorm / (total + 1e-6);
    // PyTorch multiplies by min(coef, 1) unconditionally; multiplying by 1 changes nothing, and a
    // NaN coefficient (NaN total) must still poison the grads as it does there.
    if (!(coef >= 1)) for (const g of grads) kernels.scaleInPlace(g, coef);
    return total;
  } finally {
    for (const g of grads) native.dispose(g);
  }
}

/** Clamps every gradient of `params` to [-clipValue, clipValue] in place. */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue';
  const list = paramList(op, params);
  checkNum(op, 'clipValue', clipValue);
  if (clipValue < 0) throw rangeError(`${op}: clipValue must be >= 0, got ${clipValue}`);
  for (const p of list) {
    const g = native.getGrad(p._h);
    if (!g) continue;
    try {
      kernels.clampAbsInPlace(g, clipValue);
    } finally {
      native.dispose(g);
    }
  }
}

export { parametersToVector, vectorToParameters } from './utils_params';
/**
 * tf.nn.utils.rnn: padSequence, padding variable-length sequences into one tensor (torch.nn.utils.rnn.pad_sequence).
 */
export * as rnn from './utils_rnn';
