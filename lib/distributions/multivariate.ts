// MultivariateNormal(loc, {covarianceMatrix} | {scaleTril}) and Independent(base, n).
import { Tensor } from '../tensor_class';
import { checkOptions, describe, intArg } from '../args';
import { eye, randn } from '../creation';
import { cholesky, solveTriangular } from '../linalg/decompositions';
import { argumentError, rangeError, shapeError } from '../errors';
import { Distribution, SampleOptions, broadcastShapes, param, valueArg } from './distribution';

const LOG_2PI = Math.log(2 * Math.PI);

/** The diagonal of each matrix in [..., k, k], differentiably. */
export function batchDiag(L: Tensor): Tensor {
  const k = L.shape[L.ndim - 1];
  return L.mul(eye(k, k, { dtype: L.dtype as 'float32' })).sum(-1);
}

/**
 * The multivariate normal N(loc, Σ) over vectors of size k, from {covarianceMatrix} or {scaleTril}
 * (torch.distributions.MultivariateNormal): loc [..., k], Σ [..., k, k].
 */
export class MultivariateNormal extends Distribution {
  /** The mean, [...batchShape, k]. */
  readonly loc: Tensor;
  /** The lower Cholesky factor of the covariance, [...batch, k, k]. */
  readonly scaleTril: Tensor;
  /** true: rsample draws loc + L·ε, differentiable in loc and L. */
  readonly hasRsample = true;

  constructor(loc: Tensor, opts: { covarianceMatrix?: Tensor; scaleTril?: Tensor }) {
    const op = 'distributions.MultivariateNormal';
    const l = param(loc, op, 'loc');
    checkOptions(opts, op);
    const hasC = opts.covarianceMatrix !== undefined, hasS = opts.scaleTril !== undefined;
    if (hasC === hasS) throw argumentError(`${op}: give exactly one of {covarianceMatrix} or {scaleTril}, got ${describe(opts)}`);
    const m = param(hasC ? opts.covarianceMatrix : opts.scaleTril, op, hasC ? 'covarianceMatrix' : 'scaleTril');
    if (l.ndim < 1) throw shapeError(`${op}: loc must have at least one dimension, got a scalar`);
    const k = l.shape[l.ndim - 1];
    if (m.ndim < 2 || m.shape[m.ndim - 1] !== k || m.shape[m.ndim - 2] !== k)
      throw shapeError(`${op}: the matrix must be [..., ${k}, ${k}] for loc [${l.shape}], got [${m.shape}]`);
    const batch = broadcastShapes([l.shape.slice(0, -1), m.shape.slice(0, -2)], op);
    super(batch, [k]);
    const L = hasC ? cholesky(m) : m;
    this.scaleTril = L.shape.join() === [...batch, k, k].join() ? L : L.expand([...batch, k, k]);
    this.loc = l.shape.join() === [...batch, k].join() ? l : l.expand([...batch, k]);
  }
  /** Σ = L·Lᵀ, [...batchShape, k, k]. */
  get covarianceMatrix(): Tensor {
    return this.scaleTril.matmul(this.scaleTril.transpose(-1, -2));
  }
  /** loc. */
  get mean(): Tensor {
    return this.loc;
  }
  /** The diagonal of Σ, [...batchShape, k]. */
  get variance(): Tensor {
    return this.scaleTril.mul(this.scaleTril).sum(-1);
  }
  /** A reparameterised draw loc + L·ε, of shape sampleShape + batchShape + [k]. */
  rsample(sampleShape: number[] = [], opts: SampleOptions = {}): Tensor {
    const { shape, generator } = this.extended(sampleShape, opts, 'MultivariateNormal.rsample');
    const eps = randn(shape, { dtype: this.loc.dtype, generator });
    return this.loc.add(this.scaleTril.matmul(eps.unsqueeze(-1)).squeeze(-1));
  }
  /** sum(log diag L) = ½ log det Σ. */
  halfLogDet(): Tensor {
    return batchDiag(this.scaleTril).log().sum(-1);
  }
  /** −½ (x − μ)ᵀ Σ⁻¹ (x − μ) − ½ log det Σ − (k/2) log 2π, for value [..., k] → [...]. */
  logProb(value: Tensor): Tensor {
    const v = valueArg(value, 'MultivariateNormal.logProb', this.loc.dtype);
    const k = this.eventShape[0];
    const diff = v.sub(this.loc);
    const shape = diff.shape;
    const L = this.scaleTril.expand([...shape, k]);
    const z = solveTriangular(L, diff.unsqueeze(-1), { upper: false }).squeeze(-1);
    const maha = z.mul(z).sum(-1);
    return maha.add(k * LOG_2PI).mul(-0.5).sub(this.halfLogDet());
  }
  /** ½ log det Σ + (k/2)(1 + log 2π), of batchShape. */
  entropy(): Tensor {
    const k = this.eventShape[0];
    return this.halfLogDet().add(0.5 * k * (1 + LOG_2PI));
  }
}

/** Treats the last n batch dims of base as event dims: logProb and entropy sum over them. */
export class Independent extends Distribution {
  /** The wrapped distribution. */
  readonly base: Distribution;
  /** How many of base's trailing batch dims become event dims. */
  readonly reinterpretedBatchNdims: number;

  constructor(base: Distribution, reinterpretedBatchNdims: number) {
    const op = 'distributions.Independent';
    if (!(base instanceof Distribution)) throw argumentError(`${op}: base must be a distribution, got ${describe(base)}`);
    intArg(reinterpretedBatchNdims, op, 'reinterpretedBatchNdims');
    const n = reinterpretedBatchNdims;
    if (n < 0 || n > base.batchShape.length)
      throw rangeError(`${op}: reinterpretedBatchNdims ${n} must be in [0, ${base.batchShape.length}] for batch shape [${base.batchShape}]`);
    const cut = base.batchShape.length - n;
    super(base.batchShape.slice(0, cut), [...base.batchShape.slice(cut), ...base.eventShape]);
    this.base = base;
    this.reinterpretedBatchNdims = n;
    (this as { hasRsample: boolean }).hasRsample = base.hasRsample;
  }
  /** base's mean. */
  get mean(): Tensor {
    return this.base.mean;
  }
  /** base's variance. */
  get variance(): Tensor {
    return this.base.variance;
  }
  /** base's draw, without gradient. */
  sample(sampleShape: number[] = [], opts: SampleOptions = {}): Tensor {
    return this.base.sample(sampleShape, opts);
  }
  /** base's reparameterised draw. */
  rsample(sampleShape: number[] = [], opts: SampleOptions = {}): Tensor {
    return this.base.rsample(sampleShape, opts);
  }
  /** Sums the last n dims of t. */
  sumRightmost(t: Tensor): Tensor {
    const n = this.reinterpretedBatchNdims;
    if (n === 0) return t;
    return t.sum(Array.from({ length: n }, (_, i) => -1 - i));
  }
  /** base's logProb summed over the reinterpreted dims. */
  logProb(value: Tensor): Tensor {
    return this.sumRightmost(this.base.logProb(value));
  }
  /** base's entropy summed over the reinterpreted dims. */
  entropy(): Tensor {
    return this.sumRightmost(this.base.entropy());
  }
}
