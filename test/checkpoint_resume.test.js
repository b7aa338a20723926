// A run resumed from a checkpoint in a fresh process is bit-identical to an uninterrupted one:
// model, optimizer (AdamW), lr scheduler (OneCycleLR), the global generator (dropout masks) and the
// data order (a seeded shuffling DataLoader, its epoch saved as an extra) all come back.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');

const ROOT = path.resolve(__dirname, '..');
const CHILD = `
const tf = require(${JSON.stringify(ROOT)});
const [mode, file, total] = [process.argv[2], process.argv[3], Number(process.argv[4])];
tf.manualSeed(7);
const X = tf.randn([24, 5]), Y = tf.randint(0, 3, [24]);
const loader = new tf.data.DataLoader(new tf.data.TensorDataset(X, Y), { batchSize: 5, shuffle: true, seed: 11 });
const model = new tf.nn.Sequential(new tf.nn.Linear(5, 16), new tf.nn.GELU(), new tf.nn.Dropout(0.3), new tf.nn.Linear(16, 3));
const opt = new tf.optim.AdamW(model.parameters(), { lr: 0.01 });
const sched = new tf.optim.lrScheduler.OneCycleLR(opt, { maxLr: 0.05, totalSteps: total * loader.length });
let start = 0, best = Infinity;
const losses = [];
if (mode === 'second') {
  const ck = tf.loadCheckpoint(file, { model, optimizer: opt, scheduler: sched });
  start = ck.epoch;
  best = ck.bestLoss;
  loader.epoch = ck.loaderEpoch;
}
const stop = mode === 'first' ? total / 2 : total;
for (let epoch = start; epoch < stop; epoch++) {
  for (const [x, y] of loader) {
    opt.zeroGrad();
    const loss = tf.F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    sched.step();
    losses.push(loss.item());
    best = Math.min(best, loss.item());
  }
}
if (mode === 'first') tf.saveCheckpoint(file, { model, optimizer: opt, scheduler: sched, epoch: stop, bestLoss: best, loaderEpoch: loader.epoch });
const params = model.parameters().map((p) => Array.from(p.toTypedArray()));
process.stdout.write(JSON.stringify({ losses, params, best, lr: sched.getLastLr(), next: Array.from(tf.rand([3]).toTypedArray()) }));
`;

test('train N epochs straight vs N/2, save, load in a fresh process, N/2 more: identical', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-resume-'));
  try {
    const script = path.join(dir, 'child.js');
    fs.writeFileSync(script, CHILD);
    const file = path.join(dir, 'ck.safetensors');
    const run = (mode) => JSON.parse(execFileSync(process.execPath, [script, mode, file, '4'], { encoding: 'utf8' }));
    const straight = run('straight');
    const first = run('first');
    const second = run('second');
    expect(first.losses.concat(second.losses)).toEqual(straight.losses);
    expect(second.params).toEqual(straight.params);
    expect(second.lr).toEqual(straight.lr);
    expect(second.best).toBe(straight.best);
    // The generator continues where the uninterrupted run's is.
    expect(second.next).toEqual(straight.next);
    expect(straight.losses.length).toBe(4 * 5);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the RNG state round-trips and restoring can be turned off', () => {
  tf.manualSeed(3);
  tf.rand([4]);
  const s = tf.getRngState();
  const a = tf.rand([2]).toArray();
  tf.setRngState(s);
  expect(tf.rand([2]).toArray()).toEqual(a);
  expect(() => tf.setRngState({ seed: '-1', offset: '0' })).toThrow(/outside the unsigned 64-bit range/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-rng-'));
  try {
    const file = path.join(dir, 'r.safetensors');
    tf.setRngState(s);
    tf.saveCheckpoint(file, { epoch: 1 });
    tf.rand([10]);
    const after = tf.getRngState();
    const out = tf.loadCheckpoint(file, { restoreRng: false });
    expect(out.rng).toEqual(s);
    expect(tf.getRngState()).toEqual(after);
    tf.loadCheckpoint(file);
    expect(tf.getRngState()).toEqual(s);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
