// Spectral contrastive learning on MNIST (HaoChen, Wei, Gaidon & Ma 2021, "Provable Guarantees for
// Self-Supervised Deep Learning with Spectral Contrastive Loss"), with InfoNCE (van den Oord et al. 2018;
// SimCLR, Chen et al. 2020) as the second loss.
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/research/spectral_contrastive.js [--help] [--small]
//
// Algorithm:
//   1. Augmentation A(x), written with tensor ops and no labels: a random affine map per image (rotation
//      ±rot°, scale 1 ± s, shift ±shift px) through F.affineGrid + F.gridSample (border padding: the
//      background); half the images lose resolution (F.interpolate down to 14×14 and back); Gaussian noise.
//   2. An encoder f: ℝ^784 → ℝ^k (MLP). Per batch x₁…x_B, two views x_i⁺ = A(x_i), x_i⁺⁺ = A(x_i),
//      z_i = f(x_i⁺), z'_i = f(x_i⁺⁺):
//        spectral:  L = −2 · mean_i z_iᵀz'_i + mean_{i≠j} (z_iᵀz'_j)²
//                   (the population loss −2 E[f(x)ᵀf(x⁺)] + E[(f(x)ᵀf(x′))²], x′ independent of x; its
//                   minimiser spans the top-k eigenvectors of the augmentation graph's normalised adjacency);
//        InfoNCE:   ẑ = z/‖z‖, logits ẑ_i ᵀẑ'_j / τ, cross-entropy towards j = i, both directions.
//   3. Freeze f; a linear probe (multinomial logistic regression on the standardised k features, trained
//      on the training labels) is scored on the test set. Beside it: the same probe on a randomly
//      initialised f, and the same f with a linear head trained end to end on the labels (supervised, with
//      the same augmentations and steps).
//   4. PCA of the test embeddings through tf.linalg.svd: the picture shows the top two components.
//
// Prints, as its last line, one JSON object: {"example":"spectral_contrastive","probe":{"spectral":…,
// "infonce":…,"random":…,"supervised":…},…}. Draws <out>/spectral_contrastive.svg.
import * as fs from 'fs';
import * as path from 'path';
import { tf, Tensor } from '../common/tf';
import { parseArgs } from '../common/args';
import { Progress } from '../common/progress';
import { loadMnist } from '../common/mnist';

const args = parseArgs({
  name: 'research/spectral_contrastive',
  summary: 'Spectral contrastive loss and InfoNCE on MNIST with tensor-op augmentations; linear probes of the frozen encoders beside a random encoder and a supervised one; PCA of the embeddings.',
  out: 'examples/research/out',
}, {
  small: { default: false, help: 'a seconds-long run (CI): few steps, a small training and test set' },
  steps: { default: 500, help: 'training steps per model' },
  batchSize: { default: 256, help: 'images per batch (two views each)' },
  hidden: { default: 256, help: 'width of the encoder\'s two hidden layers' },
  dim: { default: 64, help: 'k: the embedding dimension' },
  lr: { default: 1e-3, help: 'Adam learning rate (cosine decay)' },
  temperature: { default: 0.2, help: 'InfoNCE temperature τ' },
  rot: { default: 15, help: 'augmentation: largest rotation, degrees' },
  scale: { default: 0.15, help: 'augmentation: largest relative zoom' },
  shift: { default: 3, help: 'augmentation: largest shift, pixels' },
  noise: { default: 0.2, help: 'augmentation: Gaussian noise (in normalised pixel units)' },
  probeSteps: { default: 500, help: 'full-batch Adam steps of the linear probe' },
  dataDir: { default: '', help: 'MNIST IDX files (default: the 10,000 digits bundled with the mnist package)' },
  seed: { default: 1, help: 'random seed (weights, augmentations)' },
});
const small = args.small;
const STEPS = small ? 50 : args.steps;
const BATCH = small ? 96 : args.batchSize;
const PROBE_STEPS = small ? 150 : args.probeSteps;
const data = loadMnist({ dataDir: args.dataDir || undefined, trainLimit: small ? 2000 : 0, testLimit: small ? 500 : 0 });
const NTRAIN = data.trainX.shape[0];
const D2R = Math.PI / 180;

type Net = InstanceType<typeof tf.nn.Sequential>;

function encoder(): Net {
  const { nn } = tf;
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, args.hidden), new nn.ReLU(),
    new nn.Linear(args.hidden, args.hidden), new nn.ReLU(),
    new nn.Linear(args.hidden, args.dim),
  );
}

/** A(x): random affine (rotation, zoom, shift), lost resolution for half the batch, Gaussian noise. */
function augment(x: Tensor): Tensor {
  return tf.noGrad(() => {
    const B = x.shape[0];
    const u = (lo: number, hi: number) => tf.add(tf.mul(tf.rand([B]), hi - lo), lo);
    const angle = u(-args.rot * D2R, args.rot * D2R);
    // The grid maps output to input coordinates: scaling it by 1/zoom enlarges the digit.
    const inv = tf.div(1, u(1 - args.scale, 1 + args.scale));
    const c = tf.mul(tf.cos(angle), inv), s = tf.mul(tf.sin(angle), inv);
    const shift = (2 * args.shift) / 28;  // pixels → the grid's [−1, 1] units
    const theta = tf.stack([c, tf.neg(s), u(-shift, shift), s, c, u(-shift, shift)], 1).reshape([B, 2, 3]);
    const grid = tf.F.affineGrid(theta, [B, 1, 28, 28], { alignCorners: false });
    let y = tf.F.gridSample(x, grid, { paddingMode: 'border', alignCorners: false });
    const coarse = tf.F.interpolate(tf.F.interpolate(y, { size: [14, 14], mode: 'bilinear' }), { size: [28, 28], mode: 'bilinear' });
    const blur = tf.lt(tf.rand([B, 1, 1, 1]), 0.5);
    y = tf.where(blur, coarse, y);
    return tf.add(y, tf.mul(tf.randn(y.shape), args.noise));
  });
}

/** −2 mean_i z_iᵀz'_i + mean_{i≠j} (z_iᵀz'_j)². */
function spectralLoss(z1: Tensor, z2: Tensor): Tensor {
  const B = z1.shape[0];
  const G = tf.matmul(z1, z2.T);
  const diag = tf.sum(tf.mul(z1, z2), 1);
  const offDiagSq = tf.sub(tf.sum(tf.mul(G, G)), tf.sum(tf.mul(diag, diag)));
  return tf.add(tf.mul(tf.mean(diag), -2), tf.div(offDiagSq, B * (B - 1)));
}

/** Symmetric InfoNCE on cosine similarities: each view must pick its partner among the B others. */
function infoNceLoss(z1: Tensor, z2: Tensor): Tensor {
  const B = z1.shape[0];
  const logits = tf.div(tf.matmul(tf.F.normalize(z1, { dim: 1 }), tf.F.normalize(z2, { dim: 1 }).T), args.temperature);
  const target = tf.arange(0, B).int();
  return tf.mul(tf.add(tf.F.crossEntropy(logits, target), tf.F.crossEntropy(logits.T, target)), 0.5);
}

type Kind = 'spectral' | 'infonce' | 'supervised';

/** Trains f (and, for 'supervised', a linear head on it); returns f and the loss curve. */
function train(kind: Kind, bar: Progress, done: number): { f: Net; curve: Array<[number, number]> } {
  const f = encoder();
  const head = new tf.nn.Linear(args.dim, 10);
  const params = kind === 'supervised' ? [...f.parameters(), ...head.parameters()] : f.parameters();
  const opt = new tf.optim.Adam(params, { lr: args.lr });
  const sched = new tf.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: STEPS });
  const curve: Array<[number, number]> = [];
  const every = Math.max(1, Math.floor(STEPS / 100));
  for (let step = 0; step < STEPS; step++) {
    const loss = tf.tidy(() => {
      const idx = tf.randint(0, NTRAIN, [BATCH]);
      const x = data.trainX.indexSelect(0, idx);
      let l: Tensor;
      if (kind === 'supervised') l = tf.F.crossEntropy(head.forward(f.forward(augment(x))), data.trainY.indexSelect(0, idx));
      else {
        const z1 = f.forward(augment(x)), z2 = f.forward(augment(x));
        l = kind === 'spectral' ? spectralLoss(z1, z2) : infoNceLoss(z1, z2);
      }
      opt.zeroGrad();
      l.backward();
      opt.step();
      return l.item();
    });
    sched.step();
    if (step % every === 0 || step === STEPS - 1) curve.push([step, loss]);
    bar.update(done + step + 1, { [kind]: loss });
  }
  return { f, curve };
}

function embed(f: Net, x: Tensor): Tensor {
  f.eval();
  return tf.noGrad(() => {
    const parts: Tensor[] = [];
    for (let i = 0; i < x.shape[0]; i += 1000) parts.push(f.forward(x.narrow(0, i, Math.min(1000, x.shape[0] - i))));
    return tf.concat(parts, 0);
  });
}

/** Test accuracy of multinomial logistic regression on frozen features (standardised with the training statistics). */
function linearProbe(f: Net): number {
  const ztr = embed(f, data.trainX), zte = embed(f, data.testX);
  const mu = tf.mean(ztr, 0), sd = tf.add(ztr.std(0), 1e-6);
  const [a, b] = [tf.div(tf.sub(ztr, mu), sd), tf.div(tf.sub(zte, mu), sd)];
  const probe = new tf.nn.Linear(args.dim, 10);
  const opt = new tf.optim.Adam(probe.parameters(), { lr: 1e-2 });
  for (let s = 0; s < PROBE_STEPS; s++)
    tf.tidy(() => {
      opt.zeroGrad();
      tf.F.crossEntropy(probe.forward(a), data.trainY).backward();
      opt.step();
    });
  return tf.noGrad(() => probe.forward(b).argmax(1).eq(data.testY).float().mean().item());
}

/** The test embeddings' top two principal components, from the SVD of the centred embedding matrix. */
function pca2(f: Net): { points: Array<[number, number, string]>; explained: number } {
  const z = embed(f, data.testX);
  const zc = tf.sub(z, tf.mean(z, 0));
  const { S, Vh } = tf.linalg.svd(zc, { fullMatrices: false });
  const pc = tf.matmul(zc, Vh.narrow(0, 0, 2).T).toTypedArray() as Float32Array;
  const s2 = (S.toTypedArray() as Float32Array).map((v) => v * v);
  const explained = (s2[0] + s2[1]) / s2.reduce((p, q) => p + q, 0);
  const labels = data.testY.toTypedArray() as Int32Array;
  return { points: Array.from(labels, (y, i): [number, number, string] => [pc[2 * i], pc[2 * i + 1], String(y)]), explained };
}

async function main(): Promise<void> {
  fs.mkdirSync(args.out, { recursive: true });
  tf.manualSeed(args.seed);
  console.log(`data: ${data.source}; ${NTRAIN} train / ${data.testX.shape[0]} test digits`);
  const kinds: Kind[] = ['spectral', 'infonce', 'supervised'];
  const bar = new Progress(kinds.length * STEPS, 'train');
  const models: Partial<Record<Kind | 'random', Net>> = { random: encoder() };
  const curves: Partial<Record<Kind, Array<[number, number]>>> = {};
  kinds.forEach((k, i) => {
    const r = train(k, bar, i * STEPS);
    models[k] = r.f;
    curves[k] = r.curve;
  });
  bar.done();
  const order = ['spectral', 'infonce', 'random', 'supervised'] as const;
  const probe: Record<string, number> = {};
  const pcs: Record<string, { points: Array<[number, number, string]>; explained: number }> = {};
  const pbar = new Progress(order.length, 'probe');
  order.forEach((k, i) => {
    probe[k] = linearProbe(models[k] as Net);
    pcs[k] = pca2(models[k] as Net);
    pbar.update(i + 1, { [k]: probe[k] });
  });
  pbar.done();
  const names: Record<string, string> = {
    spectral: 'spectral contrastive', infonce: `InfoNCE (τ = ${args.temperature})`, random: 'random encoder', supervised: 'supervised (end to end)',
  };
  for (const k of order)
    console.log(`${names[k].padEnd(26)} linear probe ${(100 * probe[k]).toFixed(2)}%   PCA: 2 components explain ${(100 * pcs[k].explained).toFixed(0)}% of the variance`);
  const loss = (k: Kind, at: 'first' | 'last') => { const c = curves[k] as Array<[number, number]>; return c[at === 'first' ? 0 : c.length - 1][1]; };
  for (const k of kinds) console.log(`${k} loss ${loss(k, 'first').toFixed(4)} → ${loss(k, 'last').toFixed(4)}`);

  if (tf.utils.plot.plottingAvailable()) {
    const written = await tf.utils.plot.plotScatter(order.map((k) => ({
      title: `${names[k]}: probe ${(100 * probe[k]).toFixed(1)}%`, xLabel: 'PC 1', yLabel: 'PC 2', points: pcs[k].points,
    })), path.join(args.out, 'spectral_contrastive.svg'), {
      title: 'Spectral contrastive learning on MNIST: test embeddings, top two principal components',
      subtitle: `encoder MLP 784→${args.hidden}→${args.hidden}→${args.dim}, ${STEPS} steps of ${BATCH} (two augmented views each); linear probe on the frozen ${args.dim}-d embedding; ${data.testX.shape[0]} test digits`,
      groupTitle: 'digit', groups: Array.from({ length: 10 }, (_, d) => String(d)), columns: 2,
    });
    console.log(`picture: ${written.join(', ')}`);
  }
  const r4 = (v: number) => +v.toFixed(4);
  console.log(JSON.stringify({
    example: 'spectral_contrastive', probe: Object.fromEntries(order.map((k) => [k, r4(probe[k])])),
    lossStart: Object.fromEntries(kinds.map((k) => [k, r4(loss(k, 'first'))])), lossEnd: Object.fromEntries(kinds.map((k) => [k, r4(loss(k, 'last'))])),
    pcaExplained: Object.fromEntries(order.map((k) => [k, r4(pcs[k].explained)])),
    steps: STEPS, batchSize: BATCH, dim: args.dim, train: NTRAIN, test: data.testX.shape[0], small,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
