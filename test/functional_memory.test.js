// Checkpointed loops keep only the carries: a 1,000-step scan with and without checkpoint, the
// native bytes the graph holds after the forward pass, and identical gradients.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');
const { native } = require('../dist/native');

// Measurements for the reader, not results: a file in the OS temp dir, and one line on the console.
const NOTES = path.join(os.tmpdir(), 'tensorfold-functional-memory.txt');

const STEPS = 1000, B = 16, H = 128, X = 32;

function setup() {
  tf.manualSeed(3);
  // A cell with a 4H-wide hidden layer: its activations are what checkpointing does not keep.
  const W = tf.randn([H, 4 * H]).mul(1 / Math.sqrt(H)).requiresGrad_(true);
  const U = tf.randn([X, 4 * H]).mul(1 / Math.sqrt(X)).requiresGrad_(true);
  const V = tf.randn([4 * H, H]).mul(1 / Math.sqrt(4 * H)).requiresGrad_(true);
  const xs = tf.randn([STEPS, B, X]);
  const h0 = tf.zeros([B, H]);
  return { W, U, V, xs, h0 };
}

// The collector frees dropped tensors whenever it runs; a full collection first keeps the measurement
// to what this forward pass holds.
require('v8').setFlagsFromString('--expose-gc');
const gc = require('vm').runInNewContext('gc');

function measure(checkpoint) {
  const { W, U, V, xs, h0 } = setup();
  gc(); // nothing from earlier code may be freed while we measure
  gc();
  const base = native.memory().engineBytes;
  // tidy frees every JavaScript handle made in the forward pass, so what remains is what the
  // graph itself holds for the backward pass.
  const loss = tf.tidy(() => {
    const [, ys] = tf.scan((h, x) => {
      const n = h.matmul(W).add(x.matmul(U)).tanh().matmul(V).tanh();
      return [n, n.mean(1)];
    }, h0, xs, { checkpoint });
    return ys.pow(2).mean();
  });
  const held = native.memory().engineBytes - base;
  loss.backward();
  const grads = [W.grad.toTypedArray(), U.grad.toTypedArray(), V.grad.toTypedArray()];
  return { held, loss: loss.item(), grads };
}

test('checkpoint: O(steps × carry) memory, identical gradients', () => {
  const plain = measure(false);
  const ck = measure(true);
  const carryBytes = STEPS * B * H * 4;
  const note = `scan ${STEPS} steps, batch ${B}, hidden ${H}: graph holds ${(plain.held / 2 ** 20).toFixed(1)} MiB ` +
    `without checkpoint, ${(ck.held / 2 ** 20).toFixed(1)} MiB with (carries alone: ${(carryBytes / 2 ** 20).toFixed(1)} MiB)\n`;
  expect(ck.loss).toBe(plain.loss);
  let worst = 0;
  for (let k = 0; k < 3; k++)
    for (let i = 0; i < plain.grads[k].length; i++)
      worst = Math.max(worst, Math.abs(plain.grads[k][i] - ck.grads[k][i]));
  fs.writeFileSync(NOTES, note + `max |gradient difference| = ${worst}\n`);
  process.stdout.write(`checkpoint memory: ${NOTES}\n`);
  expect(worst).toBeLessThan(1e-6);
  expect(ck.held).toBeLessThan(plain.held / 2.5);
  expect(ck.held).toBeLessThan(carryBytes * 1.5);
});
