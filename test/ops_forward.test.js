// Forward values of every op of API.md against PyTorch (test/fixtures/ops.json, written by
// scripts/gen_fixtures.py), through both the method form t.op(...) and the function form tf.op(t, ...).
'use strict';
const { tf, loadFixtures, fromSpec, callCase, tolFor, expectTensor, expectClose } = require('./helpers');

const cases = loadFixtures();

// Cases the engine gets wrong today, keyed "<case name> [<form>]"; each is listed with its repro in
// the suite's report. test.failing flips to a failure once the engine is fixed: then delete the key.
const KNOWN_FAILURES = new Set([
]);

function checkCase(c, form) {
  const tensors = c.inputs.map((s) => fromSpec(s));
  const out = callCase(c, form, tensors);
  if (Array.isArray(c.out)) {
    if (!Array.isArray(out)) throw new Error(`${c.name}: expected an array of ${c.out.length} tensors`);
    expect(out.length).toBe(c.out.length);
    c.out.forEach((spec, i) => expectTensor(out[i], spec, c.tol || tolFor(c.op, spec.dtype), `${c.name} [${form}] output ${i}`));
  } else {
    expectTensor(out, c.out, c.tol || tolFor(c.op, c.out.dtype), `${c.name} [${form}]`);
  }
}

const byOp = new Map();
for (const c of cases) {
  if (!byOp.has(c.op)) byOp.set(c.op, []);
  byOp.get(c.op).push(c);
}

for (const [op, list] of byOp) {
  describe(op, () => {
    for (const c of list) {
      for (const form of c.forms) {
        const title = `${c.name} [${form}]`;
        (KNOWN_FAILURES.has(title) ? test.failing : test)(title, () => checkCase(c, form));
      }
    }
  });
}

test('the fixtures cover every op of API.md "Operations"', () => {
  const ops = ['add', 'sub', 'mul', 'div', 'pow', 'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos',
    'tanh', 'sigmoid', 'relu', 'gelu', 'silu', 'softplus', 'leakyRelu', 'maximum', 'minimum', 'clamp', 'where',
    'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'sum', 'mean', 'max', 'min', 'argmax', 'argmin', 'var', 'std',
    'logsumexp', 'matmul', 'softmax', 'logSoftmax', 'reshape', 'transpose', 'permute', 'squeeze', 'unsqueeze',
    'expand', 'flatten', 'narrow', 'select', 'concat', 'stack', 'split', 'chunk', 'gather', 'indexSelect',
    'scatterAdd', 'oneHot'];
  const missing = ops.filter((o) => !byOp.has(o));
  expect(missing).toEqual([]);
  for (const o of ops) expect(typeof tf[o]).toBe('function');
});

test('the same op twice gives the same tensor (no hidden state between calls)', () => {
  const c = cases.find((x) => x.op === 'matmul');
  const ts = c.inputs.map((s) => fromSpec(s));
  const a = callCase(c, 'func', ts).toArray();
  const b = callCase(c, 'func', ts).toArray();
  expect(b).toEqual(a);
});

// ---------------------------------------------------------------- large tensors
// The fixtures are tiny; these sizes reach the SIMD main loops with odd tails, the thread-pool
// paths (more than 32768 elements, more than 64³ multiply-adds) and the blocked GEMM. References
// are computed here in float64 from the float32 inputs.
describe('large tensors (SIMD main loops, tails, threads) against float64 references in JS', () => {
  const N = 100003;
  let s = 12345;
  const { imul, exp: mexp, log: mlog, log1p, sqrt: msqrt, abs: mabs, max: mmax, min: mmin, sin: msin, cos: mcos, tanh: mtanh, pow: mpow } = Math;
  const rand = (n, lo = -1, hi = 1) => {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) { s = (imul(s, 1664525) + 1013904223) >>> 0; v[i] = lo + (hi - lo) * (s / 4294967296); }
    return v;
  };
  // erf to ~1e-15 (Taylor series near 0, continued fraction for erfc beyond)
  const erf = (x) => {
    const ax = mabs(x);
    if (ax < 2.5) {
      let term = ax, sum = ax;
      for (let k = 1; k < 80; k++) { term *= -ax * ax / k; sum += term / (2 * k + 1); }
      return (x < 0 ? -1 : 1) * sum * 2 / msqrt(3.141592653589793);
    }
    let f = 0;
    for (let k = 60; k >= 1; k--) f = (k / 2) / (ax + f);
    const erfc = mexp(-ax * ax) / msqrt(3.141592653589793) / (ax + f);
    return (x < 0 ? -1 : 1) * (1 - erfc);
  };
  const sig = (x) => 1 / (1 + mexp(-x));
  const UN = {
    exp: [mexp, -10, 10], log: [mlog, 0.01, 100], sqrt: [msqrt, 0, 100], rsqrt: [(x) => 1 / msqrt(x), 0.01, 100],
    sin: [msin, -6, 6], cos: [mcos, -6, 6], tanh: [mtanh, -9, 9], sigmoid: [sig, -20, 20],
    relu: [(x) => mmax(x, 0), -1, 1], gelu: [(x) => 0.5 * x * (1 + erf(x / 1.4142135623730951)), -6, 6],
    silu: [(x) => x * sig(x), -20, 20], softplus: [(x) => (x > 20 ? x : log1p(mexp(x))), -30, 30],
    neg: [(x) => -x, -1, 1], abs: [mabs, -1, 1],
  };
  const map = (v, f) => {
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = f(v[i]);
    return out;
  };
  for (const [op, [ref, lo, hi]] of Object.entries(UN)) {
    test(`${op} on ${N} elements, contiguous and transposed`, () => {
      const v = rand(N, lo, hi);
      const t = tf.tensor(v);
      expectTensor(t[op](), { shape: [N], dtype: 'float32', values: map(v, ref) }, tolFor(op, 'float32'), op);
      // a transposed [263, 381] view: the strided (non-unit stride) path
      const R = 263, C = 381, v2 = rand(R * C, lo, hi);
      const w = tf.tensor(v2, { shape: [R, C] }).transpose();
      const exp = new Float64Array(R * C);
      for (let j = 0; j < C; j++) for (let i = 0; i < R; i++) exp[j * R + i] = ref(v2[i * C + j]);
      expectTensor(w[op](), { shape: [C, R], dtype: 'float32', values: exp }, tolFor(op, 'float32'), `${op} transposed`);
    });
  }
  test('binary ops on 100003 elements and a [317,1] x [1,331] broadcast', () => {
    const a = rand(N), b = rand(N, 0.5, 2);
    const ta = tf.tensor(a), tb = tf.tensor(b);
    const BIN = { add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y,
      maximum: mmax, minimum: mmin, pow: (x, y) => mpow(y, x) };
    for (const [op, ref] of Object.entries(BIN)) {
      const out = op === 'pow' ? tb.pow(ta) : ta[op](tb);
      expectTensor(out, { shape: [N], dtype: 'float32', values: map(a.map((_, i) => i), (i) => ref(a[i], b[i])) }, tolFor(op, 'float32'), op);
      const c = rand(317), r = rand(331, 0.5, 2);
      const bc = op === 'pow' ? tf.tensor(r, { shape: [1, 331] }).abs().pow(tf.tensor(c, { shape: [317, 1] }))
        : tf.tensor(c, { shape: [317, 1] })[op](tf.tensor(r, { shape: [1, 331] }));
      const exp = [];
      for (let i = 0; i < 317; i++) for (let j = 0; j < 331; j++) exp.push(ref(c[i], r[j]));
      expectTensor(bc, { shape: [317, 331], dtype: 'float32', values: exp }, tolFor(op, 'float32'), `${op} broadcast`);
    }
  });
  test('reductions over 100003 elements and along both axes of [331, 301]', () => {
    const v = rand(N);
    const t = tf.tensor(v);
    let sum = 0, abs = 0, mx = -Infinity, mn = Infinity, am = 0;
    v.forEach((x, i) => { sum += x; abs += mabs(x); if (x > mx) { mx = x; am = i; } mn = mmin(mn, x); });
    const mean = sum / N;
    let ss = 0;
    v.forEach((x) => { ss += (x - mean) ** 2; });
    // float32 accumulation over 1e5 terms: an error budget relative to sum |x|
    const atol = 1e-6 * abs;
    expectClose(t.sum(), [sum], { rtol: 0, atol }, 'sum');
    expectClose(t.mean(), [mean], { rtol: 0, atol: atol / N }, 'mean');
    expectClose(t.max(), [mx], { rtol: 0, atol: 0 }, 'max');
    expectClose(t.min(), [mn], { rtol: 0, atol: 0 }, 'min');
    expectClose(t.argmax(), [am], { rtol: 0, atol: 0 }, 'argmax');
    expectClose(t.var(), [ss / (N - 1)], { rtol: 1e-4, atol: 0 }, 'var');
    expectClose(t.std(), [msqrt(ss / (N - 1))], { rtol: 1e-4, atol: 0 }, 'std');
    let lse = 0;
    v.forEach((x) => { lse += mexp(x - mx); });
    expectClose(t.logsumexp(), [mx + mlog(lse)], { rtol: 1e-5, atol: 0 }, 'logsumexp');

    const R = 331, C = 301;
    const m = tf.tensor(v.subarray(0, R * C), { shape: [R, C] });
    const rows = new Float64Array(R), cols = new Float64Array(C), rmax = new Float64Array(R).fill(-Infinity);
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
      const x = v[i * C + j];
      rows[i] += x; cols[j] += x; rmax[i] = mmax(rmax[i], x);
    }
    expectClose(m.sum(-1), rows, { rtol: 1e-5, atol: 1e-4 }, 'sum rows');
    expectClose(m.sum(0), cols, { rtol: 1e-5, atol: 1e-4 }, 'sum cols');
    expectClose(m.transpose().sum(0), rows, { rtol: 1e-5, atol: 1e-4 }, 'sum of transposed');
    expectClose(m.max(1), rmax, { rtol: 0, atol: 0 }, 'max rows');
    const sm = m.softmax(-1).sum(-1), smT = m.softmax(0).sum(0);
    expectClose(sm, new Float64Array(R).fill(1), { rtol: 0, atol: 1e-5 }, 'softmax rows sum to 1');
    expectClose(smT, new Float64Array(C).fill(1), { rtol: 0, atol: 1e-5 }, 'softmax cols sum to 1');
    const ls = m.logSoftmax(-1).select(0, 7);
    let z = 0;
    for (let j = 0; j < C; j++) z += mexp(v[7 * C + j] - rmax[7]);
    expectClose(ls, Array.from(v.subarray(7 * C, 8 * C), (x) => x - rmax[7] - mlog(z)), { rtol: 1e-5, atol: 1e-5 }, 'logSoftmax row');
  });
  const naiveMM = (a, b, M, K, Nn) => {
    const c = new Float64Array(M * Nn);
    for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) {
      const x = a[i * K + k];
      for (let j = 0; j < Nn; j++) c[i * Nn + j] += x * b[k * Nn + j];
    }
    return c;
  };
  test('matmul [70,130] @ [130,90] (float32 and float64) and with transposed operands', () => {
    const M = 70, K = 130, Nn = 90;
    const a = rand(M * K), b = rand(K * Nn);
    const ref = naiveMM(a, b, M, K, Nn);
    const ta = tf.tensor(a, { shape: [M, K] }), tb = tf.tensor(b, { shape: [K, Nn] });
    expectTensor(ta.matmul(tb), { shape: [M, Nn], dtype: 'float32', values: ref }, { rtol: 1e-5, atol: 1e-5 }, 'f32');
    expectTensor(ta.to('float64').matmul(tb.to('float64')), { shape: [M, Nn], dtype: 'float64', values: ref }, { rtol: 1e-12, atol: 1e-12 }, 'f64');
    // the same product from stored-transposed operands: (aᵀ)ᵀ @ (bᵀ)ᵀ
    const taT = ta.transpose().contiguous().transpose(), tbT = tb.transpose().contiguous().transpose();
    expectTensor(taT.matmul(tbT), { shape: [M, Nn], dtype: 'float32', values: ref }, { rtol: 1e-5, atol: 1e-5 }, 'transposed operands');
    // a narrowed operand: rows 5..64 of a
    const part = ta.narrow(0, 5, 60).matmul(tb);
    expectTensor(part, { shape: [60, Nn], dtype: 'float32', values: ref.subarray(5 * Nn, 65 * Nn) }, { rtol: 1e-5, atol: 1e-5 }, 'narrowed');
  });
  test('batched matmul [3,65,70] @ [70,33] with a broadcast right operand', () => {
    const B = 3, M = 65, K = 70, Nn = 33;
    const a = rand(B * M * K), b = rand(K * Nn);
    const ref = new Float64Array(B * M * Nn);
    for (let q = 0; q < B; q++) ref.set(naiveMM(a.subarray(q * M * K, (q + 1) * M * K), b, M, K, Nn), q * M * Nn);
    const out = tf.tensor(a, { shape: [B, M, K] }).matmul(tf.tensor(b, { shape: [K, Nn] }));
    expectTensor(out, { shape: [B, M, Nn], dtype: 'float32', values: ref }, { rtol: 1e-5, atol: 1e-5 }, 'batched');
  });
});
