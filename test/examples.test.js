// Every example whose first line is `// ci: <args>` compiles and runs at a small size, so the
// examples users copy cannot rot. The README's training example runs too.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const EXAMPLES = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
// Where the `// ci:` lines send pictures (--out) and TensorBoard logs (--logdir).
const CI_OUT = '/tmp/tensorfold-examples';
const hasRasteriser = spawnSync('rsvg-convert', ['--version']).status === 0;

test('examples run in small mode, drawing their curves and writing TensorBoard logs', () => {
  fs.rmSync(CI_OUT, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'run-examples.js')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) console.log(r.stdout + r.stderr);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/=== summary/);
  expect(r.stdout).not.toMatch(/^FAIL/m);
  for (const name of EXAMPLES) {
    const first = fs.readFileSync(path.join(examplesDir, `${name}.ts`), 'utf8').split('\n', 1)[0];
    if (!/^\/\/\s*ci:/.test(first)) continue;
    expect(first).toContain(`--out ${CI_OUT} --logdir ${CI_OUT}/logs/${name}`);
    const svg = fs.readFileSync(path.join(CI_OUT, `${name}.svg`), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('>Loss<');
    expect(fs.existsSync(path.join(CI_OUT, `${name}.png`))).toBe(hasRasteriser);
    // The logs are real event files: the independent reader checks every record and parses it.
    const read = spawnSync('/usr/bin/python3', [path.join(root, 'scripts', 'read_tfevents.py'), path.join(CI_OUT, 'logs', name)], { encoding: 'utf8' });
    expect(read.stderr).toBe('');
    const { files } = JSON.parse(read.stdout);
    const tags = new Set(files.flatMap((f) => f.events.flatMap((e) => (e.summary || []).map((v) => v.tag))));
    expect([...tags].some((t) => t.startsWith('loss/'))).toBe(true);
    expect(tags).toContain('command/text_summary');
    expect(tags).toContain('_hparams_/session_start_info');
  }
}, 300000);

describe('every example parses its flags', () => {
  beforeAll(() => {
    // Compiled by the test above when the whole file runs; compiled here when this block runs alone.
    if (EXAMPLES.every((n) => fs.existsSync(path.join(examplesDir, 'dist', `${n}.js`)))) return;
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(spawnSync(process.execPath, [tsc, '-p', path.join(examplesDir, 'tsconfig.json')]).status).toBe(0);
  }, 120000);
  const run = (name, args) => spawnSync(process.execPath, [path.join(examplesDir, 'dist', `${name}.js`), ...args], { cwd: root, encoding: 'utf8', timeout: 30000 });
  const noStack = (text) => expect(text).not.toMatch(/\n\s+at /);

  test.each(EXAMPLES)('%s --help prints the usage and exits 0', (name) => {
    const r = run(name, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^usage: node examples/dist/${name}\\.js \\[options\\]`));
    for (const flag of ['--seed N', '--logdir DIR', '--out DIR', '--help']) expect(r.stdout).toContain(flag);
  });

  test.each(EXAMPLES)('%s: a bad flag, value or argument prints the usage and exits 2', (name) => {
    for (const [args, message] of [
      [['--frobnicate'], /Unknown option '--frobnicate'/],
      [['--seed', 'abc'], /option --seed must be a number, got "abc"/],
      [['stray'], /Unexpected argument 'stray'/],
      [['--logdir'], /Option '--logdir <value>' argument missing/],
    ]) {
      const r = run(name, args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/usage: node examples\/dist\//);
      noStack(r.stderr);
    }
  });
});

test("the README's example trains (loss falls)", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const m = readme.match(/<!-- example:start -->\s*```js\n([\s\S]*?)```/);
  expect(m).not.toBeNull();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorfold-readme-'));
  const file = path.join(dir, 'example.js');
  // The README says require('tensorfold'); here that is this checkout.
  fs.writeFileSync(file, m[1].replace("require('tensorfold')", `require(${JSON.stringify(root)})`));
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) console.log(r.stdout + r.stderr);
  expect(r.status).toBe(0);
  const losses = [...r.stdout.matchAll(/loss ([0-9.e-]+)/g)].map((x) => Number(x[1]));
  expect(losses.length).toBeGreaterThan(2);
  expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 10);
}, 120000);

describe('examples/gpt.ts', () => {
  const gpt = path.join(examplesDir, 'dist', 'gpt.js');
  const runGpt = (args) => spawnSync(process.execPath, [gpt, '--small', '--threads', '2', ...args], { cwd: root, encoding: 'utf8' });
  let dir;
  beforeAll(() => {
    if (!fs.existsSync(gpt)) {
      const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      expect(spawnSync(process.execPath, [tsc, '-p', path.join(examplesDir, 'tsconfig.json')]).status).toBe(0);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorfold-gpt-'));
  }, 120000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a run stopped and resumed writes the same checkpoint, byte for byte, as one that never stopped', () => {
    const whole = path.join(dir, 'whole'), parts = path.join(dir, 'parts');
    for (const r of [runGpt(['--trace', '--out', whole]), runGpt(['--stop-at', '7', '--out', parts]), runGpt(['--resume', '--out', parts])]) {
      if (r.status !== 0) console.log(r.stdout + r.stderr);
      expect(r.status).toBe(0);
    }
    const a = fs.readFileSync(path.join(whole, 'gpt.safetensors'));
    expect(a.equals(fs.readFileSync(path.join(parts, 'gpt.safetensors')))).toBe(true);
    // The resumed run's picture holds the whole run's curves, not only its own steps.
    expect(fs.readFileSync(path.join(parts, 'gpt.svg'), 'utf8')).toContain('>Loss<');
  }, 120000);

  // PyTorch is on the development machines, not on CI: there the replay is skipped.
  const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  (hasTorch ? test : test.skip)('the PyTorch twin replays the traced run with the same losses', () => {
    const json = path.join(dir, 'compare.json');
    const r = spawnSync('/usr/bin/python3', [path.join(root, 'scripts', 'gpt_torch.py'), '--dir', path.join(dir, 'whole'), '--threads', '1', '--json', json],
      { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
    if (r.status !== 0) console.log(r.stdout + r.stderr);
    expect(r.status).toBe(0);
    const c = JSON.parse(fs.readFileSync(json, 'utf8'));
    expect(c.steps).toBe(20);
    expect(c.max_abs_diff_first_20).toBeLessThan(1e-4);
    expect(c.eval_max_abs_diff).toBeLessThan(1e-4);
  }, 120000);
});
