// The elementwise ops of lib/elementwise.ts beyond test/ops_forward & ops_backward's set:
//  (a) forward values against PyTorch (test/fixtures/elementwise.json, scripts/gen_elementwise_fixtures.py),
//      method and function forms, with dtype promotion, broadcasting, 0-d and empty tensors;
//  (b) float32 gradients against PyTorch autograd (the same fixtures);
//  (c) float64 gradients of EVERY elementwise op against finite differences, and second order
//      (tf.grad of tf.grad) against finite differences of the first derivative;
//  (d) regression tests for bugs a differential tester found.
'use strict';
const {
  tf, loadFixtures, fromSpec, callCase, tolFor, gradTolFor, expectTensor, expectClose, expectShape,
  checkGrad, weightedSum, randTensor, values64,
} = require('./helpers');
const E = require('../dist/elementwise');

const cases = loadFixtures('elementwise.json');

// Cases the engine gets wrong today, keyed "<case name> [<form>]" (forward) or "<case name>" (grad).
const KNOWN_FAILURES = new Set([]);

// ============================================================ (a) forward
const byOp = new Map();
for (const c of cases) {
  if (!byOp.has(c.op)) byOp.set(c.op, []);
  byOp.get(c.op).push(c);
}
describe('forward values match PyTorch', () => {
  for (const [op, list] of byOp) {
    describe(op, () => {
      for (const c of list) {
        for (const form of c.forms) {
          const title = `${c.name} [${form}]`;
          (KNOWN_FAILURES.has(title) ? test.failing : test)(title, () => {
            const out = callCase(c, form, c.inputs.map((s) => fromSpec(s)));
            expectTensor(out, c.out, c.tol || tolFor(c.op, c.out.dtype), title);
          });
        }
      }
    });
  }
});

// ============================================================ (b) fixture gradients
describe('gradients of sum(out * R) match PyTorch (float32)', () => {
  for (const c of cases.filter((x) => x.grads)) {
    (KNOWN_FAILURES.has(c.name) ? test.failing : test)(c.name, () => {
      const ts = c.inputs.map((s) => fromSpec(s, { requiresGrad: true }));
      const out = callCase(c, c.forms[0], ts);
      out.mul(tf.tensor(c.R.values, { dtype: out.dtype, shape: c.R.shape })).sum().backward();
      c.grads.forEach((g, i) => {
        if (!g) return;
        const t = ts[i];
        if (t.grad === null) {
          if (!g.values.every((v) => v === 0)) throw new Error(`${c.name}: input ${i} has no gradient`);
          return;
        }
        expectShape(t.grad, g.shape, `${c.name} grad ${i}`);
        expectClose(t.grad, g.values, c.gradTol || gradTolFor(c.op, c.inputs[i].dtype), `${c.name} grad ${i}`);
      });
    });
  }
});

// ============================================================ (c) finite differences, float64
// Every export of lib/elementwise.ts is in exactly one of these tables: a new op without an entry
// fails 'every elementwise op is checked' below.
// name -> [lo, hi, kinks to stay away from, ...extra arguments]
const INT_KINKS = [-3, -2, -1, 0, 1, 2, 3];
const UNARY_FD = {
  neg: [-2, 2, []], abs: [-2, 2, [0]], exp: [-2, 2, []], log: [0.2, 3, []], sqrt: [0.2, 3, []],
  rsqrt: [0.2, 3, []], sin: [-3, 3, []], cos: [-3, 3, []], tanh: [-2, 2, []], sigmoid: [-4, 4, []],
  relu: [-2, 2, [0]], gelu: [-3, 3, []], silu: [-4, 4, []], softplus: [-4, 4, []], sign: [-2, 2, [0]],
  floor: [-3, 3, INT_KINKS], ceil: [-3, 3, INT_KINKS], round: [-3, 3, [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]],
  trunc: [-3, 3, INT_KINKS], frac: [-3, 3, INT_KINKS],
  log1p: [-0.8, 3, []], expm1: [-2, 2, []], log2: [0.2, 3, []], log10: [0.2, 3, []], exp2: [-2, 2, []],
  erf: [-2.5, 2.5, []], erfc: [-2.5, 2.5, []], erfinv: [-0.9, 0.9, []], tan: [-1.3, 1.3, []],
  asin: [-0.9, 0.9, []], acos: [-0.9, 0.9, []], atan: [-3, 3, []], sinh: [-2, 2, []], cosh: [-2, 2, []],
  asinh: [-3, 3, []], acosh: [1.1, 4, []], atanh: [-0.9, 0.9, []],
  square: [-2, 2, []], reciprocal: [0.3, 3, []],
  leakyRelu: [-2, 2, [0], 0.1], clamp: [-2, 2, [-0.5, 0.6], -0.5, 0.6],
  hardtanh: [-2, 2, [-1, 1]], relu6: [-2, 8, [0, 6]], hardsigmoid: [-5, 5, [-3, 3]], hardswish: [-5, 5, [-3, 3]],
  elu: [-3, 3, [0], 0.7], selu: [-3, 3, [0]], celu: [-3, 3, [0], 0.6], mish: [-4, 4, []],
  logSigmoid: [-5, 5, [0]], softsign: [-3, 3, [0]],
  nanToNum: [-2, 2, []],
};
// name -> [[loA, hiA, kinksA], [loB, hiB, kinksB]]
const BINARY_FD = {
  add: [[-2, 2, []], [-2, 2, []]], sub: [[-2, 2, []], [-2, 2, []]], mul: [[-2, 2, []], [-2, 2, []]],
  div: [[-2, 2, []], [0.4, 2, []]], pow: [[0.3, 2, []], [-2, 2, []]],
  maximum: [[-2, 2, []], [-2, 2, []]], minimum: [[-2, 2, []], [-2, 2, []]],
  atan2: [[-2, 2, []], [-2, 2, [0]]], hypot: [[-2, 2, [0]], [-2, 2, [0]]],
  logaddexp: [[-3, 3, []], [-3, 3, []]], xlogy: [[-2, 2, []], [0.2, 3, []]],
  // a / b kept away from integers: the quotient's floor / trunc must not jump within ±h
  fmod: [[2.1, 2.9, []], [1.05, 1.95, []]], remainder: [[-2.9, -2.1, []], [1.05, 1.95, []]],
};
const TERNARY_FD = {
  lerp: (a, b, w) => tf.lerp(a, b, w),
  addcmul: (a, b, c) => tf.addcmul(a, b, c, 0.5),
  addcdiv: (a, b, c) => tf.addcdiv(a, b, c.abs().add(0.5), -1.5),
};
// Not differentiable (bool or integer-valued results, or as PyTorch: floorDivide, heaviside).
const NOT_DIFFERENTIABLE = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'isnan', 'isinf', 'isfinite',
  'logicalNot', 'logicalAnd', 'logicalOr', 'logicalXor', 'floorDivide', 'heaviside']);

test('every elementwise op is checked against finite differences or declared not differentiable', () => {
  const listed = new Set([...Object.keys(UNARY_FD), ...Object.keys(BINARY_FD), ...Object.keys(TERNARY_FD), ...NOT_DIFFERENTIABLE]);
  expect(Object.keys(E).filter((n) => !listed.has(n))).toEqual([]);
  expect([...listed].filter((n) => !(n in E))).toEqual([]);
});

let seed = 101;
const leaf = (shape, [lo, hi, away]) => randTensor(shape, { lo, hi, awayFrom: away, seed: seed++ });

describe('float64 gradients vs finite differences', () => {
  for (const [name, [lo, hi, away, ...extra]] of Object.entries(UNARY_FD)) {
    for (const [sname, shape] of [['[3,4]', [3, 4]], ['0-d', []]]) {
      test(`${name} ${sname}`, () => {
        const x = leaf(shape, [lo, hi, away]);
        checkGrad((t) => weightedSum(tf[name](t, ...extra), 3), [x], { label: name });
      });
    }
    test(`${name} on a transposed view (method form)`, () => {
      const x = leaf([4, 3], [lo, hi, away]);
      checkGrad((t) => weightedSum(t.transpose()[name](...extra), 3), [x], { label: name });
    });
  }
  for (const [name, [da, db]] of Object.entries(BINARY_FD)) {
    for (const [sname, sa, sb] of [['same shape', [3, 4], [3, 4]], ['[3,1] with [1,4]', [3, 1], [1, 4]], ['[3,4] with 0-d', [3, 4], []]]) {
      test(`${name} ${sname}`, () => {
        checkGrad((a, b) => weightedSum(tf[name](a, b), 3), [leaf(sa, da), leaf(sb, db)], { label: name });
      });
    }
    test(`${name} with a number on the right`, () => {
      const num = (db[0] + db[1]) / 2;
      checkGrad((a) => weightedSum(a[name](num), 3), [leaf([2, 3], da)], { label: name });
    });
  }
  for (const [name, f] of Object.entries(TERNARY_FD)) {
    test(`${name} broadcast [3,4], [4], [3,1]`, () => {
      checkGrad((a, b, c) => weightedSum(f(a, b, c), 3), [leaf([3, 4], [-2, 2, []]), leaf([4], [-2, 2, []]), leaf([3, 1], [0, 1, []])], { label: name });
    });
  }
});

describe('second order: grad of grad vs finite differences of the first derivative (float64)', () => {
  const SECOND = { ...UNARY_FD };
  for (const n of ['abs', 'relu', 'sign', 'floor', 'ceil', 'round', 'trunc', 'frac', 'clamp', 'hardtanh', 'relu6', 'neg']) delete SECOND[n];
  for (const [name, [lo, hi, away, ...extra]] of Object.entries(SECOND)) {
    test(name, () => {
      const g1 = tf.grad((t) => weightedSum(tf[name](t, ...extra), 4));
      checkGrad((t) => weightedSum(g1(t), 8), [leaf([5], [lo, hi, away])], { rtol: 1e-5, atol: 1e-6, label: name });
    });
  }
  for (const [name, [da, db]] of Object.entries(BINARY_FD)) {
    if (['add', 'sub', 'maximum', 'minimum', 'fmod', 'remainder'].includes(name)) continue;
    test(name, () => {
      const g1 = tf.grad((a, b) => weightedSum(tf[name](a, b), 4), { argnums: [0, 1] });
      checkGrad((a, b) => { const [ga, gb] = g1(a, b); return weightedSum(ga, 8).add(weightedSum(gb, 9)); },
        [leaf([4], da), leaf([4], db)], { rtol: 1e-5, atol: 1e-6, label: name });
    });
  }
});

// ============================================================ (d) regressions
const f64 = (v) => tf.tensor(v, { dtype: 'float64' });
const gradOf = (f, x) => tf.grad(f)(x).toArray();

describe('regressions', () => {
  test('gelu(NaN) is NaN (float32 and float64, vector and scalar paths, 0-d)', () => {
    for (const dtype of ['float32', 'float64']) {
      const big = new Array(100).fill(0.5);
      big[37] = NaN;
      const out = tf.tensor(big, { dtype }).gelu().toArray();
      expect(out[37]).toBeNaN();
      expect(tf.tensor([NaN, 1], { dtype }).gelu().toArray()[0]).toBeNaN();
      expect(tf.tensor(NaN, { dtype }).gelu().item()).toBeNaN();
    }
  });

  test('gradients at NaN follow PyTorch: relu 1, clamp 0, maximum/minimum full to both', () => {
    const x = f64([NaN, 1, -1]);
    expect(gradOf((t) => t.relu().sum(), x)).toEqual([1, 1, 0]);
    expect(gradOf((t) => t.clamp(-0.5, 0.5).sum(), f64([NaN, 1, 0.2]))).toEqual([0, 0, 1]);
    expect(gradOf((t) => t.clamp(-0.5).sum(), f64([NaN, 1, 0.2]))).toEqual([0, 1, 1]);
    expect(gradOf((t) => t.clamp(null, 0.5).sum(), f64([NaN, 1, 0.2]))).toEqual([0, 0, 1]);
    const [ga, gb] = tf.grad((a, b) => a.maximum(b).sum(), { argnums: [0, 1] })(f64([NaN, 1, 2, 1]), f64([0, NaN, 1, 1]));
    expect(ga.toArray()).toEqual([1, 1, 1, 0.5]);
    expect(gb.toArray()).toEqual([1, 1, 0, 0.5]);
    const [ha, hb] = tf.grad((a, b) => tf.minimum(a, b).sum(), { argnums: [0, 1] })(f64([NaN, 1, 2]), f64([0, NaN, 1]));
    expect(ha.toArray()).toEqual([1, 1, 0]);
    expect(hb.toArray()).toEqual([1, 1, 1]);
    // float32 and a large (vector path) tensor too
    const big = new Array(100).fill(-1);
    big[5] = NaN;
    big[6] = 2;
    const g = tf.grad((t) => t.relu().sum())(tf.tensor(big)).toArray();
    expect([g[5], g[6], g[7]]).toEqual([1, 1, 0]);
  });

  test('float32 [n] minus 0-d float64 stays float32 (0-d tensors do not promote within a category)', () => {
    expect(tf.ones([3]).sub(f64(1)).dtype).toBe('float32');
    expect(tf.ones([3]).mul(tf.tensor(2, { dtype: 'float64' })).dtype).toBe('float32');
    expect(tf.where(tf.tensor([true, false]), tf.ones([2]), f64(2)).dtype).toBe('float32');
    expect(tf.ones([3], { dtype: 'int32' }).add(f64(1.5)).dtype).toBe('float64'); // higher category wins
    expect(tf.ones([3], { dtype: 'int32' }).add(tf.tensor(1, { dtype: 'int32' })).dtype).toBe('int32');
    expect(f64(1).add(tf.tensor(1)).dtype).toBe('float64'); // both 0-d: ordinary promotion
    expect(tf.ones([2], { dtype: 'bool' }).add(tf.tensor(2, { dtype: 'int32' })).dtype).toBe('int32');
    // the 0-d float64 operand still gets a float64 gradient
    const s = f64(0.5).requiresGrad_();
    tf.ones([3]).sub(s).sum().backward();
    expect(s.grad.dtype).toBe('float64');
    expect(s.grad.item()).toBe(-3);
  });

  test('bool inputs to float math promote to float32; to add, to int32 or bool as PyTorch', () => {
    const b = tf.tensor([true, false]);
    expect(b.exp().dtype).toBe('float32');
    expect(b.exp().toArray()).toEqual([Math.fround(Math.E), 1]);
    expect(b.sigmoid().toArray()).toEqual([Math.fround(1 / (1 + Math.exp(-1))), 0.5]);
    expect(tf.log(b).toArray()).toEqual([0, -Infinity]);
    expect(b.add(b).dtype).toBe('bool');
    expect(b.sub(b).dtype).toBe('int32');
    expect(b.add(1).dtype).toBe('int32');
    expect(b.sign().dtype).toBe('bool');
  });

  test('pow: the exponent gradient is NaN at a negative base, 0 at base 0 with b >= 0 (PyTorch)', () => {
    const [ga, gb] = tf.grad((a, b) => a.pow(b).sum(), { argnums: [0, 1] })(f64([-2, 0, 2, 0]), f64([2, 2, 0.5, 0]));
    expectClose(ga, [-4, 0, Math.pow(2, -0.5) * 0.5, 0], { rtol: 1e-15, atol: 0 }, 'd/da');
    const gbv = gb.toArray();
    expect(gbv[0]).toBeNaN();
    expect(gbv.slice(1, 2)).toEqual([0]);
    expect(gbv[2]).toBeCloseTo(Math.sqrt(2) * Math.log(2), 12);
    expect(gbv[3]).toBe(0);
    // second order through the guarded log stays finite away from the NaN point
    const g2 = tf.grad((b) => tf.grad((bb) => f64([0, 3]).pow(bb).sum())(b).sum())(f64([2, 1.5])).toArray();
    expect(g2[0]).toBe(0);
    expect(g2[1]).toBeCloseTo(Math.pow(3, 1.5) * Math.log(3) ** 2, 10);
  });

  test('pow with an int32 base and a float64 exponent: float64 result and gradient', () => {
    const base = tf.tensor([2, 3, 5], { dtype: 'int32' });
    const e = f64([1.5, 0.25, 2]).requiresGrad_();
    const y = base.pow(e);
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect(e.grad.dtype).toBe('float64');
    const want = [2, 3, 5].map((a, i) => Math.pow(a, [1.5, 0.25, 2][i]) * Math.log(a));
    expectClose(e.grad, want, { rtol: 1e-14, atol: 0 }, 'd/de int32^e');
    // a float64 exponent that is a 0-d tensor: float64 as PyTorch (int32 is a lower category)
    const e0 = f64(1.5).requiresGrad_();
    const y0 = base.pow(e0);
    expect(y0.dtype).toBe('float64');
    y0.sum().backward();
    const want0 = [2, 3, 5].reduce((s, a) => s + Math.pow(a, 1.5) * Math.log(a), 0);
    expect(e0.grad.item()).toBeCloseTo(want0, 12);
  });

  test('erfinv inverts erf to float64 precision, including near ±1', () => {
    const ys = [-0.999999, -0.9, -1e-3, 0, 1e-6, 0.5, 0.99, 1 - 1e-12];
    const x = f64(ys).erfinv();
    expectClose(x.erf(), ys, { rtol: 4e-15, atol: 1e-300 }, 'erf(erfinv(y))');
    // near ±1 the information is in 1 - |y|: erfc must give it back to a few ulps
    const tail = x.abs().erfc().toArray().map((v, i) => v / (1 - Math.abs(ys[i])));
    for (const [i, r] of tail.entries()) if (Math.abs(ys[i]) > 0.5) expect(Math.abs(r - 1)).toBeLessThan(1e-12);
    expect(f64([1, -1, 1.5, NaN]).erfinv().toArray()).toEqual([Infinity, -Infinity, NaN, NaN]);
  });

  test('integer division and modulo follow Python (sign of the divisor); division by zero gives 0', () => {
    const a = tf.tensor([-7, 7, -7, 7, 3], { dtype: 'int32' });
    const b = tf.tensor([2, -2, -2, 2, 0], { dtype: 'int32' });
    expect(a.floorDivide(b).toArray()).toEqual([-4, -4, 3, 3, 0]);
    expect(a.remainder(b).toArray()).toEqual([1, -1, -1, 1, 0]);
    expect(a.fmod(b).toArray()).toEqual([-1, 1, -1, 1, 0]);
  });

  test('gradients at the joints of compositions follow PyTorch', () => {
    // logSigmoid'(0) = 1/2; hardswish' = (2x + 3) / 6 on [-3, 3] inclusive; hardsigmoid' = 1/6 strictly inside
    expect(gradOf((t) => t.logSigmoid().sum(), f64([0]))).toEqual([0.5]);
    expect(gradOf((t) => t.hardswish().sum(), f64([-3, 3, -4, 4]))).toEqual([-0.5, 1.5, 0, 1]);
    // (PyTorch 1.13 gives the float32 1/6 = 0.1666666716 in float64 too; ours is the float64 one)
    expect(gradOf((t) => t.hardsigmoid().sum(), f64([-3, 3, 0]))).toEqual([0, 0, 1 / 6]);
    expect(gradOf((t) => t.hardtanh().sum(), f64([-1, 1, 0.5, NaN]))).toEqual([0, 0, 1, 1]);
    expect(gradOf((t) => t.elu(0.5).sum(), f64([0]))).toEqual([0.5]);
    expect(gradOf((t) => t.celu(0.5).sum(), f64([0]))).toEqual([1]);
    expect(gradOf((t) => t.softsign().sum(), f64([0]))).toEqual([1]);
  });

  test('empty and 0-d tensors through composites', () => {
    for (const name of ['elu', 'mish', 'hardswish', 'logSigmoid', 'isnan', 'nanToNum', 'frac', 'logicalNot']) {
      expect(tf[name](tf.zeros([0, 3])).shape).toEqual([0, 3]);
      expect(tf[name](tf.tensor(0.5)).shape).toEqual([]);
    }
    expect(tf.lerp(tf.zeros([0]), tf.ones([0]), 0.5).shape).toEqual([0]);
  });

  test('bad arguments are TypeErrors naming the op', () => {
    expect(() => tf.erf([1, 2])).toThrow(/erf: expected a Tensor, got an array/);
    expect(() => tf.atan2(1, 2)).toThrow(/atan2: at least one operand must be a Tensor/);
    expect(() => tf.ones([2]).hypot('x')).toThrow(/hypot: expected a Tensor or a number/);
    expect(() => tf.elu(tf.ones([2]), 'a')).toThrow(/elu: alpha must be a number/);
    expect(() => tf.ones([2]).floor().floorDivide(tf.ones([3]))).toThrow(/floorDivide: shapes \[2\] and \[3\] cannot be broadcast/);
    expect(() => tf.tensor([true]).floor()).toThrow(/floor: not supported for bool tensors/);
  });
});
