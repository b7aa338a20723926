// Forward + backward of common training ops, against PyTorch's figures (scripts/bench_backward_torch.py:
// same ops, shapes and output gradients). Per case: "fwd" times the recorded forward alone, "f+b" the
// forward and y.backward(g); median of `reps` runs after 3 warm-ups, ms, everything disposed inside tf.tidy
// and the leaves' .grad cleared each run.
// Usage: flock -x /tmp/tf-measure.lock env TENSORFOLD_NUM_THREADS=2 node scripts/bench_backward.js [filter]
const tf = require('..');

const F = tf.nn.functional;
const filter = process.argv[2] || '';

function median(f, reps) {
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

const randn = (shape) => tf.randn(shape);
const leaf = (shape) => tf.randn(shape).requiresGrad_();
const ints = (shape, hi) => tf.randint(0, hi, shape, { dtype: 'int32' });
const cases = [];
// make() → { leaves, f: () => output }; the output gradient g is random of the output's shape (a scalar
// output gets no g).
const add = (name, make, reps = 15) => cases.push({ name, make, reps });

const A = [4096, 512];
const S = [32, 128, 768];
add('softmax(-1) [4096,512]', () => { const x = leaf(A); return { leaves: [x], f: () => x.softmax(-1) }; });
add('logSoftmax(-1) [4096,512]', () => { const x = leaf(A); return { leaves: [x], f: () => x.logSoftmax(-1) }; });
add('softmax(-1) [32,12,128,128]', () => { const x = leaf([32, 12, 128, 128]); return { leaves: [x], f: () => x.softmax(-1) }; });
add('layerNorm [32,128,768] w,b', () => {
  const x = leaf(S), w = leaf([768]), b = leaf([768]);
  return { leaves: [x, w, b], f: () => F.layerNorm(x, 768, w, b) };
});
add('crossEntropy [4096,1000]', () => {
  const x = leaf([4096, 1000]), t = ints([4096], 1000);
  return { leaves: [x], f: () => F.crossEntropy(x, t) };
});
add('crossEntropy [1024,50257]', () => {
  const x = leaf([1024, 50257]), t = ints([1024], 50257);
  return { leaves: [x], f: () => F.crossEntropy(x, t) };
}, 7);
add('embedding 50257x768 [8,128]', () => {
  const w = leaf([50257, 768]), i = ints([8, 128], 50257);
  return { leaves: [w], f: () => F.embedding(i, w) };
});
add('gelu [4096,2048]', () => { const x = leaf([4096, 2048]); return { leaves: [x], f: () => F.gelu(x) }; });
add('gelu(tanh) [4096,2048]', () => { const x = leaf([4096, 2048]); return { leaves: [x], f: () => F.gelu(x, 'tanh') }; });
add('silu [4096,2048]', () => { const x = leaf([4096, 2048]); return { leaves: [x], f: () => x.silu() }; });
add('relu [4096,2048]', () => { const x = leaf([4096, 2048]); return { leaves: [x], f: () => x.relu() }; });
add('tanh [4096,2048]', () => { const x = leaf([4096, 2048]); return { leaves: [x], f: () => x.tanh() }; });
add('dropout(0.1) [32,128,768]', () => { const x = leaf(S); return { leaves: [x], f: () => F.dropout(x, 0.1) }; });
add('matmul a@wT [4096,768]x[768,768]T', () => {
  const a = leaf([4096, 768]), w = leaf([768, 768]);
  return { leaves: [a, w], f: () => a.matmul(w.transpose()) };
});
add('bmm q@kT [384,128,64]', () => {
  const q = leaf([384, 128, 64]), k = leaf([384, 128, 64]);
  return { leaves: [q, k], f: () => q.matmul(k.transpose(-2, -1)) };
});
add('linear [4096,768]->3072 w,b', () => {
  const x = leaf([4096, 768]), w = leaf([3072, 768]), b = leaf([3072]);
  return { leaves: [x, w, b], f: () => F.linear(x, w, b) };
}, 7);
add('linear [32,128,768]->768 w,b', () => {
  const x = leaf(S), w = leaf([768, 768]), b = leaf([768]);
  return { leaves: [x, w, b], f: () => F.linear(x, w, b) };
});
add('add bias [4096,512]+[512]', () => { const x = leaf(A), b = leaf([512]); return { leaves: [x, b], f: () => x.add(b) }; });
add('mul [4096,512]*[4096,512]', () => { const x = leaf(A), y = leaf(A); return { leaves: [x, y], f: () => x.mul(y) }; });
add('sum(-1) [4096,512]', () => { const x = leaf(A); return { leaves: [x], f: () => x.sum(-1) }; });
add('mean(0) [4096,512]', () => { const x = leaf(A); return { leaves: [x], f: () => x.mean(0) }; });
add('sum() [4096,512]', () => { const x = leaf(A); return { leaves: [x], f: () => x.sum() }; });
add('mseLoss [4096,512]', () => { const x = leaf(A), y = randn(A); return { leaves: [x], f: () => F.mseLoss(x, y) }; });
add('where [4096,512]', () => {
  const x = leaf(A), y = leaf(A), m = tf.rand(A).lt(0.5);
  return { leaves: [x, y], f: () => tf.where(m, x, y) };
});
add('maskedFill [32,12,128,128] causal', () => {
  const x = leaf([32, 12, 128, 128]), m = tf.ones([128, 128]).triu(1).gt(0);
  return { leaves: [x], f: () => x.maskedFill(m, -1e9) };
});
add('concat 3x[4096,256] dim1', () => {
  const xs = [leaf([4096, 256]), leaf([4096, 256]), leaf([4096, 256])];
  return { leaves: xs, f: () => tf.concat(xs, 1) };
});
add('stack 3x[4096,256] dim0', () => {
  const xs = [leaf([4096, 256]), leaf([4096, 256]), leaf([4096, 256])];
  return { leaves: xs, f: () => tf.stack(xs, 0) };
});
add('narrow(1,128,256) [4096,512]', () => { const x = leaf(A); return { leaves: [x], f: () => x.narrow(1, 128, 256) }; });
add("index(':', '::2') [4096,512]", () => { const x = leaf(A); return { leaves: [x], f: () => x.index(':', '::2') }; });
add('index(int32[1024]) [4096,512]', () => {
  const x = leaf(A), i = ints([1024], 4096);
  return { leaves: [x], f: () => x.index(i) };
});
add('gather(1) [4096,512] k=64', () => {
  const x = leaf(A), i = ints([4096, 64], 512);
  return { leaves: [x], f: () => x.gather(1, i) };
});
add('transpose(0,1).contiguous [32,128,768]', () => {
  const x = leaf(S); return { leaves: [x], f: () => x.transpose(0, 1).contiguous() };
});
add('heads permute [32,128,12,64]->[32,12,128,64]', () => {
  const x = leaf(S); return { leaves: [x], f: () => x.reshape([32, 128, 12, 64]).permute([0, 2, 1, 3]).contiguous() };
});
add('maxPool2d(2) [32,64,56,56]', () => {
  const x = leaf([32, 64, 56, 56]); return { leaves: [x], f: () => F.maxPool2d(x, 2) };
});
add('avgPool2d(2) [32,64,56,56]', () => {
  const x = leaf([32, 64, 56, 56]); return { leaves: [x], f: () => F.avgPool2d(x, 2) };
});

for (const c of cases) {
  if (filter && !c.name.includes(filter)) continue;
  const { leaves, f } = c.make();
  const y0 = f();
  const g = y0.ndim === 0 ? null : tf.randn(y0.shape);
  y0.dispose();
  const fwd = median(() => { f(); }, c.reps);
  const both = median(() => {
    const y = f();
    if (g) y.backward(g); else y.backward();
    for (const l of leaves) l.grad = null;
  }, c.reps);
  console.log(`${c.name.padEnd(46)} fwd ${fwd.toFixed(3).padStart(9)}  f+b ${both.toFixed(3).padStart(9)} ms`);
  for (const l of leaves) l.dispose();
  if (g) g.dispose();
}
