// Device-shaped API (lib/device.ts, lib/device_name.ts, Tensor.to) and in-place ops (lib/inplace.ts,
// native/core/ops_inplace.cpp): values, PyTorch's autograd rules for in-place writes (the
// overwritten values get zero gradient, writes through views reach the base, leaf checks, the
// version check), gradients against float64 finite differences and second order.
'use strict';
const { tf, checkGrad, weightedSum, randTensor, expectThrowsKind, expectClose } = require('./helpers');

const f64 = (v, o = {}) => tf.tensor(v, { dtype: 'float64', ...o });

describe('device-shaped API', () => {
  test('cpu, to(device), device, cuda', () => {
    const x = tf.tensor([[1, 2], [3, 4]]);
    expect(x.device).toBe('cpu');
    expect(x.cpu()).toBe(x);
    expect(tf.cpu(x)).toBe(x);
    expect(x.to('cpu')).toBe(x);
    expect(x.to(tf.device('cpu'))).toBe(x);
    expect(x.to('cpu:0')).toBe(x);
    expect(x.to('cpu', 'float64').dtype).toBe('float64');
    expect(x.to({ device: 'cpu', dtype: 'int32' }).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(x.to({ device: 'cpu' })).toBe(x);
    expect(x.to('float64').dtype).toBe('float64');
    expect(x.to(f64([1])).dtype).toBe('float64');
    expect(tf.cuda.isAvailable()).toBe(false);
    expectThrowsKind(() => x.cuda(), 'Error', /cuda: tensorfold has no GPU backend/);
    expectThrowsKind(() => x.to('cuda'), 'Error', /device: "cuda" is not available/);
    expectThrowsKind(() => tf.device('cuda:0'), 'Error', /no GPU backend/);
    expectThrowsKind(() => tf.device('tpu'), 'Error', /unknown device/);
    expectThrowsKind(() => tf.device(3), 'TypeError', /device: expected a device name/);
    expectThrowsKind(() => x.to(null), 'TypeError', /to: options must be an object/);
  });
  test('numel, dim, stride, isContiguous', () => {
    const x = tf.zeros([2, 3, 4]);
    expect(x.numel()).toBe(24);
    expect(x.dim()).toBe(3);
    expect(x.stride()).toEqual([12, 4, 1]);
    expect(x.stride(-1)).toBe(1);
    expect(x.stride(0)).toBe(12);
    expect(x.isContiguous()).toBe(true);
    const t = x.transpose(0, 2);
    expect(t.isContiguous()).toBe(false);
    expect(t.stride()).toEqual([1, 4, 12]);
    expect(tf.tensor(3).dim()).toBe(0);
    expect(tf.tensor(3).numel()).toBe(1);
    expect(tf.zeros([0, 3]).numel()).toBe(0);
    expectThrowsKind(() => x.stride(3), 'RangeError', /stride: dim 3 is out of range/);
    expectThrowsKind(() => tf.tensor(1).stride(0), 'RangeError', /stride/);
  });
});

describe('in-place values', () => {
  const x = () => f64([[1, -2], [3, -4]]);
  const cases = [
    ['add_', (t) => t.add_(1), [[2, -1], [4, -3]]],
    ['add_ alpha', (t) => t.add_(f64([1, 2]), 10), [[11, 18], [13, 16]]],
    ['sub_', (t) => t.sub_(f64([1, 2])), [[0, -4], [2, -6]]],
    ['mul_', (t) => t.mul_(2), [[2, -4], [6, -8]]],
    ['div_', (t) => t.div_(2), [[0.5, -1], [1.5, -2]]],
    ['pow_', (t) => t.pow_(2), [[1, 4], [9, 16]]],
    ['clamp_', (t) => t.clamp_(-1, 2), [[1, -1], [2, -1]]],
    ['neg_', (t) => t.neg_(), [[-1, 2], [-3, 4]]],
    ['abs_', (t) => t.abs_(), [[1, 2], [3, 4]]],
    ['relu_', (t) => t.relu_(), [[1, 0], [3, 0]]],
    ['zero_', (t) => t.zero_(), [[0, 0], [0, 0]]],
    ['fill_', (t) => t.fill_(7), [[7, 7], [7, 7]]],
    ['fill_ 0-d', (t) => t.fill_(f64(5)), [[5, 5], [5, 5]]],
    ['copy_', (t) => t.copy_(tf.tensor([9, 8])), [[9, 8], [9, 8]]],
    ['maskedFill_', (t) => t.maskedFill_(tf.tensor([true, false]), 0), [[0, -2], [0, -4]]],
    ['square_', (t) => t.square_(), [[1, 4], [9, 16]]],
  ];
  for (const [name, f, want] of cases) {
    test(name, () => {
      const t = x();
      expect(f(t)).toBe(t);
      expect(t.toArray()).toEqual(want);
    });
  }
  test('unary forms match their ops', () => {
    const a = f64([0.5, 1.5, 2.5]);
    for (const n of ['exp', 'log', 'sqrt', 'sigmoid', 'tanh', 'floor', 'ceil', 'round', 'trunc', 'sign', 'sin', 'cos', 'reciprocal']) {
      const t = a.clone();
      t[`${n}_`]();
      expect(t.toArray()).toEqual(a[n]().toArray());
    }
  });
  test('through views: transpose, narrow, select', () => {
    const t = tf.zeros([2, 3]);
    t.transpose(0, 1).narrow(0, 1, 2).fill_(1);
    expect(t.toArray()).toEqual([[0, 1, 1], [0, 1, 1]]);
    t.select(0, 0).add_(tf.tensor([1, 2, 3]));
    expect(t.toArray()).toEqual([[1, 3, 4], [0, 1, 1]]);
  });
  test('int tensors keep int results; float into int is refused', () => {
    const i = tf.tensor([1, 2], { dtype: 'int32' });
    i.mul_(3);
    expect(i.toArray()).toEqual([3, 6]);
    expectThrowsKind(() => i.add_(0.5), 'Error', /add_: the result type float32 cannot be stored in a tensor of dtype int32/);
    i.copy_(tf.tensor([1.7, -2.2]));
    expect(i.toArray()).toEqual([1, -2]);
  });
  test('uniform_ and normal_ fill in place, reproducibly', () => {
    tf.manualSeed(3);
    const a = tf.zeros([1000]).uniform_(-2, 2);
    tf.manualSeed(3);
    const b = tf.zeros([1000]).uniform_(-2, 2);
    expect(a.toArray()).toEqual(b.toArray());
    expect(a.min().item()).toBeGreaterThanOrEqual(-2);
    expect(a.max().item()).toBeLessThan(2);
    const n = tf.zeros([4000], { dtype: 'float64' }).normal_(3, 0.5);
    expect(Math.abs(n.mean().item() - 3)).toBeLessThan(0.05);
    expectThrowsKind(() => tf.zeros([2], { dtype: 'int32' }).normal_(), 'TypeError', /normal_: expected a float tensor/);
  });
  test('bad input names the op', () => {
    const t = tf.zeros([2, 2]);
    expectThrowsKind(() => t.add_(tf.zeros([3])), 'Error', /add_/);
    expectThrowsKind(() => t.copy_(tf.zeros([2, 2, 2])), 'Error', /copy_: the result of shape \[2,2,2\] cannot be written into a tensor of shape \[2,2\]/);
    expectThrowsKind(() => t.maskedFill_(tf.zeros([2]), 1), 'TypeError', /maskedFill_: mask must be a bool tensor/);
    expectThrowsKind(() => t.fill_('a'), 'TypeError', /fill_/);
    expectThrowsKind(() => t.fill_(tf.zeros([2])), 'Error', /fill_: value must be a number or a 0-d tensor/);
    expectThrowsKind(() => tf.zeros([1]).expand([3]).fill_(1), 'Error', /fill_: the destination .* expanded view/);
  });
});

describe('in-place autograd (PyTorch semantics)', () => {
  test('a leaf that requires grad is refused outside noGrad, allowed inside', () => {
    const w = f64([1, 2], { requiresGrad: true });
    expectThrowsKind(() => w.add_(1), 'Error', /add_: a leaf tensor that requires grad cannot be changed in place/);
    expectThrowsKind(() => w.narrow(0, 0, 1).zero_(), 'Error', /zero_|fill_/);
    expectThrowsKind(() => w.uniform_(), 'Error', /uniform_: a leaf tensor/);
    tf.noGrad(() => w.mul_(2));
    expect(w.toArray()).toEqual([2, 4]);
    expect(w.isLeaf).toBe(true);
    expect(w.requiresGrad).toBe(true);
  });
  test('overwritten values get zero gradient (zero_, fill_, copy_ on a non-leaf)', () => {
    const x = f64([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.clone();
    y.zero_();
    expect(y.requiresGrad).toBe(true);
    y.add(x).sum().backward();
    expect(x.grad.toArray()).toEqual([[1, 1], [1, 1]]);
    x.grad = null;
    const z = x.mul(3);
    z.copy_(f64([5, 6]));
    z.sum().backward();
    expect(x.grad.toArray()).toEqual([[0, 0], [0, 0]]);
  });
  test('a write through a view updates the base: only the written region loses its gradient', () => {
    const x = f64([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.clone();
    y.transpose(0, 1).narrow(0, 0, 1).fill_(1);  // column 0 of y
    weightedSum(y.mul(2)).backward();
    const w = [[0, 0], [0, 0]];
    const R = require('./helpers').weights([2, 2]).toArray();
    w[0][1] = 2 * R[0][1];
    w[1][1] = 2 * R[1][1];
    expectClose(x.grad.toTypedArray(), w.flat(), { rtol: 1e-12, atol: 0 });
  });
  test('the view written to carries the new history too', () => {
    const x = f64([1, 2, 3], { requiresGrad: true });
    const y = x.mul(1);
    const v = y.narrow(0, 1, 2);
    v.mul_(x.narrow(0, 0, 2));  // v = [2*1, 3*2]
    expect(v.toArray()).toEqual([2, 6]);
    v.sum().backward();
    // d/dx of (x1 * x0 + x2 * x1): [x1, x0 + x2, x1]
    expect(x.grad.toArray()).toEqual([2, 4, 2]);
  });
  test('views taken before an in-place write to their base see the new values\' history', () => {
    const x = f64([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.clone();
    const v = y.select(0, 0);
    y.mul_(2);
    v.sum().backward();
    expect(x.grad.toArray()).toEqual([[2, 2], [0, 0]]);
    x.grad = null;
    const z = x.clone();
    const a = z.select(0, 0), b = z.select(0, 1);
    a.mul_(3);
    b.mul(a.sum()).sum().backward();  // d/dx of (3 x00 + 3 x01) (x10 + x11)
    expect(x.grad.toArray()).toEqual([[21, 21], [9, 9]]);
  });
  test('a saved tensor overwritten later raises the version error', () => {
    const x = f64([1, 2], { requiresGrad: true });
    const y = x.exp();
    y.mul_(2);
    expectThrowsKind(() => y.sum().backward(), 'Error', /modified in place/);
  });
  test('copying a tensor that requires grad into a plain buffer puts the buffer on the tape', () => {
    const w = f64([1, 2, 3], { requiresGrad: true });
    const buf = tf.zeros([2, 3], { dtype: 'float64' });
    buf.select(0, 1).copy_(w);
    expect(buf.requiresGrad).toBe(true);
    buf.square().sum().backward();
    expect(w.grad.toArray()).toEqual([2, 4, 6]);
  });
  test('detach_ and requiresGrad_', () => {
    const x = f64([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    expect(y.detach_()).toBe(y);
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
    expect(y.requiresGrad_().requiresGrad).toBe(true);
  });
  test('gradients against finite differences and second order', () => {
    const x = randTensor([3, 4], { lo: 0.5, hi: 2 });
    const y = randTensor([4], { lo: -1, hi: 1, seed: 3 });
    const forms = {
      add_: (a, b) => a.mul(1).add_(b, 2),
      sub_: (a, b) => a.mul(1).sub_(b),
      mul_: (a, b) => a.mul(1).mul_(b),
      div_: (a, b) => a.mul(1).div_(b.add(3)),
      pow_: (a, b) => a.mul(1).pow_(b),
      exp_: (a, b) => a.mul(b).exp_(),
      tanh_: (a, b) => a.mul(b).tanh_(),
      sigmoid_: (a, b) => a.mul(b).sigmoid_(),
      sqrt_: (a, b) => a.add(b.abs()).sqrt_(),
      view: (a, b) => { const c = a.mul(1); c.transpose(0, 1).narrow(0, 1, 2).mul_(b.narrow(0, 0, 3)); return c; },
      copyView: (a, b) => { const c = a.mul(a); c.select(1, 2).copy_(b.narrow(0, 0, 3).exp()); return c; },
      fill0d: (a, b) => { const c = a.mul(2); c.narrow(1, 0, 2).fill_(b.sum()); return c; },
      masked: (a, b) => a.mul(b).maskedFill_(a.gt(1), 0),
    };
    for (const [name, f] of Object.entries(forms)) {
      checkGrad((a, b) => weightedSum(f(a, b)), [x, y], { label: name, rtol: 1e-6, atol: 1e-8 });
      // second order: the gradient itself, differentiated against finite differences
      checkGrad((a, b) => weightedSum(tf.grad((u, v) => weightedSum(f(u, v)), { argnums: [0, 1] })(a, b)[0], 2),
        [x, y], { label: `${name} second order`, rtol: 1e-5, atol: 1e-7 });
    }
  });
});
