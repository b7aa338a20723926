// The packed tarball installs into a scratch project offline, under npm 11's default that blocks
// dependencies' install scripts (the prebuilt binary in prebuilds/ is used), works from JavaScript
// and from strict TypeScript, and builds from source where the project allows its scripts.
// Every npm call here gets a new, empty cache directory: a warm cache once hid that a dependency
// had to be fetched (npm install --offline failed with ENOTCACHED on a clean machine).
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let work;
let tarball;

function sh(cmd, args, cwd, env = {}) {
  return execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// npm with its own empty cache: nothing the developer's or CI's cache holds can help it.
function npmClean(args, cwd, env = {}) {
  const cache = fs.mkdtempSync(path.join(work, 'npm-cache-'));
  expect(fs.readdirSync(cache)).toEqual([]);
  return sh(npm, [...args, '--cache', cache], cwd, env);
}

function scratch(name, extra = {}) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...extra }, null, 2));
  return dir;
}

const jsProgram = `
const tf = require('tensorfold');
const w = tf.randn([4, 1], { requiresGrad: true });
const x = tf.tensor([[1, 2, 3, 4]]);
const loss = x.matmul(w).square().sum();
loss.backward();
const expected = x.matmul(w).item() * 2;
console.log(JSON.stringify({ info: tf.backendInfo(), grad: w.grad.toArray(), expected, x: x.toArray() }));
`;

const tsProgram = `
import * as tf from 'tensorfold';
const model = new tf.nn.Sequential(new tf.nn.Linear(3, 8), new tf.nn.ReLU(), new tf.nn.Linear(8, 1));
const opt = new tf.optim.Adam(model.parameters(), { lr: 0.05 });
const x: tf.Tensor = tf.randn([32, 3]);
const y: tf.Tensor = x.sum(1, true);
let last = Infinity;
for (let i = 0; i < 100; i++) {
  opt.zeroGrad();
  const loss = tf.F.mseLoss(model.forward(x), y);
  loss.backward();
  opt.step();
  last = loss.item();
}
const dt: tf.DType = x.dtype;
console.log(JSON.stringify({ last, dt }));
`;

// ESM consumer: named imports, the namespace and the default import are one instance with require's.
const esmProgram = `
import { tensor, nn, F, noGrad } from 'tensorfold';
import * as tf from 'tensorfold';
import tfDefault from 'tensorfold';
import { createRequire } from 'module';
const cjs = createRequire(import.meta.url)('tensorfold');
const model = new nn.Linear(3, 2);
const y = noGrad(() => F.relu(model.forward(tensor([[1, 2, 3]]))));
console.log(JSON.stringify({
  shape: y.shape,
  same: tf.tensor === tensor && tfDefault.tensor === tensor && cjs.tensor === tensor && cjs.nn === nn,
  version: cjs === tfDefault,
}));
`;

// tensorfold/typed from CommonJS and from ESM: the typed constructors build ordinary modules.
const typedCjsProgram = `
const typed = require('tensorfold/typed');
const tf = require('tensorfold');
const m = new typed.Sequential(new typed.Linear(4, 8), new typed.ReLU(), new typed.Linear(8, 2));
let err = null;
try { typed.checkChain([new typed.Linear(4, 8), new typed.Linear(6, 2)]); } catch (e) { err = e.message; }
console.log(JSON.stringify({ shape: m.forward(tf.zeros([5, 4])).shape, isModule: m instanceof tf.nn.Module, err }));
`;
const typedEsmProgram = `
import { Sequential, Linear, Tanh } from 'tensorfold/typed';
import { zeros, nn } from 'tensorfold';
const m = new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 1));
console.log(JSON.stringify({ shape: m.forward(zeros([2, 3])).shape, isModule: m instanceof nn.Module }));
`;

// Strict TypeScript with module nodenext: an ES module (.mts) and a CommonJS one (.cts), both
// using the root and tensorfold/typed; run after compiling.
const tsEsm = `
import { tensor, nn, type Tensor, type DType } from 'tensorfold';
import * as tf from 'tensorfold';
import { Sequential, Linear, ReLU } from 'tensorfold/typed';
const m = new Sequential(new Linear(2, 4), new ReLU(), new Linear(4, 3));
const y: Tensor = m.forward(tensor([[1, 2]]));
const d: DType = y.dtype;
const isModule: boolean = m instanceof nn.Module && tf.nn.Module === nn.Module;
console.log(JSON.stringify({ shape: y.shape, d, isModule }));
`;
const tsCjs = `
import * as tf from 'tensorfold';
import * as typed from 'tensorfold/typed';
const m = new typed.Sequential(new typed.Linear(2, 4), new typed.Linear(4, 1));
const y: tf.Tensor = m.forward(tf.ones([3, 2]));
console.log(JSON.stringify({ shape: y.shape }));
`;
// The chain check of tensorfold/typed must reach the consumer's compiler under every resolution.
const tsTypedBad = `
import { Sequential, Linear } from 'tensorfold/typed';
new Sequential(new Linear(784, 128), new Linear(64, 10));
`;

function tscErrors(dir, config) {
  try {
    sh(process.execPath, [tsc, '-p', config], dir);
    return '';
  } catch (e) {
    return String(e.stdout) + String(e.stderr);
  }
}

let consumerDir;
// One offline install shared by the consumer tests (each npm call with its own empty cache).
function consumer() {
  if (consumerDir) return consumerDir;
  const dir = scratch('consumer');
  npmClean(['install', '--offline', '--no-audit', '--no-fund', tarball], dir);
  consumerDir = dir;
  return dir;
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorfold-pack-'));
  // The prepack step (the prebuilt binary) runs here and the pack itself without scripts: npm's
  // `prepare` would recompile dist/ while other test files run the library from it, and a file
  // read while tsc rewrites it is cut short (examples.test.js once saw dist/index.js without its
  // last export). dist/ is current: `npm install` compiled it before the tests.
  sh(process.execPath, [path.join(root, 'scripts', 'prebuild.js')], root);
  sh(npm, ['pack', '--ignore-scripts', '--pack-destination', work], root);
  tarball = path.join(work, fs.readdirSync(work).find((f) => f.endsWith('.tgz')));
}, 600000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the tarball carries the compiled library, types, sources and a prebuilt binary', () => {
  const list = sh('tar', ['tzf', tarball], work).split('\n');
  for (const f of ['package/dist/index.js', 'package/dist/index.d.ts', 'package/CMakeLists.txt', 'package/binding.gyp',
    'package/native/sources.json', 'package/LICENSE', 'package/esm/index.mjs', 'package/esm/index.d.mts',
    'package/esm/typed.mjs', 'package/esm/typed.d.mts', 'package/dist/typed.d.ts', `package/prebuilds/${process.platform}-${process.arch}/tensorfold.node`])
    expect(list).toContain(f);
  expect(list.some((f) => f.startsWith('package/test/'))).toBe(false);
  // The headers a from-source build needs travel inside the tarball (bundleDependencies), so an
  // offline install with an empty cache never has to fetch them.
  expect(list).toContain('package/node_modules/node-addon-api/package.json');
});

test('installs offline with install scripts blocked (npm 11 default) and works from JS and strict TS', () => {
  const dir = consumer();
  // The install script did not run: nothing was compiled, the prebuilt binary is used.
  expect(fs.existsSync(path.join(dir, 'node_modules', 'tensorfold', 'build'))).toBe(false);

  fs.writeFileSync(path.join(dir, 'main.js'), jsProgram);
  const r = JSON.parse(sh(process.execPath, ['main.js'], dir));
  expect(r.info.blas).toBe('own'); // the prebuilt binary does not link OpenBLAS
  // d/dw sum((x·w)²) = 2 (x·w) xᵀ
  r.grad.forEach((g, i) => expect(g[0]).toBeCloseTo(r.expected * r.x[0][i], 4));

  fs.writeFileSync(path.join(dir, 'main.ts'), tsProgram);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, target: 'ES2020', module: 'commonjs', esModuleInterop: true, outDir: 'out', types: [] },
    files: ['main.ts'],
  }));
  sh(process.execPath, [tsc, '-p', 'tsconfig.json'], dir);
  const t = JSON.parse(sh(process.execPath, ['out/main.js'], dir));
  expect(t.dt).toBe('float32');
  expect(t.last).toBeLessThan(0.05);

  // A strict TypeScript consumer gets compile errors for misuse.
  fs.writeFileSync(path.join(dir, 'bad.ts'), "import * as tf from 'tensorfold';\nconst n: number = tf.zeros([2]);\n");
  fs.writeFileSync(path.join(dir, 'tsconfig.bad.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, types: [] }, files: ['bad.ts'],
  }));
  let diagnostics = '';
  try {
    sh(process.execPath, [tsc, '-p', 'tsconfig.bad.json'], dir);
  } catch (e) {
    diagnostics = String(e.stdout) + String(e.stderr);
  }
  expect(diagnostics).toMatch(/Type 'Tensor' is not assignable to type 'number'/);
}, 300000);

test('ESM consumers: named imports, the namespace and tensorfold/typed, one instance with require; the bin', () => {
  const dir = consumer();
  fs.writeFileSync(path.join(dir, 'esm.mjs'), esmProgram);
  expect(JSON.parse(sh(process.execPath, ['esm.mjs'], dir))).toEqual({ shape: [1, 2], same: true, version: true });
  fs.writeFileSync(path.join(dir, 'typed.js'), typedCjsProgram);
  const t = JSON.parse(sh(process.execPath, ['typed.js'], dir));
  expect(t).toEqual({ shape: [5, 2], isModule: true, err: expect.stringMatching(/out 8 does not match next Linear in 6/) });
  fs.writeFileSync(path.join(dir, 'typed.mjs'), typedEsmProgram);
  expect(JSON.parse(sh(process.execPath, ['typed.mjs'], dir))).toEqual({ shape: [2, 1], isModule: true });
  // The bin link works (npx runs the same): --version and a command's --help.
  const bin = path.join(dir, 'node_modules', '.bin', process.platform === 'win32' ? 'tensorfold.cmd' : 'tensorfold');
  expect(sh(bin, ['--version'], dir).trim()).toBe(require('../package.json').version);
  expect(sh(bin, ['bench', '--help'], dir)).toMatch(/^usage: tensorfold bench/);
  // A bench row from the installed package: each row runs in its own process (dist/bench/row_child.js).
  const rows = JSON.parse(sh(bin, ['bench', 'small_add', '--time', '0.2', '--json'], dir));
  expect(rows.rows).toEqual(expect.arrayContaining([expect.objectContaining({ workload: 'small_add', value: expect.any(Number) })]));
  // Only the exported paths resolve; package.json is one of them.
  expect(sh(process.execPath, ['-e', "console.log(require('tensorfold/package.json').version)"], dir).trim())
    .toBe(require('../package.json').version);
  expect(() => sh(process.execPath, ['-e', "require('tensorfold/dist/tensor')"], dir)).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
}, 300000);

test('strict TypeScript consumers: nodenext (ESM and CJS, run), bundler and node10 resolution find the types', () => {
  const dir = consumer();
  fs.writeFileSync(path.join(dir, 'app.mts'), tsEsm);
  fs.writeFileSync(path.join(dir, 'app.cts'), tsCjs);
  fs.writeFileSync(path.join(dir, 'tsconfig.nodenext.json'), JSON.stringify({
    compilerOptions: { strict: true, target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out-nn', types: [] },
    files: ['app.mts', 'app.cts'],
  }));
  expect(tscErrors(dir, 'tsconfig.nodenext.json')).toBe('');
  expect(JSON.parse(sh(process.execPath, ['out-nn/app.mjs'], dir))).toEqual({ shape: [1, 3], d: 'float32', isModule: true });
  expect(JSON.parse(sh(process.execPath, ['out-nn/app.cjs'], dir))).toEqual({ shape: [3, 1] });

  fs.writeFileSync(path.join(dir, 'bad.mts'), tsTypedBad);
  fs.writeFileSync(path.join(dir, 'bad.cts'), tsTypedBad);
  fs.writeFileSync(path.join(dir, 'bad.ts'), tsTypedBad);
  const configs = {
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext', files: ['app.mts', 'app.cts'], bad: ['bad.mts', 'bad.cts'] },
    bundler: { module: 'esnext', moduleResolution: 'bundler', files: ['app.mts'], bad: ['bad.ts'] },
    node10: { module: 'commonjs', moduleResolution: 'node', files: ['app.cts'], bad: ['bad.ts'] },
  };
  for (const [name, c] of Object.entries(configs)) {
    const opts = { strict: true, noEmit: true, target: 'ES2022', module: c.module, moduleResolution: c.moduleResolution, types: [] };
    fs.writeFileSync(path.join(dir, `tsconfig.${name}.ok.json`), JSON.stringify({ compilerOptions: opts, files: c.files }));
    fs.writeFileSync(path.join(dir, `tsconfig.${name}.bad.json`), JSON.stringify({ compilerOptions: opts, files: c.bad }));
    expect([name, tscErrors(dir, `tsconfig.${name}.ok.json`)]).toEqual([name, '']);
    const bad = tscErrors(dir, `tsconfig.${name}.bad.json`);
    // The typed chain check itself, not a missing module or an implicit any.
    expect([name, bad]).toEqual([name, expect.stringMatching(/Linear out 128 does not match next Linear in 64/)]);
    expect(bad).not.toMatch(/TS2307|TS7016/);
  }
}, 300000);

test('builds from source where the project allows its install script (allowScripts)', () => {
  const dir = scratch('from-source', { allowScripts: { tensorfold: true } });
  npmClean(['install', '--offline', '--no-audit', '--no-fund', tarball], dir, { TENSORFOLD_FORCE_BUILD: '1' });
  expect(fs.existsSync(path.join(dir, 'node_modules', 'tensorfold', 'build', 'Release', 'tensorfold.node'))).toBe(true);
  fs.writeFileSync(path.join(dir, 'main.js'), jsProgram);
  const r = JSON.parse(sh(process.execPath, ['main.js'], dir));
  expect(['openblas', 'own']).toContain(r.info.blas);
  r.grad.forEach((g, i) => expect(g[0]).toBeCloseTo(r.expected * r.x[0][i], 4));
}, 600000);
