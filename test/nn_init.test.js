// nn.init and the layers' default initialisation (statistics and bounds as PyTorch), Dropout and
// BatchNorm train/eval behaviour, and float64 finite-difference checks of a few layers.
'use strict';
const { tf, checkGrad, randTensor, weightedSum, expectThrowsKind, expectClose } = require('./helpers');
const { nnFixtures, T, expectSpec } = require('./nn_helpers');

const { nn } = tf;
const { init } = nn;

function stats(t) {
  const v = Array.from(t.toTypedArray());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

describe('nn.init', () => {
  beforeAll(() => tf.manualSeed(42));
  test('fans and gains', () => {
    expect(init.calculateFanInAndFanOut(tf.zeros([8, 3, 5, 5]))).toEqual([75, 200]);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3);
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3));
    expectThrowsKind(() => init.kaimingUniform(tf.zeros([5])), 'Error', /at least 2 dims, got shape \[5\]/);
  });
  test('kaimingUniform bound and kaimingNormal std', () => {
    const w = init.kaimingUniform(tf.zeros([200, 100]), { nonlinearity: 'relu' });
    const b = Math.SQRT2 * Math.sqrt(3 / 100);
    const s = stats(w);
    expect(s.max).toBeLessThanOrEqual(b);
    expect(s.min).toBeGreaterThanOrEqual(-b);
    expect(s.max).toBeGreaterThan(0.98 * b);
    expect(s.std).toBeCloseTo(b / Math.sqrt(3), 2);
    const n = stats(init.kaimingNormal(tf.zeros([200, 100]), { mode: 'fanOut' }));
    expect(n.std).toBeCloseTo(Math.SQRT2 / Math.sqrt(200), 2);
  });
  test('xavier, normal, uniform, constant, zeros, ones', () => {
    const b = Math.sqrt(6 / 300);
    const s = stats(init.xavierUniform(tf.zeros([100, 200]), 1));
    expect(s.max).toBeLessThanOrEqual(b);
    expect(s.max).toBeGreaterThan(0.98 * b);
    expect(stats(init.xavierNormal(tf.zeros([100, 200]), { gain: 2 })).std).toBeCloseTo(2 * Math.sqrt(2 / 300), 2);
    const nm = stats(init.normal(tf.zeros([20000]), 3, 0.5));
    expect(nm.mean).toBeCloseTo(3, 1);
    expect(nm.std).toBeCloseTo(0.5, 1);
    const u = stats(init.uniform(tf.zeros([20000]), -2, -1));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThanOrEqual(-1);
    expect(Array.from(init.constant(tf.zeros([2]), 7).toTypedArray())).toEqual([7, 7]);
    expect(Array.from(init.ones(tf.zeros([2])).toTypedArray())).toEqual([1, 1]);
    expect(Array.from(init.zeros(tf.ones([2])).toTypedArray())).toEqual([0, 0]);
  });
  test('initialising a parameter records nothing on the tape', () => {
    const p = nn.Parameter(tf.zeros([3, 3]));
    init.kaimingUniform(p);
    expect(p.isLeaf).toBe(true);
    expect(p.gradFn).toBe(null);
  });
});

describe('default initialisation', () => {
  beforeAll(() => tf.manualSeed(7));
  test('Linear: weight and bias in U(±1/sqrt(in))', () => {
    const l = new nn.Linear(64, 128);
    const b = 1 / Math.sqrt(64);
    for (const t of [l.weight, l.bias]) {
      const s = stats(t);
      expect(s.max).toBeLessThanOrEqual(b);
      expect(s.min).toBeGreaterThanOrEqual(-b);
    }
    expect(stats(l.weight).max).toBeGreaterThan(0.95 * b);
    expect(stats(l.weight).std).toBeCloseTo(b / Math.sqrt(3), 2);
  });
  test('Conv2d: U(±1/sqrt(in/groups · kh · kw))', () => {
    const c = new nn.Conv2d(4, 8, 3, { groups: 2 });
    expect(c.weight.shape).toEqual([8, 2, 3, 3]);
    const b = 1 / Math.sqrt(2 * 9);
    expect(stats(c.weight).max).toBeLessThanOrEqual(b);
    expect(stats(c.bias).max).toBeLessThanOrEqual(b);
  });
  test('recurrent layers: U(±1/sqrt(hidden))', () => {
    const l = new nn.LSTM(10, 25, { numLayers: 2 });
    const b = 1 / 5;
    for (const p of l.parameters()) {
      const s = stats(p);
      expect(s.max).toBeLessThanOrEqual(b);
      expect(s.min).toBeGreaterThanOrEqual(-b);
    }
  });
  test('Embedding N(0, 1) with a zero padding row; norms ones and zeros; attention xavier / zeros', () => {
    const e = new nn.Embedding(100, 50, { paddingIdx: 3 });
    const s = stats(e.weight);
    expect(s.std).toBeCloseTo(1, 1);
    expect(Array.from(e.weight.select(0, 3).toTypedArray())).toEqual(new Array(50).fill(0));
    const bn = new nn.BatchNorm2d(3);
    expect(Array.from(bn.weight.toTypedArray())).toEqual([1, 1, 1]);
    expect(Array.from(bn.running_var.toTypedArray())).toEqual([1, 1, 1]);
    const m = new nn.MultiheadAttention(16, 4);
    expect(stats(m.in_proj_weight).max).toBeLessThanOrEqual(Math.sqrt(6 / (16 + 48)));
    expect(stats(m.in_proj_bias)).toEqual({ mean: 0, std: 0, min: 0, max: 0 });
    expect(stats(m.out_proj.bias).max).toBe(0);
  });
});

describe('Dropout', () => {
  test('training: zeroes about p of the elements, scales the rest by 1/(1−p); seeded', () => {
    const d = new nn.Dropout(0.25);
    const x = tf.ones([100, 100]);
    tf.manualSeed(3);
    const y = d.forward(x);
    const v = Array.from(y.toTypedArray());
    const zeros = v.filter((a) => a === 0).length;
    expect(zeros / v.length).toBeGreaterThan(0.22);
    expect(zeros / v.length).toBeLessThan(0.28);
    for (const a of v) if (a !== 0) expect(a).toBeCloseTo(4 / 3, 6);
    tf.manualSeed(3);
    expect(Array.from(d.forward(x).toTypedArray())).toEqual(v);
  });
  test('gradient flows only through kept elements', () => {
    const x = tf.ones([50]).requiresGrad_();
    const y = tf.F.dropout(x, 0.5, true);
    y.sum().backward();
    expect(Array.from(x.grad.toTypedArray())).toEqual(Array.from(y.toTypedArray()));
  });
  test('eval: identity', () => {
    const d = new nn.Dropout(0.9).eval();
    const x = tf.randn([10]);
    expect(d.forward(x)).toBe(x);
    expect(tf.F.dropout(x, 0.5, false)).toBe(x);
  });
});

describe('BatchNorm running statistics', () => {
  test('several training steps then eval match PyTorch', () => {
    const { bnSteps } = nnFixtures('nn_layers');
    const bn = new nn.BatchNorm2d(bnSteps.channels, { momentum: bnSteps.momentum });
    bn.loadStateDict(Object.fromEntries(Object.entries(bnSteps.state).map(([k, v]) => [k, T(v)])));
    for (const x of bnSteps.inputs) bn.forward(T(x));
    expectSpec(bn.running_mean, bnSteps.runningMean, { rtol: 1e-5, atol: 1e-6 }, 'running_mean');
    expectSpec(bn.running_var, bnSteps.runningVar, { rtol: 1e-5, atol: 1e-6 }, 'running_var');
    expect(bn.num_batches_tracked.item()).toBe(bnSteps.inputs.length);
    bn.eval();
    expectSpec(bn.forward(T(bnSteps.evalInput)), bnSteps.evalOutput, { rtol: 1e-4, atol: 1e-5 }, 'eval output');
  });
  test('momentum null: cumulative average', () => {
    const bn = new nn.BatchNorm1d(2, { momentum: null });
    const xs = [tf.tensor([[1, 2], [3, 4]]), tf.tensor([[5, 0], [7, 0]])];
    for (const x of xs) bn.forward(x);
    expectClose(bn.running_mean, [4, 1.5], { rtol: 1e-6, atol: 1e-6 });
    expectClose(bn.running_var, [2, 1], { rtol: 1e-6, atol: 1e-6 }); // unbiased batch variances (2, 2) and (2, 0)
  });
  test('eval leaves running stats alone; trackRunningStats false uses batch stats in eval', () => {
    const bn = new nn.BatchNorm1d(2).eval();
    bn.forward(tf.randn([4, 2]));
    expect(Array.from(bn.running_mean.toTypedArray())).toEqual([0, 0]);
    const nb = new nn.BatchNorm1d(2, { trackRunningStats: false, affine: false }).eval();
    const y = nb.forward(tf.tensor([[1, 10], [3, 30]]));
    expectClose(y, [[-1, -1], [1, 1]], { rtol: 1e-4, atol: 1e-4 });
    expect(Object.keys(nb.stateDict())).toEqual([]);
  });
});

describe('layer gradients match finite differences (float64)', () => {
  const f64 = { dtype: 'float64' };
  test('Linear', () => {
    const l = new nn.Linear(3, 2, f64);
    checkGrad((x, w, b) => weightedSum(tf.F.linear(x, w, b)),
      [randTensor([4, 3], { seed: 1 }), l.weight.detach(), l.bias.detach()], { label: 'linear' });
  });
  test('LayerNorm and batchNorm (training)', () => {
    checkGrad((x, w, b) => weightedSum(tf.F.layerNorm(x, [4], w, b)),
      [randTensor([3, 4], { seed: 2 }), randTensor([4], { seed: 3 }), randTensor([4], { seed: 4 })], { label: 'layerNorm' });
    checkGrad((x, w, b) => weightedSum(tf.F.batchNorm(x, null, null, { weight: w, bias: b, training: true })),
      [randTensor([4, 3, 2], { seed: 5 }), randTensor([3], { seed: 6 }), randTensor([3], { seed: 7 })], { label: 'batchNorm' });
  });
  test('LSTM and GRU (input, state and a weight)', () => {
    tf.manualSeed(5);
    const lstm = new nn.LSTM(2, 3, { dtype: 'float64', bidirectional: true });
    checkGrad((x, h, c) => weightedSum(lstm.forward(x, [h, c])[0]),
      [randTensor([3, 2, 2], { seed: 8 }), randTensor([2, 2, 3], { seed: 9 }), randTensor([2, 2, 3], { seed: 10 })],
      { label: 'lstm' });
    const gru = new nn.GRU(2, 3, { dtype: 'float64', numLayers: 2 });
    const w = gru.weight_hh_l1;
    checkGrad((x, whh) => {
      gru.weight_hh_l1 = whh;
      try {
        return weightedSum(gru.forward(x)[0]);
      } finally {
        gru.weight_hh_l1 = w;
      }
    }, [randTensor([3, 2, 2], { seed: 11 }), w.detach()], { label: 'gru' });
  });
  test('second order: the gradient of an LSTM and of bceLoss is itself differentiable', () => {
    tf.manualSeed(8);
    const lstm = new nn.LSTM(2, 2, { dtype: 'float64' });
    const g = tf.grad((x) => weightedSum(lstm.forward(x)[0]));
    checkGrad((x) => weightedSum(g(x), 2), [randTensor([3, 1, 2], { seed: 15 })], { label: 'lstm 2nd order' });
    const y = randTensor([4], { seed: 16, lo: 0, hi: 1 });
    const gb = tf.grad((p) => tf.F.bceLoss(p, y));
    checkGrad((p) => weightedSum(gb(p), 3), [randTensor([4], { seed: 17, lo: 0.2, hi: 0.8 })], { label: 'bce 2nd order' });
    // saturated probabilities: finite gradient, as PyTorch (denominator clamped at 1e-12)
    const p = tf.tensor([0, 1], { dtype: 'float64' });
    const gp = tf.grad((q) => tf.F.bceLoss(q, tf.tensor([1, 0], { dtype: 'float64' }), { reduction: 'sum' }))(p);
    expect(Array.from(gp.toTypedArray()).every(Number.isFinite)).toBe(true);
  });
  test('MultiheadAttention with masks', () => {
    tf.manualSeed(6);
    const m = new nn.MultiheadAttention(4, 2, { dtype: 'float64' });
    const kpm = tf.tensor([[false, false, true], [false, false, false]]);
    const am = tf.tensor([[false, true, false], [false, false, false]]);
    checkGrad((q, k, v) => weightedSum(m.forward(q, k, v, { keyPaddingMask: kpm, attnMask: am })[0]),
      [randTensor([2, 2, 4], { seed: 12 }), randTensor([3, 2, 4], { seed: 13 }), randTensor([3, 2, 4], { seed: 14 })],
      { label: 'mha' });
  });
});

describe('a small Transformer encoder trains', () => {
  test('loss decreases on a toy task', () => {
    tf.manualSeed(0);
    const emb = new nn.Embedding(6, 8);
    const enc = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
    const head = new nn.Linear(8, 6);
    const params = [...emb.parameters(), ...enc.parameters(), ...head.parameters()];
    const x = tf.randint(0, 6, [4, 5]);
    const first = [];
    for (let step = 0; step < 30; step++) {
      const logits = head.forward(enc.forward(emb.forward(x)));
      const loss = tf.F.crossEntropy(logits.reshape([-1, 6]), x.reshape([-1]));
      first.push(loss.item());
      for (const p of params) p.grad = null;
      loss.backward();
      tf.noGrad(() => { for (const p of params) p.copy_(p.sub(p.grad.mul(0.1))); });
    }
    expect(first[first.length - 1]).toBeLessThan(first[0] * 0.5);
  });
});
