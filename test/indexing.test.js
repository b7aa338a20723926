// Indexing and masking ops (lib/indexing_ops.ts): forward against PyTorch 1.13
// (scripts/gen_indexing_fixtures.py), gradients against finite differences (float64, second order
// where the op is differentiable), views of x.index(...) sharing storage, and errors.
'use strict';
const { tf, loadFixtures, fromSpec, toFlat, expectClose, checkGrad, weightedSum, randTensor, expectThrowsKind } = require('./helpers');

const cases = loadFixtures('indexing.json');
const argOf = (a, ts) => {
  if (typeof a === 'string' && /^\$\d+$/.test(a)) return ts[+a.slice(1)];
  if (Array.isArray(a)) return a.map((b) => argOf(b, ts));
  if (a && typeof a === 'object') return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, argOf(v, ts)]));
  return a;
};
// Index tensors: the fixtures write int64 as int32 already; booleans stay bool.
const inputsOf = (c) => c.inputs.map((s) => fromSpec(s));

describe('PyTorch fixtures', () => {
  test.each(cases.map((c) => [c.name, c]))('%s', (_, c) => {
    for (const form of ['method', 'func']) {
      const ts = inputsOf(c);
      const args = c.args.map((a) => argOf(a, ts));
      let out = form === 'method' ? ts[0][c.op](...args) : tf[c.op](ts[0], ...args);
      if (c.op === 'indexPut_') out = ts[0];
      const outs = Array.isArray(out) ? out : [out];
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, i) => {
        const e = c.outputs[i];
        expect(o.shape).toEqual(e.shape);
        expect(o.dtype).toBe(e.dtype === 'bool' ? 'bool' : e.dtype);
        expectClose(toFlat(o), e.values.map(Number), { rtol: 1e-6, atol: 1e-6 }, `${c.name} ${form}`);
      });
    }
  });
});

describe('gradients (float64, finite differences, second order)', () => {
  const x = randTensor([3, 4], { seed: 3 });
  const b = randTensor([2, 3, 4], { seed: 5 });
  const i32 = (v, shape) => tf.tensor(v, { dtype: 'int32', shape });
  const mask = tf.tensor([[true, false, true, false], [false, false, true, true], [true, true, false, false]]);
  const F = {
    tril: [(t) => t.tril(1), x],
    triu: [(t) => t.triu(-1), b],
    diagonal: [(t) => t.diagonal(1, -1, 0), b],
    diag1: [(t) => tf.diag(t.reshape([-1]).narrow(0, 0, 3), -1), x],
    diag2: [(t) => t.diag(1), x],
    trace: [(t) => t.trace().reshape([1]), x],
    maskedFill: [(t) => t.maskedFill(mask, 2), x],
    maskedSelect: [(t) => t.maskedSelect(mask), x],
    takeAlongDim: [(t) => t.takeAlongDim(i32([0, 3, 1, 1, 2, 0], [3, 2]), 1), x],
    take: [(t) => t.take(i32([0, -1, 5, 5], [2, 2])), x],
    scatter: [(t) => tf.zeros([3, 4], { dtype: 'float64' }).scatter(0, i32([2, 0, 1, 1], [1, 4]), t), x],
    scatterSelf: [(t) => t.scatter(1, i32([3, 0, 0, 1, 2, 2], [3, 2]), 5), x],
    scatterAdd: [(t) => t.scatter(0, i32([2, 0, 1, 1, 0, 0, 0, 2], [2, 4]), t.narrow(0, 0, 2), { reduce: 'add' }), x],
    scatterReduceMean: [(t) => t.scatterReduce(0, i32([2, 0, 1, 1, 0, 0, 0, 2], [2, 4]), t.narrow(0, 1, 2).mul(t.narrow(0, 1, 2)), 'mean', { includeSelf: false }), x],
    scatterReduceAmax: [(t) => t.scatterReduce(1, i32([0, 0, 1, 3, 3, 3, 2, 2, 0], [3, 3]), t.narrow(1, 1, 3).mul(2), 'amax'), x],
    scatterReduceAminNoSelf: [(t) => t.scatterReduce(0, i32([2, 0, 1, 1, 0, 0, 0, 2], [2, 4]), t.narrow(0, 1, 2).neg(), 'amin', { includeSelf: false }), x],
    indexFill: [(t) => t.indexFill(1, i32([0, 2], [2]), 1.5), x],
    indexCopy: [(t) => t.narrow(0, 0, 2).indexCopy(1, i32([3, 1], [2]), t.narrow(1, 0, 2).narrow(0, 1, 2)), x],
    indexBasic: [(t) => t.index('1:', '::2'), x],
    indexStep: [(t) => t.index(null, '...', '1:4:2'), b],
    indexAdv: [(t) => t.index(i32([1, 0, 1], [3]), ':', i32([2, 3, 0], [3])), b],
    indexAdjacent: [(t) => t.index(':', i32([2, 0], [2, 1]), i32([1, 3], [2])), b],
    indexMask: [(t) => t.index(mask), x],
  };
  test.each(Object.keys(F))('%s', (name) => {
    const [f, inp] = F[name];
    checkGrad((t) => weightedSum(f(t)), [inp], { label: name });
    // Second order: the gradient of a gradient's weighted sum, through createGraph.
    checkGrad((t) => {
      const g = tf.grad((u) => weightedSum(f(u).square()))(t);
      return weightedSum(g, 3);
    }, [inp], { label: `${name} 2nd`, rtol: 1e-5, atol: 1e-6 });
  });

  test('scatterReduce amax shares the gradient among ties, as PyTorch', () => {
    const y = tf.tensor([1, 5, 2], { dtype: 'float64', requiresGrad: true });
    const src = tf.tensor([5, 3, 2], { dtype: 'float64', requiresGrad: true });
    const out = y.scatterReduce(0, i32([1, 1, 2], [3]), src, 'amax');
    expect(out.toArray()).toEqual([1, 5, 2]);
    out.sum().backward();
    expect(y.grad.toArray()).toEqual([1, 0.5, 0.5]);
    expect(src.grad.toArray()).toEqual([0.5, 0, 0.5]);
  });

  test('indexPut_ writes into the tape: the overwritten values get no gradient', () => {
    const g = tf.grad((t) => {
      const y = t.mul(1);
      y.indexPut_([i32([0, 2], [2]), '1:3'], t.narrow(0, 1, 1).narrow(1, 0, 2).mul(3));
      return weightedSum(y);
    });
    checkGrad((t) => {
      const y = t.mul(1);
      y.indexPut_([i32([0, 2], [2]), '1:3'], t.narrow(0, 1, 1).narrow(1, 0, 2).mul(3));
      return weightedSum(y);
    }, [x], { label: 'indexPut_ advanced' });
    checkGrad((t) => {
      const y = t.mul(1);
      y.indexPut_([1, '::2'], t.narrow(0, 2, 1).reshape([-1]).narrow(0, 0, 2).exp());
      return weightedSum(y);
    }, [x], { label: 'indexPut_ basic' });
    expect(typeof g).toBe('function');
  });
});

describe('views', () => {
  test('basic x.index(...) shares storage with x', () => {
    const x = tf.arange(24).reshape([2, 3, 4]).float();
    const v = x.index(1, '::2', '1:4:2');
    expect(v.toArray()).toEqual([[13, 15], [21, 23]]);
    v.fill_(-1);
    expect(x.index(1).toArray()).toEqual([[12, -1, 14, -1], [16, 17, 18, 19], [20, -1, 22, -1]]);
    const w = x.index(null, 0, '...', -1);
    w.fill_(100);
    expect(x.index(0, ':', 3).toArray()).toEqual([100, 100, 100]);
  });
  test('diagonal is a view', () => {
    const x = tf.zeros([3, 3]);
    x.diagonal(1).fill_(2);
    expect(x.toArray()).toEqual([[0, 2, 0], [0, 0, 2], [0, 0, 0]]);
  });
  test('advanced indexing copies', () => {
    const x = tf.arange(6).reshape([2, 3]).float();
    const v = x.index(tf.tensor([1], { dtype: 'int32' }));
    v.fill_(0);
    expect(x.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });
  test('indexPut_ through a view writes the base', () => {
    const x = tf.zeros([2, 4]);
    x.index(1).indexPut_(['1:'], 7);
    expect(x.toArray()).toEqual([[0, 0, 0, 0], [0, 7, 7, 7]]);
  });
});

describe('empty and 0-d tensors', () => {
  test('empty and 0-d inputs', () => {
    expect(tf.zeros([0, 3]).tril().shape).toEqual([0, 3]);
    expect(tf.zeros([2, 0]).diagonal().shape).toEqual([0]);
    expect(tf.zeros([0]).diag().shape).toEqual([0, 0]);
    expect(tf.tensor(2).maskedFill(tf.tensor(true), 5).item()).toBe(5);
    expect(tf.tensor(2).maskedSelect(tf.tensor(true)).toArray()).toEqual([2]);
    expect(tf.tensor(2).index().item()).toBe(2);
    expect(tf.tensor(2).index(null).shape).toEqual([1]);
    expect(tf.tensor(2).index('...').shape).toEqual([]);
    expect(tf.zeros([3, 0]).index('1:', ':').shape).toEqual([2, 0]);
    expect(tf.zeros([3]).index(tf.tensor([], { dtype: 'int32' })).shape).toEqual([0]);
    expect(tf.tensor([0, NaN, 1]).nonzero().toArray()).toEqual([[1], [2]]);
    expect(tf.tensor(4).take(tf.tensor([0, 0], { dtype: 'int32' })).toArray()).toEqual([4, 4]);
  });
});

describe('errors', () => {
  const x = tf.zeros([2, 3]);
  const i32 = (v) => tf.tensor(v, { dtype: 'int32' });
  const axis = (fn, re) => {
    const e = expectThrowsKind(fn, 'RangeError', re);
    expect(e.code).toBe('ERR_TENSORFOLD_AXIS');
  };
  test('out-of-range indices name the op and the shape', () => {
    axis(() => x.index(2), /index: .*2.*\[2,3\]/);
    axis(() => x.index(':', -4), /index: .*-4.*\[2,3\]/);
    axis(() => x.index(i32([0, 5])), /index: .*5.*\[2,3\]/);
    axis(() => x.index(0, 0, 0), /index: 3 indices.*\[2,3\]/);
    axis(() => x.take(i32([6])), /take: .*6.*\[2,3\]/);
    axis(() => x.takeAlongDim(i32([[3]]), 1), /takeAlongDim: .*3.*\[2,3\]/);
    axis(() => x.scatter(0, i32([[2]]), 1), /scatter: .*2.*\[2,3\]/);
    axis(() => x.indexFill(1, i32([3]), 1), /indexFill: .*3.*\[2,3\]/);
    axis(() => x.indexCopy(0, i32([-3]), tf.zeros([1, 3])), /indexCopy: .*-3.*\[2,3\]/);
    axis(() => x.diagonal(0, 0, 2), /diagonal/);
    axis(() => x.indexPut_([i32([4])], 1), /index: .*4.*\[2,3\]/);
  });
  test('wrong types and shapes carry codes', () => {
    const codes = [
      () => x.maskedFill(tf.zeros([2, 3]), 1),
      () => x.maskedFill(tf.ones([4]).gt(0), 1),
      () => x.maskedFill(tf.ones([3]).gt(0), tf.zeros([2])),
      () => x.index('1:2:0'),
      () => x.index('a:b'),
      () => x.index('...', '...'),
      () => x.index({}),
      () => x.index(tf.zeros([1])),
      () => x.scatter(0, i32([[0]]), 1, { reduce: 'max' }),
      () => x.scatterReduce(0, i32([[0]]), tf.zeros([1, 1]), 'median'),
      () => x.tril(0.5),
      () => tf.zeros([3]).tril(),
      () => tf.zeros([2, 2, 2]).diag(),
      () => x.trace.call(tf.zeros([3])),
      () => x.indexPut_('x', 1),
      () => x.nonzero(null),
    ];
    for (const f of codes) {
      let err = null;
      try { f(); } catch (e) { err = e; }
      expect(err).not.toBeNull();
      expect(tf.isTensorfoldError(err)).toBe(true);
    }
  });
});
