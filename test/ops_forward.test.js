// Forward values of every op of API.md against PyTorch (test/fixtures/ops.json, written by
// scripts/gen_fixtures.py), through both the method form t.op(...) and the function form tf.op(t, ...).
'use strict';
const { tf, loadFixtures, fromSpec, callCase, tolFor, expectTensor } = require('./helpers');

const cases = loadFixtures();

// Cases the engine gets wrong today, keyed "<case name> [<form>]"; each is listed with its repro in
// the suite's report. test.failing flips to a failure once the engine is fixed: then delete the key.
const KNOWN_FAILURES = new Set([
]);

function checkCase(c, form) {
  const tensors = c.inputs.map((s) => fromSpec(s));
  const out = callCase(c, form, tensors);
  if (Array.isArray(c.out)) {
    if (!Array.isArray(out)) throw new Error(`${c.name}: expected an array of ${c.out.length} tensors`);
    expect(out.length).toBe(c.out.length);
    c.out.forEach((spec, i) => expectTensor(out[i], spec, c.tol || tolFor(c.op, spec.dtype), `${c.name} [${form}] output ${i}`));
  } else {
    expectTensor(out, c.out, c.tol || tolFor(c.op, c.out.dtype), `${c.name} [${form}]`);
  }
}

const byOp = new Map();
for (const c of cases) {
  if (!byOp.has(c.op)) byOp.set(c.op, []);
  byOp.get(c.op).push(c);
}

for (const [op, list] of byOp) {
  describe(op, () => {
    for (const c of list) {
      for (const form of c.forms) {
        const title = `${c.name} [${form}]`;
        (KNOWN_FAILURES.has(title) ? test.failing : test)(title, () => checkCase(c, form));
      }
    }
  });
}

test('the fixtures cover every op of API.md "Operations"', () => {
  const ops = ['add', 'sub', 'mul', 'div', 'pow', 'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos',
    'tanh', 'sigmoid', 'relu', 'gelu', 'silu', 'softplus', 'leakyRelu', 'maximum', 'minimum', 'clamp', 'where',
    'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'sum', 'mean', 'max', 'min', 'argmax', 'argmin', 'var', 'std',
    'logsumexp', 'matmul', 'softmax', 'logSoftmax', 'reshape', 'transpose', 'permute', 'squeeze', 'unsqueeze',
    'expand', 'flatten', 'narrow', 'select', 'concat', 'stack', 'split', 'chunk', 'gather', 'indexSelect',
    'scatterAdd', 'oneHot'];
  const missing = ops.filter((o) => !byOp.has(o));
  expect(missing).toEqual([]);
  for (const o of ops) expect(typeof tf[o]).toBe('function');
});

test('the same op twice gives the same tensor (no hidden state between calls)', () => {
  const c = cases.find((x) => x.op === 'matmul');
  const ts = c.inputs.map((s) => fromSpec(s));
  const a = callCase(c, 'func', ts).toArray();
  const b = callCase(c, 'func', ts).toArray();
  expect(b).toEqual(a);
});
