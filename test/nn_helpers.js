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
  return new C(...args);
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

module.exports = { nnFixtures, T, input, floatLeaves, flatOutputs, buildModule, stateDictOf, expectSpec };
