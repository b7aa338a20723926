// One thread pool, sized from TENSORFOLD_NUM_THREADS (read when the addon loads) or the core count,
// and changed with tf.setNumThreads(n); results do not depend on it.
const { spawnSync } = require('child_process');
const os = require('os');
const path = require('path');
const tf = require('..');

const root = path.resolve(__dirname, '..');

test('TENSORFOLD_NUM_THREADS sizes the pool; the default is the core count', () => {
  const code = `console.log(require(${JSON.stringify(root)}).backendInfo().threads)`;
  const run = (env) => spawnSync(process.execPath, ['-e', code], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
  expect(run({ TENSORFOLD_NUM_THREADS: '1' })).toBe('1');
  expect(run({ TENSORFOLD_NUM_THREADS: '3' })).toBe('3');
  const env = { ...process.env };
  delete env.TENSORFOLD_NUM_THREADS;
  const r = spawnSync(process.execPath, ['-e', code], { env, encoding: 'utf8' }).stdout.trim();
  expect(Number(r)).toBe(os.cpus().length);
});

test('setNumThreads changes the pool and large kernels give the same answer at any count', () => {
  const before = tf.backendInfo().threads;
  tf.manualSeed(5);
  const a = tf.randn([300, 400]);
  const b = tf.randn([400, 500]);
  const x = tf.randn([1 << 20]);
  const results = [];
  for (const n of [1, 2, 3]) {
    tf.setNumThreads(n);
    expect(tf.backendInfo().threads).toBe(n);
    results.push([a.matmul(b).sum().item(), x.exp().sum().item(), x.mul(x).add(1).tanh().mean().item()]);
  }
  tf.setNumThreads(before);
  for (const r of results.slice(1)) {
    expect(r[0]).toBeCloseTo(results[0][0], 1);
    expect(r[1]).toBe(results[0][1]); // elementwise and sums are blocked identically at any count
    expect(r[2]).toBe(results[0][2]);
  }
  expect(() => tf.setNumThreads(0)).toThrow(/setNumThreads: n must be between 1 and 1024, got 0/);
});
