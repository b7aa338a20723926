// Training-mode batchNorm as one fused node (native/core/fused_batch_norm.cpp): output, gradients
// and running statistics against PyTorch fixtures (scripts/gen_batch_norm_fixtures.py) in float32
// and float64; float64 gradients of first and second order (the create_graph form) against
// central finite differences; strided inputs; the composed fallback for a weight of another dtype.
'use strict';
const { tf, checkGrad, randTensor, weightedSum } = require('./helpers');
const fixtures = require('./fixtures/batch_norm.json');

const F = tf.F;
const r = (shape, seed, lo = -1, hi = 1) => randTensor(shape, { seed, lo, hi });

// max |a - e| / (1 + max |e|)
function relErr(actual, expected) {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i] - expected[i]);
    if (!(e <= worst)) worst = e;
  }
  return actual.length === expected.length ? worst / (1 + scale) : Infinity;
}

// float64: the fixtures hold the exact values. float32: in the large-mean case (values ~1000,
// spread 0.01) y = x·scale + shift cancels two terms ~1e5 in float32, as PyTorch's CPU kernel
// (the same scale/shift form) does; an ulp there is ~1e-2 of the output.
const TOL = { float32: 2e-5, float64: 1e-10 };
const tolFor = (c, dtype) => (dtype === 'float32' && c.name.startsWith('large mean') ? 2e-2 : TOL[dtype]);

describe('batchNorm (training) against PyTorch fixtures', () => {
  for (const dtype of ['float32', 'float64']) {
    for (const c of fixtures.cases) {
      test(`${c.name} (${dtype})`, () => {
        const make = (s) => tf.tensor(Float64Array.from(s.data), { shape: s.shape, dtype });
        const names = Object.keys(c.inputs);
        const ins = names.map((k) => make(c.inputs[k]));
        const R = make(c.R);
        const C = c.inputs.x.shape[1];
        const rm = tf.zeros([C], { dtype }), rv = tf.ones([C], { dtype });
        const f = (x, w, b, keepStats) => F.batchNorm(x, keepStats ? rm : null, keepStats ? rv : null,
          { weight: w || null, bias: b || null, training: true, eps: c.eps });
        const tol = tolFor(c, dtype);
        const y = f(...[ins[0], ins[1], ins[2]], true);
        expect(relErr(y.toTypedArray(), c.out.data)).toBeLessThanOrEqual(tol);
        expect(relErr(rm.toTypedArray(), c.runningMean.data)).toBeLessThanOrEqual(tol);
        expect(relErr(rv.toTypedArray(), c.runningVar.data)).toBeLessThanOrEqual(tol);
        const gs = tf.grad((...a) => f(a[0], a[1], a[2], false).mul(R).sum(), { argnums: names.map((_, i) => i) })(...ins);
        names.forEach((k, i) => {
          expect([k, relErr(gs[i].toTypedArray(), c.grads[k].data) <= tol]).toEqual([k, true]);
        });
      });
    }
  }
});

describe('batchNorm (training) gradients match finite differences (float64)', () => {
  test('with weight and bias, 4-d and 2-d', () => {
    checkGrad((x, w, b) => weightedSum(F.batchNorm(x, null, null, { weight: w, bias: b, training: true })),
      [r([2, 3, 3, 4], 1), r([3], 2), r([3], 3)], { label: 'bn 4-d' });
    checkGrad((x, w, b) => weightedSum(F.batchNorm(x, null, null, { weight: w, bias: b, training: true })),
      [r([5, 4], 4), r([4], 5), r([4], 6)], { label: 'bn 2-d' });
  });
  test('without affine, and only the input requiring grad', () => {
    checkGrad((x) => weightedSum(F.batchNorm(x, null, null, { training: true, eps: 0.01 })),
      [r([3, 2, 2, 5], 7)], { label: 'bn plain' });
    const w = r([2], 8), b = r([2], 9);
    checkGrad((x) => weightedSum(F.batchNorm(x, null, null, { weight: w, bias: b, training: true })),
      [r([2, 2, 3, 3], 10)], { label: 'bn x only' });
  });
  test('second order: grad of <∂f/∂x, V> w.r.t. x and w', () => {
    const V = r([2, 3, 2, 3], 11), b = r([3], 12);
    const f = (x, w) => weightedSum(F.batchNorm(x, null, null, { weight: w, bias: b, training: true }));
    checkGrad((x, w) => tf.grad(f, { createGraph: true })(x, w).mul(V).sum(),
      [r([2, 3, 2, 3], 13), r([3], 14)], { label: 'bn 2nd' });
  });
});

describe('batchNorm (training) inputs', () => {
  test('a strided input gives the contiguous result', () => {
    const x = r([3, 4, 5, 6], 15);
    const xt = x.transpose(2, 3).contiguous().transpose(2, 3);
    expect(xt.isContiguous()).toBe(false);
    const a = F.batchNorm(x, null, null, { training: true }).toTypedArray();
    const b = F.batchNorm(xt, null, null, { training: true }).toTypedArray();
    expect(relErr(b, a)).toBe(0);
  });
  test('a weight of another dtype takes the composed form, with the same values', () => {
    const x = r([2, 3, 4, 4], 16).to('float32'), w = r([3], 17), b = r([3], 18);
    const mixed = F.batchNorm(x, null, null, { weight: w, bias: b, training: true });
    const fused = F.batchNorm(x, null, null, { weight: w.to('float32'), bias: b.to('float32'), training: true });
    expect(relErr(fused.toTypedArray(), mixed.to('float32').toTypedArray())).toBeLessThan(1e-6);
  });
  test('one value per channel is an error naming the shape', () => {
    expect(() => F.batchNorm(tf.ones([1, 3]), null, null, { training: true }))
      .toThrow(/batchNorm: expected more than 1 value per channel when training, got input \[1,3\]/);
  });
});
