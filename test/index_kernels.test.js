// The direct kernels of tril / triu (native/core/ops_triangle.cpp), gather's and indexSelect's row
// paths (ops_index.cpp) and topk's selection (ops_scan.cpp): values against PyTorch 1.13
// (scripts/gen_index_kernels_fixtures.py) and, at sizes that take the threaded paths, against index
// arithmetic; every dtype, offsets, batch dims, strided views, empty tensors, ties and NaN;
// gradients against finite differences in float64; errors. Run at every SIMD level
// (TENSORFOLD_SIMD=scalar / avx2 / default), though these kernels have no per-ISA code.
'use strict';
const { tf, loadFixtures, fromSpec, num, checkGrad, weightedSum, randTensor, expectThrowsKind } = require('./helpers');

const DTYPES = ['float32', 'float64', 'int32', 'int64', 'bool', 'uint8', 'float16', 'bfloat16'];
const flat = (t) => Array.from(t.toTypedArray(), Number);  // bool → 0/1, int64 → Number
// Deterministic integers in [lo, hi).
function ints(n, lo, hi, seed = 1) {
  const v = new Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = lo + ((s >>> 8) % (hi - lo));
  }
  return v;
}
const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);
// Exact equality of two long arrays (NaN equals NaN, -0 differs from 0), reported at the first
// difference: toEqual's diff of 100K-element arrays takes seconds.
function expectSame(got, want, label = '') {
  expect(got.length).toBe(want.length);
  const p = got.findIndex((v, i) => !Object.is(v, want[i]));
  if (p >= 0) throw new Error(`${label} differs at flat index ${p}: got ${got[p]}, want ${want[p]}`);
}
// Small nonzero values that every dtype holds exactly (bool: mostly true).
function tensorOf(shape, dtype, seed = 1) {
  const v = ints(sizeOf(shape), 1, 9, seed);
  if (dtype === 'bool') return tf.tensor(v.map((x) => x % 4 !== 0), { shape });
  return tf.tensor(v, { dtype, shape });
}
const idx32 = (v, shape, dtype = 'int32') => tf.tensor(v, { dtype, shape });

function gradAndSecond(name, f, xs) {
  test(`${name}: gradient and second order`, () => {
    const g = (...a) => { const o = f(...a); return weightedSum(Array.isArray(o) ? o[0] : o); };
    checkGrad(g, xs, { label: name, rtol: 1e-6, atol: 1e-8 });
    const argnums = xs.map((_, i) => i);
    checkGrad((...a) => weightedSum(tf.grad(g, { argnums })(...a)[0], 3), xs, { label: `${name} 2nd`, rtol: 1e-5, atol: 1e-7 });
  });
}

describe('PyTorch fixtures', () => {
  const cases = loadFixtures('index_kernels.json');
  const argOf = (a, ts) => (typeof a === 'string' && /^\$\d+$/.test(a) ? ts[+a.slice(1)] : a);
  test.each(cases.map((c) => [c.name, c]))('%s', (_, c) => {
    const ts = c.inputs.map((s) => fromSpec(s));
    const out = ts[0][c.op](...c.args.map((a) => argOf(a, ts)));
    const outs = Array.isArray(out) ? out : [out];
    expect(outs.length).toBe(c.outputs.length);
    outs.forEach((o, i) => {
      const e = c.outputs[i];
      expect(o.shape).toEqual(e.shape);
      expect(o.dtype).toBe(e.dtype);
      // Copies and selections: exact (NaN where PyTorch has NaN).
      const want = e.values.map(num);
      expect(e.dtype === 'float32' ? Array.from(Float32Array.from(want)) : want).toEqual(flat(o));
    });
  });
});

// ---------------------------------------------------------------- tril / triu
// out[..., i, j] = x[..., i, j] where j - i <= k (tril) or j - i >= k (triu), else 0.
function triRef(vals, shape, k, lower) {
  const r = shape[shape.length - 2], c = shape[shape.length - 1];
  return vals.map((v, p) => {
    const j = p % c, i = Math.floor(p / c) % r;
    return (lower ? j - i <= k : j - i >= k) ? v : 0;
  });
}
function expectTri(x, k, lower) {
  const out = lower ? x.tril(k) : x.triu(k);
  expect(out.shape).toEqual(x.shape);
  expect(out.dtype).toBe(x.dtype);
  expectSame(flat(out), triRef(flat(x.contiguous()), x.shape, k, lower), `${lower ? 'tril' : 'triu'}(${k}) of [${x.shape}]`);
  return out;
}

describe('tril / triu', () => {
  const shapes = [[5, 7], [7, 5], [2, 3, 4, 5], [1, 1], [3, 1], [1, 4]];
  const ks = [-8, -3, -1, 0, 1, 2, 8];
  test.each(DTYPES)('every offset and shape: %s', (dtype) => {
    for (const shape of shapes) {
      const x = tensorOf(shape, dtype);
      for (const k of ks) {
        expectTri(x, k, true);
        expectTri(x, k, false);
      }
    }
  });
  test('threaded sizes, batch dims and offsets far outside', () => {
    tf.manualSeed(3);
    const big = tf.randn([3, 300, 400]);  // 360K elements: several chunks of rows
    for (const k of [-1000, -299, -50, 0, 123, 399, 400, 1e9, -1e9]) {
      expectTri(big, k, true);
      expectTri(big, k, false);
    }
    const tall = tf.randn([1500, 90], { dtype: 'float64' });
    expectTri(tall, -700, true);
    expectTri(tall, 30, false);
  });
  test('inf and NaN outside the triangle become 0, inside they stay', () => {
    const x = tf.tensor([[Infinity, NaN, 1], [NaN, -Infinity, Infinity]]);
    expect(flat(x.tril())).toEqual([Infinity, 0, 0, NaN, -Infinity, 0]);
    expect(flat(x.triu(1))).toEqual([0, NaN, 1, 0, 0, Infinity]);
    expect(flat(x.triu(-1))).toEqual(flat(x));
    expect(flat(tf.tensor([[-0, 2], [3, -0]]).tril()).map((v) => Object.is(v, -0))).toEqual([true, false, false, true]);
  });
  test('strided views: transpose, permute, step slices, narrow, expand', () => {
    const base = randTensor([4, 6, 5], { seed: 9 });
    const before = flat(base);
    const views = {
      transposed: base.transpose(-1, -2),
      permuted: base.permute(1, 0, 2),
      stepped: base.index(':', '::2', '::2'),
      narrowed: base.narrow(2, 1, 3),
      expandedBatch: tf.tensor([1, 2, 3, 4, 5]).expand(3, 4, 5),
      expandedCols: tf.tensor([[1], [2], [3]]).expand(3, 6),
      transposedInt: tensorOf([6, 9], 'int32').transpose(0, 1),
      transposedHalf: tensorOf([2, 6, 9], 'float16').transpose(1, 2),
    };
    for (const [name, v] of Object.entries(views)) {
      for (const k of [-2, 0, 1, 4]) {
        try {
          expectTri(v, k, true);
          expectTri(v, k, false);
        } catch (e) {
          e.message = `${name} k=${k}: ${e.message}`;
          throw e;
        }
      }
    }
    expect(flat(base)).toEqual(before);
  });
  test('empty tensors', () => {
    for (const shape of [[0, 3], [3, 0], [2, 0, 4], [0, 0], [0, 2, 2]]) {
      expect(tf.zeros(shape).tril().shape).toEqual(shape);
      expect(tf.zeros(shape, { dtype: 'int64' }).triu(-2).shape).toEqual(shape);
    }
  });
  test('the result is a new tensor even when everything is kept', () => {
    const x = tf.tensor([[1, 2], [3, 4]]);
    const y = x.tril(5);
    y.fill_(0);
    expect(flat(x)).toEqual([1, 2, 3, 4]);
    const z = x.triu(-5);
    z.fill_(0);
    expect(flat(x)).toEqual([1, 2, 3, 4]);
  });
  test('generateSquareSubsequentMask: -inf above the diagonal, 0 elsewhere', () => {
    const m = tf.nn.Transformer.generateSquareSubsequentMask(70, { dtype: 'float64' });
    expect(m.dtype).toBe('float64');
    expect(flat(m)).toEqual(Array.from({ length: 4900 }, (_, p) => (p % 70 > Math.floor(p / 70) ? -Infinity : 0)));
  });
  const x = randTensor([2, 3, 4], { seed: 5 });
  gradAndSecond('tril', (a) => a.tril(), [x]);
  gradAndSecond('tril k=-1', (a) => a.tril(-1), [x]);
  gradAndSecond('triu k=2', (a) => a.triu(2), [x]);
  gradAndSecond('triu of a transposed view', (a) => a.transpose(1, 2).triu(-1), [x]);
  // A nonlinear use, so that the second order runs the backward of the backward's triangle.
  gradAndSecond('tril times input', (a) => a.tril(1).mul(a).triu(-1), [x]);
  gradAndSecond('tf.linalg.solveTriangular (tril / triu in backward)',
    (a, b) => tf.linalg.solveTriangular(a.tril().add(tf.eye(3, undefined, { dtype: 'float64' }).mul(3)), b, { upper: false }),
    [randTensor([3, 3], { seed: 2 }), randTensor([3, 2], { seed: 4 })]);
  test('errors name the op and the shape', () => {
    expectThrowsKind(() => tf.zeros([3]).tril(), 'Error', /tril: expected a tensor of at least 2 dims, got shape \[3\]/);
    expectThrowsKind(() => tf.zeros([]).triu(), 'Error', /triu: expected a tensor of at least 2 dims, got shape \[\]/);
    expectThrowsKind(() => tf.zeros([2, 2]).triu(0.5), 'TypeError', /triu: k must be an integer/);
    expectThrowsKind(() => tf.tril('x'), 'TypeError', /tril/);
  });
});

// ---------------------------------------------------------------- gather
// out[p] = x[same multi-index as p, with index[p] (wrapped) at dim]; x contiguous.
function gatherRef(xv, xshape, dim, iv, ishape) {
  const xs = xshape.map((_, d) => sizeOf(xshape.slice(d + 1)));
  return iv.map((raw, p) => {
    let off = 0, rest = p;
    for (let d = ishape.length - 1; d >= 0; d--) {
      const c = rest % ishape[d];
      rest = Math.floor(rest / ishape[d]);
      off += (d === dim ? (raw < 0 ? raw + xshape[d] : raw) : c) * xs[d];
    }
    return xv[off];
  });
}
function expectGather(x, dim, index) {
  const out = x.gather(dim, index);
  expect(out.shape).toEqual(index.shape);
  expect(out.dtype).toBe(x.dtype);
  const d = dim < 0 ? dim + x.ndim : dim;
  expectSame(flat(out), gatherRef(flat(x.contiguous()), x.shape, d, flat(index.contiguous()), index.shape), `gather(${dim}) of [${x.shape}]`);
}

describe('gather', () => {
  test.each(DTYPES)('last dim, threaded sizes, negative indices: %s', (dtype) => {
    const x = tensorOf([50, 900], dtype, 3);
    const i = idx32(ints(50 * 1000, -900, 900, 5), [50, 1000]);
    expectGather(x, 1, i);
    expectGather(x, -1, i.to('int64'));
  });
  test('other dims, whole and partial index', () => {
    const x = randTensor([4, 30, 20], { seed: 8 });
    expectGather(x, 0, idx32(ints(4 * 30 * 20, -4, 4, 1), [4, 30, 20]));
    expectGather(x, 1, idx32(ints(4 * 50 * 20, -30, 30, 2), [4, 50, 20]));
    expectGather(x, 2, idx32(ints(4 * 30 * 7, 0, 20, 3), [4, 30, 7]));
    expectGather(x, 1, idx32(ints(2 * 5 * 3, 0, 30, 4), [2, 5, 3]));  // smaller in the other dims
    const big = tf.randn([300, 200]);  // dim 0 over threaded rows
    expectGather(big, 0, idx32(ints(400 * 200, -300, 300, 6), [400, 200]));
  });
  test('strided input and index', () => {
    const x = randTensor([700, 40], { seed: 12 });
    const xt = x.transpose(0, 1);  // [40, 700]
    const i = idx32(ints(40 * 800, 0, 700, 7), [800, 40]).transpose(0, 1);
    expectGather(xt, 1, i);
    expectGather(xt, 0, idx32(ints(40 * 30, 0, 40, 8), [30, 40]).transpose(0, 1).transpose(0, 1));
    expectGather(x.index('::2'), 1, idx32(ints(350 * 5, 0, 40, 9), [350, 5]));
  });
  test('empty index and empty dims', () => {
    expect(tf.zeros([3, 4]).gather(1, idx32([], [3, 0])).shape).toEqual([3, 0]);
    expect(tf.zeros([0, 4]).gather(1, idx32([], [0, 2])).shape).toEqual([0, 2]);
    expect(tf.zeros([2, 0]).gather(1, idx32([], [2, 0])).shape).toEqual([2, 0]);
  });
  test('out-of-range indices: a RangeError naming the first bad one, before any output', () => {
    const x = tf.zeros([50, 900]);
    const v = ints(50 * 1000, 0, 900, 5);
    v[10 * 1000 + 5] = 950;
    v[40 * 1000 + 3] = 1000;  // in another thread's chunk
    expectThrowsKind(() => x.gather(1, idx32(v, [50, 1000])), 'RangeError', /gather: index 950 is out of range for a dimension of size 900/);
    v[10 * 1000 + 5] = 0;
    expectThrowsKind(() => x.gather(1, idx32(v, [50, 1000])), 'RangeError', /gather: index 1000 is out of range/);
    v[40 * 1000 + 3] = -901;
    expectThrowsKind(() => x.gather(1, idx32(v, [50, 1000])), 'RangeError', /gather: index -901 is out of range/);
    expectThrowsKind(() => x.gather(0, idx32([50], [1, 1])), 'RangeError', /gather: index 50 is out of range for a dimension of size 50/);
    // int64 indices are narrowed in a threaded pass: the first one beyond int32 is named.
    const w = ints(50 * 1000, 0, 900, 5);
    w[30 * 1000 + 1] = 2 ** 33;
    w[45 * 1000] = -(2 ** 40);
    expectThrowsKind(() => x.gather(1, idx32(w, [50, 1000], 'int64')), 'RangeError', /gather: index 8589934592 is out of range/);
    w[30 * 1000 + 1] = 2 ** 31 - 1;
    expectThrowsKind(() => x.gather(1, idx32(w, [50, 1000], 'int64')), 'RangeError', /gather: index -1099511627776 is out of range/);
    expectThrowsKind(() => tf.zeros([2, 0]).gather(1, idx32([0], [1, 1])), 'RangeError', /gather: index 0 is out of range for a dimension of size 0/);
    expectThrowsKind(() => x.transpose(0, 1).gather(1, idx32([7, 50], [1, 2])), 'RangeError', /gather: index 50 is out of range/);
  });
  test('bad shapes and dtypes', () => {
    const x = tf.zeros([2, 3]);
    expectThrowsKind(() => x.gather(1, idx32([0, 1, 2], [3])), 'Error', /gather: index shape \[3\] must have as many dims as input shape \[2,3\]/);
    expectThrowsKind(() => x.gather(1, idx32([0, 0, 0], [3, 1])), 'Error', /gather: index shape \[3,1\] is larger than input shape \[2,3\]/);
    expectThrowsKind(() => x.gather(1, tf.zeros([2, 1])), 'TypeError', /gather: index must be an int32 or int64 tensor/);
    expectThrowsKind(() => x.gather(2, idx32([0, 0], [2, 1])), 'RangeError', /gather/);
  });
  const x = randTensor([3, 5], { seed: 6 });
  const rep = idx32([0, 4, 4, 1, 2, 2, 2, 0, 3, 3, 1, 0], [3, 4]);
  gradAndSecond('gather last dim, repeated indices', (a) => a.gather(1, rep), [x]);
  gradAndSecond('gather dim 0', (a) => a.gather(0, idx32([2, 0, 1, 1, 2, 0, 0, 0, 1, 2], [2, 5])), [x]);
  gradAndSecond('gather times gather', (a) => a.gather(1, rep).mul(a.gather(1, rep.flip(1))), [x]);
});

// ---------------------------------------------------------------- indexSelect along the last dim
describe('indexSelect / flip along the last dim', () => {
  test.each(DTYPES)('threaded sizes: %s', (dtype) => {
    const x = tensorOf([60, 700], dtype, 4);
    const xv = flat(x);
    const iv = ints(900, 0, 700, 6);
    const want = [];
    for (let q = 0; q < 60; q++) for (const j of iv) want.push(xv[q * 700 + j]);
    expectSame(flat(x.indexSelect(1, idx32(iv, [900]))), want, 'indexSelect(1)');
    const rev = [];
    for (let q = 0; q < 60; q++) for (let j = 699; j >= 0; j--) rev.push(xv[q * 700 + j]);
    expectSame(flat(x.flip(1)), rev, 'flip(1)');
    expectSame(flat(x.flip(-1).flip(0)), flat(x.flip([0, 1])), 'flip(0, 1)');
  });
  gradAndSecond('flip(-1)', (a) => a.flip(-1).mul(a), [randTensor([3, 5], { seed: 21 })]);
});

// ---------------------------------------------------------------- topk
// The library's order: by value, NaN the largest, ties by the lower index (stable).
function topkRef(row, k, largest) {
  const rank = (a, b) => {
    const an = Number.isNaN(row[a]), bn = Number.isNaN(row[b]);
    if (an || bn) return an && bn ? a - b : (an ? 1 : -1) * (largest ? -1 : 1);
    if (row[a] !== row[b]) return largest ? row[b] - row[a] : row[a] - row[b];
    return a - b;
  };
  return Array.from(row.keys()).sort(rank).slice(0, k);
}
// topk along the last dim against the reference, row by row.
function expectTopk(x, k, largest) {
  const [v, i] = x.topk(k, -1, { largest });
  const n = x.shape[x.ndim - 1], rows = sizeOf(x.shape) / n;
  expect(i.shape).toEqual([...x.shape.slice(0, -1), k]);
  expect(i.dtype).toBe('int32');
  expect(v.dtype).toBe(x.dtype);
  const xv = flat(x.contiguous()), iv = flat(i), vv = flat(v);
  const want = [], wantV = [];
  for (let r = 0; r < rows; r++) {
    const row = xv.slice(r * n, (r + 1) * n);
    for (const j of topkRef(row, k, largest)) { want.push(j); wantV.push(row[j]); }
  }
  expectSame(iv, want, `topk(${k}, largest ${largest}) indices of [${x.shape}]`);
  expectSame(vv, wantV, `topk(${k}, largest ${largest}) values of [${x.shape}]`);
}

describe('topk', () => {
  const n = 150;
  const tiesNaN = (rows, seed) => ints(rows * n, 0, 6, seed).map((c) => [-1, 0, 0.5, 1, 2, NaN][c]);
  test.each(['float32', 'float64'])('ties and NaN, every k, both directions: %s', (dtype) => {
    const x = tf.tensor(tiesNaN(6, 3), { dtype, shape: [6, n] });
    for (const k of [0, 1, 2, 5, 16, 63, 64, 65, 100, 149, 150]) {
      expectTopk(x, k, true);
      expectTopk(x, k, false);
    }
  });
  test.each(DTYPES.filter((d) => d !== 'float32' && d !== 'float64'))('ties, every k: %s', (dtype) => {
    const x = tensorOf([4, n], dtype, 11);
    for (const k of [0, 1, 7, 64, 80, 150]) {
      expectTopk(x, k, true);
      expectTopk(x, k, false);
    }
  });
  test('rows that admit every element, all equal or all NaN', () => {
    const m = 300;
    const asc = Array.from({ length: m }, (_, j) => j / 4);
    const rows = [asc, asc.slice().reverse(), new Array(m).fill(1.5), new Array(m).fill(NaN),
      asc.map((v, j) => (j % 7 === 3 ? NaN : v)), asc.map((v, j) => (j % 2 ? -Infinity : Infinity))];
    const x = tf.tensor(rows.flat(), { shape: [rows.length, m] });
    for (const k of [1, 20, 64, 65, 100, 299]) {
      expectTopk(x, k, true);
      expectTopk(x, k, false);
    }
  });
  test('threaded rows of random values', () => {
    tf.manualSeed(5);
    const x = tf.randn([64, 1000]);
    expectTopk(x, 16, true);
    expectTopk(x, 16, false);
    expectTopk(x, 200, true);
  });
  test('other axes and strided input', () => {
    const x = tf.tensor(tiesNaN(4, 8), { shape: [n, 4] });
    const [v, i] = x.topk(10, 0);
    const [v2, i2] = x.transpose(0, 1).contiguous().topk(10, -1);
    expect(flat(i)).toEqual(flat(i2.transpose(0, 1).contiguous()));
    expect(flat(v)).toEqual(flat(v2.transpose(0, 1).contiguous()));
    expectTopk(x.transpose(0, 1), 70, true);
    expectTopk(x.transpose(0, 1), 3, false);
  });
  test('empty and 0-d', () => {
    expect(tf.zeros([3, 0]).topk(0)[1].shape).toEqual([3, 0]);
    expect(tf.zeros([0, 5]).topk(2)[0].shape).toEqual([0, 2]);
    const [v, i] = tf.tensor(2.5).topk(1);
    expect([v.item(), i.item()]).toEqual([2.5, 0]);
  });
  // Distinct values, so that finite differences do not cross a reordering.
  const x = randTensor([3, 80], { seed: 13 });
  gradAndSecond('topk k=3 (selection)', (a) => a.topk(3)[0], [x]);
  gradAndSecond('topk k=70 smallest (selection, heap)', (a) => a.topk(70, -1, { largest: false })[0].mul(a.topk(70, -1, { largest: false })[0]), [x]);
  gradAndSecond('topk k=80 (full sort)', (a) => a.topk(80)[0], [x]);
  test('errors', () => {
    const t = tf.zeros([2, 3]);
    expectThrowsKind(() => t.topk(4), 'RangeError', /topk: k = 4 is out of range for a dim of size 3/);
    expectThrowsKind(() => t.topk(-1), 'RangeError', /topk: k = -1 is out of range/);
    expectThrowsKind(() => t.topk(1, 2), 'RangeError', /topk: axis 2 is out of range/);
    expectThrowsKind(() => t.topk(1, -1, { largest: 'yes' }), 'TypeError', /topk: largest must be a boolean/);
  });
});
