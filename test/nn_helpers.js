// Helpers for the tf.nn suites: fixtures from scripts/gen_nn_fixtures.py (PyTorch, float64) and
// building the JS layer a fixture case describes.
'use strict';
const fs = require('fs');
const path = require('path');
const { tf, expectClose, expectShape, num } = require('./helpers');

const cache = {};
function nnFixtures(name) {
  if (!cache[name]) cache[name] = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8'));
  return cache[name];
}

/** A tensor from a fixture spec {shape, dtype, data}; float data is converted to `floatDtype`. */
function T(spec, floatDtype = 'float32') {
  const dtype = spec.dtype === 'float64' ? floatDtype : spec.dtype;
  const data = spec.dtype === 'bool' ? spec.data.map((v) => !!v) : spec.data.map(num);
  return tf.tensor(data, { dtype, shape: spec.shape });
}

/** A fixture input: a tensor spec or a (nested) array of them. */
function input(spec, floatDtype) {
  return Array.isArray(spec) ? spec.map((s) => input(s, floatDtype)) : T(spec, floatDtype);
}

/** Float tensors among (nested) inputs, in order: the ones the fixture has gradients for. */
function floatLeaves(xs) {
  const out = [];
  for (const x of xs) {
    if (Array.isArray(x)) out.push(...floatLeaves(x));
    else if (x.dtype === 'float32' || x.dtype === 'float64') out.push(x);
  }
  return out;
}

/** Output tensors of a layer call (tensors and nested arrays), in order, skipping nulls. */
function flatOutputs(out) {
  if (out instanceof tf.Tensor) return [out];
  const res = [];
  for (const o of out) if (o !== null && o !== undefined) res.push(...flatOutputs(o));
  return res;
}

/** The JS module described by a fixture's js spec ['Linear', 5, 3, {bias: false}]. */
function buildModule(js) {
  const [name, ...args] = js;
  if (name === 'Sequential')
    return new tf.nn.Sequential(new tf.nn.Linear(4, 6), new tf.nn.ReLU(), new tf.nn.Linear(6, 2));
  const C = tf.nn[name];
  if (typeof C !== 'function') throw new Error(`tf.nn.${name} is missing`);
  return new C(...args.map(buildArg));
}
// A constructor argument: ['LayerNorm', 8] names a nested module (TransformerEncoder's layer and norm).
function buildArg(a) {
  if (Array.isArray(a) && typeof a[0] === 'string' && typeof tf.nn[a[0]] === 'function') return buildModule(a);
  if (a && typeof a === 'object' && !Array.isArray(a)) return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, buildArg(v)]));
  return a;
}

function stateDictOf(state, floatDtype) {
  const sd = {};
  for (const [k, v] of Object.entries(state)) sd[k] = T(v, floatDtype);
  return sd;
}

function expectSpec(t, spec, tol, label) {
  if (!(t instanceof tf.Tensor)) throw new Error(`${label}: expected a Tensor, got ${t}`);
  expectShape(t, spec.shape, label);
  expectClose(t, spec.data, tol, label);
}

/**
 * Runs one layer fixture case through the JS module and compares outputs, gradients of
 * sum(out · R) w.r.t. inputs and parameters, and the state afterwards. A case with npos/optKeys
 * passes inputs beyond the first npos as named options (masks).
 */
const TOL = {
  float32: { fwd: { rtol: 2e-4, atol: 2e-5 }, grad: { rtol: 1e-3, atol: 1e-4 } },
  float64: { fwd: { rtol: 1e-9, atol: 1e-10 }, grad: { rtol: 1e-8, atol: 1e-9 } },
};

function runCase(c, dtype, call) {
  const tol = c.gradRtol64 && dtype === 'float64' ? { ...TOL[dtype], grad: { rtol: c.gradRtol64, atol: 1e-9 } } : TOL[dtype];
  const m = buildModule(c.js);
  if (dtype === 'float64') m.double();
  m.loadStateDict(stateDictOf(c.state, dtype));
  m.train(c.train);
  const xs = c.inputs.map((s) => input(s, dtype));
  const leaves = floatLeaves(xs);
  for (const x of leaves) x.requiresGrad = true;
  let out;
  if (call) out = call(m, xs, c);
  else if (c.optKeys) {
    const opts = {};
    c.optKeys.forEach((k, i) => { opts[k] = xs[c.npos + i]; });
    out = m.forward(...xs.slice(0, c.npos), opts);
  } else out = m.forward(...xs);
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


module.exports = { nnFixtures, T, input, floatLeaves, flatOutputs, buildModule, stateDictOf, expectSpec, runCase, TOL };
