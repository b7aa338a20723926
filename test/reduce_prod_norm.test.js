// prod and the 2-norm as engine reductions (native/core/ops_reduce.cpp): values, gradients and
// second-order gradients against PyTorch 1.13 (scripts/gen_reduce_fixtures.py ->
// test/fixtures/reduce.json), gradients against float64 finite differences, the long-row, chunked
// and column paths against float64 references, and integer wrapping. Run at every SIMD level
// (TENSORFOLD_SIMD=scalar / avx2 / default).
'use strict';
const { tf, loadFixtures, fromSpec, num, expectClose, checkGrad, weightedSum, randTensor, expectThrowsKind } = require('./helpers');

const CASES = loadFixtures('reduce.json');

function run(c, x) {
  const xt = c.transpose ? x.transpose(0, 1) : x;
  const [axis, keep] = c.args;
  if (c.op === 'prod') return axis === null ? tf.prod(xt, undefined, keep) : tf.prod(xt, axis, keep);
  return tf.norm(xt, 2, axis === null ? undefined : axis, keep);
}
const vals = (t) => Array.from(t.toTypedArray(), Number);
const grad1 = (f) => (x) => tf.grad(f, { argnums: [0] })(x)[0];

describe('prod and norm against PyTorch', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const x = fromSpec(c.x);
      const out = run(c, x);
      expect(out.shape).toEqual(c.out.shape);
      expect(out.dtype).toBe(c.out.dtype);
      const tol = c.out.dtype === 'float32' ? { rtol: 3e-6, atol: 1e-30 } : { rtol: 1e-13, atol: 1e-300 };
      if (c.out.dtype === 'float32' || c.out.dtype === 'float64') expectClose(vals(out), c.out.values.map(num), tol, 'value');
      else expect(vals(out)).toEqual(c.out.values.map(num));
      // the method form is the function
      const xt = c.transpose ? x.transpose(0, 1) : x;
      const m = c.op === 'prod' ? xt.prod(c.args[0] === null ? undefined : c.args[0], c.args[1])
        : xt.norm(2, c.args[0] === null ? undefined : c.args[0], c.args[1]);
      expect(vals(m)).toEqual(vals(out));
      if (!c.grad) return;
      const gout = fromSpec(c.gout), v = fromSpec(c.v);
      const f = (a) => run(c, a).mul(gout).sum();
      const g = grad1(f)(x);
      expectClose(vals(g), c.grad.values.map(num), { rtol: 1e-12, atol: 1e-15 }, 'gradient');
      const g2 = grad1((a) => grad1(f)(a).mul(v).sum())(x);
      let want2 = c.grad2.values.map(num);
      // Deliberate difference: at an all-zero slice the norm's second derivative is 0 here (the
      // first one is 0 there, as PyTorch's), NaN in PyTorch.
      if (c.op === 'norm') want2 = want2.map((w) => (Number.isNaN(w) ? 0 : w));
      expectClose(vals(g2), want2, { rtol: 1e-12, atol: 1e-15 }, 'second order');
    });
  }
});

// Gradient checks: f(x) -> tensor, through weightedSum against finite differences, and second order.
function gradAndSecond(name, f, x, { second = true } = {}) {
  test(`${name}: gradient${second ? ' and second order' : ''} by finite differences`, () => {
    const g = (a) => weightedSum(f(a));
    checkGrad(g, [x], { label: name, rtol: 1e-6, atol: 1e-8 });
    if (second) checkGrad((a) => weightedSum(grad1(g)(a), 3), [x], { label: `${name} 2nd`, rtol: 1e-5, atol: 1e-7 });
  });
}

describe('finite differences (float64)', () => {
  const x = randTensor([3, 5], { lo: -2, hi: 2, awayFrom: [0] });
  const x3 = randTensor([2, 3, 4], { lo: -1.5, hi: 1.5, seed: 5 });
  const oneZero = tf.tensor([[1.5, 0, -2, 3], [0, 2, 1.3, 1], [1.2, -1.1, 2.3, 0]], { dtype: 'float64' });
  const twoZeros = tf.tensor([[1.5, 0, -2, 0], [0.5, 2, 1.3, 1]], { dtype: 'float64' });
  gradAndSecond('prod axis 1', (a) => tf.prod(a, 1), x);
  gradAndSecond('prod axis 0 keepdim', (a) => tf.prod(a, 0, true), x);
  gradAndSecond('prod whole', (a) => tf.prod(a), x);
  gradAndSecond('prod middle axis', (a) => tf.prod(a, 1), x3);
  gradAndSecond('prod transposed', (a) => tf.prod(a.transpose(0, 1), 1), x);
  gradAndSecond('prod one zero per row', (a) => tf.prod(a, 1), oneZero);
  gradAndSecond('prod one zero per column', (a) => tf.prod(a, 0), oneZero);
  gradAndSecond('prod whole, three zeros', (a) => tf.prod(a), oneZero);
  // Two zeros in a slice: the exclusive products (two cumprods) are exact at second order too.
  gradAndSecond('prod two zeros in a row', (a) => tf.prod(a, 1), twoZeros);
  gradAndSecond('norm whole', (a) => tf.norm(a), x);
  gradAndSecond('norm axis 1', (a) => tf.norm(a, 2, 1), x);
  gradAndSecond('norm axis 0 keepdim', (a) => tf.norm(a, 2, 0, true), x);
  gradAndSecond('norm split axes', (a) => tf.norm(a, 2, [0, 2]), x3);
  gradAndSecond('norm leading axes', (a) => tf.norm(a, 2, [0, 1]), x3);
  gradAndSecond('norm transposed', (a) => tf.norm(a.transpose(0, 1), 2, 1), x);
});

// float64 references computed here from the same data.
function refProd(data, rows, cols, axis) {
  const out = [];
  if (axis === 1) for (let r = 0; r < rows; r++) { let p = 1; for (let c = 0; c < cols; c++) p *= data[r * cols + c]; out.push(p); }
  else for (let c = 0; c < cols; c++) { let p = 1; for (let r = 0; r < rows; r++) p *= data[r * cols + c]; out.push(p); }
  return out;
}
function near1(shape, seed, dtype = 'float32', spread = 0.02) {
  return randTensor(shape, { lo: 1 - spread, hi: 1 + spread, seed, dtype });
}

describe('long rows, chunks and columns against float64 references', () => {
  // Lengths around the 32-lane product loop and the vector widths.
  for (const n of [1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 4097]) {
    test(`prod of rows of ${n}, float32 and float64`, () => {
      for (const dtype of ['float32', 'float64']) {
        const x = near1([3, n], n, dtype, 0.5);
        const d = vals(x);
        const round = (r) => (dtype === 'float32' ? r.map(Math.fround) : r);
        const tol = { rtol: dtype === 'float32' ? 1e-6 : 1e-13, atol: 0 };
        expectClose(vals(x.prod(1)), round(refProd(d, 3, n, 1)), tol, `${dtype} ${n}`);
        expectClose(vals(x.prod(0)), round(refProd(d, 3, n, 0)), tol, `${dtype} cols ${n}`);
      }
    });
  }
  test('column products over several row blocks and column pieces', () => {
    for (const [R, B] of [[4099, 67], [3, 20000], [40001, 3]]) {
      for (const dtype of ['float32', 'float64']) {
        const x = near1([R, B], R + B, dtype, 0.002);
        const want = refProd(vals(x), R, B, 0);
        expectClose(vals(x.prod(0)), dtype === 'float32' ? want.map(Math.fround) : want,
          { rtol: dtype === 'float32' ? 1e-6 : 1e-12, atol: 0 }, `${dtype} [${R}, ${B}]`);
      }
    }
  });
  test('the same bits with 1 thread and with 2', () => {
    const xs = [near1([4099, 67], 1, 'float32', 0.002), near1([700, 1001], 2, 'float64', 0.002)];
    const threads = tf.backendInfo().threads;
    const all = () => xs.flatMap((x) => [vals(x.prod(0)), vals(x.prod(1)), vals(x.prod()), vals(x.norm()), vals(x.norm(2, 1))]);
    try {
      tf.setNumThreads(1);
      const one = all();
      tf.setNumThreads(2);
      expect(all()).toEqual(one);
    } finally {
      tf.setNumThreads(threads);
    }
  });
  test('whole prod over several chunks (float32 accumulated in double)', () => {
    const x = near1([700, 1001], 3, 'float32', 0.001);
    const d = vals(x);
    let p = 1;
    for (const v of d) p *= v;
    expectClose([x.prod().item()], [p], { rtol: 2e-6, atol: 0 });
    // one zero anywhere makes it exactly 0, a NaN anywhere NaN
    const z = x.clone();
    z.indexPut_([699, 1000], 0);
    expect(z.prod().item()).toBe(0);
    z.indexPut_([350, 3], NaN);
    expect(Number.isNaN(z.prod().item())).toBe(true);
  });
  // Deliberately not PyTorch's: it multiplies float32 in float32, where these partial products
  // underflow to 0 (PyTorch gives 0 here); the exact product 2 is representable.
  test('float32 products whose float32 partial products would underflow or overflow', () => {
    const x = tf.tensor([[1e30, 1e30, 1e-30, 1e-30, 2, ...new Array(40).fill(1)]]);
    expect(x.prod(1).item()).toBe(2);
    expect(x.transpose(0, 1).prod(0).item()).toBe(2);
    expect(x.prod().item()).toBe(2);
  });
  test('2-norm of long rows, chunks and columns', () => {
    for (const [shape, axis] of [[[3, 4097], 1], [[700, 1001], undefined], [[1001, 67], 0], [[5, 33, 17], [1, 2]], [[6, 5, 7], [0, 2]]]) {
      for (const dtype of ['float32', 'float64']) {
        const x = randTensor(shape, { lo: -3, hi: 3, seed: shape[0], dtype });
        const want = tf.noGrad(() => x.to('float64').mul(x.to('float64')).sum(axis).sqrt());
        expectClose(vals(x.norm(2, axis)), vals(want), { rtol: dtype === 'float32' ? 2e-6 : 1e-13, atol: 0 }, `${dtype} [${shape}]`);
      }
    }
  });
  test('float32 squares accumulate in float32, as PyTorch: overflow gives inf', () => {
    expect(tf.tensor([3e19, 4e19]).norm().item()).toBe(Infinity);
    expectClose([tf.tensor([3e18, 4e18]).norm().item()], [5e18], { rtol: 1e-6, atol: 0 });
  });
  test('norm of float16 / bfloat16 computed in float32, returned in the input dtype', () => {
    for (const dtype of ['float16', 'bfloat16']) {
      const x = tf.tensor([[3, 4], [6, 8]], { dtype });
      const n = x.norm(2, 1);
      expect(n.dtype).toBe(dtype);
      expect(vals(n)).toEqual([5, 10]);
      expect(x.prod(1).dtype).toBe(dtype);
      expect(vals(x.prod(1))).toEqual([12, 48]);
    }
  });
});

describe('integer prod', () => {
  test('int32 wraps modulo 2^32, as an int64 product cast to int32', () => {
    const x = tf.tensor([[100000, 100000, 7], [-65536, 65536, 3]], { dtype: 'int32' });
    const want = [[100000n, 100000n, 7n], [-65536n, 65536n, 3n]].map((r) => Number(BigInt.asIntN(32, r.reduce((a, b) => a * b, 1n))));
    expect(x.prod(1).dtype).toBe('int32');
    expect(vals(x.prod(1))).toEqual(want);
    expect(vals(x.transpose(0, 1).prod(0))).toEqual(want);
  });
  test('int64 keeps 64 bits and wraps modulo 2^64', () => {
    const x = tf.tensor([3000000000, 3, 1], { dtype: 'int64' });
    expect(x.prod().dtype).toBe('int64');
    expect(Number(x.prod().item())).toBe(9000000000);
  });
  test('bool and uint8 give int32, empty gives 1', () => {
    expect(tf.tensor([true, false]).prod().dtype).toBe('int32');
    expect(vals(tf.tensor([[true, true], [true, false]]).prod(1))).toEqual([1, 0]);
    expect(vals(tf.tensor([200, 2], { dtype: 'uint8' }).prod())).toEqual([400]);
    expect(vals(tf.zeros([2, 0], { dtype: 'int32' }).prod(1))).toEqual([1, 1]);
  });
  test('integer input has no gradient; errors name the op', () => {
    expectThrowsKind(() => tf.prod(tf.zeros([2, 3]), 2), 'RangeError', /prod: axis 2 is out of range/);
    expectThrowsKind(() => tf.norm(tf.zeros([2, 3]), 2, 3), 'RangeError', /norm: axis 3/);
    expectThrowsKind(() => tf.norm(tf.zeros([2, 3]), 2, [1, 1]), 'RangeError', /norm: axis 1 appears twice/);
  });
});
