// The fused-kernel fixture cases (test/fixtures/fused.json, from scripts/gen_fused_fixtures.py) and
// how to run each one through the public API. Shared by fused.test.js and its per-SIMD-level child
// processes.
'use strict';
const fs = require('fs');
const path = require('path');

module.exports = function load(tf) {
  const cases = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'fused.json'), 'utf8')).cases;
  const F = tf.F;

  function tensorOf(spec, dtype) {
    if (spec.dtype === 'bool') return tf.tensor(spec.data.map((v) => !!v), { dtype: 'bool', shape: spec.shape });
    return tf.tensor(spec.data, { dtype, shape: spec.shape });
  }

  // The op of case c applied to its inputs (in fixture order) and constants.
  function apply(c, xs, consts) {
    const o = c.opts;
    switch (c.name) {
      case 'gelu': return F.gelu(xs[0], o.approximate);
      case 'softmax': return xs[0].softmax(o.axis);
      case 'logSoftmax': return xs[0].logSoftmax(o.axis);
      case 'layerNorm': return F.layerNorm(xs[0], o.normalizedShape, xs[1] ?? null, xs[2] ?? null, o.eps);
      case 'rmsNorm': return F.rmsNorm(xs[0], o.normalizedShape, xs[1], o.eps);
      case 'sdpa':
        return F.scaledDotProductAttention(xs[0], xs[1], xs[2], { attnMask: consts.mask ?? null, isCausal: !!o.isCausal,
          scale: o.scale ?? null });
      default: throw new Error(`unknown case ${c.name}`);
    }
  }

  /** Inputs, constants, sum(out·R) as a function of the inputs, for case c in dtype. */
  function prepare(c, dtype) {
    const names = Object.keys(c.inputs);
    const xs = names.map((k) => tensorOf(c.inputs[k], dtype));
    const consts = {};
    for (const [k, s] of Object.entries(c.consts)) consts[k] = tensorOf(s, dtype);
    const R = tensorOf(c.R, dtype);
    const loss = (...a) => apply(c, a, consts).mul(R).sum();
    return { names, xs, consts, loss };
  }

  function label(c) {
    return `${c.name}(${JSON.stringify(c.opts)}${Object.keys(c.consts).length ? ', mask ' + c.consts.mask.dtype : ''})`;
  }

  return { cases, tensorOf, apply, prepare, label };
};
