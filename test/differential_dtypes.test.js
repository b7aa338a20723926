// Randomized differential testing of the storage dtypes against PyTorch: replays the programs of
// `scripts/gen_differential_fixtures.py --dtypes` (test/fixtures/differential_dtypes.json.gz): chains of
// elementwise math, reductions, scans, sort/topk, indexing (int32 and int64 index tensors, computed int64
// indices), where/masking, matmul, shape ops, views and in-place writes over int64, uint8, float16 and
// bfloat16 mixed with float32/float64/int32/bool, so that promotion is exercised across ops. Each
// program's outputs are compared in dtype, shape and value, and the gradient of every float input in
// dtype (a half leaf's gradient is of the leaf's dtype) and value.
// - Integer outputs compare exactly; int64 ones as 64-bit integers (BigInt). An int64 result of PyTorch is
//   expected as int64 when it is genuinely one (an int64 operand, or a conversion to int64) and as int32
//   where tensorfold gives int32 on purpose (indices, integer sums/scans of int32/uint8/bool: docs/API.md).
// - Programs with a float16/bfloat16 value use the tolerance eps * (h + 1) the generator derives from the
//   dtype's ulp and the number h of half-valued steps (its comment says why); the others the float32 /
//   float64 tolerances of test/differential.test.js.
//
// KNOWN_FAILING lists the programs where ours disagrees with PyTorch today: id → [the start of the first
// difference, its cause]. Each is checked to still fail that way, so a fix (or a new way of failing)
// shows up here: then delete or update the entry.
'use strict';
const tf = require('..');
const { describeProgram } = require('./differential_replay');
const { check, fixture } = require('./differential_dtypes_check');

// No program disagrees today. When one does, put it here, id → [the start of its first difference,
// its cause] (scripts/differential_dtypes_diffs.js --known prints the entries); fixed so far: a 0-d
// float16/bfloat16 or uint8 tensor with a JS number promoted the number (0-d half + 0.5 gave float32,
// 0-d uint8 * -3 gave int32), as did norm(p) of a half tensor through the same path.
const KNOWN_FAILING = {};

const dtypesOf = (p) => new Set(p.inputs.map((i) => i.dtype));
const count = (dt) => fixture.programs.filter((p) => dtypesOf(p).has(dt)).length;

test('every KNOWN_FAILING entry names a program of the fixture, with a cause', () => {
  expect(Object.keys(KNOWN_FAILING).filter((id) => !fixture.programs[id])).toEqual([]);
  expect(Object.values(KNOWN_FAILING).filter(([, why]) => !why)).toEqual([]);
});

test(`${fixture.programs.length} random programs over ${fixture.ops.length} ops with int64 (${count('int64')}), uint8 (${count('uint8')}), ` +
  `float16 (${count('float16')}), bfloat16 (${count('bfloat16')}) inputs agree with PyTorch ${fixture.torch}`, () => {
  const failures = [];
  const changed = [];
  for (const p of fixture.programs) {
    const f = tf.tidy(() => check(p));
    const known = KNOWN_FAILING[p.id];
    if (known) {
      if (!f.length || !f[0].startsWith(known[0])) changed.push(`${p.id}: was "${known[0]}" (${known[1]}), now ${f.length ? `"${f[0]}"` : 'agrees'}`);
    } else if (f.length) {
      failures.push(`${describeProgram(p)}  ${f.join('\n  ')}`);
    }
  }
  expect(failures.slice(0, Number(process.env.DIFFERENTIAL_SHOW || 20))).toEqual([]);  // DIFFERENTIAL_SHOW=n shows more
  expect(failures.length).toBe(0);
  expect(changed).toEqual([]);
});

