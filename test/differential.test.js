// Randomized differential testing against PyTorch: replays the random programs of
// scripts/gen_differential_fixtures.py (chains of elementwise ops, broadcasting binary ops,
// reductions, softmax and transposed views over float32 / float64 inputs that hold NaN, ±inf and -0)
// and compares each program's result and the gradient of every input with PyTorch's.
const fs = require('fs');
const path = require('path');
const tf = require('..');
const { allclose } = require('./helpers');

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'differential.json'), 'utf8'));

function num(v) {
  if (typeof v === 'number') return v;
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === '-0') return -0;
  throw new Error(`fixture: unexpected value ${v}`);
}
const flat = (vs) => vs.map(num);

function run(p) {
  const inputs = p.inputs.map((inp) => tf.tensor(Float64Array.from(flat(inp.values)), { shape: inp.shape })
    .to(inp.dtype).requiresGrad_(true));
  const stack = [...inputs];
  for (const s of p.steps) {
    let y;
    switch (s.op) {
      case 'unary': y = stack[s.arg][s.name](); break;
      case 'binary': y = stack[s.a][s.name](s.scalar !== undefined ? s.scalar : stack[s.b]); break;
      case 'reduce': y = stack[s.arg][s.name](s.axis, s.keepdim); break;
      case 'softmax': y = stack[s.arg].softmax(s.axis); break;
      case 'logSoftmax': y = stack[s.arg].logSoftmax(s.axis); break;
      case 'transpose': y = stack[s.arg].transpose(s.d0, s.d1); break;
      default: throw new Error(`differential: unknown step ${s.op}`);
    }
    stack.push(y);
  }
  const out = stack[stack.length - 1];
  const w = tf.tensor(Float64Array.from(flat(p.weights)), { shape: out.shape }).to(out.dtype);
  out.mul(w).sum().backward();
  return { out, grads: inputs.map((x) => x.grad) };
}

const describeProgram = (p) => `program ${p.id} (${p.inputs.map((i) => `${i.dtype}[${i.shape}]`).join(', ')}): ` +
  p.steps.map((s) => s.op === 'unary' ? s.name : s.op === 'binary' ? s.name : s.op === 'reduce' ? `${s.name}(${s.axis}${s.keepdim ? ', keepdim' : ''})` :
    s.op === 'transpose' ? 'transpose' : `${s.op}(${s.axis})`).join(' → ');

test(`${fixture.programs.length} random programs agree with PyTorch ${fixture.torch} (values and gradients)`, () => {
  const failures = [];
  for (const p of fixture.programs) {
    const tol = p.inputs[0].dtype === 'float64' ? { rtol: 1e-9, atol: 1e-10 } : { rtol: 2e-4, atol: 2e-5 };
    tf.tidy(() => {
      let r;
      try {
        r = run(p);
      } catch (e) {
        failures.push(`${describeProgram(p)}: threw ${e.message}`);
        return;
      }
      if (JSON.stringify(r.out.shape) !== JSON.stringify(p.expected.shape)) {
        failures.push(`${describeProgram(p)}: shape [${r.out.shape}] != [${p.expected.shape}]`);
        return;
      }
      const o = allclose(r.out.toTypedArray(), flat(p.expected.out), tol);
      if (!o.ok) failures.push(`${describeProgram(p)}: value ${o.msg}`);
      p.expected.grads.forEach((eg, i) => {
        const got = r.grads[i];
        if (eg === null) return;  // PyTorch: the input does not reach the loss
        const want = flat(eg);
        const actual = got ? got.toTypedArray() : new Float64Array(want.length);
        const c = allclose(actual, want, tol);
        if (!c.ok) failures.push(`${describeProgram(p)}: grad of input ${i} ${c.msg}`);
      });
    });
  }
  expect(failures.slice(0, 25)).toEqual([]);
});
