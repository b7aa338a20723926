// The dtypes int64, uint8, float16 and bfloat16 against PyTorch 1.13: every case of
// test/fixtures/dtype_storage.json.gz (scripts/gen_dtype_storage_fixtures.py) replayed against dist/.
// Conversions, integer ops and selections compare exactly; float16/bfloat16 math within 1 ulp of the
// dtype (each case's `why` says which and why). Where PyTorch rejects an op, ours must throw an Error
// or give the design's answer (float32 math rounded once).
//
// KNOWN_FAILING lists the cases where ours disagrees today: id → [how it fails now (the start of
// the difference), why]. Each is checked to still fail that way, so a fix shows up as a failing
// test here: then delete the entry.
'use strict';
const { loadCases, replay } = require('./dtype_storage_replay');
const tf = require('../dist');

const R = {
  idx64: 'int64 index tensors are rejected (API.md: int64 is accepted wherever int32 indices are)',
  num: 'a JS number beyond int32 is cast to int32 (saturating to -2^31) when the tensor is not float32/float64',
  num32: 'a JS number beyond int32 saturates to -2^31 with an int32 tensor; torch wraps the Python int into int32',
  argU8: 'uint8 argmax/argmin: in_compute_dtype rounds the int32 index result back to uint8',
  sortU8: 'uint8 sort/topk: the int32 indices are rounded back to uint8, then gather rejects them',
  sortHalf: 'sort/topk of float16/bfloat16 are not routed through in_compute_dtype (the kernel rejects the storage dtype)',
  mm64: 'int64 matmul gives wrong values ([[1,2,3],[4,5,6]]@[[7,8],[9,10],[11,12]] gives 25,24,0,0)',
  move: 'data movement (gather/indexSelect/index/flip/embedding) of a storage dtype reaches TF_DISPATCH_ALL instead of moving elements as stored',
  whereU8: 'torch 1.13 accepts a uint8 condition in where (deprecated, warns); ours requires bool: if deliberate, drop these cases',
  inplace: 'in-place op on float16/bfloat16 with a float32 operand: torch casts the result back (same kind); ours rejects',
  zeroSign: 'maximum/minimum of -0 and 0 return the second operand, torch the first (float32 does the same: not dtype-specific)',
  anyU8: 'any/all of uint8: torch 1.13 returns uint8 (legacy), ours bool: probably keep ours, then drop',
  normHalf: 'norm rejects float16/bfloat16 ("expected a float tensor"): the lib check knows only float32/float64',
  linear2: 'F.linear in a half type rounds twice (matmul result, then + bias): 2 ulp off float32 math rounded once',
  convHalf: 'conv2d rejects bfloat16 (float32/float64 only), torch computes it',
};

const KNOWN_FAILING = {
  'promote/tn/int32+10000000000': ['values', R.num32],
  'promote/tn/bool+10000000000': ['values', R.num],
  'promote/tn/int64+10000000000': ['values', R.num],
  'promote/tn/float16+10000000000': ['values', R.num],
  'promote/tn/bfloat16+10000000000': ['values', R.num],
  'where/int64/cond-int64': ['threw: where: condition must be a bool tensor, got uint8 of ', R.whereU8],
  'where/uint8/cond-uint8': ['threw: where: condition must be a bool tensor, got uint8 of ', R.whereU8],
  'where/float16/cond-float16': ['threw: where: condition must be a bool tensor, got uint8 of ', R.whereU8],
  'where/bfloat16/cond-bfloat16': ['threw: where: condition must be a bool tensor, got uint8 of ', R.whereU8],
  'reduce/argmax()/uint8': ['dtype: uint8 vs torch int64', R.argU8],
  'reduce/argmax(1)/uint8': ['dtype: uint8 vs torch int64', R.argU8],
  'reduce/argmin(0)/uint8': ['dtype: uint8 vs torch int64', R.argU8],
  'sort/uint8': ['threw: gather: index must be an int32 tensor, got uint8 of s', R.sortU8],
  'sort/uint8/desc': ['threw: gather: index must be an int32 tensor, got uint8 of s', R.sortU8],
  'topk/uint8': ['threw: gather: index must be an int32 tensor, got uint8 of s', R.sortU8],
  'sort/float16': ['threw: float16 tensors are not supported by this operation (', R.sortHalf],
  'sort/float16/desc': ['threw: float16 tensors are not supported by this operation (', R.sortHalf],
  'sort/bfloat16': ['threw: bfloat16 tensors are not supported by this operation ', R.sortHalf],
  'sort/bfloat16/desc': ['threw: bfloat16 tensors are not supported by this operation ', R.sortHalf],
  'topk/bfloat16': ['threw: bfloat16 tensors are not supported by this operation ', R.sortHalf],
  'sort/float16/nan': ['threw: float16 tensors are not supported by this operation (', R.sortHalf],
  'sort/bfloat16/nan': ['threw: bfloat16 tensors are not supported by this operation ', R.sortHalf],
  'matmul/int64': ['values', R.mm64],
  'index/gather/int64': ['threw: gather: index must be an int32 tensor, got int64 of s', R.idx64],
  'index/gather/int64/dim1': ['threw: gather: index must be an int32 tensor, got int64 of s', R.idx64],
  'index/indexSelect/int64': ['threw: indexSelect: index must be an int32 tensor, got int64', R.idx64],
  'index/index/int64': ['threw: index: index tensors must be int32 or bool, got int64', R.idx64],
  'index/index/int64-negative': ['threw: index: index tensors must be int32 or bool, got int64', R.idx64],
  'index/index/int64-2d': ['threw: index: index tensors must be int32 or bool, got int64', R.idx64],
  'index/embedding/int64': ['threw: embedding: input must be int32 indices, got int64 [2,', R.idx64],
  'index/scatterAdd/int64': ['threw: scatterAdd: index must be an int32 tensor, got int64 ', R.idx64],
  'index/takeAlongDim/int64': ['threw: takeAlongDim: indices must be an int32 tensor, got in', R.idx64],
  'index/oneHot/int64': ['threw: oneHot: index must be an int32 tensor, got int64 of s', R.idx64],
  'index/crossEntropy/int64': ['threw: crossEntropy: target must be int32 class indices of s', R.idx64],
  'index/nllLoss/int64': ['threw: nllLoss: target must be int32 class indices of shape ', R.idx64],
  'index/gather/uint8-data': ['threw: uint8 tensors are not supported by this operation (a ', R.move],
  'index/indexSelect/uint8-data': ['threw: uint8 tensors are not supported by this operation (a ', R.move],
  'index/index/uint8-data': ['threw: uint8 tensors are not supported by this operation (a ', R.move],
  'index/gather/float16-data': ['threw: float16 tensors are not supported by this operation (', R.move],
  'index/indexSelect/float16-data': ['threw: float16 tensors are not supported by this operation (', R.move],
  'index/index/float16-data': ['threw: float16 tensors are not supported by this operation (', R.move],
  'index/gather/bfloat16-data': ['threw: bfloat16 tensors are not supported by this operation ', R.move],
  'index/indexSelect/bfloat16-data': ['threw: bfloat16 tensors are not supported by this operation ', R.move],
  'index/index/bfloat16-data': ['threw: bfloat16 tensors are not supported by this operation ', R.move],
  'index/embedding/float16-weight': ['threw: float16 tensors are not supported by this operation (', R.move],
  'edge/maximum/float16': ['values', R.zeroSign],
  'edge/minimum/float16': ['values', R.zeroSign],
  'edge/maximum/bfloat16': ['values', R.zeroSign],
  'edge/minimum/bfloat16': ['values', R.zeroSign],
  'reduce2/any()/uint8': ['dtype: bool vs torch uint8', R.anyU8],
  'reduce2/all(1)/uint8': ['dtype: bool vs torch uint8', R.anyU8],
  'reduce2/norm()/float16': ['threw: norm: expected a float tensor, got float16', R.normHalf],
  'reduce2/norm()/bfloat16': ['threw: norm: expected a float tensor, got bfloat16', R.normHalf],
  'nn/linear/bfloat16': ['values', R.linear2],
  'nn/conv2d/bfloat16': ['threw: conv2d: input must be float32 or float64, got bfloat1', R.convHalf],
  'grad/gathersum/float16': ['threw: float16 tensors are not supported by this operation (', R.move],
  'grad/gathersum/bfloat16': ['threw: bfloat16 tensors are not supported by this operation ', R.move],
  'number/sub/int64/2147483648': ['values', R.num],
  'number/mul/int64/2147483648': ['values', R.num],
  'number/gt/int64/2147483648': ['values', R.num],
  'number/sub/int64/1099511627777': ['values', R.num],
  'number/mul/int64/1099511627777': ['values', R.num],
  'number/gt/int64/1099511627777': ['values', R.num],
  'number/sub/int64/-34359738368': ['values', R.num],
  'number/mul/int64/-34359738368': ['values', R.num],
  'number/sub/int64/3000000000': ['values', R.num],
  'number/mul/int64/3000000000': ['values', R.num],
  'number/gt/int64/3000000000': ['values', R.num],
  'number/where/int64': ['values', R.num],
  'number/clamp/int64': ['values', R.num],
  'number/sub/uint8/1099511627777': ['values', R.num],
  'number/mul/uint8/1099511627777': ['values', R.num],
  'number/gt/uint8/1099511627777': ['values', R.num],
  'number/eq/uint8/1099511627777': ['values', R.num],
  'number/clamp/uint8': ['ref values', R.num],
  'number/sub/float16/2147483648': ['values', R.num],
  'number/mul/float16/2147483648': ['values', R.num],
  'number/gt/float16/2147483648': ['values', R.num],
  'number/sub/float16/1099511627777': ['values', R.num],
  'number/mul/float16/1099511627777': ['values', R.num],
  'number/gt/float16/1099511627777': ['values', R.num],
  'number/sub/float16/3000000000': ['values', R.num],
  'number/mul/float16/3000000000': ['values', R.num],
  'number/gt/float16/3000000000': ['values', R.num],
  'number/where/float16': ['values', R.num],
  'number/sub/bfloat16/2147483648': ['values', R.num],
  'number/mul/bfloat16/2147483648': ['values', R.num],
  'number/gt/bfloat16/2147483648': ['values', R.num],
  'number/sub/bfloat16/1099511627777': ['values', R.num],
  'number/mul/bfloat16/1099511627777': ['values', R.num],
  'number/gt/bfloat16/1099511627777': ['values', R.num],
  'number/sub/bfloat16/-34359738368': ['values', R.num],
  'number/mul/bfloat16/-34359738368': ['values', R.num],
  'number/sub/bfloat16/3000000000': ['values', R.num],
  'number/mul/bfloat16/3000000000': ['values', R.num],
  'number/gt/bfloat16/3000000000': ['values', R.num],
  'number/where/bfloat16': ['values', R.num],
  'number/sub/int32/1099511627777': ['values', R.num32],
  'number/mul/int32/1099511627777': ['values', R.num32],
  'number/gt/int32/1099511627777': ['values', R.num32],
  'number/eq/int32/1099511627777': ['values', R.num32],
  'number/sub/int32/-34359738368': ['values', R.num32],
  'number/mul/int32/-34359738368': ['values', R.num32],
  'number/sub/int32/3000000000': ['values', R.num32],
  'number/mul/int32/3000000000': ['values', R.num32],
  'number/where/int32': ['values', R.num32],
  'number/clamp/int32': ['ref values', R.num32],
  'flip/uint8': ['threw: uint8 tensors are not supported by this operation (a ', R.move],
  'inplace/mul_/float16': ['threw: mul_: the result type float32 cannot be stored in a t', R.inplace],
  'flip/float16': ['threw: float16 tensors are not supported by this operation (', R.move],
  'inplace/mul_/bfloat16': ['threw: mul_: the result type float32 cannot be stored in a t', R.inplace],
  'flip/bfloat16': ['threw: bfloat16 tensors are not supported by this operation ', R.move],
};

const cases = loadCases();
const groupOf = (id) => id.split('/')[0];

describe('dtype storage fixtures', () => {
  test('every KNOWN_FAILING entry names a case of the fixture', () => {
    const ids = new Set(cases.map((c) => c.id));
    expect(Object.keys(KNOWN_FAILING).filter((id) => !ids.has(id))).toEqual([]);
  });

  const groups = [...new Set(cases.map((c) => groupOf(c.id)))];
  describe.each(groups)('%s', (group) => {
    for (const c of cases.filter((x) => groupOf(x.id) === group)) {
      const known = KNOWN_FAILING[c.id];
      test(known ? `${c.id} (known failing)` : c.id, () => {
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
