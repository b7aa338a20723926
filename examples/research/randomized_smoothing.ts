// Certified robustness by randomized smoothing on MNIST. Cohen, Rosenfeld & Kolter 2019, "Certified
// Adversarial Robustness via Randomized Smoothing".
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/research/randomized_smoothing.js [--help] [--small]
//
// The smoothed classifier g(x) = argmax_c P(f(x + ε) = c), ε ~ N(0, σ² I), of a base classifier f (a
// small CNN on pixels in [0, 1], trained with the same Gaussian noise as augmentation) is robust: if
// the top class has probability p_A ≥ ½ under the noise, g cannot change within the ℓ₂ ball of radius
//   R = σ Φ⁻¹(p_A)                                         (Theorem 1, with p_B = 1 − p_A).
// CERTIFY (the paper's algorithm box), per test input x:
//   counts0 ← class counts of f(x + ε) over n₀ noise draws;  ĉ_A ← argmax counts0   (selection)
//   counts  ← class counts over n fresh draws                                         (estimation)
//   p_A ← LowerConfBound(counts[ĉ_A], n, 1 − α): the one-sided Clopper–Pearson bound, the
//         α-quantile of Beta(k, n − k + 1) (examples/research/shared/stats.ts);
//   if p_A > ½ return (ĉ_A, σ Φ⁻¹(p_A)) else ABSTAIN.
// With probability at least 1 − α a returned radius is correct. Certified accuracy at radius r: the
// fraction of test inputs that CERTIFY labels correctly with a radius ≥ r (abstentions count as wrong).
// Φ⁻¹ is tf.distributions.Normal.icdf. Radii are ℓ₂ norms in pixel units ([0, 1] per pixel; an image
// has 784 of them).
//
// Prints, as its last line, one JSON object: {"example":"randomized_smoothing","sigmas":[…],"radii":[…],
// "certifiedAccuracy":{σ:[…]},"perClass":{σ:[10 values]},"perClassClean":…,"cleanAccuracy":{σ:…},…}:
// cleanAccuracy is the smoothed classifier's (certified accuracy at radius 0), baseAccuracy the base
// CNN's on the noise-free test split. Draws
// <out>/randomized_smoothing.svg: certified accuracy against radius per σ, and per class at one radius.
import * as fs from 'fs';
import * as path from 'path';
import { tf, Tensor } from '../common/tf';
import { parseArgs } from '../common/args';
import { Progress } from '../common/progress';
import { loadMnist, MEAN, STD } from '../common/mnist';
import { clopperPearsonLower } from './shared/stats';

const args = parseArgs({
  name: 'research/randomized_smoothing',
  summary: 'Randomized smoothing (Cohen et al. 2019) on MNIST: CNNs trained with Gaussian noise at two σ, CERTIFY by Monte Carlo with Clopper–Pearson bounds; certified accuracy against radius, and per class.',
  out: 'examples/research/out',
}, {
  small: { default: false, help: 'a seconds-long run (CI): 2000 training images, 3 epochs, 5 test images per class, n = 100' },
  sigmas: { default: '0.25,0.5', help: 'noise levels σ (training and certification), comma-separated' },
  epochs: { default: 8, help: 'training epochs per σ' },
  batchSize: { default: 128, help: 'training batch size' },
  lr: { default: 1e-3, help: 'Adam learning rate' },
  n0: { default: 64, help: 'CERTIFY: noise draws to select the top class' },
  n: { default: 1000, help: 'CERTIFY: noise draws to bound its probability' },
  alpha: { default: 0.001, help: 'CERTIFY: failure probability of the bound' },
  perClass: { default: 50, help: 'test images certified per class' },
  radius: { default: 0.5, help: 'the radius of the per-class comparison' },
  dataDir: { default: '', help: 'directory with the MNIST IDX files (default: the digits bundled with the mnist package)' },
  seed: { default: 1, help: 'random seed (weights, batches, noise)' },
});
const small = args.small;
const sigmas = args.sigmas.split(',').map(Number);
if (sigmas.some((s) => !(s > 0))) throw new Error(`randomized_smoothing: bad --sigmas ${args.sigmas}`);
const EPOCHS = small ? 3 : args.epochs;
const N0 = small ? 16 : args.n0;
const N = small ? 100 : args.n;
const PER_CLASS = small ? 5 : args.perClass;
const CLASSES = 10;
const DRAW_BATCH = 1000;  // noise draws per forward pass
const key = (s: number): string => String(s);

/** The base classifier f on pixels in [0, 1]: the dataset's normalisation is its first layer. */
class BaseClassifier {
  readonly net = new tf.nn.Sequential(
    new tf.nn.Conv2d(1, 16, 5, { stride: 2, padding: 2 }), new tf.nn.ReLU(),
    new tf.nn.Conv2d(16, 32, 3, { stride: 2, padding: 1 }), new tf.nn.ReLU(),
    new tf.nn.Flatten(), new tf.nn.Linear(32 * 7 * 7, 64), new tf.nn.ReLU(), new tf.nn.Linear(64, CLASSES),
  );
  forward(x: Tensor): Tensor {
    return this.net.forward(tf.div(tf.sub(x, MEAN), STD));
  }
}

/** Trains f with noise augmentation x + σε; returns the loss per epoch. */
function train(f: BaseClassifier, x: Tensor, y: Tensor, sigma: number): Array<[number, number]> {
  const opt = new tf.optim.Adam(f.net.parameters(), { lr: args.lr });
  const n = x.shape[0], per = Math.ceil(n / args.batchSize);
  const curve: Array<[number, number]> = [];
  const bar = new Progress(EPOCHS * per, `train σ=${sigma}`);
  f.net.train();
  let last = 0;
  for (let e = 0; e < EPOCHS; e++) {
    const order = tf.randperm(n);
    let sum = 0;
    for (let b = 0; b < per; b++) {
      const loss = tf.tidy(() => {
        const idx = order.narrow(0, b * args.batchSize, Math.min(args.batchSize, n - b * args.batchSize));
        const xb = x.indexSelect(0, idx);
        const l = tf.F.crossEntropy(f.forward(tf.add(xb, tf.mul(tf.randnLike(xb), sigma))), y.indexSelect(0, idx));
        opt.zeroGrad();
        l.backward();
        opt.step();
        return l.item();
      });
      sum += loss;
      bar.update(e * per + b + 1, { loss });
    }
    last = sum / per;
    curve.push([e + 1, last]);
  }
  bar.done({ loss: last });
  f.net.eval();
  return curve;
}

/** Class counts of f(x + ε) over `num` noise draws. */
function sampleCounts(f: BaseClassifier, x: Tensor, num: number, sigma: number): number[] {
  const counts = new Array(CLASSES).fill(0);
  for (let done = 0; done < num; done += DRAW_BATCH) {
    const m = Math.min(DRAW_BATCH, num - done);
    const preds = tf.tidy(() => {
      const batch = x.expand([m, 1, 28, 28]);
      return f.forward(tf.add(batch, tf.mul(tf.randn([m, 1, 28, 28]), sigma))).argmax(1).toTypedArray() as Int32Array;
    });
    for (const c of preds) counts[c]++;
  }
  return counts;
}

const standardNormal = new tf.distributions.Normal(tf.tensor(0, { dtype: 'float64' }), tf.tensor(1, { dtype: 'float64' }));

/** CERTIFY: the predicted class and certified radius, or class −1 (abstain). */
function certify(f: BaseClassifier, x: Tensor, sigma: number): { cls: number; radius: number; pA: number } {
  const counts0 = sampleCounts(f, x, N0, sigma);
  const cA = counts0.indexOf(Math.max(...counts0));
  const counts = sampleCounts(f, x, N, sigma);
  const pA = clopperPearsonLower(counts[cA], N, args.alpha);
  if (pA <= 0.5) return { cls: -1, radius: 0, pA };
  return { cls: cA, radius: sigma * standardNormal.icdf(tf.tensor(pA, { dtype: 'float64' })).item(), pA };
}

async function main(): Promise<void> {
  fs.mkdirSync(args.out, { recursive: true });
  tf.manualSeed(args.seed);
  const data = loadMnist({ dataDir: args.dataDir || undefined, trainLimit: small ? 2000 : 0 });
  console.log(`data: ${data.source}`);
  // Back to pixels in [0, 1]: the noise and the radii live there, as in the paper.
  const pixels = (t: Tensor) => tf.add(tf.mul(t, STD), MEAN);
  const trainX = pixels(data.trainX), testX = pixels(data.testX);
  // The certified test set: the first PER_CLASS test images of each class.
  const labels = Array.from(data.testY.toTypedArray() as Int32Array);
  const chosen: number[] = [];
  for (let c = 0; c < CLASSES; c++) chosen.push(...labels.map((l, i) => [l, i]).filter(([l]) => l === c).slice(0, PER_CLASS).map(([, i]) => i));
  const fine = Array.from({ length: 151 }, (_, i) => +(i * 0.01).toFixed(2));
  const radii = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5];

  const certified: Record<string, number[]> = {}, curves: Record<string, Array<[number, number]>> = {};
  const perClass: Record<string, number[]> = {}, perClassClean: Record<string, number[]> = {};
  const baseAccuracy: Record<string, number> = {}, abstain: Record<string, number> = {}, medianRadius: Record<string, number> = {};
  const losses: Record<string, Array<[number, number]>> = {};
  for (const sigma of sigmas) {
    tf.manualSeed(args.seed + 1);
    const f = new BaseClassifier();
    losses[key(sigma)] = train(f, trainX, data.trainY, sigma);
    baseAccuracy[key(sigma)] = tf.noGrad(() => tf.tidy(() => f.forward(testX).argmax(1).eq(data.testY).float().mean().item()));

    const results: Array<{ label: number; cls: number; radius: number }> = [];
    const bar = new Progress(chosen.length, `certify σ=${sigma}`);
    tf.noGrad(() => {
      chosen.forEach((i, k) => {
        const r = certify(f, testX.narrow(0, i, 1), sigma);
        results.push({ label: labels[i], ...r });
        bar.update(k + 1, { certified: results.filter((q) => q.cls === q.label).length / results.length });
      });
    });
    bar.done();
    const accAt = (r: number, rows = results) => rows.filter((q) => q.cls === q.label && q.radius >= r).length / rows.length;
    certified[key(sigma)] = radii.map((r) => accAt(r));
    curves[key(sigma)] = fine.map((r) => [r, accAt(r)]);
    const ofClass = (c: number) => results.filter((q) => q.label === c);
    perClass[key(sigma)] = Array.from({ length: CLASSES }, (_, c) => accAt(args.radius, ofClass(c)));
    perClassClean[key(sigma)] = Array.from({ length: CLASSES }, (_, c) => accAt(0, ofClass(c)));
    abstain[key(sigma)] = results.filter((q) => q.cls < 0).length / results.length;
    const correctRadii = results.filter((q) => q.cls === q.label).map((q) => q.radius).sort((a, b) => a - b);
    medianRadius[key(sigma)] = correctRadii.length ? correctRadii[Math.floor(correctRadii.length / 2)] : 0;
  }

  const pct = (v: number) => `${(100 * v).toFixed(1)}%`.padStart(7);
  console.log(`radius        ${radii.map((r) => String(r).padStart(7)).join('')}`);
  for (const s of sigmas) console.log(`σ = ${key(s).padEnd(9)} ${certified[key(s)].map(pct).join('')}   (base classifier, clean: ${pct(baseAccuracy[key(s)]).trim()}; abstained: ${pct(abstain[key(s)]).trim()})`);
  console.log(`per class at radius ${args.radius}:`);
  console.log(`class         ${Array.from({ length: CLASSES }, (_, c) => String(c).padStart(7)).join('')}`);
  for (const s of sigmas) console.log(`σ = ${key(s).padEnd(9)} ${perClass[key(s)].map(pct).join('')}`);
  const spread = Object.fromEntries(sigmas.map((s) => [key(s), +(Math.max(...perClass[key(s)]) - Math.min(...perClass[key(s)])).toFixed(4)]));

  if (tf.utils.plot.plottingAvailable()) {
    const name = (s: number) => `σ = ${s}`;
    const spec = tf.utils.plot.curvesSpec([
      { title: 'Certified accuracy against radius', xLabel: 'ℓ₂ radius (pixels in [0, 1])', yLabel: 'certified accuracy', yScale: 'linear', yFormat: '.0%', smooth: false,
        series: sigmas.map((s) => ({ name: name(s), points: curves[key(s)] })) },
      { title: 'Training loss (with noise)', xLabel: 'epoch', yLabel: 'cross-entropy', series: sigmas.map((s) => ({ name: name(s), points: losses[key(s)] })) },
    ], 'Randomized smoothing on MNIST: certified accuracy of two noise levels',
    `CNN trained with Gaussian noise, ${EPOCHS} epochs; CERTIFY with n₀ = ${N0}, n = ${N}, α = ${args.alpha}; ${chosen.length} test images (${PER_CLASS} per class)`);
    // Per-class bars, grouped by σ, after the curve panels.
    (spec.concat as unknown[]).push({
      title: { text: `Certified accuracy per class at radius ${args.radius}`, subtitle: 'thin tick: the same class at radius 0' },
      width: 420, height: 220,
      data: { values: sigmas.flatMap((s) => perClass[key(s)].map((v, c) => ({ cls: String(c), sigma: name(s), acc: v, clean: perClassClean[key(s)][c] }))) },
      encoding: {
        x: { field: 'cls', type: 'nominal', title: 'digit', axis: { labelAngle: 0 } },
        xOffset: { field: 'sigma', type: 'nominal', sort: sigmas.map(name) },
        color: { field: 'sigma', type: 'nominal', title: null, sort: sigmas.map(name) },
      },
      layer: [
        { mark: { type: 'bar' }, encoding: { y: { field: 'acc', type: 'quantitative', title: 'certified accuracy', scale: { domain: [0, 1] }, axis: { format: '.0%' } } } },
        { mark: { type: 'tick', thickness: 2, opacity: 0.6 }, encoding: { y: { field: 'clean', type: 'quantitative' } } },
      ],
    });
    const written = await tf.utils.plot.writeChart(spec, path.join(args.out, 'randomized_smoothing.svg'));
    console.log(`picture: ${written.join(', ')}`);
  }
  const r4 = (v: number) => +v.toFixed(4);
  const bySigma = <T>(fn: (k: string) => T) => Object.fromEntries(sigmas.map((s) => [key(s), fn(key(s))]));
  console.log(JSON.stringify({
    example: 'randomized_smoothing', sigmas, radii,
    certifiedAccuracy: bySigma((k) => certified[k].map(r4)),
    cleanAccuracy: bySigma((k) => r4(certified[k][0])),
    baseAccuracy: bySigma((k) => r4(baseAccuracy[k])),
    abstain: bySigma((k) => r4(abstain[k])),
    medianRadius: bySigma((k) => r4(medianRadius[k])),
    perClassRadius: args.radius, perClass: bySigma((k) => perClass[k].map(r4)), perClassClean: bySigma((k) => perClassClean[k].map(r4)), perClassSpread: spread,
    lossStart: bySigma((k) => r4(losses[k][0][1])), lossEnd: bySigma((k) => r4(losses[k][losses[k].length - 1][1])),
    n0: N0, n: N, alpha: args.alpha, testImages: chosen.length, epochs: EPOCHS, small,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
