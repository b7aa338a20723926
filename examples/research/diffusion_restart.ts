// Diffusion sampling on 2-D data: probability-flow ODE (Heun), SDE (Euler–Maruyama) and Restart, at equal
// numbers of function evaluations. Karras, Aittala, Aila & Laine 2022, "Elucidating the Design Space of
// Diffusion-Based Generative Models" (EDM: preconditioning, σ schedule, Heun); Xu, Deng, Chen, Tian, Liu
// & Jaakkola 2023, "Restart Sampling for Improving Generative Processes".
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/research/diffusion_restart.js [--help] [--small]
//
// Training (EDM, with σ(t) = t):
//   D_θ(x; σ) = c_skip(σ) x + c_out(σ) F_θ(c_in(σ) x, c_noise(σ)),
//   c_skip = σ_d² / (σ² + σ_d²),  c_out = σ σ_d / √(σ² + σ_d²),  c_in = 1 / √(σ² + σ_d²),  c_noise = ¼ ln σ;
//   ln σ ~ N(P_mean, P_std²);  loss  λ(σ) ‖D_θ(y + σn; σ) − y‖²  with λ = 1 / c_out², i.e.
//   ‖F_θ(…) − (y − c_skip (y + σn)) / c_out‖²: the network's target has unit variance at every σ.
// Sampling, on the schedule t_i = (σ_max^{1/ρ} + i/(N−1) (σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, t_N = 0,
// x_0 ~ N(0, σ_max² I), score ∇ log p(x; t) = (D(x; t) − x) / t²:
//   ODE (Heun, EDM Algorithm 1):  dx/dt = (x − D(x; t)) / t;  NFE = 2N − 1.
//   SDE (Euler–Maruyama on the reverse SDE dx = −2t ∇log p dt + √(2t) dω̄):
//     x ← x + 2 (t_i − t_{i+1}) (D(x; t_i) − x) / t_i + √(2 t_i (t_i − t_{i+1})) z,  last step x ← D(x; t_{N−1});  NFE = N.
//   Restart: the ODE, but on reaching t_min it K times jumps forward to t_max by adding noise,
//     x ← x + √(t_max² − t_min²) ε,  and runs the ODE (Heun, N_r steps) from t_max back to t_min;
//     NFE = 2N − 1 + 2 K N_r.
// Error: the sliced 2-Wasserstein distance between the samples and 20,000 held-out points (128
// directions; each a 1-D optimal transport by sorting). Also printed: the distance of fresh data of the
// samples' size, the floor a perfect sampler reaches (finite samples).
//
// Prints, as its last line, one JSON object: {"example":"diffusion_restart","ode":[[nfe,sw],…],"sde":…,
// "restart":…,"restartWins":[nfe…],…}; restartWins lists the Restart points that beat both ODE and SDE
// at the same NFE (their curves interpolated in log-log). Draws <out>/diffusion_restart.svg.
import * as fs from 'fs';
import * as path from 'path';
import { tf, Tensor } from '../common/tf';
import { parseArgs } from '../common/args';
import { Progress } from '../common/progress';

const args = parseArgs({
  name: 'research/diffusion_restart',
  summary: 'EDM-preconditioned denoiser on 8 Gaussians; sample error (sliced Wasserstein) against NFE for the ODE (Heun), SDE (Euler–Maruyama) and Restart samplers.',
  out: 'examples/research/out',
}, {
  small: { default: false, help: 'a seconds-long run (CI): short training, few samples and NFEs' },
  steps: { default: 4000, help: 'training steps' },
  batchSize: { default: 512, help: 'training examples per step' },
  hidden: { default: 128, help: 'width of the denoiser MLP (3 hidden layers, SiLU)' },
  lr: { default: 2e-3, help: 'Adam learning rate (cosine decay to 0)' },
  samples: { default: 4000, help: 'samples per sampler run (and held-out points)' },
  tMin: { default: 0.1, help: 'Restart interval: lower σ' },
  tMax: { default: 1, help: 'Restart interval: upper σ' },
  restarts: { default: 2, help: 'Restart: K, the jumps back up per run' },
  restartSteps: { default: 3, help: 'Restart: N_r, Heun steps from t_max back to t_min' },
  seed: { default: 1, help: 'random seed (data, weights, noise)' },
});
const small = args.small;
const STEPS = small ? 300 : args.steps;
const NS = small ? 500 : args.samples;
const SIGMA_MIN = 0.002, SIGMA_MAX = 80, RHO = 7, P_MEAN = -1.2, P_STD = 1.2;
const FREQS = 8;  // Fourier features of c_noise

/** 8 Gaussians: modes on a circle of radius 2, each of standard deviation 0.1. */
function eightGaussians(n: number): Tensor {
  const k = tf.randint(0, 8, [n]).double();
  const angle = tf.mul(k, Math.PI / 4);
  const centres = tf.concat([tf.cos(angle).reshape([n, 1]), tf.sin(angle).reshape([n, 1])], 1);
  return tf.add(tf.mul(centres, 2), tf.mul(tf.randn([n, 2], { dtype: 'float64' }), 0.1)).float();
}

/** The network F_θ: [c_in x, sin/cos(2^k c_noise)] → 3 × (hidden, SiLU) → 2. */
class Denoiser {
  readonly net: InstanceType<typeof tf.nn.Sequential>;
  readonly freqs: Tensor;
  constructor(hidden: number, readonly sigmaData: number) {
    const { nn } = tf;
    this.net = new nn.Sequential(
      new nn.Linear(2 + 2 * FREQS, hidden), new nn.SiLU(),
      new nn.Linear(hidden, hidden), new nn.SiLU(),
      new nn.Linear(hidden, hidden), new nn.SiLU(),
      new nn.Linear(hidden, 2),
    );
    this.freqs = tf.tensor([Array.from({ length: FREQS }, (_, k) => 2 ** (k - 2))]);
  }

  private F(xIn: Tensor, cNoise: Tensor): Tensor {
    const phase = tf.matmul(cNoise, this.freqs);
    return this.net.forward(tf.concat([xIn, tf.sin(phase), tf.cos(phase)], 1));
  }

  /** The preconditioning factors for σ of shape [n, 1]. */
  coefficients(sigma: Tensor): { cSkip: Tensor; cOut: Tensor; cIn: Tensor; cNoise: Tensor } {
    const sd2 = this.sigmaData ** 2;
    const s2 = tf.add(tf.mul(sigma, sigma), sd2);
    return {
      cSkip: tf.div(sd2, s2),
      cOut: tf.div(tf.mul(sigma, this.sigmaData), tf.sqrt(s2)),
      cIn: tf.div(1, tf.sqrt(s2)),
      cNoise: tf.mul(tf.log(sigma), 0.25),
    };
  }

  /** The training loss on clean data y: ‖F − (y − c_skip x) / c_out‖², x = y + σn. */
  loss(y: Tensor): Tensor {
    const n = y.shape[0];
    const sigma = tf.exp(tf.add(tf.mul(tf.randn([n, 1]), P_STD), P_MEAN));
    const x = tf.add(y, tf.mul(tf.randn([n, 2]), sigma));
    const c = this.coefficients(sigma);
    const target = tf.div(tf.sub(y, tf.mul(c.cSkip, x)), c.cOut);
    const r = tf.sub(this.F(tf.mul(c.cIn, x), c.cNoise), target);
    return tf.mean(tf.sum(tf.mul(r, r), 1));
  }

  /** D(x; σ) for one σ shared by the batch; counts function evaluations. */
  nfe = 0;
  D(x: Tensor, sigma: number): Tensor {
    this.nfe++;
    const c = this.coefficients(tf.full([x.shape[0], 1], sigma));
    return tf.add(tf.mul(c.cSkip, x), tf.mul(c.cOut, this.F(tf.mul(c.cIn, x), c.cNoise)));
  }
}

/** EDM's σ schedule from hi to lo in n points, then 0 when `toZero`. */
function schedule(n: number, hi = SIGMA_MAX, lo = SIGMA_MIN, toZero = true): number[] {
  const a = hi ** (1 / RHO), b = lo ** (1 / RHO);
  const t = Array.from({ length: n }, (_, i) => (a + (n === 1 ? 0 : i / (n - 1)) * (b - a)) ** RHO);
  return toZero ? [...t, 0] : t;
}

/** One Heun step from t to t2 (an Euler step when t2 = 0). */
function heunStep(model: Denoiser, x: Tensor, t: number, t2: number): Tensor {
  const d = tf.div(tf.sub(x, model.D(x, t)), t);
  const xe = tf.add(x, tf.mul(d, t2 - t));
  if (t2 === 0) return xe;
  const d2 = tf.div(tf.sub(xe, model.D(xe, t2)), t2);
  return tf.add(x, tf.mul(tf.add(d, d2), (t2 - t) / 2));
}

function sampleOde(model: Denoiser, n: number, steps: number): Tensor {
  const t = schedule(steps);
  let x = tf.mul(tf.randn([n, 2]), t[0]);
  for (let i = 0; i < steps; i++) x = heunStep(model, x, t[i], t[i + 1]);
  return x;
}

function sampleSde(model: Denoiser, n: number, steps: number): Tensor {
  const t = schedule(steps, SIGMA_MAX, SIGMA_MIN, false);
  let x = tf.mul(tf.randn([n, 2]), t[0]);
  for (let i = 0; i < steps - 1; i++) {
    const drift = tf.mul(tf.sub(model.D(x, t[i]), x), (2 * (t[i] - t[i + 1])) / t[i]);
    x = tf.add(tf.add(x, drift), tf.mul(tf.randn([n, 2]), Math.sqrt(2 * t[i] * (t[i] - t[i + 1]))));
  }
  return model.D(x, t[steps - 1]);
}

function sampleRestart(model: Denoiser, n: number, steps: number): Tensor {
  const t = schedule(steps);
  // The restart point: the main schedule's σ nearest t_min (so the main path passes through it
  // exactly) among those below t_max; the last, σ_min, always is.
  let j = steps - 1;
  for (let i = 0; i < steps; i++)
    if (t[i] < args.tMax && Math.abs(Math.log(t[i] / args.tMin)) < Math.abs(Math.log(t[j] / args.tMin))) j = i;
  const tMin = t[j];
  const inner = schedule(args.restartSteps + 1, args.tMax, tMin, false);
  let x = tf.mul(tf.randn([n, 2]), t[0]);
  for (let i = 0; i < steps; i++) {
    if (i === j)
      for (let k = 0; k < args.restarts; k++) {
        x = tf.add(x, tf.mul(tf.randn([n, 2]), Math.sqrt(args.tMax ** 2 - tMin ** 2)));
        for (let s = 0; s + 1 < inner.length; s++) x = heunStep(model, x, inner[s], inner[s + 1]);
      }
    x = heunStep(model, x, t[i], t[i + 1]);
  }
  return x;
}

/**
 * Sliced 2-Wasserstein distance between a 2-D point set and a (larger) reference set, over fixed
 * directions: per direction, the sorted projections against the reference's quantiles.
 */
function slicedWasserstein(a: Tensor, ref: Tensor, directions: number[][]): number {
  const A = a.toTypedArray() as Float32Array, R = ref.toTypedArray() as Float32Array;
  const n = a.shape[0], M = ref.shape[0];
  let total = 0;
  const pa = new Float64Array(n), pr = new Float64Array(M);
  for (const [u, v] of directions) {
    for (let i = 0; i < n; i++) pa[i] = u * A[2 * i] + v * A[2 * i + 1];
    for (let i = 0; i < M; i++) pr[i] = u * R[2 * i] + v * R[2 * i + 1];
    pa.sort(); pr.sort();
    for (let i = 0; i < n; i++) total += (pa[i] - pr[Math.floor(((i + 0.5) * M) / n)]) ** 2;
  }
  return Math.sqrt(total / (n * directions.length));
}

/** y at x by linear interpolation of log y in log x over the curve's points; NaN outside their range. */
function interpolate(curve: Array<[number, number]>, x: number): number {
  for (let i = 0; i + 1 < curve.length; i++) {
    const [x0, y0] = curve[i], [x1, y1] = curve[i + 1];
    if (x >= x0 && x <= x1) {
      const f = x1 === x0 ? 0 : Math.log(x / x0) / Math.log(x1 / x0);
      return Math.exp(Math.log(y0) + f * Math.log(y1 / y0));
    }
  }
  return NaN;
}

async function main(): Promise<void> {
  fs.mkdirSync(args.out, { recursive: true });
  tf.manualSeed(args.seed);
  const train = eightGaussians(20000);
  const heldOut = eightGaussians(small ? 5000 : 20000), fresh = eightGaussians(NS);
  const sigmaData = Math.sqrt(tf.mean(train.var(0)).item());
  const directions = Array.from({ length: 128 }, (_, i) => [Math.cos((Math.PI * (i + 0.5)) / 128), Math.sin((Math.PI * (i + 0.5)) / 128)]);
  // What a perfect sampler scores: fresh data of the same size against the held-out reference.
  const floor = slicedWasserstein(fresh, heldOut, directions);

  // 1. Train the denoiser.
  const model = new Denoiser(args.hidden, sigmaData);
  const opt = new tf.optim.Adam(model.net.parameters(), { lr: args.lr });
  const sched = new tf.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: STEPS });
  const lossCurve: Array<[number, number]> = [];
  const bar = new Progress(STEPS, 'train');
  let avg = 0;
  for (let s = 0; s < STEPS; s++) {
    const idx = tf.randint(0, train.shape[0], [args.batchSize]);
    const loss = model.loss(train.indexSelect(0, idx));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    sched.step();
    const v = loss.item();
    avg = s === 0 ? v : 0.98 * avg + 0.02 * v;
    if (s % Math.max(1, Math.floor(STEPS / 100)) === 0 || s === STEPS - 1) lossCurve.push([s, v]);
    bar.update(s + 1, { loss: avg });
  }
  bar.done({ loss: avg });

  // 2. Sample with each sampler over a range of step counts; error against NFE.
  const sweeps: Record<'ode' | 'sde' | 'restart', number[]> = small
    ? { ode: [4, 8, 16], sde: [8, 16, 32], restart: [4, 8] }
    : { ode: [3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 40, 50], sde: [6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 64, 80, 100, 128, 160, 200, 256], restart: [3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 40] };
  const samplers = { ode: sampleOde, sde: sampleSde, restart: sampleRestart };
  const curves: Record<string, Array<[number, number]>> = {};
  const total = Object.values(sweeps).reduce((a, s) => a + s.length, 0);
  const sbar = new Progress(total, 'sample');
  let done = 0;
  tf.noGrad(() => {
    for (const [name, steps] of Object.entries(sweeps) as Array<['ode' | 'sde' | 'restart', number[]]>) {
      curves[name] = [];
      for (const n of steps) {
        tf.manualSeed(args.seed + 1000 + n);
        model.nfe = 0;
        const x = samplers[name](model, NS, n);
        curves[name].push([model.nfe, slicedWasserstein(x, heldOut, directions)]);
        sbar.update(++done, { [name]: n });
      }
      curves[name].sort((a, b) => a[0] - b[0]);
    }
  });
  sbar.done();
  const wins = curves.restart.filter(([nfe, sw]) => sw < interpolate(curves.ode, nfe) && sw < interpolate(curves.sde, nfe)).map(([nfe]) => nfe);
  const comparable = curves.restart.filter(([nfe]) => Number.isFinite(interpolate(curves.ode, nfe)) && Number.isFinite(interpolate(curves.sde, nfe))).length;
  for (const name of ['ode', 'sde', 'restart'])
    console.log(`${name.padEnd(8)} ${curves[name].map(([nfe, sw]) => `${nfe}:${sw.toFixed(3)}`).join('  ')}`);
  console.log(`fresh data vs held-out (the floor): ${floor.toFixed(3)}`);
  console.log(`Restart beats both ODE and SDE at ${wins.length} of the ${comparable} NFEs where all three were measured${wins.length ? ` (NFE ${wins.join(', ')})` : ''}`);

  if (tf.utils.plot.plottingAvailable()) {
    const nfes = Object.values(curves).flat().map(([n]) => n);
    const written = await tf.utils.plot.plotCurves([
      {
        title: 'Sample error against NFE', xLabel: 'function evaluations (NFE)', xScale: 'log', yLabel: 'sliced Wasserstein-2 to held-out data', yScale: 'log', smooth: false,
        series: [
          { name: 'ODE (Heun)', points: curves.ode },
          { name: 'SDE (Euler–Maruyama)', points: curves.sde },
          { name: `Restart (K=${args.restarts}, [${args.tMin}, ${args.tMax}])`, points: curves.restart },
          { name: 'fresh data (the floor)', points: [[Math.min(...nfes), floor], [Math.max(...nfes), floor]] },
        ],
      },
      { title: 'Denoiser training loss', xLabel: 'step', yLabel: 'loss', series: [{ name: 'loss', points: lossCurve }] },
    ], path.join(args.out, 'diffusion_restart.svg'), {
      title: 'Diffusion samplers on 8 Gaussians: ODE, SDE and Restart',
      subtitle: `EDM preconditioning, MLP 3×${args.hidden}, ${STEPS} training steps, ${NS} samples, σ ∈ [${SIGMA_MIN}, ${SIGMA_MAX}], ρ = ${RHO}`,
    });
    console.log(`picture: ${written.join(', ')}`);
  }
  const round = (c: Array<[number, number]>) => c.map(([n, s]) => [n, +s.toPrecision(4)]);
  console.log(JSON.stringify({
    example: 'diffusion_restart', ode: round(curves.ode), sde: round(curves.sde), restart: round(curves.restart),
    floor: +floor.toPrecision(4), restartWins: wins, comparable, lossStart: +lossCurve[0][1].toPrecision(4), lossEnd: +avg.toPrecision(4),
    sigmaData: +sigmaData.toPrecision(4), steps: STEPS, samples: NS, small,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
