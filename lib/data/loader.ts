// DataLoader: batches over a dataset, optionally shuffled with a seeded generator, as a plain
// iterable (`for (const [x, y] of loader)`) or an async one (`for await (...)`) that builds the next
// batch on the event loop while the caller is still busy with the current one.
import { Tensor, tensor, describe, intArg, dispose, checkOptions } from '../tensor';
import { stack } from '../ops';
import { Dataset } from './dataset';
import { argumentError, rangeError } from '../errors';

/** Options of DataLoader (PyTorch's names in camelCase). */
export interface DataLoaderOptions {
  /** Examples per batch (default 1). */
  batchSize?: number;
  /** Visit examples in a fresh random order every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it would be smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Seed for the shuffle: the same seed gives the same sequence of epoch orders. Random if omitted. */
  seed?: number;
  /** The example order: any iterable of indices with a length (excludes shuffle). */
  sampler?: (Iterable<number> & { readonly length: number }) | null;
  /** Whole batches of indices: an iterable of index arrays with a length (excludes batchSize, shuffle, sampler, dropLast). */
  batchSampler?: (Iterable<number[]> & { readonly length: number }) | null;
  /** Builds a batch from the list of dataset items (default: defaultCollate, which stacks field by field). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  collateFn?: ((items: any[]) => any) | null;
}

/** What a batch looks like for dataset items of type T: every tensor or number becomes a stacked tensor. */
export type Collated<T> = T extends Tensor ? Tensor
  : T extends number | boolean ? Tensor
  : T extends readonly unknown[] ? { [K in keyof T]: Collated<T[K]> }
  : T extends object ? { [K in keyof T]: Collated<T[K]> }
  : never;

/** mulberry32: a small, fast, well-mixed 32-bit generator; plenty for shuffling. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A permutation of 0..n-1 that depends only on (seed, epoch). */
export function permutation(n: number, seed: number, epoch: number): Int32Array {
  if (typeof n !== 'number') throw argumentError(`permutation: n must be a number, got ${describe(n)}`);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw rangeError(`permutation: n must be an integer in [0, 2^31), got ${n}`);
  if (seed !== undefined && typeof seed !== 'number') throw argumentError(`permutation: seed must be a number, got ${describe(seed)}`);
  if (epoch !== undefined && typeof epoch !== 'number') throw argumentError(`permutation: epoch must be a number, got ${describe(epoch)}`);
  // Mix seed and epoch so that neighbouring epochs (and seeds) give unrelated streams.
  const next = mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35));
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    // 53 random bits, so the choice is unbiased for any dataset size we can hold.
    const r = (next() * 2 ** 21 + (next() >>> 11)) / 2 ** 53;
    const j = Math.floor(r * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** Stacks a list of dataset items field by field: tensors stacked on a new dim 0, numbers and booleans into tensors. */
export function defaultCollate(items: unknown[]): unknown {
  if (!Array.isArray(items) || items.length === 0) throw argumentError(`defaultCollate: expected a non-empty array of items, got ${describe(items)}`);
  return collate(items);
}
function collate(items: unknown[], where = 'item'): unknown {
  const first = items[0];
  if (first instanceof Tensor) {
    items.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw argumentError(`DataLoader: ${where} of example ${i} is ${describe(x)}, but example 0 has a Tensor`);
    });
    return stack(items as Tensor[], 0);
  }
  if (typeof first === 'number') {
    const v = items as number[];
    return v.every(Number.isInteger) ? tensor(Int32Array.from(v)) : tensor(Float32Array.from(v));
  }
  if (typeof first === 'boolean') return tensor(Uint8Array.from(items as boolean[], (b) => (b ? 1 : 0)), { dtype: 'bool' });
  if (Array.isArray(first)) return first.map((_, k) => collate(items.map((x) => (x as unknown[])[k]), `${where}[${k}]`));
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype)
    return Object.fromEntries(Object.keys(first).map((k) =>
      [k, collate(items.map((x) => (x as Record<string, unknown>)[k]), `${where}.${k}`)]));
  throw argumentError(`DataLoader: cannot batch ${where} of type ${describe(first)} (expected Tensors, numbers, booleans, arrays or plain objects)`);
}

/**
 * Batches a dataset (torch.utils.data.DataLoader): iterate it once per epoch, synchronously or
 * with `for await`, to get collated batches (tensors stacked on a new dim 0: items [c, h, w] give
 * [batch, c, h, w]). Shuffling is seeded and advances with `epoch`; samplers and collateFn as in PyTorch.
 * @example for (const [x, y] of new tf.data.DataLoader(ds, { batchSize: 64, shuffle: true })) { ... }
 */
export class DataLoader<T = Tensor[]> implements Iterable<Collated<T>>, AsyncIterable<Collated<T>> {
  /** The dataset batches are drawn from. */
  readonly dataset: Dataset<T>;
  /** Examples per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the examples in a fresh random order. */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than batchSize is dropped. */
  readonly dropLast: boolean;
  /** The shuffle's seed (random when none was given): with `epoch`, it fixes the order. */
  readonly seed: number;
  /** Epoch number of the next iteration; each iteration advances it. Set it to resume a run's order. */
  epoch = 0;
  /** The sampler giving the example order, or null. */
  readonly sampler: (Iterable<number> & { readonly length: number }) | null;
  /** The batch sampler giving whole batches of indices, or null. */
  readonly batchSampler: (Iterable<number[]> & { readonly length: number }) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  /** The function building a batch from a list of items, or null (defaultCollate, or the dataset's getBatch). */
  readonly collateFn: ((items: any[]) => any) | null;

  constructor(dataset: Dataset<T>, opts: DataLoaderOptions = {}) {
    checkOptions(opts, 'DataLoader');
    if (!dataset || typeof (dataset as Dataset<T>).get !== 'function' || typeof (dataset as Dataset<T>).length !== 'number')
      throw argumentError(`DataLoader: dataset must have a numeric length and a get(i) method, got ${describe(dataset)}`);
    if (opts === null || typeof opts !== 'object') throw argumentError(`DataLoader: options must be an object, got ${describe(opts)}`);
    const { batchSize = 1, shuffle = false, dropLast = false, seed, sampler = null, batchSampler = null, collateFn = null } = opts;
    const isIterable = (x: unknown) => x !== null && typeof x === 'object' &&
      typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function' && typeof (x as { length?: unknown }).length === 'number';
    if (sampler !== null && !isIterable(sampler))
      throw argumentError(`DataLoader: sampler must be an iterable of indices with a length, got ${describe(sampler)}`);
    if (batchSampler !== null && !isIterable(batchSampler))
      throw argumentError(`DataLoader: batchSampler must be an iterable of index arrays with a length, got ${describe(batchSampler)}`);
    if (collateFn !== null && typeof collateFn !== 'function')
      throw argumentError(`DataLoader: collateFn must be a function, got ${describe(collateFn)}`);
    if (sampler && shuffle) throw argumentError('DataLoader: sampler and shuffle are mutually exclusive');
    if (batchSampler && (batchSize !== 1 || shuffle || sampler || dropLast))
      throw argumentError('DataLoader: batchSampler is mutually exclusive with batchSize, shuffle, sampler and dropLast');
    this.sampler = sampler;
    this.batchSampler = batchSampler;
    this.collateFn = collateFn;
    intArg(batchSize, 'DataLoader', 'batchSize');
    if (batchSize < 1) throw rangeError(`DataLoader: batchSize must be at least 1, got ${batchSize}`);
    if (seed !== undefined) intArg(seed, 'DataLoader', 'seed');
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = !!shuffle;
    this.dropLast = !!dropLast;
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 32);
  }

  /** Number of batches per epoch. */
  get length(): number {
    if (this.batchSampler) return this.batchSampler.length;
    const n = this.sampler ? this.sampler.length : this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The example order of the given epoch (the identity when not shuffling). */
  order(epoch: number): Int32Array {
    if (this.sampler) return Int32Array.from(this.sampler);
    const n = this.dataset.length;
    if (this.shuffle) return permutation(n, this.seed, epoch);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return p;
  }

  private fetch(idx: Int32Array): Collated<T> {
    if (this.dataset.getBatch && !this.collateFn) return this.dataset.getBatch(idx) as unknown as Collated<T>;
    const items: unknown[] = [];
    for (const i of idx) items.push(this.dataset.get(i));
    return (this.collateFn ? this.collateFn(items) : collate(items)) as Collated<T>;
  }

  // One epoch's batches of indices: from the batch sampler, or the (sampler's or own) order in batchSize pieces.
  private epochBatches(): Int32Array[] {
    if (this.batchSampler) return Array.from(this.batchSampler, (b) => Int32Array.from(b));
    const order = this.sampler ? Int32Array.from(this.sampler) : this.order(this.epoch);
    const out: Int32Array[] = [];
    const nb = this.dropLast ? Math.floor(order.length / this.batchSize) : Math.ceil(order.length / this.batchSize);
    for (let b = 0; b < nb; b++) out.push(order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize)));
    return out;
  }

  /** Iterates one epoch's batches, then advances `epoch`. */
  *[Symbol.iterator](): Iterator<Collated<T>> {
    const batches = this.epochBatches();
    this.epoch++;
    for (const idx of batches) yield this.fetch(idx);
  }

  /**
   * Iterates one epoch's batches asynchronously, preparing the next batch while the caller works on the current one.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Collated<T>> {
    const batches = this.epochBatches();
    this.epoch++;
    const nb = batches.length;
    if (nb === 0) return;
    // Build batch b on the next turn of the event loop, so that it overlaps with whatever the
    // consumer awaits while working on batch b - 1 (rendering progress, I/O, timers).
    const prefetch = (b: number): Promise<Collated<T>> => {
      const p = new Promise<Collated<T>>((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(this.fetch(batches[b]));
          } catch (e) {
            reject(e);
          }
        }));
      // Mark the rejection handled now: it is awaited (and rethrown) later, but Node would otherwise
      // report it as unhandled while the consumer is still busy with the previous batch.
      p.catch(() => undefined);
      return p;
    };
    let current: Collated<T> | null = this.fetch(batches[0]);
    let pending: Promise<Collated<T>> | null = null;
    try {
      for (let b = 0; b < nb; b++) {
        pending = b + 1 < nb ? prefetch(b + 1) : null;
        const out = current as Collated<T>;
        current = null;
        yield out;
        if (pending) {
          current = await pending;
          pending = null;
        }
      }
    } finally {
      // The consumer stopped early: free the batch nobody will see.
      if (pending) pending.then((x) => dispose(x), () => undefined);
      if (current) dispose(current);
    }
  }
}
