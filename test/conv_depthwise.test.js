// Depthwise conv2d (groups == input channels: native/core/conv_depthwise_body.h, a direct loop per
// plane instead of im2col + one thin GEMM per channel): values and gradients against PyTorch
// fixtures in float32 and float64, at every SIMD level (each level in its own process), float64
// gradients of first and second order against central finite differences, and inputs that are
// not contiguous.
'use strict';
const path = require('path');
const { spawnSync } = require('child_process');
const { tf, checkGrad, randTensor, weightedSum } = require('./helpers');
const { checkFixtures, relErr } = require('./conv_depthwise_check');

const F = tf.F;
const r = (shape, seed) => randTensor(shape, { seed });
// float64: the fixtures hold 9 significant digits.
const TOL = { float32: 2e-6, float64: 2e-8 };

function expectWithin(worst) {
  const bad = Object.entries(worst).filter(([k, e]) => !(e <= TOL[k.includes('float32') ? 'float32' : 'float64']));
  expect(bad).toEqual([]);
}

describe('depthwise conv2d against PyTorch fixtures', () => {
  test('float32 and float64 at the default SIMD level', () => {
    expectWithin({ ...checkFixtures('float32'), ...checkFixtures('float64') });
  });
  const levels = ['avx512', 'avx2', 'scalar'];
  for (const level of levels) {
    test(`float32 and float64 under TENSORFOLD_SIMD=${level}`, () => {
      const res = spawnSync(process.execPath, [path.join(__dirname, 'conv_depthwise_check.js')],
        { env: { ...process.env, TENSORFOLD_SIMD: level }, encoding: 'utf8' });
      if (res.status !== 0) throw new Error(res.stderr);
      const { simd, worst } = JSON.parse(res.stdout);
      if (simd !== level) {
        // This CPU lacks the level (the engine picked the best below the cap): nothing to check.
        expect(levels.indexOf(simd)).toBeGreaterThan(levels.indexOf(level));
        return;
      }
      expectWithin(worst);
    }, 60000);
  }
});

describe('depthwise conv2d gradients match finite differences (float64)', () => {
  const cases = [
    ['3x3 padding 1, bias', [2, 3, 5, 6], [3, 1, 3, 3], { padding: 1, groups: 3 }],
    ['stride 2, odd sizes', [1, 4, 7, 9], [4, 1, 3, 3], { stride: 2, padding: 1, groups: 4 }],
    ['dilation 2, rectangular', [1, 2, 7, 8], [2, 1, 2, 3], { dilation: 2, padding: [1, 2], groups: 2 }],
    ['3x3 padding [2,0]', [1, 3, 4, 6], [3, 1, 3, 3], { padding: [2, 0], groups: 3 }],
    ['channel multiplier 3', [1, 2, 4, 5], [6, 1, 3, 3], { padding: 1, groups: 2 }],
    ['stride [1,3], 5x5', [1, 2, 6, 11], [2, 1, 5, 5], { stride: [1, 3], padding: 2, groups: 2 }],
  ];
  for (const [name, xs, ws, opts] of cases) {
    test(name, () => {
      checkGrad((x, w, b) => weightedSum(F.conv2d(x, w, b, opts)),
        [r(xs, 1), r(ws, 2), r([ws[0]], 3)], { label: name });
    });
  }
  test('second order: grad of <∂f/∂x, V> w.r.t. w, and of <∂f/∂w, V> w.r.t. x', () => {
    const opts = { stride: 2, padding: 1, groups: 3 };
    const x = r([1, 3, 5, 6], 4), w = r([3, 1, 3, 3], 5);
    const f = (xx, ww) => weightedSum(F.conv2d(xx, ww, null, opts));
    const Vx = r([1, 3, 5, 6], 6), Vw = r([3, 1, 3, 3], 7);
    checkGrad((ww) => tf.grad(f, { createGraph: true })(x, ww).mul(Vx).sum(), [w], { label: 'd2 w' });
    checkGrad((xx) => tf.grad(f, { argnums: 1, createGraph: true })(xx, w).mul(Vw).sum(), [x], { label: 'd2 x' });
  });
});

describe('depthwise conv2d edge cases', () => {
  test('non-contiguous input and weight give the contiguous result', () => {
    const x = r([2, 8, 9, 7], 8), w = r([8, 1, 3, 3], 9);
    const xt = x.transpose(2, 3).contiguous().transpose(2, 3);  // same values, strided view
    const wt = w.transpose(2, 3).contiguous().transpose(2, 3);
    expect(xt.isContiguous()).toBe(false);
    const want = F.conv2d(x, w, null, { padding: 1, groups: 8 }).toTypedArray();
    const got = F.conv2d(xt, wt, null, { padding: 1, groups: 8 }).toTypedArray();
    expect(relErr(got, want)).toBe(0);
  });
  test('unbatched [C,H,W] input and a float32 batch that splits across threads', () => {
    const x = r([5, 6, 6], 10), w = r([5, 1, 3, 3], 11);
    const one = F.conv2d(x, w, null, { padding: 1, groups: 5 });
    const batched = F.conv2d(x.unsqueeze(0), w, null, { padding: 1, groups: 5 }).squeeze(0);
    expect(relErr(one.toTypedArray(), batched.toTypedArray())).toBe(0);
    // Planes of the same sample in different chunks, compared with each sample alone.
    const xb = r([6, 24, 10, 10], 12).to('float32'), wb = r([24, 1, 3, 3], 13).to('float32');
    const all = F.conv2d(xb, wb, null, { padding: 1, groups: 24 }).toTypedArray();
    for (let n = 0; n < 6; n++) {
      const alone = F.conv2d(xb.narrow(0, n, 1), wb, null, { padding: 1, groups: 24 }).toTypedArray();
      expect(relErr(all.subarray(n * alone.length, (n + 1) * alone.length), alone)).toBe(0);
    }
  });
  test('grouped but not depthwise (2 channels per group) still matches float64 differences', () => {
    checkGrad((x, w) => weightedSum(F.conv2d(x, w, null, { padding: 1, groups: 2 })),
      [r([1, 4, 4, 4], 14), r([4, 2, 3, 3], 15)], { label: 'groups 2' });
  });
});
