// tf.Generator and the random sampling functions. Our generator differs from PyTorch's, so the
// checks are statistical (fixed seeds, generous bounds) rather than PyTorch's exact numbers.
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const { tf } = require('./helpers');

const vals = (t) => Array.from(t.toTypedArray(), Number);
const meanOf = (a) => a.reduce((s, x) => s + x, 0) / a.length;
const varOf = (a) => { const m = meanOf(a); return a.reduce((s, x) => s + (x - m) ** 2, 0) / (a.length - 1); };
const code = (fn) => { try { fn(); } catch (e) { return e.code; } return 'no error'; };

describe('tf.Generator', () => {
  test('same seed, same numbers; independent of tf.manualSeed', () => {
    const g1 = new tf.Generator(42), g2 = new tf.Generator(42);
    const a = vals(tf.randn([100], { generator: g1 }));
    tf.manualSeed(1);
    tf.randn([37]);
    const b = vals(tf.randn([100], { generator: g2 }));
    expect(a).toEqual(b);
    // The global generator is untouched by generator draws.
    tf.manualSeed(5);
    const c = vals(tf.rand([10]));
    tf.manualSeed(5);
    tf.rand([10], { generator: new tf.Generator(3) });
    expect(vals(tf.rand([10]))).toEqual(c);
    expect(vals(tf.rand([10], { generator: g1 }))).not.toEqual(vals(tf.rand([10], { generator: new tf.Generator(43) })));
  });

  test('manualSeed rewinds, getState/setState resume, seed() reseeds', () => {
    const g = new tf.Generator(7);
    const first = vals(tf.rand([5], { generator: g }));
    const st = g.getState();
    expect(st).toEqual({ seed: '7', offset: '5' });
    const next = vals(tf.randint(0, 100, [8], { generator: g }));
    g.setState(st);
    expect(vals(tf.randint(0, 100, [8], { generator: g }))).toEqual(next);
    expect(g.manualSeed(7)).toBe(g);
    expect(vals(tf.rand([5], { generator: g }))).toEqual(first);
    expect(g.initialSeed()).toBe(7);
    const s = g.seed();
    expect(Number.isInteger(s)).toBe(true);
    expect(g.initialSeed()).toBe(s);
    expect(code(() => g.setState(null))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => g.setState({ seed: 'x', offset: 0 }))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.rand([2], { generator: {} }))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => new tf.Generator(1.5))).toBe('ERR_TENSORFOLD_ARGUMENT');
  });

  test('the same numbers at 1 and 2 threads (child processes)', () => {
    const script = `const tf = require(${JSON.stringify(path.resolve(__dirname, '..'))});
      tf.setNumThreads(+process.argv[1]);
      const g = new tf.Generator(99);
      const a = tf.randn([200000], { generator: g }).sum().item();
      const b = tf.multinomial(tf.rand([3, 50], { generator: g, dtype: 'float64' }), 20, { generator: g }).sum().item();
      process.stdout.write(JSON.stringify([a, b, g.getState()]));`;
    const run = (n) => execFileSync(process.execPath, ['-e', script, String(n)], { encoding: 'utf8' });
    expect(run(1)).toBe(run(2));
  });
});

describe('*Like, randperm', () => {
  test('randnLike / randLike / randintLike take shape and dtype', () => {
    const t = tf.zeros([3, 4], { dtype: 'float64' });
    const g = new tf.Generator(1);
    for (const r of [tf.randnLike(t, { generator: g }), tf.randLike(t)]) {
      expect(r.shape).toEqual([3, 4]);
      expect(r.dtype).toBe('float64');
    }
    const i = tf.randintLike(tf.zeros([50], { dtype: 'int32' }), 3, 6);
    expect(i.dtype).toBe('int32');
    expect(vals(i).every((v) => v >= 3 && v < 6)).toBe(true);
    expect(vals(tf.randintLike(t, 4)).every((v) => v >= 0 && v < 4 && Number.isInteger(v))).toBe(true);
  });

  test('randperm is a permutation, uniform over positions', () => {
    const p = tf.randperm(1000, { generator: new tf.Generator(3) });
    expect(p.dtype).toBe('int32');
    expect([...vals(p)].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(vals(tf.randperm(0))).toEqual([]);
    expect(tf.randperm(5, { dtype: 'float64' }).dtype).toBe('float64');
    // Where element 0 lands: each of 5 positions about 1/5 of 5000 draws.
    const g = new tf.Generator(11);
    const counts = [0, 0, 0, 0, 0];
    for (let k = 0; k < 5000; k++) counts[vals(tf.randperm(5, { generator: g })).indexOf(0)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(code(() => tf.randperm(-1))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.randperm(2.5))).toBe('ERR_TENSORFOLD_ARGUMENT');
  });
});

describe('multinomial', () => {
  const chi2 = (counts, probs, n) => counts.reduce((s, c, k) => s + (c - n * probs[k]) ** 2 / (n * probs[k]), 0);

  test('with replacement: chi-square against the weights', () => {
    const w = [1, 2, 3, 4, 0];
    const n = 20000;
    const d = vals(tf.multinomial(tf.tensor(w), n, { replacement: true, generator: new tf.Generator(5) }));
    const counts = [0, 0, 0, 0, 0];
    for (const x of d) counts[x]++;
    expect(counts[4]).toBe(0);
    // 3 degrees of freedom: the 0.999 quantile is 16.3.
    expect(chi2(counts.slice(0, 4), [0.1, 0.2, 0.3, 0.4], n)).toBeLessThan(16.3);
  });

  test('without replacement: distinct indices, first draw follows the weights, 2-D rows', () => {
    const g = new tf.Generator(8);
    const probs = tf.tensor([[0.1, 0.2, 0.3, 0.4], [5, 0, 0, 5]], { dtype: 'float64' });
    const counts = [0, 0, 0, 0];
    for (let k = 0; k < 2000; k++) {
      const s = tf.multinomial(probs, 2, { generator: g });
      expect(s.shape).toEqual([2, 2]);
      const [a, b, c, d] = vals(s);
      expect(a).not.toBe(b);
      expect([c, d].sort()).toEqual([0, 3]);
      counts[a]++;
    }
    expect(chi2(counts, [0.1, 0.2, 0.3, 0.4], 2000)).toBeLessThan(16.3);
    const all = vals(tf.multinomial(tf.ones([50]), 50));
    expect(new Set(all).size).toBe(50);
  });

  test('bad weights and sizes are coded errors', () => {
    expect(code(() => tf.multinomial(tf.tensor([1, -1]), 1))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.multinomial(tf.tensor([1, NaN]), 1))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.multinomial(tf.tensor([1, Infinity]), 1))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.multinomial(tf.tensor([[1, 1], [0, 0]]), 1))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.multinomial(tf.tensor([1, 1]), 3))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.multinomial(tf.tensor([1, 0, 0]), 2))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.multinomial(tf.ones([2, 2, 2]), 1))).toBe('ERR_TENSORFOLD_SHAPE');
    expect(code(() => tf.multinomial(tf.tensor([1, 2], { dtype: 'int32' }), 1))).toBe('ERR_TENSORFOLD_DTYPE');
    expect(tf.multinomial(tf.tensor([1, 1]), 3, { replacement: true }).shape).toEqual([3]);
  });
});

describe('bernoulli, normal, poisson', () => {
  test('bernoulli: the mean of each cell is its probability', () => {
    const p = tf.tensor([0, 0.25, 0.5, 0.9, 1], { dtype: 'float64' });
    const g = new tf.Generator(2);
    const sums = [0, 0, 0, 0, 0];
    const N = 4000;
    for (let k = 0; k < N; k++) vals(tf.bernoulli(p, { generator: g })).forEach((v, i) => { sums[i] += v; });
    expect(sums[0]).toBe(0);
    expect(sums[4]).toBe(N);
    [0.25, 0.5, 0.9].forEach((q, j) => expect(Math.abs(sums[j + 1] / N - q)).toBeLessThan(4 * Math.sqrt(q * (1 - q) / N)));
    expect(tf.bernoulli(p).dtype).toBe('float64');
    expect(code(() => tf.bernoulli(tf.tensor([1.5])))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.bernoulli(tf.tensor([NaN])))).toBe('ERR_TENSORFOLD_ARGUMENT');
  });

  test('normal: broadcast mean and std, moments', () => {
    const g = new tf.Generator(4);
    const mean = tf.tensor([[-2], [3]], { dtype: 'float64' });
    const s = tf.normal(mean, tf.full([10], 2, { dtype: 'float64' }), { generator: g });
    expect(s.shape).toEqual([2, 10]);
    const x = vals(tf.normal(1.5, 3, { shape: [50000], generator: g }));
    expect(Math.abs(meanOf(x) - 1.5)).toBeLessThan(5 * 3 / Math.sqrt(50000));
    expect(Math.abs(varOf(x) / 9 - 1)).toBeLessThan(0.03);
    const y = vals(tf.normal(tf.full([20000], 4, { dtype: 'float64' }), 0.5, { generator: g }));
    expect(Math.abs(meanOf(y) - 4)).toBeLessThan(0.02);
    expect(code(() => tf.normal(0, -1, { shape: [2] }))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.normal(0, 1))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.normal(tf.zeros([2]), tf.ones([3])))).toBe('ERR_TENSORFOLD_SHAPE');
  });

  test('poisson: mean = variance = rate, small and large rates', () => {
    const g = new tf.Generator(6);
    for (const lam of [0.3, 4, 30, 1000]) {
      const x = vals(tf.poisson(tf.full([20000], lam, { dtype: 'float64' }), { generator: g }));
      expect(x.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
      expect(Math.abs(meanOf(x) - lam)).toBeLessThan(5 * Math.sqrt(lam / 20000));
      expect(Math.abs(varOf(x) / lam - 1)).toBeLessThan(0.06);
    }
    expect(vals(tf.poisson(tf.zeros([3])))).toEqual([0, 0, 0]);
    const a = vals(tf.poisson(tf.full([10], 7), { generator: new tf.Generator(1) }));
    expect(vals(tf.poisson(tf.full([10], 7), { generator: new tf.Generator(1) }))).toEqual(a);
    expect(code(() => tf.poisson(tf.tensor([-1])))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => tf.poisson(tf.tensor([Infinity])))).toBe('ERR_TENSORFOLD_ARGUMENT');
  });
});
