// Datasets: anything with a length and an indexed get(i). TensorDataset is the common case of
// several tensors whose first dimension runs over examples (images and their labels).
import { Tensor, tensor, describe, intArg } from '../tensor';
import { argumentError, axisError, shapeError } from '../errors';

/** What DataLoader needs from a dataset. `getBatch` is an optional fast path for many rows at once. */
export interface Dataset<T = unknown> {
  /** The number of examples. */
  readonly length: number;
  /** Example i (0 ≤ i < length). */
  get(i: number): T;
  /** Optional fast path: the examples at `indices`, already batched (used by DataLoader without a collateFn). */
  getBatch?(indices: Int32Array): T;
}

/**
 * Wraps tensors that share their first dimension: `new TensorDataset(images, labels)`.
 * `get(i)` returns the i-th row of each tensor (views, no copy); `length` is the shared dim 0.
  * @example const ds = new tf.data.TensorDataset(images, labels);  // ds.get(0) → [images[0], labels[0]]
 */
export class TensorDataset implements Dataset<Tensor[]> {
  /** The wrapped tensors, in constructor order. */
  readonly tensors: Tensor[];
  /** The number of examples: the tensors' shared first dimension. */
  readonly length: number;

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw argumentError('TensorDataset: expected at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw argumentError(`TensorDataset: argument ${i} must be a Tensor, got ${describe(t)}`);
      if (t.ndim === 0) throw shapeError(`TensorDataset: argument ${i} is a scalar; every tensor needs a first dimension over examples`);
    });
    const n = tensors[0].shape[0];
    const bad = tensors.findIndex((t) => t.shape[0] !== n);
    if (bad >= 0)
      throw shapeError(`TensorDataset: tensors must share their first dimension, got shapes ` +
        tensors.map((t) => `[${t.shape}]`).join(', ') + ` (argument ${bad} has ${tensors[bad].shape[0]} rows, argument 0 has ${n})`);
    this.tensors = tensors;
    this.length = n;
  }

  /** Example i: the i-th row of each tensor (views); negative i counts from the end. */
  get(i: number): Tensor[] {
    intArg(i, 'TensorDataset.get', 'index');
    const j = i < 0 ? i + this.length : i;
    if (j < 0 || j >= this.length) throw axisError(`TensorDataset.get: index ${i} is out of range for a dataset of ${this.length} examples`);
    return this.tensors.map((t) => t.select(0, j));
  }

  /** Rows `indices` of every tensor, stacked along dim 0 (one indexSelect per tensor). */
  getBatch(indices: Int32Array): Tensor[] {
    for (const i of indices)
      if (i < 0 || i >= this.length)
        throw axisError(`TensorDataset.getBatch: index ${i} is out of range for a dataset of ${this.length} examples`);
    const idx = tensor(indices, { dtype: 'int32' });
    try {
      return this.tensors.map((t) => t.indexSelect(0, idx));
    } finally {
      idx.dispose();
    }
  }
}
