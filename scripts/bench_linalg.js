#!/usr/bin/env node
// Times tf.linalg's factorizations on the loaded addon (LAPACK from OpenBLAS or the engine's own
// routines: see backendInfo().lapack). Run with TENSORFOLD_ADDON=<path to a .node> to compare builds.
//
//   node scripts/bench_linalg.js [n ...]      (default sizes 32 128 256)
'use strict';
const tf = require('..');

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const ns = sizes.length ? sizes : [32, 128, 256];
const ops = {
  solve: (A, B) => tf.linalg.solve(A, B),
  det: (A) => tf.linalg.det(A),
  cholesky: (A, B, S) => tf.linalg.cholesky(S),
  qr: (A) => tf.linalg.qr(A),
  svd: (A) => tf.linalg.svd(A, { fullMatrices: false }),
  svdvals: (A) => tf.linalg.svdvals(A),
  eigh: (A, B, S) => tf.linalg.eigh(S),
};
console.log(JSON.stringify(tf.backendInfo()));
for (const n of ns) {
  tf.manualSeed(0);
  const A = tf.randn([n, n], { dtype: 'float64' });
  const B = tf.randn([n, 4], { dtype: 'float64' });
  const S = A.matmul(A.transpose(0, 1)).add(tf.eye(n, undefined, { dtype: 'float64' }).mul(n));
  const row = [`n=${n}`];
  for (const [name, f] of Object.entries(ops)) {
    f(A, B, S);  // warm-up
    const reps = Math.max(1, Math.min(50, Math.round(2e7 / (n * n * n))));
    // CPU time of the process (all threads) as well as wall time: on a shared machine the wall
    // time mostly measures the neighbours.
    const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) tf.tidy(() => { f(A, B, S); });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6 / reps;
    const c = process.cpuUsage(c0), cpu = (c.user + c.system) / 1e3 / reps;
    const fmt = (x) => x.toFixed(x < 10 ? 3 : 1);
    row.push(`${name} ${fmt(ms)} ms (cpu ${fmt(cpu)})`);
  }
  console.log(row.join('  '));
}
