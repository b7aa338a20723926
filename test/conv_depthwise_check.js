// Compares depthwise conv2d (the direct path of native/core/conv_depthwise_body.h) with the PyTorch
// fixtures of scripts/gen_conv_depthwise_fixtures.py: output and gradients of sum(out * R) with
// respect to input, weight and bias, in float32 and float64. Used in-process by
// conv_depthwise.test.js and, as a script, in child processes under each TENSORFOLD_SIMD level
// (the level is read when the addon loads); prints {simd, worst: {"case dtype what": error}}.
'use strict';
const path = require('path');
const tf = require(path.join(__dirname, '..'));
const fixtures = require(path.join(__dirname, 'fixtures', 'conv_depthwise.json'));

// max |a - e| / (1 + max |e|): float32 sums of up to a few hundred products round like their size.
function relErr(actual, expected) {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i] - expected[i]);
    if (!(e <= worst)) worst = e;  // NaN counts as the worst
  }
  return actual.length === expected.length ? worst / (1 + scale) : Infinity;
}

function checkFixtures(dtype) {
  const worst = {};
  for (const c of fixtures.cases) {
    const make = (s) => tf.tensor(Float64Array.from(s.data), { shape: s.shape, dtype });
    const names = Object.keys(c.inputs);
    const ins = names.map((k) => make(c.inputs[k]));
    const R = make(c.R);
    const f = (x, w, b) => tf.F.conv2d(x, w, b || null, c.params);
    const out = f(...ins);
    worst[`${c.name} ${dtype} out`] = out.shape.join() === c.out.shape.join()
      ? relErr(out.toTypedArray(), c.out.data) : Infinity;
    const gs = tf.grad((...a) => f(...a).mul(R).sum(), { argnums: names.map((_, i) => i) })(...ins);
    names.forEach((k, i) => { worst[`${c.name} ${dtype} d${k}`] = relErr(gs[i].toTypedArray(), c.grads[k].data); });
  }
  return worst;
}

module.exports = { checkFixtures, relErr };

if (require.main === module) {
  const worst = { ...checkFixtures('float32'), ...checkFixtures('float64') };
  console.log(JSON.stringify({ simd: tf.backendInfo().simd, worst }));
}
