// Randomized differential testing against PyTorch: replays the random programs of
// scripts/gen_differential_fixtures.py (chains of API.md ops: elementwise math, reductions, shape
// ops and views, indexing and scatter/gather, in-place writes on non-leaf tensors and through views,
// matmul/einsum, linalg, comparisons and int32/bool/float32/float64 promotion; inputs with NaN, ±inf
// and -0) and compares each program's outputs (values, dtype, shape) and the gradient of every input
// with PyTorch's. The replayer is a plain interpreter: a step names the call as tensorfold spells it.
// The tolerances (per float class and op family, with their reasons) come from the generator.
const tf = require('..');
const { checkProgram } = require('./differential_dtypes_check');
const { loadFixture, describeProgram } = require('./differential_replay');

const fixture = loadFixture();

const check = (p) => checkProgram(p, fixture);

test(`${fixture.programs.length} random programs over ${fixture.ops.length} ops agree with PyTorch ${fixture.torch} (values and gradients)`, () => {
  const failures = [];
  for (const p of fixture.programs) {
    const f = tf.tidy(() => check(p));
    if (f.length) failures.push(`${describeProgram(p)}  ${f.join('\n  ')}`);
  }
  expect(failures.slice(0, Number(process.env.DIFFERENTIAL_SHOW || 20))).toEqual([]);  // DIFFERENTIAL_SHOW=n shows more
  expect(failures.length).toBe(0);
});
