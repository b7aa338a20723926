// Samplers: what order DataLoader visits a dataset in. A sampler is any iterable of example
// indices with a `length` (its number of indices per epoch), so other samplers (DistributedSampler)
// plug in without a base class; BatchSampler turns one into an iterable of index arrays.
//
// Random samplers draw each epoch from their Generator, so a fixed seed gives the same sequence of
// epochs, and a generator restored from a checkpoint continues it.
import { checkOptions, describe, intArg, Tensor } from '../tensor';
import { Generator, generatorArg } from './generator';
import { argumentError, isDetached, rangeError } from '../errors';

/** What DataLoader accepts as a sampler. */
export interface Sampler extends Iterable<number> {
  /** Indices per epoch. */
  readonly length: number;
}
/** What DataLoader accepts as a batch sampler. */
export interface BatchSamplerLike extends Iterable<number[]> {
  /** Batches per epoch. */
  readonly length: number;
}

function sizeOf(dataSource: unknown, op: string): number {
  const n = (dataSource as { length?: unknown })?.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw argumentError(`${op}: dataSource must have a non-negative integer length, got ${describe(dataSource)}`);
  return n;
}

/** 0, 1, ..., n − 1. */
export class SequentialSampler implements Sampler {
  private readonly dataSource: { length: number };
  constructor(dataSource: { length: number }) {
    sizeOf(dataSource, 'SequentialSampler');
    this.dataSource = dataSource;
  }
  /** The dataset's length. */
  get length(): number {
    return this.dataSource.length;
  }
  /** Yields 0, 1, ..., length − 1. */
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.dataSource.length; i++) yield i;
  }
}

/** Options of RandomSampler. */
export interface RandomSamplerOptions {
  /** Draw with replacement (default false: a permutation each epoch). */
  replacement?: boolean;
  /** Indices per epoch (default: the dataset's length). */
  numSamples?: number | null;
  /** The generator, or a seed for a new one (default: seeded from tf's global generator). */
  generator?: Generator | number | null;
}

/** A random order each epoch: a permutation (repeated to numSamples), or numSamples draws with replacement. */
export class RandomSampler implements Sampler {
  /** Whether indices are drawn with replacement. */
  readonly replacement: boolean;
  /** The generator each epoch's order is drawn from. */
  readonly generator: Generator;
  private readonly dataSource: { length: number };
  private readonly fixedNum: number | null;
  constructor(dataSource: { length: number }, opts: RandomSamplerOptions = {}) {
    const op = 'RandomSampler';
    sizeOf(dataSource, op);
    checkOptions(opts, op);
    this.dataSource = dataSource;
    this.replacement = !!opts.replacement;
    if (opts.numSamples !== undefined && opts.numSamples !== null) {
      intArg(opts.numSamples, op, 'numSamples');
      if (opts.numSamples <= 0) throw rangeError(`${op}: numSamples must be a positive integer, got ${opts.numSamples}`);
    }
    this.fixedNum = opts.numSamples ?? null;
    this.generator = generatorArg(opts.generator, op);
  }
  /** Indices per epoch: numSamples, or the dataset's length. */
  get length(): number {
    return this.fixedNum ?? this.dataSource.length;
  }
  /** Yields one epoch's random indices, drawing from the generator. */
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length, k = this.length;
    if (n === 0) return;
    if (this.replacement) {
      const u = this.generator.uniforms(k);
      for (let i = 0; i < k; i++) yield Math.min(Math.floor(u[i] * n), n - 1);
      return;
    }
    for (let done = 0; done < k;) {
      const p = this.generator.permutation(n);
      for (let i = 0; i < n && done < k; i++, done++) yield p[i];
    }
  }
}

/** Indices 0..len(weights)−1 drawn with probability proportional to weights (with replacement by default). */
export class WeightedRandomSampler implements Sampler {
  /** The (unnormalised) weight of each index. */
  readonly weights: Float64Array;
  /** Indices drawn per epoch. */
  readonly numSamples: number;
  /** Whether an index may be drawn more than once per epoch. */
  readonly replacement: boolean;
  /** The generator the draws come from. */
  readonly generator: Generator;
  constructor(weights: number[] | Float64Array | Float32Array | Tensor, numSamples: number,
    opts: { replacement?: boolean; generator?: Generator | number | null } = {}) {
    const op = 'WeightedRandomSampler';
    if ((weights instanceof Float64Array || weights instanceof Float32Array) && isDetached(weights))
      throw argumentError(`${op}: weights is a typed array whose buffer has been detached (transferred)`);
    if (Array.isArray(weights) && !weights.every((v) => typeof v === 'number'))
      throw argumentError(`${op}: weights must be an array of numbers or a Tensor, got an array holding a non-number`);
    checkOptions(opts, op);
    const w = weights instanceof Tensor ? Float64Array.from(weights.toTypedArray() as ArrayLike<number>)
      : Array.isArray(weights) || weights instanceof Float64Array || weights instanceof Float32Array ? Float64Array.from(weights)
        : null;
    if (!w) throw argumentError(`${op}: weights must be an array of numbers or a Tensor, got ${describe(weights)}`);
    if (w.some((v) => !(v >= 0) || !Number.isFinite(v))) throw rangeError(`${op}: weights must be finite and non-negative`);
    if (!w.some((v) => v > 0)) throw rangeError(`${op}: at least one weight must be positive`);
    intArg(numSamples, op, 'numSamples');
    if (numSamples <= 0) throw rangeError(`${op}: numSamples must be a positive integer, got ${numSamples}`);
    this.replacement = opts.replacement ?? true;
    const positive = w.filter((v) => v > 0).length;
    if (!this.replacement && numSamples > positive)
      throw rangeError(`${op}: cannot draw ${numSamples} samples without replacement from ${positive} positive weights`);
    this.weights = w;
    this.numSamples = numSamples;
    this.generator = generatorArg(opts.generator, op);
  }
  /** numSamples. */
  get length(): number {
    return this.numSamples;
  }
  /** Yields numSamples indices drawn with probability proportional to their weights. */
  *[Symbol.iterator](): Iterator<number> {
    const w = this.weights, n = w.length, k = this.numSamples;
    const u = this.generator.uniforms(this.replacement ? k : n);
    if (this.replacement) {
      const cdf = new Float64Array(n);
      let s = 0;
      for (let i = 0; i < n; i++) cdf[i] = s += w[i];
      for (let j = 0; j < k; j++) {
        // The first index whose cumulative weight exceeds u·total (binary search).
        const x = u[j] * s;
        let lo = 0, hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid] > x) hi = mid;
          else lo = mid + 1;
        }
        yield lo;
      }
      return;
    }
    // Without replacement: the k largest keys log(u)/w (Efraimidis–Spirakis), in key order, which is
    // distributed as k successive weighted draws that each remove the chosen index.
    const keys = Array.from({ length: n }, (_, i) => [w[i] > 0 ? Math.log(u[i]) / w[i] : -Infinity, i]);
    keys.sort((a, b) => b[0] - a[0]);
    for (let j = 0; j < k; j++) yield keys[j][1];
  }
}

/** Groups a sampler's indices into arrays of batchSize (the last one shorter unless dropLast). */
export class BatchSampler implements BatchSamplerLike {
  constructor(
    /** The sampler whose indices are grouped. */ readonly sampler: Iterable<number> & { length: number },
    /** Indices per batch. */ readonly batchSize: number,
    /** Whether a last, shorter batch is dropped. */ readonly dropLast = false) {
    const op = 'BatchSampler';
    if (!sampler || typeof (sampler as Iterable<number>)[Symbol.iterator] !== 'function' || typeof sampler.length !== 'number')
      throw argumentError(`${op}: sampler must be an iterable of indices with a length, got ${describe(sampler)}`);
    intArg(batchSize, op, 'batchSize');
    if (batchSize < 1) throw rangeError(`${op}: batchSize must be at least 1, got ${batchSize}`);
  }
  /** The number of batches per epoch. */
  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  /** Yields the sampler's indices in arrays of batchSize. */
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length && !this.dropLast) yield batch;
  }
}
