// `tensorfold bench --plot`: a real (short) benchmark run drawn as a chart. Runs the CLI as a child
// process: vega is an ES module, which jest's module sandbox cannot import.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const hasRasteriser = spawnSync('rsvg-convert', ['--version']).status === 0;

function cli(args, nodeArgs = [], env = process.env) {
  return spawnSync(process.execPath, [...nodeArgs, CLI, ...args], { encoding: 'utf8', timeout: 120000, env });
}

let dir;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorfold-benchplot-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('--plot draws the rows of a real run: time per step, or the ratio to PyTorch with --compare', () => {
  const svg = path.join(dir, 'bench.svg');
  // --compare: with PyTorch installed the chart is the ratio table; without (as in CI) the times.
  const r = cli(['bench', 'small_add', 'sum_16M', '--time', '0.2', '--threads', '1', '--json', '--compare', '--plot', svg]);
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(r.stderr).toMatch(new RegExp(`plot: ${svg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const text = fs.readFileSync(svg, 'utf8');
  expect(text).toMatch(/^<svg /);
  for (const row of out.rows) expect(text).toContain(`>${row.workload}<`);
  if (out.torch && out.torch.available) {
    expect(text).toContain('tensorfold vs PyTorch: time ratio per workload');
    for (const row of out.rows) expect(text).toContain(`>${row.timeRatio.toFixed(2)}  (`);
  } else {
    expect(text).toContain('tensorfold: time per step');
  }
  expect(fs.existsSync(path.join(dir, 'bench.png'))).toBe(hasRasteriser);
}, 120000);

test('--plot FILE.png writes only the PNG where a rasteriser exists', () => {
  if (!hasRasteriser) return;
  const png = path.join(dir, 'b.png');
  const r = cli(['bench', 'small_add', '--time', '0.2', '--plot', png]);
  expect(r.status).toBe(0);
  expect(fs.readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  expect(fs.readdirSync(dir)).toEqual(['b.png']);
}, 60000);

test('--plot needs an .svg or .png name, checked before any timing', () => {
  const r = cli(['bench', '--plot', path.join(dir, 'b.pdf')]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--plot needs a \.svg or \.png file name/);
  expect(cli(['bench', '--plot']).stderr).toMatch(/--plot needs a value/);
  // With no rasteriser on PATH (only node), a PNG is refused up front rather than after the run.
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  const p = cli(['bench', 'small_add', '--plot', path.join(dir, 'b.png')], [], { ...process.env, PATH: bin });
  expect(p.status).toBe(2);
  expect(p.stderr).toMatch(/--plot FILE\.png needs rsvg-convert \(librsvg2-bin\) or ImageMagick; use FILE\.svg/);
});

test('without vega installed, --plot says what to install (and nothing runs)', () => {
  // Hide vega from module resolution, as in an install without the development dependencies.
  const hide = path.join(dir, 'hide-vega.js');
  fs.writeFileSync(hide, `const M = require('module'); const orig = M._resolveFilename;
    M._resolveFilename = function (req, ...rest) {
      if (req === 'vega' || req === 'vega-lite') { const e = new Error('Cannot find module ' + req); e.code = 'MODULE_NOT_FOUND'; throw e; }
      return orig.call(this, req, ...rest);
    };`);
  const r = cli(['bench', 'small_add', '--plot', path.join(dir, 'b.svg')], ['-r', hide]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--plot needs the vega vega-lite packages: npm install --save-dev vega vega-lite/);
  expect(r.stderr).not.toMatch(/small_add/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
