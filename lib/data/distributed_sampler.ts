// DistributedSampler: each rank's share of a dataset's indices, epoch by epoch, with PyTorch's
// sharding rules: the (optionally shuffled) index list is padded by repeating its start until it
// divides evenly (or, with dropLast, cut to a multiple of the number of replicas), and rank r takes
// every numReplicas-th index starting at r. All ranks must use the same seed: they shuffle alike
// and take disjoint shares. The order differs from PyTorch's for the same seed (another generator).
import { checkOptions, describe, intArg } from '../tensor';
import { permutation } from './loader';
import { state as group } from '../distributed/group';
import { argumentError, rangeError } from '../errors';

/** Options of DistributedSampler. */
export interface DistributedSamplerOptions {
  /** Number of ranks sharing the dataset (default: the world size, 1 without a process group). */
  numReplicas?: number;
  /** This rank's index (default: the process group's rank, 0 without one). */
  rank?: number;
  /** Shuffle every epoch (default true); call setEpoch(e) before each epoch for a fresh order. */
  shuffle?: boolean;
  /** Seed of the shuffle; must be the same on every rank (default 0). */
  seed?: number;
  /** Drop the tail that does not divide evenly instead of padding with repeated indices (default false). */
  dropLast?: boolean;
}

/**
 * Each rank's share of a dataset's indices, epoch by epoch (torch's DistributedSampler): the
 * (shuffled) index list is padded to a multiple of numReplicas, or cut with dropLast, and rank r
 * takes every numReplicas-th index from r. Call setEpoch(e) before each epoch on every rank.
 * @example const loader = new tf.data.DataLoader(ds, { batchSize: 32, sampler: new tf.data.DistributedSampler(ds) });
 */
export class DistributedSampler implements Iterable<number> {
  /** Number of ranks sharing the dataset. */
  readonly numReplicas: number;
  /** This rank's index. */
  readonly rank: number;
  /** Whether the index list is shuffled each epoch. */
  readonly shuffle: boolean;
  /** The shuffle's seed, the same on every rank. */
  readonly seed: number;
  /** Whether the tail is dropped instead of padded. */
  readonly dropLast: boolean;
  /** Indices this rank gets per epoch. */
  readonly numSamples: number;
  /** Indices all ranks get together per epoch (numSamples * numReplicas). */
  readonly totalSize: number;
  /** The epoch that seeds the shuffle (set with setEpoch). */
  epoch = 0;
  private readonly n: number;

  constructor(dataset: { length: number }, opts: DistributedSamplerOptions = {}) {
    checkOptions(opts, 'DistributedSampler');
    if (!dataset || typeof dataset.length !== 'number' || !(dataset.length >= 0))
      throw argumentError(`DistributedSampler: dataset must have a numeric length, got ${describe(dataset)}`);
    const inGroup = group.initialized;
    const { numReplicas = inGroup ? group.size : 1, rank = inGroup ? group.rank : 0, shuffle = true, seed = 0, dropLast = false } = opts;
    intArg(numReplicas, 'DistributedSampler', 'numReplicas');
    intArg(rank, 'DistributedSampler', 'rank');
    intArg(seed, 'DistributedSampler', 'seed');
    if (numReplicas < 1) throw rangeError(`DistributedSampler: numReplicas must be at least 1, got ${numReplicas}`);
    if (rank < 0 || rank >= numReplicas)
      throw rangeError(`DistributedSampler: rank ${rank} is out of range for ${numReplicas} replicas`);
    this.n = dataset.length;
    this.numReplicas = numReplicas;
    this.rank = rank;
    this.shuffle = !!shuffle;
    this.seed = seed;
    this.dropLast = !!dropLast;
    this.numSamples = this.dropLast && this.n % numReplicas !== 0
      ? Math.ceil((this.n - numReplicas) / numReplicas)
      : Math.ceil(this.n / numReplicas);
    this.totalSize = this.numSamples * numReplicas;
  }

  /** Sets the epoch, which seeds the shuffle: call it before each epoch on every rank. */
  setEpoch(epoch: number): void {
    intArg(epoch, 'setEpoch', 'epoch');
    this.epoch = epoch;
  }

  /** numSamples: indices this rank gets per epoch. */
  get length(): number {
    return this.numSamples;
  }

  /** This rank's indices for the current epoch. */
  indices(): Int32Array {
    let all: Int32Array;
    if (this.shuffle) all = permutation(this.n, this.seed, this.epoch);
    else {
      all = new Int32Array(this.n);
      for (let i = 0; i < this.n; i++) all[i] = i;
    }
    const padded = new Int32Array(this.totalSize);
    // Pad by repeating the list from its start (as often as needed), or cut the tail.
    for (let i = 0; i < this.totalSize; i++) padded[i] = all[i % Math.max(1, this.n)];
    const out = new Int32Array(this.numSamples);
    for (let k = 0; k < this.numSamples; k++) out[k] = padded[this.rank + k * this.numReplicas];
    return out;
  }

  /** Yields this rank's indices for the current epoch. */
  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }
}
