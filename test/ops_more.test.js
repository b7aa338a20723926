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
      const fn = c.call === 'function';
      const out = fn ? tf[c.op](...args) : tf[c.op](ins[0], ...args);
      const outs = Array.isArray(out) ? out : [out];
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, k) => {
        const want = c.outputs[k];
        expect(o.shape).toEqual(want.shape);
        expect(o.dtype).toBe(want.dtype);
        const tol = want.dtype === 'float32' ? { rtol: 2e-5, atol: 2e-6 } : { rtol: 1e-10, atol: 1e-12 };
        expectClose(Array.from(o.toTypedArray(), Number), want.values.map(num), tol, `${c.name} output ${k}`);
      });
      if (fn) return;
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
    expectThrowsKind(() => tf.bincount(t), 'TypeError', /bincount: expected an integer tensor/);
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

describe('shape ops: gradients and errors', () => {
  const x = randTensor([2, 3, 4], { seed: 9 });
  const y = randTensor([2, 4, 5], { seed: 10 });
  const z = randTensor([5, 3], { seed: 12 });
  gradAndSecond('flip', (a) => tf.flip(a, [0, 2]).mul(a), [x]);
  gradAndSecond('roll', (a) => tf.roll(a, [1, -2], [1, 2]).mul(a), [x]);
  gradAndSecond('roll flat', (a) => tf.roll(a, 5).mul(a), [x]);
  gradAndSecond('rot90', (a) => tf.rot90(a, 1, [1, 2]).square(), [x]);
  gradAndSecond('repeat', (a) => a.repeat(2, 1, 1, 2).square(), [x]);
  gradAndSecond('tile', (a) => tf.tile(a, [2, 1]).square(), [x]);
  gradAndSecond('repeatInterleave', (a) => tf.repeatInterleave(a, 2, 1).square(), [x]);
  gradAndSecond('repeatInterleave tensor', (a) => tf.repeatInterleave(a, tf.tensor([2, 0, 1], { dtype: 'int32' }), 1).square(), [x]);
  gradAndSecond('movedim', (a) => tf.movedim(a, [0, 1], [2, 0]).square(), [x]);
  gradAndSecond('unflatten', (a) => tf.unflatten(a, 2, [2, 2]).square(), [x]);
  gradAndSecond('broadcastTo', (a) => tf.broadcastTo(a.narrow(1, 0, 1), [2, 3, 4]).square(), [x]);
  gradAndSecond('meshgrid', (a, b) => { const [p, q] = tf.meshgrid([a, b], { indexing: 'xy' }); return p.mul(q); },
    [randTensor([3]), randTensor([4], { seed: 2 })]);
  gradAndSecond('broadcastTensors', (a, b) => { const [p, q] = tf.broadcastTensors(a, b); return p.mul(q); },
    [randTensor([3, 1]), randTensor([4], { seed: 2 })]);
  gradAndSecond('hstack', (a, b) => tf.hstack([a, b]).square(), [randTensor([2, 3]), randTensor([2, 1], { seed: 2 })]);
  gradAndSecond('vstack', (a, b) => tf.vstack([a, b]).square(), [randTensor([3]), randTensor([2, 3], { seed: 2 })]);
  for (const mode of ['constant', 'reflect', 'replicate', 'circular'])
    gradAndSecond(`pad ${mode}`, (a) => tf.pad(a, [2, 1, 1, 2], { mode, value: 0.5 }).square(), [x]);
  gradAndSecond('pad negative', (a) => tf.pad(a, [-1, 2]).square(), [x]);
  gradAndSecond('einsum bmm', (a, b) => tf.einsum('bij,bjk->bik', a, b), [x, y]);
  gradAndSecond('einsum chain', (a, b, c) => tf.einsum('bij,bjk,kl->bil', a, b, c), [x, y, z]);
  gradAndSecond('einsum sum and trace-free', (a) => tf.einsum('ijk->ki', a), [x]);
  gradAndSecond('einsum outer', (a, b) => tf.einsum('i,j', a, b), [randTensor([3]), randTensor([4], { seed: 2 })]);
  gradAndSecond('einsum ellipsis', (a, b) => tf.einsum('...ij,...jk->...ik', a, b), [x, y]);
  test('einsum over a large batch is a matmul, not a broadcast product', () => {
    // [64, 128, 128] x [64, 128, 128]: an elementwise broadcast product would need 512 MiB.
    const a = tf.ones([64, 128, 128]), b = tf.ones([64, 128, 128]);
    const r = tf.einsum('bij,bjk->bik', a, b);
    expect(r.shape).toEqual([64, 128, 128]);
    expect(r.max().item()).toBe(128);
  });
  test('errors name the op', () => {
    const t = tf.zeros([2, 3]);
    expectThrowsKind(() => tf.flip(t, 2), 'RangeError', /flip: dim 2 is out of range/);
    expectThrowsKind(() => tf.flip(t, [0, 0]), 'Error', /flip: dims \[0,0\] repeat a dim/);
    expectThrowsKind(() => tf.roll(t, [1, 2], 0), 'Error', /roll: shifts \[1,2\] and dims \[0\]/);
    expectThrowsKind(() => tf.rot90(tf.zeros([3])), 'Error', /rot90: expected at least 2 dims/);
    expectThrowsKind(() => tf.rot90(t, 1, [0, 0]), 'Error', /rot90: dims must differ/);
    expectThrowsKind(() => t.repeat(2), 'Error', /repeat: 1 repeat counts for a tensor of 2 dims/);
    expectThrowsKind(() => t.repeat(-1, 2), 'RangeError', /repeat: sizes must be non-negative/);
    expectThrowsKind(() => tf.repeatInterleave(t, tf.tensor([1, 2], { dtype: 'int32' }), 1), 'Error', /repeatInterleave: repeats of shape \[2\]/);
    expectThrowsKind(() => tf.movedim(t, [0, 1], [1]), 'Error', /movedim: source/);
    expectThrowsKind(() => tf.unflatten(t, 1, [2, 2]), 'Error', /unflatten: sizes \[2,2\] do not multiply to dim 1 of size 3/);
    expectThrowsKind(() => tf.broadcastTo(t, [3, 3]), 'Error', /expand/);
    expectThrowsKind(() => tf.broadcastTensors(t, tf.zeros([4])), 'Error', /broadcastTensors: shapes \[2,3\], \[4\] cannot be broadcast/);
    expectThrowsKind(() => tf.meshgrid([t]), 'Error', /meshgrid: expected 0-d or 1-D tensors/);
    expectThrowsKind(() => tf.meshgrid([tf.zeros([2])], { indexing: 'ji' }), 'TypeError', /meshgrid: indexing must be/);
    expectThrowsKind(() => tf.pad(t, [1]), 'Error', /pad: pads must hold a pair per padded dim/);
    expectThrowsKind(() => tf.pad(t, [3, 0], { mode: 'reflect' }), 'Error', /pad: reflect padding \[3, 0\] must be smaller than dim 1 of size 3/);
    expectThrowsKind(() => tf.pad(t, [1, 1], { mode: 'wrap' }), 'TypeError', /pad: mode must be/);
    expectThrowsKind(() => tf.pad(t, [-1, 1], { mode: 'replicate' }), 'Error', /pad: negative pads are only allowed in constant mode/);
    expectThrowsKind(() => tf.einsum('ij,jk->ik', t), 'Error', /einsum: the equation names 2 operands, got 1 tensors/);
    expectThrowsKind(() => tf.einsum('ijk->i', t), 'Error', /einsum: operand 0 has 2 dims but 'ijk' names 3/);
    expectThrowsKind(() => tf.einsum('ij,jk->ik', t, tf.zeros([4, 2])), 'Error', /einsum: index 'j' has size 3 and 4/);
    expectThrowsKind(() => tf.einsum('ii->i', tf.zeros([2, 2])), 'Error', /einsum: repeated index in 'ii' \(diagonals\) is not supported/);
    expectThrowsKind(() => tf.einsum('ij->iz', t), 'Error', /einsum: output index 'z' is not in any operand/);
    expectThrowsKind(() => tf.einsum(3, t), 'TypeError', /einsum: equation must be a string/);
    expectThrowsKind(() => tf.hstack([]), 'Error', /hstack: expected at least one Tensor/);
  });
});
