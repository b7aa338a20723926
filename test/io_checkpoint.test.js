// tf.saveCheckpoint / tf.loadCheckpoint: model + optimizer + extra state in one safetensors file,
// written atomically so that a failure part-way never destroys the previous checkpoint.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');

let dir;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-ckpt-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const flat = (t) => Array.from(t.toTypedArray());

/** Minimal stand-ins with the Module / Optimizer state interface, so these tests need neither. */
function fakeModel(sd) {
  return { sd, loaded: null, stateDict() { return this.sd; }, loadStateDict(s) { this.loaded = s; } };
}
function fakeOptimizer(state) {
  return { state, loaded: null, stateDict() { return this.state; }, loadStateDict(s) { this.loaded = s; } };
}

describe('saveCheckpoint / loadCheckpoint', () => {
  test('model, optimizer (tensors and numbers), epoch and extras round-trip', () => {
    const file = path.join(dir, 'ckpt.safetensors');
    const w = tf.randn([3, 2]);
    const b = tf.randn([2], { dtype: 'float64' });
    const model = fakeModel({ 'fc.weight': w, 'fc.bias': b });
    const expAvg = tf.randn([3, 2]);
    const optState = {
      state: { 0: { step: 12, expAvg }, 1: { step: 12, maxSq: tf.zeros([2]) } },
      paramGroups: [{ lr: 0.001, betas: [0.9, 0.999], amsgrad: false, params: [0, 1], name: null }],
    };
    const optimizer = fakeOptimizer(optState);
    tf.saveCheckpoint(file, {
      model, optimizer, epoch: 4,
      best: Infinity, worst: -Infinity, missing: NaN, history: [0.5, 0.25], note: 'run-a',
      ema: { shadow: tf.ones([2]) }, tags: new Map([['k', 1]]), tricky: { __tensor__: 'not a tensor' },
    });

    const m2 = fakeModel(null);
    const o2 = fakeOptimizer(null);
    const out = tf.loadCheckpoint(file, { model: m2, optimizer: o2 });
    expect(out.epoch).toBe(4);
    expect(out.best).toBe(Infinity);
    expect(out.worst).toBe(-Infinity);
    expect(out.missing).toBeNaN();
    expect(out.history).toEqual([0.5, 0.25]);
    expect(out.note).toBe('run-a');
    expect(flat(out.ema.shadow)).toEqual([1, 1]);
    expect(out.tags).toEqual(new Map([['k', 1]]));
    expect(out.tricky).toEqual({ __tensor__: 'not a tensor' });

    expect(Object.keys(m2.loaded)).toEqual(['fc.weight', 'fc.bias']);
    expect(flat(m2.loaded['fc.weight'])).toEqual(flat(w));
    expect(m2.loaded['fc.bias'].dtype).toBe('float64');
    expect(flat(m2.loaded['fc.bias'])).toEqual(flat(b));
    expect(out.model).toBe(m2.loaded);

    const os2 = o2.loaded;
    expect(os2.paramGroups).toEqual(optState.paramGroups);
    expect(os2.state['0'].step).toBe(12);
    expect(flat(os2.state['0'].expAvg)).toEqual(flat(expAvg));
    expect(os2.state['1'].maxSq.shape).toEqual([2]);
  });

  test('a checkpoint is a plain safetensors file that tf.load reads', () => {
    const file = path.join(dir, 'ckpt.safetensors');
    tf.saveCheckpoint(file, { model: fakeModel({ w: tf.ones([2, 2]) }), optimizer: { state: { 0: { m: tf.zeros([2]) } }, paramGroups: [] }, epoch: 1 });
    const t = tf.load(file);
    expect(Object.keys(t).sort()).toEqual(['model.w', 'optimizer.state.0.m']);
  });

  test('state dicts given directly (no stateDict method) work too', () => {
    const file = path.join(dir, 'ckpt.safetensors');
    tf.saveCheckpoint(file, { model: { w: tf.ones([1]) }, epoch: 0 });
    const out = tf.loadCheckpoint(file);
    expect(Object.keys(out.model)).toEqual(['w']);
    expect(out.epoch).toBe(0);
    expect(out.optimizer).toBeUndefined();
  });

  test('a failure while writing leaves the previous checkpoint intact and no temporary file', () => {
    const file = path.join(dir, 'ckpt.safetensors');
    tf.saveCheckpoint(file, { model: fakeModel({ w: tf.full([4], 7) }), epoch: 1 });
    const before = fs.readFileSync(file);

    // The second tensor's data cannot be produced: serialisation throws after the temporary file
    // was opened and the header and the first tensor were written to it.
    // The writer takes each tensor's bytes from native.toBytes, so that is where the failure goes in.
    const { native } = require('../dist/native');
    const poisoned = tf.zeros([1000]);
    let seenDuringWrite = null;
    const toBytes = native.toBytes;
    native.toBytes = (h) => {
      if (h !== poisoned._h) return toBytes(h);
      seenDuringWrite = fs.readdirSync(dir);
      throw new Error('simulated failure mid-write');
    };
    try {
      expect(() => tf.saveCheckpoint(file, { model: fakeModel({ w: tf.ones([4]), v: poisoned }), epoch: 2 }))
        .toThrow(/saveCheckpoint: writing .*ckpt\.safetensors failed: simulated failure mid-write/);
    } finally {
      native.toBytes = toBytes;
    }

    expect(seenDuringWrite.length).toBe(2);
    expect(seenDuringWrite.some((f) => f.endsWith('.tmp'))).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['ckpt.safetensors']);
    expect(Buffer.compare(fs.readFileSync(file), before)).toBe(0);
    const out = tf.loadCheckpoint(file);
    expect(out.epoch).toBe(1);
    expect(flat(out.model.w)).toEqual([7, 7, 7, 7]);
  });

  test('unstorable values are TypeErrors naming their path, before anything is written', () => {
    const file = path.join(dir, 'ckpt.safetensors');
    expect(() => tf.saveCheckpoint(file, { epoch: 1, fn: () => 1 })).toThrow(/cannot store extra\.fn: function/);
    expect(() => tf.saveCheckpoint(file, { epoch: 1, when: new Date() })).toThrow(/cannot store extra\.when: Date/);
    expect(() => tf.saveCheckpoint(file, { model: { w: 3 } })).toThrow(/model state "w" must be a Tensor/);
    expect(() => tf.saveCheckpoint(file, { model: 5 })).toThrow(TypeError);
    expect(() => tf.saveCheckpoint(file, null)).toThrow(TypeError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('loading errors are clear', () => {
    const plain = path.join(dir, 'plain.safetensors');
    tf.save({ a: tf.ones([1]) }, plain);
    expect(() => tf.loadCheckpoint(plain)).toThrow(/plain\.safetensors is a safetensors file but not a tensorfold checkpoint/);
    const noModel = path.join(dir, 'nomodel.safetensors');
    tf.saveCheckpoint(noModel, { epoch: 3 });
    expect(() => tf.loadCheckpoint(noModel, { model: fakeModel(null) })).toThrow(/holds no model state/);
    expect(() => tf.loadCheckpoint(noModel, { model: {} })).toThrow(/model must have a loadStateDict\(\) method/);
    expect(() => tf.loadCheckpoint(path.join(dir, 'missing'))).toThrow(/loadCheckpoint: cannot open/);
  });
});

const hasReal = !!(tf.nn && tf.nn.Linear && tf.optim && tf.optim.Adam);
(hasReal ? describe : describe.skip)('with tf.nn and tf.optim', () => {
  test('resuming from a checkpoint continues training exactly as if uninterrupted', () => {
    const { nn, optim, F } = tf;
    const x = tf.randn([16, 5]);
    const y = tf.randint(0, 3, [16]);
    const make = () => new nn.Sequential(new nn.Linear(5, 7), new nn.Tanh(), new nn.Linear(7, 3));
    const step = (model, opt) => {
      opt.zeroGrad();
      const loss = (F || nn.functional).crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    };
    tf.manualSeed(1);
    const a = make();
    const oa = new optim.Adam(a.parameters(), { lr: 0.01 });
    for (let i = 0; i < 3; i++) step(a, oa);
    const file = path.join(dir, 'train.safetensors');
    tf.saveCheckpoint(file, { model: a, optimizer: oa, epoch: 3 });
    const lossA = [step(a, oa), step(a, oa)];

    tf.manualSeed(2);
    const b = make();
    const ob = new optim.Adam(b.parameters(), { lr: 0.01 });
    const out = tf.loadCheckpoint(file, { model: b, optimizer: ob });
    expect(out.epoch).toBe(3);
    const lossB = [step(b, ob), step(b, ob)];
    expect(lossB).toEqual(lossA);
  });
});
