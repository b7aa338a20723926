// x.pow(e) for scalar e against PyTorch (test/fixtures/pow_scalar.json, scripts/gen_pow_scalar_fixtures.py):
// the exponents PyTorch computes with cheaper forms (2, 3, 0.5, -0.5, -1, -2, 1, 0) must match it bit
// for bit, special values included (pow(-0, 0.5) = -0, pow(-inf, 0.5) = NaN, as PyTorch's sqrt);
// other exponents go through std::pow and must be within 1 ulp. Float32 and float64, every SIMD level.
'use strict';
const path = require('path');
const fs = require('fs');
const { tf } = require('./helpers');

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'pow_scalar.json'), 'utf8'));
// Python's repr: 'inf', '-inf', 'nan' besides plain numbers.
const num = (s) => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : s === 'nan' ? NaN : Number(s));
const exactForms = new Set([2, 3, 0.5, -0.5, -1, -2, 1, 0]);

// Distance in units in the last place of the larger magnitude (subnormals: the smallest step).
function ulpsApart(a, b, dtype) {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return Object.is(a, b) || a !== 0 ? 0 : Infinity; // -0 vs +0 counts as a mismatch
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const [bits, minExp] = dtype === 'float32' ? [23, -126] : [52, -1022];
  const m = Math.max(Math.abs(a), Math.abs(b));
  const ulp = 2 ** (Math.max(Math.floor(Math.log2(m)), minExp) - bits);
  return Math.abs(a - b) / ulp;
}

describe('pow with a scalar exponent, against PyTorch', () => {
  for (const c of fixture.cases) {
    test(`${c.dtype} x^${c.exponent}`, () => {
      const x = tf.tensor(Float64Array.from(c.x.map(num))).to(c.dtype);
      const got = x.pow(c.exponent).toTypedArray();
      const want = c.y.map(num);
      const limit = exactForms.has(c.exponent) ? 0 : 1;
      for (let i = 0; i < want.length; i++) {
        const d = ulpsApart(got[i], want[i], c.dtype);
        if (d > limit) throw new Error(`${c.dtype} (${c.x[i]})^${c.exponent}: ${got[i]}, PyTorch ${c.y[i]} (${d} ulp)`);
      }
    });
  }

  test('in place (pow_) and on a non-contiguous view give the same values', () => {
    const x = tf.arange(24).sub(12).reshape([4, 6]).to('float32');
    const ref = x.pow(2).toTypedArray();
    const v = x.transpose();
    const viaView = v.pow(2).transpose().contiguous().toTypedArray();
    expect(Array.from(viaView)).toEqual(Array.from(ref));
    const y = x.clone();
    y.pow_(2);
    expect(Array.from(y.toTypedArray())).toEqual(Array.from(ref));
  });

  test('gradient of x^2 and x^0.5 (float64, finite differences)', () => {
    const { checkGrad } = require('./helpers');
    const x = tf.tensor([0.5, 1.5, 2.25, 3]).to('float64');
    checkGrad((t) => t.pow(2).sum(), [x]);
    checkGrad((t) => t.pow(0.5).sum(), [x]);
    checkGrad((t) => t.pow(-2).sum(), [x]);
  });
});
