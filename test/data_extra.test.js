// Subset, ConcatDataset, randomSplit, the samplers, and DataLoader's sampler / batchSampler / collateFn.
'use strict';
const tf = require('..');

const D = tf.data;
const range = (n) => new D.TensorDataset(tf.arange(0, n).reshape([n, 1]));
const ids = (batch) => Array.from(batch[0].toTypedArray());

describe('dataset combinators', () => {
  test('Subset and ConcatDataset index through', () => {
    const a = range(5), b = range(3);
    const s = new D.Subset(a, [4, 0, -1]);
    expect(s.length).toBe(3);
    expect(s.get(0)[0].item()).toBe(4);
    expect(s.get(2)[0].item()).toBe(4);
    const c = new D.ConcatDataset([a, b]);
    expect(c.length).toBe(8);
    expect([0, 4, 5, 7].map((i) => c.get(i)[0].item())).toEqual([0, 4, 0, 2]);
    expect(() => c.get(8)).toThrow(/ConcatDataset.get: index 8 is out of range for a dataset of 8 examples/);
    expect(() => new D.Subset(a, [5])).toThrow(/Subset: index 5 is out of range/);
  });
  test('randomSplit: counts or fractions, a partition, the same for the same seed', () => {
    const ds = range(10);
    const [x, y] = D.randomSplit(ds, [7, 3], { generator: 42 });
    const all = [...x.indices, ...y.indices].sort((p, q) => p - q);
    expect(all).toEqual([...Array(10).keys()]);
    const again = D.randomSplit(ds, [7, 3], { generator: new D.Generator(42) });
    expect(Array.from(again[0].indices)).toEqual(Array.from(x.indices));
    // Fractions: floor(10·f) = 3, 3, 3, and the remaining 1 goes to the first subset.
    expect(D.randomSplit(ds, [0.3, 0.3, 0.4], { generator: 1 }).map((s) => s.length)).toEqual([3, 3, 4]);
    expect(D.randomSplit(ds, [1 / 3, 1 / 3, 1 / 3], { generator: 1 }).map((s) => s.length)).toEqual([4, 3, 3]);
    expect(() => D.randomSplit(ds, [5, 4])).toThrow(/the lengths sum to 9, but the dataset has 10 examples/);
  });
});

describe('samplers', () => {
  test('SequentialSampler, RandomSampler (a fresh permutation each epoch), with replacement', () => {
    expect([...new D.SequentialSampler(range(4))]).toEqual([0, 1, 2, 3]);
    const r = new D.RandomSampler(range(6), { generator: 3 });
    const e1 = [...r], e2 = [...r];
    expect([...e1].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(e2).not.toEqual(e1);
    const r2 = new D.RandomSampler(range(6), { generator: 3 });
    expect([...r2]).toEqual(e1);
    const rep = new D.RandomSampler(range(3), { replacement: true, numSamples: 50, generator: 1 });
    const draws = [...rep];
    expect(draws.length).toBe(50);
    expect(new Set(draws)).toEqual(new Set([0, 1, 2]));
    expect([...new D.RandomSampler(range(3), { numSamples: 7, generator: 2 })].length).toBe(7);
  });
  test('tf.manualSeed fixes an unseeded RandomSampler', () => {
    tf.manualSeed(5);
    const a = [...new D.RandomSampler(range(8))];
    tf.manualSeed(5);
    expect([...new D.RandomSampler(range(8))]).toEqual(a);
  });
  test('WeightedRandomSampler follows the weights; without replacement it never repeats', () => {
    const s = new D.WeightedRandomSampler([0, 1, 3], 4000, { generator: 7 });
    const counts = [0, 0, 0];
    for (const i of s) counts[i]++;
    expect(counts[0]).toBe(0);
    expect(Math.abs(counts[2] / 4000 - 0.75)).toBeLessThan(0.03);
    const nr = [...new D.WeightedRandomSampler([1, 1, 5, 0, 2], 4, { replacement: false, generator: 1 })];
    expect(new Set(nr).size).toBe(4);
    expect(nr).not.toContain(3);
    expect(() => new D.WeightedRandomSampler([1, 0], 2, { replacement: false })).toThrow(/cannot draw 2 samples without replacement/);
  });
  test('BatchSampler', () => {
    const b = new D.BatchSampler(new D.SequentialSampler(range(5)), 2);
    expect([...b]).toEqual([[0, 1], [2, 3], [4]]);
    expect(b.length).toBe(3);
    expect([...new D.BatchSampler(new D.SequentialSampler(range(5)), 2, true)]).toEqual([[0, 1], [2, 3]]);
  });
});

describe('DataLoader with sampler, batchSampler, collateFn', () => {
  test('sampler: any iterable of indices with a length', () => {
    const plain = { length: 3, *[Symbol.iterator]() { yield 4; yield 1; yield 2; } };
    const dl = new D.DataLoader(range(5), { sampler: plain, batchSize: 2 });
    expect(dl.length).toBe(2);
    expect([...dl].map(ids)).toEqual([[4, 1], [2]]);
  });
  test('batchSampler and collateFn', () => {
    const bs = new D.BatchSampler(new D.SequentialSampler(range(5)), 3);
    const dl = new D.DataLoader(range(5), { batchSampler: bs, collateFn: (items) => items.map((it) => it[0].item()) });
    expect([...dl]).toEqual([[0, 1, 2], [3, 4]]);
    const def = new D.DataLoader(range(4), { batchSize: 2, collateFn: D.defaultCollate });
    expect([...def].map(ids)).toEqual([[0, 1], [2, 3]]);
  });
  test('a seeded RandomSampler gives the same epochs as itself, run after run', () => {
    const run = () => {
      const dl = new D.DataLoader(range(7), { sampler: new D.RandomSampler(range(7), { generator: 9 }), batchSize: 3 });
      return [[...dl].map(ids), [...dl].map(ids)];
    };
    expect(run()).toEqual(run());
  });
  test('conflicting options are errors', () => {
    const s = new D.SequentialSampler(range(3));
    expect(() => new D.DataLoader(range(3), { sampler: s, shuffle: true })).toThrow(/sampler and shuffle are mutually exclusive/);
    expect(() => new D.DataLoader(range(3), { batchSampler: new D.BatchSampler(s, 2), batchSize: 2 }))
      .toThrow(/batchSampler is mutually exclusive/);
    expect(() => new D.DataLoader(range(3), { sampler: { length: 2 } })).toThrow(/sampler must be an iterable of indices with a length/);
    // A plain array of indices is a sampler.
    expect([...new D.DataLoader(range(3), { sampler: [2, 0] })].map(ids)).toEqual([[2], [0]]);
  });
  test('Subset keeps the fast batch path of a TensorDataset', async () => {
    const sub = new D.Subset(range(6), [5, 3, 1]);
    const dl = new D.DataLoader(sub, { batchSize: 2 });
    expect([...dl].map(ids)).toEqual([[5, 3], [1]]);
    const got = [];
    for await (const b of dl) got.push(ids(b));
    expect(got).toEqual([[5, 3], [1]]);
  });
});
