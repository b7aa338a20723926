// Large elementwise outputs are written with non-temporal stores (native/core/simd_loops.h); the
// size at which that starts is TENSORFOLD_STREAM_KB (default: the L3 size), fixed per process.
// Each child process below sets it to 1 KiB so that small tensors take the streaming path, at
// every SIMD level this CPU has, and its results must equal, bit for bit, those of a process that
// never streams: same arithmetic, different stores. The lengths and view offsets put the output's
// first element off the vector boundary (the one-lane prefix), across thread pieces, and in the
// tail; in-place ops on offset views write into the middle of a storage.
const { spawnSync } = require('child_process');
const path = require('path');

const CHILD = `
const tf = require(${JSON.stringify(path.resolve(__dirname, '..', 'dist', 'index.js'))});
let seed = 11;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
const results = [];
// A digest of the result's bytes: equal digests mean equal bits.
const crypto = require('crypto');
const keep = (t) => { const a = t.toTypedArray(); results.push(crypto.createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex')); };
for (const dtype of ['float32', 'float64']) {
  for (const n of [1, 15, 17, 63, 257, 1000, 4099, 140001]) {
    const a = tf.tensor(Float64Array.from({ length: n }, rnd), { dtype });
    const b = tf.tensor(Float64Array.from({ length: n }, rnd), { dtype });
    keep(a.add(b)); keep(a.mul(b)); keep(a.div(b)); keep(a.maximum(b)); keep(a.sub(2.5));
    keep(a.exp()); keep(a.abs().sqrt()); keep(a.relu()); keep(a.tanh()); keep(a.neg());
    for (const off of [1, 3, 5]) {
      if (off >= n) continue;
      const base = a.clone();
      const view = base.narrow(0, off, n - off);
      view.mul_(3).add_(b.narrow(0, off, n - off));
      keep(base);
    }
  }
}
process.stdout.write(JSON.stringify({ simd: tf.backendInfo().simd, results }));
`;

function run(env) {
  const r = spawnSync(process.execPath, ['-e', CHILD], { env: { ...process.env, ...env }, encoding: 'utf8', });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const reference = run({ TENSORFOLD_STREAM_KB: '0' });
const levels = ['avx512', 'avx2', 'scalar'];

test.each(levels)('streaming stores at SIMD level %s give the same bits as ordinary stores', (level) => {
  const plain = level === reference.simd ? reference : run({ TENSORFOLD_STREAM_KB: '0', TENSORFOLD_SIMD: level });
  const streamed = run({ TENSORFOLD_STREAM_KB: '1', TENSORFOLD_SIMD: level });
  expect(streamed.simd).toBe(plain.simd); // a level above this CPU's is capped the same way on both sides
  expect(streamed.results.length).toBe(plain.results.length);
  expect(streamed.results).toEqual(plain.results);
}, 120000);
