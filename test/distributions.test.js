// tf.distributions: logProb, entropy, mean, variance and klDivergence against PyTorch 1.13
// (test/fixtures/distributions.json from scripts/gen_distributions_fixtures.py); sampling moments
// with fixed seeds; rsample gradients against finite differences in float64.
'use strict';
const { tf, expectClose, checkGrad, weightedSum } = require('./helpers');
const fixtures = require('./fixtures/distributions.json');

const D = tf.distributions;
const T = (s) => tf.tensor(s.values.map((v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v)),
  { dtype: 'float64', shape: s.shape });
const vals = (t) => Array.from(t.toTypedArray(), Number);
const code = (fn) => { try { fn(); } catch (e) { return e.code; } return 'no error'; };
const TOL = { rtol: 1e-10, atol: 1e-12 };

function build(family, p) {
  switch (family) {
    case 'Normal': return new D.Normal(T(p.loc), T(p.scale));
    case 'Uniform': return new D.Uniform(T(p.low), T(p.high));
    case 'Bernoulli': return new D.Bernoulli(p.probs ? { probs: T(p.probs) } : { logits: T(p.logits) });
    case 'Categorical': return new D.Categorical(p.probs ? { probs: T(p.probs) } : { logits: T(p.logits) });
    case 'MultivariateNormal':
      return new D.MultivariateNormal(T(p.loc), p.covarianceMatrix ? { covarianceMatrix: T(p.covarianceMatrix) } : { scaleTril: T(p.scaleTril) });
    case 'Independent': return new D.Independent(new D.Normal(T(p.loc), T(p.scale)), p.n);
    default: throw new Error(family);
  }
}

describe('values against PyTorch', () => {
  test.each(fixtures.cases.map((c) => [c.name, c]))('%s', (_, c) => {
    const d = build(c.family, c.params);
    expect(d.batchShape).toEqual(c.batchShape);
    expect(d.eventShape).toEqual(c.eventShape);
    const v = c.family === 'Categorical' ? T(c.value).to('int32') : T(c.value);
    const lp = d.logProb(v);
    expect(lp.shape).toEqual(c.logProb.shape);
    expectClose(lp, T(c.logProb).toTypedArray(), TOL, `${c.name} logProb`);
    expectClose(d.entropy(), T(c.entropy).toTypedArray(), TOL, `${c.name} entropy`);
    if (c.mean) {
      expectClose(d.mean.contiguous(), T(c.mean).toTypedArray(), TOL, `${c.name} mean`);
      expectClose(d.variance.contiguous(), T(c.variance).toTypedArray(), TOL, `${c.name} variance`);
    }
  });
  test.each(fixtures.kl.map((c) => [c.name, c]))('klDivergence %s', (_, c) => {
    const kl = D.klDivergence(build(c.family, c.p), build(c.family, c.q));
    expect(kl.shape).toEqual(c.kl.shape);
    expectClose(kl, T(c.kl).toTypedArray(), TOL, `${c.name} kl`);
  });
});

describe('sampling', () => {
  const meanOf = (a) => a.reduce((s, x) => s + x, 0) / a.length;
  test('shapes: sampleShape + batchShape + eventShape; generator reproduces', () => {
    const n = new D.Normal(tf.zeros([3]), 1);
    expect(n.sample([4, 2]).shape).toEqual([4, 2, 3]);
    expect(n.sample().shape).toEqual([3]);
    const m = new D.MultivariateNormal(tf.zeros([2, 3]), { covarianceMatrix: tf.eye(3) });
    expect(m.rsample([5]).shape).toEqual([5, 2, 3]);
    expect(new D.Categorical({ probs: tf.ones([2, 4]) }).sample([6]).shape).toEqual([6, 2]);
    expect(new D.Bernoulli({ probs: tf.full([3], 0.5) }).sample([2]).shape).toEqual([2, 3]);
    expect(new D.Independent(new D.Normal(tf.zeros([2, 3]), 1), 1).sample([4]).shape).toEqual([4, 2, 3]);
    const a = vals(n.sample([10], { generator: new tf.Generator(3) }));
    expect(vals(n.sample([10], { generator: new tf.Generator(3) }))).toEqual(a);
  });

  test('moments of draws', () => {
    const g = new tf.Generator(12);
    const x = vals(new D.Normal(2, 0.5).sample([40000], { generator: g }));
    expect(Math.abs(meanOf(x) - 2)).toBeLessThan(0.01);
    const u = vals(new D.Uniform(-1, 3).sample([40000], { generator: g }));
    expect(u.every((v) => v >= -1 && v < 3)).toBe(true);
    expect(Math.abs(meanOf(u) - 1)).toBeLessThan(0.03);
    const b = vals(new D.Bernoulli({ logits: 0 }).sample([40000], { generator: g }));
    expect(Math.abs(meanOf(b) - 0.5)).toBeLessThan(0.01);
    const c = vals(new D.Categorical({ probs: tf.tensor([0.2, 0.8]) }).sample([40000], { generator: g }));
    expect(Math.abs(meanOf(c) - 0.8)).toBeLessThan(0.01);
    // MVN: the empirical covariance of 40000 draws.
    const cov = tf.tensor([[2, 0.6], [0.6, 1]], { dtype: 'float64' });
    const s = new D.MultivariateNormal(tf.tensor([1, -1], { dtype: 'float64' }), { covarianceMatrix: cov }).sample([40000], { generator: g });
    const c0 = s.sub(s.mean(0, true));
    const emp = vals(c0.transpose(0, 1).matmul(c0).div(39999));
    [2, 0.6, 0.6, 1].forEach((v, i) => expect(Math.abs(emp[i] - v)).toBeLessThan(0.05));
  });

  test('sample has no gradient; discrete rsample is an error', () => {
    const loc = tf.zeros([2], { requiresGrad: true });
    expect(new D.Normal(loc, 1).sample().requiresGrad).toBe(false);
    expect(new D.Normal(loc, 1).rsample().requiresGrad).toBe(true);
    expect(code(() => new D.Bernoulli({ probs: 0.5 }).rsample())).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => new D.Categorical({ probs: tf.ones([3]) }).rsample())).toBe('ERR_TENSORFOLD_ARGUMENT');
  });
});

describe('rsample gradients (finite differences, float64, fixed generator seed)', () => {
  test('Normal', () => {
    checkGrad((loc, scale) => weightedSum(new D.Normal(loc, scale).rsample([3], { generator: new tf.Generator(1) })),
      [tf.tensor([0.5, -1], { dtype: 'float64' }), tf.tensor([1.2, 0.4], { dtype: 'float64' })]);
  });
  test('Uniform', () => {
    checkGrad((lo, hi) => weightedSum(new D.Uniform(lo, hi).rsample([4], { generator: new tf.Generator(2) })),
      [tf.tensor([0, -2], { dtype: 'float64' }), tf.tensor([1, 3], { dtype: 'float64' })]);
  });
  test('MultivariateNormal (scaleTril and covarianceMatrix)', () => {
    const L = tf.tensor([[1.2, 0], [0.3, 0.8]], { dtype: 'float64' });
    checkGrad((loc, l) => weightedSum(new D.MultivariateNormal(loc, { scaleTril: l }).rsample([3], { generator: new tf.Generator(3) })),
      [tf.tensor([0.5, -1], { dtype: 'float64' }), L]);
    checkGrad((loc, c) => weightedSum(new D.MultivariateNormal(loc, { covarianceMatrix: c.add(c.transpose(0, 1)).mul(0.5) })
      .rsample([3], { generator: new tf.Generator(4) })),
      [tf.tensor([0.5, -1], { dtype: 'float64' }), tf.tensor([[2, 0.3], [0.3, 1]], { dtype: 'float64' })]);
  });
  test('logProb and kl differentiate in the parameters', () => {
    const v = tf.tensor([0.3, 1.1], { dtype: 'float64' });
    checkGrad((loc, scale) => new D.Normal(loc, scale).logProb(v).sum(),
      [tf.tensor([0.5, -1], { dtype: 'float64' }), tf.tensor([1.2, 0.4], { dtype: 'float64' })]);
    checkGrad((l1, l2) => D.klDivergence(new D.Categorical({ logits: l1 }), new D.Categorical({ logits: l2 })).sum(),
      [tf.tensor([0.1, 1, -1], { dtype: 'float64' }), tf.tensor([0.5, 0.2, 0], { dtype: 'float64' })]);
  });
});

describe('cdf and icdf (the quantile function)', () => {
  test.each(fixtures.cases.filter((c) => c.icdf).map((c) => [c.name, c]))('%s against PyTorch', (_, c) => {
    const d = build(c.family, c.params);
    expectClose(d.cdf(T(c.value)), T(c.cdf).toTypedArray(), TOL, `${c.name} cdf`);
    const q = d.icdf(T(c.icdfProbs));
    expect(q.shape).toEqual(c.icdf.shape);
    expectClose(q, T(c.icdf).toTypedArray(), { rtol: 1e-9, atol: 1e-9 }, `${c.name} icdf`);
  });
  test('icdf inverts cdf; the standard normal quantiles; the edges', () => {
    const n = new D.Normal(tf.tensor(0, { dtype: 'float64' }), tf.tensor(1, { dtype: 'float64' }));
    const p = tf.tensor([1e-6, 0.1, 0.5, 0.8413447460685429, 0.975, 0.999], { dtype: 'float64' });
    expectClose(n.cdf(n.icdf(p)), p.toTypedArray(), { rtol: 1e-12, atol: 1e-15 }, 'cdf(icdf(p))');
    expect(n.icdf(0.975).item()).toBeCloseTo(1.959963984540054, 12);
    expect(n.icdf(0.8413447460685429).item()).toBeCloseTo(1, 12);
    expect(vals(n.icdf(tf.tensor([0, 1, 1.5], { dtype: 'float64' })))).toEqual([-Infinity, Infinity, NaN]);
    expect(new D.Normal(0, 1).icdf(tf.tensor([0.5])).dtype).toBe('float32');
    expect(vals(new D.Uniform(-1, 3).cdf(tf.tensor([-2, 0, 5])))).toEqual([0, 0.25, 1]);
  });
  test('icdf differentiates in p and the parameters', () => {
    checkGrad((p, loc, scale) => new D.Normal(loc, scale).icdf(p).sum(),
      [tf.tensor([0.1, 0.6, 0.97], { dtype: 'float64' }), tf.tensor([0.5, -1, 0], { dtype: 'float64' }), tf.tensor([1.2, 0.4, 2], { dtype: 'float64' })]);
  });
});

describe('errors', () => {
  test('bad arguments are coded errors', () => {
    expect(code(() => new D.Normal('a', 1))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => new D.Normal(tf.zeros([2]), tf.ones([3])))).toBe('ERR_TENSORFOLD_SHAPE');
    expect(code(() => new D.Bernoulli({}))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => new D.Bernoulli({ probs: 0.5, logits: 0 }))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => new D.Categorical({ probs: tf.tensor(1) }))).toBe('ERR_TENSORFOLD_SHAPE');
    expect(code(() => new D.Categorical({ probs: tf.ones([3]) }).logProb(tf.tensor([3], { dtype: 'int32' })))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => new D.MultivariateNormal(tf.zeros([2]), { covarianceMatrix: tf.eye(3) }))).toBe('ERR_TENSORFOLD_SHAPE');
    expect(code(() => new D.MultivariateNormal(tf.zeros([2]), {}))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => new D.Independent(new D.Normal(0, 1), 1))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => D.klDivergence(new D.Normal(0, 1), new D.Uniform(0, 1)))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => new D.Normal(0, 1).sample([-1]))).toBe('ERR_TENSORFOLD_ARGUMENT');
    expect(code(() => new D.Normal(0, 1).icdf('a'))).toBe('ERR_TENSORFOLD_ARGUMENT');
  });
});
