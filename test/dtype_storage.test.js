// The dtypes int64, uint8, float16 and bfloat16 against PyTorch 1.13: every case of
// test/fixtures/dtype_storage.json.gz (scripts/gen_dtype_storage_fixtures.py) replayed against dist/.
// Conversions, integer ops and selections compare exactly; float16/bfloat16 math within 1 ulp of the
// dtype (each case's `why` says which and why). Where PyTorch rejects an op, ours must throw an Error
// or give the design's answer (float32 math rounded once).
//
// DIFFERENT lists the cases where ours differs from PyTorch on purpose: id → [how it differs (the
// start of the difference), why]. Each is checked to still differ that way, so a change of
// behaviour shows up here (then update the entry or delete it).
'use strict';
const { loadCases, replay } = require('./dtype_storage_replay');
const tf = require('../dist');

const R = {
  whereU8: 'where needs a bool condition; torch 1.13 still accepts uint8 there, deprecated and warning',
  oneHot: 'indices the library creates are int32 (docs/API.md); torch one_hot gives int64',
  zeroSign: 'maximum/minimum of -0 and 0 return the second operand for every float dtype (float32 too); torch the first',
  anyU8: 'any/all give bool for every dtype; torch 1.13 keeps uint8 for uint8 input (a legacy exception)',
};

const DIFFERENT = {
  'where/int64/cond-int64': ['threw: where: condition must be a bool tensor, got uint8 of ', R.whereU8],
  'where/uint8/cond-uint8': ['threw: where: condition must be a bool tensor, got uint8 of ', R.whereU8],
  'where/float16/cond-float16': ['threw: where: condition must be a bool tensor, got uint8 of ', R.whereU8],
  'where/bfloat16/cond-bfloat16': ['threw: where: condition must be a bool tensor, got uint8 of ', R.whereU8],
  'index/oneHot/int64': ['dtype: int32 vs torch int64', R.oneHot],
  'edge/maximum/float16': ['values', R.zeroSign],
  'edge/minimum/float16': ['values', R.zeroSign],
  'edge/maximum/bfloat16': ['values', R.zeroSign],
  'edge/minimum/bfloat16': ['values', R.zeroSign],
  'reduce2/any()/uint8': ['dtype: bool vs torch uint8', R.anyU8],
  'reduce2/all(1)/uint8': ['dtype: bool vs torch uint8', R.anyU8],
};

const cases = loadCases();
const groupOf = (id) => id.split('/')[0];

describe('dtype storage fixtures', () => {
  test('every DIFFERENT entry names a case of the fixture', () => {
    const ids = new Set(cases.map((c) => c.id));
    expect(Object.keys(DIFFERENT).filter((id) => !ids.has(id))).toEqual([]);
  });

  const groups = [...new Set(cases.map((c) => groupOf(c.id)))];
  describe.each(groups)('%s', (group) => {
    for (const c of cases.filter((x) => groupOf(x.id) === group)) {
      const known = DIFFERENT[c.id];
      test(known ? `${c.id} (deliberately different)` : c.id, () => {
        const { diff } = replay(c);
        if (known) {
          expect(diff).not.toBeNull();
          expect(diff.startsWith(known[0]) ? known[0] : diff).toBe(known[0]);
        } else {
          expect(diff).toBeNull();
        }
      });
    }
  });
});

describe('int64 and half values out', () => {
  const big = () => tf.tensor(BigInt64Array.from([2n ** 53n, -(2n ** 40n), 3n]));
  test('int64 toTypedArray is a BigInt64Array, exact beyond 2^53', () => {
    const a = tf.tensor(BigInt64Array.from([2n ** 62n + 1n, -(2n ** 63n)])).toTypedArray();
    expect(Object.prototype.toString.call(a)).toBe('[object BigInt64Array]');
    expect(Array.from(a, String)).toEqual([String(2n ** 62n + 1n), String(-(2n ** 63n))]);
  });
  test('int64 toArray and item give numbers', () => {
    expect(big().toArray()).toEqual([2 ** 53, -(2 ** 40), 3]);
    expect(big().sum().item()).toBe(2 ** 53 - 2 ** 40 + 3);
    expect(typeof big().max().item()).toBe('number');
  });
  test('float16 and bfloat16 read out as Float32Array, exact', () => {
    for (const dtype of ['float16', 'bfloat16']) {
      const a = tf.tensor([0.1, 1], { dtype }).toTypedArray();
      expect(Object.prototype.toString.call(a)).toBe('[object Float32Array]');
      expect(a[0]).toBe(dtype === 'float16' ? 0.0999755859375 : 0.10009765625);
    }
  });
  test('uint8 reads out as Uint8Array', () => {
    const a = tf.tensor([0, 200, 255], { dtype: 'uint8' }).toTypedArray();
    expect(Object.prototype.toString.call(a)).toBe('[object Uint8Array]');
    expect(Array.from(a)).toEqual([0, 200, 255]);
  });
});
