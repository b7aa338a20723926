// Bernoulli and Categorical, each from {probs} or {logits} (exactly one), as PyTorch. Neither has a
// reparameterised sampler.
import { Tensor } from '../tensor_class';
import { checkOptions, describe } from '../args';
import { full } from '../creation';
import { noGrad } from '../autograd';
import { bernoulli, multinomial } from '../random';
import { argumentError, shapeError } from '../errors';
import { Distribution, SampleOptions, param, valueArg } from './distribution';

type ProbsOrLogits = { probs?: Tensor | number; logits?: Tensor | number };

function oneOf(opts: ProbsOrLogits, op: string): { probs?: Tensor; logits?: Tensor } {
  checkOptions(opts, op);
  const hasP = opts.probs !== undefined, hasL = opts.logits !== undefined;
  if (hasP === hasL) throw argumentError(`${op}: give exactly one of {probs} or {logits}, got ${describe(opts)}`);
  return hasP ? { probs: param(opts.probs, op, 'probs') } : { logits: param(opts.logits, op, 'logits') };
}
/** The smallest step above 0 for the dtype (torch.finfo(dtype).eps), for clamping probabilities. */
function eps(dtype: string): number {
  return dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
}
/** softplus(x) = log(1 + e^x), without overflow. */
function softplus(x: Tensor): Tensor {
  return x.relu().add(x.abs().neg().exp().log1p());
}

/** The Bernoulli distribution over {0, 1}, from {probs} or {logits} (torch.distributions.Bernoulli). */
export class Bernoulli extends Distribution {
  /** P(1), of batchShape. */
  readonly probs: Tensor;
  /** log(p / (1 − p)), of batchShape. */
  readonly logits: Tensor;

  constructor(opts: ProbsOrLogits) {
    const op = 'distributions.Bernoulli';
    const { probs, logits } = oneOf(opts, op);
    super((probs ?? logits)!.shape, []);
    if (probs) {
      this.probs = probs;
      const e = eps(probs.dtype);
      const p = probs.clamp(e, 1 - e);
      this.logits = p.log().sub(p.neg().log1p());
    } else {
      this.logits = logits!;
      this.probs = logits!.sigmoid();
    }
  }
  /** probs. */
  get mean(): Tensor {
    return this.probs;
  }
  /** probs·(1 − probs). */
  get variance(): Tensor {
    return this.probs.mul(this.probs.neg().add(1));
  }
  /** Draws 0 / 1 values (the probs' dtype) of shape sampleShape + batchShape, without gradient. */
  sample(sampleShape: number[] = [], opts: SampleOptions = {}): Tensor {
    const { shape, generator } = this.extended(sampleShape, opts, 'Bernoulli.sample');
    return noGrad(() => bernoulli(this.probs.detach().expand(shape).contiguous(), { generator }));
  }
  /** value·logits − softplus(logits): log p for 1, log(1 − p) for 0. */
  logProb(value: Tensor): Tensor {
    const v = valueArg(value, 'Bernoulli.logProb', this.logits.dtype);
    return v.mul(this.logits).sub(softplus(this.logits));
  }
  /** −p log p − (1 − p) log(1 − p). */
  entropy(): Tensor {
    return softplus(this.logits).sub(this.logits.mul(this.probs));
  }
}

/**
 * A distribution over K categories from {probs} or {logits} [..., K] (normalised over the last dim), as
 * torch.distributions.Categorical.
 * @example new tf.distributions.Categorical({ logits }).sample();  // int32 class indices, logits [B, K] → [B]
 */
export class Categorical extends Distribution {
  /** Normalised probabilities, [...batchShape, K]. */
  readonly probs: Tensor;
  /** Normalised log-probabilities, [...batchShape, K]. */
  readonly logits: Tensor;

  constructor(opts: ProbsOrLogits) {
    const op = 'distributions.Categorical';
    const { probs, logits } = oneOf(opts, op);
    const t = (probs ?? logits)!;
    if (t.ndim < 1) throw shapeError(`${op}: ${probs ? 'probs' : 'logits'} must have at least one dimension, got a scalar`);
    super(t.shape.slice(0, -1), []);
    if (probs) {
      this.probs = probs.div(probs.sum(-1, true));
      const e = eps(probs.dtype);
      this.logits = this.probs.clamp(e, 1 - e).log();
    } else {
      this.logits = logits!.sub(logits!.logsumexp(-1, true));
      this.probs = this.logits.exp();
    }
  }
  /** K, the size of the last dim of probs. */
  get numCategories(): number {
    return this.probs.shape[this.probs.ndim - 1];
  }
  /** NaN, as PyTorch (a category index has no meaningful mean). */
  get mean(): Tensor {
    return full(this.batchShape, NaN, { dtype: this.probs.dtype as 'float32' });
  }
  /** NaN, as PyTorch (a category index has no meaningful variance). */
  get variance(): Tensor {
    return full(this.batchShape, NaN, { dtype: this.probs.dtype as 'float32' });
  }
  /** int32 category indices of shape sampleShape + batchShape. */
  sample(sampleShape: number[] = [], opts: SampleOptions = {}): Tensor {
    const { shape, generator } = this.extended(sampleShape, opts, 'Categorical.sample');
    const m = shape.slice(0, shape.length - this.batchShape.length).reduce((a, b) => a * b, 1);
    const K = this.numCategories;
    return noGrad(() => {
      const rows = this.probs.detach().reshape([-1, K]);
      const draws = multinomial(rows, m, { replacement: true, generator }); // [B, m]
      return draws.transpose(0, 1).contiguous().reshape(shape);
    });
  }
  /** log p of the int32 category indices `value` (broadcast with batchShape). */
  logProb(value: Tensor): Tensor {
    const op = 'Categorical.logProb';
    const v = valueArg(value, op, 'int32');
    const K = this.numCategories;
    const idx = v.to('int32');
    const vals = idx.toTypedArray();
    for (const x of vals) if (!(x >= 0 && x < K)) throw argumentError(`${op}: value ${x} is not a category index in [0, ${K})`);
    const nd = Math.max(idx.ndim, this.batchShape.length);
    const shape: number[] = [];
    for (let i = 0; i < nd; i++) {
      const a = idx.shape[idx.ndim - nd + i] ?? 1, b = this.batchShape[this.batchShape.length - nd + i] ?? 1;
      if (a !== 1 && b !== 1 && a !== b) throw shapeError(`${op}: value shape [${idx.shape}] does not broadcast with batch shape [${this.batchShape}]`);
      shape.push(a === 1 ? b : a);
    }
    const l = this.logits.expand([...shape, K]);
    return l.gather(-1, idx.expand(shape).unsqueeze(-1).contiguous()).squeeze(-1);
  }
  /** −Σ p log p over the categories, of batchShape. */
  entropy(): Tensor {
    const lo = this.logits.dtype === 'float64' ? -Number.MAX_VALUE : -3.4028234663852886e38;
    return this.probs.mul(this.logits.clamp(lo)).sum(-1).neg();
  }
}
