// Broadcasting, views and negative axes: values of view ops computed by index arithmetic here,
// ops on non-contiguous inputs equal to the same ops on contiguous copies, gradients through
// chains of views, storage shared where PyTorch shares it, and negative axes for every op.
'use strict';
const { tf, expectClose, expectShape, expectThrowsKind, checkGrad, randTensor, weightedSum, values64 } = require('./helpers');

// 0, 1, 2, ... as float32 of the given shape: a value tells where it came from.
function iota(shape, dtype = 'float32') {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.arange(n).to(dtype).reshape(shape);
}

function stridesOf(shape) {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

// All multi-indices of shape, in row-major order.
function* indices(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = new Array(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    yield idx.slice();
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

describe('view values by index arithmetic', () => {
  const shape = [2, 3, 4];
  const st = stridesOf(shape);
  const x = iota(shape);

  test('transpose(0, 2)', () => {
    const y = x.transpose(0, 2);
    expectShape(y, [4, 3, 2]);
    const exp = [...indices([4, 3, 2])].map(([i, j, k]) => k * st[0] + j * st[1] + i * st[2]);
    expectClose(y, exp, { rtol: 0, atol: 0 });
  });
  test('permute([1, 2, 0]) and permute([-2, -1, -3]) agree', () => {
    const y = x.permute([1, 2, 0]);
    expectShape(y, [3, 4, 2]);
    const exp = [...indices([3, 4, 2])].map(([j, k, i]) => i * st[0] + j * st[1] + k * st[2]);
    expectClose(y, exp, { rtol: 0, atol: 0 });
    expect(x.permute([-2, -1, -3]).toArray()).toEqual(y.toArray());
  });
  test('narrow(1, 1, 2) then narrow(-1, 2, 2)', () => {
    const y = x.narrow(1, 1, 2).narrow(-1, 2, 2);
    expectShape(y, [2, 2, 2]);
    const exp = [...indices([2, 2, 2])].map(([i, j, k]) => i * st[0] + (j + 1) * st[1] + (k + 2) * st[2]);
    expectClose(y, exp, { rtol: 0, atol: 0 });
  });
  test('select(-1, 3) and select(1, -1)', () => {
    expect(x.select(-1, 3).toArray()).toEqual([[3, 7, 11], [15, 19, 23]]);
    expect(x.select(1, -1).toArray()).toEqual([[8, 9, 10, 11], [20, 21, 22, 23]]);
  });
  test('reshape of a transposed view copies in logical order', () => {
    const y = x.transpose(-1, -2).reshape([2, 12]);
    const exp = [...indices([2, 4, 3])].map(([i, k, j]) => i * st[0] + j * st[1] + k * st[2]);
    expectClose(y, exp, { rtol: 0, atol: 0 });
  });
  test('expand repeats along stride-0 dims', () => {
    const c = tf.tensor([[1], [2], [3]]);
    expect(c.expand([2, 3, 2]).toArray()).toEqual([[[1, 1], [2, 2], [3, 3]], [[1, 1], [2, 2], [3, 3]]]);
    expect(c.expand([-1, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2], [3, 3, 3]]);
  });
  test('squeeze / unsqueeze / flatten', () => {
    const y = x.unsqueeze(1).unsqueeze(-1);
    expectShape(y, [2, 1, 3, 4, 1]);
    expectShape(y.squeeze(), [2, 3, 4]);
    expectShape(y.squeeze(-1), [2, 1, 3, 4]);
    expectShape(y.squeeze(1), [2, 3, 4, 1]);
    expectShape(x.unsqueeze(-4), [1, 2, 3, 4]);
    expectShape(x.flatten(-2), [2, 12]);
    expectShape(x.flatten(0, -2), [6, 4]);
    expect(x.transpose(0, 1).flatten().toArray()).toEqual(x.transpose(0, 1).contiguous().reshape([24]).toArray());
  });
  test('split / chunk pieces are the right slices', () => {
    const y = iota([5, 2]);
    const parts = y.split(2);
    expect(parts.map((p) => p.shape)).toEqual([[2, 2], [2, 2], [1, 2]]);
    expect(parts[2].toArray()).toEqual([[8, 9]]);
    const cols = iota([2, 5]).chunk(2, -1);
    expect(cols.map((p) => p.shape)).toEqual([[2, 3], [2, 2]]);
    expect(cols[1].toArray()).toEqual([[3, 4], [8, 9]]);
  });
  test('views of views of views keep their offsets', () => {
    const y = iota([4, 5, 6]).narrow(0, 1, 3).transpose(0, 2).select(1, 2).narrow(-1, 1, 2);
    // y[a][b] = base[1 + 1 + b][2][a]
    expectShape(y, [6, 2]);
    const exp = [...indices([6, 2])].map(([a, b]) => (2 + b) * 30 + 2 * 6 + a);
    expectClose(y, exp, { rtol: 0, atol: 0 });
  });
});

describe('views share storage where PyTorch does', () => {
  test('writing through narrow / select / transpose / detach changes the base', () => {
    const a = iota([2, 3]);
    a.narrow(1, 1, 1).fill_(-1);
    expect(a.toArray()).toEqual([[0, -1, 2], [3, -1, 5]]);
    a.select(0, 1).fill_(7);
    expect(a.toArray()).toEqual([[0, -1, 2], [7, 7, 7]]);
    a.transpose().copy_(tf.ones([3, 2]));
    expect(a.toArray()).toEqual([[1, 1, 1], [1, 1, 1]]);
    a.detach().fill_(2);
    expect(a.toArray()).toEqual([[2, 2, 2], [2, 2, 2]]);
  });
  test('reshape of a contiguous tensor is a view; of a transposed one, a copy', () => {
    const a = tf.zeros([2, 3]);
    a.reshape([6]).fill_(5);
    expect(a.toArray()).toEqual([[5, 5, 5], [5, 5, 5]]);
    a.transpose().reshape([6]).fill_(9);
    expect(a.toArray()).toEqual([[5, 5, 5], [5, 5, 5]]);
  });
  test('clone and contiguous of a view do not alias the base', () => {
    const a = iota([2, 3]);
    a.clone().fill_(0);
    a.transpose().contiguous().fill_(0);
    expect(a.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });
});

describe('ops on non-contiguous inputs equal the ops on contiguous copies', () => {
  const VIEWS = {
    transposed: () => randTensor([4, 3], { dtype: 'float32', seed: 1 }).transpose(),
    narrowed: () => randTensor([5, 4], { dtype: 'float32', seed: 2 }).narrow(0, 1, 3),
    strided: () => randTensor([3, 8], { dtype: 'float32', seed: 3 }).reshape([3, 4, 2]).select(-1, 1),
    expanded: () => randTensor([3, 1], { dtype: 'float32', seed: 4 }).expand([3, 4]),
    permuted: () => randTensor([4, 2, 3], { dtype: 'float32', seed: 5 }).permute([2, 0, 1]).select(2, 1),
  };
  const other = randTensor([3, 4], { dtype: 'float32', seed: 9 });
  const OPS = {
    exp: (x) => x.exp(), tanh: (x) => x.tanh(), gelu: (x) => x.gelu(), abs: (x) => x.abs(),
    'add row': (x) => x.add(tf.tensor([1, 2, 3, 4])), 'mul other': (x) => x.mul(other),
    'other - x': (x) => other.sub(x), 'div by x²+1': (x) => tf.div(1, x.mul(x).add(1)),
    maximum: (x) => x.maximum(other), clamp: (x) => x.clamp(-0.3, 0.4), 'gt 0': (x) => x.gt(0),
    where: (x) => tf.where(x.gt(0), x, other), 'sum 0': (x) => x.sum(0), 'mean -1': (x) => x.mean(-1),
    'max all': (x) => x.max(), 'argmax -1': (x) => x.argmax(-1), 'var 0': (x) => x.var(0),
    logsumexp: (x) => x.logsumexp(-1), softmax: (x) => x.softmax(0), logSoftmax: (x) => x.logSoftmax(-1),
    'matmul xᵀ': (x) => x.matmul(other.transpose()), 'matmul left': (x) => other.transpose().matmul(x),
    concat: (x) => tf.concat([x, other], -1), stack: (x) => tf.stack([other, x], 1),
    gather: (x) => x.gather(1, tf.tensor([[3, 0], [1, 1], [2, 0]], { dtype: 'int32' })),
    indexSelect: (x) => x.indexSelect(-1, tf.tensor([3, 3, 0], { dtype: 'int32' })),
    scatterAdd: (x) => other.scatterAdd(1, tf.tensor([[0, 0, 1, 1], [2, 2, 3, 3], [0, 1, 2, 3]], { dtype: 'int32' }), x),
    'to float64': (x) => x.to('float64'), clone: (x) => x.clone(), flatten: (x) => x.flatten(),
  };
  for (const [vname, make] of Object.entries(VIEWS)) {
    for (const [oname, op] of Object.entries(OPS)) {
      test(`${oname} of ${vname}`, () => {
        const v = make();
        expectShape(v, [3, 4]);
        const a = op(v), b = op(v.contiguous().clone());
        expectShape(a, b.shape);
        expect(a.dtype).toBe(b.dtype);
        expectClose(a, b.toTypedArray(), { rtol: 1e-6, atol: 1e-6 }, `${oname} of ${vname}`);
      });
    }
  }
});

describe('gradients flow through chains of views', () => {
  test('x.transpose().narrow().reshape().select() routes R to the viewed elements only', () => {
    const x = iota([4, 3], 'float64').requiresGrad_(true);
    // x.T is [3,4]; narrow(1, 1, 2) keeps columns 1..2 of x.T = rows 1..2 of x; reshape [6]; select 0 of [2,3]
    const y = x.transpose().narrow(1, 1, 2).reshape([2, 3]).select(0, 1);
    const r = tf.tensor([10, 20, 30], { dtype: 'float64' });
    y.mul(r).sum().backward();
    // the narrowed [3,2] is z[a][c] = x[1 + c][a]; its row-major copy is [z00 z01 z10 z11 z20 z21];
    // row 1 of that as [2,3] is [z11, z20, z21] = [x[2][1], x[1][2], x[2][2]]
    expect(y.toArray()).toEqual([7, 5, 8]);
    expect(x.grad.toArray()).toEqual([[0, 0, 0], [0, 0, 20], [0, 10, 30], [0, 0, 0]]);
  });
  test('expand then sum: every copy adds to the source', () => {
    const x = tf.tensor([[1], [2]], { dtype: 'float64', requiresGrad: true });
    x.expand([3, 2, 4]).sum().backward();
    expect(x.grad.toArray()).toEqual([[12], [12]]);
  });
  test('the same leaf through two different views accumulates', () => {
    const x = iota([2, 2], 'float64').requiresGrad_(true);
    x.transpose().mul(tf.tensor([[1, 2], [3, 4]], { dtype: 'float64' })).add(x.flatten().reshape([2, 2])).sum().backward();
    // d/dx of sum(xᵀ * W) = Wᵀ; plus 1 from the reshape
    expect(x.grad.toArray()).toEqual([[2, 4], [3, 5]]);
  });
  const chains = {
    'permute, narrow, unsqueeze, expand, squeeze': (x) => x.permute([2, 0, 1]).narrow(-1, 1, 2).unsqueeze(0).expand([2, 4, 2, 2]).squeeze(),
    'split, stack, transpose': (x) => tf.stack(x.split(1, 1).map((p) => p.squeeze(1).transpose()), -1),
    'chunk, concat reversed, select negative': (x) => tf.concat(x.chunk(2, -1).reverse(), -1).select(-2, -1),
    'flatten, narrow, reshape, matmul': (x) => x.flatten().narrow(0, 2, 20).reshape([5, 4]).matmul(x.select(0, 1).transpose()),
  };
  for (const [name, f] of Object.entries(chains)) {
    test(`finite differences: ${name}`, () => {
      const x = randTensor([2, 3, 4], { seed: 77 });
      checkGrad((t) => weightedSum(f(t).tanh()), [x], { label: name });
    });
  }
});

describe('broadcasting', () => {
  const PAIRS = [
    [[3, 1], [1, 4], [3, 4]],
    [[2, 3, 4], [4], [2, 3, 4]],
    [[2, 1, 4], [3, 1], [2, 3, 4]],
    [[], [2, 3], [2, 3]],
    [[1], [2, 3], [2, 3]],
    [[5, 1, 1], [1, 2, 1], [5, 2, 1]],
    [[2, 0], [1], [2, 0]],
  ];
  for (const [a, b, out] of PAIRS) {
    test(`[${a}] with [${b}] -> [${out}] for every binary op, both orders`, () => {
      const x = tf.ones(a), y = tf.ones(b);
      for (const op of ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'lt', 'ge']) {
        expectShape(x[op](y), out, op);
        expectShape(tf[op](y, x), out, op);
      }
      expectShape(tf.where(tf.ones(a).gt(0), x, y), out, 'where');
    });
  }
  test('broadcast values: outer sum and outer product', () => {
    const c = tf.tensor([[1], [2], [3]]), r = tf.tensor([[10, 20]]);
    expect(c.add(r).toArray()).toEqual([[11, 21], [12, 22], [13, 23]]);
    expect(tf.mul(r, c).toArray()).toEqual([[10, 20], [20, 40], [30, 60]]);
    expect(c.sub(5).toArray()).toEqual([[-4], [-3], [-2]]);
    expect(tf.sub(5, c).toArray()).toEqual([[4], [3], [2]]);
  });
  test('gradients of a broadcast operand are summed over the broadcast dims', () => {
    const a = tf.ones([3, 1], { dtype: 'float64', requiresGrad: true });
    const b = tf.tensor([1, 2, 3, 4], { dtype: 'float64', requiresGrad: true });
    a.mul(b).sum().backward();
    expect(a.grad.toArray()).toEqual([[10], [10], [10]]); // sum of b
    expect(b.grad.toArray()).toEqual([3, 3, 3, 3]); // sum of a over the broadcast rows
    expectShape(a.grad, [3, 1]);
  });
  test('incompatible shapes raise an Error naming the op and both shapes', () => {
    for (const op of ['add', 'mul', 'maximum', 'eq']) {
      expect(() => tf.ones([3])[op](tf.ones([4]))).toThrow(new RegExp(`${op}.*\\[3\\].*\\[4\\]`));
    }
    expect(() => tf.ones([2, 3]).add(tf.ones([3, 2]))).toThrow(/\[2,3\].*\[3,2\]/);
    expect(() => tf.where(tf.ones([2]).gt(0), tf.ones([3]), 0)).toThrow(/where/);
    expect(() => tf.ones([3, 1]).expand([3, 4, 2])).toThrow(/expand/);
    expect(tf.ones([2]).add(1).toArray()).toEqual([2, 2]); // still working afterwards
  });
});

describe('negative axes everywhere', () => {
  const x = randTensor([2, 3, 4], { dtype: 'float32', seed: 31 });
  const idx = (v) => tf.tensor(v, { dtype: 'int32' });
  // op(x, axis) for axis = -k and ndim - k must agree
  const AXIS_OPS = {
    sum: (t, a) => t.sum(a), mean: (t, a) => t.mean(a, true), max: (t, a) => t.max(a), min: (t, a) => t.min(a),
    argmax: (t, a) => t.argmax(a), argmin: (t, a) => t.argmin(a, true), var: (t, a) => t.var(a), std: (t, a) => t.std(a),
    logsumexp: (t, a) => t.logsumexp(a), softmax: (t, a) => t.softmax(a), logSoftmax: (t, a) => t.logSoftmax(a),
    squeeze: (t, a) => t.narrow(a, 0, 1).squeeze(a),
    narrow: (t, a) => t.narrow(a, 1, 1), select: (t, a) => t.select(a, 1), flatten: (t, a) => t.flatten(0, a),
    transpose: (t, a) => t.transpose(a, 0), concat: (t, a) => tf.concat([t, t], a),
    split: (t, a) => t.split(1, a)[1], chunk: (t, a) => t.chunk(2, a)[0],
    gather: (t, a) => t.gather(a, tf.zerosLike(t.narrow(a, 0, 1)).to('int32').add(1)),
    indexSelect: (t, a) => t.indexSelect(a, idx([1, 0])),
    scatterAdd: (t, a) => t.scatterAdd(a, tf.zerosLike(t).to('int32'), t),
    'sum multi': (t, a) => t.sum([a, -3]),
  };
  for (const [name, op] of Object.entries(AXIS_OPS)) {
    test(name, () => {
      for (let k = 1; k <= 3; k++) {
        if (name === 'sum multi' && k === 3) continue; // would repeat axis 0
        const a = op(x, -k), b = op(x, 3 - k);
        expectShape(a, b.shape, `${name} axis -${k}`);
        expectClose(a, b.toTypedArray(), { rtol: 0, atol: 0 }, `${name} axis -${k}`);
      }
    });
  }
  test('unsqueeze and stack insert a dim: axis -k means ndim + 1 - k', () => {
    for (let k = 1; k <= 4; k++) {
      expect(x.unsqueeze(-k).shape).toEqual(x.unsqueeze(4 - k).shape);
      expect(tf.stack([x, x.neg()], -k).toArray()).toEqual(tf.stack([x, x.neg()], 4 - k).toArray());
    }
    expectShape(x.unsqueeze(-1), [2, 3, 4, 1]);
    expectShape(tf.stack([x, x, x], -1), [2, 3, 4, 3]);
    expectShape(x.permute([-1, -2, -3]), [4, 3, 2]);
    expectShape(x.expand([5, -1, -1, -1]), [5, 2, 3, 4]);
  });
  test('out-of-range axes raise a RangeError naming the op', () => {
    const cases = {
      sum: () => x.sum(3), 'sum -4': () => x.sum(-4), mean: () => x.mean([0, 5]), max: () => x.max(-4),
      argmax: () => x.argmax(3), softmax: () => x.softmax(3), logSoftmax: () => x.logSoftmax(-4),
      transpose: () => x.transpose(0, 3), permute: () => x.permute([0, 1, 3]), squeeze: () => x.squeeze(-4),
      unsqueeze: () => x.unsqueeze(5), narrow: () => x.narrow(3, 0, 1), select: () => x.select(-4, 0),
      concat: () => tf.concat([x, x], 3), stack: () => tf.stack([x, x], 4), split: () => x.split(1, 3),
      chunk: () => x.chunk(2, -4), gather: () => x.gather(3, tf.zeros([2, 3, 4], { dtype: 'int32' })),
      indexSelect: () => x.indexSelect(-4, idx([0])), flatten: () => x.flatten(0, 3),
    };
    for (const [name, f] of Object.entries(cases)) expectThrowsKind(f, 'RangeError', new RegExp(name.split(' ')[0]));
  });
  test('select and narrow with an out-of-range index raise a RangeError', () => {
    expectThrowsKind(() => x.select(0, 2), 'RangeError', /select/);
    expectThrowsKind(() => x.select(0, -3), 'RangeError', /select/);
    expectThrowsKind(() => x.narrow(1, 2, 2), 'RangeError', /narrow/);
    expectThrowsKind(() => x.indexSelect(0, idx([2])), 'RangeError', /indexSelect/);
    expectThrowsKind(() => x.gather(0, tf.full([1, 1, 1], 5, { dtype: 'int32' })), 'RangeError', /gather/);
    expectThrowsKind(() => x.scatterAdd(0, tf.full([1, 1, 1], 2, { dtype: 'int32' }), x), 'RangeError', /scatterAdd/);
    expectThrowsKind(() => idx([0, 4]).oneHot(4), 'RangeError', /oneHot/);
    expect(x.sum().size).toBe(1); // still working afterwards
  });
});

test('values64 helper reads float32 exactly', () => {
  expect(values64(tf.tensor([0.5, 0.25]))).toEqual(Float64Array.from([0.5, 0.25]));
});
