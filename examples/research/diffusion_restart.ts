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
import {
  Denoiser, SIGMA_MAX, SIGMA_MIN, RHO, directions, eightGaussians, heunSolve, heunStep, interpolate, schedule, slicedWasserstein, trainDenoiser,
} from './shared/diffusion2d';

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

function sampleOde(model: Denoiser, n: number, steps: number): Tensor {
  return heunSolve(model, tf.mul(tf.randn([n, 2]), SIGMA_MAX), steps);
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

async function main(): Promise<void> {
  fs.mkdirSync(args.out, { recursive: true });
  tf.manualSeed(args.seed);
  const train = eightGaussians(20000);
  const heldOut = eightGaussians(small ? 5000 : 20000), fresh = eightGaussians(NS);
  const sigmaData = Math.sqrt(tf.mean(train.var(0)).item());
  const dirs = directions(128);
  // What a perfect sampler scores: fresh data of the same size against the held-out reference.
  const floor = slicedWasserstein(fresh, heldOut, dirs);

  // 1. Train the denoiser.
  const model = new Denoiser(args.hidden, sigmaData);
  const { lossCurve, lossEnd: avg } = trainDenoiser(model, train, { steps: STEPS, batchSize: args.batchSize, lr: args.lr });

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
        curves[name].push([model.nfe, slicedWasserstein(x, heldOut, dirs)]);
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
