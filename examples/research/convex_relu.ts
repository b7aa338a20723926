// The convex program behind a two-layer ReLU network (Pilanci & Ergen 2020, "Neural Networks are Convex
// Regularizers: Exact Polynomial-time Convex Optimization Formulations for Two-layer Networks").
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/research/convex_relu.js [--help] [--small]
//
// The non-convex problem, m neurons, inputs X ∈ ℝ^{n×d} (a column of ones appended: the first-layer bias):
//   min_{U, α}  ½‖Σ_j (X u_j)₊ α_j − y‖² + β/2 Σ_j (‖u_j‖² + α_j²).
// Its convex equivalent, over the activation patterns D_i = diag(1[X g_i ≥ 0]) of hyperplanes g_i:
//   min_{v_i, w_i}  ½‖Σ_i D_i X (v_i − w_i) − y‖² + β Σ_i (‖v_i‖ + ‖w_i‖)
//   s.t.  (2D_i − I) X v_i ≥ 0,  (2D_i − I) X w_i ≥ 0,
// a group lasso with cone constraints. With every pattern present and m ≥ m* (the number of nonzero
// v_i, w_i at the optimum) the two optima are equal, and a network attaining it is read off the solution:
//   u = v_i / √‖v_i‖, α = √‖v_i‖  and  u = w_i / √‖w_i‖, α = −√‖w_i‖.
// (The cone constraints make (X u)₊ = D_i X u, and ‖u‖² = α² = ‖v_i‖ makes β/2 (‖u‖² + α²) = β‖v_i‖.)
//
// Algorithm:
//   1. Patterns: in 1-D (the default) all of them (2n − 1: a threshold between two sorted points and a
//      direction); in more dimensions g ~ N(0, I) sampled --patterns times, D = 1[X g ≥ 0], duplicates and
//      the empty pattern dropped: then the program covers only the networks whose neurons use those
//      patterns, and its optimum is an upper bound on the true one.
//   2. The convex program by ADMM (Boyd et al. 2011; the splitting of Bai, Gautam & Sojoudi 2022): u = z
//      carries the group lasso, (2D − I) X u = s ≥ 0 the cones, so each step is closed-form: a linear
//      solve for u, a group soft-threshold for z, a clamp for s. Why ADMM: the cone ∩ group-lasso set has
//      no cheap projection, so proximal gradient needs the cones as a penalty (an augmented Lagrangian
//      with inner FISTA loops: tried, and its step 1/L is tiny because the P patterns overlap, L ≈ ‖Σ D_i X‖²);
//      ADMM's u-step instead solves with AᵀA exactly, and since A has only n rows, Woodbury makes
//      that an n×n solve. ρ is balanced between the primal and dual residuals.
//   3. The non-convex network of several widths trained by full-batch Adam (cosine decay) on the same
//      objective, from a random initialisation.
//   4. The network read off the convex solution, evaluated as a network: its objective equals the convex
//      one up to the remaining cone violation, and is no worse than Adam's.
//
// Prints, as its last line, one JSON object: {"example":"convex_relu","convexObjective":…,
// "recoveredObjective":…,"nonconvexObjective":…(the best over widths),"nonconvexByWidth":{…},"neurons":…,…}.
// Draws <out>/convex_relu.svg: the objective above the lowest found against iterations for both, the
// ADMM's cone violation, and (1-D) the fitted functions.
import * as fs from 'fs';
import * as path from 'path';
import { tf, Tensor } from '../common/tf';
import { parseArgs } from '../common/args';
import { Progress } from '../common/progress';

const args = parseArgs({
  name: 'research/convex_relu',
  summary: 'Two-layer ReLU network vs its convex reformulation (group lasso with cone constraints, solved by ADMM): the same objective, and the network read off the convex solution.',
  out: 'examples/research/out',
}, {
  small: { default: false, help: 'a seconds-long run (CI): fewer points, patterns and iterations' },
  points: { default: 60, help: 'training points n' },
  dim: { default: 1, help: 'input dimension d (a bias column is appended)' },
  patterns: { default: 4000, help: 'hyperplanes sampled for the activation patterns when --dim > 1 (1-D: all patterns)' },
  beta: { default: 0.1, help: 'regularisation β' },
  rho: { default: 0.3, help: 'ADMM penalty ρ at the start (then balanced between the residuals)' },
  iterations: { default: 30000, help: 'ADMM iterations at most' },
  tol: { default: 1e-9, help: 'ADMM stops when both residuals fall below this' },
  widths: { default: '4,16,64', help: 'widths m of the Adam-trained networks, comma-separated' },
  adamSteps: { default: 10000, help: 'Adam steps (full batch) per network' },
  lr: { default: 0.01, help: 'Adam learning rate (cosine decay to 0)' },
  seed: { default: 1, help: 'random seed (data, patterns, initialisation)' },
});
const small = args.small;
const N = small ? 24 : args.points;
const PATTERNS = small ? 500 : args.patterns;
const ITERATIONS = small ? 8000 : args.iterations;
const TOL = args.tol;
const ADAM_STEPS = small ? 1500 : args.adamSteps;
const WIDTHS = (small ? '4,32' : args.widths).split(',').map(Number);
const BETA = args.beta, RHO = args.rho;
if (!Number.isInteger(args.dim) || args.dim < 1) throw new Error(`convex_relu: --dim must be a positive integer, got ${args.dim}`);
if (WIDTHS.some((m) => !Number.isInteger(m) || m < 1)) throw new Error(`convex_relu: bad --widths ${args.widths}`);
if (!(BETA > 0) || !(RHO > 0)) throw new Error('convex_relu: --beta and --rho must be positive');
const RECORD = 10;  // record the objectives every this many iterations
const f64 = { dtype: 'float64' as const };

/** n points uniform in [−1, 1]^d with a ones column appended, and y = a smooth function of them plus noise. */
function makeData(): { X: Tensor; y: Tensor } {
  const X0 = tf.sub(tf.mul(tf.rand([N, args.dim], f64), 2), 1);
  const x1 = X0.narrow(1, 0, 1), rest = args.dim > 1 ? tf.sum(X0.narrow(1, 1, args.dim - 1), 1, true) : tf.zerosLike(x1);
  const y = tf.add(tf.mul(tf.sin(tf.mul(x1, 3)), tf.cos(tf.mul(rest, 2))), tf.mul(tf.randn([N, 1], f64), 0.1)).reshape([N]);
  return { X: tf.concat([X0, tf.ones([N, 1], f64)], 1), y };
}

/**
 * The activation patterns 1[X g ≥ 0] as the columns of D ∈ {0, 1}^{n×P}, duplicates and the empty one
 * dropped. In 1-D (X = [x, 1]) a pattern is a threshold and a direction, so all of them are enumerated
 * (g = ±(1, −t) with t below, between and above the sorted x); otherwise g ~ N(0, I) is sampled.
 */
function activationPatterns(X: Tensor): { D: Tensor; exhaustive: boolean } {
  let H: Tensor, exhaustive = false;
  if (args.dim === 1) {
    const xs = (X.narrow(1, 0, 1).reshape([-1]).toArray() as number[]).sort((a, b) => a - b);
    const ts = [xs[0] - 1, ...xs.slice(1).map((x, i) => (x + xs[i]) / 2), xs[xs.length - 1] + 1];
    H = tf.tensor([[...ts.map(() => 1), ...ts.map(() => -1)], [...ts.map((t) => -t), ...ts]], f64);
    exhaustive = true;
  } else H = tf.randn([X.shape[1], PATTERNS], f64);
  const S = tf.ge(tf.matmul(X, H), 0).toArray() as boolean[][];
  const seen = new Set<string>();
  const keep: number[] = [];
  for (let p = 0; p < H.shape[1]; p++) {
    const key = S.map((row) => (row[p] ? '1' : '0')).join('');
    if (key.includes('1') && !seen.has(key)) { seen.add(key); keep.push(p); }
  }
  return { D: tf.tensor(S.map((row) => keep.map((p) => (row[p] ? 1 : 0))), f64), exhaustive };
}

/** The convex program's data and the pieces of its objective. */
class ConvexProgram {
  readonly G: Tensor;  // 2D − 1: the sign each pattern asks of X v
  constructor(readonly X: Tensor, readonly y: Tensor, readonly D: Tensor) {
    this.G = tf.sub(tf.mul(D, 2), 1);
  }

  /** Σ_i D_i X (v_i − w_i) for V, W ∈ ℝ^{P×d}. */
  predict(V: Tensor, W: Tensor): Tensor {
    return tf.sum(tf.mul(this.D, tf.matmul(this.X, tf.sub(V, W).T)), 1);
  }

  squaredLoss(V: Tensor, W: Tensor): Tensor {
    const r = tf.sub(this.predict(V, W), this.y);
    return tf.mul(tf.sum(tf.mul(r, r)), 0.5);
  }

  groupNorms(V: Tensor): Tensor {
    return tf.sqrt(tf.sum(tf.mul(V, V), 1));
  }

  objective(V: Tensor, W: Tensor): number {
    return tf.add(this.squaredLoss(V, W), tf.mul(tf.add(tf.sum(this.groupNorms(V)), tf.sum(this.groupNorms(W))), BETA)).item();
  }

  /** (2D_i − I) X v_i for every i, as an n×P matrix. */
  cone(V: Tensor): Tensor {
    return tf.mul(this.G, tf.matmul(this.X, V.T));
  }

  /** The largest violation of the cone constraints. */
  violation(V: Tensor, W: Tensor): number {
    return Math.max(0, -tf.min(this.cone(V)).item(), -tf.min(this.cone(W)).item());
  }
}

/** The group soft-threshold: the proximal operator of τ Σ_i ‖v_i‖ over the rows of V. */
function groupShrink(V: Tensor, tau: number): Tensor {
  const norms = tf.sqrt(tf.sum(tf.mul(V, V), 1, true));
  return tf.mul(V, tf.relu(tf.sub(1, tf.div(tau, tf.clamp(norms, 1e-300, Infinity)))));
}

interface Curve { objective: Array<[number, number]>; violation: Array<[number, number]> }

/**
 * ADMM on  ½‖A u − y‖² + β Σ‖z_i‖ + 1[s ≥ 0]  s.t.  u = z,  (2D − I) X u = s,  where u stacks the v_i
 * and then the w_i (2P rows) and A u = Σ_i ±D_i X u_i. Scaled duals λ (for u = z) and ν (for the cones);
 * ρ balanced between the primal and dual residuals (Boyd et al. 2011, §3.4.1). Over-relaxation (§3.4.3,
 * factor 1.6) was tried: on this problem it ends further from the optimum at equal iterations.
 */
function solveConvex(prog: ConvexProgram, bar: Progress): { V: Tensor; W: Tensor; curve: Curve; iterations: number } {
  const { X, y, D, G } = prog;
  const P = D.shape[1], d = X.shape[1];
  const S = tf.concat([D, tf.neg(D)], 1);  // the signed patterns of the 2P blocks
  const G2 = tf.concat([G, G], 1);
  const A = (u: Tensor) => tf.sum(tf.mul(S, tf.matmul(X, u.T)), 1);
  const At = (r: Tensor) => tf.matmul(tf.mul(S, r.reshape([-1, 1])).T, X);
  const XtX = tf.matmul(X.T, X), SSt = tf.matmul(S, S.T);
  // The u-step's matrix is AᵀA + ρ(I + blockdiag XᵀX): every block's cone term is XᵀG_iG_iX = XᵀX, so
  // the second part is one d×d matrix B₀ repeated, and AᵀA has rank n. By Woodbury the solve needs only
  // B₀⁻¹ and the n×n matrix I + A B⁻¹Aᵀ = I + (X B₀⁻¹ Xᵀ) ⊙ (S Sᵀ): refactored in microseconds when ρ moves.
  let rho = RHO;
  let B0inv: Tensor, Kinv: Tensor;
  const factor = () => {
    B0inv = tf.keep(tf.linalg.inv(tf.mul(tf.add(tf.eye(d, f64), XtX), rho)));
    Kinv = tf.keep(tf.linalg.inv(tf.add(tf.eye(N, f64), tf.mul(tf.matmul(tf.matmul(X, B0inv), X.T), SSt))));
  };
  factor();
  const solveU = (R: Tensor) => {
    const BR = tf.matmul(R, B0inv);  // B₀ is symmetric, so the rows of R B₀⁻¹ are B₀⁻¹ r_i
    return tf.sub(BR, tf.matmul(At(tf.matmul(Kinv, A(BR).reshape([-1, 1])).reshape([-1])), B0inv));
  };
  const Aty = At(y);
  let z = tf.zeros([2 * P, d], f64), lam = tf.zeros([2 * P, d], f64);
  let s = tf.zeros([N, 2 * P], f64), nu = tf.zeros([N, 2 * P], f64);
  const curve: Curve = { objective: [], violation: [] };
  const split = (Z: Tensor) => ({ V: Z.narrow(0, 0, P), W: Z.narrow(0, P, P) });
  const record = (it: number) => {
    const { V, W } = split(z);
    curve.objective.push([it, prog.objective(V, W)]);
    curve.violation.push([it, Math.max(prog.violation(V, W), 1e-16)]);
  };
  let it = 0;
  for (; it < ITERATIONS; it++) {
    let primal = 0, dual = 0;
    [z, lam, s, nu, primal, dual] = tf.tidy(() => {
      // u: the exact minimiser of the data fit plus both quadratic couplings.
      const rhs = tf.add(Aty, tf.mul(tf.add(tf.sub(z, lam), tf.matmul(tf.mul(G2, tf.sub(s, nu)).T, X)), rho));
      const u = solveU(rhs);
      const cone = tf.mul(G2, tf.matmul(X, u.T));
      const zNext = groupShrink(tf.add(u, lam), BETA / rho);
      const sNext = tf.relu(tf.add(cone, nu));
      let rp = 0, rd = 0;
      if (it % 10 === 0) {
        const sq = (t: Tensor) => tf.sum(tf.mul(t, t)).item();
        rp = Math.sqrt(sq(tf.sub(u, zNext)) + sq(tf.sub(cone, sNext)));
        rd = rho * Math.sqrt(sq(tf.add(tf.sub(zNext, z), tf.matmul(tf.mul(G2, tf.sub(sNext, s)).T, X))));
      }
      return [zNext, tf.add(lam, tf.sub(u, zNext)), sNext, tf.add(nu, tf.sub(cone, sNext)), rp, rd] as [Tensor, Tensor, Tensor, Tensor, number, number];
    });
    if (it % RECORD === 0) record(it);
    if (it % 10 === 0) {
      if (primal < TOL && dual < TOL) break;
      // Residual balancing; the scaled duals scale inversely with ρ.
      const f = primal > 10 * dual ? 2 : dual > 10 * primal ? 0.5 : 1;
      if (f !== 1 && it < ITERATIONS / 2) {
        rho *= f;
        [lam, nu] = [tf.div(lam, f), tf.div(nu, f)];
        tf.dispose([B0inv!, Kinv!]);
        factor();
      }
    }
    if (it % 100 === 0) bar.update(it, { objective: curve.objective[curve.objective.length - 1][1] });
  }
  record(it);
  return { ...split(z), curve, iterations: it };
}

/** ½‖relu(X Uᵀ) α − y‖² + β/2 (‖U‖² + ‖α‖²): the non-convex objective. */
function networkObjective(X: Tensor, y: Tensor, U: Tensor, alpha: Tensor): Tensor {
  const r = tf.sub(tf.matmul(tf.relu(tf.matmul(X, U.T)), alpha.reshape([-1, 1])).reshape([-1]), y);
  return tf.add(tf.mul(tf.sum(tf.mul(r, r)), 0.5), tf.mul(tf.add(tf.sum(tf.mul(U, U)), tf.sum(tf.mul(alpha, alpha))), BETA / 2));
}

/** Full-batch Adam on the non-convex objective; returns its curve and final value. */
interface Trained { curve: Array<[number, number]>; final: number; U: Tensor; alpha: Tensor }

function trainNetwork(X: Tensor, y: Tensor, m: number, bar: Progress, offset: number): Trained {
  const d = X.shape[1];
  const U = tf.div(tf.randn([m, d], f64), Math.sqrt(d)).requiresGrad_(true);
  const alpha = tf.div(tf.randn([m], f64), Math.sqrt(m)).requiresGrad_(true);
  const opt = new tf.optim.Adam([U, alpha], { lr: args.lr });
  const sched = new tf.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: ADAM_STEPS });
  const curve: Array<[number, number]> = [];
  let v = NaN;
  for (let s = 0; s <= ADAM_STEPS; s++) {
    v = tf.tidy(() => {
      const loss = networkObjective(X, y, U, alpha);
      if (s < ADAM_STEPS) {
        opt.zeroGrad();
        loss.backward();
        opt.step();
        sched.step();
      }
      return loss.item();
    });
    if (s % RECORD === 0) curve.push([s, v]);
    if (s % 100 === 0) bar.update(offset + s, { width: m, objective: v });
  }
  return { curve, final: v, U: U.detach(), alpha: alpha.detach() };
}

/** The network read off the convex solution: one neuron per nonzero v_i (α > 0) and w_i (α < 0). */
function recoverNetwork(V: Tensor, W: Tensor): { U: Tensor; alpha: Tensor } {
  const rows: number[][] = [], alpha: number[] = [];
  const take = (Z: Tensor, sign: number) => {
    const z = Z.toArray() as number[][];
    for (const v of z) {
      const norm = Math.hypot(...v);
      if (norm === 0) continue;
      rows.push(v.map((c) => c / Math.sqrt(norm)));
      alpha.push(sign * Math.sqrt(norm));
    }
  };
  take(V, 1);
  take(W, -1);
  return { U: tf.tensor(rows.length ? rows : [new Array(V.shape[1]).fill(0)], f64), alpha: tf.tensor(rows.length ? alpha : [0], f64) };
}

async function main(): Promise<void> {
  fs.mkdirSync(args.out, { recursive: true });
  tf.manualSeed(args.seed);
  const { X, y } = makeData();
  const { D, exhaustive } = activationPatterns(X);
  const P = D.shape[1];
  const prog = new ConvexProgram(X, y, D);
  const bar = new Progress(ITERATIONS + WIDTHS.length * ADAM_STEPS, 'convex_relu');

  // The convex program.
  const { V, W, curve, iterations } = tf.noGrad(() => solveConvex(prog, bar));
  const convexObjective = prog.objective(V, W), violation = prog.violation(V, W);
  const { U, alpha } = recoverNetwork(V, W);
  const recoveredObjective = tf.noGrad(() => networkObjective(X, y, U, alpha).item());
  const neurons = alpha.shape[0];

  // The non-convex networks.
  const adam: Array<{ m: number } & Trained> = [];
  WIDTHS.forEach((m, i) => adam.push({ m, ...trainNetwork(X, y, m, bar, ITERATIONS + i * ADAM_STEPS) }));
  const best = adam.reduce((a, b) => (b.final < a.final ? b : a));
  bar.done({ convex: convexObjective, adam: best.final });

  const zero = 0.5 * tf.sum(tf.mul(y, y)).item();
  console.log(`data: ${N} points in [-1, 1]^${args.dim} (+ bias column); ${P} distinct activation patterns ${exhaustive ? '(all there are)' : `from ${PATTERNS} sampled hyperplanes`}; β ${BETA}`);
  console.log(`objective at zero weights:  ${zero.toFixed(6)}`);
  console.log(`convex optimum (ADMM, ${iterations} iterations): ${convexObjective.toFixed(6)}   max cone violation ${violation.toExponential(2)}`);
  console.log(`network recovered from it (${neurons} neurons): ${recoveredObjective.toFixed(6)}   (relative gap ${((recoveredObjective - convexObjective) / convexObjective).toExponential(2)})`);
  for (const a of adam) console.log(`Adam, width ${String(a.m).padStart(4)}, ${ADAM_STEPS} steps:  ${a.final.toFixed(6)}   (${a.final >= convexObjective ? '+' : ''}${(((a.final - convexObjective) / convexObjective) * 100).toFixed(3)}% vs convex)`);

  if (tf.utils.plot.plottingAvailable()) {
    // Excess over the lowest objective any method reached, so that both approaches show on one log axis
    // (an ADMM iterate can sit below it while it is still infeasible: those points are left out).
    const floor = Math.min(convexObjective, recoveredObjective, ...adam.map((a) => a.final));
    // On a log iteration axis about 150 points per curve (15 per e-fold) are enough (keeps the SVG small).
    const thin = (c: Array<[number, number]>) => c.filter(([it], i) => it > 0 && (i === c.length - 1 || Math.floor(15 * Math.log(it)) !== Math.floor(15 * Math.log(c[i + 1][0]))));
    const excess = (c: Array<[number, number]>) => thin(c).map(([it, v]): [number, number] => [it, v - floor > 0 ? v - floor : NaN]);
    const spec = tf.utils.plot.curvesSpec([
      {
        title: 'Objective above the lowest found', xLabel: 'iteration', xScale: 'log', yLabel: 'objective − lowest', yScale: 'log', smooth: false,
        series: [{ name: 'convex (ADMM)', points: excess(curve.objective) }, ...adam.map((a) => ({ name: `Adam m=${a.m}`, points: excess(a.curve) }))],
      },
      { title: 'ADMM: cone constraint violation', xLabel: 'iteration', xScale: 'log', yLabel: 'max violation', yScale: 'log', smooth: false, series: [{ name: 'violation', points: thin(curve.violation) }] },
    ], 'A two-layer ReLU network and its convex program',
    `${N} points in ${args.dim}-D, β ${BETA}, ${P} activation patterns${exhaustive ? ' (all)' : ' (sampled)'}; convex ${convexObjective.toFixed(6)}, network recovered from it ${recoveredObjective.toFixed(6)} (${neurons} neurons), best Adam ${best.final.toFixed(6)}`);
    if (args.dim === 1) {
      // The fitted functions: the recovered network against Adam's narrowest and widest.
      const grid = tf.linspace(-1.1, 1.1, 111, f64).reshape([-1, 1]);
      const G = tf.concat([grid, tf.onesLike(grid)], 1);
      const fn = (U: Tensor, a: Tensor) => tf.matmul(tf.relu(tf.matmul(G, U.T)), a.reshape([-1, 1])).reshape([-1]).toArray() as number[];
      const xs = grid.reshape([-1]).toArray() as number[];
      const shown = [{ name: `recovered (${neurons} neurons)`, f: fn(U, alpha) }, ...[adam[0], adam[adam.length - 1]].filter((a, i, all) => all.indexOf(a) === i).map((a) => ({ name: `Adam m=${a.m}`, f: fn(a.U, a.alpha) }))];
      const xData = X.narrow(1, 0, 1).reshape([-1]).toArray() as number[], yData = y.toArray() as number[];
      (spec.concat as unknown[]).push({
        title: { text: 'Fitted functions' }, width: 330, height: 220,
        layer: [
          { data: { values: xData.map((x, i) => ({ x, y: yData[i] })) }, mark: { type: 'point', filled: true, size: 18, color: '#888' }, encoding: { x: { field: 'x', type: 'quantitative', title: 'x' }, y: { field: 'y', type: 'quantitative', title: 'y' } } },
          { data: { values: shown.flatMap((s) => xs.map((x, i) => ({ x, y: s.f[i], series: s.name }))) }, mark: { type: 'line', strokeWidth: 2 },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, color: { field: 'series', type: 'nominal', title: null, sort: shown.map((s) => s.name), legend: { labelLimit: 300 } }, strokeDash: { field: 'series', type: 'nominal', legend: null, sort: shown.map((s) => s.name) } } },
        ],
      });
      spec.columns = 3;
    }
    const written = await tf.utils.plot.writeChart(spec, path.join(args.out, 'convex_relu.svg'));
    console.log(`picture: ${written.join(', ')}`);
  }
  const r = (v: number) => +v.toPrecision(7);
  console.log(JSON.stringify({
    example: 'convex_relu', small, convexObjective: r(convexObjective), recoveredObjective: r(recoveredObjective),
    nonconvexObjective: r(best.final), nonconvexByWidth: Object.fromEntries(adam.map((a) => [a.m, r(a.final)])),
    nonconvexStart: Object.fromEntries(adam.map((a) => [a.m, r(a.curve[0][1])])), zeroObjective: r(zero),
    violation: +violation.toPrecision(3), neurons, patterns: P, points: N, dim: args.dim, beta: BETA,
    iterations, exhaustive, adamSteps: ADAM_STEPS,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
