#!/usr/bin/env node
// Times tril / triu / gather / topk / flip on 4096x4096 float32 (median of 15, results disposed
// inside tidy so that allocation is not what is timed). scripts/bench_index_ops_torch.py times
// the same calls in PyTorch. Run under the measuring lock, with the thread count fixed:
//
//   TENSORFOLD_NUM_THREADS=2 flock -x /tmp/tf-measure.lock node scripts/bench_index_ops.js [n]
'use strict';
const tf = require('..');

const n = Number(process.argv[2]) || 4096;
tf.manualSeed(0);
const x = tf.randn([n, n]);
const xt = x.transpose(0, 1);
const idx = tf.randint(0, n, [n, n], { dtype: 'int32' });
const ops = {
  'tril(0)': () => x.tril(),
  'triu(1)': () => x.triu(1),
  'tril(0) transposed': () => xt.tril(),
  'gather(1)': () => x.gather(1, idx),
  'gather(0)': () => x.gather(0, idx),
  'topk(16)': () => x.topk(16),
  'topk(16, largest=false)': () => x.topk(16, -1, { largest: false }),
  'flip(0)': () => x.flip(0),
  'flip(1)': () => x.flip(1),
};
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
console.log(`n=${n} simd=${tf.backendInfo().simd ?? JSON.stringify(tf.backendInfo())}`);
for (const [name, f] of Object.entries(ops)) {
  if (filter && !filter.test(name)) continue;
  for (let i = 0; i < 3; i++) tf.tidy(() => { f(); });
  const ts = [];
  for (let i = 0; i < 15; i++) {
    const t0 = process.hrtime.bigint();
    tf.tidy(() => { f(); });
    ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ts.sort((a, b) => a - b);
  console.log(`${name.padEnd(26)} ${ts[7].toFixed(2)} ms (min ${ts[0].toFixed(2)})`);
}
