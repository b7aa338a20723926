// dtype rules: what creation gives (API.md "Tensors"), conversions with `to`, the result dtype of
// ops on int32 / bool (PyTorch's promotion, with int32 where PyTorch says int64), and TypeErrors
// where an op makes no sense for a dtype.
'use strict';
const { tf, expectClose, expectThrowsKind } = require('./helpers');

const i32 = (v, shape) => tf.tensor(Int32Array.from(v.flat(Infinity)), shape ? { shape } : {});

describe('creation', () => {
  const CASES = [
    ['plain numbers', () => tf.tensor([1, 2, 3]), 'float32', [3]],
    ['nested arrays', () => tf.tensor([[1, 2], [3, 4]]), 'float32', [2, 2]],
    ['one number -> 0-d', () => tf.tensor(2.5), 'float32', []],
    ['integers stay float32 by default', () => tf.tensor([1, 2]), 'float32', [2]],
    ['Float32Array', () => tf.tensor(new Float32Array([1, 2])), 'float32', [2]],
    ['Float64Array', () => tf.tensor(new Float64Array([1, 2])), 'float64', [2]],
    ['Int32Array', () => tf.tensor(new Int32Array([1, 2])), 'int32', [2]],
    ['Int32Array with shape', () => tf.tensor(new Int32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] }), 'int32', [2, 3]],
    ['booleans', () => tf.tensor([true, false]), 'bool', [2]],
    ['nested booleans', () => tf.tensor([[true], [false]]), 'bool', [2, 1]],
    ['one boolean -> 0-d', () => tf.tensor(true), 'bool', []],
    ['{dtype: int32} from numbers', () => tf.tensor([1, 2], { dtype: 'int32' }), 'int32', [2]],
    ['{dtype: float64} from numbers', () => tf.tensor([1, 2], { dtype: 'float64' }), 'float64', [2]],
    ['{dtype: float32} from a Float64Array', () => tf.tensor(new Float64Array([1]), { dtype: 'float32' }), 'float32', [1]],
    ['{dtype: bool} from numbers', () => tf.tensor([0, 2], { dtype: 'bool' }), 'bool', [2]],
    ['zeros', () => tf.zeros([2, 3]), 'float32', [2, 3]],
    ['ones int32', () => tf.ones([2], { dtype: 'int32' }), 'int32', [2]],
    ['full', () => tf.full([2], 7), 'float32', [2]],
    ['full float64', () => tf.full([2], 7, { dtype: 'float64' }), 'float64', [2]],
    ['zerosLike keeps dtype', () => tf.zerosLike(tf.tensor(new Int32Array([1]))), 'int32', [1]],
    ['onesLike keeps dtype', () => tf.onesLike(tf.tensor(new Float64Array([1, 2]))), 'float64', [2]],
    ['arange(5): integers -> int32 (PyTorch int64)', () => tf.arange(5), 'int32', [5]],
    ['arange with a fractional step', () => tf.arange(0, 1, 0.25), 'float32', [4]],
    ['linspace', () => tf.linspace(0, 1, 5), 'float32', [5]],
    ['eye', () => tf.eye(3), 'float32', [3, 3]],
    ['eye(n, {dtype}) as torch.eye(n, dtype=…)', () => tf.eye(3, { dtype: 'float64' }), 'float64', [3, 3]],
    ['eye(n, m, {dtype})', () => tf.eye(2, 3, { dtype: 'int32' }), 'int32', [2, 3]],
    ['randn', () => tf.randn([2, 2]), 'float32', [2, 2]],
    ['rand float64', () => tf.rand([3], { dtype: 'float64' }), 'float64', [3]],
    ['randint -> int32', () => tf.randint(0, 4, [5]), 'int32', [5]],
  ];
  for (const [name, make, dtype, shape] of CASES) {
    test(name, () => {
      const t = make();
      expect(t).toBeInstanceOf(tf.Tensor);
      expect(t.dtype).toBe(dtype);
      expect(t.shape).toEqual(shape);
    });
  }
  // By tag, not instanceof: arrays made by the addon belong to Node's realm, not jest's sandbox.
  const tag = (x) => Object.prototype.toString.call(x);
  test('toTypedArray gives the array type of the dtype', () => {
    expect(tag(tf.tensor([1.5]).toTypedArray())).toBe('[object Float32Array]');
    expect(tag(tf.tensor(new Float64Array([1.5])).toTypedArray())).toBe('[object Float64Array]');
    expect(tag(tf.tensor(new Int32Array([1])).toTypedArray())).toBe('[object Int32Array]');
  });
  test('values: float32 rounds, float64 keeps every bit, int32 exact', () => {
    expect(tf.tensor([0.1]).toArray()[0]).toBe(Math.fround(0.1));
    expect(tf.tensor([0.1], { dtype: 'float64' }).toArray()[0]).toBe(0.1);
    expect(tf.tensor(new Float64Array([1 / 3])).item()).toBe(1 / 3);
    expect(tf.tensor(new Int32Array([2147483647, -2147483648])).toArray()).toEqual([2147483647, -2147483648]);
    expect(tf.tensor([[true, false]]).toArray()).toEqual([[true, false]]);
  });
  test('randint values are integers in [low, high)', () => {
    const v = Array.from(tf.randint(-3, 4, [200]).toTypedArray());
    expect(v.every((x) => Number.isInteger(x) && x >= -3 && x < 4)).toBe(true);
    expect(new Set(v).size).toBe(7);
  });
  test('unknown dtype names are rejected', () => {
    expectThrowsKind(() => tf.tensor([1], { dtype: 'int8' }), 'TypeError');
    expectThrowsKind(() => tf.zeros([1], { dtype: 'complex64' }), 'TypeError');
  });
});

describe('to(dtype)', () => {
  test('float -> int32 truncates toward zero (as PyTorch)', () => {
    const t = tf.tensor([-1.7, -0.5, 0.5, 1.7, 2.5]).to('int32');
    expect(t.dtype).toBe('int32');
    expect(t.toArray()).toEqual([-1, 0, 0, 1, 2]);
  });
  test('float -> bool is "nonzero"', () => {
    expect(tf.tensor([-1.5, 0, 2]).to('bool').toArray()).toEqual([true, false, true]);
  });
  test('bool -> float32 / int32 is 0 and 1', () => {
    expect(tf.tensor([true, false]).to('float32').toArray()).toEqual([1, 0]);
    expect(tf.tensor([true, false]).to('int32').toArray()).toEqual([1, 0]);
  });
  test('int32 -> float64 and float64 -> float32 round', () => {
    const a = tf.tensor(new Int32Array([16777217])).to('float64');
    expect(a.dtype).toBe('float64');
    expect(a.item()).toBe(16777217);
    expect(a.to('float32').item()).toBe(16777216);
    expect(tf.tensor(new Float64Array([0.1])).to('float32').item()).toBe(Math.fround(0.1));
  });
  test('to the same dtype keeps the values and works on views', () => {
    const t = tf.tensor([[1, 2, 3], [4, 5, 6]]).transpose();
    expect(t.to('float32').toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(t.to('int32').toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });
  test('to between float dtypes is differentiable', () => {
    const x = tf.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    x.to('float32').mul(3).sum().backward();
    expect(x.grad.dtype).toBe('float64');
    expect(x.grad.toArray()).toEqual([3, 3]);
  });
});

describe('result dtypes of ops on mixed dtypes', () => {
  const f32 = () => tf.tensor([1.5, -2]);
  const f64 = () => tf.tensor([1.5, -2], { dtype: 'float64' });
  const int = () => i32([3, -7]);
  const bool = () => tf.tensor([true, false]);
  const CASES = [
    ['int32 + int32', () => int().add(int()), 'int32', [6, -14]],
    ['int32 * 2', () => int().mul(2), 'int32', [6, -14]],
    ['int32 * 2.5 -> float32', () => int().mul(2.5), 'float32', [7.5, -17.5]],
    ['int32 / int32 -> float32 (true division)', () => int().div(i32([2, 2])), 'float32', [1.5, -3.5]],
    ['int32 / 2 -> float32', () => tf.div(int(), 2), 'float32', [1.5, -3.5]],
    ['2 / int32 -> float32', () => tf.div(6, int()), 'float32', [2, -6 / 7]],
    ['int32 + float32 -> float32', () => int().add(f32()), 'float32', [4.5, -9]],
    ['int32 + float64 -> float64', () => int().add(f64()), 'float64', [4.5, -9]],
    ['float32 + float64 -> float64', () => f32().add(f64()), 'float64', [3, -4]],
    ['float32 * 2.5 stays float32', () => f32().mul(2.5), 'float32', [3.75, -5]],
    ['float64 + 1 stays float64', () => f64().add(1), 'float64', [2.5, -1]],
    ['int32 ** 2 stays int32', () => int().pow(2), 'int32', [9, 49]],
    ['bool + bool -> bool', () => bool().add(tf.tensor([false, false])), 'bool', [1, 0]],
    ['bool * int32 -> int32', () => bool().mul(int()), 'int32', [3, 0]],
    ['bool * float32 -> float32', () => bool().mul(f32()), 'float32', [1.5, 0]],
    ['bool + 1 -> int32', () => bool().add(1), 'int32', [2, 1]],
    ['maximum(int32, 0) stays int32', () => int().maximum(0), 'int32', [3, 0]],
    ['neg / abs / relu of int32 stay int32', () => tf.stack([int().neg(), int().abs(), int().relu()]), 'int32', [-3, 7, 3, 7, 3, 0]],
    ['exp of int32 -> float32', () => i32([0]).exp(), 'float32', [1]],
    ['sqrt of int32 -> float32', () => i32([4, 9]).sqrt(), 'float32', [2, 3]],
    ['clamp of int32 stays int32', () => int().clamp(-2, 2), 'int32', [2, -2]],
    ['where on int32 branches', () => tf.where(bool(), int(), i32([0, 0])), 'int32', [3, 0]],
    ['where int32 / float32 branches -> float32', () => tf.where(bool(), int(), f32()), 'float32', [3, -2]],
    ['sum of int32 -> int32 (PyTorch int64)', () => int().sum(), 'int32', [-4]],
    ['sum of bool counts -> int32', () => tf.tensor([true, true, false]).sum(), 'int32', [2]],
    ['max of int32 stays int32', () => int().max(), 'int32', [3]],
    ['argmax -> int32 (PyTorch int64)', () => f32().argmax(), 'int32', [0]],
    ['argmin of int32 -> int32', () => int().argmin(), 'int32', [1]],
    ['oneHot -> int32 (PyTorch int64)', () => i32([1]).oneHot(3), 'int32', [0, 1, 0]],
    ['int32 matmul stays int32', () => i32([[1, 2], [3, 4]]).reshape([2, 2]).matmul(i32([1, 1])), 'int32', [3, 7]],
    ['reshape / transpose / concat of int32 stay int32', () => tf.concat([int().reshape([1, 2]).transpose(), i32([5], [1, 1])]), 'int32', [3, -7, 5]],
    ['gather of bool stays bool', () => tf.tensor([[true, false]]).gather(1, i32([[1, 0, 1]]).reshape([1, 3])), 'bool', [0, 1, 0]],
    ['stack of bool stays bool', () => tf.stack([bool(), bool()]), 'bool', [1, 0, 1, 0]],
  ];
  for (const [name, make, dtype, values] of CASES) {
    test(name, () => {
      const t = make();
      expect(t.dtype).toBe(dtype);
      expectClose(t, values, { rtol: 1e-6, atol: 0 }, name);
    });
  }
  describe('comparisons give bool for every dtype pair', () => {
    const mk = { float32: f32, float64: f64, int32: int, bool };
    for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge']) {
      test(op, () => {
        for (const a of Object.keys(mk)) {
          for (const b of Object.keys(mk)) {
            const r = mk[a]()[op](mk[b]());
            expect([op, a, b, r.dtype]).toEqual([op, a, b, 'bool']);
          }
          expect(mk[a]()[op](1).dtype).toBe('bool');
          expect(tf[op](0.5, mk[a]()).dtype).toBe('bool');
        }
      });
    }
    test('values of int32 vs float32 comparisons are exact', () => {
      expect(int().lt(f32()).toArray()).toEqual([false, true]); // [3, -7] < [1.5, -2]
      expect(int().gt(2.5).toArray()).toEqual([true, false]);
      expect(i32([1, 2]).eq(tf.tensor([1, 2.5])).toArray()).toEqual([true, false]);
      expect(tf.tensor([true, false]).eq(tf.tensor([true, true])).toArray()).toEqual([true, false]);
    });
  });
  test('reductions keep float64', () => {
    const x = tf.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    for (const op of ['sum', 'mean', 'max', 'min', 'var', 'std', 'logsumexp']) expect([op, x[op](0).dtype]).toEqual([op, 'float64']);
    for (const op of ['softmax', 'logSoftmax', 'exp', 'tanh', 'gelu']) expect([op, x[op]().dtype]).toEqual([op, 'float64']);
    expect(x.matmul(x).dtype).toBe('float64');
  });
});

describe('TypeErrors where an op makes no sense for the dtype', () => {
  const b = () => tf.tensor([[true, false], [false, true]]);
  const CASES = {
    // (float math on bool promotes to float32, as PyTorch: see test/elementwise.test.js)
    'neg on bool': () => b().neg(),
    'floor on bool': () => b().floor(),
    'matmul on bool': () => b().matmul(b()),
    'matmul bool @ float': () => tf.matmul(b(), tf.ones([2, 2])),
    'where with a float condition': () => tf.where(tf.ones([2]), tf.ones([2]), tf.zeros([2])),
    'where with an int32 condition': () => tf.where(i32([1, 0]), tf.ones([2]), tf.zeros([2])),
    'gather with a float index': () => tf.ones([2, 2]).gather(0, tf.zeros([1, 2])),
    'indexSelect with a float index': () => tf.ones([2, 2]).indexSelect(0, tf.zeros([1])),
    'scatterAdd with a float index': () => tf.ones([2, 2]).scatterAdd(0, tf.zeros([1, 2]), tf.ones([1, 2])),
    'oneHot of floats': () => tf.ones([2]).oneHot(3),
    'requiresGrad on int32': () => { const t = i32([1]); t.requiresGrad = true; },
    'requiresGrad on bool': () => { tf.tensor([true]).requiresGrad = true; },
    'tf.grad w.r.t. an int32 argument': () => tf.grad((x) => x.sum())(i32([1, 2])),
    'a string operand': () => tf.ones([2]).add('1'),
    'an array operand to a method': () => tf.ones([2]).mul([1, 2]),
    'a string axis': () => tf.ones([2]).sum('0'),
  };
  for (const [name, f] of Object.entries(CASES)) {
    test(name, () => {
      const op = name.split(' ')[0].replace('tf.', '');
      const err = expectThrowsKind(f, 'TypeError');
      if (/^[a-z]+[A-Z]?[a-z]*$/.test(op) && op !== 'a' && op !== 'requiresGrad') expect(err.message).toContain(op);
      expect(tf.ones([2]).add(1).sum().item()).toBe(4); // the library keeps working
    });
  }
});

describe('item', () => {
  test('item of float32 / int32 is a number', () => {
    expect(tf.tensor([2.5]).item()).toBe(2.5);
    expect(tf.tensor(new Int32Array([-3])).item()).toBe(-3);
  });
  // Known failure: item() of a bool tensor returns 1 (a number) while toArray() of the same tensor
  // returns booleans and PyTorch's .item() returns True.
  test.failing('item of bool is a boolean, as toArray gives and PyTorch returns', () => {
    expect(tf.tensor(true).item()).toBe(true);
  });
  test('item of a tensor with more than one element is an Error', () => {
    expectThrowsKind(() => tf.tensor([1, 2]).item(), 'Error', /item/);
  });
});

test('typed arrays from another realm (vm context, or the addon\'s own) are accepted by tf.tensor', () => {
  const vm = require('vm');
  const f64 = vm.runInNewContext('new Float64Array([1, 2, 3])');
  const i32 = vm.runInNewContext('new Int32Array([4, 5])');
  expect(tf.tensor(f64).dtype).toBe('float64');
  expect(tf.tensor(i32).toArray()).toEqual([4, 5]);
  const t = tf.tensor([1.5, 2.5]);
  expect(tf.tensor(t.toTypedArray()).toArray()).toEqual([1.5, 2.5]);
});
