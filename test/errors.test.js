// API.md "Errors": every misuse is a JavaScript Error (TypeError for a wrong type, RangeError for a
// bad axis or index) naming the op and the shapes or values, never a crash; the library keeps
// working afterwards. Errors from the addon are created in Node's own realm, so the kind is checked
// by name (jest's sandbox has its own Error classes).
const tf = require('..');

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

function expectError(fn, name, pattern) {
  const e = thrown(fn);
  expect(e.name).toBe(name);
  expect(e.message).toMatch(pattern);
  // Every one carries a documented code (test/error_codes.test.js checks which).
  expect(Object.values(tf.ErrorCodes)).toContain(e.code);
  // ...and the library still works.
  expect(tf.ones([2]).add(1).toArray()).toEqual([2, 2]);
}

describe('errors name the op and the shapes, and nothing crashes', () => {
  test('wrong shapes', () => {
    expectError(() => tf.ones([2, 3]).matmul(tf.ones([4, 5])), 'Error', /^matmul: shapes \[2,3\] and \[4,5\] do not align \(3 != 4\)$/);
    expectError(() => tf.ones([2, 3]).add(tf.ones([4, 3])), 'Error', /add: shapes \[2,3\] and \[4,3\] cannot be broadcast/);
    expectError(() => tf.ones([6]).reshape([4, 2]), 'Error', /reshape: cannot reshape tensor of shape \[6\].*\[4,2\]/);
    expectError(() => tf.concat([tf.ones([2, 3]), tf.ones([2, 4])], 0), 'Error', /concat: shapes \[2,3\] and \[2,4\] differ in dim 1/);
    expectError(() => tf.stack([tf.ones([2]), tf.ones([3])]), 'Error', /stack: tensor 1 has shape \[3\]/);
    expectError(() => tf.ones([2, 3]).expand([4, 5]), 'Error', /expand: shape \[2,3\] cannot be expanded to \[4,5\]/);
    expectError(() => tf.ones([3]).backward(), 'Error', /backward: tensor of shape \[3\] does not require grad/);
    const w = tf.ones([3], { requiresGrad: true });
    expectError(() => w.mul(2).backward(), 'Error', /backward: grad can be implicitly created only for scalar outputs, got shape \[3\]/);
  });

  test('wrong dtypes', () => {
    expectError(() => tf.tensor([true, false]).abs(), 'TypeError', /abs: not supported for bool tensors \(shape \[2\]\)/);
    expectError(() => tf.ones([2, 2], { dtype: 'bool' }).matmul(tf.ones([2, 2])), 'TypeError', /matmul: bool tensors are not supported/);
    expectError(() => tf.where(tf.ones([2]), 1, 0), 'TypeError', /where: condition must be a bool tensor, got float32 of shape \[2\]/);
    expectError(() => tf.ones([3]).gather(0, tf.zeros([3])), 'TypeError', /gather: index must be an int32 or int64 tensor, got float32/);
    expectError(() => { tf.ones([2], { dtype: 'int32' }).requiresGrad = true; }, 'TypeError', /requiresGrad: only floating-point tensors can require grad, got int32/);
    expectError(() => tf.zeros([2], { dtype: 'float8' }), 'TypeError', /zeros: unknown dtype "float8"/);
    expectError(() => tf.ones([2]).add('3'), 'TypeError', /add: expected a Tensor or a number, got the string "3"/);
  });

  test('bad axes and indices are RangeErrors', () => {
    expectError(() => tf.ones([2, 3]).sum(2), 'RangeError', /sum: axis 2 is out of range for a 2-d tensor/);
    expectError(() => tf.ones([2, 3]).softmax(-3), 'RangeError', /softmax: axis -3 is out of range for a 2-d tensor/);
    expectError(() => tf.ones([2, 3]).transpose(0, 5), 'RangeError', /transpose: axis 5 is out of range/);
    expectError(() => tf.ones([2, 3]).select(1, 3), 'RangeError', /select: index 3 is out of range for dim 1 of shape \[2,3\]/);
    expectError(() => tf.ones([2, 3]).narrow(1, 2, 2), 'RangeError', /narrow: start 2 and length 2 are out of range for dim 1 of shape \[2,3\]/);
    expectError(() => tf.ones([3]).indexSelect(0, tf.tensor([5], { dtype: 'int32' })), 'RangeError', /indexSelect: index 5 is out of range for a dimension of size 3/);
    expectError(() => tf.tensor([1, 7], { dtype: 'int32' }).oneHot(4), 'RangeError', /oneHot: class index 7 is out of range for 4 classes/);
    expectError(() => tf.ones([2]).sum([0, 0]), 'RangeError', /sum: axis 0 appears twice/);
  });

  test('disposed tensors', () => {
    const a = tf.ones([2]);
    const b = a.mul(3);
    a.dispose();
    expectError(() => a.add(1), 'Error', /add: tensor has been disposed/);
    expectError(() => b.matmul(a), 'Error', /matmul: tensor has been disposed/);
    expectError(() => a.toArray(), 'Error', /tensor has been disposed/);
    expect(b.toArray()).toEqual([3, 3]); // a view or result of a disposed tensor is unaffected
  });

  test('non-numeric or ragged data', () => {
    expectError(() => tf.tensor([[1, 2], [3]]), 'TypeError', /tensor: ragged nested array: expected length 2 at index \[1\], got length 1/);
    expectError(() => tf.tensor([1, 'x', 3]), 'TypeError', /tensor: non-numeric value the string "x" at index \[1\]/);
    expectError(() => tf.tensor([[1], [null]]), 'TypeError', /tensor: non-numeric value null at index \[1,0\]/);
    expectError(() => tf.tensor({ a: 1 }), 'TypeError', /tensor: data must be a number, boolean, nested array or typed array/);
    expectError(() => tf.tensor([1, 2, 3], { shape: [2, 2] }), 'Error', /tensor: 3 values do not fill shape \[2,2\] \(4 elements\)/);
    // NaN and Infinity are numbers: accepted as values.
    expect(tf.tensor([NaN, Infinity]).toArray()).toEqual([NaN, Infinity]);
  });

  test('negative or absurd sizes: an Error, not an abort', () => {
    // The message names the function the user called (it named the engine's "tensor" before).
    expectError(() => tf.zeros([-1, 3]), 'RangeError', /^zeros: negative dimension in shape \[-1,3\]/);
    expectError(() => tf.randn([2, -4]), 'RangeError', /^randn: negative dimension in shape \[2,-4\]/);
    expectError(() => tf.zeros([1e15]), 'RangeError', /shape \[1000000000000000\] is too large/);
    expectError(() => tf.ones([1e8, 1e8]), 'RangeError', /shape \[100000000,100000000\] is too large/);
    expectError(() => tf.randn([2 ** 31, 2 ** 31]), 'RangeError', /too large/);
    expectError(() => tf.arange(0, 1e15, 1), 'RangeError', /arange: too many elements/);
    expectError(() => tf.eye(1e8), 'RangeError', /too large/);
    expectError(() => tf.ones([2]).expand([1e9, 1e9, 2]), 'RangeError', /expand: shape .* is too large/);
  });

  test('NaN (or a fraction) where an integer is needed', () => {
    expectError(() => tf.zeros([NaN]), 'TypeError', /zeros: every shape entry must be an integer, got NaN/);
    expectError(() => tf.ones([2, 3]).sum(NaN), 'TypeError', /sum: axis must be an integer, got NaN/);
    expectError(() => tf.ones([4]).narrow(0, 1.5, 1), 'TypeError', /narrow: start must be an integer, got 1.5/);
    expectError(() => tf.ones([4]).reshape([2, NaN]), 'TypeError', /reshape: every shape entry must be an integer, got NaN/);
    expectError(() => tf.randint(0, NaN, [2]), 'TypeError', /randint: high must be an integer, got NaN/);
    expectError(() => tf.manualSeed(0.5), 'TypeError', /manualSeed: seed must be an integer/);
  });

  test('a tensor saved for backward and then modified in place is an error, not a wrong gradient', () => {
    const x = tf.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    const z = y.mul(y).sum(); // saves y
    y.fill_(0);
    expectError(() => z.backward(), 'Error', /mul: a tensor of shape \[3\] needed for the gradient was modified in place/);
  });

  test('backward twice without retainGraph says so', () => {
    const x = tf.tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expectError(() => y.backward(), 'Error', /backward through the graph a second time/);
  });

  test('a C++ engine exception becomes a JS Error carrying the op and shapes (through a JS callback too)', () => {
    // The engine throws tf::Error deep inside matmul's backward, called while backward() runs;
    // the binding translates it at the boundary.
    const a = tf.randn([2, 3], { requiresGrad: true });
    const out = a.matmul(tf.randn([3, 4])).sum();
    expect(() => out.backward(tf.ones([5]))).toThrow(/backward: grad of shape \[5\] does not match output shape \[\]/);
    // An error thrown by JavaScript inside a custom backward crosses the engine and comes back intact.
    const native = require('../dist/native').native;
    const x = tf.ones([2], { requiresGrad: true });
    const y = tf.noGrad(() => x.mul(2));
    native.customOp('boom', [x._h], [y._h], () => { throw new Error('custom backward failed'); });
    expect(() => y.sum().backward()).toThrow('custom backward failed');
    expect(tf.ones([2]).add(1).toArray()).toEqual([2, 2]);
  });

  test('raw handles from elsewhere are rejected, not dereferenced', () => {
    const native = require('../dist/native').native;
    for (const bad of [{}, null, 3, 'x', new Float32Array(2), [1, 2]])
      expect(() => native.binary(0, bad, bad)).toThrow(/add: expected a Tensor|at least|Tensor/);
    expect(() => native.unary(1, {})).toThrow(/expected a Tensor/);
  });

  test('layers and helpers name themselves when given the wrong kind of argument', () => {
    expectError(() => new tf.nn.Conv2d(1, 2), 'TypeError', /^Conv2d: kernelSize must be an integer or two integers, got undefined$/);
    expectError(() => tf.F.layerNorm(tf.ones([2, 3])), 'TypeError', /^layerNorm: normalizedShape must be an integer or an array/);
    expectError(() => new tf.nn.LayerNorm({}), 'TypeError', /^LayerNorm: normalizedShape must be an integer or an array/);
    expectError(() => new tf.nn.ModuleList(3), 'TypeError', /^ModuleList: expected an array of Modules, got number$/);
    expectError(() => tf.noGrad(3), 'TypeError', /^noGrad: expected a function, got number$/);
    expectError(() => tf.enableGrad('x'), 'TypeError', /^enableGrad: expected a function/);
  });

  test('an options argument that is null or not an object is a TypeError naming the op', () => {
    const y = tf.tensor([0, 1], { dtype: 'int32' });
    expectError(() => tf.F.crossEntropy(tf.ones([2, 3]), y, null), 'TypeError', /^crossEntropy: options must be an object, got null$/);
    expectError(() => new tf.nn.Linear(2, 3, null), 'TypeError', /^Linear: options must be an object, got null$/);
    expectError(() => tf.zeros([2], null), 'TypeError', /^zeros: options must be an object, got null$/);
    expectError(() => new tf.nn.Conv2d(1, 2, 3, 'x'), 'TypeError', /^Conv2d: options must be an object, got the string "x"$/);
    expectError(() => tf.grad((x) => x.sum(), 7), 'TypeError', /^grad: options must be an object, got number$/);
  });
});
