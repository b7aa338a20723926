// Every layer against PyTorch: the fixture's state dict is loaded with loadStateDict (strict, so the
// parameter and buffer names must be PyTorch's), then the forward outputs, the gradients of
// sum(out · R) with respect to the inputs and every parameter, and the buffers afterwards (BatchNorm
// running statistics) are compared. Run in float32 and, after model.double(), in float64.
'use strict';
const { tf } = require('./helpers');
const { nnFixtures, input, floatLeaves, flatOutputs, buildModule, stateDictOf, expectSpec, T } = require('./nn_helpers');

const hasConv = typeof require('../dist/native').native.conv2d === 'function';
const NEEDS_NATIVE = /^(conv|maxpool|avgpool|adaptiveavgpool2d$)/;

const TOL = {
  float32: { fwd: { rtol: 2e-4, atol: 2e-5 }, grad: { rtol: 1e-3, atol: 1e-4 } },
  float64: { fwd: { rtol: 1e-9, atol: 1e-10 }, grad: { rtol: 1e-8, atol: 1e-9 } },
};

/** Runs one fixture case through the JS module and compares everything. */
function runCase(c, dtype, call) {
  const tol = TOL[dtype];
  const m = buildModule(c.js);
  if (dtype === 'float64') m.double();
  m.loadStateDict(stateDictOf(c.state, dtype));
  m.train(c.train);
  const xs = c.inputs.map((s) => input(s, dtype));
  const leaves = floatLeaves(xs);
  for (const x of leaves) x.requiresGrad = true;
  const out = call ? call(m, xs, c) : m.forward(...xs);
  const outs = flatOutputs(out);
  if (outs.length !== c.outputs.length) throw new Error(`${c.name}: ${outs.length} outputs, expected ${c.outputs.length}`);
  outs.forEach((o, i) => {
    if (o.dtype !== dtype) throw new Error(`${c.name}: output ${i} has dtype ${o.dtype}, expected ${dtype}`);
    expectSpec(o, c.outputs[i], tol.fwd, `${c.name} output ${i}`);
  });
  let total = null;
  outs.forEach((o, i) => {
    const s = o.mul(T(c.R[i], dtype)).sum();
    total = total ? total.add(s) : s;
  });
  total.backward();
  leaves.forEach((x, i) => {
    const g = c.inputGrads[i];
    if (g) expectSpec(x.grad, g, tol.grad, `${c.name} d/d input ${i}`);
  });
  const params = Object.fromEntries(m.namedParameters());
  for (const [k, g] of Object.entries(c.paramGrads)) {
    if (!params[k]) throw new Error(`${c.name}: no parameter ${k}`);
    expectSpec(params[k].grad, g, tol.grad, `${c.name} d/d ${k}`);
  }
  const after = m.stateDict();
  for (const [k, v] of Object.entries(c.stateAfter)) expectSpec(after[k], v, tol.fwd, `${c.name} ${k} after`);
  return m;
}

describe('layers vs PyTorch', () => {
  const { cases } = nnFixtures('nn_layers');
  for (const dtype of ['float32', 'float64'])
    for (const c of cases) {
      const t = !hasConv && NEEDS_NATIVE.test(c.name) ? test.skip : test;
      t(`${c.name} (${dtype})`, () => {
        runCase(c, dtype);
      });
    }
});

describe('recurrent layers vs PyTorch', () => {
  const { cases } = nnFixtures('nn_rnn');
  for (const dtype of ['float32', 'float64'])
    for (const c of cases)
      test(`${c.name} (${dtype})`, () => {
        runCase(c, dtype);
      });
});

describe('MultiheadAttention vs PyTorch', () => {
  const { cases } = nnFixtures('nn_attention');
  const call = (m, xs, c) => {
    const [q, k, v, ...masks] = xs;
    const opts = { averageAttnWeights: c.average };
    c.maskKeys.forEach((key, i) => { opts[key] = masks[i]; });
    return m.forward(q, k, v, opts);
  };
  for (const dtype of ['float32', 'float64'])
    for (const c of cases)
      test(`${c.name} (${dtype})`, () => {
        runCase(c, dtype, call);
      });
});

module.exports = { runCase };
