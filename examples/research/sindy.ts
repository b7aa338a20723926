// Sparse identification of nonlinear dynamics (Brunton, Proctor & Kutz 2016, "Discovering governing
// equations from data by sparse identification of nonlinear dynamical systems"): the Lorenz equations
// recovered from a simulated trajectory.
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/research/sindy.js [--help] [--small]
//
// Algorithm:
//   1. Data: the Lorenz system  ẋ = σ(y − x),  ẏ = x(ρ − z) − y,  ż = xy − βz  (σ = 10, ρ = 28, β = 8/3),
//      integrated by classical RK4 written with tensor ops (float64, step dt), from several random
//      initial conditions at once (one [B, 3] state); sampled every dt, plus Gaussian measurement noise
//      of standard deviation --noise.
//   2. Derivatives Ẋ from the samples alone, by fourth-order central differences
//      (−x_{k+2} + 8x_{k+1} − 8x_{k−1} + x_{k−2}) / 12dt: the right-hand side is never consulted, so the
//      differentiation error and the noise (amplified by about 1/dt) are part of the test.
//      (--derivative exact evaluates the true right-hand side at the samples instead: the easy case.)
//   3. Library Θ(X) = [1, x, y, z, x², xy, xz, y², yz, z² (, cubics)] ∈ ℝ^{N×K}.
//   4. Sequentially thresholded least squares: Ξ = lstsq(Θ, Ẋ); then repeat: zero every |Ξ_kj| < λ and
//      refit each column j by lstsq on the library terms still active in it, until the support stops
//      changing. Every least-squares solve is tf.linalg.lstsq.
//   5. Check: the identified model Ẋ = Θ(X)Ξ integrated (same RK4) from a fresh initial condition
//      beside the true system. The system is chaotic, so the two part after a while whatever the
//      accuracy; the time they stay within 1 (in x, y, z) measures it.
//
// Prints the recovered equations, then, as its last line, one JSON object: {"example":"sindy","sigma":…,
// "rho":…,"beta":…,"maxRelErr":…,"spurious":…,…}, where maxRelErr is the largest relative error over the
// seven true nonzero coefficients and spurious counts identified terms the true system does not have.
// Draws <out>/sindy.svg: x(t) and z(t) of the true and identified systems, and the x–z phase portrait.
import * as fs from 'fs';
import * as path from 'path';
import { tf, Tensor } from '../common/tf';
import { parseArgs } from '../common/args';
import { Progress } from '../common/progress';

const args = parseArgs({
  name: 'research/sindy',
  summary: 'SINDy: the Lorenz equations recovered from a simulated trajectory by sequentially thresholded least squares (tf.linalg.lstsq).',
  out: 'examples/research/out',
}, {
  small: { default: false, help: 'a seconds-long run (CI): fewer, shorter trajectories' },
  trajectories: { default: 8, help: 'training trajectories (random initial conditions)' },
  time: { default: 10, help: 'length of each training trajectory (time units)' },
  dt: { default: 0.002, help: 'RK4 step and sampling interval' },
  noise: { default: 0.01, help: 'standard deviation of the Gaussian measurement noise added to the samples' },
  derivative: { default: 'fd', help: 'fd (fourth-order central differences of the samples) or exact (the true right-hand side)' },
  degree: { default: 2, help: 'polynomial library degree (2 or 3)' },
  threshold: { default: 0.1, help: 'STLSQ threshold λ on coefficient magnitudes' },
  horizon: { default: 20, help: 'length of the true vs identified comparison (time units)' },
  seed: { default: 1, help: 'random seed (initial conditions, noise)' },
});
const small = args.small;
const B = small ? 2 : args.trajectories;
const TIME = small ? 4 : args.time;
const HORIZON = small ? 5 : args.horizon;
const DT = args.dt;
if (args.derivative !== 'fd' && args.derivative !== 'exact') throw new Error(`sindy: --derivative must be fd or exact, got ${args.derivative}`);
if (args.degree !== 2 && args.degree !== 3) throw new Error(`sindy: --degree must be 2 or 3, got ${args.degree}`);

const SIGMA = 10, RHO = 28, BETA = 8 / 3;
const VARS = ['x', 'y', 'z'];

/** The Lorenz right-hand side for states [n, 3]. */
function lorenz(s: Tensor): Tensor {
  const [x, y, z] = [0, 1, 2].map((i) => s.narrow(1, i, 1));
  return tf.concat([
    tf.mul(tf.sub(y, x), SIGMA),
    tf.sub(tf.mul(x, tf.sub(RHO, z)), y),
    tf.sub(tf.mul(x, y), tf.mul(z, BETA)),
  ], 1);
}

/** The monomials of x, y, z up to `degree`, as exponent triples, in graded order: 1, x, y, z, x², xy, … */
function monomials(degree: number): number[][] {
  const out: number[][] = [];
  for (let d = 0; d <= degree; d++)
    for (let a = d; a >= 0; a--)
      for (let b = d - a; b >= 0; b--) out.push([a, b, d - a - b]);
  return out;
}
const TERMS = monomials(args.degree);
const termName = (e: number[]): string => e.map((p, i) => (p === 0 ? '' : p === 1 ? VARS[i] : `${VARS[i]}^${p}`)).join('') || '1';

/** Θ(X) ∈ ℝ^{n×K}: every library term evaluated at the states [n, 3]. */
function library(s: Tensor): Tensor {
  const cols = [0, 1, 2].map((i) => s.narrow(1, i, 1));
  return tf.concat(TERMS.map((e) => e.reduce((acc: Tensor, p, i) => {
    let t = acc;
    for (let k = 0; k < p; k++) t = tf.mul(t, cols[i]);
    return t;
  }, tf.onesLike(cols[0]))), 1);
}

/** RK4 from s0 [n, 3] for `steps` steps of dt; returns the states [steps + 1, n, 3]. */
function integrate(f: (s: Tensor) => Tensor, s0: Tensor, steps: number, bar?: Progress, offset = 0): Tensor {
  const states = [s0];
  let s = s0;
  for (let k = 0; k < steps; k++) {
    s = tf.tidy(() => {
      const k1 = f(s);
      const k2 = f(tf.add(s, tf.mul(k1, DT / 2)));
      const k3 = f(tf.add(s, tf.mul(k2, DT / 2)));
      const k4 = f(tf.add(s, tf.mul(k3, DT)));
      return tf.add(s, tf.mul(tf.add(tf.add(k1, k4), tf.mul(tf.add(k2, k3), 2)), DT / 6));
    });
    states.push(s);
    if (k % 100 === 0) bar?.update(offset + k + 1);
  }
  return tf.stack(states, 0);
}

/** Fourth-order central differences along time of samples [T, n, 3]; the derivative at samples 2 … T−3. */
function centralDifferences(X: Tensor): Tensor {
  const T = X.shape[0];
  const at = (shift: number) => X.narrow(0, 2 + shift, T - 4);
  return tf.div(tf.add(tf.sub(at(-2), at(2)), tf.mul(tf.sub(at(1), at(-1)), 8)), 12 * DT);
}

/** Random initial conditions on and around the attractor. */
function initialConditions(n: number): Tensor {
  return tf.add(tf.mul(tf.randn([n, 3], { dtype: 'float64' }), tf.tensor([8, 8, 8], { dtype: 'float64' })), tf.tensor([0, 0, 25], { dtype: 'float64' }));
}

/**
 * Sequentially thresholded least squares (Brunton et al. 2016, Algorithm in the supplement): Θ Ξ ≈ Ẋ
 * with every |Ξ_kj| ≥ λ or Ξ_kj = 0. Returns Ξ [K, 3] as rows of numbers and the number of sweeps.
 */
function stlsq(theta: Tensor, dX: Tensor, lambda: number, maxIter = 20): { xi: number[][]; sweeps: number } {
  const K = theta.shape[1], m = dX.shape[1];
  const full = tf.linalg.lstsq(theta, dX).solution.toArray() as number[][];
  let xi = full;
  let sweeps = 0;
  for (let it = 0; it < maxIter; it++) {
    sweeps++;
    const next = Array.from({ length: K }, () => new Array(m).fill(0));
    let changed = false;
    for (let j = 0; j < m; j++) {
      const active: number[] = [];
      for (let k = 0; k < K; k++) {
        const keep = Math.abs(xi[k][j]) >= lambda;
        if (keep) active.push(k);
        if (keep !== (it === 0 || xi[k][j] !== 0)) changed = true;
      }
      if (active.length === 0) continue;
      const sol = tf.tidy(() => {
        const sub = theta.indexSelect(1, tf.tensor(active, { dtype: 'int32' }));
        return tf.linalg.lstsq(sub, dX.narrow(1, j, 1)).solution.reshape([active.length]).toArray() as number[];
      });
      active.forEach((k, i) => { next[k][j] = sol[i]; });
    }
    xi = next;
    if (!changed && it > 0) break;
  }
  return { xi, sweeps };
}

/** The true coefficient matrix in the library's term order. */
function trueCoefficients(): number[][] {
  const idx = (name: string) => TERMS.findIndex((e) => termName(e) === name);
  const xi = TERMS.map(() => [0, 0, 0]);
  xi[idx('x')][0] = -SIGMA; xi[idx('y')][0] = SIGMA;
  xi[idx('x')][1] = RHO; xi[idx('y')][1] = -1; xi[idx('xz')][1] = -1;
  xi[idx('xy')][2] = 1; xi[idx('z')][2] = -BETA;
  return xi;
}

function equation(xi: number[][], j: number): string {
  const parts = TERMS.map((e, k) => [xi[k][j], termName(e)] as [number, string]).filter(([c]) => c !== 0)
    .map(([c, name], i) => `${c < 0 ? (i ? '- ' : '-') : i ? '+ ' : ''}${Math.abs(c).toFixed(4)}${name === '1' ? '' : ' ' + name}`);
  return `d${VARS[j]}/dt = ${parts.join(' ') || '0'}`;
}

/** The first time at which the two trajectories [T, 3] differ by more than `tol` in some coordinate. */
function agreementTime(a: number[][], b: number[][], tol: number): number {
  for (let k = 0; k < a.length; k++)
    if (a[k].some((v, i) => Math.abs(v - b[k][i]) > tol)) return k * DT;
  return a.length * DT;
}

async function main(): Promise<void> {
  fs.mkdirSync(args.out, { recursive: true });
  tf.manualSeed(args.seed);
  const steps = Math.round(TIME / DT), testSteps = Math.round(HORIZON / DT);
  const bar = new Progress(steps + 2 * testSteps, 'sindy');

  // 1. Simulate, then observe with noise.
  const clean = integrate(lorenz, initialConditions(B), steps, bar);
  const X = args.noise > 0 ? tf.add(clean, tf.mul(tf.randnLike(clean), args.noise)) : clean;

  // 2. Derivatives (the samples at the two ends of each trajectory have no central difference).
  const T = X.shape[0];
  const samples = X.narrow(0, 2, T - 4).reshape([-1, 3]);
  const dX = args.derivative === 'fd' ? centralDifferences(X).reshape([-1, 3]) : lorenz(samples);

  // 3–4. Library and sparse regression.
  const theta = library(samples);
  const { xi, sweeps } = stlsq(theta, dX, args.threshold);
  const truth = trueCoefficients();
  let maxRelErr = 0, spurious = 0, missed = 0;
  for (let k = 0; k < TERMS.length; k++)
    for (let j = 0; j < 3; j++) {
      if (truth[k][j] !== 0) {
        if (xi[k][j] === 0) missed++;
        maxRelErr = Math.max(maxRelErr, Math.abs(xi[k][j] - truth[k][j]) / Math.abs(truth[k][j]));
      } else if (xi[k][j] !== 0) spurious++;
    }
  const coef = (name: string, j: number) => xi[TERMS.findIndex((e) => termName(e) === name)][j];
  // σ appears twice (−σx + σy); each is also checked on its own by maxRelErr.
  const sigma = (coef('y', 0) - coef('x', 0)) / 2, rho = coef('x', 1), beta = -coef('z', 2);

  // 5. The identified model against the truth from a fresh initial condition.
  const Xi = tf.tensor(xi, { dtype: 'float64' });
  const identified = (s: Tensor) => tf.matmul(library(s), Xi);
  const s0 = initialConditions(1);
  const trueTest = (integrate(lorenz, s0, testSteps, bar, steps).reshape([-1, 3]).toArray()) as number[][];
  const idTest = (integrate(identified, s0, testSteps, bar, steps + testSteps).reshape([-1, 3]).toArray()) as number[][];
  const agreeFor = agreementTime(trueTest, idTest, 1);
  bar.done({ maxRelErr, spurious });

  console.log(`data: ${B} trajectories × ${TIME} time units at dt ${DT} (${samples.shape[0]} samples), noise σ ${args.noise}, derivatives: ${args.derivative === 'fd' ? 'fourth-order central differences' : 'exact right-hand side'}`);
  console.log(`library: ${TERMS.length} terms (degree ${args.degree}); STLSQ λ ${args.threshold}, ${sweeps} sweeps`);
  console.log('identified:');
  for (let j = 0; j < 3; j++) console.log(`  ${equation(xi, j)}`);
  console.log(`true:       σ ${SIGMA}  ρ ${RHO}  β ${BETA.toFixed(4)}`);
  console.log(`identified: σ ${sigma.toFixed(4)}  ρ ${rho.toFixed(4)}  β ${beta.toFixed(4)}   max relative error ${maxRelErr.toExponential(2)} over the 7 true terms; ${spurious} spurious, ${missed} missed`);
  console.log(`true and identified trajectories agree within 1 for ${agreeFor.toFixed(2)} of ${HORIZON} time units`);

  if (tf.utils.plot.plottingAvailable()) {
    const every = Math.max(1, Math.round(0.04 / DT));
    const series = (traj: number[][], i: number): Array<[number, number]> => traj.filter((_, k) => k % every === 0).map((s, k) => [k * every * DT, s[i]]);
    const timePanel = (i: number) => ({
      title: `${VARS[i]}(t)`, xLabel: 'time', yLabel: VARS[i], yScale: 'linear' as const, smooth: false,
      series: [{ name: 'true', points: series(trueTest, i) }, { name: 'identified', points: series(idTest, i) }],
    });
    const spec = tf.utils.plot.curvesSpec([timePanel(0), timePanel(2)], 'SINDy: the Lorenz system recovered from data',
      `${B} trajectories, dt ${DT}, noise ${args.noise}, ${args.derivative === 'fd' ? 'finite-difference' : 'exact'} derivatives; identified σ ${sigma.toFixed(3)}, ρ ${rho.toFixed(3)}, β ${beta.toFixed(4)}; agree within 1 for ${agreeFor.toFixed(1)} time units`);
    // The phase portrait is a path, not a function of x: its points are joined in time order.
    const phase = (traj: number[][], name: string) => traj.filter((_, k) => k % every === 0).map((s, k) => ({ x: s[0], z: s[2], t: k, series: name }));
    (spec.concat as unknown[]).push({
      title: { text: 'Phase portrait (x, z)' }, width: 330, height: 220,
      data: { values: [...phase(trueTest, 'true'), ...phase(idTest, 'identified')] },
      mark: { type: 'line', strokeWidth: 1, opacity: 0.8 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'x' }, y: { field: 'z', type: 'quantitative', title: 'z' },
        order: { field: 't', type: 'quantitative' }, color: { field: 'series', type: 'nominal', title: null, sort: ['true', 'identified'] },
      },
    });
    spec.columns = 3;
    const written = await tf.utils.plot.writeChart(spec, path.join(args.out, 'sindy.svg'));
    console.log(`picture: ${written.join(', ')}`);
  }
  const r = (v: number) => +v.toPrecision(6);
  console.log(JSON.stringify({
    example: 'sindy', small, sigma: r(sigma), rho: r(rho), beta: r(beta), maxRelErr: +maxRelErr.toPrecision(3),
    terms: xi.flat().filter((c) => c !== 0).length, spurious, missed, sweeps, agreeFor: +agreeFor.toFixed(3),
    coefficients: Object.fromEntries(VARS.map((v, j) => [`d${v}`, Object.fromEntries(TERMS.map((e, k) => [termName(e), r(xi[k][j])]).filter(([, c]) => c !== 0))])),
    samples: samples.shape[0], noise: args.noise, derivative: args.derivative, degree: args.degree, threshold: args.threshold, dt: DT,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
