// Sums over leading dims (the column sums of native/core/kernels.cpp's col_sum: every Linear
// layer's bias gradient): exact on integer-valued data for every combination of row-block and
// vector tails, against float64 references on random data, independent of the thread count, and
// the edge cases (empty, size-1, non-contiguous, middle axes, NaN/inf). Run at every SIMD level
// (TENSORFOLD_SIMD=scalar / avx2 / default).
'use strict';
const { tf, expectClose, checkGrad, weightedSum, randTensor } = require('./helpers');

const vals = (t) => Array.from(t.toTypedArray(), Number);
// Small integers (and halves): every sum below is exact in float32, whatever the grouping.
function intData(R, B, seed) {
  const v = new Float64Array(R * B);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < v.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = (((s >>> 8) % 129) - 64) / 2;
  }
  return v;
}
function colRef(v, R, B) {
  const o = new Float64Array(B);
  for (let r = 0; r < R; r++) for (let b = 0; b < B; b++) o[b] += v[r * B + b];
  return Array.from(o);
}

describe('column sums, exact', () => {
  const Rs = [1, 2, 3, 4, 5, 7, 8, 9, 33];
  const Bs = [1, 2, 7, 8, 15, 16, 17, 33, 100];
  for (const dtype of ['float32', 'float64']) {
    test(`every row and column tail, ${dtype}`, () => {
      for (const R of Rs) for (const B of Bs) {
        const d = intData(R, B, R * 131 + B);
        const x = tf.tensor(d, { dtype, shape: [R, B] });
        expect(vals(x.sum(0))).toEqual(colRef(d, R, B));
      }
    });
    // The bias-gradient shapes of bench mlp_step / transformer_step, and shapes that take several
    // row blocks, column pieces (rows longer than 16384) or none.
    for (const [R, B] of [[256, 1024], [768, 128], [768, 384], [4096, 64], [4099, 67], [3, 20000], [40001, 3], [2, 40000]]) {
      test(`[${R}, ${B}] ${dtype}`, () => {
        const d = intData(R, B, R + B);
        const x = tf.tensor(d, { dtype, shape: [R, B] });
        expect(vals(x.sum(0))).toEqual(colRef(d, R, B));
        expect(vals(x.sum(0, true))).toEqual(colRef(d, R, B));
        expect(x.sum(0, true).shape).toEqual([1, B]);
      });
    }
  }
});

describe('column sums, rounding and threads', () => {
  test('random float32 data against a float64 reference', () => {
    for (const [R, B] of [[4096, 64], [768, 384], [1000, 33]]) {
      const x = randTensor([R, B], { seed: R, dtype: 'float32' });
      const ref = colRef(vals(x), R, B);
      expectClose(vals(x.sum(0)), ref, { rtol: 1e-5, atol: 2e-7 * R }, `[${R}, ${B}]`);
    }
  });
  test('the same bits with 1 thread and with 2', () => {
    const xs = [randTensor([4096, 64], { seed: 1, dtype: 'float32' }), randTensor([1000, 300], { seed: 2 }),
      randTensor([3, 20000], { seed: 3, dtype: 'float32' })];
    const threads = tf.backendInfo().threads;
    try {
      tf.setNumThreads(1);
      const one = xs.map((x) => vals(x.sum(0)));
      tf.setNumThreads(2);
      const two = xs.map((x) => vals(x.sum(0)));
      expect(two).toEqual(one);
    } finally {
      tf.setNumThreads(threads);
    }
  });
});

describe('sums over leading and middle dims: edge cases', () => {
  const d = intData(3 * 5 * 7, 1, 9);
  const x = tf.tensor(d, { shape: [3, 5, 7], dtype: 'float64' });
  const ref = (axes) => tf.noGrad(() => {
    // plain loops over the data, an independent path
    const sizes = x.shape;
    const idx = (i, j, k) => d[(i * sizes[1] + j) * sizes[2] + k];
    const out = [];
    if (axes === 1) for (let i = 0; i < 3; i++) for (let k = 0; k < 7; k++) { let s = 0; for (let j = 0; j < 5; j++) s += idx(i, j, k); out.push(s); }
    if (axes === '01') for (let k = 0; k < 7; k++) { let s = 0; for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) s += idx(i, j, k); out.push(s); }
    if (axes === '02') for (let j = 0; j < 5; j++) { let s = 0; for (let i = 0; i < 3; i++) for (let k = 0; k < 7; k++) s += idx(i, j, k); out.push(s); }
    return out;
  });
  test('middle axis, negative axis, keepdim', () => {
    expect(vals(x.sum(1))).toEqual(ref(1));
    expect(vals(x.sum(-2, true))).toEqual(ref(1));
    expect(x.sum(-2, true).shape).toEqual([3, 1, 7]);
    expect(vals(x.to('float32').sum(1))).toEqual(ref(1));
  });
  test('leading block of axes, split axes', () => {
    expect(vals(x.sum([0, 1]))).toEqual(ref('01'));
    expect(vals(x.sum([1, 0]))).toEqual(ref('01'));
    expect(vals(x.sum([0, 2]))).toEqual(ref('02'));
  });
  test('non-contiguous input (a transposed view)', () => {
    const m = tf.tensor(intData(37, 19, 4), { shape: [37, 19] });
    expect(vals(m.transpose(0, 1).sum(0))).toEqual(vals(m.sum(1)));
    expect(vals(m.transpose(0, 1).contiguous().sum(0))).toEqual(vals(m.sum(1)));
  });
  test('empty and size-1 dims', () => {
    expect(vals(tf.zeros([0, 5]).sum(0))).toEqual([0, 0, 0, 0, 0]);
    expect(tf.zeros([5, 0]).sum(0).shape).toEqual([0]);
    expect(tf.zeros([0, 5]).sum(0, true).shape).toEqual([1, 5]);
    expect(vals(tf.tensor([[1, 2, 3]]).sum(0))).toEqual([1, 2, 3]);
    expect(vals(tf.tensor([[1], [2], [3.5]]).sum(0))).toEqual([6.5]);
  });
  test('NaN and infinities propagate per column', () => {
    const m = tf.tensor([[1, NaN, Infinity, 1, 2], [2, 1, -Infinity, Infinity, 3], [3, 1, 1, 1, 4], [4, 1, 1, 1, 5], [5, 1, 1, 1, 6]]);
    for (const t of [m, m.to('float64')]) expect(vals(t.sum(0))).toEqual([15, NaN, NaN, Infinity, 20]);
  });
  test('integer columns', () => {
    const m = tf.tensor(intData(33, 17, 5).map((v) => Math.round(v)), { shape: [33, 17], dtype: 'int32' });
    expect(vals(m.sum(0))).toEqual(colRef(vals(m), 33, 17));
  });
  test('gradient of a column sum (float64 finite differences)', () => {
    const a = randTensor([9, 6], { seed: 3 });
    checkGrad((t) => weightedSum(t.sum(0)), [a], { label: 'sum(0)' });
    checkGrad((t) => weightedSum(t.sum([0, 1], true)), [randTensor([3, 4, 5], { seed: 4 })], { label: 'sum([0, 1])' });
  });
});
