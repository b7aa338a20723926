// Tensor.registerHook (issue #10): hooks on leaves and intermediates against PyTorch 1.13
// (test/fixtures/hooks.json from scripts/gen_hooks_fixtures.py), removal, order, errors raised in
// hooks and about their results, tf.grad, higher order, and what the engine keeps alive.
'use strict';
const { tf, loadFixtures, expectClose, expectThrowsKind, checkGrad, randTensor, weights, values64 } = require('./helpers');
const { native } = require('../dist/native');

require('v8').setFlagsFromString('--expose-gc');
const gc = require('vm').runInNewContext('gc');

const f64 = (values, shape) => tf.tensor(values, { dtype: 'float64', shape });

// ---------------------------------------------------------------- PyTorch fixtures
// Each graph as in scripts/gen_hooks_fixtures.py, keyed by the case name. L: leaves (requiring
// grad), W: constants, rec(tag, fn): a hook that logs its argument and then runs fn.
const GRAPHS = {
  'scale intermediate'(L, W, rec) {
    const y = L.x.sin().mul(2);
    y.registerHook(rec('y', (g) => g.mul(3)));
    y.mul(y).mul(W.w).sum().backward();
  },
  'replace leaf used twice'(L, W, rec) {
    const x = L.x;
    x.registerHook(rec('x', (g) => g.clamp(-0.5, 0.5)));
    x.mul(x).add(x.exp().mul(W.w)).sum().backward();
  },
  'order of hooks'(L, W, rec) {
    const y = L.x.tanh();
    y.registerHook(rec('y1', (g) => g.add(1)));
    y.registerHook(rec('y2', (g) => g.mul(2)));
    L.x.registerHook(rec('x', (g) => g.neg()));
    y.mul(W.w).sum().backward();
  },
  'observing hooks'(L, W, rec) {
    const y = L.x.matmul(L.v);
    y.registerHook(rec('y', () => undefined));
    L.v.registerHook(rec('v', () => null));
    y.exp().mul(W.w).sum().backward();
  },
  'outputs of one node'(L, W, rec) {
    const [p, q] = L.x.split(2);
    p.registerHook(rec('p', (g) => g.neg()));
    q.registerHook(rec('q', (g) => g.mul(0.5)));
    p.mul(W.w).sum().add(q.exp().sum()).backward();
  },
  'intermediate used twice'(L, W, rec) {
    const y = L.x.mul(3);
    y.registerHook(rec('y', (g) => g.mul(g)));
    y.sin().mul(W.w).sum().add(y.mul(y).sum()).backward();
  },
  'hooks along a chain'(L, W, rec) {
    const h1 = L.a.mul(L.b);
    const h2 = h1.sigmoid().add(L.a);
    h1.registerHook(rec('h1', (g) => g.mul(10)));
    h2.registerHook(rec('h2', (g) => g.sub(0.25)));
    L.b.registerHook(rec('b', (g) => g.div(4)));
    h2.mul(h2).mul(W.w).sum().backward();
  },
  'broadcast leaf'(L, W, rec) {
    const y = L.x.add(L.bias);
    L.bias.registerHook(rec('bias', (g) => g.mul(2)));
    y.registerHook(rec('y', (g) => g.add(W.w)));
    y.relu().mul(y).sum().backward();
  },
  'create graph'(L, W) {
    // x.grad = G(x) = 3x^3 (1 + x), built by the hooks' own ops; then d(sum w G)/dx
    const x = L.x;
    const y = x.pow(3);
    y.registerHook((g) => g.mul(x));
    x.registerHook((g) => g.mul(x.add(1)));
    y.sum().backward(null, { createGraph: true });
    const G = x.grad;
    x.grad = null;
    G.mul(W.w).sum().backward();
    return { G };
  },
  'double backward through a hooked node'(L, W) {
    const G = (x) => tf.grad((t) => {
      const y = t.mul(t);
      y.registerHook((g) => g.mul(t));
      return y.sin().mul(W.w).sum();
    })(x);
    return { G: G(L.x.detach()), H: tf.grad((x) => G(x).sum())(L.x.detach()) };
  },
  'hook before an in-place op'(L, W, rec) {
    const y = L.x.mul(2);
    y.registerHook(rec('y', (g) => g.mul(10)));
    y.mul_(W.w);
    y.mul(y).sum().backward();
  },
  'two backward passes'(L, W, rec) {
    L.x.registerHook(rec('x', (g) => g.mul(2)));
    const y = L.x.mul(W.w).exp();
    y.sum().backward(null, { retainGraph: true });
    y.sum().backward();
  },
};

describe('registerHook against PyTorch 1.13', () => {
  const cases = loadFixtures('hooks.json');
  test('every fixture case has a graph here', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(GRAPHS).sort());
  });
  for (const c of cases) {
    test(c.name, () => {
      const L = {}, W = {};
      for (const [k, s] of Object.entries(c.inputs)) {
        const t = f64(s.values, s.shape);
        if (k.startsWith('w')) W[k] = t;
        else L[k] = t.requiresGrad_(true);
      }
      const calls = [];
      const rec = (tag, fn) => (g) => {
        calls.push({ hook: tag, grad: Array.from(values64(g)) });
        return fn(g);
      };
      const extra = GRAPHS[c.name](L, W, rec) || {};
      const tol = { rtol: 1e-10, atol: 1e-12 };
      expect(calls.map((k) => k.hook)).toEqual(c.calls.map((k) => k.hook));
      c.calls.forEach((k, i) => expectClose(calls[i].grad, k.grad, tol, `${c.name}: hook ${k.hook}`));
      for (const [k, g] of Object.entries(c.grads)) expectClose(L[k].grad, g, tol, `${c.name}: ${k}.grad`);
      for (const [k, v] of Object.entries(c.extra)) expectClose(extra[k], v, tol, `${c.name}: ${k}`);
    });
  }
});

// ---------------------------------------------------------------- handles and order
describe('registerHook handles', () => {
  test('remove() unregisters one hook; a second remove() does nothing', () => {
    const x = f64([1, 2, 3]).requiresGrad_(true);
    const seen = [];
    const h1 = x.registerHook((g) => { seen.push('a'); return g.mul(10); });
    x.registerHook((g) => { seen.push('b'); return g.add(1); });
    x.sum().backward();
    expect(Array.from(x.grad.toTypedArray())).toEqual([11, 11, 11]); // (1 * 10) + 1
    h1.remove();
    h1.remove();
    x.grad = null;
    x.sum().backward();
    expect(Array.from(x.grad.toTypedArray())).toEqual([2, 2, 2]);
    expect(seen).toEqual(['a', 'b', 'b']);
  });

  test('an intermediate hook removed before backward does not run', () => {
    const x = f64([1, 2]).requiresGrad_(true);
    const y = x.mul(2);
    const h = y.registerHook(() => { throw new Error('removed hook ran'); });
    h.remove();
    y.sum().backward();
    expect(Array.from(x.grad.toTypedArray())).toEqual([2, 2]);
  });

  test('a hook may remove itself or register another while backward runs', () => {
    const x = f64([1, 2]).requiresGrad_(true);
    const seen = [];
    const h = x.registerHook((g) => {
      seen.push('once');
      h.remove();
      x.registerHook(() => { seen.push('later'); });
      return g.mul(3);
    });
    x.sum().backward();
    expect(seen).toEqual(['once']); // the new hook starts with the next pass
    expect(Array.from(x.grad.toTypedArray())).toEqual([3, 3]);
    x.sum().backward();
    expect(seen).toEqual(['once', 'later']);
    expect(Array.from(x.grad.toTypedArray())).toEqual([4, 4]);
  });

  test('hooks on one node run in registration order, across its outputs', () => {
    const x = f64([1, 2, 3, 4]).requiresGrad_(true);
    const [p, q] = x.split(2);
    const seen = [];
    q.registerHook(() => { seen.push('q1'); });
    p.registerHook(() => { seen.push('p'); });
    q.registerHook(() => { seen.push('q2'); });
    p.add(q).sum().backward();
    expect(seen).toEqual(['q1', 'p', 'q2']);
  });

  test('a hook is not called for an output that received no gradient', () => {
    const x = f64([1, 2, 3, 4]).requiresGrad_(true);
    const [p, q] = x.split(2);
    const seen = [];
    p.registerHook(() => { seen.push('p'); });
    q.registerHook(() => { seen.push('q'); }); // PyTorch 1.13 calls it with None
    p.sum().backward();
    expect(seen).toEqual(['p']);
    expect(Array.from(x.grad.toTypedArray())).toEqual([1, 1, 0, 0]);
  });

  test('the post-accumulate hook (DDP) sees the gradient a tensor hook replaced', () => {
    const x = f64([1, 2]).requiresGrad_(true);
    x.registerHook((g) => g.mul(5));
    let seen = null;
    const id = native.addGradHook(x._h, () => { seen = Array.from(x.grad.toTypedArray()); });
    x.mul(x).sum().backward();
    native.removeGradHook(id);
    expect(seen).toEqual([10, 20]);
  });
});

// ---------------------------------------------------------------- errors

// run() 200 times after 5 warm-up runs: the engine holds no more storages than before, once the
// collector has run (a leak of the graph, the hook or its tensor would keep them).
function expectNoStorageGrowth(run) {
  for (let i = 0; i < 5; i++) run();
  gc(); gc();
  const before = native.memory().engineStorages;
  for (let i = 0; i < 200; i++) run();
  gc(); gc();
  expect(native.memory().engineStorages).toBeLessThanOrEqual(before);
}
describe('registerHook errors', () => {
  test('a tensor that does not require grad is a coded STATE error', () => {
    const x = f64([1, 2]);
    const e = expectThrowsKind(() => x.registerHook((g) => g), 'Error', /registerHook: .*shape \[2\].*does not require grad/);
    expect(e.code).toBe('ERR_TENSORFOLD_STATE');
    const y = tf.noGrad(() => f64([1]).requiresGrad_(true).mul(2));
    expect(expectThrowsKind(() => y.registerHook((g) => g), 'Error', /does not require grad/).code).toBe('ERR_TENSORFOLD_STATE');
  });

  test('a hook that is not a function is a TypeError', () => {
    const x = f64([1]).requiresGrad_(true);
    const e = expectThrowsKind(() => x.registerHook(42), 'TypeError', /registerHook: the hook must be a function/);
    expect(e.code).toBe('ERR_TENSORFOLD_ARGUMENT');
  });

  test('a gradient of the wrong shape is a SHAPE error naming registerHook and both shapes', () => {
    const x = f64([1, 2, 3, 4], [2, 2]).requiresGrad_(true);
    const y = x.mul(2);
    y.registerHook(() => f64([1, 2, 3, 4]));
    const e = expectThrowsKind(() => y.sum().backward(), 'Error',
      /registerHook: the hook returned a gradient of shape \[4\] for a tensor of shape \[2,2\]/);
    expect(e.code).toBe('ERR_TENSORFOLD_SHAPE');
    const z = f64([1, 2]).requiresGrad_(true);
    z.registerHook((g) => g.sum());
    expect(expectThrowsKind(() => z.sum().backward(), 'Error', /shape \[\] for a tensor of shape \[2\]/).code).toBe('ERR_TENSORFOLD_SHAPE');
  });

  test('a gradient of another dtype or a non-tensor result is a TypeError', () => {
    const x = f64([1, 2]).requiresGrad_(true);
    const h = x.registerHook((g) => g.float());
    const e = expectThrowsKind(() => x.sum().backward(), 'TypeError', /registerHook: .*dtype float32 for a tensor of dtype float64/);
    expect(e.code).toBe('ERR_TENSORFOLD_DTYPE');
    h.remove();
    x.registerHook(() => [1, 2]);
    const e2 = expectThrowsKind(() => x.sum().backward(), 'TypeError', /registerHook: the hook must return a Tensor or nothing/);
    expect(e2.code).toBe('ERR_TENSORFOLD_ARGUMENT');
  });

  test('an error thrown by a hook propagates from backward, and the library keeps working', () => {
    const boom = new Error('boom from a hook');
    const x = f64([1, 2, 3]).requiresGrad_(true);
    const y = x.exp();
    y.registerHook(() => { throw boom; });
    let caught = null;
    try { y.sum().backward(); } catch (e) { caught = e; }
    expect(caught).toBe(boom); // the hook's own error object, untouched
    expect(tf.isGradEnabled()).toBe(true);
    expect(x.grad).toBeNull();
    // A new graph over the same leaf works, with and without createGraph.
    x.mul(x).sum().backward();
    expect(Array.from(x.grad.toTypedArray())).toEqual([2, 4, 6]);
    const g = tf.grad((t) => t.pow(3).sum())(f64([2]));
    expect(g.item()).toBe(12);
    // A throw inside a createGraph pass leaves grad mode as it was, too.
    const z = f64([1]).requiresGrad_(true);
    z.registerHook(() => { throw new RangeError('second'); });
    expectThrowsKind(() => tf.noGrad(() => tf.enableGrad(() => z.mul(2).sum()).backward(null, { createGraph: true })),
      'RangeError', /second/);
    expect(tf.isGradEnabled()).toBe(true);
  });

  test('a failed grad() drops only the hooks of the part of the graph it runs', () => {
    const x = f64([1, 2]).requiresGrad_(true);
    const y = x.mul(2);
    const seen = [];
    y.registerHook(() => { seen.push('y'); });
    const z = y.mul(3);
    const w = z.sin();
    w.registerHook(() => { throw new Error('w hook'); });
    expectThrowsKind(() => native.gradOf([w.sum()._h], [null], [z._h], false, false), 'Error', /w hook/);
    expect(seen).toEqual([]); // y lies below z: grad() with respect to z never reaches it
    z.sum().backward();
    expect(seen).toEqual(['y']);
    expect(Array.from(x.grad.toTypedArray())).toEqual([6, 6]);
  });

  test('throwing hooks leak no native memory', () => {
    const run = () => tf.tidy(() => {
      const x = randTensor([64]).requiresGrad_(true);
      const y = x.tanh().mul(x);
      y.registerHook((g) => { g.mul(2); throw new Error('fail'); });
      try { y.sum().backward(); } catch (e) { /* expected */ }
    });
    expectNoStorageGrowth(run);
  });

  test('a throwing hook that closes over its tensor does not keep it alive', () => {
    // No tidy: only the collector frees these, and only once the failed pass has dropped the hook.
    const run = () => {
      const x = randTensor([32]).requiresGrad_(true);
      const y = x.sin();
      y.registerHook(() => { throw new Error(`fail ${y.shape}`); });
      try { y.sum().backward(); } catch (e) { /* expected */ }
    };
    expectNoStorageGrowth(run);
  });

  test('hooks closing over their tensor are freed with the graph after backward', () => {
    // No tidy: only the collector frees these, and only once backward has dropped the hook.
    const run = () => {
      const x = randTensor([32]).requiresGrad_(true);
      const y = x.sin();
      y.registerHook((g) => g.mul(y)); // the closure holds y, whose node holds the hook
      y.sum().backward();
    };
    expectNoStorageGrowth(run);
  });
});

// ---------------------------------------------------------------- tf.grad and higher order
describe('registerHook with tf.grad and createGraph', () => {
  test('tf.grad runs hooks on intermediates', () => {
    // f = sum(w * y^2), y = 3x, hook doubles dz/dy: grad = 2 * 2y * w * 3
    const w = f64([0.5, -1, 2]);
    const f = (x) => {
      const y = x.mul(3);
      y.registerHook((g) => g.mul(2));
      return y.mul(y).mul(w).sum();
    };
    const x = f64([1, 2, 3]);
    const g = values64(tf.grad(f)(x));
    expectClose(g, [1, 2, 3].map((v, i) => 2 * 2 * 3 * v * [0.5, -1, 2][i] * 3), { rtol: 1e-12, atol: 0 });
  });

  test('tf.grad runs the hooks of an input that already requires grad (as PyTorch 2, unlike 1.13)', () => {
    // The input is used as is when it requires grad (nested transforms), so its hooks apply.
    const x = f64([1, 2]).requiresGrad_(true);
    x.registerHook((g) => g.mul(100));
    const y = x.mul(3);
    y.registerHook((g) => g.mul(10));
    const z = y.mul(y).sum();
    const [gx] = native.gradOf([z._h], [null], [x._h], true, false).map((h) => new tf.Tensor(h));
    const [gy] = native.gradOf([z._h], [null], [y._h], true, false).map((h) => new tf.Tensor(h));
    expect(Array.from(gy.toTypedArray())).toEqual([60, 120]); // 2y, then y's hook
    expect(Array.from(gx.toTypedArray())).toEqual([18000, 36000]); // 2y * 10 * 3, then x's hook
    expect(x.grad).toBeNull(); // grad() touches no .grad
  });

  test('a leaf hook runs once in tf.grad, on the summed gradient', () => {
    const x = f64([1, 2]).requiresGrad_(true);
    const seen = [];
    x.registerHook((g) => { seen.push(Array.from(g.toTypedArray())); });
    const z = x.mul(x).add(x.mul(3)).sum();
    native.gradOf([z._h], [null], [x._h], false, false);
    expect(seen).toEqual([[5, 7]]);
  });

  test('second order through a differentiable hook matches finite differences', () => {
    // First order: G(x) = d/dx sum(w * sin(y)), y = x^2, with dz/dy multiplied by x in the hook:
    // G = w cos(x^2) 2x * x. tf.grad of sum(v * G) is checked against differences of G itself.
    // The hook removes itself, so that only the first-order pass is hooked (a hook left in place
    // also scales the second-order pass through y: the fixture case 'double backward').
    const w = weights([5]);
    const v = weights([5], 'float64', 3);
    const G = (x) => tf.grad((t) => {
      const y = t.mul(t);
      const h = y.registerHook((g) => { h.remove(); return g.mul(t); });
      return y.sin().mul(w).sum();
    })(x);
    const x0 = randTensor([5], { lo: 0.2, hi: 1.5 });
    const g0 = values64(G(x0));
    const xs = Array.from(values64(x0));
    expectClose(g0, xs.map((a, i) => values64(w)[i] * Math.cos(a * a) * 2 * a * a), { rtol: 1e-12, atol: 1e-14 });
    checkGrad((x) => G(x).mul(v).sum(), [x0], { label: 'hooked gradient' });
  });

  test('observing hooks leave gradients equal to finite differences', () => {
    const seen = [];
    const f = (a, b) => {
      const h = a.matmul(b).tanh();
      if (h.requiresGrad) h.registerHook((g) => { seen.push(g.shape); }); // not under finite differences' noGrad
      return h.mul(weights([2, 2])).sum();
    };
    checkGrad(f, [randTensor([2, 3]), randTensor([3, 2], { seed: 11 })]);
    expect(seen[0]).toEqual([2, 2]);
  });

  test('without createGraph the replaced leaf gradient does not require grad', () => {
    const x = f64([1, 2]).requiresGrad_(true);
    x.registerHook((g) => g.mul(x));
    x.sum().backward();
    expect(x.grad.requiresGrad).toBe(false);
    expect(Array.from(x.grad.toTypedArray())).toEqual([1, 2]);
  });

  test('hooks on tensors inside a checkpointed scan body run in its recomputed backward', () => {
    const seen = [];
    const x0 = f64([0.5, -0.5]).requiresGrad_(true);
    const xs = f64([1, 2, 3, 4, 5, 6], [3, 2]);
    const body = (h, x) => {
      const n = h.mul(x).tanh();
      if (tf.isGradEnabled()) n.registerHook((g) => { seen.push(1); return g.mul(2); });
      return n;
    };
    const out = tf.fold(body, x0, xs, { checkpoint: true });
    out.sum().backward();
    const hooked = Array.from(x0.grad.toTypedArray());
    // The same without checkpointing.
    const x1 = f64([0.5, -0.5]).requiresGrad_(true);
    seen.length = 0;
    tf.fold(body, x1, xs).sum().backward();
    expect(seen.length).toBe(3);
    expectClose(hooked, x1.grad, { rtol: 1e-12, atol: 1e-14 });
  });
});
