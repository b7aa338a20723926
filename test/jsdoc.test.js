// Hover documentation: every public declaration in the shipped type declarations (dist/*.d.ts, as
// package.json's `exports` names them) carries a JSDoc comment with text. The TypeScript compiler
// API walks the exports of each entry point, through re-exports and namespaces, and lists each
// declaration once, where it is declared: functions, classes and their public members (inherited
// ones where the base declares them), interfaces and their members, type aliases, consts,
// namespaces, and Tensor's methods, which lib/methods.ts types from the module functions (so those
// are documented where the function is). The walk itself is test/jsdoc_walk.js.
'use strict';
const fs = require('fs');
const { undocumented } = require('./jsdoc_walk');

jest.setTimeout(120000);

// The walk over the shipped declarations, done once for the tests that read it.
let shipped;
const walkShipped = () => (shipped ??= undocumented());

test('every public declaration in the shipped .d.ts files has a JSDoc comment', () => {
  const { missing, total } = walkShipped();
  expect(total).toBeGreaterThan(500);
  if (missing.length) {
    throw new Error(`${missing.length} of ${total} public declarations have no JSDoc comment:\n${missing.join('\n')}`);
  }
});

test('the walk finds what it should: undocumented functions, overloads, members, namespaces and parameter properties', () => {
  const os = require('os');
  const path = require('path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jsdoc-'));
  try {
    fs.writeFileSync(path.join(dir, 'index.d.ts'), [
      'export declare function bare(): void;',
      '/** Documented. */',
      'export declare function documented(): void;',
      'export declare function over(a: number): void;',
      '/** Only the second overload. */',
      'export declare function over(a: string): void;',
      '/** A class. */',
      'export declare class C {',
      '    /** Documented. */',
      '    ok(): void;',
      '    missing(): void;',
      '    private hidden;',
      '    /** @internal */',
      '    _internal(): void;',
      '    readonly param: number;',
      '}',
      "export * as ns from './ns';",
      "export { inner as renamed } from './ns';",
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'ns.d.ts'), '/** Documented once, where declared. */\nexport declare const inner: number;\nexport type T = number;\n');
    const { missing, total } = undocumented([path.join(dir, 'index.d.ts')], dir);
    const names = missing.map((m) => m.split(/\s+/)[1]).sort();
    expect(names).toEqual(['C.missing', 'C.param', 'bare', 'ns', 'ns.T', 'over']);
    // bare, documented, over, C, C.ok, C.missing, C.param, ns, ns.inner (also exported as renamed), ns.T
    expect(total).toBe(10);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Tensor methods installed from module functions are judged where the function is declared', () => {
  // x.exp() is typed from tf.exp (lib/methods.ts), so one comment documents both.
  const { places } = walkShipped();
  expect(places.get('Tensor.exp')).toMatch(/^dist\/elementwise\.d\.ts:/);
  expect(places.get('Tensor.exp')).toBe(places.get('exp'));
  expect(places.get('Tensor.zero_')).toMatch(/^dist\/inplace\.d\.ts:/);
  expect(places.get('Tensor.matmul')).toMatch(/^dist\/tensor_class\.d\.ts:/);
  expect(places.get('nn.functional.linear')).toMatch(/^dist\/nn\/functional\.d\.ts:/);
});

test('hovering tf.tensor, x.matmul, x.exp, backward, Adam, DataLoader, Conv2d.forward shows their comments', () => {
  // What an editor shows: the language service's quick info at each name, in a (virtual) user file.
  const ts = require('typescript');
  const path = require('path');
  const root = path.join(__dirname, '..');
  const file = path.join(__dirname, '__hover__.ts');
  const src = [
    "import * as tf from '../dist/index';",
    'const x = tf.tensor([[1, 2]]);',
    'const y = x.matmul(x.T).exp();',
    'y.backward();',
    'const opt = new tf.optim.Adam([x]);',
    'const dl = new tf.data.DataLoader(new tf.data.TensorDataset(x));',
    'new tf.nn.Conv2d(1, 2, 3).forward(x);',
  ].join('\n');
  const ls = ts.createLanguageService({
    getScriptFileNames: () => [file],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => {
      if (f === file) return ts.ScriptSnapshot.fromString(src);
      return ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)) : undefined;
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => ({ strict: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, types: ['node'] }),
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f === file || ts.sys.fileExists(f),
    readFile: (f) => (f === file ? src : ts.sys.readFile(f)),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  });
  const hover = (word) => {
    const qi = ls.getQuickInfoAtPosition(file, src.indexOf(word));
    return { doc: qi ? ts.displayPartsToString(qi.documentation) : '', tags: qi ? (qi.tags || []).map((t) => t.name) : [] };
  };
  expect(hover('tensor(').doc).toMatch(/nested arrays/);
  expect(hover('tensor(').tags).toContain('example');
  expect(hover('matmul').doc).toMatch(/\[n, k\] @ \[k, m\] → \[n, m\]/);
  expect(hover('exp(').doc).toMatch(/e\^x/);
  expect(hover('backward').doc).toMatch(/\.grad/);
  expect(hover('Adam').tags).toContain('example');
  expect(hover('DataLoader').doc).toMatch(/Batches a dataset/);
  expect(hover('forward').doc).toMatch(/\[N, inChannels, H, W\] → \[N, outChannels, H', W'\]/);
});
