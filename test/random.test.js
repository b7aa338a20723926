// Seeded random numbers: the same seed gives the same numbers on every run and for any thread
// count (the generator is counter-based: element i depends only on the seed and its index).
const tf = require('..');

const N = 1 << 18; // large enough to be split across the thread pool

function draw(threads) {
  tf.setNumThreads(threads);
  tf.manualSeed(1234);
  return {
    n: tf.randn([N]).toTypedArray(),
    u: tf.rand([N]).toTypedArray(),
    i: tf.randint(-5, 5, [N]).toTypedArray(),
    d: tf.randn([1000], { dtype: 'float64' }).toTypedArray(),
  };
}

afterAll(() => tf.setNumThreads(require('os').cpus().length));

test('same seed, same numbers, whatever the thread count', () => {
  const one = draw(1);
  const two = draw(2);
  const four = draw(4);
  for (const k of ['n', 'u', 'i', 'd']) {
    expect(Buffer.from(two[k].buffer).equals(Buffer.from(one[k].buffer))).toBe(true);
    expect(Buffer.from(four[k].buffer).equals(Buffer.from(one[k].buffer))).toBe(true);
  }
});

test('successive draws differ, and another seed gives other numbers', () => {
  tf.manualSeed(1);
  const a = tf.randn([8]).toArray();
  const b = tf.randn([8]).toArray();
  tf.manualSeed(2);
  const c = tf.randn([8]).toArray();
  expect(a).not.toEqual(b);
  expect(a).not.toEqual(c);
  tf.manualSeed(1);
  expect(tf.randn([8]).toArray()).toEqual(a);
});

test('distributions: randn ~ N(0,1), rand in [0,1), randint in [low, high)', () => {
  tf.manualSeed(7);
  const n = tf.randn([N]);
  expect(Math.abs(n.mean().item())).toBeLessThan(0.01);
  expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.01);
  const u = tf.rand([N]);
  expect(u.min().item()).toBeGreaterThanOrEqual(0);
  expect(u.max().item()).toBeLessThan(1);
  expect(Math.abs(u.mean().item() - 0.5)).toBeLessThan(0.01);
  const r = tf.randint(-3, 4, [N]);
  expect(r.dtype).toBe('int32');
  expect(r.min().item()).toBe(-3);
  expect(r.max().item()).toBe(3);
  // Every value in range appears with about equal frequency.
  const counts = r.add(3).oneHot(7).sum(0).toArray();
  for (const c of counts) expect(Math.abs(c / N - 1 / 7)).toBeLessThan(0.01);
});
