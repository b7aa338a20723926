// examples/research/shared/stats.ts (the Clopper–Pearson bound of randomized_smoothing): the
// regularized incomplete beta function against closed forms and binomial tail sums, its quantile by
// round trip, and textbook Clopper–Pearson intervals. The module is plain TypeScript without imports,
// so it is transpiled here rather than through the examples' build.
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const file = path.join(__dirname, '..', 'examples', 'research', 'shared', 'stats.ts');
const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
const mod = { exports: {} };
new Function('module', 'exports', 'require', js)(mod, mod.exports, require);
const { logGamma, betaInc, betaQuantile, clopperPearsonLower } = mod.exports;

/** P(Bin(n, p) >= k) by direct summation in log space. */
function binomialTail(n, k, p) {
  let s = 0;
  for (let j = k; j <= n; j++) s += Math.exp(logGamma(n + 1) - logGamma(j + 1) - logGamma(n - j + 1) + j * Math.log(p) + (n - j) * Math.log1p(-p));
  return s;
}

test('logGamma at known values', () => {
  expect(logGamma(1)).toBeCloseTo(0, 13);
  expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
  expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
  expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 12);
  expect(logGamma(100.5)).toBeCloseTo(361.4355404677776, 9);
  expect(logGamma(1000.5) / 5908.674175848678).toBeCloseTo(1, 13);
});

test('betaInc against closed forms', () => {
  for (const x of [1e-6, 0.01, 0.3, 0.5, 0.77, 0.999]) {
    for (const a of [0.5, 1, 3.5, 20]) {
      expect(betaInc(x, a, 1)).toBeCloseTo(x ** a, 12);             // Beta(a, 1): x^a
      expect(betaInc(x, 1, a)).toBeCloseTo(1 - (1 - x) ** a, 12);   // Beta(1, b): 1 − (1 − x)^b
      expect(betaInc(x, a, 2.5) + betaInc(1 - x, 2.5, a)).toBeCloseTo(1, 12);
    }
    expect(betaInc(x, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(x)), 12);  // arcsine law
  }
  expect([betaInc(0, 2, 3), betaInc(1, 2, 3), betaInc(-1, 2, 3), betaInc(2, 2, 3)]).toEqual([0, 1, 0, 1]);
  expect(() => betaInc(0.5, 0, 1)).toThrow(/betaInc: a and b must be positive/);
});

test('betaInc is the binomial tail: I_p(k, n − k + 1) = P(Bin(n, p) >= k)', () => {
  for (const [n, k, p] of [[10, 3, 0.2], [50, 25, 0.5], [100, 97, 0.99], [1000, 990, 0.995], [200, 1, 0.001], [1000, 500, 0.48]]) {
    const want = binomialTail(n, k, p);
    expect(Math.abs(betaInc(p, k, n - k + 1) - want)).toBeLessThan(1e-12 + 1e-10 * want);
  }
});

test('betaQuantile inverts betaInc', () => {
  for (const [a, b] of [[1, 1], [0.5, 0.5], [2, 7], [100, 1], [990, 11], [5, 996]])
    for (const p of [1e-4, 0.001, 0.05, 0.5, 0.95, 0.9999]) {
      const q = betaQuantile(p, a, b);
      expect(betaInc(q, a, b)).toBeCloseTo(p, 10);
    }
  expect(betaQuantile(0.3, 2, 1)).toBeCloseTo(Math.sqrt(0.3), 14);
  expect([betaQuantile(0, 2, 3), betaQuantile(1, 2, 3)]).toEqual([0, 1]);
  expect(() => betaQuantile(1.5, 2, 3)).toThrow(/betaQuantile: p must be in \[0, 1\]/);
});

test('Clopper–Pearson bounds: textbook values', () => {
  // 50 of 100: the exact 95% interval is [0.3983, 0.6017] (lower bound at alpha = 0.025).
  expect(clopperPearsonLower(50, 100, 0.025)).toBeCloseTo(0.398321, 5);
  // All n successes: the bound solves p^n = alpha.
  expect(clopperPearsonLower(10, 10, 0.025)).toBeCloseTo(0.025 ** (1 / 10), 12);
  expect(clopperPearsonLower(1000, 1000, 0.001)).toBeCloseTo(0.001 ** (1 / 1000), 12);
  // One success in 10: the lower bound solves 1 − (1 − p)^10 = alpha.
  expect(clopperPearsonLower(1, 10, 0.05)).toBeCloseTo(1 - 0.95 ** (1 / 10), 12);
  expect(clopperPearsonLower(0, 10, 0.05)).toBe(0);
  // Monotone in k, and below the point estimate.
  const bounds = [600, 700, 800, 900, 990].map((k) => clopperPearsonLower(k, 1000, 0.001));
  bounds.forEach((b, i) => { expect(b).toBeLessThan([600, 700, 800, 900, 990][i] / 1000); if (i) expect(b).toBeGreaterThan(bounds[i - 1]); });
  expect(() => clopperPearsonLower(11, 10, 0.05)).toThrow(RangeError);
});
