// The ops of lib/reduction_ops.ts, lib/sorting.ts and lib/shape_ops.ts against PyTorch fixtures
// (scripts/gen_ops_more_fixtures.py -> test/fixtures/ops_more.json), gradients against float64
// finite differences with second order, and their errors.
'use strict';
const { tf, loadFixtures, fromSpec, num, expectClose, checkGrad, weightedSum, randTensor, expectThrowsKind } = require('./helpers');

const CASES = loadFixtures('ops_more.json');

function subst(a, ins) {
  if (typeof a === 'string' && /^\$\d+$/.test(a)) return ins[+a.slice(1)];
  if (Array.isArray(a)) return a.map((v) => subst(v, ins));
  if (a && typeof a === 'object') return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, subst(v, ins)]));
  return a === 'inf' ? Infinity : a === '-inf' ? -Infinity : a;
}

describe('forward against PyTorch', () => {
  for (const c of CASES) {
    test(`${c.op}: ${c.name}`, () => {
      const ins = c.inputs.map((s) => fromSpec(s));
      const args = subst(c.args, ins);
      let out = tf[c.op](ins[0], ...args);
      const outs = Array.isArray(out) ? out : [out];
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, k) => {
        const want = c.outputs[k];
        expect(o.shape).toEqual(want.shape);
        expect(o.dtype).toBe(want.dtype);
        const tol = want.dtype === 'float32' ? { rtol: 2e-5, atol: 2e-6 } : { rtol: 1e-10, atol: 1e-12 };
        expectClose(Array.from(o.toTypedArray(), Number), want.values.map(num), tol, `${c.name} output ${k}`);
      });
      // the method form is the function
      const m = ins[0][c.op](...args);
      const ms = Array.isArray(m) ? m : [m];
      expect(ms.map((t) => t.toArray())).toEqual(outs.map((t) => t.toArray()));
    });
  }
});

// Gradient checks: f(x) -> tensor, checked through weightedSum against finite differences, and its
// second order (the gradient, reduced the same way, differentiated again).
function gradAndSecond(name, f, xs, { second = true, rtol = 1e-6, atol = 1e-8 } = {}) {
  test(`${name}: gradient${second ? ' and second order' : ''}`, () => {
    const g = (...a) => { const o = f(...a); return weightedSum(Array.isArray(o) ? o[0] : o); };
    checkGrad(g, xs, { label: name, rtol, atol });
    if (second) {
      const argnums = xs.map((_, i) => i);
      checkGrad((...a) => weightedSum(tf.grad(g, { argnums })(...a)[0], 3), xs, { label: `${name} 2nd`, rtol: 1e-5, atol: 1e-7 });
    }
  });
}

describe('reductions and scans: gradients', () => {
  const x = randTensor([3, 4], { lo: -2, hi: 2, awayFrom: [0] });
  const pos = randTensor([3, 4], { lo: 0.5, hi: 2, seed: 11 });
  // one zero per row at most: with two, the first-order gradient is exact but its derivative in
  // the pair of zeros is taken as 0 (see lib/reduction_ops.ts)
  const withZeros = tf.tensor([[1.5, 0, -2, 3], [0, 2, 1.3, 1], [1.2, -1.1, 2.3, 0]], { dtype: 'float64' });
  const twoZeros = tf.tensor([[1.5, 0, -2, 0], [0, 2, 0, 1]], { dtype: 'float64' });
  gradAndSecond('cumsum', (a) => tf.cumsum(a, 1), [x]);
  gradAndSecond('cumsum axis 0', (a) => tf.cumsum(a, -2), [x]);
  gradAndSecond('cumprod', (a) => tf.cumprod(a, 1), [x]);
  gradAndSecond('cumprod with zeros', (a) => tf.cumprod(a, 1), [withZeros]);
  gradAndSecond('cumprod with zeros axis 0', (a) => tf.cumprod(a, 0), [withZeros]);
  gradAndSecond('prod', (a) => tf.prod(a, 1), [withZeros]);
  gradAndSecond('prod, two zeros (first order)', (a) => tf.prod(a, 1), [twoZeros], { second: false });
  gradAndSecond('cumprod, two zeros (first order)', (a) => tf.cumprod(a, 1), [twoZeros], { second: false });
  gradAndSecond('prod all', (a) => tf.prod(a), [pos]);
  gradAndSecond('cummax', (a) => tf.cummax(a, 1), [x]);
  gradAndSecond('cummin', (a) => tf.cummin(a, 0), [x]);
  gradAndSecond('logcumsumexp', (a) => tf.logcumsumexp(a, 1), [x]);
  gradAndSecond('norm 2', (a) => tf.norm(a), [x]);
  gradAndSecond('norm 3 axis', (a) => tf.norm(a, 3, 1), [x]);
  gradAndSecond('norm 1', (a) => tf.norm(a, 1, 0, true), [x]);
  gradAndSecond('norm inf', (a) => tf.norm(a, Infinity, 1), [x]);
  gradAndSecond('median', (a) => tf.median(a, 1), [x]);
  gradAndSecond('median all', (a) => tf.median(a), [x]);
  gradAndSecond('quantile', (a) => tf.quantile(a, 0.3, 1), [x]);
  gradAndSecond('quantile tensor q', (a) => tf.quantile(a, tf.tensor([0.2, 0.7]), 0, true), [x]);
  gradAndSecond('nansum', (a) => tf.nansum(a, 0), [x]);
  gradAndSecond('nanmean', (a) => tf.nanmean(a, 1), [x]);
  gradAndSecond('varMean', (a) => { const [v, m] = tf.varMean(a, 1); return v.add(m.mul(2)); }, [x]);
  test('norm and std at zero deviation: gradient 0 as PyTorch, not NaN', () => {
    const z = tf.zeros([3], { dtype: 'float64', requiresGrad: true });
    tf.norm(z).backward();
    expect(z.grad.toArray()).toEqual([0, 0, 0]);
    const c = tf.ones([2, 3], { dtype: 'float64', requiresGrad: true });
    c.std(1).sum().backward();
    expect(c.grad.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    const h = tf.grad((t) => tf.grad((u) => u.std())(t).sum())(tf.ones([3], { dtype: 'float64' }));
    expect(Array.from(h.toTypedArray()).every(Number.isFinite)).toBe(true);
  });
  test('sum over an empty dim is 0; max over one is an Error; reducing other dims of an empty tensor works', () => {
    expect(tf.zeros([2, 0]).sum(1).toArray()).toEqual([0, 0]);
    expect(tf.zeros([0, 3]).max(1).shape).toEqual([0]);
    expect(tf.zeros([0, 3]).argmax(1).shape).toEqual([0]);
    expectThrowsKind(() => tf.zeros([0, 3]).max(0), 'Error', /max: cannot reduce over an empty dim/);
    expectThrowsKind(() => tf.zeros([0, 3]).argmax(0), 'Error', /argmax: cannot reduce over an empty dim/);
    expect(tf.prod(tf.zeros([0])).item()).toBe(1);
  });
  test('errors name the op', () => {
    const t = tf.zeros([2, 3]);
    expectThrowsKind(() => tf.cumsum(t, 2), 'RangeError', /cumsum/);
    expectThrowsKind(() => tf.cumsum(t), 'TypeError', /cumsum: axis must be an integer/);
    expectThrowsKind(() => tf.cummax(t, -3), 'RangeError', /cummax/);
    expectThrowsKind(() => tf.prod(t, 5), 'RangeError', /prod: axis 5 is out of range/);
    expectThrowsKind(() => tf.median(t, 2), 'RangeError', /median/);
    expectThrowsKind(() => tf.median(tf.zeros([0])), 'Error', /median: cannot take the median over an empty dim/);
    expectThrowsKind(() => tf.quantile(t, 1.5), 'RangeError', /quantile: q must be in \[0, 1\]/);
    expectThrowsKind(() => tf.quantile(t, 0.5, 0, false, { interpolation: 'cubic' }), 'TypeError', /quantile: interpolation/);
    expectThrowsKind(() => tf.quantile(tf.zeros([2], { dtype: 'int32' }), 0.5), 'TypeError', /quantile: expected a float tensor/);
    expectThrowsKind(() => tf.norm(tf.zeros([2], { dtype: 'int32' })), 'TypeError', /norm: expected a float tensor/);
    expectThrowsKind(() => tf.norm(t, 'nuc'), 'TypeError', /norm: p must be a number/);
    expectThrowsKind(() => tf.bincount(tf.tensor([-1, 2], { dtype: 'int32' })), 'RangeError', /bincount: the input must be non-negative/);
    expectThrowsKind(() => tf.bincount(t), 'TypeError', /bincount: expected an int32 tensor/);
    expectThrowsKind(() => tf.bincount(tf.zeros([2, 2], { dtype: 'int32' })), 'Error', /bincount: expected a 1-D tensor/);
    expectThrowsKind(() => tf.any(t, 0, 1), 'TypeError', /any: keepdim must be a boolean/);
    expectThrowsKind(() => tf.logcumsumexp(t, 9), 'RangeError', /logcumsumexp: axis 9 is out of range/);
  });
});

describe('sorting and selection: gradients and errors', () => {
  const x = randTensor([3, 5], { seed: 5 });
  gradAndSecond('sort', (a) => tf.sort(a, 1), [x]);
  gradAndSecond('sort descending axis 0', (a) => tf.sort(a, 0, { descending: true }), [x]);
  gradAndSecond('topk', (a) => tf.topk(a, 2), [x]);
  gradAndSecond('topk smallest axis 0', (a) => tf.topk(a, 2, 0, { largest: false }), [x]);
  gradAndSecond('kthvalue', (a) => tf.kthvalue(a, 3, 1), [x]);
  test('indices are int32 and index the input', () => {
    const [v, i] = x.sort(1);
    expect(i.dtype).toBe('int32');
    expect(x.gather(1, i).toArray()).toEqual(v.toArray());
    expect(tf.argsort(x).toArray()).toEqual(i.toArray());
  });
  test('errors name the op', () => {
    const t = tf.zeros([2, 3]);
    expectThrowsKind(() => tf.sort(t, 2), 'RangeError', /sort: axis 2 is out of range/);
    expectThrowsKind(() => tf.sort(t, 0, { descending: 1 }), 'TypeError', /sort: descending must be a boolean/);
    expectThrowsKind(() => tf.sort(t, 0, null), 'TypeError', /sort: options must be an object/);
    expectThrowsKind(() => tf.topk(t, 4), 'RangeError', /topk: k = 4 is out of range for a dim of size 3/);
    expectThrowsKind(() => tf.topk(t, 1.5), 'TypeError', /topk: k must be an integer/);
    expectThrowsKind(() => tf.kthvalue(t, 0), 'RangeError', /kthvalue: k = 0 is out of range/);
    expectThrowsKind(() => tf.unique(t, { returnCounts: 'yes' }), 'TypeError', /unique: returnCounts must be a boolean/);
    expectThrowsKind(() => tf.searchsorted(tf.zeros([2, 3]), tf.zeros([3, 1])), 'Error', /searchsorted: the leading dims/);
    expectThrowsKind(() => tf.searchsorted(tf.zeros([3]), 'a'), 'TypeError', /searchsorted/);
    expectThrowsKind(() => tf.bucketize(t, tf.zeros([2, 2])), 'Error', /bucketize: boundaries must be 1-D/);
    expectThrowsKind(() => tf.argsort('x'), 'TypeError', /argsort: argument must be a Tensor/);
  });
});
