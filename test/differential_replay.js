// The replayer of scripts/gen_differential_fixtures.py's programs (test/differential.test.js,
// test/differential_dtypes.test.js): a plain interpreter that runs each step as the call tensorfold
// spells it. Also a debugging aid:
//   node test/differential_replay.js 1298     prints program 1298, its stack and the expected outputs.
//   node test/differential_replay.js --dtypes 17     the same for program 17 of differential_dtypes.json.gz.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const tf = require('..');

const FIXTURE = path.join(__dirname, 'fixtures', 'differential.json.gz');
const DTYPES_FIXTURE = path.join(__dirname, 'fixtures', 'differential_dtypes.json.gz');
const loadFixture = (file = FIXTURE) => JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));
const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

function num(v) {
  if (typeof v === 'number') return v;
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === '-0') return -0;
  throw new Error(`fixture: unexpected value ${v}`);
}
const flat = (vs) => vs.map(num);

function makeTensor({ shape, dtype, values }) {
  if (dtype === 'int32') return tf.tensor(Int32Array.from(values), { shape });
  if (dtype === 'bool') return tf.tensor(values.map((v) => !!v), { shape, dtype: 'bool' });
  // int64 values beyond 2^53 come as decimal strings
  if (dtype === 'int64') return tf.tensor(BigInt64Array.from(values, (v) => BigInt(v)), { shape });
  if (dtype === 'uint8') return tf.tensor(Uint8Array.from(values), { shape, dtype: 'uint8' });
  // float16/bfloat16 inputs hold values of their dtype, so converting from float64 is exact
  return tf.tensor(Float64Array.from(flat(values)), { shape }).to(dtype);
}

function resolve(a, stack, inputs) {
  if (Array.isArray(a)) return a.map((x) => resolve(x, stack, inputs));
  if (a !== null && typeof a === 'object') {
    if ('$' in a) return stack[a.$];
    if ('c' in a) return makeTensor(a.c);
    if ('in' in a) return inputs[a.in];
    return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, resolve(v, stack, inputs)]));
  }
  return a;
}

// 'tf.linalg.inv' and 'tf.concat' are functions of tf; anything else is a method of the first argument.
function call(f, args) {
  if (f === 'input') return args[0];
  if (f.startsWith('tf.')) {
    const names = f.split('.').slice(1);
    const fn = names.reduce((o, k) => o[k], tf);
    return fn(...args);
  }
  const [self, ...rest] = args;
  return self[f](...rest);
}

function run(p, onStep = null) {
  const inputs = p.inputs.map((inp) => {
    const t = makeTensor(inp);
    return FLOAT_DTYPES.has(inp.dtype) ? t.requiresGrad_(true) : t;
  });
  const stack = [];
  for (const s of p.steps) {
    let y = call(s.f, resolve(s.a, stack, inputs));
    if (s.pick !== undefined) y = y[s.pick];
    stack.push(y);
    if (onStep) onStep(stack.length - 1, y);
  }
  const outs = p.outputs.map((i) => stack[i]);
  let loss = null;
  outs.forEach((o, k) => {
    if (!o.requiresGrad) return;
    const w = tf.tensor(Float64Array.from(flat(p.weights[k])), { shape: o.shape }).to(o.dtype);
    const term = o.mul(w).sum().to('float64');
    loss = loss ? loss.add(term) : term;
  });
  if (loss) loss.backward();
  return { outs, grads: inputs.map((x) => (x.requiresGrad ? x.grad : null)) };
}

const describeArg = (a) => {
  if (Array.isArray(a)) return `[${a.map(describeArg).join(', ')}]`;
  if (a !== null && typeof a === 'object') {
    if ('$' in a) return `%${a.$}`;
    if ('c' in a) return `${a.c.dtype}[${a.c.shape}]`;
    if ('in' in a) return `in${a.in}`;
    return JSON.stringify(a);
  }
  return JSON.stringify(a);
};
const describeProgram = (p) => `program ${p.id} (${p.theme}${p.specials ? ', NaN/inf inputs' : ''}, inputs ${p.inputs.map((i) => `${i.dtype}[${i.shape}]`).join(', ')}):\n` +
  p.steps.map((s, i) => `  %${i} = ${s.f}(${s.a.map(describeArg).join(', ')})${s.pick !== undefined ? `[${s.pick}]` : ''}`).join('\n') +
  `\n  outputs ${p.outputs.map((o) => `%${o}`).join(', ')}\n`;

module.exports = { loadFixture, DTYPES_FIXTURE, num, flat, run, describeProgram };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const fixture = loadFixture(argv.includes('--dtypes') ? DTYPES_FIXTURE : FIXTURE);
  for (const id of argv.filter((a) => a !== '--dtypes').map(Number)) {
    const p = fixture.programs[id];
    console.log(describeProgram(p));
    const show = (t) => (t && t.shape ? `${t.dtype}[${t.shape}] ${JSON.stringify(t.toArray())}` : String(t));
    const r = run(p, (i, y) => console.log(`%${i} =`, show(y)));
    r.outs.forEach((o, k) => console.log(`output ${k}:`, show(o), '\n  expected', JSON.stringify(p.expected.outputs[k].values)));
    r.grads.forEach((g, k) => console.log(`grad ${k}:`, show(g), '\n  expected', JSON.stringify(p.expected.grads[k])));
  }
}
