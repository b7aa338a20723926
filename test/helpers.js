// Shared utilities for the op test suites: fixture loading (reference values from
// scripts/gen_fixtures.py), tolerant comparison with per-op tolerances, and a central
// finite-difference gradient checker in float64.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('..');

// ---------------------------------------------------------------- fixtures
const fixtureCache = new Map();
/** The cases of test/fixtures/<name> (ops.json: scripts/gen_fixtures.py; elementwise.json: gen_elementwise_fixtures.py). */
function loadFixtures(name = 'ops.json') {
  if (!fixtureCache.has(name)) {
    const file = path.join(__dirname, 'fixtures', name);
    fixtureCache.set(name, JSON.parse(fs.readFileSync(file, 'utf8')).cases);
  }
  return fixtureCache.get(name);
}

// The generator writes non-finite numbers as strings, which JSON cannot hold otherwise.
function num(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  throw new Error(`fixture: unexpected value ${JSON.stringify(v)}`);
}

/** A tensor from a fixture input {values, shape, dtype}; dtype may be overridden (float inputs only). */
function fromSpec(spec, opts = {}) {
  const dtype = opts.dtype && isFloat(spec.dtype) ? opts.dtype : spec.dtype;
  const data = dtype === 'bool' ? spec.values.map((v) => !!v) : spec.values.map(num);
  const t = tf.tensor(data, { dtype, shape: spec.shape });
  if (opts.requiresGrad && isFloat(dtype)) t.requiresGrad = true;
  return t;
}

function isFloat(dtype) {
  return dtype === 'float32' || dtype === 'float64';
}

/** Builds the JS argument list of a fixture case from its input tensors. */
function buildArgs(c, tensors) {
  return c.args.map((a) => {
    if ('t' in a) return tensors[a.t];
    if ('ts' in a) return a.ts.map((i) => tensors[i]);
    return a.v === null ? undefined : a.v;
  });
}

/** Calls a fixture case in the given form: 'method' (t.op(...rest)) or 'func' (tf.op(...all)). */
function callCase(c, form, tensors) {
  const args = buildArgs(c, tensors);
  if (form === 'method') {
    const [self, ...rest] = args;
    if (typeof self[c.op] !== 'function') throw new TypeError(`Tensor.prototype.${c.op} is missing`);
    return self[c.op](...rest);
  }
  if (typeof tf[c.op] !== 'function') throw new TypeError(`tf.${c.op} is missing`);
  return tf[c.op](...args);
}

// ---------------------------------------------------------------- tolerances
// float32 kernels: elementwise arithmetic is correctly rounded; transcendental kernels (SIMD
// polynomial approximations) are allowed a few ulps more; reductions and matmul accumulate
// rounding over their length. float64 references are printed with 15 digits.
const TRANSCENDENTAL = new Set(['exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'gelu',
  'silu', 'softplus', 'pow', 'logsumexp', 'softmax', 'logSoftmax']);
const ACCUMULATING = new Set(['sum', 'mean', 'var', 'std', 'matmul', 'logsumexp', 'scatterAdd']);

function tolFor(op, dtype) {
  if (dtype === 'int32' || dtype === 'bool') return { rtol: 0, atol: 0 };
  if (dtype === 'float64') return { rtol: 1e-10, atol: 1e-12 };
  let rtol = 1e-5, atol = 1e-6;
  if (TRANSCENDENTAL.has(op)) { rtol = 5e-5; atol = 5e-6; }
  if (ACCUMULATING.has(op)) { rtol = Math.max(rtol, 5e-5); atol = 2e-5; }
  if (op === 'var' || op === 'std') rtol = 2e-4;
  return { rtol, atol };
}

// Gradients pass through more float32 arithmetic than the forward value: looser.
function gradTolFor(op, dtype) {
  if (dtype === 'float64') return { rtol: 1e-9, atol: 1e-11 };
  const t = tolFor(op, 'float32');
  return { rtol: Math.max(t.rtol * 4, 1e-4), atol: Math.max(t.atol * 4, 2e-5) };
}

// ---------------------------------------------------------------- comparison
// Flat, indexable values (typed arrays are used as they are: copying 1e5 elements per check is
// what makes a suite slow).
function toFlat(x) {
  if (x instanceof tf.Tensor) return x.toTypedArray();
  if (ArrayBuffer.isView(x)) return x;
  if (Array.isArray(x)) {
    const f = x.flat(Infinity);
    return f.every((v) => typeof v === 'number') ? f : f.map(num);
  }
  return [num(x)];
}

// Globals read inside jest's sandbox go through the context's interceptors (~1 µs each): hot
// loops use these local bindings instead.
const { abs: mathAbs } = Math;

/** Compares element by element: |a - e| <= atol + rtol |e|; NaN matches NaN, infinities must match. */
function allclose(actual, expected, { rtol = 1e-5, atol = 1e-6 } = {}) {
  // One monomorphic Float64Array loop: a bool tensor's 0/1 bytes and the fixture's 0/1 numbers
  // compare as numbers, and the loop stays fast for 1e5 elements.
  const a = new Float64Array(toFlat(actual)), e = new Float64Array(toFlat(expected));
  if (a.length !== e.length) return { ok: false, msg: `length ${a.length} != expected ${e.length}` };
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = e[i];
    if (y !== y ? x !== x : x === y) continue; // NaN matches NaN only
    const excess = mathAbs(x - y) - (atol + rtol * mathAbs(y));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) { worst = i; worstExcess = excess; }
  }
  if (worst < 0) return { ok: true };
  return { ok: false, index: worst, msg: `element ${worst}: got ${a[worst]}, expected ${e[worst]} (rtol ${rtol}, atol ${atol})` };
}

function fmtArr(x, max = 12) {
  const a = Array.from(toFlat(x), Number);
  const s = a.slice(0, max).map((v) => (Number.isInteger(v) ? String(v) : v.toPrecision(7))).join(', ');
  return `[${s}${a.length > max ? ', ...' : ''}]`;
}

/** jest assertion with a message that shows both arrays when they differ. */
function expectClose(actual, expected, tol, label = '') {
  const r = allclose(actual, expected, tol);
  if (!r.ok) {
    throw new Error(`${label}${label ? ': ' : ''}${r.msg}\n  got      ${fmtArr(actual)}\n  expected ${fmtArr(expected)}`);
  }
}

function expectShape(t, shape, label = '') {
  const s = t.shape;
  if (s.length !== shape.length || s.some((d, i) => d !== shape[i]))
    throw new Error(`${label}${label ? ': ' : ''}shape [${s}] != expected [${shape}]`);
}

function expectTensor(t, spec, tol, label = '') {
  if (!(t instanceof tf.Tensor)) throw new Error(`${label}: expected a Tensor, got ${t}`);
  expectShape(t, spec.shape, label);
  if (spec.dtype !== undefined && t.dtype !== spec.dtype)
    throw new Error(`${label}${label ? ': ' : ''}dtype ${t.dtype} != expected ${spec.dtype}`);
  expectClose(t, spec.values, tol, label);
}

// ---------------------------------------------------------------- finite differences
/** Values of t as a float64 array (t must be float). */
function values64(t) {
  return Float64Array.from(t.toTypedArray());
}

/**
 * Central finite differences of scalar-valued f at the float64 tensors xs, with respect to each
 * of them: (f(x + h e_i) - f(x - h e_i)) / 2h. f receives fresh tensors, so it may build views of
 * them; with h = 1e-6 in float64 the truncation and rounding errors are both ~1e-10.
 */
function numericGrads(f, xs, h = 1e-6) {
  const base = xs.map(values64);
  const make = (vals, i) => tf.tensor(vals, { dtype: 'float64', shape: xs[i].shape });
  const evalAt = (k, j, delta) => {
    const args = base.map((v, i) => {
      if (i !== k) return make(v, i);
      const w = Float64Array.from(v);
      w[j] += delta;
      return make(w, i);
    });
    return tf.noGrad(() => toFlat(f(...args))[0]);
  };
  return base.map((v, k) => {
    const g = new Float64Array(v.length);
    for (let j = 0; j < v.length; j++) g[j] = (evalAt(k, j, h) - evalAt(k, j, -h)) / (2 * h);
    return g;
  });
}

/** Analytic gradients of scalar f with respect to each of xs, through tf.grad. */
function analyticGrads(f, xs) {
  const argnums = xs.map((_, i) => i);
  const gs = tf.grad(f, { argnums })(...xs);
  return gs.map((g) => values64(g));
}

/**
 * Asserts that tf.grad of scalar f matches central finite differences at float64 inputs xs.
 * A reduction to a scalar with fixed weights is usually applied by the caller (weightedSum) so
 * that every output element's gradient is exercised with a different weight.
 */
function checkGrad(f, xs, { rtol = 1e-6, atol = 1e-7, h = 1e-6, label = '' } = {}) {
  for (const x of xs) {
    if (x.dtype !== 'float64') throw new Error(`checkGrad: inputs must be float64, got ${x.dtype}`);
  }
  const an = analyticGrads(f, xs);
  const nu = numericGrads(f, xs, h);
  an.forEach((g, i) => {
    expectShape({ shape: [g.length] }, [nu[i].length], `${label} grad ${i} size`);
    expectClose(g, nu[i], { rtol, atol }, `${label} d/dx${i}`);
  });
}

// A fixed, irregular weight tensor for sum(out * R), so a gradient that permutes or mixes
// elements is caught (sum(out) alone would give every element the same weight).
function weights(shape, dtype = 'float64', seed = 1) {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = ((s >>> 8) % 2001) / 1000 - 1;  // in [-1, 1], 3 decimals
  }
  return tf.tensor(v, { dtype, shape });
}

/** sum(out * R) with R = weights(out.shape): a scalar whose gradient is R pulled back through the op. */
function weightedSum(out, seed = 1) {
  return out.mul(weights(out.shape, out.dtype, seed)).sum();
}

// Deterministic float64 test inputs (no dependence on tf's generator).
function randTensor(shape, { lo = -1, hi = 1, seed = 7, dtype = 'float64', awayFrom = [] } = {}) {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    let x = lo + (hi - lo) * (s / 4294967296);
    // Finite differences straddling a kink (0 for relu/abs, clamp bounds, ties) are meaningless.
    for (const k of awayFrom) if (Math.abs(x - k) < 0.05) x = k + (x >= k ? 0.1 : -0.1);
    v[i] = x;
  }
  return tf.tensor(v, { dtype, shape });
}

/**
 * Asserts fn throws an error of the given kind ('Error', 'TypeError', 'RangeError') whose message
 * matches re. Checked by name: errors made by the native addon come from Node's own realm, not
 * jest's sandbox, so `instanceof RangeError` inside a jest test is false for them.
 */
function expectThrowsKind(fn, kind, re) {
  let err = null;
  try { fn(); } catch (e) { err = e; }
  if (!err) throw new Error(`expected a ${kind}${re ? ` matching ${re}` : ''}, but nothing was thrown`);
  if (kind !== 'Error' && err.name !== kind) throw new Error(`expected a ${kind}, got ${err.name}: ${err.message}`);
  if (typeof err.message !== 'string') throw new Error(`thrown value is not an Error: ${err}`);
  if (re && !re.test(err.message)) throw new Error(`error message "${err.message}" does not match ${re}`);
  return err;
}

module.exports = {
  expectThrowsKind,
  tf, loadFixtures, fromSpec, buildArgs, callCase, isFloat, num, tolFor, gradTolFor,
  allclose, expectClose, expectShape, expectTensor, toFlat, values64,
  numericGrads, analyticGrads, checkGrad, weights, weightedSum, randTensor,
};
