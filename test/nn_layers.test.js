// Every layer against PyTorch: the fixture's state dict is loaded with loadStateDict (strict, so the
// parameter and buffer names must be PyTorch's), then the forward outputs, the gradients of
// sum(out · R) with respect to the inputs and every parameter, and the buffers afterwards (BatchNorm
// running statistics) are compared. Run in float32 and, after model.double(), in float64.
'use strict';
const { tf } = require('./helpers');
const { nnFixtures, runCase } = require('./nn_helpers');

const hasConv = typeof require('../dist/native').native.conv2d === 'function';
const NEEDS_NATIVE = /^(conv|maxpool|avgpool|adaptiveavgpool2d$)/;

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

