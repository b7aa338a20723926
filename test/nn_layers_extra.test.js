// The layers, functions and losses of issue #10 against PyTorch (scripts/gen_nn_extra_fixtures.py):
// state dicts load by PyTorch's names (strict), outputs and gradients match in float32 and float64.
'use strict';
const { tf } = require('./helpers');
const { nnFixtures, runCase, T, expectSpec } = require('./nn_helpers');

const F = tf.F;

describe('extra layers vs PyTorch', () => {
  const { cases } = nnFixtures('nn_layers_extra');
  for (const dtype of ['float32', 'float64'])
    for (const c of cases)
      test(`${c.name} (${dtype})`, () => {
        runCase(c, dtype);
      });
});

const FTOL = {
  float32: { fwd: { rtol: 2e-4, atol: 2e-5 }, grad: { rtol: 1e-3, atol: 1e-4 } },
  float64: { fwd: { rtol: 1e-9, atol: 1e-10 }, grad: { rtol: 1e-8, atol: 1e-9 } },
};

describe('extra functions vs PyTorch', () => {
  const { cases } = nnFixtures('nn_functional_extra');
  for (const dtype of ['float32', 'float64'])
    for (const c of cases)
      test(`${c.name} (${dtype})`, () => {
        const tol = FTOL[dtype];
        const xs = c.inputs.map((s) => T(s, dtype));
        for (const i of c.gradOf) xs[i].requiresGrad = true;
        if (typeof F[c.fn] !== 'function') throw new Error(`F.${c.fn} is missing`);
        const out = F[c.fn](...xs, ...c.args);
        expectSpec(out, c.output, tol.fwd, `${c.name} value`);
        out.mul(T(c.R, dtype)).sum().backward();
        c.gradOf.forEach((i, j) => {
          if (c.grads[j]) expectSpec(xs[i].grad, c.grads[j], tol.grad, `${c.name} d/d input ${i}`);
        });
      });
});

const LTOL = {
  float32: { fwd: { rtol: 1e-4, atol: 1e-5 }, grad: { rtol: 5e-4, atol: 5e-5 } },
  float64: { fwd: { rtol: 1e-10, atol: 1e-12 }, grad: { rtol: 1e-9, atol: 1e-11 } },
};
const TENSOR_OPTS = new Set(['weight', 'posWeight']);

describe('extra losses vs PyTorch, functional and class forms', () => {
  const { cases } = nnFixtures('nn_losses_extra');
  for (const dtype of ['float32', 'float64'])
    for (const c of cases)
      for (const form of ['F', 'class'])
        test(`${c.name} ${form} (${dtype})`, () => {
          const tol = LTOL[dtype];
          const xs = c.inputs.map((s) => T(s, dtype));
          for (const i of c.gradOf) xs[i].requiresGrad = true;
          const opts = {};
          for (const [k, v] of Object.entries(c.opts)) opts[k] = TENSOR_OPTS.has(k) ? xs[v] : v;
          const args = xs.slice(0, c.nargs);
          let out;
          if (form === 'F') out = F[c.fn](...args, opts);
          else {
            const m = new tf.nn[c.cls](opts);
            out = m.forward(...args);
          }
          expect(out.dtype).toBe(dtype);
          expectSpec(out, c.output, tol.fwd, `${c.name} value`);
          out.mul(T(c.R, dtype)).sum().backward();
          c.gradOf.forEach((i, j) => expectSpec(xs[i].grad, c.grads[j], tol.grad, `${c.name} d/d input ${i}`));
        });
});
