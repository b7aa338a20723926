// Losses against PyTorch (every reduction and option), float64 finite-difference gradient checks,
// and the errors for misuse.
'use strict';
const { tf, checkGrad, randTensor, weightedSum, expectThrowsKind, expectClose } = require('./helpers');
const { nnFixtures, T, expectSpec } = require('./nn_helpers');

const F = tf.F;
const TENSOR_OPTS = new Set(['weight', 'posWeight']);
const TOL = {
  float32: { fwd: { rtol: 1e-4, atol: 1e-5 }, grad: { rtol: 5e-4, atol: 5e-5 } },
  float64: { fwd: { rtol: 1e-10, atol: 1e-12 }, grad: { rtol: 1e-9, atol: 1e-11 } },
};

function callLoss(c, xs) {
  const opts = {};
  for (const [k, v] of Object.entries(c.opts)) opts[k] = TENSOR_OPTS.has(k) ? xs[v] : v;
  if (c.fn === 'nllLogSoftmax') return F.nllLoss(xs[0].logSoftmax(1), xs[1], opts);
  return F[c.fn](xs[0], xs[1], opts);
}

describe('losses vs PyTorch', () => {
  const { cases } = nnFixtures('nn_losses');
  for (const dtype of ['float32', 'float64'])
    for (const c of cases)
      test(`${c.name} (${dtype})`, () => {
        const tol = TOL[dtype];
        const xs = c.inputs.map((s) => T(s, dtype));
        for (const i of c.gradOf) xs[i].requiresGrad = true;
        const out = callLoss(c, xs);
        expect(out.dtype).toBe(dtype);
        expectSpec(out, c.output, tol.fwd, `${c.name} value`);
        out.mul(T(c.R, dtype)).sum().backward();
        c.gradOf.forEach((i, j) => expectSpec(xs[i].grad, c.grads[j], tol.grad, `${c.name} d/d input ${i}`));
      });
});

describe('loss gradients match finite differences (float64)', () => {
  const logits = () => randTensor([5, 4], { seed: 3, lo: -2, hi: 2 });
  const tgt = tf.tensor(new Int32Array([0, 3, -100, 1, 3]));
  const w = tf.tensor([0.5, 1.5, 1, 2], { dtype: 'float64' });
  test('crossEntropy with weights, ignoreIndex, label smoothing', () => {
    // d/dx of the mean smoothed loss: (softmax(x) − q) weighted, q = (1−ε)·onehot + ε/C
    checkGrad((x) => F.crossEntropy(x, tgt, { weight: w, labelSmoothing: 0.2 }), [logits()], { label: 'ce' });
    checkGrad((x) => weightedSum(F.crossEntropy(x, tgt, { reduction: 'none', labelSmoothing: 0.1 })), [logits()],
      { label: 'ce none' });
  });
  test('crossEntropy over extra dims [N, C, d]', () => {
    const t = tf.tensor(new Int32Array([0, 2, 1, 1, 0, 2]), { shape: [2, 3] });
    checkGrad((x) => F.crossEntropy(x, t), [randTensor([2, 3, 3], { seed: 5 })], { label: 'ce kdim' });
  });
  test('nllLoss', () => {
    checkGrad((x) => F.nllLoss(x.logSoftmax(1), tgt, { weight: w }), [logits()], { label: 'nll' });
  });
  test('mse, l1, huber, smoothL1', () => {
    const a = randTensor([3, 4], { seed: 11 }), b = randTensor([3, 4], { seed: 12 });
    checkGrad((x, y) => F.mseLoss(x, y), [a, b], { label: 'mse' });
    // |x − y| has a kink at 0: the inputs are random and far apart enough
    checkGrad((x, y) => F.l1Loss(x, y, { reduction: 'sum' }), [a, b], { label: 'l1' });
    checkGrad((x, y) => F.huberLoss(x, y, { delta: 0.5 }), [a, b], { label: 'huber' });
    checkGrad((x, y) => F.smoothL1Loss(x, y, { beta: 0.3 }), [a, b], { label: 'smoothL1' });
  });
  test('bce and bceWithLogits (with posWeight)', () => {
    const p = randTensor([3, 4], { seed: 21, lo: 0.1, hi: 0.9 });
    const y = randTensor([3, 4], { seed: 22, lo: 0, hi: 1 });
    checkGrad((x, t) => F.bceLoss(x, t), [p, y], { label: 'bce' });
    const pw = tf.tensor([0.5, 1, 2, 3], { dtype: 'float64' });
    checkGrad((x, t) => F.bceWithLogitsLoss(x, t, { posWeight: pw }), [randTensor([3, 4], { seed: 23, lo: -3, hi: 3 }), y],
      { label: 'bceLogits' });
  });
  test('klDiv', () => {
    const t = randTensor([2, 3], { seed: 31, lo: 0.1, hi: 1 });
    checkGrad((x) => F.klDiv(x.logSoftmax(1), t, { reduction: 'batchmean' }), [randTensor([2, 3], { seed: 32 })],
      { label: 'kl' });
  });
});

describe('loss behaviour and errors', () => {
  test('crossEntropy names a wrong target dtype and shape', () => {
    expectThrowsKind(() => F.crossEntropy(tf.randn([64, 10]), tf.randn([64])), 'TypeError',
      /^crossEntropy: target must be int32 or int64 class indices of shape \[64\] \(or class probabilities of shape \[64,10\]\), got float32 \[64\]$/);
    expectThrowsKind(() => F.crossEntropy(tf.randn([4, 3]), tf.tensor(new Int32Array([0, 1, 2]))), 'TypeError',
      /shape \[4\], got int32 \[3\]/);
    expectThrowsKind(() => F.nllLoss(tf.randn([2, 3]), tf.zeros([2])), 'TypeError', /nllLoss: target must be int32/);
  });
  test('out-of-range class index is a RangeError naming the class count', () => {
    expectThrowsKind(() => F.crossEntropy(tf.randn([2, 3]), tf.tensor(new Int32Array([0, 3]))), 'RangeError',
      /crossEntropy: target 3 .* out of range for 3 classes/);
  });
  test('reduction and shapes are validated', () => {
    expectThrowsKind(() => F.mseLoss(tf.randn([3]), tf.randn([3]), { reduction: 'avg' }), 'TypeError', /reduction must be/);
    expectThrowsKind(() => F.mseLoss(tf.randn([4, 1]), tf.randn([4])), 'Error', /mseLoss: input shape \[4,1\] and target shape \[4\] differ/);
    expectThrowsKind(() => F.crossEntropy(tf.randn([2, 3]), tf.tensor(new Int32Array([0, 1])), { weight: tf.ones([4]) }),
      'Error', /weight must have shape \[3\]/);
  });
  test('all targets ignored gives NaN for the mean, as PyTorch', () => {
    const l = F.crossEntropy(tf.randn([2, 3]), tf.tensor(new Int32Array([-100, -100])));
    expect(Number.isNaN(l.item())).toBe(true);
    expect(F.crossEntropy(tf.randn([2, 3]), tf.tensor(new Int32Array([-100, -100])), { reduction: 'sum' }).item()).toBe(0);
  });
  test('bceWithLogits is stable for large logits', () => {
    const x = tf.tensor([[-200, 200, 0]]);
    const y = tf.tensor([[1, 0, 1]]);
    const l = F.bceWithLogitsLoss(x, y, { reduction: 'none' });
    expectClose(l, [200, 200, Math.log(2)], { rtol: 1e-6, atol: 1e-6 });
  });
  test('crossEntropy equals nllLoss of logSoftmax', () => {
    const x = tf.randn([6, 5]);
    const t = tf.randint(0, 5, [6]);
    expectClose(F.crossEntropy(x, t), F.nllLoss(x.logSoftmax(1), t), { rtol: 1e-6, atol: 1e-6 });
  });
});
