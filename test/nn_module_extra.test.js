// Module hooks, non-persistent buffers, ModuleList / ModuleDict item access, numParameters;
// nn.init additions (orthogonal, truncNormal, eye, dirac, sparse, calculateGain); nn.utils additions.
'use strict';
const { tf, expectClose, expectThrowsKind } = require('./helpers');

const nn = tf.nn;

describe('Module hooks', () => {
  test('forward pre-hook replaces arguments, forward hook replaces the output, remove() detaches', () => {
    const lin = new nn.Linear(2, 2);
    const seen = [];
    const h1 = lin.registerForwardPreHook((m, args) => { seen.push(['pre', m === lin, args[0].shape]); return [args[0].mul(2)]; });
    const h2 = lin.registerForwardHook((m, args, out) => { seen.push(['post', args[0].shape]); return out.add(100); });
    const x = tf.ones([1, 2]);
    const base = tf.F.linear(x.mul(2), lin.weight, lin.bias).add(100);
    expectClose(lin.forward(x), base.toTypedArray(), { rtol: 1e-6, atol: 1e-6 });
    expect(seen).toEqual([['pre', true, [1, 2]], ['post', [1, 2]]]);
    h1.remove();
    h2.remove();
    expectClose(lin.forward(x), tf.F.linear(x, lin.weight, lin.bias).toTypedArray(), { rtol: 1e-6, atol: 1e-6 });
    // Hooks are not fields: the state dict and parameters are unchanged.
    expect(Object.keys(lin.stateDict())).toEqual(['weight', 'bias']);
  });
  test('full backward hook sees gradOutput and gradInput, and can replace gradInput', () => {
    const lin = new nn.Linear(3, 2).double();
    const x = tf.randn([4, 3], { dtype: 'float64' });
    x.requiresGrad = true;
    const R = tf.randn([4, 2], { dtype: 'float64' });
    let got = null;
    lin.registerFullBackwardHook((m, gIn, gOut) => {
      got = { gIn: gIn.map((g) => g.toTypedArray()), gOut: gOut.map((g) => g.toTypedArray()) };
      return [gIn[0].mul(3)];
    });
    lin.forward(x).mul(R).sum().backward();
    // For y = x Wᵀ + b: dL/dy = R, dL/dx = R W
    expectClose(got.gOut[0], R.toTypedArray(), { rtol: 1e-12, atol: 1e-12 });
    const gx = R.matmul(lin.weight).toTypedArray();
    expectClose(got.gIn[0], gx, { rtol: 1e-12, atol: 1e-12 });
    expectClose(x.grad, Array.from(gx, (v) => 3 * v), { rtol: 1e-12, atol: 1e-12 });
    // Parameter gradients are untouched by the hook: dL/dW = Rᵀ x
    expectClose(lin.weight.grad, R.transpose(0, 1).matmul(x.detach()).toTypedArray(), { rtol: 1e-12, atol: 1e-12 });
  });
  test('a backward hook on a module whose input needs no gradient still runs, with null gradInput', () => {
    const lin = new nn.Linear(2, 1);
    let calls = 0;
    lin.registerFullBackwardHook((m, gIn, gOut) => { calls++; expect(gIn).toEqual([null]); expect(gOut[0].shape).toEqual([3, 1]); });
    lin.forward(tf.randn([3, 2])).sum().backward();
    expect(calls).toBe(1);
  });
  test('hooks reject non-functions', () => {
    expectThrowsKind(() => new nn.ReLU().registerForwardHook(3), 'TypeError', /^registerForwardHook: hook must be a function/);
  });
});

describe('Module features', () => {
  class WithBuffers extends nn.Module {
    constructor() {
      super();
      this.lin = new nn.Linear(2, 2);
      this.registerBuffer('kept', tf.ones([2]));
      this.registerBuffer('cache', tf.zeros([3]), false);
    }
  }
  test('a non-persistent buffer is a buffer but not in the state dict, and loading ignores it', () => {
    const m = new WithBuffers();
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['kept', 'cache']);
    // PyTorch's order: a module's own parameters and buffers, then its children's.
    expect(Object.keys(m.stateDict())).toEqual(['kept', 'lin.weight', 'lin.bias']);
    const sd = m.stateDict();
    const m2 = new WithBuffers();
    expect(m2.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expectThrowsKind(() => m2.loadStateDict({ ...sd, cache: tf.zeros([3]) }), 'Error', /unexpected key\(s\) "cache"/);
  });
  test('ModuleList items as list[i], ModuleDict items as dict.name', () => {
    const l = new nn.ModuleList([new nn.Linear(1, 2), new nn.ReLU()]);
    expect(l[0]).toBe(l.at(0));
    expect(l[1]).toBeInstanceOf(nn.ReLU);
    l.append(new nn.Tanh());
    expect(l[2]).toBeInstanceOf(nn.Tanh);
    expect(l[3]).toBeUndefined();
    const d = new nn.ModuleDict({ wte: new nn.Embedding(5, 2), keys: new nn.ReLU() });
    expect(d.wte).toBe(d.get('wte'));
    // A name taken by a method keeps the method; the module is still reachable with get().
    expect(typeof d.keys).toBe('function');
    expect(d.get('keys')).toBeInstanceOf(nn.ReLU);
    expect(Object.keys(d.stateDict())).toEqual(['wte.weight']);
  });
  test('numParameters, requiresGrad_, namedModules, namedChildren', () => {
    const m = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2, { bias: false }));
    expect(m.numParameters()).toBe(3 * 4 + 4 + 4 * 2);
    m.at(0).requiresGrad_(false);
    expect(m.numParameters({ trainableOnly: true })).toBe(8);
    expect(m.numParameters()).toBe(24);
    expect(m.namedModules().map(([n]) => n)).toEqual(['', '0', '1', '2']);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2']);
  });
});

describe('nn.init additions', () => {
  const gram = (t) => {
    const [r] = t.shape;
    const m = t.reshape([r, -1]);
    return r <= m.shape[1] ? m.matmul(m.transpose(0, 1)) : m.transpose(0, 1).matmul(m);
  };
  test('orthogonal: rows (or columns) orthonormal, times gain', () => {
    tf.manualSeed(1);
    for (const shape of [[4, 6], [6, 4], [3, 2, 2]]) {
      const t = nn.init.orthogonal(tf.zeros(shape, { dtype: 'float64' }), 2);
      const g = gram(t);
      const n = g.shape[0];
      const I4 = tf.eye(n, n, { dtype: 'float64' }).mul(4);
      expectClose(g, I4.toTypedArray(), { rtol: 1e-10, atol: 1e-10 });
    }
  });
  test('truncNormal stays within [a, b] with about the right mean', () => {
    tf.manualSeed(2);
    const t = nn.init.truncNormal(tf.zeros([4000]), 1, 2, -1, 2.5);
    const v = t.toTypedArray();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...v)).toBeLessThanOrEqual(2.5);
    // Mean of N(1, 2) truncated to [−1, 2.5]: 1 + 2(φ(α) − φ(β))/(Φ(β) − Φ(α)), α = −1, β = 0.75 → ≈ 0.8075
    expect(Math.abs(t.mean().item() - 0.8075)).toBeLessThan(0.05);
  });
  test('eye and dirac', () => {
    expect(nn.init.eye(tf.zeros([2, 3])).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    const w = nn.init.dirac(tf.zeros([4, 2, 3, 3]), 2);
    const x = tf.randn([1, 4, 5, 5]);
    // Groups of 2 outputs each see 2 inputs: the dirac weight copies input channel d to output g·2 + d.
    const y = tf.F.conv2d(x, w, null, { padding: 1, groups: 2 });
    expectClose(y, x.toTypedArray(), { rtol: 1e-6, atol: 1e-6 });
  });
  test('sparse: ceil(sparsity·rows) zeros per column', () => {
    tf.manualSeed(3);
    const t = nn.init.sparse(tf.zeros([10, 4]), 0.25, 1);
    const cols = t.eq(0).to('float32').sum(0).toTypedArray();
    expect(Array.from(cols)).toEqual([3, 3, 3, 3]);
  });
  test('calculateGain', () => {
    expect(nn.init.calculateGain('conv_transpose2d')).toBe(1);
    expect(nn.init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(nn.init.constant(tf.zeros([2]), 0.5).toArray()).toEqual([0.5, 0.5]);
  });
});

describe('nn.utils additions', () => {
  test('parametersToVector / vectorToParameters round trip', () => {
    const m = new nn.Linear(3, 2);
    const v = nn.utils.parametersToVector(m.parameters());
    expect(v.shape).toEqual([8]);
    nn.utils.vectorToParameters(tf.arange(0, 8).to('float32'), m.parameters());
    expect(m.weight.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(m.bias.toArray()).toEqual([6, 7]);
    expectThrowsKind(() => nn.utils.vectorToParameters(tf.zeros([7]), m.parameters()), 'Error', /vec has 7 elements but the parameters have 8/);
  });
  test('rnn.padSequence, both layouts and sides', () => {
    const a = tf.tensor([[1, 1], [2, 2], [3, 3]]), b = tf.tensor([[4, 4]]);
    expect(nn.utils.rnn.padSequence([a, b], { batchFirst: true, paddingValue: -1 }).toArray())
      .toEqual([[[1, 1], [2, 2], [3, 3]], [[4, 4], [-1, -1], [-1, -1]]]);
    expect(nn.utils.rnn.padSequence([a, b]).shape).toEqual([3, 2, 2]);
    expect(nn.utils.rnn.padSequence([tf.tensor([1, 2]), tf.tensor([3])], { paddingSide: 'left' }).toArray())
      .toEqual([[1, 0], [2, 3]]);
  });
});

test('Sequential items as seq[i], for positional and named children', () => {
  const s = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
  expect(s[0]).toBe(s.at(0));
  s.append(new nn.Tanh());
  expect(s[2]).toBeInstanceOf(nn.Tanh);
  expect(new nn.Sequential({ act: new nn.ReLU() })[0]).toBeInstanceOf(nn.ReLU);
});
