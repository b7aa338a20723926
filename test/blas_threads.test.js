// OpenBLAS's thread count (process-wide): loaded with one thread unless the user chose, kept at one
// around the engine's per-sample conv GEMMs, raised for LAPACK factorizations only while they run,
// and always restored. Each case runs in a fresh process: the count is set when the addon loads.
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');

function run(env, body) {
  const code = `const tf = require(${JSON.stringify(root)});
const seen = [];
const note = (what) => seen.push([what, tf.backendInfo().blasThreads]);
note('loaded');
${body}
console.log(JSON.stringify({ blas: tf.backendInfo().blas, seen, envAfter: process.env.OPENBLAS_NUM_THREADS ?? null }));`;
  const full = { ...process.env, ...env };
  for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k];
  const r = spawnSync(process.execPath, ['-e', code], { env: full, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const work = `
tf.manualSeed(1);
// im2col conv over a batch split across the pool's threads (the path that runs OpenBLAS serially)
const x = tf.randn([64, 1, 28, 28]), w = tf.randn([32, 1, 3, 3]);
tf.nn.functional.conv2d(x, w).dispose();
note('after conv');
const a = tf.randn([300, 300], { dtype: 'float64' });
const spd = a.matmul(a.transpose(0, 1)).add(tf.eye(300, { dtype: 'float64' }).mul(300));
const s = tf.linalg.solve(spd, tf.ones([300, 2], { dtype: 'float64' }));
const back = spd.matmul(s).sub(1).abs().max().item();
if (!(back < 1e-9)) throw new Error('solve residual ' + back);
note('after solve');
tf.linalg.cholesky(spd).dispose();
note('after cholesky');
tf.randn([512, 512]).matmul(tf.randn([512, 512])).dispose();
note('after matmul');`;

test('loaded with one OpenBLAS thread, and every op leaves it there; nothing leaks into process.env', () => {
  const r = run({ OPENBLAS_NUM_THREADS: undefined, TENSORFOLD_BLAS_THREADS: undefined }, work);
  const want = r.blas === 'openblas' ? 1 : 0;
  for (const [what, n] of r.seen) expect([what, n]).toEqual([what, want]);
  expect(r.envAfter).toBe(null);
});

test("a user's OPENBLAS_NUM_THREADS is kept, and restored after each op", () => {
  const r = run({ OPENBLAS_NUM_THREADS: '2', TENSORFOLD_BLAS_THREADS: undefined }, work);
  if (r.blas !== 'openblas') return expect(r.seen.every(([, n]) => n === 0)).toBe(true);
  // GEMMs below AVX2 set one thread for good (gemm.cpp); elsewhere the user's count stays.
  const first = r.seen[0][1];
  expect(first).toBe(2);
  for (const [what, n] of r.seen.slice(1, 3)) expect([what, n]).toEqual([what, 2]);
  expect(r.envAfter).toBe('2');
});
