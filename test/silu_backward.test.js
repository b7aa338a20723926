// SiLU's backward, one fused kernel (native/core/fused_act.h silu_backward): finite differences in
// float64 (first and second order, and the d/dg path of the gradient's own gradient), PyTorch 1.13's
// values (test/fixtures/silu_backward.json, scripts/gen_silu_fixtures.py) for awkward inputs, and at
// every SIMD level the machine has (each in its own process: the level is chosen when the addon
// loads) the float32 kernel against the composed rule it replaced, over lengths around the vector
// widths, the threaded split, a transposed and an expanded input.
const { spawnSync } = require('child_process');
const path = require('path');
const { tf, checkGrad, weightedSum, randTensor } = require('./helpers');

const root = path.resolve(__dirname, '..');
const fx = require('./fixtures/silu_backward.json');
const dec = (v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

function siluGrad(dtype, xs, gs) {
  const x = tf.tensor(xs, { dtype }).requiresGrad_(true);
  x.silu().backward(tf.tensor(gs, { dtype }));
  return x.grad.toArray();
}

// NaN where the reference is NaN, else within rtol/atol.
function expectMatches(actual, expected, { rtol, atol }, label) {
  for (let i = 0; i < expected.length; i++) {
    const e = dec(expected[i]), a = actual[i];
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) throw new Error(`${label}[${i}] (x = ${fx.x[i]}): expected NaN, got ${a}`);
    } else if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${label}[${i}] (x = ${fx.x[i]}): expected ${e}, got ${a}`);
    }
  }
}

describe('silu backward (float64, finite differences)', () => {
  test('first order, contiguous and transposed', () => {
    const x = randTensor([7, 5], { lo: -6, hi: 6, seed: 3 });
    checkGrad((x) => weightedSum(x.silu()), [x], { label: 'silu' });
    checkGrad((x) => weightedSum(x.transpose().silu()), [x], { label: 'silu transposed' });
  });

  test('second order: d/dx of the gradient', () => {
    const x = randTensor([19], { lo: -5, hi: 5, seed: 5 });
    const inner = tf.grad((x) => weightedSum(x.silu(), 2));
    checkGrad((x) => weightedSum(inner(x), 3), [x], { label: 'silu second order', rtol: 1e-5, atol: 1e-6 });
  });

  test('second order: d/dg of the gradient (g depends on an input)', () => {
    const x = randTensor([3, 6], { lo: -4, hi: 4, seed: 11 });
    const w = randTensor([3, 6], { lo: -1, hi: 1, seed: 12 });
    const f = (x, w) => weightedSum(tf.grad((x) => x.silu().mul(w.mul(w)).sum())(x), 4);
    checkGrad(f, [x, w], { label: 'silu d/dg', rtol: 1e-5, atol: 1e-6 });
  });
});

describe('silu backward against PyTorch 1.13', () => {
  const xs = fx.x.map(dec);
  test('float64: gradient and second-order term', () => {
    expectMatches(siluGrad('float64', xs, fx.g), fx.cases.float64.grad, { rtol: 1e-13, atol: 1e-300 }, 'grad f64');
    const x = tf.tensor(xs, { dtype: 'float64' }).requiresGrad_(true);
    const inner = tf.grad((x) => x.silu().mul(tf.tensor(fx.g, { dtype: 'float64' })).sum());
    const second = tf.grad((x) => inner(x).mul(tf.tensor(fx.r2, { dtype: 'float64' })).sum())(x).toArray();
    expectMatches(second, fx.cases.float64.second, { rtol: 1e-12, atol: 1e-300 }, 'second f64');
  });
  test('float32 (default SIMD level)', () => {
    expectMatches(siluGrad('float32', xs, fx.g), fx.cases.float32.grad, { rtol: 3e-6, atol: 1e-7 }, 'grad f32');
  });
});

// Per SIMD level: the float32 kernel's gradient against the composed rule g·s·(1 + x·(1 − s)) in tf's own
// float32 ops (what the rule was before the fused kernel), in ulp of the float64 value, and PyTorch's values.
const probe = `
const tf = require(${JSON.stringify(root)});
const fx = require(${JSON.stringify(path.join(root, 'test', 'fixtures', 'silu_backward.json'))});
const dec = (v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
let seed = 99;
const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) / 16777216; };
function composed(x, g) {
  return tf.noGrad(() => { const s = x.sigmoid(); return g.mul(s.mul(x.mul(s.neg().add(1)).add(1))); });
}
// Error in units of 2^-23 |exact| (float64), with a floor of 1e-8 for the derivative's zero (x ≈ -1.28),
// where 1 + x (1 - s) cancels: the fused kernel's (worst) must stay within the composed rule's (worstOld) + 1.
let worst = 0, worstOld = 0, where = '';
function compare(label, got, x, g) {
  const ref = composed(x.contiguous(), g).toTypedArray();
  const ref64 = composed(x.to('float64').contiguous(), g.to('float64')).toTypedArray();
  for (let i = 0; i < ref.length; i++) {
    if (Number.isNaN(ref[i]) !== Number.isNaN(got[i])) throw new Error(label + ': NaN mismatch at ' + i);
    if (Number.isNaN(ref[i])) continue;
    const unit = Math.abs(ref64[i]) * 2 ** -23 + 1e-8;
    const e = Math.abs(got[i] - ref64[i]) / unit, eOld = Math.abs(ref[i] - ref64[i]) / unit;
    if (!(eOld <= worstOld)) worstOld = eOld;
    if (!(e <= worst)) { worst = e; where = label + ' at ' + i + ' (x = ' + x.contiguous().toTypedArray()[i] + ')'; }
  }
}
const sizes = [];
for (let n = 1; n <= 70; n++) sizes.push(n);
sizes.push(1 << 15, (1 << 15) + 3, 70001);
for (const n of sizes) {
  const xv = new Float32Array(n), gv = new Float32Array(n);
  for (let i = 0; i < n; i++) { xv[i] = (rnd() - 0.5) * 24; gv[i] = rnd() - 0.5; }
  const x = tf.tensor(xv).requiresGrad_(true), g = tf.tensor(gv);
  x.silu().backward(g);
  compare('n=' + n, x.grad.toTypedArray(), x.detach(), g);
}
{ // a transposed (non-contiguous) input
  const b = tf.randn([40, 33]).mul(6).requiresGrad_(true), g = tf.randn([33, 40]);
  b.transpose().silu().backward(g);
  compare('transposed', b.grad.transpose().contiguous().toTypedArray(), b.detach().transpose(), g);
}
{ // an expanded (stride-0) input: the gradient sums over the expanded rows
  const b = tf.randn([1, 37]).mul(6).requiresGrad_(true), g = tf.randn([5, 37]);
  b.expand([5, 37]).silu().backward(g);
  const want = composed(b.detach().expand([5, 37]), g).sum(0, true).toTypedArray();
  const got = b.grad.toTypedArray();
  for (let i = 0; i < 37; i++)
    if (!(Math.abs(got[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i])))) throw new Error('expanded at ' + i + ': ' + got[i] + ' vs ' + want[i]);
}
// PyTorch's float32 values for the awkward inputs
const x = tf.tensor(fx.x.map(dec)).requiresGrad_(true);
x.silu().backward(tf.tensor(fx.g));
const got = x.grad.toTypedArray(), want = fx.cases.float32.grad.map(dec);
for (let i = 0; i < want.length; i++) {
  if (Number.isNaN(want[i]) ? !Number.isNaN(got[i]) : !(Math.abs(got[i] - want[i]) <= 1e-7 + 3e-6 * Math.abs(want[i])))
    throw new Error('PyTorch fixture at x = ' + fx.x[i] + ': ' + got[i] + ' vs ' + want[i]);
}
console.log(JSON.stringify({ simd: tf.backendInfo().simd, worst, worstOld, where }));
`;

const levels = ['avx512', 'avx2', 'scalar'];
for (const level of levels) {
  test(`float32 fused silu gradient matches the composed rule and PyTorch (${level})`, () => {
    const r = spawnSync(process.execPath, ['-e', probe], { env: { ...process.env, TENSORFOLD_SIMD: level }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const { simd, worst, worstOld, where } = JSON.parse(r.stdout);
    if (simd !== level) {
      expect(levels.indexOf(simd)).toBeGreaterThan(levels.indexOf(level));
      return;
    }
    if (typeof worst !== 'number' || !(worst <= worstOld + 1))
      throw new Error(`silu gradient: error ${worst} (composed rule: ${worstOld}) at ${where}, SIMD level ${simd}`);
  }, 60000);
}
