// Accuracy of the vectorised float32 transcendentals, in ulp against the float64 result rounded to
// float32, at every SIMD level the machine has (TENSORFOLD_SIMD caps the level; each level runs in
// its own process because the choice is made when the addon loads).
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');

// Runs in a child: returns the worst ulp error per function over ~200k inputs.
const probe = `
const tf = require(${JSON.stringify(root)});
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function ord(x) { f32[0] = x; const u = u32[0]; return u & 0x80000000 ? 0x80000000 - u : u + 0x80000000; }
function ulp(a, b) {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  return Math.abs(ord(a) - ord(b));
}
// erfc(a) for a >= 0 in float64: series below 2.5 (no cancellation: erf(a) < 0.9996 there), a
// continued fraction above. gelu's reference uses erfc so that 1 + erf(x/√2) does not cancel for
// very negative x.
const erfc = (a) => {
  if (a < 2.5) {
    let s = 0, t = a, n = 0;
    while (Math.abs(t) > 1e-17 * Math.abs(s) || n < 3) { s += t / (2 * n + 1); n++; t *= -a * a / n; if (n > 200) break; }
    return 1 - 2 / Math.sqrt(Math.PI) * s;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (a + f);
  return Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
};
const cdf = (x) => (x >= 0 ? 1 - 0.5 * erfc(x / Math.SQRT2) : 0.5 * erfc(-x / Math.SQRT2));
const ref = {
  exp: Math.exp, log: Math.log, tanh: Math.tanh, sin: Math.sin, cos: Math.cos,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  silu: (x) => x / (1 + Math.exp(-x)),
  softplus: (x) => (x > 20 ? x : Math.log1p(Math.exp(x))),
  gelu: (x) => x * cdf(x),
  rsqrt: (x) => 1 / Math.sqrt(x),
  sqrt: Math.sqrt,
  erf: (x) => (x >= 0 ? 1 - erfc(x) : erfc(-x) - 1),
  erfc: (x) => (x >= 0 ? erfc(x) : 2 - erfc(-x)),
};
const ranges = { exp: [-87, 88], log: [1e-30, 1e30], tanh: [-10, 10], sin: [-100, 100], cos: [-100, 100], sigmoid: [-80, 80],
  silu: [-80, 80], softplus: [-30, 30], gelu: [-8, 8], rsqrt: [1e-30, 1e30], sqrt: [0, 1e30],
  erf: [-4, 4], erfc: [-4, 10] };
const n = 200000;
const worst = {};
for (const [name, [lo, hi]] of Object.entries(ranges)) {
  const x = new Float32Array(n);
  const geometric = lo > 0;
  for (let i = 0; i < n; i++) {
    const t = (i + 0.5) / n;
    x[i] = geometric ? lo * Math.pow(hi / lo, t) : lo + (hi - lo) * t;
  }
  const y = tf.tensor(x)[name]().toTypedArray();
  let w = 0;
  for (let i = 0; i < n; i++) {
    const r = Math.fround(ref[name](x[i]));
    // Below float32's normal range a relative criterion is meaningless; compare absolutely there.
    const e = Math.abs(r) < 1.2e-38 ? (Math.abs(y[i] - r) < 1e-44 ? 0 : ulp(y[i], r)) : ulp(y[i], r);
    if (e > w) w = e;
  }
  worst[name] = w;
}
console.log(JSON.stringify({ simd: tf.backendInfo().simd, worst }));
`;

const levels = ['avx512', 'avx2', 'scalar'];
for (const level of levels) {
  test(`float32 transcendentals within 2 ulp (${level})`, () => {
    const r = spawnSync(process.execPath, ['-e', probe], { env: { ...process.env, TENSORFOLD_SIMD: level }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const { simd, worst } = JSON.parse(r.stdout);
    if (simd !== level) {
      // This CPU lacks the level (the engine picked the best it has, below the cap): nothing to check.
      expect(levels.indexOf(simd)).toBeGreaterThan(levels.indexOf(level));
      return;
    }
    for (const [name, w] of Object.entries(worst)) {
      // exp/log/tanh/sin/cos/erf/erfc ≤ 1 ulp measured; gelu 1.16; sigmoid/silu/softplus/rsqrt ≤ 1.5 (see kernels.cpp).
      if (w > 2) throw new Error(`${name}: ${w} ulp at SIMD level ${simd}`);
    }
  }, 60000);
}
