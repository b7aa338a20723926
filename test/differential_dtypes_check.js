// The comparison of one program of test/fixtures/differential_dtypes.json.gz with PyTorch's results
// (test/differential_dtypes.test.js describes it), and a diagnosis for a failing one: the first step whose
// dtype differs from PyTorch's promotion , used by
// scripts/differential_dtypes_diffs.js to group the disagreements by cause.
'use strict';
const tf = require('..');
const { allclose } = require('./helpers');
const { loadFixture, DTYPES_FIXTURE, flat, run } = require('./differential_replay');

const fixture = loadFixture(DTYPES_FIXTURE);

const INTEGER = new Set(['int32', 'int64', 'uint8', 'bool']);

function compareValues(got, want, tol) {
  if (want.dtype === 'int64' && got.dtype === 'int64') {
    const a = Array.from(got.toTypedArray(), String);
    const e = want.values.map(String);
    const k = a.findIndex((v, i) => v !== e[i]);
    return a.length === e.length && k < 0 ? null : `element ${k}: got ${a[k]}, expected ${e[k]}`;
  }
  const exact = INTEGER.has(want.dtype) && INTEGER.has(got.dtype);
  const o = allclose(Float64Array.from(got.toTypedArray(), Number), flat(want.values), exact ? { rtol: 0, atol: 0 } : tol);
  return o.ok ? null : o.msg;
}

// One program of a differential fixture (this one, or test/fixtures/differential.json.gz) against its
// PyTorch results: outputs in shape, dtype and value, and every input's gradient (in dtype where the
// fixture records it). Returns the differences, empty when it agrees.
function checkProgram(p, fx) {
  const failures = [];
  const [rtol, atol] = p.tolerance || fx.tolerances[p.tol][p.family];
  const tol = { rtol, atol };
  let r;
  try {
    r = run(p);
  } catch (e) {
    return [`threw ${e.message}`];
  }
  p.expected.outputs.forEach((want, k) => {
    const got = r.outs[k];
    if (!got || typeof got.shape === 'undefined') { failures.push(`output ${k}: not a tensor`); return; }
    if (JSON.stringify(got.shape) !== JSON.stringify(want.shape)) { failures.push(`output ${k}: shape [${got.shape}] != [${want.shape}]`); return; }
    if (got.dtype !== want.dtype) failures.push(`output ${k}: dtype ${got.dtype} != ${want.dtype}`);
    const d = compareValues(got, want, tol);
    if (d) failures.push(`output ${k}: value ${d}`);
  });
  p.expected.grads.forEach((eg, i) => {
    if (eg === null) return;  // an int/bool input, or no float output
    const want = flat(eg);
    const got = r.grads[i];
    if (got && p.expected.gradDtypes && got.dtype !== p.expected.gradDtypes[i]) failures.push(`grad of input ${i}: dtype ${got.dtype} != ${p.expected.gradDtypes[i]}`);
    const actual = got ? got.toTypedArray() : new Float64Array(want.length);  // PyTorch: unused input gets zeros
    if (got && got.size !== want.length) { failures.push(`grad of input ${i}: size ${got.size} != ${want.length}`); return; }
    const c = allclose(actual, want, tol);
    if (!c.ok) failures.push(`grad of input ${i}: ${c.msg}`);
  });
  return failures;
}

const check = (p) => checkProgram(p, fixture);

// The first step whose dtype is not the one PyTorch's promotion gives (stepDtypes): "f(args) -> ours, torch".
function firstDtypeDifference(p) {
  const want = p.expected.stepDtypes;
  let found = null;
  const describe = (a, stack) => {
    if (Array.isArray(a)) return `[${a.map((x) => describe(x, stack)).join(', ')}]`;
    if (a !== null && typeof a === 'object') {
      if ('$' in a) { const t = stack[a.$]; return t && t.shape ? `${t.dtype}[${t.shape}]` : String(t); }
      if ('c' in a) return `${a.c.dtype}[${a.c.shape}]`;
      return JSON.stringify(a);
    }
    return JSON.stringify(a);
  };
  const stack = [];
  try {
    run(p, (i, y) => {
      stack.push(y);
      if (found === null && y && y.dtype && want[i] && y.dtype !== want[i]) {
        const s = p.steps[i];
        const args = s.f === 'input' ? `in${s.a[0].in}` : s.a.map((a) => describe(a, stack)).join(', ');
        found = `%${i} = ${s.f}(${args}): ${y.dtype}, torch ${want[i]}`;
      }
    });
  } catch (e) {
    return found;
  }
  return found;
}

module.exports = { check, fixture, firstDtypeDifference, checkProgram };
