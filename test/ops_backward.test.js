// Gradients of every differentiable op:
//  (a) float32 gradients of sum(out * R) against PyTorch autograd (test/fixtures/ops.json);
//  (b) float64 gradients against central finite differences, at several shapes, with broadcasting
//      and with non-contiguous inputs (transpose / narrow / expand / permute views);
//  (c) second order: tf.grad(tf.grad(f)) and Hessian-vector products against finite differences
//      of the first derivative.
'use strict';
const {
  tf, loadFixtures, fromSpec, callCase, isFloat, gradTolFor, expectClose, expectShape, checkGrad,
  numericGrads, values64, weightedSum, randTensor,
} = require('./helpers');

// ============================================================ (a) fixture gradients, float32
const KNOWN_FAILURES = new Set([
]);

describe('gradients of sum(out * R) match PyTorch (float32)', () => {
  for (const c of loadFixtures().filter((x) => x.grads)) {
    (KNOWN_FAILURES.has(c.name) ? test.failing : test)(c.name, () => {
      const ts = c.inputs.map((s) => fromSpec(s, { requiresGrad: true }));
      const form = c.forms[0];
      const out = callCase(c, form, ts);
      const outs = Array.isArray(out) ? out : [out];
      const Rs = Array.isArray(c.R) ? c.R : [c.R];
      let loss = null;
      outs.forEach((o, i) => {
        const r = tf.tensor(Rs[i].values, { dtype: o.dtype, shape: Rs[i].shape });
        const term = o.mul(r).sum();
        loss = loss ? loss.add(term) : term;
      });
      loss.backward();
      c.grads.forEach((g, i) => {
        if (!g) return;
        const t = ts[i];
        const dtype = c.inputs[i].dtype;
        const allZero = g.values.every((v) => v === 0);
        if (t.grad === null) {
          // An input the output does not depend on may keep grad === null.
          if (!allZero) throw new Error(`${c.name}: input ${i} has no gradient`);
          return;
        }
        expectShape(t.grad, g.shape, `${c.name} grad ${i}`);
        expect(t.grad.dtype).toBe(dtype);
        expectClose(t.grad, g.values, gradTolFor(c.op, dtype), `${c.name} grad ${i}`);
      });
    });
  }
});

// ============================================================ (b) finite differences, float64
// An input is described by its shape and how the op receives it: 'contig' as is, or a view of
// a leaf of another shape, so that the op sees strides it must honour and the gradient must flow
// back through the view.
const VIEWS = {
  contig: { leaf: (s) => s, make: (x) => x },
  // transpose of the last two dims: the classic non-contiguous input
  t: { leaf: (s) => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]], make: (x) => x.transpose(-1, -2) },
  // rows 1..n of a leaf two rows taller: an offset into the storage
  narrow: { leaf: (s) => [s[0] + 2, ...s.slice(1)], make: (x, s) => x.narrow(0, 1, s[0]) },
  // stride-0 dim: the gradient must be summed over the broadcast copies
  expand: { leaf: (s) => [...s.slice(0, -1), 1], make: (x, s) => x.expand(s) },
  // a 3-D permutation
  permute: { leaf: (s) => [s[1], s[2], s[0]], make: (x) => x.permute([2, 0, 1]) },
  // every other column: stride 2 through the storage
  step2: { leaf: (s) => [...s.slice(0, -1), 2 * s[s.length - 1]],
    make: (x, s) => x.reshape([...s.slice(0, -1), s[s.length - 1], 2]).select(-1, 0) },
};

let seed = 11;
function leafFor(spec) {
  const view = VIEWS[spec.view || 'contig'];
  return randTensor(view.leaf(spec.shape), { lo: spec.lo ?? -1.5, hi: spec.hi ?? 1.5, seed: seed++, awayFrom: spec.away || [] });
}

/** Registers a finite-difference check: op(...views of the leaves, ...) reduced by sum(out * R). */
function fd(name, specs, op, opts = {}) {
  test(name, () => {
    const leaves = specs.map(leafFor);
    const f = (...xs) => {
      const ins = xs.map((x, i) => VIEWS[specs[i].view || 'contig'].make(x, specs[i].shape));
      const out = op(...ins);
      if (Array.isArray(out)) return out.map((o, k) => weightedSum(o, 3 + k)).reduce((a, b) => a.add(b));
      return weightedSum(out, 3);
    };
    checkGrad(f, leaves, { rtol: 1e-6, atol: 1e-7, label: name, ...opts });
  });
}

const S = (shape, extra = {}) => ({ shape, ...extra });
const UNARY_VIEWS = [['[3,4]', S([3, 4])], ['0-d', S([])], ['transposed', S([3, 4], { view: 't' })],
  ['narrowed', S([2, 3], { view: 'narrow' })], ['expanded', S([3, 4], { view: 'expand' })],
  ['strided', S([2, 3], { view: 'step2' })]];

describe('elementwise unary vs finite differences (float64)', () => {
  // name -> [op, domain]; the analytic derivative in the comment
  const UNARY = {
    neg: [(x) => x.neg(), {}], // -1
    abs: [(x) => x.abs(), { away: [0] }], // sign(x)
    exp: [(x) => x.exp(), {}], // exp(x)
    log: [(x) => x.log(), { lo: 0.2, hi: 3 }], // 1/x
    sqrt: [(x) => x.sqrt(), { lo: 0.2, hi: 3 }], // 1/(2 sqrt x)
    rsqrt: [(x) => x.rsqrt(), { lo: 0.2, hi: 3 }], // -x^(-3/2)/2
    sin: [(x) => x.sin(), { lo: -3, hi: 3 }], // cos x
    cos: [(x) => x.cos(), { lo: -3, hi: 3 }], // -sin x
    tanh: [(x) => x.tanh(), { lo: -2, hi: 2 }], // 1 - tanh²x
    sigmoid: [(x) => x.sigmoid(), { lo: -4, hi: 4 }], // s(1 - s)
    relu: [(x) => x.relu(), { away: [0] }], // x > 0
    gelu: [(x) => x.gelu(), { lo: -3, hi: 3 }], // Φ(x) + x φ(x)
    silu: [(x) => x.silu(), { lo: -4, hi: 4 }], // s(x)(1 + x(1 - s(x)))
    softplus: [(x) => x.softplus(), { lo: -4, hi: 4 }], // sigmoid(x)
    leakyRelu: [(x) => x.leakyRelu(0.1), { away: [0] }], // 1 or slope
    'leakyRelu default slope': [(x) => tf.leakyRelu(x), { away: [0] }],
    clamp: [(x) => x.clamp(-0.5, 0.6), { away: [-0.5, 0.6] }], // 1 inside, 0 outside
    'clamp min only': [(x) => x.clamp(-0.2), { away: [-0.2] }],
    'clamp max only': [(x) => tf.clamp(x, null, 0.3), { away: [0.3] }],
    'pow number exponent 3': [(x) => x.pow(3), {}], // 3x²
    'pow number exponent -0.5': [(x) => x.pow(-0.5), { lo: 0.2, hi: 3 }], // -x^(-1.5)/2
    'pow number base 2': [(x) => tf.pow(2, x), {}], // 2^x ln 2
    'sub from number': [(x) => tf.sub(1.5, x), {}], // -1
    'div number by tensor': [(x) => tf.div(2, x), { lo: 0.3, hi: 2 }], // -2/x²
    'mul by number': [(x) => x.mul(-2.5), {}], // -2.5
    'maximum with number': [(x) => x.maximum(0.1), { away: [0.1] }],
    'minimum with number': [(x) => tf.minimum(0.1, x), { away: [0.1] }],
  };
  for (const [name, [op, dom]] of Object.entries(UNARY)) {
    for (const [vname, spec] of UNARY_VIEWS) fd(`${name} ${vname}`, [{ ...spec, ...dom }], op);
  }
});

describe('elementwise binary vs finite differences (float64)', () => {
  const BIN = {
    add: [(a, b) => a.add(b), {}, {}], // (1, 1)
    sub: [(a, b) => a.sub(b), {}, {}], // (1, -1)
    mul: [(a, b) => a.mul(b), {}, {}], // (b, a)
    div: [(a, b) => a.div(b), {}, { lo: 0.4, hi: 2 }], // (1/b, -a/b²)
    pow: [(a, b) => a.pow(b), { lo: 0.3, hi: 2 }, {}], // (b a^(b-1), a^b ln a)
    maximum: [(a, b) => a.maximum(b), {}, {}], // gradient to the larger
    minimum: [(a, b) => tf.minimum(a, b), {}, {}],
  };
  const SHAPES = [
    ['same shape', [3, 4], [3, 4]],
    ['[3,1] with [1,4]', [3, 1], [1, 4]],
    ['[2,3,4] with [4]', [2, 3, 4], [4]],
    ['[4] with [2,3,4]', [4], [2, 3, 4]],
    ['[2,1,4] with [3,1]', [2, 1, 4], [3, 1]],
    ['[3,4] with 0-d', [3, 4], []],
    ['0-d with [3,4]', [], [3, 4]],
  ];
  for (const [name, [op, da, db]] of Object.entries(BIN)) {
    for (const [sname, sa, sb] of SHAPES) fd(`${name} ${sname}`, [S(sa, da), S(sb, db)], op);
    fd(`${name} transposed a, strided b`, [S([3, 4], { ...da, view: 't' }), S([3, 4], { ...db, view: 'step2' })], op);
    fd(`${name} narrowed a, expanded b`, [S([2, 4], { ...da, view: 'narrow' }), S([2, 4], { ...db, view: 'expand' })], op);
    fd(`${name} same tensor on both sides`, [S([3, 4], da)], (x) => op(x, x.add(0.25)));
  }
  fd('pow negative base, integer exponent tensor', [S([3, 4])], (a) => a.pow(tf.full([3, 4], 3, { dtype: 'float64' })));
  fd('where same shapes', [S([3, 4]), S([3, 4])], (a, b) => tf.where(a.gt(0), a, b));
  fd('where broadcast [3,1] cond, [1,4] and 0-d', [S([1, 4]), S([])],
    (a, b) => tf.where(tf.tensor([[true], [false], [true]]), a, b));
  fd('where number branch', [S([2, 3], { view: 't' })], (a) => tf.where(a.lt(0.2), a, 0.5));
  fd('where non-contiguous cond', [S([3, 4]), S([3, 4], { view: 't' })],
    (a, b) => tf.where(tf.tensor([[true, false, true], [false, false, true], [true, true, false], [false, true, true]]).transpose(), a, b));
});

describe('reductions vs finite differences (float64)', () => {
  const RED = {
    sum: (x, ax, k) => x.sum(ax, k), // 1
    mean: (x, ax, k) => x.mean(ax, k), // 1/n
    max: (x, ax, k) => x.max(ax, k), // 1 at the argmax
    min: (x, ax, k) => tf.min(x, ax, k),
    var: (x, ax, k) => x.var(ax, k), // 2(x - mean)/(n - 1)
    std: (x, ax, k) => tf.std(x, ax, k), // (x - mean)/((n - 1) std)
    logsumexp: (x, ax, k) => x.logsumexp(ax, k), // softmax(x)
  };
  const AX = [[undefined, false], [0, false], [-1, false], [1, true], [[0, 2], false], [[-1, -2], true], [undefined, true]];
  for (const [name, op] of Object.entries(RED)) {
    for (const [ax, k] of AX) {
      fd(`${name} axis ${JSON.stringify(ax) ?? 'all'} keepdim ${k}`, [S([2, 3, 4])], (x) => op(x, ax, k));
    }
    fd(`${name} axis 0 of a transposed view`, [S([3, 4], { view: 't' })], (x) => op(x, 0, false));
    fd(`${name} axis -1 of a permuted view`, [S([2, 3, 4], { view: 'permute' })], (x) => op(x, -1, false));
    fd(`${name} all of a narrowed view`, [S([2, 3], { view: 'narrow' })], (x) => op(x));
    // (along the expanded dim all values are equal: std's derivative is undefined there)
    fd(`${name} axis 0 of an expanded view`, [S([3, 4], { view: 'expand' })], (x) => op(x, 0, false));
    fd(`${name} 1-D to 0-d`, [S([5])], (x) => op(x, 0));
  }
  fd('logsumexp with large values', [S([2, 3], { lo: 40, hi: 60 })], (x) => x.logsumexp(-1));
  fd('var of a constant row is 0 with zero gradient', [S([3])], (x) => x.mul(0).add(1).var());
});

describe('matmul vs finite differences (float64)', () => {
  // d(A B) = dA B + A dB: dA = G Bᵀ, dB = Aᵀ G, summed over broadcast batch dims
  const MM = [
    ['1-D . 1-D', [4], [4]],
    ['1-D @ 2-D', [3], [3, 5]],
    ['2-D @ 1-D', [3, 4], [4]],
    ['2-D @ 2-D', [3, 4], [4, 5]],
    ['batched @ 2-D', [2, 3, 4], [4, 2]],
    ['batched @ batched', [2, 3, 4], [2, 4, 2]],
    ['batch broadcast [2,1,3,4] @ [3,4,2]', [2, 1, 3, 4], [3, 4, 2]],
    ['2-D @ batched', [3, 4], [2, 4, 2]],
    ['1-D @ batched', [3], [2, 3, 4]],
    ['batched @ 1-D', [2, 3, 4], [4]],
  ];
  for (const [name, sa, sb] of MM) fd(`matmul ${name}`, [S(sa), S(sb)], (a, b) => a.matmul(b));
  fd('matmul transposed @ transposed', [S([3, 4], { view: 't' }), S([4, 2], { view: 't' })], (a, b) => tf.matmul(a, b));
  fd('matmul narrowed @ strided', [S([2, 4], { view: 'narrow' }), S([4, 3], { view: 'step2' })], (a, b) => a.matmul(b));
  fd('matmul expanded @ batched permuted', [S([3, 4], { view: 'expand' }), S([4, 2, 3], { view: 'permute' })],
    (a, b) => a.matmul(b.transpose(0, 1).transpose(1, 2).reshape([2, 3, 4]).transpose(-1, -2).matmul(tf.eye(3).to('float64'))));
  fd('matmul x @ xᵀ (same leaf twice)', [S([3, 4])], (a) => a.matmul(a.transpose()));
});

describe('softmax / logSoftmax vs finite differences (float64)', () => {
  // softmax: J = diag(s) - s sᵀ;  logSoftmax: J = I - 1 sᵀ
  for (const name of ['softmax', 'logSoftmax']) {
    for (const ax of [-1, 0, 1]) fd(`${name} axis ${ax}`, [S([2, 3, 4])], (x) => x[name](ax));
    fd(`${name} default axis`, [S([3, 4])], (x) => tf[name](x));
    fd(`${name} transposed`, [S([3, 4], { view: 't' })], (x) => x[name](-1));
    fd(`${name} expanded`, [S([3, 4], { view: 'expand' })], (x) => x[name](-1));
    fd(`${name} large values`, [S([2, 3], { lo: 30, hi: 60 })], (x) => x[name](-1));
  }
});

describe('shape ops vs finite differences (float64)', () => {
  // All are linear maps that move elements: the gradient is the same map run backwards.
  const X = S([2, 3, 4]);
  fd('reshape [-1,2]', [X], (x) => x.reshape([-1, 2]));
  fd('reshape of a transposed view (copy)', [S([3, 4], { view: 't' })], (x) => x.reshape([12]));
  fd('transpose default', [S([3, 4])], (x) => x.transpose());
  fd('transpose (-1, 0)', [X], (x) => tf.transpose(x, -1, 0));
  fd('permute [2,0,1]', [X], (x) => x.permute([2, 0, 1]));
  fd('permute negative dims', [X], (x) => x.permute([-1, -3, -2]));
  fd('squeeze all', [S([2, 1, 3, 1])], (x) => x.squeeze());
  fd('squeeze -1', [S([2, 1, 3, 1])], (x) => x.squeeze(-1));
  fd('unsqueeze -1', [S([3, 4])], (x) => x.unsqueeze(-1));
  fd('unsqueeze 1 of transposed', [S([3, 4], { view: 't' })], (x) => tf.unsqueeze(x, 1));
  fd('expand [3,1] -> [2,3,4]', [S([3, 1])], (x) => x.expand([2, 3, 4]));
  fd('expand with -1', [S([3, 1])], (x) => x.expand([-1, 5]));
  fd('flatten default', [X], (x) => x.flatten());
  fd('flatten (1, -1) of permuted', [S([2, 3, 4], { view: 'permute' })], (x) => x.flatten(1, -1));
  fd('narrow dim -1', [X], (x) => x.narrow(-1, 1, 2));
  fd('narrow of narrow', [S([4, 5])], (x) => x.narrow(0, 1, 2).narrow(1, 2, 3));
  fd('select dim 1', [X], (x) => x.select(1, 2));
  fd('select dim -1 negative index', [X], (x) => x.select(-1, -1));
  fd('concat dim 0', [S([2, 3]), S([1, 3])], (a, b) => tf.concat([a, b], 0));
  fd('concat dim -1 with views', [S([2, 3], { view: 't' }), S([2, 2], { view: 'narrow' })], (a, b) => tf.concat([a, b], -1));
  fd('concat same tensor twice', [S([2, 3])], (a) => tf.concat([a, a.mul(2)], 1));
  fd('stack dim 0', [S([2, 3]), S([2, 3])], (a, b) => tf.stack([a, b]));
  fd('stack dim -1 with a transposed view', [S([2, 3]), S([2, 3], { view: 't' })], (a, b) => tf.stack([a, b], -1));
  fd('split 2 dim 0 (uneven)', [S([5, 3])], (x) => x.split(2));
  fd('split 2 dim -1', [S([3, 5])], (x) => tf.split(x, 2, -1));
  fd('split, one piece unused', [S([4, 2])], (x) => x.split(2)[1]);
  fd('chunk 3 dim 0', [S([5, 3])], (x) => x.chunk(3));
  fd('chunk 2 dim 1 of expanded', [S([3, 4], { view: 'expand' })], (x) => tf.chunk(x, 2, 1));
});

describe('indexing vs finite differences (float64)', () => {
  const i32 = (v) => tf.tensor(v, { dtype: 'int32' });
  // gather: the gradient scatter-adds G back to the gathered positions
  fd('gather dim 1 with repeats', [S([3, 4])], (x) => x.gather(1, i32([[0, 3, 0], [1, 1, 1], [2, 0, 3]])));
  fd('gather dim 0', [S([3, 4])], (x) => tf.gather(x, 0, i32([[2, 0, 1, 2], [0, 0, 2, 1]])));
  fd('gather dim -1 of transposed', [S([3, 4], { view: 't' })], (x) => x.gather(-1, i32([[0, 2], [1, 1], [3, 0]])));
  // indexSelect: index-add of G
  fd('indexSelect dim 0 with repeats', [S([3, 4])], (x) => x.indexSelect(0, i32([2, 0, 2, 2])));
  fd('indexSelect dim -1 of narrowed', [S([2, 4], { view: 'narrow' })], (x) => tf.indexSelect(x, -1, i32([3, 0])));
  // scatterAdd: d/dself = G, d/dsrc = G gathered at index
  fd('scatterAdd dim 0', [S([3, 4]), S([2, 4])], (a, s) => a.scatterAdd(0, i32([[0, 1, 2, 0], [2, 2, 0, 1]]), s));
  fd('scatterAdd dim 1 duplicates', [S([3, 4]), S([3, 3])], (a, s) => tf.scatterAdd(a, 1, i32([[0, 0, 3], [1, 2, 1], [3, 3, 3]]), s));
  fd('scatterAdd with transposed src', [S([2, 3]), S([2, 3], { view: 't' })],
    (a, s) => a.scatterAdd(-1, i32([[2, 0, 1], [1, 1, 0]]), s));
  fd('oneHot then matmul (embedding lookup)', [S([4, 3])], (w) => i32([1, 3, 1]).oneHot(4).to('float64').matmul(w));
});

describe('compositions', () => {
  fd('mlp-like chain', [S([2, 3]), S([3, 4]), S([4])], (x, w, b) => x.matmul(w).add(b).tanh().logSoftmax(-1));
  fd('layer-norm-like', [S([3, 5])], (x) => x.sub(x.mean(-1, true)).div(x.var(-1, true).add(1e-5).sqrt()));
  fd('x * sigmoid(x) by hand vs silu', [S([3, 4], { lo: -3, hi: 3 })], (x) => x.mul(x.sigmoid()).sub(x.silu()).add(x.exp()));
  fd('to(float64) of a float64 tensor passes the gradient through', [S([2, 2])], (x) => x.to('float64').mul(x));
  fd('float64 -> float32 -> float64 round trip passes the gradient', [S([2, 2])], 
    // float32 rounding (~1e-7) needs a wide step; the function is quadratic, so central differences are exact
    (x) => x.to('float32').to('float64').mul(x), { h: 1e-2, rtol: 1e-4, atol: 1e-4 });
  test('the checker itself rejects a wrong gradient (detach hides one factor of x·x)', () => {
    const x = randTensor([3], { seed: 3 });
    expect(() => checkGrad((t) => t.detach().mul(t).sum(), [x])).toThrow(/d\/dx0/);
  });
  test('tf.vjp pullback matches finite differences', () => {
    const x = randTensor([2, 3], { seed: 99 });
    const cot = randTensor([3, 2], { seed: 98 });
    const f = (a) => a.tanh().transpose().mul(2);
    const [out, pull] = tf.vjp(f, x);
    expectShape(out, [3, 2]);
    const [g] = pull(cot);
    const [num] = numericGrads((a) => f(a).mul(cot).sum(), [x]);
    expectClose(g, num, { rtol: 1e-6, atol: 1e-8 }, 'vjp');
  });
  test('backward accumulates into .grad across calls', () => {
    const x = randTensor([3], { seed: 5 }).requiresGrad_(true);
    x.mul(x).sum().backward(); // 2x
    x.mul(3).sum().backward(); // + 3
    expectClose(x.grad, values64(x).map((v) => 2 * v + 3), { rtol: 1e-12, atol: 1e-12 });
  });
  test('non-scalar backward takes the given cotangent', () => {
    const x = randTensor([2, 2], { seed: 6 }).requiresGrad_(true);
    const g = tf.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    x.exp().backward(g); // g * exp(x)
    expectClose(x.grad, values64(x).map((v, i) => (i + 1) * Math.exp(v)), { rtol: 1e-12, atol: 1e-12 });
  });
});

// ============================================================ large gradients
// Finite differences cannot afford large inputs; these check the backward kernels on sizes that
// take the threaded and SIMD paths (sum_to over broadcast dims, GEMM for both matmul gradients,
// softmax along a long axis) against closed forms computed here in float64.
describe('gradients of large tensors against closed forms', () => {
  const { imul, exp: mexp } = Math;
  let s = 777;
  const rand = (n) => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) { s = (imul(s, 1664525) + 1013904223) >>> 0; v[i] = s / 4294967296 * 2 - 1; }
    return v;
  };
  const leaf = (v, shape, dtype = 'float32') => tf.tensor(v, { dtype, shape, requiresGrad: true });
  test('mul broadcast [401,1] * [1,263]: grads are the other operand summed over the broadcast dim', () => {
    const R = 401, C = 263, a = rand(R), b = rand(C), w = rand(R * C);
    const ta = leaf(a, [R, 1]), tb = leaf(b, [1, C]);
    ta.mul(tb).mul(tf.tensor(w, { dtype: 'float32', shape: [R, C] })).sum().backward();
    const ga = new Float64Array(R), gb = new Float64Array(C);
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
      const wf = Math.fround(w[i * C + j]);
      ga[i] += wf * Math.fround(b[j]);
      gb[j] += wf * Math.fround(a[i]);
    }
    expectShape(ta.grad, [R, 1]);
    expectShape(tb.grad, [1, C]);
    expectClose(ta.grad, ga, { rtol: 1e-4, atol: 1e-4 }, 'd/da');
    expectClose(tb.grad, gb, { rtol: 1e-4, atol: 1e-4 }, 'd/db');
  });
  test('matmul [65,130] @ [130,70] float64: dA = G Bᵀ, dB = Aᵀ G (also through a transposed B)', () => {
    const M = 65, K = 130, N = 70;
    const a = rand(M * K), b = rand(K * N), g = rand(M * N);
    for (const transposedB of [false, true]) {
      const ta = leaf(a, [M, K], 'float64');
      const tbLeaf = transposedB ? leaf(b, [N, K], 'float64') : leaf(b, [K, N], 'float64');
      const tb = transposedB ? tbLeaf.transpose() : tbLeaf;
      ta.matmul(tb).backward(tf.tensor(g, { dtype: 'float64', shape: [M, N] }));
      const B = (k, j) => (transposedB ? b[j * K + k] : b[k * N + j]);
      const da = new Float64Array(M * K), db = new Float64Array(K * N);
      for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) {
        let acc = 0;
        for (let j = 0; j < N; j++) acc += g[i * N + j] * B(k, j);
        da[i * K + k] = acc;
      }
      for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) {
        let acc = 0;
        for (let i = 0; i < M; i++) acc += a[i * K + k] * g[i * N + j];
        if (transposedB) db[j * K + k] = acc; else db[k * N + j] = acc;
      }
      expectClose(ta.grad, da, { rtol: 1e-11, atol: 1e-11 }, `dA (transposed B: ${transposedB})`);
      expectClose(tbLeaf.grad, db, { rtol: 1e-11, atol: 1e-11 }, `dB (transposed B: ${transposedB})`);
    }
  });
  test('softmax over a 40000-long axis: dx = s (g - sum(g s))', () => {
    const n = 40000, x = rand(n), g = rand(n);
    const tx = leaf(x, [1, n], 'float64');
    tx.softmax(-1).backward(tf.tensor(g, { dtype: 'float64', shape: [1, n] }));
    let m = -Infinity, z = 0, gs = 0;
    for (const v of x) m = Math.max(m, v);
    const sm = x.map((v) => mexp(v - m));
    for (const v of sm) z += v;
    for (let i = 0; i < n; i++) { sm[i] /= z; gs += g[i] * sm[i]; }
    expectClose(tx.grad, sm.map((v, i) => v * (g[i] - gs)), { rtol: 1e-9, atol: 1e-15 }, 'softmax');
  });
  test('sum / mean / max / tanh of 100003 elements', () => {
    const n = 100003, x = rand(n);
    const t = leaf(x, [n]);
    t.sum().add(t.mean().mul(n)).add(t.max()).add(t.tanh().sum()).backward();
    let am = 0;
    for (let i = 1; i < n; i++) if (x[i] > x[am]) am = i;
    const exp = new Float64Array(n);
    for (let i = 0; i < n; i++) { const th = Math.tanh(Math.fround(x[i])); exp[i] = 2 + (1 - th * th) + (i === am ? 1 : 0); }
    expectClose(t.grad, exp, { rtol: 1e-5, atol: 1e-5 }, 'sum+mean+max+tanh');
  });
});

// ============================================================ (c) second order
describe('second order', () => {
  const x0 = () => randTensor([5], { lo: -1.5, hi: 1.5, seed: 21 });
  // f -> x ↦ grad(sum(f(x) * R)) is itself differentiable; its gradient (a Hessian-weighted
  // vector) must match finite differences of the first derivative.
  const SECOND = {
    tanh: (x) => x.tanh(), // f'' = -2 tanh (1 - tanh²)
    exp: (x) => x.exp(), // f'' = exp
    sigmoid: (x) => x.sigmoid(), // f'' = s(1 - s)(1 - 2s)
    sin: (x) => x.sin(), // -sin
    log: (x) => x.abs().add(0.5).log(),
    'mul x*x*x': (x) => x.mul(x).mul(x), // 6x
    'div 1/(1+x²)': (x) => tf.div(1, x.mul(x).add(1)),
    'pow x^2.5': (x) => x.abs().add(0.2).pow(2.5),
    softmax: (x) => x.softmax(-1),
    logSoftmax: (x) => x.reshape([1, 5]).logSoftmax(-1),
    gelu: (x) => x.gelu(),
    silu: (x) => x.silu(),
    softplus: (x) => x.softplus(),
    sqrt: (x) => x.abs().add(0.3).sqrt(),
    logsumexp: (x) => x.logsumexp().reshape([1]),
    var: (x) => x.var().reshape([1]),
    'matmul xᵀ A x': (x) => x.reshape([1, 5]).matmul(tf.eye(5).to('float64').add(0.5)).matmul(x.reshape([5, 1])),
  };
  for (const [name, f] of Object.entries(SECOND)) {
    test(`grad of grad: ${name}`, () => {
      const g1 = tf.grad((x) => weightedSum(f(x), 4));
      checkGrad((x) => weightedSum(g1(x), 8), [x0()], { rtol: 1e-5, atol: 1e-6, label: name });
    });
  }

  test('tf.grad(tf.grad(tanh)) at a scalar: -2 tanh(x)(1 - tanh²x)', () => {
    const x = tf.tensor(0.7, { dtype: 'float64' });
    const d2 = tf.grad(tf.grad((t) => t.tanh()))(x);
    const th = Math.tanh(0.7);
    expectClose(d2, [-2 * th * (1 - th * th)], { rtol: 1e-12, atol: 1e-14 });
    const d1 = tf.grad((t) => t.tanh());
    const [num] = numericGrads((t) => d1(t), [x]);
    expectClose(d2, num, { rtol: 1e-7, atol: 1e-9 });
  });

  test('tf.grad(tf.grad(exp)) and a third derivative of x^4: 24x', () => {
    const x = tf.tensor(0.3, { dtype: 'float64' });
    expectClose(tf.grad(tf.grad((t) => t.exp()))(x), [Math.exp(0.3)], { rtol: 1e-12, atol: 0 });
    const d3 = tf.grad(tf.grad(tf.grad((t) => t.pow(4))))(x);
    expectClose(d3, [24 * 0.3], { rtol: 1e-10, atol: 1e-12 });
  });

  test('tf.grad(tf.grad(mul)) with argnums: d²(x·y)/dy dx = 1', () => {
    const x = tf.tensor(1.3, { dtype: 'float64' });
    const y = tf.tensor(-0.4, { dtype: 'float64' });
    const dfdx = tf.grad((a, b) => a.mul(b).mul(a), { argnums: 0 }); // 2xy
    const d2 = tf.grad((a, b) => dfdx(a, b), { argnums: [0, 1] })(x, y); // [2y, 2x]
    expectClose(d2[0], [2 * -0.4], { rtol: 1e-12, atol: 1e-14 });
    expectClose(d2[1], [2 * 1.3], { rtol: 1e-12, atol: 1e-14 });
  });

  test('Hessian-vector product of sum(tanh(W x)²) matches finite differences of the gradient', () => {
    const W = randTensor([4, 3], { seed: 31 });
    const x = randTensor([3], { seed: 32 });
    const v = randTensor([3], { seed: 33 });
    const f = (t) => W.matmul(t).tanh().pow(2).sum();
    const g = tf.grad(f);
    // Hv = ∇(∇f(x) · v)
    const hvp = tf.grad((t) => g(t).mul(v).sum())(x);
    const h = 1e-5;
    const xv = values64(x), vv = values64(v);
    const shift = (s) => tf.tensor(xv.map((a, i) => a + s * vv[i]), { dtype: 'float64' });
    const gp = values64(g(shift(h))), gm = values64(g(shift(-h)));
    const num = gp.map((a, i) => (a - gm[i]) / (2 * h));
    expectClose(hvp, num, { rtol: 1e-6, atol: 1e-8 }, 'hvp');
  });

  test('Hessian of a quadratic form xᵀ A x is A + Aᵀ (row by row through HVPs)', () => {
    const A = randTensor([3, 3], { seed: 41 });
    const f = (t) => t.matmul(A).matmul(t);
    const g = tf.grad(f);
    const a = values64(A);
    const x = randTensor([3], { seed: 42 });
    for (let i = 0; i < 3; i++) {
      const e = tf.tensor([0, 1, 2].map((j) => (j === i ? 1 : 0)), { dtype: 'float64' });
      const row = tf.grad((t) => g(t).mul(e).sum())(x);
      expectClose(row, [0, 1, 2].map((j) => a[i * 3 + j] + a[j * 3 + i]), { rtol: 1e-12, atol: 1e-12 }, `row ${i}`);
    }
  });
});

test('fixture gradients exist for every differentiable op', () => {
  const ops = new Set(loadFixtures().filter((c) => c.grads).map((c) => c.op));
  for (const o of ['add', 'sub', 'mul', 'div', 'pow', 'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos',
    'tanh', 'sigmoid', 'relu', 'gelu', 'silu', 'softplus', 'leakyRelu', 'maximum', 'minimum', 'clamp', 'where',
    'sum', 'mean', 'max', 'min', 'var', 'std', 'logsumexp', 'matmul', 'softmax', 'logSoftmax', 'reshape',
    'transpose', 'permute', 'squeeze', 'unsqueeze', 'expand', 'flatten', 'narrow', 'select', 'concat', 'stack',
    'split', 'chunk', 'gather', 'indexSelect', 'scatterAdd']) expect(ops.has(o) ? o : `missing ${o}`).toBe(o);
  expect(isFloat('float64')).toBe(true);
});
