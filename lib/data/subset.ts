// Dataset combinators: Subset (a dataset restricted to some indices), ConcatDataset (datasets one
// after another) and randomSplit (non-overlapping random subsets of given sizes or fractions).
import { describe, intArg } from '../tensor';
import { Dataset } from './dataset';
import { Generator, generatorArg } from './generator';
import { argumentError, rangeError, tfError, show } from '../errors';

function checkDataset(d: unknown, op: string): Dataset<unknown> {
  const ds = d as Dataset<unknown>;
  if (!ds || typeof ds.get !== 'function' || typeof ds.length !== 'number')
    throw argumentError(`${op}: dataset must have a numeric length and a get(i) method, got ${describe(d)}`);
  return ds;
}
function checkIndex(i: number, n: number, op: string): number {
  intArg(i, op, 'index');
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) throw rangeError(`${op}: index ${i} is out of range for a dataset of ${n} examples`);
  return j;
}

/** dataset restricted to `indices` (in that order). */
export class Subset<T = unknown> implements Dataset<T> {
  /** The wrapped dataset. */
  readonly dataset: Dataset<T>;
  /** The wrapped dataset's indices, in this subset's order. */
  readonly indices: Int32Array;
  constructor(dataset: Dataset<T>, indices: ArrayLike<number>) {
    this.dataset = checkDataset(dataset, 'Subset') as Dataset<T>;
    if (!indices || typeof (indices as ArrayLike<number>).length !== 'number')
      throw argumentError(`Subset: indices must be an array of integers, got ${describe(indices)}`);
    const n = dataset.length;
    this.indices = Int32Array.from(indices as ArrayLike<number>, (i) => {
      if (!Number.isInteger(i) || i < -n || i >= n)
        throw rangeError(`Subset: index ${i} is out of range for a dataset of ${n} examples`);
      return i < 0 ? i + n : i;
    });
    // A batch fast path only where the wrapped dataset has one (DataLoader tests for getBatch).
    const inner = dataset.getBatch;
    if (inner)
      this.getBatch = (idx: Int32Array) =>
        inner.call(dataset, Int32Array.from(idx, (i) => this.indices[checkIndex(i, this.indices.length, 'Subset.getBatch')]));
  }
  /** A batch of this subset's examples at `indices`; present only when the wrapped dataset has getBatch. */
  getBatch?: (indices: Int32Array) => T;
  /** The number of indices. */
  get length(): number {
    return this.indices.length;
  }
  /** Example i of the subset: dataset.get(indices[i]). */
  get(i: number): T {
    return this.dataset.get(this.indices[checkIndex(i, this.indices.length, 'Subset.get')]);
  }
}

/** Several datasets one after another: index i runs through the first, then the second, ... */
export class ConcatDataset<T = unknown> implements Dataset<T> {
  /** The datasets, in order. */
  readonly datasets: Dataset<T>[];
  /** Running totals of the datasets' lengths (the last is the length). */
  readonly cumulativeSizes: number[];
  constructor(datasets: Dataset<T>[]) {
    if (!Array.isArray(datasets) || datasets.length === 0)
      throw argumentError(`ConcatDataset: expected a non-empty array of datasets, got ${describe(datasets)}`);
    datasets.forEach((d, i) => checkDataset(d, `ConcatDataset (dataset ${i})`));
    this.datasets = datasets;
    let s = 0;
    this.cumulativeSizes = datasets.map((d) => (s += d.length));
  }
  /** The sum of the datasets' lengths. */
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }
  /** Example i: from the dataset that index i falls into. */
  get(i: number): T {
    const j = checkIndex(i, this.length, 'ConcatDataset.get');
    let k = 0;
    while (this.cumulativeSizes[k] <= j) k++;
    return this.datasets[k].get(j - (k ? this.cumulativeSizes[k - 1] : 0));
  }
}

/**
 * Splits dataset into non-overlapping random Subsets of the given lengths: counts summing to its
 * length, or fractions summing to 1 (floor(n·f) each, the remainder handed out one at a time from
 * the first subset on, as PyTorch). The permutation comes from `generator` (a Generator or a seed).
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: number[], opts: { generator?: Generator | number | null } = {}): Subset<T>[] {
  const op = 'randomSplit';
  checkDataset(dataset, op);
  if (!Array.isArray(lengths) || lengths.length === 0 || !lengths.every((v) => typeof v === 'number' && v >= 0))
    throw argumentError(`${op}: lengths must be a non-empty array of non-negative numbers, got ${describe(lengths)}`);
  const n = dataset.length;
  let counts = lengths;
  const sum = lengths.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) < 1e-9 && lengths.every((v) => v <= 1)) {
    counts = lengths.map((f) => Math.floor(n * f));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]++;
  }
  if (!counts.every((v) => Number.isInteger(v)))
    throw argumentError(`${op}: lengths must be integers or fractions summing to 1, got ${show(lengths)}`);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== n) throw tfError('ARGUMENT', `${op}: the lengths sum to ${total}, but the dataset has ${n} examples`);
  const perm = generatorArg(opts.generator, op).permutation(n);
  let off = 0;
  return counts.map((c) => {
    const s = new Subset(dataset, perm.subarray(off, off + c));
    off += c;
    return s;
  });
}
