// The research examples (examples/research/*.ts) run in --small mode: each prints, as its last
// line, one JSON object with its headline figures, and draws its picture into --out. The figures
// are checked for sense (the loss fell, the fitted slope has the expected sign), not for value:
// the small runs are too short and too few to reproduce the papers' numbers.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dir = path.join(root, 'examples', 'research');
const NAMES = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
const hasPlotting = (() => { try { require.resolve('vega-lite', { paths: [root] }); return true; } catch { return false; } })();

// What each example's JSON must say in small mode; an example without an entry fails the test.
const CHECKS = {
  ntk: (r) => {
    expect(r.widths.length).toBeGreaterThanOrEqual(3);
    expect(r.kernelChange).toHaveLength(r.widths.length);
    expect(r.kernelChange.every((c) => c > 0 && c < 1)).toBe(true);
    // Wider networks move their kernel less.
    expect(r.kernelChange[r.kernelChange.length - 1]).toBeLessThan(r.kernelChange[0]);
    expect(r.slope).toBeLessThan(-0.2);
    expect(r.slope).toBeGreaterThan(-1.6);
    r.lossEnd.forEach((l, i) => expect(l).toBeLessThan(r.lossStart[i] / 2));
  },
  mup_transfer: (r) => {
    const n = r.widths.length;
    expect(n).toBeGreaterThanOrEqual(2);
    for (const p of ['sp', 'mup']) {
      expect(r.bestLr[p]).toHaveLength(n);
      expect(r.loss[p]).toHaveLength(n);
      r.loss[p].forEach((row) => expect(row).toHaveLength(r.lrs.length));
      // The targets have unit variance: the best run of every width learned something.
      r.bestLoss[p].forEach((l) => expect(l).toBeLessThan(0.5));
      expect(r.drift[p]).toBeCloseTo(Math.log2(r.bestLr[p][n - 1] / r.bestLr[p][0]), 10);
    }
    // Under SP the best lr falls as the network widens; under μP it moves no further.
    expect(r.drift.sp).toBeLessThan(0);
    expect(Math.abs(r.drift.mup)).toBeLessThanOrEqual(Math.abs(r.drift.sp));
  },
  diffusion_restart: (r) => {
    for (const name of ['ode', 'sde', 'restart']) {
      expect(r[name].length).toBeGreaterThanOrEqual(2);
      r[name].forEach(([nfe, sw]) => { expect(nfe).toBeGreaterThan(0); expect(sw).toBeGreaterThan(0); expect(Number.isFinite(sw)).toBe(true); });
      // More function evaluations, smaller error (first against last point of the sweep).
      expect(r[name][r[name].length - 1][1]).toBeLessThan(r[name][0][1]);
    }
    // NFE counts as documented: Heun 2N − 1, Euler–Maruyama N.
    expect(r.ode.map(([nfe]) => nfe)).toEqual([7, 15, 31]);
    expect(r.sde.map(([nfe]) => nfe)).toEqual([8, 16, 32]);
    expect(r.floor).toBeGreaterThan(0);
    expect(r.ode[r.ode.length - 1][1]).toBeLessThan(10 * r.floor);
    expect(Array.isArray(r.restartWins)).toBe(true);
    expect(r.lossEnd).toBeLessThan(r.lossStart * 1.1);
  },
  sindy: (r) => {
    // The Lorenz parameters within 1%, from finite differences of noisy samples.
    expect(Math.abs(r.sigma - 10) / 10).toBeLessThan(0.01);
    expect(Math.abs(r.rho - 28) / 28).toBeLessThan(0.01);
    expect(Math.abs(r.beta - 8 / 3) / (8 / 3)).toBeLessThan(0.01);
    expect(r.maxRelErr).toBeLessThan(0.01);
    // Exactly the seven terms of the true equations survive the thresholding.
    expect(r.terms).toBe(7);
    expect(r.spurious).toBe(0);
    expect(r.missed).toBe(0);
    expect(Object.keys(r.coefficients.dy).sort()).toEqual(['x', 'xz', 'y']);
    expect(r.derivative).toBe('fd');
    expect(r.noise).toBeGreaterThan(0);
    // A chaotic system: the identified model tracks the truth for a while (here at least a Lyapunov time, 1/0.9).
    expect(r.agreeFor).toBeGreaterThan(1);
  },
  convex_relu: (r) => {
    const rel = (a, b) => (a - b) / Math.abs(b);
    // The network read off the convex solution has the convex objective (up to the cone violation).
    expect(Math.abs(rel(r.recoveredObjective, r.convexObjective))).toBeLessThan(1e-4);
    expect(r.violation).toBeLessThan(1e-4);
    // No network trained by Adam does better than the convex optimum; the widest comes close.
    expect(rel(r.nonconvexObjective, r.convexObjective)).toBeGreaterThan(-1e-4);
    expect(rel(r.nonconvexObjective, r.convexObjective)).toBeLessThan(0.05);
    for (const m of Object.keys(r.nonconvexByWidth)) expect(r.nonconvexByWidth[m]).toBeLessThan(r.nonconvexStart[m]);
    expect(r.convexObjective).toBeLessThan(r.zeroObjective / 2);
    // Sparse: fewer neurons than the 2P groups of the program.
    expect(r.neurons).toBeGreaterThan(0);
    expect(r.neurons).toBeLessThan(r.patterns);
    expect(r.exhaustive).toBe(true);
  },
  pfgm_pp: (r) => {
    expect(r.dims).toEqual(['4', '128', 'inf']);
    for (const d of r.dims) {
      const c = r.curves[d];
      // Heun on the same grid for every D: NFE = 2·steps − 1.
      expect(c.map(([nfe]) => nfe)).toEqual([5, 9, 15, 31]);
      c.forEach(([, sw]) => { expect(Number.isFinite(sw)).toBe(true); expect(sw).toBeGreaterThan(0); });
      // More function evaluations, smaller error and fewer samples off the modes.
      expect(c[c.length - 1][1]).toBeLessThan(c[0][1] / 2);
      const o = r.outliers[d];
      o.forEach(([, f]) => { expect(f).toBeGreaterThanOrEqual(0); expect(f).toBeLessThanOrEqual(1); });
      expect(o[o.length - 1][1]).toBeLessThan(o[0][1]);
      expect(r.lossEnd[d]).toBeLessThan(r.lossStart[d] * 1.1);
    }
    expect(Object.keys(r.bestD).map(Number)).toEqual([5, 9, 15, 31]);
    Object.values(r.bestD).forEach((d) => expect(r.dims).toContain(d));
    expect(r.floor).toBeGreaterThan(0);
  },
  randomized_smoothing: (r) => {
    const { tf } = require('./helpers');
    expect(r.sigmas).toEqual([0.25, 0.5]);
    const at = (radius) => r.radii.indexOf(radius);
    for (const sigma of r.sigmas) {
      const s = String(sigma), acc = r.certifiedAccuracy[s];
      expect(acc).toHaveLength(r.radii.length);
      // Certified accuracy is a share of the test images, and cannot grow with the radius.
      acc.forEach((a, i) => { expect(a).toBeGreaterThanOrEqual(0); expect(a).toBeLessThanOrEqual(1); if (i) expect(a).toBeLessThanOrEqual(acc[i - 1]); });
      expect(r.cleanAccuracy[s]).toBe(acc[0]);
      // Trained briefly, but well above chance (10%).
      expect(r.cleanAccuracy[s]).toBeGreaterThan(0.3);
      expect(r.baseAccuracy[s]).toBeGreaterThan(0.3);
      expect(r.lossEnd[s]).toBeLessThan(r.lossStart[s]);
      expect(r.perClass[s]).toHaveLength(10);
      r.perClass[s].forEach((a) => { expect(a).toBeGreaterThanOrEqual(0); expect(a).toBeLessThanOrEqual(1); });
      // No radius beyond what n agreeing votes out of n can certify: σ Φ⁻¹(α^(1/n)).
      const maxRadius = sigma * new tf.distributions.Normal(0, 1).icdf(tf.tensor(r.alpha ** (1 / r.n), { dtype: 'float64' })).item();
      expect(r.medianRadius[s]).toBeLessThanOrEqual(maxRadius + 1e-6);
      if (maxRadius < 0.5) expect(acc[at(0.5)]).toBe(0);
    }
    // The larger noise certifies larger radii.
    expect(r.medianRadius['0.5']).toBeGreaterThan(r.medianRadius['0.25']);
    expect(r.testImages).toBe(50);
  },
  active_learning_bald: (r) => {
    const n = r.labels.length;
    expect(n).toBeGreaterThanOrEqual(3);
    // Labels grow by k per round from the balanced start.
    expect(r.labels[0]).toBe(20);
    r.labels.forEach((l, i) => expect(l).toBe(r.labels[0] + i * (r.labels[1] - r.labels[0])));
    for (const m of ['bald', 'random']) {
      expect(r[m].mean).toHaveLength(n);
      expect(r[m].std).toHaveLength(n);
      r[m].mean.forEach((a) => { expect(a).toBeGreaterThan(0.2); expect(a).toBeLessThanOrEqual(1); });
      r[m].std.forEach((s) => expect(s).toBeGreaterThanOrEqual(0));
      // More labels, a better model (first round against last).
      expect(r[m].mean[n - 1]).toBeGreaterThan(r[m].mean[0] + 0.03);
    }
    // Both methods of a seed start from the same labelled set and the same first model.
    expect(r.bald.mean[0]).toBe(r.random.mean[0]);
    expect(r.gain.mean[0]).toBe(0);
    // BALD is not worse than random on average over the rounds (the small run is too short to ask for more).
    const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(avg(r.bald.mean)).toBeGreaterThan(avg(r.random.mean) - 0.03);
  },
  spectral_contrastive: (r) => {
    for (const k of ['spectral', 'infonce', 'random', 'supervised']) {
      expect(r.probe[k]).toBeGreaterThan(0.3);
      expect(r.probe[k]).toBeLessThanOrEqual(1);
      expect(r.pcaExplained[k]).toBeGreaterThan(0);
      expect(r.pcaExplained[k]).toBeLessThanOrEqual(1);
    }
    // Every objective fell in training.
    for (const k of ['spectral', 'infonce', 'supervised']) expect(r.lossEnd[k]).toBeLessThan(r.lossStart[k]);
    // The spectral loss rewards agreement of the two views: it goes below 0 once they agree.
    expect(r.lossEnd.spectral).toBeLessThan(0);
    // Training on the labels beats a random encoder, and so does at least one self-supervised loss.
    expect(r.probe.supervised).toBeGreaterThan(r.probe.random);
    expect(Math.max(r.probe.spectral, r.probe.infonce)).toBeGreaterThan(r.probe.random);
  },
};

let out;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorfold-research-'));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'examples', 'tsconfig.json')], { encoding: 'utf8' });
  if (r.status !== 0) console.log(r.stdout + r.stderr);
  expect(r.status).toBe(0);
}, 120000);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const run = (name, args) => spawnSync(process.execPath, [path.join(root, 'examples', 'dist', 'research', `${name}.js`), ...args],
  { cwd: root, encoding: 'utf8', timeout: 120000 });

test.each(NAMES)('%s --small prints its figures as JSON on the last line and draws its picture', (name) => {
  const r = run(name, ['--small', '--seed', '1', '--out', out]);
  if (r.status !== 0) console.log(r.stdout + r.stderr);
  expect(r.status).toBe(0);
  const last = r.stdout.trim().split('\n').pop();
  const figures = JSON.parse(last);
  expect(figures.example).toBe(name);
  expect(figures.small).toBe(true);
  expect(CHECKS[name]).toBeDefined();
  CHECKS[name](figures);
  if (hasPlotting) expect(fs.readFileSync(path.join(out, `${name}.svg`), 'utf8')).toMatch(/^<svg /);
}, 120000);

test.each(NAMES)('%s --help names the shared flags; a bad flag exits 2 with the usage', (name) => {
  const help = run(name, ['--help']);
  expect(help.status).toBe(0);
  for (const flag of ['--small', '--seed N', '--out DIR', '--help']) expect(help.stdout).toContain(flag);
  expect(help.stdout).toContain('examples/research/out');
  const bad = run(name, ['--no-such-flag']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/usage: /);
});
