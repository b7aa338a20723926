// Module layering: lib/nn and lib/optim reach the addon only through lib/kernels.ts (the one typed
// kernel module) and the Tensor API, and lib/nn does not depend on lib/optim.
'use strict';
const fs = require('fs');
const path = require('path');

const sources = (dir) => fs.readdirSync(path.join(__dirname, '..', 'lib', dir))
  .filter((f) => f.endsWith('.ts')).map((f) => [`lib/${dir}/${f}`, fs.readFileSync(path.join(__dirname, '..', 'lib', dir, f), 'utf8')]);
const imports = (src) => [...src.matchAll(/(?:from|require\()\s*'([^']+)'/g)].map((m) => m[1]);

test('lib/nn and lib/optim do not import lib/native.ts', () => {
  const bad = [...sources('nn'), ...sources('optim')].filter(([, s]) => imports(s).includes('../native')).map(([f]) => f);
  expect(bad).toEqual([]);
});

test('lib/nn does not import lib/optim', () => {
  const bad = sources('nn').filter(([, s]) => imports(s).some((m) => m.startsWith('../optim'))).map(([f]) => f);
  expect(bad).toEqual([]);
});
