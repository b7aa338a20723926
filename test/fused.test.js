// Fused kernels: GELU (exact and tanh), softmax / log-softmax backward, LayerNorm, RMSNorm and
// scaled dot-product attention. Forward and gradients against PyTorch 1.13 (test/fixtures/fused.json),
// gradients against finite differences in float64, second order for GELU, softmax and the norms,
// and the float32 kernels at every SIMD level the machine has (each level in its own process).
const { spawnSync } = require('child_process');
const path = require('path');
const { tf, expectClose, checkGrad, weightedSum, randTensor, values64, expectThrowsKind } = require('./helpers');
const { cases, tensorOf, apply, prepare, label } = require('./fused_cases')(tf);

const TOL = {
  float64: { rtol: 1e-9, atol: 1e-10 },
  float32: { rtol: 2e-4, atol: 2e-5 },
};

describe('fused ops vs PyTorch', () => {
  for (const dtype of ['float64', 'float32']) {
    for (const c of cases) {
      test(`${label(c)} ${dtype}: forward and gradients`, () => {
        const { names, xs, consts, loss } = prepare(c, dtype);
        const out = apply(c, xs, consts);
        expect(out.dtype).toBe(dtype);
        expectClose(values64(out), c.out.data, TOL[dtype], 'forward');
        const gs = tf.grad(loss, { argnums: names.map((_, i) => i) })(...xs);
        names.forEach((n, i) => expectClose(values64(gs[i]), c.grads[n].data, TOL[dtype], `d/d${n}`));
      });
      if (!c.second) continue;
      test(`${label(c)} ${dtype}: second order`, () => {
        const { names, xs, loss } = prepare(c, dtype);
        const argnums = names.map((_, i) => i);
        const R2 = tensorOf(c.R2, dtype);
        const first = names.indexOf(c.secondOf);
        const h = (...a) => tf.grad(loss, { argnums })(...a)[first].mul(R2).sum();
        const g2 = tf.grad(h, { argnums })(...xs);
        const tol = dtype === 'float64' ? { rtol: 1e-8, atol: 1e-9 } : { rtol: 1e-3, atol: 1e-4 };
        names.forEach((n, i) => expectClose(values64(g2[i]), c.second[n].data, tol, `second d/d${n}`));
      });
    }
  }
});

describe('fused ops vs finite differences (float64)', () => {
  const x = randTensor([3, 2, 9], { lo: -3, hi: 3, seed: 11 });
  const w = randTensor([9], { lo: 0.5, hi: 1.5, seed: 12 });
  const b = randTensor([9], { seed: 13 });
  const fns = {
    'gelu exact': (x) => weightedSum(x.gelu()),
    'gelu tanh': (x) => weightedSum(x.gelu({ approximate: 'tanh' })),
    'softmax axis -1': (x) => weightedSum(x.softmax(-1)),
    'softmax axis 0': (x) => weightedSum(x.softmax(0)),
    'logSoftmax axis -1': (x) => weightedSum(x.logSoftmax(-1)),
    'logSoftmax axis 1': (x) => weightedSum(x.logSoftmax(1)),
  };
  for (const [name, f] of Object.entries(fns)) {
    test(`${name}: first and second order`, () => {
      checkGrad(f, [x], { label: name });
      // d/dx Σ (∂f/∂x)·R: the backward kernels' own backward.
      checkGrad((x) => weightedSum(tf.grad(f)(x), 5), [x], { label: `${name} (2nd)`, rtol: 1e-5, atol: 1e-6 });
    });
  }
  test('layerNorm and rmsNorm: x, weight, bias, first and second order', () => {
    const ln = (x, w, b) => weightedSum(tf.F.layerNorm(x, [9], w, b, 1e-5));
    const rn = (x, w) => weightedSum(tf.F.rmsNorm(x, [9], w, 1e-6));
    const ln2 = (x, w, b) => weightedSum(tf.F.layerNorm(x, [2, 9], w.reshape([1, 9]).expand([2, 9]).contiguous(), null));
    checkGrad(ln, [x, w, b], { label: 'layerNorm' });
    checkGrad(rn, [x, w], { label: 'rmsNorm' });
    checkGrad(ln2, [x, w, b].slice(0, 2), { label: 'layerNorm 2 dims' });
    for (const [f, args, name] of [[ln, [x, w, b], 'layerNorm'], [rn, [x, w], 'rmsNorm']]) {
      const g = (...a) => weightedSum(tf.grad(f, { argnums: [0] })(...a)[0], 5);
      checkGrad(g, args, { label: `${name} (2nd)`, rtol: 1e-5, atol: 1e-6 });
    }
  });
  test('linear (one node over all leading dims): x, weight, bias, first and second order', () => {
    const W = randTensor([4, 9], { seed: 14 }), B4 = randTensor([4], { seed: 15 });
    const f = (x, w, b) => weightedSum(tf.F.linear(x, w, b));
    checkGrad(f, [x, W, B4], { label: 'linear' });
    checkGrad((x, w) => weightedSum(tf.F.linear(x, w)), [x, W], { label: 'linear without bias' });
    checkGrad((x, w, b) => weightedSum(tf.F.linear(x.select(0, 0).select(0, 1), w, b)), [x, W, B4], { label: 'linear 1-d' });
    const g = (x, w, b) => weightedSum(tf.grad(f, { argnums: [1] })(x, w, b)[0].mul(tf.grad(f, { argnums: [0] })(x, w, b)[0].sum()), 5);
    checkGrad(g, [x, W, B4], { label: 'linear (2nd)', rtol: 1e-5, atol: 1e-6 });
  });
  test('scaledDotProductAttention: plain, causal, float and bool masks, and second order', () => {
    const q = randTensor([2, 4, 3], { seed: 21 }), k = randTensor([2, 5, 3], { seed: 22 }), v = randTensor([2, 5, 2], { seed: 23 });
    const fm = randTensor([4, 5], { seed: 24 });
    const bm = tf.tensor([[true, false, true, true, false], [true, true, false, false, true], [true, true, true, true, true], [false, true, false, false, false]]);
    const opts = [{}, { isCausal: true }, { attnMask: fm }, { attnMask: bm, scale: 0.7 }, { attnMask: fm, isCausal: true }];
    for (const o of opts) {
      const f = (q, k, v) => weightedSum(tf.F.scaledDotProductAttention(q, k, v, o));
      checkGrad(f, [q, k, v], { label: `sdpa ${JSON.stringify(Object.keys(o))}` });
    }
    const f = (q, k, v) => weightedSum(tf.F.scaledDotProductAttention(q, k, v, { isCausal: true }));
    const g = (q, k, v) => weightedSum(tf.grad(f, { argnums: [0, 1, 2] })(q, k, v)[1], 5);
    checkGrad(g, [q, k, v], { label: 'sdpa (2nd)', rtol: 1e-5, atol: 1e-6 });
  });
  test('the fused backward ops are differentiable in the incoming gradient too', () => {
    // vjp(x ↦ op(x))(g) = g·op'(x): differentiate it in x and in g (the backward nodes' own backward).
    const g0 = randTensor([3, 2, 9], { seed: 31 });
    const ops = [(x) => x.gelu(), (x) => x.gelu({ approximate: 'tanh' }), (x) => x.softmax(-1), (x) => x.logSoftmax(1)];
    for (const op of ops) checkGrad((x, g) => weightedSum(tf.vjp(op, x)[1](g)[0]), [x, g0], { label: 'vjp' });
  });
});

describe('fused ops: behaviour', () => {
  test('attention with a mask that requires grad gets its gradient', () => {
    const q = randTensor([1, 3, 2], { seed: 41 }), k = randTensor([1, 3, 2], { seed: 42 }), v = randTensor([1, 3, 2], { seed: 43 });
    const m = randTensor([3, 3], { seed: 44 });
    checkGrad((m) => weightedSum(tf.F.scaledDotProductAttention(q, k, v, { attnMask: m })), [m], { label: 'mask' });
  });
  test('attention with broadcasting batch dims and 2-d inputs', () => {
    const q = randTensor([2, 3, 4, 5], { seed: 51 }), k = randTensor([1, 3, 6, 5], { seed: 52 }), v = randTensor([1, 3, 6, 2], { seed: 53 });
    const o = tf.F.scaledDotProductAttention(q, k, v);
    const ref = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(5)).softmax(-1).matmul(v);
    expectClose(values64(o), values64(ref), { rtol: 1e-12, atol: 1e-12 });
    const q2 = randTensor([4, 5], { seed: 54 });
    const o2 = tf.F.scaledDotProductAttention(q2, q2, q2, { isCausal: true });
    expect(o2.shape).toEqual([4, 5]);
    expectClose(values64(o2).slice(0, 5), values64(q2).slice(0, 5), { rtol: 1e-12, atol: 1e-12 });  // row 0 sees only key 0
  });
  test('attention dropout in training mode, none when training is false', () => {
    const q = tf.randn([2, 4, 8]);
    const a = tf.F.scaledDotProductAttention(q, q, q, { dropoutP: 0.5, training: false });
    const b = tf.F.scaledDotProductAttention(q, q, q);
    expectClose(values64(a), values64(b), { rtol: 1e-6, atol: 1e-7 });
    tf.manualSeed(3);
    const c = tf.F.scaledDotProductAttention(q, q, q, { dropoutP: 0.5 });
    expect(c.shape).toEqual([2, 4, 8]);
  });
  test('MultiheadAttention through the fused kernel (needWeights false) equals the weights path, gradients too', () => {
    tf.manualSeed(7);
    const m = new tf.nn.MultiheadAttention(8, 2, { dtype: 'float64' });
    const x = randTensor([5, 3, 8], { seed: 61 });
    const kpm = tf.tensor([[false, false, false, true, true], [false, false, false, false, false], [false, true, false, false, false]]);
    const am = randTensor([5, 5], { seed: 62 });
    for (const opts of [{}, { isCausal: true, attnMask: am }, { keyPaddingMask: kpm, attnMask: am.gt(0.8) }]) {
      const run = (needWeights) => {
        const xs = x.detach().requiresGrad_();
        const [out] = m.forward(xs, xs, xs, { ...opts, needWeights });
        m.zeroGrad();
        weightedSum(out).backward();
        return [values64(out), values64(xs.grad), values64(m.in_proj_weight.grad)];
      };
      const [a, b] = [run(false), run(true)];
      a.forEach((v, i) => expectClose(v, b[i], { rtol: 1e-10, atol: 1e-12 }, `part ${i}`));
    }
  });
  test('clear errors', () => {
    const q = tf.randn([2, 3, 4]);
    expectThrowsKind(() => tf.F.scaledDotProductAttention(q, tf.randn([2, 5, 3]), tf.randn([2, 5, 4])), 'Error', /scaledDotProductAttention: key must be/);
    expectThrowsKind(() => tf.F.scaledDotProductAttention(q, q, q, { attnMask: tf.randn([4, 4]) }), 'Error', /scaledDotProductAttention: shapes \[4,4\] and \[2,3,3\] cannot be broadcast/);
    expectThrowsKind(() => tf.F.scaledDotProductAttention(q, q, q, { dropoutP: 1.5 }), 'RangeError', /dropoutP must be in \[0, 1\)/);
    expectThrowsKind(() => tf.F.scaledDotProductAttention(q, q, q, { scale: 'x' }), 'TypeError', /scale must be a finite number/);
    expectThrowsKind(() => tf.F.scaledDotProductAttention(q, q.to('float64'), q), 'TypeError', /all be float32 or all float64/);
    expectThrowsKind(() => q.gelu({ approximate: 'fast' }), 'TypeError', /gelu: approximate must be 'none' or 'tanh'/);
    expectThrowsKind(() => q.gelu(null), 'TypeError', /gelu: options must be an object/);
    expectThrowsKind(() => tf.F.rmsNorm(q, [5]), 'Error', /rmsNorm: input of shape \[2,3,4\] does not end with the normalized shape \[5\]/);
    expectThrowsKind(() => tf.F.layerNorm(q, [4], tf.randn([3])), 'Error', /layerNorm/);
  });
  test('layerNorm with weight of another dtype falls back to the composition', () => {
    const x = tf.randn([3, 4]);
    const y = tf.F.layerNorm(x, [4], tf.ones([4], { dtype: 'float64' }));
    expectClose(values64(y), values64(tf.F.layerNorm(x, [4])), { rtol: 1e-5, atol: 1e-6 });
  });
});

// The float32 kernels at each SIMD level, in a child process per level: the fixture cases' forward
// and gradients, and large inputs that take the threaded paths against a float64 evaluation.
const root = path.resolve(__dirname, '..');
const probe = `
const tf = require(${JSON.stringify(root)});
const { cases, prepare, apply } = require(${JSON.stringify(path.join(__dirname, 'fused_cases.js'))})(tf);
const worst = {};
const note = (k, got, want, atol) => {
  let w = 0;
  for (let i = 0; i < want.length; i++) w = Math.max(w, Math.abs(got[i] - want[i]) / (atol + Math.abs(want[i])));
  worst[k] = Math.max(worst[k] || 0, w);
};
for (const c of cases) {
  const { names, xs, consts, loss } = prepare(c, 'float32');
  note(c.name + ' forward', apply(c, xs, consts).toTypedArray(), c.out.data, 1e-4);
  const gs = tf.grad(loss, { argnums: names.map((_, i) => i) })(...xs);
  names.forEach((n, i) => note(c.name + ' grad', gs[i].toTypedArray(), c.grads[n].data, 1e-4));
}
// Large: threaded and vector paths; the float64 evaluation of the same float32 inputs is the reference.
tf.manualSeed(5);
const big = [
  ['gelu', (x) => x.gelu(), [70001]], ['gelu tanh', (x) => x.gelu({ approximate: 'tanh' }), [70001]],
  ['softmax', (x) => x.softmax(-1), [300, 257]], ['logSoftmax', (x) => x.logSoftmax(-1), [300, 257]],
  ['layerNorm', (x) => tf.F.layerNorm(x, [129]), [500, 129]], ['rmsNorm', (x) => tf.F.rmsNorm(x, [129]), [500, 129]],
  ['sdpa', (x) => tf.F.scaledDotProductAttention(x, x.mul(0.5), x, { isCausal: true }), [6, 70, 33]],
];
for (const [name, f, shape] of big) {
  const x32 = tf.randn(shape).mul(2), x64 = x32.to('float64');
  const r = tf.randn(shape).to('float64');
  const run = (x) => { const y = f(x); return [y, tf.grad((x) => f(x).mul(r.to(x.dtype)).sum())(x)]; };
  const [y32, g32] = run(x32), [y64, g64] = run(x64);
  note(name + ' large forward', y32.toTypedArray(), y64.toTypedArray(), 1e-4);
  note(name + ' large grad', g32.toTypedArray(), g64.toTypedArray(), 1e-3);
}
process.stdout.write(JSON.stringify({ simd: tf.backendInfo().simd, worst }));
`;
const levels = ['avx512', 'avx2', 'scalar'];
describe('fused float32 kernels at every SIMD level', () => {
  for (const level of levels) {
    test(level, () => {
      const r = spawnSync(process.execPath, ['-e', probe], { env: { ...process.env, TENSORFOLD_SIMD: level }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      const { simd, worst } = JSON.parse(r.stdout);
      if (simd !== level) {
        expect(levels.indexOf(simd)).toBeGreaterThan(levels.indexOf(level));
        return;
      }
      for (const [k, w] of Object.entries(worst)) if (!(w < 1e-3)) throw new Error(`${k}: relative error ${w} at ${simd}`);
    }, 120000);
  }
});

test('scaledDotProductAttention: a per-batch mask [BH, 1, S] with BH == L is not read as one [L, S] mask', () => {
  // Regression: the kernel took any mask of L·S elements for a shared [L, S] one (MultiheadAttention's
  // key-padding masks are [N·heads, 1, S]).
  tf.manualSeed(7);
  const q = tf.randn([4, 4, 5], { dtype: 'float64' }), k = tf.randn([4, 6, 5], { dtype: 'float64' });
  const v = tf.randn([4, 6, 5], { dtype: 'float64' });
  const mask = tf.randn([4, 1, 6], { dtype: 'float64' });
  const fused = tf.F.scaledDotProductAttention(q, k, v, { attnMask: mask });
  const composed = tf.F.attentionWeights(q, k, mask, false, null).matmul(v);
  expect(fused.sub(composed).abs().max().item()).toBeLessThan(1e-12);
});
