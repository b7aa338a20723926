// tf.customGrad: a user-defined differentiable op whose backward is the user's gradFunc.
'use strict';
const { tf, checkGrad, weightedSum } = require('./helpers');

const vals = (t) => Array.from(t.toTypedArray(), Number);
const f64 = (a) => tf.tensor(a, { dtype: 'float64' });

// x * y with the true gradient, and a cube with its true gradient.
const mulOp = tf.customGrad((x, y) => ({ value: x.mul(y), gradFunc: (dy) => [dy.mul(y), dy.mul(x)] }));
const cube = tf.customGrad((x) => ({ value: x.mul(x).mul(x), gradFunc: (dy) => dy.mul(x.mul(x)).mul(3) }));

describe('customGrad', () => {
  test('forward value; tf.grad with several inputs matches finite differences', () => {
    const x = f64([1, -2, 3]), y = f64([0.5, 4, -1]);
    expect(vals(mulOp(x, y))).toEqual([0.5, -8, -3]);
    checkGrad((a, b) => weightedSum(mulOp(a, b)), [x, y]);
    checkGrad((a) => weightedSum(cube(a).add(a)), [x]);
  });

  test('the gradient is gradFunc, not the forward computation', () => {
    const clipGrad = tf.customGrad((x) => ({ value: x.clone(), gradFunc: (dy) => dy.clamp(-1, 1) }));
    const x = tf.tensor([1, 2, 3], { requiresGrad: true });
    clipGrad(x).mul(tf.tensor([0.5, 5, -5])).sum().backward();
    expect(vals(x.grad)).toEqual([0.5, 1, -1]);
  });

  test('identity value, non-tensor arguments, null gradients, several outputs', () => {
    const scaleBy = tf.customGrad((x, k) => ({ value: x, gradFunc: (dy) => dy.mul(k) }));
    const x = tf.tensor([1, 2], { requiresGrad: true });
    const g = tf.grad((a) => scaleBy(a, 3).sum())(x);
    expect(vals(g)).toEqual([3, 3]);
    const stopSecond = tf.customGrad((a, b) => ({ value: a.add(b), gradFunc: (dy) => [dy, null] }));
    const [ga, gb] = tf.grad((a, b) => stopSecond(a, b).sum(), { argnums: [0, 1] })(tf.ones([2]), tf.ones([2]));
    expect(vals(ga)).toEqual([1, 1]);
    expect(vals(gb)).toEqual([0, 0]);
    const split = tf.customGrad((a) => ({ value: [a.mul(2), a.mul(3)], gradFunc: ([d1, d2]) => d1.mul(2).add(d2.mul(3)) }));
    const gs = tf.grad((a) => { const [p, q] = split(a); return p.sum().add(q.mul(2).sum()); })(tf.ones([2]));
    expect(vals(gs)).toEqual([8, 8]);
    const only = tf.grad((a) => split(a)[0].sum())(tf.ones([2]));
    expect(vals(only)).toEqual([2, 2]);
  });

  test('second order when gradFunc is differentiable', () => {
    const x = f64([0.5, -1.5]);
    const d2 = tf.grad((a) => tf.grad((b) => cube(b).sum())(a).sum())(x);
    expect(vals(d2)).toEqual([3, -9]);
  });

  test('no recording without grad', () => {
    const x = tf.tensor([1, 2]);
    expect(cube(x).requiresGrad).toBe(false);
    const y = tf.tensor([1, 2], { requiresGrad: true });
    expect(tf.noGrad(() => cube(y)).requiresGrad).toBe(false);
  });

  test('wrong gradients are clear coded errors', () => {
    const two = tf.customGrad((a, b) => ({ value: a.add(b), gradFunc: (dy) => [dy] }));
    const x = tf.ones([2], { requiresGrad: true }), y = tf.ones([2], { requiresGrad: true });
    expect(() => two(x, y).sum().backward()).toThrow(/returned 1 gradient\(s\) for 2 Tensor argument/);
    const bad = tf.customGrad((a) => ({ value: a.mul(2), gradFunc: () => tf.ones([3]) }));
    let err;
    try { bad(tf.ones([2], { requiresGrad: true })).sum().backward(); } catch (e) { err = e; }
    expect(err.code).toBe('ERR_TENSORFOLD_SHAPE');
    expect(err.message).toMatch(/gradient 0 has shape \[3\].*shape \[2\]/);
    const notT = tf.customGrad((a) => ({ value: a.mul(2), gradFunc: () => [5] }));
    expect(() => notT(tf.ones([2], { requiresGrad: true })).sum().backward()).toThrow(/must be a Tensor or null/);
    expect(() => tf.customGrad(5)).toThrow(/expected a function/);
    expect(() => tf.customGrad(() => 5)(tf.ones([1]))).toThrow(/\{value, gradFunc\}/);
    expect(() => tf.customGrad(() => ({ value: 1, gradFunc: () => null }))(tf.ones([1]))).toThrow(/value must be/);
  });
});
