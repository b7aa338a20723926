// Convolution and pooling through the raw binding (the TypeScript layer's tf.F wraps these):
// forward and first-order gradients against PyTorch (test/fixtures/conv.json, written by
// scripts/gen_conv_fixtures.py), float64 gradients against central finite differences, second-order
// gradients against finite differences of first-order ones, and error messages.
'use strict';
const fs = require('fs');
const path = require('path');

// The binding as the library uses it (errors are returned by the addon and thrown by this wrapper;
// see lib/native.ts), loaded from whichever addon the library found (TENSORFOLD_ADDON or build/).
const B = require(path.join(__dirname, '..', 'dist', 'native')).native;

const F32 = 0;
const F64 = 1;
const I32 = 2;
const ADD = 0;
const MUL = 2;

const fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'conv.json'), 'utf8')).cases;

// ------------------------------------------------------------------ helpers
function tensor(data, shape, dtype = F64, requiresGrad = false) {
  const arr = dtype === F32 ? Float32Array.from(data) : dtype === I32 ? Int32Array.from(data) : Float64Array.from(data);
  const t = B.fromTyped(arr, shape, dtype);
  if (requiresGrad) B.setRequiresGrad(t, true);
  return t;
}
const values = (t) => Array.from(B.toTyped(t));
const mul = (a, b) => B.binary(MUL, a, b);
const add = (a, b) => B.binary(ADD, a, b);
const sum = (a) => B.reduce('sum', a, null, false);
const dot = (a, b) => sum(mul(a, b));

// Deterministic pseudo-random numbers in [-1, 1).
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2147483648 - 1;
  };
}
function randArray(n, r) {
  return Array.from({ length: n }, () => r());
}
const numel = (shape) => shape.reduce((a, b) => a * b, 1);

// The addon throws errors of the main realm, which jest's toThrow(TypeError) does not recognise.
function expectThrow(fn, kind, message) {
  let err = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).not.toBeNull();
  expect(err.name).toBe(kind);
  if (message instanceof RegExp) expect(err.message).toMatch(message);
  else if (message !== undefined) expect(err.message).toBe(message);
}

function expectClose(actual, expected, { rtol, atol }, what) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  if (at >= 0) {
    throw new Error(`${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (rtol ${rtol}, atol ${atol})`);
  }
}

// Calls the binding for a fixture-style case: `ins` maps x, w, b to tensors.
function runOp(op, p, ins) {
  switch (op) {
    case 'conv2d':
      return B.conv2d(ins.x, ins.w, ins.b || null, p.stride, p.padding, p.dilation, p.groups);
    case 'conv1d':
      return B.conv1d(ins.x, ins.w, ins.b || null, p.stride, p.padding, p.dilation, p.groups);
    case 'max_pool2d':
      return B.maxPool2d(ins.x, p.kernel, p.stride, p.padding, p.dilation, p.ceilMode);
    case 'avg_pool2d':
      return B.avgPool2d(ins.x, p.kernel, p.stride, p.padding, p.ceilMode, p.countIncludePad);
    default:
      throw new Error(`unknown op ${op}`);
  }
}

// Gradients of f(inputs) (a scalar tensor) w.r.t. every input, as arrays (zeros where unused).
function analyticGrads(f, specs, dtype = F64) {
  const names = Object.keys(specs);
  const ts = {};
  for (const k of names) ts[k] = tensor(specs[k].data, specs[k].shape, dtype, true);
  const out = f(ts);
  const gs = B.gradOf([out], [null], names.map((k) => ts[k]), false, false);
  const r = {};
  names.forEach((k, i) => {
    r[k] = gs[i] ? values(gs[i]) : new Array(specs[k].data.length).fill(0);
  });
  return r;
}

// Central differences of the scalar f w.r.t. every element of every input, in float64.
function numericGrads(f, specs, eps = 1e-6) {
  const evalAt = (k, i, delta) => {
    const ts = {};
    for (const n of Object.keys(specs)) {
      const d = specs[n].data.slice();
      if (n === k) d[i] += delta;
      ts[n] = tensor(d, specs[n].shape, F64, false);
    }
    return B.item(f(ts));
  };
  const r = {};
  for (const k of Object.keys(specs)) {
    r[k] = specs[k].data.map((_, i) => (evalAt(k, i, eps) - evalAt(k, i, -eps)) / (2 * eps));
  }
  return r;
}

function checkGradients(f, specs, tol = { rtol: 1e-6, atol: 1e-7 }) {
  const a = analyticGrads(f, specs);
  const n = numericGrads(f, specs);
  for (const k of Object.keys(specs)) expectClose(a[k], n[k], tol, `d/d${k}`);
}

// ------------------------------------------------------------------ PyTorch references
describe('against PyTorch', () => {
  for (const c of fixtures) {
    for (const dtype of [F32, F64]) {
      const label = `${c.op}: ${c.name} (${dtype === F32 ? 'float32' : 'float64'})`;
      test(label, () => {
        // Inputs are float32 numbers printed with 9 digits: Math.fround recovers them exactly, so
        // float64 is checked down to the 9 printed digits of the reference.
        const tol = dtype === F32 ? { rtol: 1e-4, atol: 1e-4 } : { rtol: 1e-8, atol: 1e-8 };
        const names = Object.keys(c.inputs);
        const ins = {};
        for (const k of names) ins[k] = tensor(c.inputs[k].data.map(Math.fround), c.inputs[k].shape, dtype, true);
        const out = runOp(c.op, c.params, ins);
        expect(B.shape(out)).toEqual(c.out.shape);
        expect(B.dtype(out)).toBe(dtype);
        expectClose(values(out), c.out.data, tol, 'output');
        // d/dθ sum(out * R)
        const R = tensor(c.R.data.map(Math.fround), c.R.shape, dtype);
        const gs = B.gradOf([dot(out, R)], [null], names.map((k) => ins[k]), false, false);
        names.forEach((k, i) => {
          expect(B.shape(gs[i])).toEqual(c.grads[k].shape);
          expectClose(values(gs[i]), c.grads[k].data, tol, `grad of ${k}`);
        });
      });
    }
  }
});

// ------------------------------------------------------------------ finite differences (float64)
const convConfigs = [
  { name: 'plain', xs: [2, 2, 5, 4], ws: [3, 2, 3, 2], bias: true, p: { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 } },
  { name: 'stride, padding, dilation', xs: [1, 2, 6, 7], ws: [2, 2, 2, 3], bias: true, p: { stride: [2, 3], padding: [1, 2], dilation: [2, 1], groups: 1 } },
  { name: 'groups', xs: [2, 4, 4, 4], ws: [2, 2, 3, 3], bias: false, p: { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 } },
  { name: 'pointwise', xs: [2, 3, 3, 3], ws: [2, 3, 1, 1], bias: true, p: { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 } },
];

function convSpecs(cfg, r) {
  const specs = {
    x: { data: randArray(numel(cfg.xs), r), shape: cfg.xs },
    w: { data: randArray(numel(cfg.ws), r), shape: cfg.ws },
  };
  if (cfg.bias) specs.b = { data: randArray(cfg.ws[0], r), shape: [cfg.ws[0]] };
  return specs;
}

function outShapeOf(op, p, specs) {
  const ts = {};
  for (const k of Object.keys(specs)) ts[k] = tensor(specs[k].data, specs[k].shape);
  return B.shape(runOp(op, p, ts));
}

describe('float64 gradients against finite differences', () => {
  for (const cfg of convConfigs) {
    test(`conv2d ${cfg.name}`, () => {
      const r = rng(7);
      const specs = convSpecs(cfg, r);
      const oshape = outShapeOf('conv2d', cfg.p, specs);
      const R = tensor(randArray(numel(oshape), r), oshape);
      // d/dx sum(conv(x, w) * R) = conv2dInputGrad(R, w); d/dw = conv2dWeightGrad(x, R); d/db = sum of R
      checkGradients((t) => dot(runOp('conv2d', cfg.p, t), R), specs);
    });
  }

  test('conv1d', () => {
    const r = rng(8);
    const p = { stride: 2, padding: 1, dilation: 2, groups: 1 };
    const specs = {
      x: { data: randArray(2 * 2 * 9, r), shape: [2, 2, 9] },
      w: { data: randArray(3 * 2 * 3, r), shape: [3, 2, 3] },
      b: { data: randArray(3, r), shape: [3] },
    };
    const oshape = outShapeOf('conv1d', p, specs);
    expect(oshape).toEqual([2, 3, 4]);
    const R = tensor(randArray(numel(oshape), r), oshape);
    checkGradients((t) => dot(runOp('conv1d', p, t), R), specs);
  });

  const poolConfigs = [
    ['max_pool2d', { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false }],
    ['max_pool2d', { kernel: [3, 2], stride: [2, 1], padding: [1, 1], dilation: [1, 2], ceilMode: true }],
    ['avg_pool2d', { kernel: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: true, countIncludePad: true }],
    ['avg_pool2d', { kernel: [3, 2], stride: [2, 1], padding: [1, 1], ceilMode: true, countIncludePad: false }],
  ];
  for (const [op, p] of poolConfigs) {
    test(`${op} ${JSON.stringify(p)}`, () => {
      const r = rng(9);
      // Distinct values spaced far apart compared with eps keep max pooling differentiable.
      const n = 2 * 2 * 5 * 6;
      const perm = Array.from({ length: n }, (_, i) => i).sort(() => r());
      const specs = { x: { data: perm.map((v) => v * 0.1 + 0.01 * r()), shape: [2, 2, 5, 6] } };
      const oshape = outShapeOf(op, p, specs);
      const R = tensor(randArray(numel(oshape), r), oshape);
      checkGradients((t) => dot(runOp(op, p, t), R), specs);
    });
  }
});

// ------------------------------------------------------------------ second order
// s(x, w, R) = <∂f/∂x, V> + <∂f/∂w, U> with f = <conv(x, w, b), R>: every path of the double
// backward (conv2d, conv2dInputGrad and conv2dWeightGrad recorded as nodes) is on the way to x, w
// or R. Its gradient from autograd is checked against central differences of s itself.
describe('double backward against finite differences', () => {
  for (const cfg of convConfigs) {
    test(`conv2d ${cfg.name}`, () => {
      const r = rng(11);
      const specs = convSpecs(cfg, r);
      const oshape = outShapeOf('conv2d', cfg.p, specs);
      specs.R = { data: randArray(numel(oshape), r), shape: oshape };
      const V = tensor(randArray(numel(cfg.xs), r), cfg.xs);
      const U = tensor(randArray(numel(cfg.ws), r), cfg.ws);
      const s = (t) => {
        const f = dot(runOp('conv2d', cfg.p, t), t.R);
        const create = B.requiresGrad(t.x);
        const [gx, gw] = B.gradOf([f], [null], [t.x, t.w], create, create);
        return add(dot(gx, V), dot(gw, U));
      };
      // gradOf needs inputs that require grad even when only evaluating s, so the numeric side
      // uses requires-grad leaves too (with create_graph off).
      const a = analyticGrads(s, specs);
      const evalAt = (k, i, delta) => {
        const ts = {};
        for (const n of Object.keys(specs)) {
          const d = specs[n].data.slice();
          if (n === k) d[i] += delta;
          ts[n] = tensor(d, specs[n].shape, F64, n === 'x' || n === 'w');
        }
        const f = dot(runOp('conv2d', cfg.p, ts), ts.R);
        const [gx, gw] = B.gradOf([f], [null], [ts.x, ts.w], false, false);
        return B.item(add(dot(gx, V), dot(gw, U)));
      };
      const eps = 1e-6;
      for (const k of Object.keys(specs)) {
        const num = specs[k].data.map((_, i) => (evalAt(k, i, eps) - evalAt(k, i, -eps)) / (2 * eps));
        expectClose(a[k], num, { rtol: 1e-6, atol: 1e-7 }, `d/d${k} of the first-order gradient`);
      }
    });
  }

  for (const op of ['max_pool2d', 'avg_pool2d']) {
    test(`${op}: gradient of its backward w.r.t. the upstream gradient`, () => {
      const r = rng(12);
      const p = { kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], ceilMode: true, countIncludePad: false };
      const xs = [1, 2, 5, 6];
      const x = tensor(randArray(numel(xs), r), xs, F64, true);
      const oshape = B.shape(runOp(op, p, { x }));
      const V = tensor(randArray(numel(xs), r), xs);
      const specs = { R: { data: randArray(numel(oshape), r), shape: oshape } };
      // s(R) = <∂<pool(x), R>/∂x, V> is linear in R: ds/dR = pool-adjoint-adjoint applied to V
      const s = (t) => {
        const xx = tensor(values(x), xs, F64, true);
        const [gx] = B.gradOf([dot(runOp(op, p, { x: xx }), t.R)], [null], [xx], true, true);
        return dot(gx, V);
      };
      checkGradients(s, specs);
    });
  }

  test('third order through conv2d', () => {
    // f = <conv(x, w), conv(x, w)>/2 is quadratic in x for fixed w, so ∂³f/∂x³ = 0 and the
    // third-order gradient must exist (as zeros) rather than fail.
    const r = rng(13);
    const x = tensor(randArray(18, r), [1, 2, 3, 3], F64, true);
    const w = tensor(randArray(8, r), [1, 2, 2, 2], F64, true);
    const y = B.conv2d(x, w, null, [1, 1], [0, 0], [1, 1], 1);
    const f = dot(y, y);
    const [g1] = B.gradOf([f], [null], [x], true, true);
    const [g2] = B.gradOf([sum(g1)], [null], [x], true, true);
    const [g3] = B.gradOf([sum(mul(g2, g2))], [null], [x], false, false);
    // g2 = 2 Cᵀ C 1 is constant in x, so <g2, g2> has zero gradient.
    if (g3 !== null) for (const v of values(g3)) expect(Math.abs(v)).toBeLessThan(1e-12);
  });
});

// ------------------------------------------------------------------ other behaviour
describe('shapes, layouts, dtypes', () => {
  test('unbatched [C,H,W] input matches a batch of one', () => {
    const r = rng(21);
    const xd = randArray(3 * 5 * 5, r);
    const w = tensor(randArray(2 * 3 * 3 * 3, r), [2, 3, 3, 3]);
    const a = B.conv2d(tensor(xd, [3, 5, 5]), w, null, [1, 1], [1, 1], [1, 1], 1);
    const b = B.conv2d(tensor(xd, [1, 3, 5, 5]), w, null, [1, 1], [1, 1], [1, 1], 1);
    expect(B.shape(a)).toEqual([2, 5, 5]);
    expectClose(values(a), values(b), { rtol: 0, atol: 0 }, 'unbatched conv2d');
    const m = B.maxPool2d(tensor(xd, [3, 5, 5]), [2, 2], null, [0, 0], [1, 1], false);
    expect(B.shape(m)).toEqual([3, 2, 2]);
    const c1 = B.conv1d(tensor(xd.slice(0, 15), [3, 5]), tensor(randArray(6, r), [2, 3, 1]), null, 1, 0, 1, 1);
    expect(B.shape(c1)).toEqual([2, 5]);
  });

  test('non-contiguous input gives the same result', () => {
    const r = rng(22);
    const xd = randArray(2 * 3 * 4 * 5, r);
    const x = tensor(xd, [2, 3, 4, 5]);
    const xt = B.contiguous(B.transpose(x, 2, 3));  // [2,3,5,4] contiguous copy
    const view = B.transpose(xt, 2, 3);              // back to [2,3,4,5], strided
    const w = tensor(randArray(4 * 3 * 2 * 2, r), [4, 3, 2, 2]);
    const a = B.conv2d(x, w, null, [1, 1], [0, 0], [1, 1], 1);
    const b = B.conv2d(view, w, null, [1, 1], [0, 0], [1, 1], 1);
    expectClose(values(b), values(a), { rtol: 1e-12, atol: 1e-12 }, 'strided input');
    expectClose(values(B.avgPool2d(view, [2, 2], null, [0, 0], false, true)),
      values(B.avgPool2d(x, [2, 2], null, [0, 0], false, true)), { rtol: 1e-12, atol: 1e-12 }, 'strided pool');
  });

  test('mixed float32/float64 promotes; scalars broadcast to pairs; stride defaults to kernel', () => {
    const x = tensor(randArray(16, rng(23)), [1, 1, 4, 4], F32);
    const w = tensor([1, 1, 1, 1], [1, 1, 2, 2], F64);
    const y = B.conv2d(x, w, null, 2, 0, 1, 1);
    expect(B.dtype(y)).toBe(F64);
    expect(B.shape(y)).toEqual([1, 1, 2, 2]);
    expect(B.shape(B.maxPool2d(x, 2))).toEqual([1, 1, 2, 2]);
    expect(B.shape(B.avgPool2d(x, [2, 1]))).toEqual([1, 1, 2, 4]);
  });

  test('max pooling returns indices, propagates NaN and treats padding as -inf', () => {
    const x = tensor([-5, -6, -7, -8, NaN, -1, -2, -3, -4], [1, 1, 3, 3]);
    const [v, idx] = B.maxPool2d(x, [2, 2], [1, 1], [1, 1], [1, 1], false, true);
    expect(B.dtype(idx)).toBe(I32);
    const vals = values(v);
    const ids = values(idx);
    // Every window is partly padding and all inputs are negative: padding never wins.
    expect([vals[0], vals[1], vals[3], vals[15]]).toEqual([-5, -5, -7, -4]);
    expect([ids[0], ids[1], ids[3], ids[15]]).toEqual([0, 0, 2, 8]);
    // the four windows over the NaN at (1,1)
    for (const k of [5, 6, 9, 10]) expect(Number.isNaN(vals[k])).toBe(true);
    expect(ids[5]).toBe(4);
  });

  test('conv2dInputGrad and conv2dWeightGrad are the adjoints of conv2d', () => {
    // <conv(x, w), g> = <x, inputGrad(g, w)> = <w, weightGrad(x, g)>
    const r = rng(24);
    const p = [[2, 1], [1, 2], [1, 2], 2];
    const x = tensor(randArray(2 * 4 * 5 * 6, r), [2, 4, 5, 6]);
    const w = tensor(randArray(6 * 2 * 3 * 2, r), [6, 2, 3, 2]);
    const y = B.conv2d(x, w, null, ...p);
    const g = tensor(randArray(numel(B.shape(y)), r), B.shape(y));
    const t = B.item(dot(y, g));
    expect(B.item(dot(x, B.conv2dInputGrad(g, w, [2, 4, 5, 6], ...p)))).toBeCloseTo(t, 10);
    expect(B.item(dot(w, B.conv2dWeightGrad(x, g, [6, 2, 3, 2], ...p)))).toBeCloseTo(t, 10);
  });

  test('empty batch', () => {
    const x = tensor([], [0, 2, 4, 4]);
    const w = tensor(randArray(2 * 2 * 3 * 3, rng(25)), [2, 2, 3, 3], F64, true);
    const y = B.conv2d(x, w, null, [1, 1], [0, 0], [1, 1], 1);
    expect(B.shape(y)).toEqual([0, 2, 2, 2]);
    const [gw] = B.gradOf([sum(y)], [null], [w], false, false);
    expect(values(gw).every((v) => v === 0)).toBe(true);
  });
});

describe('errors name the op and the shapes', () => {
  const x = tensor(new Array(75).fill(1), [1, 3, 5, 5], F32);
  const w = tensor(new Array(8 * 2 * 9).fill(1), [8, 2, 3, 3], F32);
  const w3 = tensor(new Array(8 * 3 * 9).fill(1), [8, 3, 3, 3], F32);

  test('channel mismatch', () => {
    expectThrow(() => B.conv2d(x, w, null, [1, 1], [0, 0], [1, 1], 1), 'Error',
      'conv2d: input of shape [1,3,5,5] has 3 channels but weight of shape [8,2,3,3] expects 2 (groups=1)');
  });
  test('groups', () => {
    expect(() => B.conv2d(x, w3, null, [1, 1], [0, 0], [1, 1], 2)).toThrow(/conv2d: .*\[1,3,5,5\].*groups=2/);
    const x4 = tensor(new Array(100).fill(1), [1, 4, 5, 5], F32);
    const w6 = tensor(new Array(6 * 2 * 9).fill(1), [6, 2, 3, 3], F32);
    expect(() => B.conv2d(x4, w6, null, [1, 1], [0, 0], [1, 1], 4)).toThrow(/conv2d/);
    const w2 = tensor(new Array(3 * 2 * 9).fill(1), [3, 2, 3, 3], F32);
    expect(() => B.conv2d(x4, w2, null, [1, 1], [0, 0], [1, 1], 2)).toThrow(
      'conv2d: weight of shape [3,2,3,3] has 3 output channels, which groups=2 does not divide');
    expect(() => B.conv2d(x, w3, null, [1, 1], [0, 0], [1, 1], 0)).toThrow('conv2d: groups must be a positive integer, got 0');
  });
  test('stride, padding, dilation ranges', () => {
    expect(() => B.conv2d(x, w3, null, [0, 1], [0, 0], [1, 1], 1)).toThrow(
      'conv2d: stride must be positive integers (at most 2^30), got [0,1] for input of shape [1,3,5,5]');
    expect(() => B.conv2d(x, w3, null, [1, 1], [-1, 0], [1, 1], 1)).toThrow(/conv2d: padding must be non-negative/);
    expect(() => B.conv2d(x, w3, null, [1, 1], [0, 0], [1, 0], 1)).toThrow(/conv2d: dilation must be positive/);
    expectThrow(() => B.conv2d(x, w3, null, [1, 1], [0, 0], [1, 1, 1], 1), 'TypeError');
    expectThrow(() => B.conv2d(x, w3, null, [1.5, 1], [0, 0], [1, 1], 1), 'TypeError');
    expect(() => B.conv2d(x, w3, null, [1e300, 1], [0, 0], [1, 1], 1)).toThrow(/conv2d/);
  });
  test('kernel larger than the padded input', () => {
    expect(() => B.conv2d(x, w3, null, [1, 1], [0, 0], [3, 1], 1)).toThrow(
      /conv2d: kernel of effective size \[7,3\] .* larger than the padded input \[5,5\]/);
    expect(() => B.maxPool2d(x, [6, 6], null, [0, 0], [1, 1], false)).toThrow(/max_pool2d: kernel .*larger/);
  });
  test('bias and ranks', () => {
    const b = tensor([1, 2], [2], F32);
    expect(() => B.conv2d(x, w3, b, [1, 1], [0, 0], [1, 1], 1)).toThrow(
      'conv2d: bias of shape [2] does not match weight of shape [8,3,3,3] (expected [8])');
    expect(() => B.conv2d(tensor([1, 2], [2], F32), w3, null, [1, 1], [0, 0], [1, 1], 1)).toThrow(
      /conv2d: expected an input of shape \[N,C,H,W\] or \[C,H,W\], got \[2\]/);
    expect(() => B.conv2d(x, tensor([1], [1], F32), null, [1, 1], [0, 0], [1, 1], 1)).toThrow(/conv2d: expected a weight/);
    expect(() => B.conv1d(x, w3, null, 1, 0, 1, 1)).toThrow(/conv1d: expected an input of shape \[N,C,L\]/);
    expect(() => B.avgPool2d(tensor([1, 2], [2], F32), [1, 1])).toThrow(/avg_pool2d: expected an input/);
  });
  test('dtypes', () => {
    const xi = tensor(new Array(75).fill(1), [1, 3, 5, 5], I32);
    expectThrow(() => B.conv2d(xi, w3, null, [1, 1], [0, 0], [1, 1], 1), 'TypeError');
    expect(() => B.conv2d(xi, w3, null, [1, 1], [0, 0], [1, 1], 1)).toThrow(
      'conv2d: input must be float32 or float64, got int32 of shape [1,3,5,5]');
    expectThrow(() => B.maxPool2d(xi, [2, 2]), 'TypeError');
    expectThrow(() => B.avgPool2d(xi, [2, 2]), 'TypeError');
  });
  test('pooling arguments', () => {
    expect(() => B.maxPool2d(x, [2, 2], [2, 2], [2, 0], [1, 1], false)).toThrow(
      'max_pool2d: padding [2,0] must be at most half of the kernel size [2,2] (input [1,3,5,5])');
    expect(() => B.maxPool2d(x, [0, 2])).toThrow(/max_pool2d: kernel size must be positive/);
    expect(() => B.avgPool2d(x, [2, 2], [0, 1])).toThrow(/avg_pool2d: stride must be positive/);
    expectThrow(() => B.maxPool2d(x), 'TypeError');
  });
  test('not a tensor', () => {
    expectThrow(() => B.conv2d(x, 'w', null, [1, 1], [0, 0], [1, 1], 1), 'TypeError');
    expectThrow(() => B.conv2d(x, w3, 3, [1, 1], [0, 0], [1, 1], 1), 'TypeError');
  });
  test('gradient ops check their shapes', () => {
    const g = tensor(new Array(8 * 9).fill(1), [1, 8, 3, 3], F32);
    expect(() => B.conv2dInputGrad(g, w3, [1, 3, 6, 6], [1, 1], [0, 0], [1, 1], 1)).toThrow(
      /conv2d_input_grad: gradient of shape \[1,8,3,3\] does not match the convolution output \[1,8,4,4\]/);
    expect(() => B.conv2dWeightGrad(x, g, [8, 3, 2, 2], [1, 1], [0, 0], [1, 1], 1)).toThrow(/conv2d_weight_grad/);
  });
});
