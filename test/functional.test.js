// fold / scan / unfold / bidirectional / mapWindows / foldTree: each against the same computation
// written as a plain JavaScript loop (values and gradients, closed-over parameters included), in
// plain and checkpoint mode; finite differences; second order; error messages.
'use strict';
const tf = require('..');
const { native } = require('../dist/native');

const F64 = { dtype: 'float64' };

function flat(x) {
  if (x === null || x === undefined) return [];
  if (x instanceof tf.Tensor) return Array.from(x.toTypedArray());
  if (Array.isArray(x)) return x.flatMap(flat);
  return Object.keys(x).sort().flatMap((k) => flat(x[k]));
}

function expectClose(a, b, tol = 1e-10, label = '') {
  const fa = flat(a), fb = flat(b);
  expect(fa.length).toBe(fb.length);
  let worst = 0;
  for (let i = 0; i < fa.length; i++) worst = Math.max(worst, Math.abs(fa[i] - fb[i]) / (1 + Math.abs(fb[i])));
  if (!(worst <= tol)) throw new Error(`${label}: max relative difference ${worst} > ${tol}`);
}

// Runs loss() with fresh .grad on every tensor in `wrt`; returns [loss value, grads].
function lossAndGrads(loss, wrt) {
  for (const t of wrt) t.grad = null;
  const l = loss();
  l.backward();
  return [l.item(), wrt.map((t) => (t.grad ? t.grad : tf.zerosLike(t)))];
}

function param(shape, seed, scale = 0.5) {
  tf.manualSeed(seed);
  return tf.randn(shape, F64).mul(scale).requiresGrad_(true);
}

describe('fold', () => {
  const W = param([4, 4], 1), U = param([3, 4], 2), b = param([4], 3);
  const xs = param([7, 3], 4, 1), h0 = param([4], 5);
  const cell = (h, x) => h.matmul(W).add(x.matmul(U)).add(b).tanh();
  const wrt = [W, U, b, xs, h0];
  const plain = () => {
    let h = h0;
    for (let i = 0; i < 7; i++) h = cell(h, xs.select(0, i));
    return h.pow(2).sum();
  };

  test('value and gradients (closed-over W, U, b; init; xs) equal a plain loop', () => {
    const ref = lossAndGrads(plain, wrt);
    const got = lossAndGrads(() => tf.fold(cell, h0, xs).pow(2).sum(), wrt);
    expectClose(got, ref, 1e-12, 'fold');
  });

  test('checkpoint gives identical gradients (parameters discovered, or listed)', () => {
    const ref = lossAndGrads(plain, wrt);
    expectClose(lossAndGrads(() => tf.fold(cell, h0, xs, { checkpoint: true }).pow(2).sum(), wrt), ref, 1e-12, 'auto');
    expectClose(lossAndGrads(() => tf.fold(cell, h0, xs, { checkpoint: true, params: [W, U, b] }).pow(2).sum(), wrt),
      ref, 1e-12, 'listed');
  });

  test('xs as an array of Tensors; gradients reach each element', () => {
    const list = [0, 1, 2].map((i) => param([3], 10 + i, 1));
    const ref = lossAndGrads(() => {
      let h = h0;
      for (const x of list) h = cell(h, x);
      return h.sum();
    }, [...list, W]);
    expectClose(lossAndGrads(() => tf.fold(cell, h0, list).sum(), [...list, W]), ref, 1e-12, 'array');
    expectClose(lossAndGrads(() => tf.fold(cell, h0, list, { checkpoint: true }).sum(), [...list, W]), ref, 1e-12, 'array ck');
  });

  test('zero steps return init', () => {
    const r = tf.fold(cell, h0, tf.zeros([0, 3], F64));
    expect(r).toBe(h0);
  });

  test('a parameter computed outside the loop (not a leaf) gets its gradient through the checkpoint node', () => {
    const loss = (ck) => {
      const W2 = W.mul(2);  // non-leaf, closed over
      return tf.fold((h, x) => h.matmul(W2).add(x.matmul(U)).tanh(), h0, xs, { checkpoint: ck }).sum().add(W2.sum());
    };
    expectClose(lossAndGrads(() => loss(true), wrt), lossAndGrads(() => loss(false), wrt), 1e-12, 'non-leaf param');
  });

  test('finite differences (float64)', () => {
    const x0 = xs.detach();
    const f = (x) => tf.fold(cell, h0.detach(), x, { checkpoint: true }).sum();
    const g = tf.grad(f)(x0);
    const eps = 1e-6, base = x0.toTypedArray();
    const gv = g.toTypedArray();
    for (const k of [0, 4, 11, 20]) {
      const p = Float64Array.from(base); p[k] += eps;
      const m = Float64Array.from(base); m[k] -= eps;
      const num = (f(tf.tensor(p, { shape: x0.shape })).item() - f(tf.tensor(m, { shape: x0.shape })).item()) / (2 * eps);
      expect(Math.abs(num - gv[k])).toBeLessThan(1e-7);
    }
  });
});

describe('scan', () => {
  // An LSTM-like cell: object carry {h, c}, array output [h, c.sum()].
  const Wx = param([3, 8], 21), Wh = param([2, 8], 22), xs = param([5, 3], 23, 1);
  const init = { h: param([2], 24), c: param([2], 25) };
  const cell = ({ h, c }, x) => {
    const z = x.matmul(Wx).add(h.matmul(Wh));
    const [i, f, g, o] = z.chunk(4, 0);
    const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
    const h2 = o.sigmoid().mul(c2.tanh());
    return [{ c: c2, h: h2 }, [h2, c2.sum()]];  // keys in another order on purpose
  };
  const wrt = [Wx, Wh, xs, init.h, init.c];
  const lossOf = (last, ys) => last.h.sum().add(last.c.mul(3).sum()).add(ys[0].pow(2).sum()).add(ys[1].sin().sum());
  const plain = () => {
    let carry = init;
    const a = [], b = [];
    for (let i = 0; i < 5; i++) {
      const [c, [y1, y2]] = cell(carry, xs.select(0, i));
      carry = c; a.push(y1); b.push(y2);
    }
    return lossOf(carry, [tf.stack(a), tf.stack(b)]);
  };

  test('structured carry and outputs: values and gradients equal a plain loop', () => {
    const [last, ys] = tf.scan(cell, init, xs);
    expect(ys[0].shape).toEqual([5, 2]);
    expect(ys[1].shape).toEqual([5]);
    expect(Object.keys(last).sort()).toEqual(['c', 'h']);
    const ref = lossAndGrads(plain, wrt);
    expectClose(lossAndGrads(() => lossOf(...tf.scan(cell, init, xs)), wrt), ref, 1e-12, 'scan');
  });

  test('checkpoint gives identical gradients', () => {
    // One tape node stands for the whole checkpointed loop.
    expect(tf.scan(cell, init, xs, { checkpoint: true })[1][0].gradFn).toBe('scan');
    expect(tf.scan(cell, init, xs)[1][0].gradFn).not.toBe('scan');
    const ref = lossAndGrads(plain, wrt);
    expectClose(lossAndGrads(() => lossOf(...tf.scan(cell, init, xs, { checkpoint: true })), wrt), ref, 1e-12, 'ck');
  });

  test('reverse runs right to left and keeps ys aligned with positions', () => {
    const w = param([1], 30);
    const xs1 = param([4], 31, 1);
    const [c, ys] = tf.scan((s, x) => { const n = s.mul(w).add(x); return [n, n]; }, tf.zeros([], F64), xs1, { reverse: true });
    const v = xs1.toTypedArray(), wv = w.item();
    const exp = new Array(4);
    let s = 0;
    for (let i = 3; i >= 0; i--) { s = s * wv + v[i]; exp[i] = s; }
    expectClose(ys, tf.tensor(Float64Array.from(exp)), 1e-12);
    expect(c.item()).toBeCloseTo(exp[0], 12);
    const ref = lossAndGrads(() => tf.scan((s2, x) => { const n = s2.mul(w).add(x); return [n, n]; }, tf.zeros([], F64), xs1, { reverse: true })[1].pow(2).sum(), [w, xs1]);
    const ck = lossAndGrads(() => tf.scan((s2, x) => { const n = s2.mul(w).add(x); return [n, n]; }, tf.zeros([], F64), xs1, { reverse: true, checkpoint: true })[1].pow(2).sum(), [w, xs1]);
    expectClose(ck, ref, 1e-12, 'reverse ck');
  });

  test('second-order gradients through a scan: grad(grad(f)) and checkpointed', () => {
    // f(a) = sum over a scan s <- tanh(a*s + x); check d2f/da2 against finite differences of df/da.
    const xsc = tf.tensor([0.3, -0.2, 0.5, 0.1], F64);
    const f = (ck) => (a) => tf.scan((s, x) => { const n = s.mul(a).add(x).tanh(); return [n, n]; },
      tf.tensor(0.2, F64), xsc, { checkpoint: ck })[1].sum();
    const a0 = tf.tensor(0.7, F64);
    const d1 = (ck, v) => tf.grad(f(ck))(tf.tensor(v, F64)).item();
    const d2 = tf.grad(tf.grad(f(false)))(a0).item();
    const d2ck = tf.grad(tf.grad(f(true)))(a0).item();
    const num = (d1(false, 0.7 + 1e-5) - d1(false, 0.7 - 1e-5)) / 2e-5;
    expect(Math.abs(d2 - num)).toBeLessThan(1e-7);
    expect(Math.abs(d2ck - d2)).toBeLessThan(1e-12);
    expect(Math.abs(d1(true, 0.7) - d1(false, 0.7))).toBeLessThan(1e-12);
  });

  test('hvp through a checkpointed scan equals the plain one', () => {
    const xsc = param([6, 3], 40, 1).detach();
    const f = (ck) => (w) => tf.scan((h, x) => { const n = h.add(x.mul(w)).tanh(); return [n, n.pow(2)]; },
      tf.zeros([3], F64), xsc, { checkpoint: ck })[1].sum();
    const w0 = tf.tensor([0.4, -0.3, 0.9], F64), v = tf.tensor([1, 2, -1], F64);
    expectClose(tf.hvp(f(true), w0, v), tf.hvp(f(false), w0, v), 1e-12, 'hvp');
  });
});

describe('unfold', () => {
  const A = param([3, 3], 50), c0 = param([3], 51);
  const gen = (c) => { const n = c.matmul(A).tanh(); return [n, n.sum()]; };

  test('a fixed number of steps equals a plain loop (values, gradients, checkpoint)', () => {
    const plain = () => {
      let c = c0; const ys = [];
      for (let i = 0; i < 6; i++) { const [n, y] = gen(c); c = n; ys.push(y); }
      return tf.stack(ys).pow(2).sum();
    };
    const ref = lossAndGrads(plain, [A, c0]);
    expect(tf.unfold(gen, c0, 6).shape).toEqual([6]);
    expectClose(lossAndGrads(() => tf.unfold(gen, c0, 6).pow(2).sum(), [A, c0]), ref, 1e-12, 'unfold');
    expectClose(lossAndGrads(() => tf.unfold(gen, c0, 6, { checkpoint: true }).pow(2).sum(), [A, c0]), ref, 1e-12, 'ck');
  });

  test('until: the step whose output satisfies it is the last one kept; the length is decided at run time', () => {
    // Counter carry: y = step number + 1; stop once y >= 4 → ys = [1, 2, 3, 4].
    const w = param([], 52);
    const body = (c) => { const n = c.add(1); return [n, n.mul(w)]; };
    const until = (y, c) => c.item() >= 4;
    const ys = tf.unfold(body, tf.zeros([], F64), { maxSteps: 10, until });
    expect(ys.shape).toEqual([4]);
    const ck = tf.unfold(body, tf.zeros([], F64), { maxSteps: 10, until }, { checkpoint: true });
    expectClose(ck, ys, 0);
    // d/dw sum(ys) = 1 + 2 + 3 + 4
    const g = lossAndGrads(() => tf.unfold(body, tf.zeros([], F64), { maxSteps: 10, until }, { checkpoint: true }).sum(), [w]);
    expect(g[1][0].item()).toBeCloseTo(10, 12);
    // maxSteps bounds the loop when until never holds; until may return a bool Tensor.
    expect(tf.unfold(body, tf.zeros([], F64), { maxSteps: 3, until: (y) => y.gt(1e9) }).shape).toEqual([3]);
  });

  test('a run-time stopping rule on the generated values', () => {
    // Decays until |y| < 0.1: gradients match a plain while loop.
    const a = param([], 53);
    const body = (c) => { const n = c.mul(a.sigmoid()); return [n, n]; };
    const stop = (y) => Math.abs(y.item()) < 0.1;
    const plain = () => {
      let c = tf.tensor(1, F64); const ys = [];
      for (let i = 0; i < 50; i++) { const [n, y] = body(c); c = n; ys.push(y); if (stop(y)) break; }
      return tf.stack(ys).sum();
    };
    const ref = lossAndGrads(plain, [a]);
    const got = lossAndGrads(() => tf.unfold(body, tf.tensor(1, F64), { maxSteps: 50, until: stop }, { checkpoint: true }).sum(), [a]);
    expectClose(got, ref, 1e-12, 'while');
  });
});

describe('bidirectional', () => {
  const Wf = param([2, 2], 60), Wb = param([2, 2], 61), xs = param([5, 2], 62, 1);
  const fwd = (h, x) => { const n = h.matmul(Wf).add(x).tanh(); return [n, n]; };
  const bwd = (h, x) => { const n = h.matmul(Wb).add(x).tanh(); return [n, n.mul(2)]; };

  test('equals a left-to-right and a right-to-left loop, outputs concatenated per position', () => {
    const z = tf.zeros([2], F64);
    const plain = () => {
      const yf = [], yb = new Array(5);
      let h = z;
      for (let i = 0; i < 5; i++) { const [n, y] = fwd(h, xs.select(0, i)); h = n; yf.push(y); }
      let g = z;
      for (let i = 4; i >= 0; i--) { const [n, y] = bwd(g, xs.select(0, i)); g = n; yb[i] = y; }
      return tf.concat([tf.stack(yf), tf.stack(yb)], -1);
    };
    const [[cf, cb], ys] = tf.bidirectional(fwd, bwd, z, z, xs);
    expect(ys.shape).toEqual([5, 4]);
    expectClose(ys, plain(), 1e-12);
    expectClose(cf, ys.select(0, 4).narrow(0, 0, 2), 1e-12);
    expectClose(cb.mul(2), ys.select(0, 0).narrow(0, 2, 2), 1e-12);
    const wrt = [Wf, Wb, xs];
    const ref = lossAndGrads(() => plain().pow(2).sum(), wrt);
    expectClose(lossAndGrads(() => tf.bidirectional(fwd, bwd, z, z, xs)[1].pow(2).sum(), wrt), ref, 1e-12, 'bi');
    expectClose(lossAndGrads(() => tf.bidirectional(fwd, bwd, z, z, xs, { checkpoint: true })[1].pow(2).sum(), wrt), ref, 1e-12, 'bi ck');
  });
});

describe('mapWindows', () => {
  const K = param([3, 2, 4], 70);  // kernel over a window of 3 positions, 2 channels → 4
  const x = param([9, 2], 71, 1);
  const conv = (w) => w.reshape([1, 6]).matmul(K.reshape([6, 4])).reshape([4]);

  test('equals a loop over narrow() windows, with stride; values and gradients; checkpoint', () => {
    for (const stride of [1, 2, 3]) {
      const n = Math.floor((9 - 3) / stride) + 1;
      const plain = () => {
        const ys = [];
        for (let i = 0; i < n; i++) ys.push(conv(x.narrow(0, i * stride, 3)));
        return tf.stack(ys);
      };
      const y = tf.mapWindows(conv, x, { size: 3, stride });
      expect(y.shape).toEqual([n, 4]);
      expectClose(y, plain(), 1e-12);
      const ref = lossAndGrads(() => plain().sin().sum(), [K, x]);
      expectClose(lossAndGrads(() => tf.mapWindows(conv, x, { size: 3, stride }).sin().sum(), [K, x]), ref, 1e-12, `s${stride}`);
      expectClose(lossAndGrads(() => tf.mapWindows(conv, x, { size: 3, stride, checkpoint: true }).sin().sum(), [K, x]),
        ref, 1e-12, `ck s${stride}`);
    }
  });

  test('windows along another dim', () => {
    const xt = param([2, 7], 72, 1);  // channels first, windows along dim 1 (and -1)
    const f = (w) => w.mul(w).sum();
    const plain = () => tf.stack([0, 2, 4].map((i) => f(xt.narrow(1, i, 3))));
    expectClose(tf.mapWindows(f, xt, { size: 3, stride: 2, dim: -1 }), plain(), 1e-12);
    const ref = lossAndGrads(() => plain().sum(), [xt]);
    expectClose(lossAndGrads(() => tf.mapWindows(f, xt, { size: 3, stride: 2, dim: 1, checkpoint: true }).sum(), [xt]), ref, 1e-12);
  });
});

describe('foldTree', () => {
  const E = param([5, 3], 80), Wn = param([6, 3], 81);
  const leaf = (v) => E.select(0, v);
  const node = (kids, v) => tf.concat(kids.length === 2 ? kids : [kids[0], kids[0]]).reshape([1, 6]).matmul(Wn).reshape([3]).tanh().mul(v ?? 1);
  const tree = { value: 2, children: [{ value: 1 }, { children: [{ value: 0 }, { value: 4 }] }, ] };
  const unary = { children: [tree] };
  const rec = (t) => (!t.children || !t.children.length ? leaf(t.value) : node(t.children.map(rec), t.value));

  test('equals plain recursion: values and gradients; checkpoint', () => {
    for (const t of [tree, unary, { value: 3 }]) {
      const ref = lossAndGrads(() => rec(t).pow(2).sum(), [E, Wn]);
      expectClose(lossAndGrads(() => tf.foldTree(t, { leaf, node }).pow(2).sum(), [E, Wn]), ref, 1e-12, 'tree');
      expectClose(lossAndGrads(() => tf.foldTree(t, { leaf, node }, { checkpoint: true }).pow(2).sum(), [E, Wn]), ref, 1e-12, 'tree ck');
    }
  });

  test('a deep tree does not overflow the stack', () => {
    let t = { value: 0 };
    for (let i = 0; i < 20000; i++) t = { children: [t] };
    const r = tf.foldTree(t, { leaf: () => tf.tensor(1, F64), node: (k) => k[0].mul(1) });
    expect(r.item()).toBe(1);
  });
});

describe('errors', () => {
  const xs = tf.ones([3, 2]);
  test('fn returning a carry of the wrong structure', () => {
    expect(() => tf.fold((c) => [c, c], tf.zeros([2]), xs)).toThrow(/fold: fn returned a carry of structure \[Tensor, Tensor\] at step 0, but the carry has structure Tensor/);
    expect(() => tf.scan(({ h }) => [{ h, c: h }, h], { h: tf.zeros([2]) }, xs))
      .toThrow(/scan: fn returned a carry of structure \{h: Tensor, c: Tensor\} at step 0, but the carry has structure \{h: Tensor\}/);
    expect(() => tf.fold(() => 3, tf.zeros([2]), xs)).toThrow(TypeError);
    expect(() => tf.fold(() => 3, tf.zeros([2]), xs)).toThrow(/fold: fn returned an invalid carry at step 0 \(expected Tensor, got number\)/);
  });
  test('scan fn not returning [carry, y]', () => {
    expect(() => tf.scan((c, x) => c.add(x), tf.zeros([2]), xs)).toThrow(/scan: fn must return \[carry, y\], got Tensor of shape \[2\]/);
  });
  test('xs not a tensor', () => {
    expect(() => tf.fold((c) => c, tf.zeros([2]), 5)).toThrow(/fold: xs must be a Tensor \(iterated over dim 0\) or an array of Tensors, got number/);
    expect(() => tf.scan((c) => [c, c], tf.zeros([2]), [tf.ones([2]), 'x'])).toThrow(/scan: xs\[1\] must be a Tensor/);
    expect(() => tf.fold((c) => c, tf.zeros([2]), tf.tensor(1))).toThrow(/at least one dimension/);
  });
  test('init of the wrong kind', () => {
    expect(() => tf.fold((c) => c, [tf.zeros([2]), 7], xs)).toThrow(/fold: init must be a Tensor, an array of Tensors or an object of Tensors, but contains number/);
  });
  test('window size larger than the dim', () => {
    expect(() => tf.mapWindows((w) => w, tf.ones([4, 3]), { size: 5 })).toThrow(RangeError);
    expect(() => tf.mapWindows((w) => w, tf.ones([4, 3]), { size: 5 })).toThrow(/mapWindows: window size 5 is larger than dim 0 of length 4 \(shape \[4,3\]\)/);
    expect(() => tf.mapWindows((w) => w, tf.ones([4, 3]), { size: 2, dim: 2 })).toThrow(/mapWindows: dim 2 is out of range/);
    expect(() => tf.mapWindows((w) => w, tf.ones([4, 3]), { size: 2, stride: 0 })).toThrow(/stride must be at least 1/);
  });
  test('outputs of changing shape cannot be stacked', () => {
    expect(() => tf.scan((c, x, i) => [c, tf.zeros([i + 1])], tf.zeros([1]), xs)).toThrow(/scan: fn returned outputs of different shapes, \[1\] at the first step and \[2\] at step 1/);
  });
  test('unfold steps', () => {
    expect(() => tf.unfold((c) => [c, c], tf.zeros([1]), 0)).toThrow(/unfold: the number of steps must be a positive integer, got 0/);
    expect(() => tf.unfold((c) => [c, c], tf.zeros([1]), { until: () => true })).toThrow(/maxSteps is required/);
    expect(() => tf.unfold((c) => [c, c], tf.zeros([1]), { maxSteps: 3, until: () => 'yes' })).toThrow(/until must return a boolean/);
  });
  test('foldTree misuse', () => {
    expect(() => tf.foldTree(null, { leaf: () => tf.ones([1]), node: (k) => k[0] })).toThrow(/foldTree: tree must be an object/);
    expect(() => tf.foldTree({ value: 1 }, { leaf: () => 3, node: (k) => k[0] })).toThrow(/foldTree: leaf must return a Tensor, got number/);
    const shared = { value: 1 };
    expect(() => tf.foldTree({ children: [shared, shared] }, { leaf: () => tf.ones([1]), node: (k) => k[0] })).toThrow(/appears twice/);
  });
  test('the library keeps working after a body throws in checkpoint mode (engine functions restored)', () => {
    const before = native.binary;
    const w = tf.ones([2]).requiresGrad_(true);
    expect(() => tf.fold((c, x) => { if (x.sum().item() > 0) throw new Error('boom'); return c.mul(w); }, tf.zeros([2]), xs, { checkpoint: true })).toThrow('boom');
    expect(native.binary).toBe(before);
    expect(tf.ones([2]).add(1).toArray()).toEqual([2, 2]);
  });
});
