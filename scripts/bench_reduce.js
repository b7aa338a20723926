// Times the reductions of issue red8 (prod, 2-norm, column sums) against PyTorch's figures
// (scripts/bench_reduce_torch.py). Median of 15 runs, ms, each result disposed inside tf.tidy.
// Usage: flock -x /tmp/tf-measure.lock env TENSORFOLD_NUM_THREADS=2 node scripts/bench_reduce.js [filter]
const tf = require('..');

const filter = process.argv[2] || '';
function median(f, reps = 15) {
  for (let i = 0; i < 3; i++) tf.tidy(() => { f(); });
  const t = [];
  for (let i = 0; i < reps; i++) {
    const s = process.hrtime.bigint();
    tf.tidy(() => { f(); });
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[reps >> 1];
}
const cases = [];
const add = (name, shape, dtype, f, reps) => cases.push({ name, shape, dtype, f, reps });
add('prod(1)', [4096, 4096], 'float32', (x) => x.prod(1));
add('prod(0)', [4096, 4096], 'float32', (x) => x.prod(0));
add('prod()', [4096, 4096], 'float32', (x) => x.prod());
add('norm()', [4096, 4096], 'float32', (x) => x.norm());
add('norm(2,1)', [4096, 4096], 'float32', (x) => x.norm(2, 1));
add('norm()', [768, 768], 'float32', (x) => x.norm(), 201);
add('norm()', [768], 'float32', (x) => x.norm(), 201);
for (const dt of ['float32', 'float64']) {
  add('sum(0)', [4096, 4096], dt, (x) => x.sum(0));
  for (const s of [[256, 1024], [768, 128], [768, 384], [3072, 768], [64, 64], [128, 256], [64, 512], [512, 96]]) add('sum(0)', s, dt, (x) => x.sum(0), 101);
}
for (const c of cases) {
  const label = `${c.name} [${c.shape}] ${c.dtype}`;
  if (filter && !label.includes(filter)) continue;
  const x = tf.randn(c.shape, { dtype: c.dtype });
  const ms = median(() => c.f(x), c.reps);
  console.log(`${label.padEnd(34)} ${ms.toFixed(ms < 0.1 ? 4 : 3)} ms`);
  x.dispose();
}
