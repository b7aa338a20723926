// Focused regression tests for the bugs the randomized differential tester (test/differential.test.js)
// found, one per class, with PyTorch 1.13's values (computed by hand with torch; see the comments).
'use strict';
const tf = require('..');

const f64 = (a) => tf.tensor(Float64Array.from(a));
const leaf = (a) => f64(a).requiresGrad_(true);
const arr = (t) => Array.from(t.toTypedArray());

// NaN stays NaN, other numbers compared closely.
function expectValues(got, want) {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    if (Number.isNaN(w)) expect(got[i]).toBeNaN();
    else if (!Number.isFinite(w)) expect(got[i]).toBe(w);
    else expect(got[i]).toBeCloseTo(w, 6);
  });
}

describe('gradients at NaN and ±inf as PyTorch', () => {
  test('clamp: a NaN input gets gradient 0 even when the incoming gradient is NaN', () => {
    const x = leaf([NaN, 0.5]);
    x.clamp(-1, 1).abs().add(0.5).log2().sum().backward();
    expectValues(arr(x.grad), [0, 1.4426950408889634]);
  });
  test('x.max() over every element: the NaN elements share the gradient, the others get exactly 0', () => {
    const x = leaf([1, NaN, 3]);
    x.max().abs().add(0.5).log().backward();
    expectValues(arr(x.grad), [0, NaN, 0]);
  });
  test('var: 2 (x - mean) / (n - correction), without a NaN from the mean term at an infinite input', () => {
    const x = leaf([1, 2, Infinity]);
    x.var(0, false, 0).backward();
    expectValues(arr(x.grad), [-Infinity, -Infinity, NaN]);
  });
  test('var: second order through the mean is unchanged (Hessian 2/(n-c) (I - 1/n))', () => {
    const g = tf.grad((x) => tf.grad((y) => y.var())(x).mul(f64([1, 0, 0])).sum());
    expectValues(arr(g(f64([1, 2, 4]))), [2 / 2 * (1 - 1 / 3), -2 / 2 / 3, -2 / 2 / 3]);
  });
  test('cumsum: a NaN gradient reaches only the entries at or before it', () => {
    const x = leaf([0, 1]);
    x.cumsum(0).mul(f64([NaN, 1])).sum().backward();
    expectValues(arr(x.grad), [NaN, 1]);
  });
  test('remainder: the divisor gradient is NaN where the dividend is infinite (floor division)', () => {
    const b = leaf([2, 2]);
    f64([Infinity, 5]).remainder(b).sum().backward();
    expectValues(arr(b.grad), [NaN, -2]);
  });
  test('gelu (float32): gradient NaN at ±inf, as float64 and PyTorch', () => {
    const x = tf.tensor([Infinity, -Infinity, 1]).requiresGrad_(true);
    x.gelu().sum().backward();
    expectValues(arr(x.grad), [NaN, NaN, 1.083315372467041]);
  });
  test('hardsigmoid: gradient 1/6 strictly inside (-3, 3), 0 outside and at NaN', () => {
    const x = tf.tensor([NaN, -3.5, 0, 3.5]).requiresGrad_(true);
    x.hardsigmoid().sum().backward();
    expectValues(arr(x.grad), [0, 0, 1 / 6, 0]);
  });
  test('hardswish at ±inf: values inf and NaN (PyTorch: x · relu6(x + 3) / 6), gradients 1 and 0', () => {
    const x = leaf([Infinity, -Infinity, 1]);
    const y = x.hardswish();
    y.sum().backward();
    expectValues(arr(y), [Infinity, NaN, 2 / 3]);
    expectValues(arr(x.grad), [1, 0, 5 / 6]);
  });
  test('logSigmoid(inf) is 0 (was NaN); gradient 1/2 at 0', () => {
    const x = leaf([Infinity, -Infinity, 0]);
    const y = x.logSigmoid();
    y.sum().backward();
    expectValues(arr(y), [0, -Infinity, -Math.LN2]);
    expectValues(arr(x.grad), [0, 1, 0.5]);
  });
  test.each(['elu', 'selu', 'celu'])('%s: gradient NaN at NaN', (op) => {
    const x = leaf([NaN, 1]);
    x[op]().sum().backward();
    expect(arr(x.grad)[0]).toBeNaN();
  });
  test('lerp: PyTorch\'s two-sided formula (end - (end - start)(1 - w) for w >= 1/2)', () => {
    expectValues(arr(tf.lerp(f64([0]), f64([Infinity]), 0.75)), [NaN]);
    expect(arr(tf.lerp(f64([0.1]), f64([0.3]), 1))[0]).toBe(0.3);
    expect(arr(tf.lerp(f64([0.1]), f64([0.3]), f64([1])))[0]).toBe(0.3);
  });
});

describe('in-place writes after an op that PyTorch does not make an error', () => {
  test('x.mul(2) then an in-place write to x (mul\'s gradient for x does not read x)', () => {
    const x = tf.tensor(Float64Array.from([1, -2, 3, 4]), { shape: [2, 2] }).requiresGrad_(true);
    const c = x.clone().transpose(0, 1);  // non-contiguous: the general binary path
    const y = c.mul(2);
    c.add_(1);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([2, 2, 2, 2]);
  });
  test('x.fmod(0.7) then an in-place write to x', () => {
    const x = tf.tensor(Float64Array.from([1, -2, 3, 4]), { shape: [2, 2] }).requiresGrad_(true);
    const c = x.clone().transpose(0, 1);
    const y = c.fmod(0.7);
    c.sub_(2);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([1, 1, 1, 1]);
  });
  test('reciprocal saves its output: changing its input in place afterwards is fine', () => {
    const x = leaf([1, -2]);
    const b = x.abs().add(0.5);
    const r = b.reciprocal();
    b.mul_(2);
    r.sum().backward();
    expectValues(arr(x.grad), [-0.4444444444444444, 0.16000000000000003]);
  });
  test('the other operand\'s gradient still checks: x.mul(y) then y changed in place is an Error', () => {
    const x = leaf([1, 2]);
    const y = leaf([3, 4]).mul(1);
    const z = x.mul(y);
    y.add_(1);
    expect(() => z.sum().backward()).toThrow(/modified in place/);
  });
  test('repeat copies even when every count is 1, so an in-place write on it is allowed', () => {
    const x = leaf([1, 2]);
    const y = x.repeat([1]);
    y.mul_(2);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([2, 2]);
    expect(arr(x)).toEqual([1, 2]);
  });
});

describe('shapes as PyTorch', () => {
  test('chunk of a size-0 dim gives n empty chunks', () => {
    const parts = tf.zeros([0, 4]).chunk(3, 0);
    expect(parts.map((p) => p.shape)).toEqual([[0, 4], [0, 4], [0, 4]]);
  });
});

describe('erfinv saves its input, as PyTorch', () => {
  test('an in-place change of erfinv\'s output afterwards does not make the backward an Error', () => {
    const x = leaf([0.1, -0.5]);
    const y = x.mul(1).erfinv();
    const z = y.mul(2);  // the gradient of mul by a number does not read y
    y.add_(1);
    z.sum().backward();
    // d erfinv(x)/dx = sqrt(pi)/2 exp(erfinv(x)^2); erfinv(0.1) = 0.08885599049425769, erfinv(-0.5) = -0.4769362762044699
    expectValues(arr(x.grad), [2 * 0.886226925452758 * Math.exp(0.08885599049425769 ** 2),
      2 * 0.886226925452758 * Math.exp(0.4769362762044699 ** 2)]);
  });
});

// Found by the dtype programs of the differential tester (test/differential_dtypes.test.js) in an earlier
// draw of its fixture, for every float dtype: these returned a view of the input where PyTorch copies.
describe('ops that copy where they could have returned a view', () => {
  test('tf.pad with cropping (negative) pads copies, so an in-place write on its result is allowed', () => {
    const x = tf.tensor([1, 2, 3]).requiresGrad_(true);
    const y = tf.pad(x, [-1, 0]);
    y.sub_(1);  // F.pad returns a new tensor (it was a view of the leaf x, and the write an error)
    y.sum().backward();
    expect(arr(x.grad)).toEqual([0, 1, 1]);
  });
  test('repeat of an empty tensor copies too', () => {
    const x = tf.zeros([0]).requiresGrad_(true);
    const y = x.repeat([1, 2]);
    y.abs_();
    expect(y.shape).toEqual([1, 0]);
  });
});
