// float32 exp at every SIMD level: special values as libm / PyTorch give them, a sweep over the
// float bit patterns of the whole finite-result range (normal and gradually underflowing results)
// with the error measured against float64 exp, and results that do not depend on where an element
// sits (vector loop, one-lane tail, streaming-store loop, a vector whose other lanes take the
// general path). Also the special values of exp's users (softmax, tanh, sigmoid, softplus).
// Each level runs in its own process: TENSORFOLD_SIMD is read when the addon loads.
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');

const probe = `
const tf = require(${JSON.stringify(root)});
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const exp32 = (xs) => tf.tensor(Float32Array.from(xs)).exp().toTypedArray();
const same = (a, b) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
const out = { simd: tf.backendInfo().simd, fails: [] };
const fail = (msg) => { if (out.fails.length < 20) out.fails.push(msg); };

// Error in units of the float32 ulp at the exact value r (subnormal spacing below 2^-126).
function ulpErr(y, r) {
  if (!Number.isFinite(r) || r > 3.4028234663852886e38) return y === Infinity ? 0 : Infinity;
  if (!Number.isFinite(y)) return Infinity;
  const e = r === 0 ? -149 : Math.max(Math.floor(Math.log2(r)), -126) - 23;
  return Math.abs(y - r) / Math.pow(2, e);
}

// 1. Special values: exact where libm's answer is exact, else within 1 ulp of float64 exp.
const specials = [
  [NaN, NaN], [-Infinity, 0], [Infinity, Infinity], [0, 1], [-0, 1], [88.8, Infinity], [89, Infinity],
  [100, Infinity], [1e30, Infinity], [3.4e38, Infinity], [-1e30, 0], [-3.4e38, 0], [-104, 0], [-110, 0],
  [-115, 0], [-116, 0], [-200, 0], [1e-45, 1], [-1e-45, 1], [1e-38, 1],
];
const ys = exp32(specials.map((s) => s[0]));
specials.forEach(([x, want], i) => { if (!same(ys[i], want)) fail('exp(' + x + ') = ' + ys[i] + ', want ' + want); });
// Near the ends: the largest finite results and the gradual underflow below -87.33.
const edges = [88.72, 88.7228, 88.72283, 88.7229, 88.3, 87.5, 87, 86.99, -86.99, -87, -87.3, -87.34, -87.5,
  -90, -95, -100, -102, -103, -103.27, -103.9, -103.97, -103.98];
const ye = exp32(edges);
edges.forEach((x, i) => {
  const xf = Math.fround(x), r = Math.exp(xf);
  if (ulpErr(ye[i], r) > 1) fail('exp(' + xf + ') = ' + ye[i] + ', want ' + r);
});

// 2. Sweep: every 97th float bit pattern with x in [-104, 89] (about 22 million values / 97).
let worst = 0, worstX = 0;
const chunk = 1 << 18;
let buf = new Float32Array(chunk), fill = 0;
const flush = () => {
  const x = buf.subarray(0, fill);
  const y = tf.tensor(x).exp().toTypedArray();
  for (let i = 0; i < fill; i++) {
    const e = ulpErr(y[i], Math.exp(x[i]));
    if (e > worst) { worst = e; worstX = x[i]; }
  }
  fill = 0;
};
for (const [lo, hi] of [[0x00000000, 0x42b20000], [0x80000000, 0xc2d00000]]) {  // [0, 89], [-0, -104]
  for (let b = lo; b <= hi; b += 97) {
    u32[0] = b;
    buf[fill++] = f32[0];
    if (fill === chunk) flush();
  }
}
flush();
out.worst = worst;
out.worstX = worstX;

// 3. Position independence: a long array (split over threads, streamed when TENSORFOLD_STREAM_KB
// is small) against the same values five at a time (the one-lane tail), with lanes that need the
// general path (big, tiny, non-finite) scattered among normal ones.
const n = 20011;
const x = new Float32Array(n);
const odd = [NaN, Infinity, -Infinity, 88.8, -87.5, -103, -200, 1e30];
for (let i = 0; i < n; i++) x[i] = i % 41 === 0 ? odd[(i / 41) % 8] : Math.fround(Math.sin(i * 12.9898) * 100);
const whole = tf.tensor(x).exp().toTypedArray();
for (let i = 0; i < n; i += 5) {
  const part = tf.tensor(x.slice(i, i + 5)).exp().toTypedArray();
  for (let j = 0; j < part.length; j++) {
    if (!same(part[j], whole[i + j])) { fail('exp(' + x[i + j] + '): ' + whole[i + j] + ' in the array, ' + part[j] + ' alone'); break; }
  }
}

// 4. exp's users at their special values.
const t = (a) => tf.tensor(Float32Array.from(a));
const expectArr = (name, got, want) => {
  for (let i = 0; i < want.length; i++) if (!same(got[i], want[i])) { fail(name + ': ' + Array.from(got) + ', want ' + want); return; }
};
expectArr('softmax [0, -inf]', t([0, -Infinity]).softmax(0).toTypedArray(), [1, 0]);
expectArr('softmax [1000, 1000]', t([1000, 1000]).softmax(0).toTypedArray(), [0.5, 0.5]);
expectArr('softmax [1, nan]', t([1, NaN]).softmax(0).toTypedArray(), [NaN, NaN]);
expectArr('tanh', t([Infinity, -Infinity, NaN, 0, -0, 50]).tanh().toTypedArray(), [1, -1, NaN, 0, -0, 1]);
expectArr('sigmoid', t([Infinity, -Infinity, NaN, 0, -200]).sigmoid().toTypedArray(), [1, 0, NaN, 0.5, 0]);
expectArr('softplus', t([Infinity, -Infinity, NaN, -200, 30]).softplus().toTypedArray(), [Infinity, 0, NaN, 0, 30]);
console.log(JSON.stringify(out));
`;

const levels = ['avx512', 'avx2', 'scalar'];
for (const level of levels) {
  for (const stream of [false, true]) {
    const name = `exp special values, accuracy and position independence (${level}${stream ? ', streaming stores' : ''})`;
    test(name, () => {
      const env = { ...process.env, TENSORFOLD_SIMD: level };
      if (stream) env.TENSORFOLD_STREAM_KB = '1';
      const r = spawnSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      const { simd, fails, worst, worstX } = JSON.parse(r.stdout);
      if (simd !== level) {
        // This CPU lacks the level (the engine picked the best it has, below the cap): nothing to check.
        expect(levels.indexOf(simd)).toBeGreaterThan(levels.indexOf(level));
        return;
      }
      expect(fails).toEqual([]);
      // Measured 0.91 ulp over every float (scripts/kernel_test.cpp, native/core/kernels.cpp).
      if (worst > 1) throw new Error(`exp: ${worst} ulp at x=${worstX} (${simd})`);
    }, 120000);
  }
}
