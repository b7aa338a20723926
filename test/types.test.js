// Shape types (lib/typed.ts): test/types/shapes.ts must compile (its @ts-expect-error lines must
// each be an error), and a mismatched chain must fail with a message naming both sizes.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const run = (...args) => {
  const r = spawnSync(process.execPath, [tsc, '--noEmit', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: (r.stdout || '') + (r.stderr || '') };
};

jest.setTimeout(120000);

test('test/types/shapes.ts compiles', () => {
  const r = run('-p', 'test/types/tsconfig.json');
  if (r.code !== 0) throw new Error(r.out);
});

test('a Linear(784, 128) followed by a Linear(64, 10) is a compile error naming 128 and 64', () => {
  const r = run('-p', 'test/types/fail/tsconfig.json');
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/Linear out 128 does not match next Linear in 64/);
});

test('removing an @ts-expect-error marker makes shapes.ts fail to compile', () => {
  const src = fs.readFileSync(path.join(__dirname, 'types', 'shapes.ts'), 'utf8');
  const lines = src.split('\n');
  const k = lines.findIndex((l) => l.includes('@ts-expect-error Linear out 128'));
  expect(k).toBeGreaterThan(0);
  lines.splice(k, 1);
  const tmp = path.join(__dirname, 'types', `.stripped-${process.pid}.ts`);
  fs.writeFileSync(tmp, lines.join('\n'));
  try {
    const r = run('--strict', '--target', 'ES2020', '--module', 'commonjs', '--types', 'node', '--skipLibCheck', tmp);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/128/);
    expect(r.out).toMatch(/64/);
    expect(r.out).toMatch(/does not match/);
  } finally {
    fs.unlinkSync(tmp);
  }
});

test('checkChain finds the same mistakes at run time, for sizes computed at run time', () => {
  const tf = require('..');
  const { checkChain, Sequential } = require('../dist/typed');
  const n = 64;
  expect(() => new Sequential(new tf.nn.Linear(784, 128), new tf.nn.ReLU(), new tf.nn.Linear(n, 10)))
    .toThrow('Sequential: Linear out 128 does not match next Linear in 64 (layers 0 and 2)');
  expect(() => checkChain([new tf.nn.Conv2d(1, 8, 3), new tf.nn.MaxPool2d(2), new tf.nn.Conv2d(4, 8, 3)]))
    .toThrow(/Conv out 8 does not match next Conv in 4/);
  expect(() => checkChain([new tf.nn.Linear(4, 8), new tf.nn.Flatten(), new tf.nn.Linear(16, 2)])).not.toThrow();
  const model = new Sequential(new tf.nn.Linear(4, 8), new tf.nn.ReLU(), new tf.nn.Linear(8, 2));
  expect(model.forward(tf.ones([3, 4])).shape).toEqual([3, 2]);
});
