// Normal(loc, scale) and Uniform(low, high), both reparameterised.
import { Tensor } from '../tensor_class';
import { checkOptions } from '../args';
import { rand, randn } from '../creation';
import { Distribution, Param, SampleOptions, broadcastShapes, dtypeOf, expandTo, param, valueArg } from './distribution';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The normal distribution N(loc, scale²) (torch.distributions.Normal); loc and scale broadcast.
 * @example const d = new tf.distributions.Normal(0, 1); const x = d.sample([100]); d.logProb(x);
 */
export class Normal extends Distribution {
  /** The mean, of batchShape. */
  readonly loc: Tensor;
  /** The standard deviation, of batchShape. */
  readonly scale: Tensor;
  /** true: rsample draws loc + scale·ε, differentiable in loc and scale. */
  readonly hasRsample = true;

  constructor(loc: Param, scale: Param) {
    const op = 'distributions.Normal';
    const dt = dtypeOf(loc, scale);
    const l = param(loc, op, 'loc', dt), s = param(scale, op, 'scale', dt);
    const shape = broadcastShapes([l.shape, s.shape], op);
    super(shape, []);
    this.loc = expandTo(l, shape);
    this.scale = expandTo(s, shape);
  }
  /** loc. */
  get mean(): Tensor {
    return this.loc;
  }
  /** scale². */
  get variance(): Tensor {
    return this.scale.mul(this.scale);
  }
  /** scale. */
  get stddev(): Tensor {
    return this.scale;
  }
  /** A reparameterised draw loc + scale·ε, ε ~ N(0, 1), of shape sampleShape + batchShape. */
  rsample(sampleShape: number[] = [], opts: SampleOptions = {}): Tensor {
    const { shape, generator } = this.extended(sampleShape, opts, 'Normal.rsample');
    const eps = randn(shape, { dtype: this.loc.dtype, generator });
    return this.loc.add(eps.mul(this.scale));
  }
  /** −(value − loc)² / (2·scale²) − log scale − ½ log 2π. */
  logProb(value: Tensor): Tensor {
    const v = valueArg(value, 'Normal.logProb', this.loc.dtype);
    const z = v.sub(this.loc).div(this.scale);
    return z.mul(z).mul(-0.5).sub(this.scale.log()).sub(LOG_SQRT_2PI);
  }
  /** ½ + ½ log 2π + log scale. */
  entropy(): Tensor {
    return this.scale.log().add(0.5 + LOG_SQRT_2PI);
  }
  /** P(X <= value). */
  cdf(value: Tensor): Tensor {
    const v = valueArg(value, 'Normal.cdf', this.loc.dtype);
    return v.sub(this.loc).div(this.scale.mul(Math.SQRT2)).erf().add(1).mul(0.5);
  }
}

/** The uniform distribution on [low, high) (torch.distributions.Uniform); low and high broadcast. */
export class Uniform extends Distribution {
  /** The lower bound, of batchShape. */
  readonly low: Tensor;
  /** The upper bound, of batchShape. */
  readonly high: Tensor;
  /** true: rsample draws low + u·(high − low), differentiable in low and high. */
  readonly hasRsample = true;

  constructor(low: Param, high: Param) {
    const op = 'distributions.Uniform';
    const dt = dtypeOf(low, high);
    const l = param(low, op, 'low', dt), h = param(high, op, 'high', dt);
    const shape = broadcastShapes([l.shape, h.shape], op);
    super(shape, []);
    this.low = expandTo(l, shape);
    this.high = expandTo(h, shape);
  }
  /** (low + high) / 2. */
  get mean(): Tensor {
    return this.low.add(this.high).mul(0.5);
  }
  /** (high − low)² / 12. */
  get variance(): Tensor {
    const w = this.high.sub(this.low);
    return w.mul(w).div(12);
  }
  /** A reparameterised draw low + u·(high − low), u ~ U(0, 1), of shape sampleShape + batchShape. */
  rsample(sampleShape: number[] = [], opts: SampleOptions = {}): Tensor {
    checkOptions(opts, 'Uniform.rsample');
    const { shape, generator } = this.extended(sampleShape, opts, 'Uniform.rsample');
    const u = rand(shape, { dtype: this.low.dtype, generator });
    return this.low.add(u.mul(this.high.sub(this.low)));
  }
  /** log(1 / (high - low)) inside [low, high), -Infinity outside (as PyTorch without validation). */
  logProb(value: Tensor): Tensor {
    const v = valueArg(value, 'Uniform.logProb', this.low.dtype);
    const inside = v.ge(this.low).logicalAnd(v.lt(this.high)).to(this.low.dtype);
    return inside.log().sub(this.high.sub(this.low).log());
  }
  /** log(high − low). */
  entropy(): Tensor {
    return this.high.sub(this.low).log();
  }
}
