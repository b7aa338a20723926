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
    'package/native/sources.json', `package/prebuilds/${process.platform}-${process.arch}/tensorfold.node`])
    expect(list).toContain(f);
  expect(list.some((f) => f.startsWith('package/test/'))).toBe(false);
  // The headers a from-source build needs travel inside the tarball (bundleDependencies), so an
  // offline install with an empty cache never has to fetch them.
  expect(list).toContain('package/node_modules/node-addon-api/package.json');
});

test('installs offline with install scripts blocked (npm 11 default) and works from JS and strict TS', () => {
  const dir = scratch('consumer');
  const log = npmClean(['install', '--offline', '--no-audit', '--no-fund', tarball], dir);
  // The install script did not run: nothing was compiled, the prebuilt binary is used.
  expect(fs.existsSync(path.join(dir, 'node_modules', 'tensorfold', 'build'))).toBe(false);
  void log;

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

test('builds from source where the project allows its install script (allowScripts)', () => {
  const dir = scratch('from-source', { allowScripts: { tensorfold: true } });
  npmClean(['install', '--offline', '--no-audit', '--no-fund', tarball], dir, { TENSORFOLD_FORCE_BUILD: '1' });
  expect(fs.existsSync(path.join(dir, 'node_modules', 'tensorfold', 'build', 'Release', 'tensorfold.node'))).toBe(true);
  fs.writeFileSync(path.join(dir, 'main.js'), jsProgram);
  const r = JSON.parse(sh(process.execPath, ['main.js'], dir));
  expect(['openblas', 'own']).toContain(r.info.blas);
  r.grad.forEach((g, i) => expect(g[0]).toBeCloseTo(r.expected * r.x[0][i], 4));
}, 600000);
