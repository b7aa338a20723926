// The addon is context-aware: it loads and computes in several worker_threads at once, each with
// its own state (seed, grad mode, memory accounting), and a worker's exit frees its tensors.
const path = require('path');
const { Worker } = require('worker_threads');
const tf = require('..');

const root = path.resolve(__dirname, '..');

function runWorker(code, data) {
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { root, ...data } });
    let result;
    w.on('message', (m) => { result = m; });
    w.on('error', reject);
    w.on('exit', (c) => (c === 0 ? resolve(result) : reject(new Error(`worker exited with ${c}`))));
  });
}

const body = `
  const { parentPort, workerData } = require('worker_threads');
  const tf = require(workerData.root);
  tf.manualSeed(workerData.seed);
  const w = tf.randn([64, 64], { requiresGrad: true });
  let total = 0;
  for (let i = 0; i < 20; i++) {
    const loss = tf.randn([32, 64]).matmul(w).tanh().square().mean();
    loss.backward();
    total += loss.item();
  }
  // Leave big tensors alive on purpose: the worker's exit must free them.
  globalThis.leak = [tf.zeros([1 << 20]), tf.ones([1 << 20])];
  parentPort.postMessage({ total, grad: Array.from(w.grad.toTypedArray().slice(0, 4)), mem: tf.memory() });
`;

describe('worker_threads', () => {
  test('several workers compute at once with per-worker seeds, and match the main thread', async () => {
    const results = await Promise.all([1, 2, 3, 1].map((seed) => runWorker(body, { seed })));
    // Same seed, same numbers, whatever thread computed them.
    expect(results[3].total).toBe(results[0].total);
    expect(results[3].grad).toEqual(results[0].grad);
    expect(results[1].total).not.toBe(results[0].total);
    // Each worker's memory accounting is its own.
    for (const r of results) expect(r.mem.tensors).toBeGreaterThanOrEqual(3);

    // The main thread reproduces worker 0 exactly.
    tf.manualSeed(1);
    const w = tf.randn([64, 64], { requiresGrad: true });
    let total = 0;
    for (let i = 0; i < 20; i++) {
      const loss = tf.randn([32, 64]).matmul(w).tanh().square().mean();
      loss.backward();
      total += loss.item();
    }
    expect(total).toBe(results[0].total);
  });

  test("a worker's exit frees its native tensors", async () => {
    const engineBefore = require(path.join(root, 'dist', 'native')).native.memory().engineBytes;
    await runWorker(body, { seed: 7 });
    await runWorker(body, { seed: 8 });
    const engineAfter = require(path.join(root, 'dist', 'native')).native.memory().engineBytes;
    // Each worker left 8 MB alive at exit; none of it may survive.
    expect(engineAfter - engineBefore).toBeLessThan(1 << 20);
  });

  test('an error in a worker is a JS error there, not a crash', async () => {
    const code = `
      const { parentPort, workerData } = require('worker_threads');
      const tf = require(workerData.root);
      let msg = '';
      try { tf.ones([2, 3]).matmul(tf.ones([4, 5])); } catch (e) { msg = e.message; }
      parentPort.postMessage(msg);
    `;
    expect(await runWorker(code, {})).toMatch(/matmul: shapes \[2,3\] and \[4,5\] do not align/);
  });
});
