// Times conv2d (forward, forward+backward), batchNorm and maxPool2d on the shapes real training
// uses (ResNet-18 blocks at batch 8, a depthwise layer, CIFAR-size layers) against PyTorch's
// figures (scripts/bench_conv_shapes_torch.py, same cases). Median of `reps` after 3 warm-ups, ms;
// every result is disposed inside tf.tidy, gradients cleared after each run.
// Measured 2026-11-30 (AMD EPYC, 2 cores, AVX-512, 2 threads; ms, ours default / PyTorch 1.13):
// depthwise [8,128,56,56] 3x3 fwd+bwd 4.9 / 5.1-6.4 (was 17.2 on im2col + GEMM per channel),
// batchNorm2d [8,64,56,56] fwd+bwd 0.8 / 1.5 (was 4.6 composed); left above PyTorch: maxPool2d
// 3x3 s2 [8,64,112,112] 22.6 / 17.7 fwd, stride-2 3x3 64->128 fwd 2.7 / 2.2, 1x1 stride 2 fwd
// 0.32 / 0.28.
// Usage: flock -x /tmp/tf-measure.lock env TENSORFOLD_NUM_THREADS=2 node scripts/bench_conv_shapes.js [filter]
const tf = require('..');

const filter = process.argv[2] || '';
function median(f, reps) {
  for (let i = 0; i < 3; i++) f();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const s = process.hrtime.bigint();
    f();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[reps >> 1];
}

// [name, input shape, weight shape or null, conv options]
const convs = [
  ['r18 3x3 64', [8, 64, 56, 56], [64, 64, 3, 3], { padding: 1 }],
  ['r18 3x3 128', [8, 128, 28, 28], [128, 128, 3, 3], { padding: 1 }],
  ['r18 3x3 256', [8, 256, 14, 14], [256, 256, 3, 3], { padding: 1 }],
  ['r18 3x3 s2 64->128', [8, 64, 56, 56], [128, 64, 3, 3], { padding: 1, stride: 2 }],
  ['r18 1x1 256->512', [8, 256, 14, 14], [512, 256, 1, 1], {}],
  ['r18 1x1 s2 256->512', [8, 256, 14, 14], [512, 256, 1, 1], { stride: 2 }],
  ['r18 stem 7x7 s2', [8, 3, 224, 224], [64, 3, 7, 7], { padding: 3, stride: 2 }],
  ['depthwise 3x3 128', [8, 128, 56, 56], [128, 1, 3, 3], { padding: 1, groups: 128 }],
  ['cifar 3->32', [64, 3, 32, 32], [32, 3, 3, 3], { padding: 1 }],
  ['cifar 32->64', [64, 32, 32, 32], [64, 32, 3, 3], { padding: 1 }],
];
const reps = 10;
const row = (label, ms) => console.log(`${label.padEnd(34)} ${ms.toFixed(3)} ms`);
for (const [name, xs, ws, opts] of convs) {
  if (filter && !name.includes(filter)) continue;
  const x = tf.randn(xs), w = tf.randn(ws).mul(0.1);
  row(`${name} fwd`, median(() => tf.tidy(() => { tf.F.conv2d(x, w, null, opts); }), reps));
  x.requiresGrad_(true);
  w.requiresGrad_(true);
  const g = tf.tidy(() => tf.F.conv2d(x, w, null, opts)).detach();
  g.requiresGrad_(false);
  const gy = tf.randnLike(g);
  g.dispose();
  row(`${name} fwd+bwd`, median(() => {
    tf.tidy(() => { tf.F.conv2d(x, w, null, opts).backward(gy); });
    x.grad = null;
    w.grad = null;
  }, reps));
  x.dispose(); w.dispose(); gy.dispose();
}
if (!filter || 'batchNorm2d'.includes(filter)) {
  const x = tf.randn([8, 64, 56, 56]).requiresGrad_(true);
  const wt = tf.ones([64]).requiresGrad_(true), b = tf.zeros([64]).requiresGrad_(true);
  const gy = tf.randn([8, 64, 56, 56]);
  row('batchNorm2d fwd', median(() => tf.tidy(() => {
    tf.noGrad(() => { tf.F.batchNorm(x, null, null, { weight: wt, bias: b, training: true }); });
  }), reps));
  row('batchNorm2d fwd+bwd', median(() => {
    tf.tidy(() => { tf.F.batchNorm(x, null, null, { weight: wt, bias: b, training: true }).backward(gy); });
    x.grad = null; wt.grad = null; b.grad = null;
  }, reps));
  x.dispose(); wt.dispose(); b.dispose(); gy.dispose();
}
if (!filter || 'maxPool2d'.includes(filter)) {
  const x = tf.randn([8, 64, 112, 112]).requiresGrad_(true);
  const gy = tf.randn([8, 64, 56, 56]);
  row('maxPool2d 3x3 s2 fwd', median(() => tf.tidy(() => {
    tf.noGrad(() => { tf.F.maxPool2d(x, 3, { stride: 2, padding: 1 }); });
  }), reps));
  row('maxPool2d 3x3 s2 fwd+bwd', median(() => {
    tf.tidy(() => { tf.F.maxPool2d(x, 3, { stride: 2, padding: 1 }).backward(gy); });
    x.grad = null;
  }, reps));
  x.dispose(); gy.dispose();
}
