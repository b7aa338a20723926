// PFGM++ on 2-D data: the same denoiser trained and sampled under the r-dependent perturbation kernel of
// several augmented dimensions D, from D = 1 (heavy tails) to D → ∞ (diffusion, EDM). Xu, Liu, Tian,
// Tong, Tegmark & Jaakkola 2023, "PFGM++: Unlocking the Potential of Physics-Inspired Generative Models".
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/research/pfgm_pp.js [--help] [--small]
//
// The data y ∈ ℝᴺ (N = 2) are augmented with D zero coordinates; the electric field of this charge
// distribution in N + D dimensions defines the perturbation kernel, for a point at distance r from the
// data plane,
//   p_r(x | y) ∝ 1 / (‖x − y‖² + r²)^((N+D)/2),
// so ‖x − y‖ = R follows p(R) ∝ R^(N−1) / (R² + r²)^((N+D)/2) and its direction is uniform on the sphere.
// Equivalently R² / r² ~ BetaPrime(N/2, D/2) = χ²_N / χ²_D, hence the exact sampler used here:
//   x = y + r z_N / ‖z_D‖,   z_N ~ N(0, I_N), z_D ~ N(0, I_D).
// With r = σ √D (the paper's alignment), ‖z_D‖ / √D → 1 as D → ∞ and the kernel becomes EDM's
// N(y, σ² I): D = ∞ below is exactly the diffusion model of diffusion_restart.
// Training (the paper's, with EDM's hyperparameters): ln σ ~ N(P_mean, P_std²),
//   r = σ √D, x = y + r z_N / ‖z_D‖,  loss  ‖D_θ(x; σ) − y‖² with EDM's preconditioning of D_θ at σ.
// Sampling (the paper's): the prior is the kernel at r_max = σ_max √D around the origin (its
// data term is negligible): x₀ = r_max z_N / ‖z_D‖ (heavy-tailed for small D), then the ODE
//   dx/dr = (x − E[y | x, r]) / r,  i.e.  dx/dσ = (x − D_θ(x; σ)) / σ,
// by Heun on EDM's σ schedule (ρ = 7, σ ∈ [0.002, 80]): the same solver as EDM, NFE = 2·steps − 1.
// Error: sliced Wasserstein-2 of the samples to held-out data, as in diffusion_restart. Being a W₂, it
// is dominated by the few samples that land far away; so also counted: the outliers, the share of
// samples farther than 0.5 (5 standard deviations) from every mode centre (fresh data: about 4e-6).
//
// Prints, as its last line, one JSON object: {"example":"pfgm_pp","dims":["1",…,"inf"],"curves":{"1":
// [[nfe,sw],…],…},"outliers":{"1":[[nfe,share],…],…},"bestD":{nfe: D},"bestDOutliers":{nfe: D},"floor":…,…}
// (bestD: the D of the smallest error at each NFE; bestDOutliers: of the fewest outliers). Draws <out>/pfgm_pp.svg: error against NFE per D, the
// training losses, and the samples of each D at a low NFE.
import * as fs from 'fs';
import * as path from 'path';
import { tf, Tensor } from '../common/tf';
import { parseArgs } from '../common/args';
import { Progress } from '../common/progress';
import { Denoiser, Perturbation, SIGMA_MAX, SIGMA_MIN, RHO, directions, eightGaussians, heunSolve, slicedWasserstein, trainDenoiser } from './shared/diffusion2d';

const args = parseArgs({
  name: 'research/pfgm_pp',
  summary: 'PFGM++ on 8 Gaussians: one denoiser per augmented dimension D (1 … ∞ = EDM); sample error (sliced Wasserstein) against NFE per D.',
  out: 'examples/research/out',
}, {
  small: { default: false, help: 'a seconds-long run (CI): D = 4, 128, ∞, short training, few samples and NFEs' },
  dims: { default: '1,4,16,128,inf', help: 'augmented dimensions D, comma-separated (inf: the diffusion limit)' },
  steps: { default: 3000, help: 'training steps per D' },
  batchSize: { default: 512, help: 'training examples per step' },
  hidden: { default: 128, help: 'width of the denoiser MLP (3 hidden layers, SiLU)' },
  lr: { default: 2e-3, help: 'Adam learning rate (cosine decay to 0)' },
  samples: { default: 4000, help: 'samples per sampler run' },
  showSteps: { default: 8, help: 'Heun steps of the runs whose samples are drawn (NFE 2·steps − 1)' },
  seed: { default: 1, help: 'random seed (data, weights, noise)' },
});
const small = args.small;
const STEPS = small ? 300 : args.steps;
const NS = small ? 500 : args.samples;
const N = 2;
const dims = (small ? '4,128,inf' : args.dims).split(',').map((s) => (s.trim() === 'inf' ? Infinity : Number(s)));
if (dims.some((d) => !(d === Infinity || (Number.isInteger(d) && d >= 1)))) throw new Error(`pfgm_pp: bad --dims ${args.dims}`);
const label = (d: number): string => (d === Infinity ? 'inf' : String(d));

/** r z_N / ‖z_D‖ with r = σ √D: a draw of y's displacement under the PFGM++ kernel; σ z_N for D = ∞. */
function kernelNoise(D: number): Perturbation {
  if (D === Infinity) return (sigma, n) => tf.mul(tf.randn([n, N]), sigma);
  return (sigma, n) => {
    const zD = tf.randn([n, D]);
    const norm = tf.sqrt(tf.sum(tf.mul(zD, zD), 1, true));
    return tf.mul(tf.randn([n, N]), tf.div(tf.mul(sigma, Math.sqrt(D)), norm));
  };
}

/** Samples: the prior at σ_max, then Heun on dx/dσ = (x − D(x; σ)) / σ. */
function sample(model: Denoiser, D: number, n: number, steps: number): Tensor {
  const x0 = kernelNoise(D)(tf.full([n, 1], SIGMA_MAX), n);
  return heunSolve(model, x0, steps);
}

/** The share of points farther than 0.5 from every mode centre of the 8 Gaussians. */
function outlierShare(x: Tensor): number {
  const v = x.toTypedArray() as Float32Array;
  let far = 0;
  for (let i = 0; i < v.length; i += 2) {
    let near = false;
    for (let k = 0; k < 8 && !near; k++) near = Math.hypot(v[i] - 2 * Math.cos((k * Math.PI) / 4), v[i + 1] - 2 * Math.sin((k * Math.PI) / 4)) <= 0.5;
    if (!near) far++;
  }
  return (2 * far) / v.length;
}

async function main(): Promise<void> {
  fs.mkdirSync(args.out, { recursive: true });
  tf.manualSeed(args.seed);
  const train = eightGaussians(20000);
  const heldOut = eightGaussians(small ? 5000 : 20000), fresh = eightGaussians(NS);
  const sigmaData = Math.sqrt(tf.mean(train.var(0)).item());
  const dirs = directions(128);
  const floor = slicedWasserstein(fresh, heldOut, dirs);
  const sweep = small ? [3, 5, 8, 16] : [3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32];
  const showSteps = sweep.includes(args.showSteps) ? args.showSteps : sweep[Math.min(2, sweep.length - 1)];

  const curves: Record<string, Array<[number, number]>> = {};
  const outliers: Record<string, Array<[number, number]>> = {};
  const losses: Record<string, Array<[number, number]>> = {};
  const lossEnd: Record<string, number> = {};
  const shown: Record<string, Array<[number, number]>> = {};
  for (const D of dims) {
    // The same initial weights for every D.
    tf.manualSeed(args.seed + 1);
    const model = new Denoiser(args.hidden, sigmaData);
    const trained = trainDenoiser(model, train, { steps: STEPS, batchSize: args.batchSize, lr: args.lr, label: `train D=${label(D)}`, perturb: kernelNoise(D) });
    losses[label(D)] = trained.lossCurve;
    lossEnd[label(D)] = trained.lossEnd;
    const bar = new Progress(sweep.length, `sample D=${label(D)}`);
    curves[label(D)] = [];
    outliers[label(D)] = [];
    tf.noGrad(() => {
      sweep.forEach((steps, i) => {
        tf.manualSeed(args.seed + 1000 + steps);
        model.nfe = 0;
        const x = sample(model, D, NS, steps);
        curves[label(D)].push([model.nfe, slicedWasserstein(x, heldOut, dirs)]);
        outliers[label(D)].push([model.nfe, outlierShare(x)]);
        if (steps === showSteps) {
          const v = x.narrow(0, 0, Math.min(NS, 250)).toArray() as number[][];
          shown[label(D)] = v.map(([a, b]) => [a, b]);
        }
        bar.update(i + 1, { nfe: model.nfe });
      });
    });
    bar.done();
  }

  // Per NFE, the D with the smallest error.
  const nfes = curves[label(dims[0])].map(([n]) => n);
  const bestD: Record<string, string> = {};
  nfes.forEach((nfe, i) => {
    let best = label(dims[0]);
    for (const D of dims) if (curves[label(D)][i][1] < curves[best][i][1]) best = label(D);
    bestD[nfe] = best;
  });
  console.log(`NFE      ${nfes.map((n) => String(n).padStart(8)).join('')}`);
  for (const D of dims) console.log(`D=${label(D).padEnd(6)} ${curves[label(D)].map(([, s]) => s.toPrecision(3).padStart(8)).join('')}`);
  const bestDOutliers: Record<string, string> = {};
  nfes.forEach((nfe, i) => {
    let best = label(dims[0]);
    for (const D of dims) if (outliers[label(D)][i][1] < outliers[best][i][1]) best = label(D);
    bestDOutliers[nfe] = best;
  });
  console.log(`best D   ${nfes.map((n) => bestD[n].padStart(8)).join('')}`);
  console.log('outliers (share of samples farther than 0.5 from every mode):');
  for (const D of dims) console.log(`D=${label(D).padEnd(6)} ${outliers[label(D)].map(([, s]) => s.toFixed(4).padStart(8)).join('')}`);
  console.log(`fewest   ${nfes.map((n) => bestDOutliers[n].padStart(8)).join('')}`);
  console.log(`fresh data vs held-out (the floor): ${floor.toFixed(3)}`);

  if (tf.utils.plot.plottingAvailable()) {
    const name = (d: string) => (d === 'inf' ? 'D = ∞ (EDM)' : `D = ${d}`);
    const spec = tf.utils.plot.curvesSpec([
      {
        title: 'Sample error against NFE', xLabel: 'function evaluations (NFE)', xScale: 'log', yLabel: 'sliced Wasserstein-2 to held-out data', yScale: 'log', smooth: false,
        series: [
          ...dims.map((D) => ({ name: name(label(D)), points: curves[label(D)] })),
          { name: 'fresh data (the floor)', points: [[nfes[0], floor], [nfes[nfes.length - 1], floor]] as Array<[number, number]> },
        ],
      },
      {
        title: 'Outliers against NFE', xLabel: 'function evaluations (NFE)', xScale: 'log', yLabel: 'share of samples > 0.5 from every mode', yScale: 'linear', yFormat: '.0%', smooth: false,
        series: dims.map((D) => ({ name: name(label(D)), points: outliers[label(D)] })),
      },
      { title: 'Training loss', xLabel: 'step', yLabel: 'loss', yScale: 'log', series: dims.map((D) => ({ name: name(label(D)), points: losses[label(D)] })) },
    ], 'PFGM++ on 8 Gaussians: augmented dimension D from 1 to ∞ (diffusion)',
    `EDM preconditioning and Heun ODE sampler, r = σ√D, MLP 3×${args.hidden}, ${STEPS} training steps per D, ${NS} samples, σ ∈ [${SIGMA_MIN}, ${SIGMA_MAX}], ρ = ${RHO}`);
    // A row of scatter panels, one per D, under the curves.
    const axis = (f: string) => ({ field: f, type: 'quantitative', title: f, scale: { domain: [-3.2, 3.2] } });
    const scatters = dims.map((D) => ({
      title: { text: `${name(label(D))}: samples at NFE ${2 * showSteps - 1}`, subtitle: 'grey: held-out data' },
      width: 170, height: 170,
      data: { values: [
        ...(heldOut.narrow(0, 0, 150).toArray() as number[][]).map(([x, y]) => ({ x: +x.toFixed(3), y: +y.toFixed(3), kind: 'data' })),
        ...shown[label(D)].map(([x, y]) => ({ x: +x.toFixed(3), y: +y.toFixed(3), kind: 'samples' })),
      ] },
      mark: { type: 'square', size: 6, opacity: 0.6, clip: true, aria: false },
      encoding: {
        x: axis('x'), y: axis('y'),
        color: { field: 'kind', type: 'nominal', legend: null, scale: { domain: ['data', 'samples'], range: ['#bbbbbb', '#d62728'] } },
      },
    }));
    const { concat, columns, resolve, ...top } = spec;
    const picture = { ...top, vconcat: [{ concat, columns, resolve }, { hconcat: scatters }] };
    // Thousands of points: positions to 0.01 px keep the SVG a third smaller, at no visible cost.
    const svg = (await tf.utils.plot.renderSvg(picture)).replace(/translate\((-?[\d.]+),(-?[\d.]+)\)/g, (_, x, y) => `translate(${(+x).toFixed(2)},${(+y).toFixed(2)})`);
    const file = path.join(args.out, 'pfgm_pp.svg'), png = file.replace(/\.svg$/, '.png');
    fs.writeFileSync(file, svg);
    console.log(`picture: ${file}${tf.utils.plot.svgToPng(file, png) ? `, ${png}` : ''}`);
  }
  const round = (c: Array<[number, number]>) => c.map(([n, s]) => [n, +s.toPrecision(4)]);
  console.log(JSON.stringify({
    example: 'pfgm_pp', dims: dims.map(label),
    curves: Object.fromEntries(dims.map((D) => [label(D), round(curves[label(D)])])),
    outliers: Object.fromEntries(dims.map((D) => [label(D), outliers[label(D)].map(([n, f]) => [n, +f.toFixed(5)])])),
    bestD, bestDOutliers, floor: +floor.toPrecision(4),
    lossStart: Object.fromEntries(dims.map((D) => [label(D), +losses[label(D)][0][1].toPrecision(4)])),
    lossEnd: Object.fromEntries(dims.map((D) => [label(D), +lossEnd[label(D)].toPrecision(4)])),
    sigmaData: +sigmaData.toPrecision(4), steps: STEPS, samples: NS, small,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
