// Adamax, NAdam, RAdam, Adadelta (fused native steps), LBFGS (fixed step and strong-Wolfe line
// search) and the schedulers added in issue #10, against PyTorch (scripts/gen_optim_extra_fixtures.py).
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('..');

const { optim } = tf;
const fx = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'optim_extra.json'), 'utf8'));
const LS = optim.lrScheduler;

function maxAbsDiff(a, b) {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const flat = (t) => Array.from(t.toTypedArray());
function params(dtype) {
  return {
    w1: tf.tensor(fx.init.w1, { dtype, shape: [3, 4], requiresGrad: true }),
    w2: tf.tensor(fx.init.w2, { dtype, shape: [4], requiresGrad: true }),
  };
}

describe('optimizers match PyTorch (20 steps)', () => {
  for (const dtype of ['float64', 'float32'])
    for (const c of fx.cases)
      test(`${c.name} (${dtype})`, () => {
        const w = params(dtype);
        const A = { w1: tf.tensor(fx.A.w1, { dtype, shape: [3, 4] }), w2: tf.tensor(fx.A.w2, { dtype }) };
        const B = { w1: tf.tensor(fx.B.w1, { dtype, shape: [3, 4] }), w2: tf.tensor(fx.B.w2, { dtype }) };
        const opt = new optim[c.optimizer]([w.w1, w.w2], c.options);
        for (let s = 0; s < fx.steps; s++) {
          opt.zeroGrad();
          tf.noGrad(() => {
            for (const k of ['w1', 'w2']) w[k].grad = w[k].mul(A[k]).add(B[k]);
          });
          opt.step();
        }
        const dev = Math.max(maxAbsDiff(flat(w.w1), c.final.w1), maxAbsDiff(flat(w.w2), c.final.w2));
        expect(dev).toBeLessThan(dtype === 'float64' ? 1e-10 : 2e-4);
        expect(maxAbsDiff(flat(w.w1), fx.init.w1)).toBeGreaterThan(1e-3);
      });
});

function rosen(w) {
  const x = tf.cat([w.w1.reshape([-1]), w.w2]);
  const n = x.shape[0];
  const a = x.narrow(0, 0, n - 1), b = x.narrow(0, 1, n - 1);
  return b.sub(a.square()).square().mul(100).add(a.neg().add(1).square()).sum().mul(0.01);
}

describe('LBFGS matches PyTorch', () => {
  for (const c of fx.lbfgs)
    test(c.name, () => {
      const w = params('float64');
      const opt = new optim.LBFGS([w.w1, w.w2], c.options);
      const closure = () => {
        opt.zeroGrad();
        const l = rosen(w);
        l.backward();
        return l;
      };
      const losses = [];
      for (let i = 0; i < c.calls; i++) losses.push(opt.step(closure).item());
      expect(maxAbsDiff(losses, c.losses)).toBeLessThan(1e-9);
      expect(Math.abs(rosen(w).item() - c.finalLoss)).toBeLessThan(1e-9);
      // Near the optimum of this ill-conditioned function the parameters amplify rounding differences
      // (dot products summed in another order) more than the losses do.
      expect(Math.max(maxAbsDiff(flat(w.w1), c.final.w1), maxAbsDiff(flat(w.w2), c.final.w2))).toBeLessThan(1e-7);
      const st = opt.stateDict().state['0'];
      expect([st.func_evals, st.n_iter]).toEqual([c.funcEvals, c.nIter]);
      // The loss really went down.
      expect(c.finalLoss).toBeLessThan(c.losses[0] * 0.9);
    });
  test('a restored LBFGS (state through stateDictToTensors) continues exactly', () => {
    const opts = { lr: 1, maxIter: 6, historySize: 4, lineSearchFn: 'strong_wolfe' };
    const run = (w, opt, calls) => {
      const closure = () => {
        opt.zeroGrad();
        const l = rosen(w);
        l.backward();
        return l;
      };
      for (let i = 0; i < calls; i++) opt.step(closure);
    };
    const wa = params('float64');
    const oa = new optim.LBFGS([wa.w1, wa.w2], opts);
    run(wa, oa, 2);
    const packed = optim.stateDictToTensors(oa.stateDict());
    const wb = { w1: wa.w1.detach().clone().requiresGrad_(true), w2: wa.w2.detach().clone().requiresGrad_(true) };
    const ob = new optim.LBFGS([wb.w1, wb.w2], opts);
    ob.loadStateDict(optim.stateDictFromTensors(packed));
    run(wa, oa, 2);
    run(wb, ob, 2);
    expect(flat(wb.w1)).toEqual(flat(wa.w1));
    expect(flat(wb.w2)).toEqual(flat(wa.w2));
    expect(ob.stateDict().state['0'].n_iter).toBe(oa.stateDict().state['0'].n_iter);
  });
  test('LBFGS needs a closure', () => {
    const opt = new optim.LBFGS([tf.zeros([2], { requiresGrad: true })]);
    expect(() => opt.step()).toThrow(/LBFGS.step: a closure/);
    expect(() => new optim.LBFGS([tf.zeros([2], { requiresGrad: true })], { lineSearchFn: 'armijo' })).toThrow(/lineSearchFn/);
  });
});

const LAMBDAS = {
  decay95: (e) => 0.95 ** e,
  warmup5: (e) => Math.min(1, (e + 1) / 5),
  step10: (e) => 0.5 ** Math.floor(e / 10),
  mul98: () => 0.98,
  half_cycle: (x) => 1 / 2 ** (x - 1),
};
function jsOptions(options) {
  const o = {};
  for (const [k, v] of Object.entries(options))
    o[k] = k === 'lrLambda' || k === 'scaleFn' ? (Array.isArray(v) ? v.map((n) => LAMBDAS[n]) : LAMBDAS[v]) : v;
  return o;
}
function build(opt, kind, options) {
  if (kind === 'SequentialLR')
    return new LS.SequentialLR(opt, { schedulers: options.schedulers.map(([k, o]) => build(opt, k, o)), milestones: options.milestones });
  if (kind === 'ChainedScheduler') return new LS.ChainedScheduler(options.schedulers.map(([k, o]) => build(opt, k, o)));
  return new LS[kind](opt, jsOptions(options));
}

describe('schedulers match PyTorch (lr and momentum at every step)', () => {
  for (const s of fx.schedulers)
    test(`${s.kind} ${JSON.stringify(s.options)}${s.optimizer === 'Adam' ? ' (Adam betas)' : ''}`, () => {
      const a = tf.zeros([1], { requiresGrad: true }), b = tf.zeros([1], { requiresGrad: true });
      const groups = [{ params: [a], lr: 0.1 }, { params: [b], lr: 0.05 }];
      const opt = s.optimizer === 'Adam' ? new optim.Adam(groups, { lr: 0.1 }) : new optim.SGD(groups, { lr: 0.1 });
      const sched = build(opt, s.kind, s.options);
      const near = (x, y) => Math.abs(x - y) <= 1e-15 + 1e-12 * Math.abs(y);
      const check = (t) => {
        const lrs = opt.paramGroups.map((g) => g.lr);
        lrs.forEach((v, i) => expect([t, i, v, near(v, s.lrs[t][i])]).toEqual([t, i, v, true]));
        expect(sched.getLastLr()).toEqual(lrs);
        const mom = opt.paramGroups.map((g) => (g.betas ? g.betas[0] : g.momentum ?? 0));
        mom.forEach((v, i) => expect([t, i, 'momentum', near(v, s.momentum[t][i])]).toEqual([t, i, 'momentum', true]));
      };
      check(0);
      for (let t = 0; t < fx.schedulerSteps; t++) {
        opt.step();
        sched.step();
        check(t + 1);
      }
    });

  test('state dicts round trip through JSON (LambdaLR keeps its function, SequentialLR its children)', () => {
    const mk = () => new optim.SGD([tf.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    const run = (o) => new LS.SequentialLR(o, { schedulers: [new LS.LambdaLR(o, { lrLambda: LAMBDAS.warmup5 }),
      new LS.CosineAnnealingWarmRestarts(o, { T0: 3, tMult: 2 })], milestones: [4] });
    const o1 = mk(), s1 = run(o1);
    for (let i = 0; i < 6; i++) s1.step();
    const saved = JSON.parse(JSON.stringify(s1.stateDict()));
    const o2 = mk(), s2 = run(o2);
    s2.loadStateDict(saved);
    o2.paramGroups[0].lr = o1.paramGroups[0].lr;
    for (let i = 0; i < 7; i++) {
      s1.step();
      s2.step();
      expect(s2.getLastLr()).toEqual(s1.getLastLr());
    }
  });

  test('OneCycleLR past totalSteps and CyclicLR on an optimizer without momentum are errors', () => {
    const opt = new optim.SGD([tf.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    const s = new LS.OneCycleLR(opt, { maxLr: 1, totalSteps: 2 });
    s.step();
    s.step();
    expect(() => s.step()).toThrow(/OneCycleLR: tried to step 3 times; the total number of steps is 2/);
    const adam = new optim.Adam([tf.zeros([1], { requiresGrad: true })]);
    expect(() => new LS.CyclicLR(adam, { baseLr: 0.1, maxLr: 1 })).toThrow(/CyclicLR: optimizer must support momentum/);
    expect(() => new LS.OneCycleLR(opt, { maxLr: 1 })).toThrow(/totalSteps OR \(epochs AND stepsPerEpoch\)/);
    expect(() => new LS.LambdaLR(opt, { lrLambda: 3 })).toThrow(/lrLambda must be a function/);
  });
});

describe('swaUtils.AveragedModel', () => {
  const seq = () => new tf.nn.Sequential(new tf.nn.Linear(2, 3), new tf.nn.BatchNorm1d(3));
  test('EMA weights follow ema ← ema + (1 − decay)(w − ema); buffers are copied; n_averaged counts', () => {
    const model = seq();
    const ema = new optim.swaUtils.AveragedModel(model, { multiAvgFn: optim.swaUtils.getEmaMultiAvgFn(0.9) });
    expect(Object.keys(ema.stateDict())).toEqual(['n_averaged', 'module.0.weight', 'module.0.bias', 'module.1.weight',
      'module.1.bias', 'module.1.running_mean', 'module.1.running_var', 'module.1.num_batches_tracked']);
    let expected = null;
    for (let k = 0; k < 4; k++) {
      tf.noGrad(() => model.at(0).weight.copy_(tf.fullLike(model.at(0).weight, k + 1)));
      model.forward(tf.randn([4, 2]));   // moves the BatchNorm running statistics
      ema.updateParameters(model);
      expected = k === 0 ? 1 : expected + 0.1 * (k + 1 - expected);
      expect(Math.abs(ema.module.at(0).weight.toTypedArray()[0] - expected)).toBeLessThan(1e-6);
    }
    expect(ema.n_averaged.item()).toBe(4);
    expect(Array.from(ema.module.at(1).running_mean.toTypedArray())).toEqual(Array.from(model.at(1).running_mean.toTypedArray()));
    // The copy is independent of the model.
    tf.noGrad(() => model.at(0).weight.fill_(100));
    expect(ema.module.at(0).weight.toTypedArray()[0]).toBeLessThan(5);
  });
  test('default SWA: the plain mean of every update', () => {
    const model = new tf.nn.Linear(1, 1, { bias: false });
    const swa = new optim.swaUtils.AveragedModel(model);
    for (const v of [1, 2, 6]) {
      tf.noGrad(() => model.weight.fill_(v));
      swa.updateParameters(model);
    }
    expect(swa.module.weight.item()).toBeCloseTo(3, 6);
    expect(swa.forward(tf.ones([1, 1])).item()).toBeCloseTo(3, 6);
  });
});
