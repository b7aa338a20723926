// Randomized differential testing against PyTorch: replays the random programs of
// scripts/gen_differential_fixtures.py (chains of API.md ops: elementwise math, reductions, shape
// ops and views, indexing and scatter/gather, in-place writes on non-leaf tensors and through views,
// matmul/einsum, linalg, comparisons and int32/bool/float32/float64 promotion; inputs with NaN, ±inf
// and -0) and compares each program's outputs (values, dtype, shape) and the gradient of every input
// with PyTorch's. The replayer is a plain interpreter: a step names the call as tensorfold spells it.
// The tolerances (per float class and op family, with their reasons) come from the generator.
const tf = require('..');
const { allclose } = require('./helpers');
const { loadFixture, flat, run, describeProgram } = require('./differential_replay');

const fixture = loadFixture();

function check(p) {
  const failures = [];
  const [rtol, atol] = fixture.tolerances[p.tol][p.family];
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
    const o = allclose(Float64Array.from(got.toTypedArray(), Number), flat(want.values), tol);
    if (!o.ok) failures.push(`output ${k}: value ${o.msg}`);
  });
  p.expected.grads.forEach((eg, i) => {
    if (eg === null) return;  // an int/bool input, or no float output
    const want = flat(eg);
    const got = r.grads[i];
    const actual = got ? got.toTypedArray() : new Float64Array(want.length);  // PyTorch: unused input gets zeros
    if (got && got.size !== want.length) { failures.push(`grad of input ${i}: size ${got.size} != ${want.length}`); return; }
    const c = allclose(actual, want, tol);
    if (!c.ok) failures.push(`grad of input ${i}: ${c.msg}`);
  });
  return failures;
}

test(`${fixture.programs.length} random programs over ${fixture.ops.length} ops agree with PyTorch ${fixture.torch} (values and gradients)`, () => {
  const failures = [];
  for (const p of fixture.programs) {
    const f = tf.tidy(() => check(p));
    if (f.length) failures.push(`${describeProgram(p)}  ${f.join('\n  ')}`);
  }
  expect(failures.slice(0, Number(process.env.DIFFERENTIAL_SHOW || 20))).toEqual([]);  // DIFFERENTIAL_SHOW=n shows more
  expect(failures.length).toBe(0);
});
