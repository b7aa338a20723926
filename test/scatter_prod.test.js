// scatterReduce(..., 'prod') gradients (issue #9): against PyTorch 1.13 (test/fixtures/scatter_prod.json
// from scripts/gen_scatter_prod_fixtures.py) and against finite differences in float64, first and
// second order, with zeros in x and in src: alone at a place, two at one place, next to x's zero.
'use strict';
const { tf, loadFixtures, expectClose, expectThrowsKind, checkGrad, weightedSum, values64 } = require('./helpers');

const f64 = (values, shape) => tf.tensor(values, { dtype: 'float64', shape });
const i32 = (values, shape) => tf.tensor(values, { dtype: 'int32', shape });
const spec64 = (s) => f64(s.values, s.shape);
const TOL = { rtol: 1e-10, atol: 1e-12 };

describe("scatterReduce 'prod' against PyTorch 1.13", () => {
  for (const c of loadFixtures('scatter_prod.json')) {
    test(c.name, () => {
      const idx = i32(c.index.values, c.index.shape);
      const opts = { includeSelf: c.includeSelf };
      const w = spec64(c.w), v1 = spec64(c.v1), v2 = spec64(c.v2);
      const L = (x, s) => x.scatterReduce(c.dim, idx, s, 'prod', opts).mul(w).sum();
      const x = spec64(c.x), src = spec64(c.src);
      expectClose(x.scatterReduce(c.dim, idx, src, 'prod', opts), c.out, TOL, 'out');
      const [gx, gs] = tf.grad(L, { argnums: [0, 1] })(x, src);
      expectClose(gx, c.gradX, TOL, 'd/dx');
      expectClose(gs, c.gradSrc, TOL, 'd/dsrc');
      // d/d(x, src) of sum(v1 * dL/dx) + sum(v2 * dL/dsrc)
      const second = (a, b) => {
        const [ga, gb] = tf.grad(L, { argnums: [0, 1] })(a, b);
        return ga.mul(v1).sum().add(gb.mul(v2).sum());
      };
      if (c.second) {
        const [hx, hs] = tf.grad(second, { argnums: [0, 1] })(x, src);
        expectClose(hx, c.second.x, TOL, 'second order x');
        expectClose(hs, c.second.src, TOL, 'second order src');
      } else {
        // PyTorch: "Double backward is unsupported for src when >1 zeros in src are scattered to the same position"
        const e = expectThrowsKind(() => tf.grad(second, { argnums: [0, 1] })(x, src), 'Error',
          /scatterReduce: the second derivative of 'prod' with respect to src is not supported where two or more zeros/);
        expect(e.code).toBe('ERR_TENSORFOLD_STATE');
      }
    });
  }
});

describe("scatterReduce 'prod' against finite differences", () => {
  // Each place of x receives 0..3 src values; zeros in x (row 0), a lone src zero, two src zeros
  // together (first order only), a zero of x and of src at one place.
  const x = f64([1.5, 0, -2, 0.5, 3, 0.7, 0, 1.2, -0.4, 0.9, -1.1, 0.6], [3, 4]);
  const idx = i32([0, 1, 1, 0, 1, 2, 2, 1, 0, 2, 2, 1], [3, 4]);
  const srcTwoZeros = f64([0, 2, 0.5, 0, 0, -1.5, 0.8, 0.3, 2, 0.4, 1.3, -0.7], [3, 4]);
  const srcLoneZeros = f64([0, 2, 0.5, 0.4, 0.3, 0, 0.8, 0.3, 2, 0.4, 1.3, -0.7], [3, 4]);
  const srcNoZeros = f64([0.6, 2, 0.5, 0.4, 0.3, -1.5, 0.8, 0.3, 2, 0.4, 1.3, -0.7], [3, 4]);
  const cases = [];
  for (const includeSelf of [true, false]) {
    for (const [srcName, src] of [['two zeros at a place', srcTwoZeros], ['lone zeros', srcLoneZeros], ['no zeros', srcNoZeros]])
      cases.push([`dim 0, ${srcName}, includeSelf=${includeSelf}`, 0, idx, src, includeSelf, srcName !== 'two zeros at a place']);
    // dim 1 with a src wider than index (only its leading part is written) and places not written
    cases.push([`dim 1, wide src, includeSelf=${includeSelf}`, 1, i32([3, 3, 1, 0, 0, 0], [3, 2]), srcLoneZeros, includeSelf, true]);
  }
  test.each(cases)('%s', (name, dim, index, src, includeSelf, secondOrder) => {
    const f = (a, b) => a.scatterReduce(dim, index, b, 'prod', { includeSelf });
    // d out[p] / d factor = the product of the other factors written to p (and x[p] with self)
    checkGrad((a, b) => weightedSum(f(a, b)), [x, src], { label: name });
    if (!secondOrder) return;
    checkGrad((a, b) => {
      const [ga, gb] = tf.grad((u, v) => weightedSum(f(u, v).square()), { argnums: [0, 1] })(a, b);
      return weightedSum(ga, 3).add(weightedSum(gb, 5));
    }, [x, src], { label: `${name} 2nd`, rtol: 1e-5, atol: 1e-6 });
  });

  test('a 0-d x and float32 work, and the gradient matches float64', () => {
    const g = tf.grad((a, b) => a.scatterReduce(0, i32([0, 0], [2]).narrow(0, 0, 1).reshape([]), b, 'prod'),
      { argnums: [0, 1] });
    const [ga, gb] = g(f64([3], []), f64([0], []));
    expect(ga.item()).toBe(0); // d(3·0)/dx = 0
    expect(gb.item()).toBe(3); // d(3·0)/dsrc = 3
    const x32 = tf.tensor([1.5, 0, -2, 0.5], { shape: [2, 2] });
    const s32 = tf.tensor([0, 2, 0.5, 0.25], { shape: [2, 2] });
    const id = i32([0, 1, 0, 1], [2, 2]);
    const [a32, b32] = tf.grad((a, b) => weightedSum(a.scatterReduce(0, id, b, 'prod'), 1), { argnums: [0, 1] })(x32, s32);
    const [a64, b64] = tf.grad((a, b) => weightedSum(a.scatterReduce(0, id, b, 'prod'), 1), { argnums: [0, 1] })(x32.double(), s32.double());
    expect(a32.dtype).toBe('float32');
    expectClose(values64(a32), values64(a64), { rtol: 1e-6, atol: 1e-7 });
    expectClose(values64(b32), values64(b64), { rtol: 1e-6, atol: 1e-7 });
  });

  test('backward after the tidy that made the result', () => {
    const x1 = f64([1, 2, 3], [3]).requiresGrad_(true);
    const s1 = f64([4, 0, 5, 6], [4]).requiresGrad_(true);
    const loss = tf.tidy(() => x1.scatterReduce(0, i32([0, 0, 2], [3]), s1, 'prod').mul(f64([1, 10, 100])).sum());
    loss.backward();
    // out = [1·4·0, 2, 3·5]: d/dx = [0, 10, 500]; d/dsrc = [0, 4, 300, 0] (src[3] is not written)
    expect(Array.from(x1.grad.toTypedArray())).toEqual([0, 10, 500]);
    expect(Array.from(s1.grad.toTypedArray())).toEqual([0, 4, 300, 0]);
  });
});
