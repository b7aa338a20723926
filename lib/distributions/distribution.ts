// The base of tf.distributions (torch.distributions.Distribution): parameters are tensors broadcast
// to the batch shape; a draw has shape sampleShape + batchShape + eventShape.
import { Tensor } from '../tensor_class';
import { checkOptions, describe, isFloating, shapeArg } from '../args';
import { tensor } from '../creation';
import { noGrad } from '../autograd';
import { Generator, generatorArg } from '../generator';
import { argumentError, dtypeError, shapeError, tfError } from '../errors';

/** Options of sample / rsample. */
export type SampleOptions = {
  /** Draw from this tf.Generator instead of the global one. */ generator?: Generator };
export type Param = Tensor | number;

/**
 * The base of the distributions (torch.distributions.Distribution): parameters broadcast to
 * batchShape; a draw has shape sampleShape + batchShape + eventShape.
 */
export abstract class Distribution {
  /** The shape of independent (not identically distributed) draws, from the parameters' broadcast shape. */
  readonly batchShape: number[];
  /** The shape of one draw ([] for scalar distributions, [k] for MultivariateNormal). */
  readonly eventShape: number[];
  /** Whether rsample is available (torch's has_rsample). */
  readonly hasRsample: boolean = false;

  constructor(batchShape: number[], eventShape: number[]) {
    this.batchShape = batchShape;
    this.eventShape = eventShape;
  }
  /** The mean, of batchShape + eventShape. */
  abstract get mean(): Tensor;
  /** The variance, of batchShape + eventShape. */
  abstract get variance(): Tensor;
  /** The standard deviation, sqrt(variance). */
  get stddev(): Tensor {
    return this.variance.sqrt();
  }
  /**
   * The log density (or mass) of `value` ([..., ...batchShape, ...eventShape]) → [..., ...batchShape]; differentiable
   * in the parameters.
   */
  abstract logProb(value: Tensor): Tensor;
  /** The entropy, of batchShape. */
  abstract entropy(): Tensor;
  /** A draw without gradient. */
  sample(sampleShape: number[] = [], opts: SampleOptions = {}): Tensor {
    return noGrad(() => this.rsample(sampleShape, opts));
  }
  /** A reparameterised draw: gradients flow to the parameters. */
  rsample(sampleShape: number[] = [], opts: SampleOptions = {}): Tensor {
    void sampleShape;
    void opts;
    throw tfError('ARGUMENT', `${this.constructor.name}.rsample: this distribution has no reparameterised sampler; use sample`);
  }
  /** sampleShape + batchShape + eventShape, checking the arguments. */
  protected extended(sampleShape: unknown, opts: unknown, op: string): { shape: number[]; generator?: Generator } {
    checkOptions(opts, op);
    const s = sampleShape === undefined ? [] : shapeArg(sampleShape, op);
    const g = generatorArg((opts as SampleOptions).generator, op);
    return { shape: [...s, ...this.batchShape, ...this.eventShape], generator: g };
  }
}

const isFloat = (t: Tensor): boolean => isFloating(t.dtype);

/** A number or a float tensor, as a tensor (numbers become float32, or `like`'s dtype). */
export function param(x: unknown, op: string, what: string, dtype?: string): Tensor {
  if (typeof x === 'number') return tensor(x, { dtype: (dtype ?? 'float32') as 'float32' | 'float64' });
  if (!(x instanceof Tensor)) throw argumentError(`${op}: ${what} must be a Tensor or a number, got ${describe(x)}`);
  if (!isFloat(x)) throw dtypeError(`${op}: ${what} must be float32 or float64, got ${x.dtype}`);
  return x;
}

/** The dtype of the first tensor argument, for number arguments beside it. */
export function dtypeOf(...xs: unknown[]): string | undefined {
  for (const x of xs) if (x instanceof Tensor && isFloat(x)) return x.dtype;
  return undefined;
}

export function broadcastShapes(shapes: number[][], op: string): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < nd; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - nd + i] ?? 1;
      if (v !== 1 && d !== 1 && v !== d) throw shapeError(`${op}: shapes ${shapes.map((x) => `[${x}]`).join(' and ')} do not broadcast`);
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}

export function expandTo(t: Tensor, shape: number[]): Tensor {
  return t.shape.join() === shape.join() ? t : t.expand(shape);
}

/** The value argument of logProb: a tensor of the distribution's dtype. */
export function valueArg(v: unknown, op: string, dtype: string): Tensor {
  if (typeof v === 'number') return tensor(v, { dtype: dtype as 'float32' });
  if (!(v instanceof Tensor)) throw argumentError(`${op}: value must be a Tensor, got ${describe(v)}`);
  return v;
}
