// Exact binomial confidence bounds for randomized_smoothing: the regularized incomplete beta
// function I_x(a, b), its inverse in x (the Beta(a, b) quantile), and the Clopper–Pearson bound built
// on it. Plain numbers, no tensors: these run once per certified input. Tested in
// test/research_stats.test.js against closed forms and binomial sums.

// Lanczos approximation of Γ (g = 7, 9 terms): ~15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  // Reflection keeps the series where it converges well (x ≥ ½).
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/**
 * The continued fraction of I_x(a, b) (its even and odd terms), evaluated by the modified Lentz
 * method; it converges fast for x < (a + 1) / (a + b + 2).
 */
function betaFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    for (const num of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + num * d;
      if (Math.abs(d) < TINY) d = TINY;
      c = 1 + num / c;
      if (Math.abs(c) < TINY) c = TINY;
      d = 1 / d;
      f *= c * d;
      if (num === 0 || Math.abs(c * d - 1) < 1e-16) return f;
    }
    if (Math.abs(c * d - 1) < 1e-15) return f;
  }
  return f;
}

/** The regularized incomplete beta function I_x(a, b) = P(X ≤ x) for X ~ Beta(a, b); a, b > 0. */
export function betaInc(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`betaInc: a and b must be positive, got a=${a}, b=${b}`);
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - (logGamma(a) + logGamma(b) - logGamma(a + b)));
  // I_x(a, b) = 1 − I_{1−x}(b, a): use the side where the fraction converges.
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** The p-quantile of Beta(a, b): the x with I_x(a, b) = p, by bisection (I is increasing in x). */
export function betaQuantile(p: number, a: number, b: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`betaQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return 0;
  if (p === 1) return 1;
  let lo = 0, hi = 1;
  // 100 halvings reach the spacing of doubles near any x in (0, 1) that matters here.
  for (let i = 0; i < 100 && hi - lo > 1e-17; i++) {
    const mid = 0.5 * (lo + hi);
    if (betaInc(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * The one-sided Clopper–Pearson lower confidence bound on a binomial proportion: with k successes in
 * n trials, P(p < bound) ≤ alpha. It is the alpha-quantile of Beta(k, n − k + 1) (0 when k = 0).
 */
export function clopperPearsonLower(k: number, n: number, alpha: number): number {
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && k <= n)) throw new RangeError(`clopperPearsonLower: need integers 0 <= k <= n, got k=${k}, n=${n}`);
  return k === 0 ? 0 : betaQuantile(alpha, k, n - k + 1);
}
