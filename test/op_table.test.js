// One op table, checked across every layer: the engine's elementwise ops (native/core/op_table.h,
// exported by the binding as opTable()) against the TypeScript functions (lib/elementwise.ts),
// the tf.* exports, the Tensor methods, docs/API.md and the PyTorch fixtures. Adding an op and
// forgetting one of these places fails here (README.md, "Contributing: adding an op").
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('..');
const { native } = require('../dist/native');
const E = require('../dist/elementwise');
const { loadFixtures } = require('./helpers');

const table = native.opTable();
const engineOps = [...table.unary, ...table.binary, ...table.compare];
const tsOps = Object.keys(E);

test('the engine table has no duplicate names', () => {
  expect(new Set(engineOps).size).toBe(engineOps.length);
});

test('every engine op is a TypeScript function of lib/elementwise.ts', () => {
  expect(engineOps.filter((n) => !tsOps.includes(n))).toEqual([]);
});

test('every elementwise op is tf.op and the method t.op, and t.op(...) is tf.op(t, ...)', () => {
  expect(tsOps.filter((n) => typeof tf[n] !== 'function')).toEqual([]);
  expect(tsOps.filter((n) => typeof tf.Tensor.prototype[n] !== 'function')).toEqual([]);
  const x = tf.tensor([0.25, -0.5, 1.5]);
  for (const n of [...table.unary, 'square', 'elu', 'logSigmoid', 'isnan', 'logicalNot']) {
    expect(x[n]().toArray()).toEqual(tf[n](x).toArray());
  }
  for (const n of [...table.binary, ...table.compare, 'logicalAnd']) {
    expect(x[n](0.75).toArray()).toEqual(tf[n](x, 0.75).toArray());
  }
});

test('docs/API.md names every elementwise op, and its elementwise lines name only real ops', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'API.md'), 'utf8');
  const words = new Set(doc.match(/[A-Za-z0-9_]+/g));
  expect(tsOps.filter((n) => !words.has(n))).toEqual([]);
  const line = doc.split('\n').find((l) => l.startsWith('- more elementwise'));
  expect(line).toBeDefined();
  const listed = line.match(/`([^`]*)`/)[1].replace(/\([^)]*\)/g, '').split(/[\s`,]+/).filter(Boolean);
  expect(listed.filter((n) => !tsOps.includes(n))).toEqual([]);
});

test('every elementwise op has PyTorch fixtures (test/fixtures/ops.json or elementwise.json)', () => {
  const covered = new Set([...loadFixtures('ops.json'), ...loadFixtures('elementwise.json')].map((c) => c.op));
  expect(tsOps.filter((n) => !covered.has(n))).toEqual([]);
});

test('the float32 hot paths keep their vector kernels', () => {
  // A change of an op's Kernel in op_table.h to Libm would silently route it to the scalar loop.
  for (const n of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt',
    'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'gelu', 'silu', 'softplus']) expect(table.simd).toContain(n);
});

test('a code missing from the table is refused by the binding', () => {
  expect(() => native.unary(table.unary.length, tf.ones([1])._h)).toThrow(/unary: unknown op/);
  expect(() => native.binary(-1, tf.ones([1])._h, 1)).toThrow(/binary: unknown op/);
  expect(() => native.compare(table.compare.length, tf.ones([1])._h, 1)).toThrow(/compare: unknown op/);
});

test('every export of the method modules (lib/methods.ts) is tf.op and the method t.op', () => {
  const { METHOD_MODULES } = require('../dist/methods');
  for (const [mod, M] of Object.entries(METHOD_MODULES)) {
    const names = Object.keys(M);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => typeof tf[n] !== 'function').map((n) => `${mod}.${n}`)).toEqual([]);
    expect(names.filter((n) => typeof tf.Tensor.prototype[n] !== 'function').map((n) => `${mod}.${n}`)).toEqual([]);
  }
});
