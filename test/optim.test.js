// tf.optim and tf.nn.utils clipping against PyTorch reference values (scripts/gen_optim_fixtures.py,
// float64), plus state dicts, parameter groups and error handling.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');

const { optim } = tf;
// tf.nn.utils re-exports lib/nn/utils; reach it directly should tf.nn not be wired up yet.
const clip = tf.nn && tf.nn.utils ? tf.nn.utils : require('../dist/nn/utils');
const fx = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'optim.json'), 'utf8'));

function maxAbsDiff(a, b) {
  const fa = a.flat(Infinity), fb = b.flat(Infinity);
  expect(fa.length).toBe(fb.length);
  let m = 0;
  for (let i = 0; i < fa.length; i++) m = Math.max(m, Math.abs(fa[i] - fb[i]));
  return m;
}

function makeParams(dtype = 'float64', from = fx.init) {
  return {
    w1: tf.tensor(from.w1, { dtype, requiresGrad: true }),
    w2: tf.tensor(from.w2, { dtype, requiresGrad: true }),
  };
}

// g = A*w + B. w1's gradient is handed over as a transposed (non-contiguous) view, so the kernels'
// handling of strided gradients is exercised on every step.
function setGrads(w, dtype = 'float64') {
  tf.noGrad(() => {
    const A1 = tf.tensor(fx.A.w1, { dtype }), B1 = tf.tensor(fx.B.w1, { dtype });
    const gT = w.w1.T.mul(A1.T).add(B1.T);
    w.w1.grad = gT.T;
    w.w2.grad = w.w2.mul(tf.tensor(fx.A.w2, { dtype })).add(tf.tensor(fx.B.w2, { dtype }));
  });
}

function makeOptimizer(c, w) {
  const Cls = optim[c.optimizer];
  if (!c.groups) return new Cls([w.w1, w.w2], c.options);
  return new Cls(c.groups.map((g) => ({ params: g.params.map((n) => w[n]), ...(g.options || {}) })), c.options);
}

function train(opt, w, steps, dtype = 'float64') {
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    setGrads(w, dtype);
    opt.step();
  }
}

const deviation = {};
afterAll(() => {
  const lines = Object.entries(deviation).map(([k, v]) => `  ${k.padEnd(40)} ${v.toExponential(2)}`);
  // A note for whoever tunes the kernels, not a result: one line on the console, the table in a file.
  const file = path.join(os.tmpdir(), 'tensorfold-optim-deviation.txt');
  fs.writeFileSync(file, `max |tensorfold - PyTorch ${fx.torch}| after ${fx.steps} float64 steps:\n${lines.join('\n')}\n`);
  process.stdout.write(`optim deviation from PyTorch: ${file}\n`);
});

describe('optimizers match PyTorch (float64, 20 steps)', () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const w = makeParams();
      const opt = makeOptimizer(c, w);
      train(opt, w, fx.steps);
      const dev = Math.max(maxAbsDiff(w.w1.toArray(), c.final.w1), maxAbsDiff(w.w2.toArray(), c.final.w2));
      deviation[c.name] = dev;
      expect(dev).toBeLessThan(1e-5);
      // The weights really moved, so agreement is not trivial.
      expect(maxAbsDiff(w.w1.toArray(), fx.init.w1)).toBeGreaterThan(1e-3);
    });
  }
});

describe('optimizers in float32', () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const w = makeParams('float32');
      const opt = makeOptimizer(c, w);
      train(opt, w, fx.steps, 'float32');
      expect(w.w1.dtype).toBe('float32');
      const dev = Math.max(maxAbsDiff(w.w1.toArray(), c.final.w1), maxAbsDiff(w.w2.toArray(), c.final.w2));
      expect(dev).toBeLessThan(2e-4);
    });
  }
});

describe('lr schedulers match PyTorch', () => {
  for (const s of fx.schedulers) {
    test(`${s.kind} ${JSON.stringify(s.options)}`, () => {
      const a = tf.zeros([1], { requiresGrad: true }), b = tf.zeros([1], { requiresGrad: true });
      const opt = new optim.SGD([{ params: [a], lr: s.groupLrs[0] }, { params: [b], lr: s.groupLrs[1] }], { lr: 0.1 });
      const sched = new optim.lrScheduler[s.kind](opt, s.options);
      const check = (want) => {
        const got = sched.getLastLr();
        expect(opt.paramGroups.map((g) => g.lr)).toEqual(got);
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-15 + 1e-12 * Math.abs(want[i]));
      };
      check(s.lrs[0]);
      for (let t = 0; t < fx.schedulerSteps; t++) {
        opt.step();
        if (s.kind === 'ReduceLROnPlateau') sched.step(s.metrics[t]);
        else sched.step();
        check(s.lrs[t + 1]);
      }
    });
  }

  test('ReduceLROnPlateau accepts a scalar Tensor metric', () => {
    const opt = new optim.SGD([tf.zeros([1], { requiresGrad: true })], { lr: 1 });
    const sched = new optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 0 });
    sched.step(tf.tensor(1));
    sched.step(tf.tensor(2));
    expect(sched.getLastLr()).toEqual([0.1]);
  });

  test('scheduler state dict round trip', () => {
    const mk = () => new optim.SGD([tf.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    const o1 = mk();
    const s1 = new optim.lrScheduler.CosineAnnealingLR(o1, { tMax: 10 });
    for (let i = 0; i < 4; i++) s1.step();
    const saved = JSON.parse(JSON.stringify(s1.stateDict()));
    const o2 = mk();
    const s2 = new optim.lrScheduler.CosineAnnealingLR(o2, { tMax: 10 });
    s2.loadStateDict(saved);
    o2.loadStateDict(o1.stateDict());
    for (let i = 0; i < 5; i++) {
      s1.step();
      s2.step();
    }
    expect(s2.getLastLr()).toEqual(s1.getLastLr());
  });

  test('bad scheduler options', () => {
    const opt = new optim.SGD([tf.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    expect(() => new optim.lrScheduler.StepLR(opt, {})).toThrow(TypeError);
    expect(() => new optim.lrScheduler.StepLR(opt, { stepSize: 0 })).toThrow(/StepLR: invalid stepSize 0/);
    expect(() => new optim.lrScheduler.StepLR({}, { stepSize: 1 })).toThrow(TypeError);
    expect(() => new optim.lrScheduler.ExponentialLR(opt, { gamma: 0.9, gama: 1 })).toThrow(/unknown option "gama"/);
    expect(() => new optim.lrScheduler.ReduceLROnPlateau(opt, { factor: 1.5 })).toThrow(RangeError);
    expect(() => new optim.lrScheduler.ReduceLROnPlateau(opt, { mode: 'up' })).toThrow(/mode/);
    expect(() => new optim.lrScheduler.LinearLR(opt, { startFactor: 0 })).toThrow(/startFactor/);
  });
});

describe('gradient clipping matches PyTorch', () => {
  const setup = () => {
    const ps = fx.clipGrads.map((g) => tf.zerosLike(tf.tensor(g, { dtype: 'float64' })).requiresGrad_());
    ps.forEach((p, i) => { p.grad = tf.tensor(fx.clipGrads[i], { dtype: 'float64' }); });
    return ps;
  };
  for (const c of fx.clipGradNorm) {
    test(`clipGradNorm maxNorm=${c.maxNorm} normType=${c.normType}`, () => {
      const ps = setup();
      const total = clip.clipGradNorm(ps, c.maxNorm, c.normType === 'inf' ? Infinity : c.normType);
      expect(typeof total).toBe('number');
      expect(Math.abs(total - c.total)).toBeLessThan(1e-12 * Math.max(1, c.total));
      ps.forEach((p, i) => expect(maxAbsDiff(p.grad.toArray(), c.clipped[i])).toBeLessThan(1e-12));
    });
  }
  test('clipGradValue', () => {
    const ps = setup();
    expect(clip.clipGradValue(ps, fx.clipGradValue.clipValue)).toBeUndefined();
    ps.forEach((p, i) => expect(maxAbsDiff(p.grad.toArray(), fx.clipGradValue.clipped[i])).toBe(0));
  });
  test('clipping skips params without grads, handles strided grads and a lone tensor', () => {
    const a = tf.zeros([2, 3], { requiresGrad: true });
    const b = tf.zeros([2], { requiresGrad: true });
    a.grad = tf.tensor([[3, 0], [0, 4], [0, 0]]).T; // strided view
    expect(clip.clipGradNorm([a, b], 1)).toBeCloseTo(5, 12);
    expect(b.grad).toBeNull();
    expect(a.grad.toArray()[0][0]).toBeCloseTo(0.6, 6);
    expect(a.grad.toArray()[1][1]).toBeCloseTo(0.8, 6);
    expect(clip.clipGradNorm(b, 1)).toBe(0);
    clip.clipGradValue(a, 0.7);
    expect(a.grad.toArray()[1][1]).toBeCloseTo(0.7, 6);
  });
  test('clipping errors', () => {
    const a = tf.zeros([2], { requiresGrad: true });
    expect(() => clip.clipGradNorm([a, 3], 1)).toThrow(TypeError);
    expect(() => clip.clipGradNorm(a, 'x')).toThrow(TypeError);
    expect(() => clip.clipGradNorm(a, 1, -1)).toThrow(RangeError);
    expect(() => clip.clipGradValue(a, -1)).toThrow(RangeError);
    a.grad = tf.tensor([NaN, 1]);
    expect(() => clip.clipGradNorm(a, 1, 2, { errorIfNonfinite: true })).toThrow(/clipGradNorm: the total norm/);
  });
});

describe('state dict', () => {
  const roundTrip = [
    ['SGD', { lr: 0.05, momentum: 0.9, nesterov: true }],
    ['Adam', { lr: 0.05, amsgrad: true }],
    ['AdamW', { lr: 0.05, weightDecay: 0.1 }],
    ['RMSprop', { lr: 0.01, centered: true, momentum: 0.5 }],
    ['Adagrad', { lr: 0.2, lrDecay: 0.05, initialAccumulatorValue: 0.1 }],
  ];
  for (const [name, options] of roundTrip) {
    test(`${name}: 10 steps + save + restore + 10 steps == 20 steps`, () => {
      const ref = makeParams();
      train(new optim[name]([ref.w1, ref.w2], options), ref, 20);

      const w = makeParams();
      const opt = new optim[name]([w.w1, w.w2], options);
      train(opt, w, 10);
      // Through tf.save / tf.load, as a checkpoint would go.
      const file = path.join(os.tmpdir(), `tf-optim-${process.pid}-${name}.safetensors`);
      tf.save({ ...optim.stateDictToTensors(opt.stateDict()) }, file);
      const loaded = optim.stateDictFromTensors(tf.load(file));
      fs.unlinkSync(file);

      const w2 = makeParams('float64', { w1: w.w1.toArray(), w2: w.w2.toArray() });
      const opt2 = new optim[name]([w2.w1, w2.w2], { lr: 123 });
      opt2.loadStateDict(loaded);
      expect(opt2.paramGroups[0].lr).toBe(options.lr);
      train(opt2, w2, 10);
      expect(maxAbsDiff(w2.w1.toArray(), ref.w1.toArray())).toBe(0);
      expect(maxAbsDiff(w2.w2.toArray(), ref.w2.toArray())).toBe(0);
    });
  }

  test('format: state by parameter index, groups with options and indices', () => {
    const w = makeParams();
    const opt = new optim.Adam([{ params: [w.w1] }, { params: [w.w2], lr: 0.5 }], { lr: 0.01 });
    w.w1.grad = tf.onesLike(w.w1);
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0']); // w2 had no grad
    expect(sd.state['0'].step).toBe(1);
    expect(sd.state['0'].expAvg).toBeInstanceOf(tf.Tensor);
    expect(sd.state['0'].expAvg.shape).toEqual([3, 4]);
    expect(sd.paramGroups).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, params: [0] },
      { lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, params: [1] },
    ]);
    // A snapshot: stepping further leaves it unchanged.
    const before = sd.state['0'].expAvg.toArray();
    opt.step();
    expect(sd.state['0'].expAvg.toArray()).toEqual(before);
    // Loading casts to the parameter dtype and checks shapes and group sizes.
    const w32 = makeParams('float32');
    const opt32 = new optim.Adam([{ params: [w32.w1] }, { params: [w32.w2] }]);
    opt32.loadStateDict(sd);
    expect(opt32.state.get(w32.w1).expAvg.dtype).toBe('float32');
    const optBad = new optim.Adam([w32.w1, w32.w2]);
    expect(() => optBad.loadStateDict(sd)).toThrow(/2 parameter groups/);
    const optBad2 = new optim.Adam([{ params: [w32.w2] }, { params: [w32.w1] }]);
    expect(() => optBad2.loadStateDict(sd)).toThrow(/shape/);
  });
});

describe('behaviour', () => {
  test('zeroGrad sets grads to null; params without grads are skipped', () => {
    const w = makeParams();
    const opt = new optim.SGD([w.w1, w.w2], { lr: 0.1, momentum: 0.9 });
    setGrads(w);
    opt.zeroGrad();
    expect(w.w1.grad).toBeNull();
    w.w2.grad = tf.onesLike(w.w2);
    opt.step();
    expect(w.w1.toArray()).toEqual(fx.init.w1);
    expect(maxAbsDiff(w.w2.toArray(), fx.init.w2.map((v) => v - 0.1))).toBeLessThan(1e-15);
    expect(opt.state.has(w.w1)).toBe(false);
    opt.zeroGrad(false);
    expect(w.w2.grad.toArray()).toEqual([0, 0, 0, 0]);
  });

  test('paramGroups are live: changing lr takes effect', () => {
    const p = tf.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.grad = tf.tensor([1, 1], { dtype: 'float64' });
    opt.paramGroups[0].lr = 0.5;
    opt.step();
    expect(p.toArray()).toEqual([0.5, 1.5]);
  });

  test('step inside tidy keeps the optimizer state alive', () => {
    const p = tf.tensor([1, 2], { requiresGrad: true });
    const opt = new optim.Adam([p], { lr: 0.1 });
    for (let i = 0; i < 3; i++)
      tf.tidy(() => {
        opt.zeroGrad();
        p.mul(p).sum().backward();
        opt.step();
      });
    expect(opt.state.get(p).step).toBe(3);
    expect(opt.state.get(p).expAvg.isDisposed).toBe(false);
  });

  test('step returns the closure loss', () => {
    const p = tf.tensor([3], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = p.mul(p).sum();
      l.backward();
      return l;
    });
    expect(loss.item()).toBe(9);
    expect(p.item()).toBe(1.5);
  });

  test('the update bumps the version, so a stale saved tensor is detected', () => {
    const p = tf.tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    const y = p.mul(p).sum();
    p.grad = tf.onesLike(p);
    opt.step();
    expect(() => y.backward()).toThrow();
  });

  test('does not record on the tape', () => {
    const p = tf.tensor([1, 2], { requiresGrad: true });
    const opt = new optim.Adam([p]);
    p.grad = tf.onesLike(p);
    opt.step();
    expect(p.isLeaf).toBe(true);
    expect(p.gradFn).toBeNull();
    expect(p.requiresGrad).toBe(true);
  });

  test('a large parameter (threaded kernel) matches the small-tensor path', () => {
    const n = 200000;
    const p = tf.randn([n], { dtype: 'float64' }).requiresGrad_();
    const g = tf.randn([n], { dtype: 'float64' });
    const p0 = p.toTypedArray(), g0 = g.toTypedArray();
    const opt = new optim.Adam([p], { lr: 0.01, weightDecay: 0.1 });
    p.grad = g;
    opt.step();
    const out = p.toTypedArray();
    // First Adam step: m = 0.1 g, v = 0.001 g^2, bias-corrected update = lr * g / (|g| + eps') ~ lr * sign(g).
    let worst = 0;
    for (const i of [0, 1, 65535, 65536, 131071, n - 1]) {
      const gi = g0[i] + 0.1 * p0[i];
      const m = 0.1 * gi / 0.1, v = Math.sqrt(0.001 * gi * gi) / Math.sqrt(0.001);
      worst = Math.max(worst, Math.abs(out[i] - (p0[i] - 0.01 * m / (v + 1e-8))));
    }
    expect(worst).toBeLessThan(1e-12);
  });
});

describe('errors', () => {
  const p = () => tf.zeros([2], { requiresGrad: true });
  test('negative or non-numeric options', () => {
    expect(() => new optim.SGD([p()], { lr: -1 })).toThrow(RangeError);
    expect(() => new optim.SGD([p()], { lr: -1 })).toThrow(/SGD: invalid lr -1/);
    expect(() => new optim.Adam([p()], { lr: -0.1 })).toThrow(/Adam: invalid lr/);
    expect(() => new optim.Adam([p()], { betas: [0.9, 1] })).toThrow(/betas\[1\]/);
    expect(() => new optim.Adam([p()], { eps: -1 })).toThrow(/eps/);
    expect(() => new optim.RMSprop([p()], { momentum: -1 })).toThrow(/RMSprop: invalid momentum/);
    expect(() => new optim.Adagrad([p()], { lrDecay: -1 })).toThrow(/lrDecay/);
    expect(() => new optim.AdamW([p()], { weightDecay: -1 })).toThrow(/weightDecay/);
    expect(() => new optim.SGD([p()], { lr: 'a' })).toThrow(TypeError);
    expect(() => new optim.SGD([p()], { lr: 0.1, nesterov: true })).toThrow(/nesterov/);
    expect(() => new optim.SGD([p()], { lr: 0.1, mommentum: 0.9 })).toThrow(/unknown option "mommentum"/);
    expect(() => new optim.SGD([{ params: [p()], lr: -2 }], { lr: 0.1 })).toThrow(/param group 0.*invalid lr -2/);
  });
  test('a group lr made invalid later is caught at step', () => {
    const q = p();
    const opt = new optim.SGD([q], { lr: 0.1 });
    q.grad = tf.onesLike(q);
    opt.paramGroups[0].lr = -1;
    expect(() => opt.step()).toThrow(RangeError);
  });
  test('params that are not tensors', () => {
    expect(() => new optim.Adam([1, 2])).toThrow(TypeError);
    expect(() => new optim.Adam([p(), 'w'])).toThrow(/params\[1\] must be a Tensor/);
    expect(() => new optim.Adam(42)).toThrow(TypeError);
    expect(() => new optim.Adam([{ params: 3 }])).toThrow(TypeError);
    expect(() => new optim.Adam([])).toThrow(/empty parameter list/);
    expect(() => new optim.Adam([tf.tensor([1, 2], { dtype: 'int32' })])).toThrow(TypeError);
    const q = p();
    expect(() => new optim.Adam([q, q])).toThrow(/more than once/);
    expect(() => new optim.Adam([q.mul(2)])).toThrow(/not a leaf/);
  });
  test('mismatched gradients give clear errors and leave things usable', () => {
    // tensor.grad's setter already refuses a mismatched gradient; the kernels check again.
    const n = require('../dist/native').native;
    const q = tf.zeros([2, 3]);
    const st = () => tf.zeros([2, 3])._h;
    expect(() => n.adamStep(q._h, tf.zeros([3, 2])._h, st(), st(), null, 0.1, 0.9, 0.999, 1e-8, 0, 1, false, false))
      .toThrow(/adamStep: grad shape \[3,2\] does not match param shape \[2,3\]/);
    expect(() => n.sgdStep(q._h, tf.zeros([2, 3], { dtype: 'float64' })._h, null, 0.1, 0, 0, 0, false, false))
      .toThrow(/sgdStep: grad dtype float64 does not match param dtype float32/);
    expect(() => n.sgdStep(tf.zeros([2], { dtype: 'int32' })._h, tf.zeros([2])._h, null, 0.1, 0, 0, 0, false, false))
      .toThrow(/sgdStep: param must be float32 or float64/);
    expect(() => n.sgdStep(q._h, 5, null, 0.1, 0, 0, 0, false, false)).toThrow(/sgdStep: expected a Tensor/);
    expect(() => n.sgdStep(q._h, tf.ones([2, 3])._h, null, NaN, 0, 0, 0, false, false)).toThrow(/lr must be finite/);
    const p = tf.zeros([2, 3], { requiresGrad: true });
    const opt = new optim.Adam([p]);
    p.grad = tf.ones([2, 3]);
    opt.step();
    expect(p.toArray()[0][0]).toBeCloseTo(-1e-3, 6);
  });
  test('native kernels validate their buffers', () => {
    const n = require('../dist/native').native;
    const q = tf.zeros([4]), g = tf.zeros([4]);
    expect(() => n.sgdStep(q._h, g._h, tf.zeros([3])._h, 0.1, 0.9, 0, 0, false, false)).toThrow(/momentumBuffer/);
    expect(() => n.adamStep(q._h, g._h, tf.zeros([4])._h, tf.zeros([4])._h, null, 0.1, 0.9, 0.999, 1e-8, 0, 1, true, false))
      .toThrow(/maxExpAvgSq is missing/);
    expect(() => n.adagradStep(q._h, g._h, tf.zeros([4])._h, 0.1, 0, 0, 1e-10, 0)).toThrow(/adagradStep: step must be >= 1, got 0/);
    const big = tf.zeros([4, 4]);
    expect(() => n.rmspropStep(big.T._h, tf.zeros([4, 4])._h, tf.zeros([4, 4])._h, null, null, 0.1, 0.99, 1e-8, 0, 0, false))
      .toThrow(/must be contiguous/);
    expect(() => n.sgdStep(q._h, g._h, q._h, 0.1, 0.9, 0, 0, false, false)).toThrow(/shares memory/);
  });
});
