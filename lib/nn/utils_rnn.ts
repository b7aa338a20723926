// tf.nn.utils.rnn: padSequence, as torch.nn.utils.rnn.pad_sequence.
import { stack } from '../ops';
import { Tensor, checkOptions, describe } from '../tensor';
import { pad } from './padding';
import { argumentError, shapeError, show } from '../errors';

/**
 * Stacks variable-length sequences [Li, *] into [maxL, B, *] (or [B, maxL, *] with batchFirst),
 * filling with paddingValue after (or, with paddingSide 'left', before) each sequence. Differentiable.
 */
export function padSequence(sequences: Tensor[], opts: { batchFirst?: boolean; paddingValue?: number;
  paddingSide?: 'right' | 'left' } = {}): Tensor {
  const op = 'padSequence';
  checkOptions(opts, op);
  if (!Array.isArray(sequences) || sequences.length === 0)
    throw argumentError(`${op}: sequences must be a non-empty array of Tensors, got ${describe(sequences)}`);
  sequences.forEach((s, i) => {
    if (!(s instanceof Tensor)) throw argumentError(`${op}: sequences[${i}] must be a Tensor, got ${describe(s)}`);
    if (s.ndim < 1) throw shapeError(`${op}: sequences[${i}] must have a length dim, got a scalar`);
    const t0 = sequences[0].shape.slice(1), ti = s.shape.slice(1);
    if (ti.length !== t0.length || ti.some((d, j) => d !== t0[j]))
      throw shapeError(`${op}: sequences[${i}] of shape [${s.shape}] has trailing dims [${ti}], sequences[0] has [${t0}]`);
  });
  const side = opts.paddingSide ?? 'right';
  if (side !== 'right' && side !== 'left') throw argumentError(`${op}: paddingSide must be 'right' or 'left', got ${show(side)}`);
  const maxLen = Math.max(...sequences.map((s) => s.shape[0]));
  const padded = sequences.map((s) => {
    const extra = maxLen - s.shape[0];
    if (!extra) return s;
    // pad lists pairs from the last dim: zeros for the trailing dims, then the length dim.
    const p = new Array(2 * (s.ndim - 1)).fill(0).concat(side === 'right' ? [0, extra] : [extra, 0]);
    return pad(s, p, 'constant', opts.paddingValue ?? 0);
  });
  return stack(padded, opts.batchFirst ? 0 : 1);
}
