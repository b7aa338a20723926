// Hover documentation: every public declaration in the shipped type declarations (dist/*.d.ts, as
// package.json's `exports` names them) carries a JSDoc comment with text. The TypeScript compiler
// API walks the exports of each entry point, through re-exports and namespaces, and lists each
// declaration once, where it is declared: functions, classes and their public members (inherited
// ones where the base declares them), interfaces and their members, type aliases, consts,
// namespaces, and Tensor's methods, which lib/methods.ts types from the module functions (so those
// are documented where the function is).
'use strict';
const fs = require('fs');
const { undocumented } = require('./jsdoc_walk');

jest.setTimeout(120000);

test('every public declaration in the shipped .d.ts files has a JSDoc comment', () => {
  const { missing, total } = undocumented();
  expect(total).toBeGreaterThan(500);
  if (process.env.JSDOC_REPORT) fs.writeFileSync(process.env.JSDOC_REPORT, missing.join('\n') + '\n');
  if (missing.length) {
    throw new Error(`${missing.length} of ${total} public declarations have no JSDoc comment:\n${missing.join('\n')}`);
  }
});

test('Tensor methods installed from module functions are judged where the function is declared', () => {
  // x.exp() is typed from tf.exp (lib/methods.ts), so one comment documents both.
  const { places } = undocumented();
  expect(places.get('Tensor.exp')).toMatch(/^dist\/elementwise\.d\.ts:/);
  expect(places.get('Tensor.exp')).toBe(places.get('exp'));
  expect(places.get('Tensor.zero_')).toMatch(/^dist\/inplace\.d\.ts:/);
  expect(places.get('Tensor.matmul')).toMatch(/^dist\/tensor_class\.d\.ts:/);
  expect(places.get('nn.functional.linear')).toMatch(/^dist\/nn\/functional\.d\.ts:/);
});
