// Active learning with BALD and MC dropout on MNIST (Gal, Islam & Ghahramani 2017, "Deep Bayesian Active
// Learning with Image Data"; Houlsby et al. 2011 for BALD).
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/research/active_learning_bald.js [--help] [--small]
//
// Algorithm (one run per seed and acquisition function):
//   1. L ← a balanced labelled set (initial/10 digits of each class); the pool U ← the rest of the training set.
//   2. Repeat:  train a fresh MLP with dropout on L (Adam, weight decay);  record its test accuracy;
//      draw a random subset S ⊂ U of --pool-subset points;  score each x ∈ S:
//        BALD:    T stochastic passes with dropout on, p_t = softmax f(x; ω_t), p̄ = mean_t p_t,
//                 a(x) = H[p̄] − mean_t H[p_t]   (mutual information between the label and the weights:
//                 high where the passes disagree, not where each one is merely unsure);
//        random:  k points of S uniformly (S is drawn in random order: its first k);
//      move the k highest-scoring points of S, with their labels, from U to L.
// The two acquisition functions of one seed start from the same L and the same first model. Reported: test accuracy against |L|,
// mean and standard deviation over the seeds, and how many labels each needs to reach a target accuracy.
//
// Prints, as its last line, one JSON object: {"example":"active_learning_bald","labels":[…],
// "bald":{"mean":[…],"std":[…]},"random":{"mean":[…],"std":[…]},…}. Draws <out>/active_learning_bald.svg.
import * as fs from 'fs';
import * as path from 'path';
import { tf, Tensor } from '../common/tf';
import { parseArgs } from '../common/args';
import { Progress } from '../common/progress';
import { loadMnist } from '../common/mnist';

const args = parseArgs({
  name: 'research/active_learning_bald',
  summary: 'Active learning on MNIST: BALD (MC dropout) against random acquisition; test accuracy against the number of labels, over seeds.',
  out: 'examples/research/out',
}, {
  small: { default: false, help: 'a seconds-long run (CI): few rounds, a small pool and test set, two seeds' },
  initial: { default: 20, help: 'labels to start with (balanced over the 10 classes)' },
  acquire: { default: 10, help: 'k: points acquired per round' },
  rounds: { default: 28, help: 'acquisition rounds' },
  passes: { default: 20, help: 'T: MC-dropout passes per BALD score' },
  poolSubset: { default: 2000, help: 'pool points scored per round (a fresh random subset each round)' },
  steps: { default: 300, help: 'training steps per round (the model is retrained from scratch)' },
  hidden: { default: 256, help: 'width of the MLP\'s two hidden layers' },
  dropout: { default: 0.5, help: 'dropout probability after each hidden layer' },
  lr: { default: 1e-3, help: 'Adam learning rate' },
  weightDecay: { default: 1e-4, help: 'Adam weight decay' },
  seeds: { default: 5, help: 'runs per acquisition function (seed, seed+1, …)' },
  target: { default: 0.85, help: 'report the labels each method needs to reach this test accuracy' },
  dataDir: { default: '', help: 'MNIST IDX files (default: the 10,000 digits bundled with the mnist package)' },
  seed: { default: 1, help: 'random seed of the first run' },
});
const small = args.small;
const ROUNDS = small ? 4 : args.rounds;
const PASSES = small ? 10 : args.passes;
const SUBSET = small ? 500 : args.poolSubset;
const STEPS = small ? 150 : args.steps;
const SEEDS = small ? 2 : args.seeds;
const TEST = small ? 1000 : 0;
const BATCH = 64;
if (args.initial < 10 || args.initial % 10) throw new Error(`active_learning_bald: --initial must be a positive multiple of 10, got ${args.initial}`);

const data = loadMnist({ dataDir: args.dataDir || undefined, testLimit: TEST });
const trainX = data.trainX.reshape([data.trainX.shape[0], 784]);
const testX = data.testX.reshape([data.testX.shape[0], 784]);
const trainLabels = data.trainY.toTypedArray() as Int32Array;
const N = trainLabels.length;

function makeModel(): InstanceType<typeof tf.nn.Sequential> {
  const { nn } = tf;
  return new nn.Sequential(
    new nn.Linear(784, args.hidden), new nn.ReLU(), new nn.Dropout(args.dropout),
    new nn.Linear(args.hidden, args.hidden), new nn.ReLU(), new nn.Dropout(args.dropout),
    new nn.Linear(args.hidden, 10),
  );
}

const indexTensor = (idx: ArrayLike<number>): Tensor => tf.tensor(Int32Array.from(idx));

/** A fresh model trained on the labelled points: minibatches drawn with replacement, so a round costs the same at every |L|. */
function train(labelled: number[]): InstanceType<typeof tf.nn.Sequential> {
  const model = makeModel();
  const opt = new tf.optim.Adam(model.parameters(), { lr: args.lr, weightDecay: args.weightDecay });
  const X = trainX.indexSelect(0, indexTensor(labelled));
  const Y = data.trainY.indexSelect(0, indexTensor(labelled));
  model.train();
  for (let s = 0; s < STEPS; s++) {
    tf.tidy(() => {
      const b = tf.randint(0, labelled.length, [Math.min(BATCH, labelled.length)]);
      opt.zeroGrad();
      tf.F.crossEntropy(model.forward(X.indexSelect(0, b)), Y.indexSelect(0, b)).backward();
      opt.step();
    });
  }
  tf.dispose([X, Y]);
  return model;
}

function testAccuracy(model: InstanceType<typeof tf.nn.Sequential>): number {
  model.eval();
  return tf.noGrad(() => tf.tidy(() => model.forward(testX).argmax(1).eq(data.testY).float().mean().item()));
}

/** BALD scores of the rows of X: H[mean_t p_t] − mean_t H[p_t] over T passes with dropout on. */
function bald(model: InstanceType<typeof tf.nn.Sequential>, X: Tensor): Float32Array {
  model.train();  // MC dropout: each pass samples its own mask
  return tf.noGrad(() => tf.tidy(() => {
    const entropy = (p: Tensor) => tf.neg(tf.sum(tf.mul(p, tf.log(tf.clamp(p, 1e-12, 1))), 1));
    let meanP = tf.zeros([X.shape[0], 10]);
    let meanH = tf.zeros([X.shape[0]]);
    for (let t = 0; t < PASSES; t++) {
      const p = tf.softmax(model.forward(X), 1);
      meanP = tf.add(meanP, p);
      meanH = tf.add(meanH, entropy(p));
    }
    return tf.sub(entropy(tf.div(meanP, PASSES)), tf.div(meanH, PASSES)).toTypedArray() as Float32Array;
  }));
}

/** The balanced initial set: the first initial/10 examples of each class in a seeded order. */
function initialSet(seed: number): number[] {
  const perClass = args.initial / 10;
  const taken = new Array(10).fill(0);
  const out: number[] = [];
  for (const i of tf.data.permutation(N, seed, 0)) {
    if (taken[trainLabels[i]] < perClass) { taken[trainLabels[i]]++; out.push(i); }
    if (out.length === args.initial) break;
  }
  return out;
}

type Method = 'bald' | 'random';

/** One active-learning run: the test accuracy after each round's retraining. */
function run(method: Method, seed: number, bar: Progress, done: number): number[] {
  const labelled = initialSet(seed);
  const inL = new Uint8Array(N);
  labelled.forEach((i) => { inL[i] = 1; });
  const acc: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    // Seeded by seed and round, not method: both methods' first models are the same model.
    tf.manualSeed(seed * 7919 + r);
    const model = train(labelled);
    acc.push(testAccuracy(model));
    bar.update(done + r + 1, { [method]: labelled.length, acc: acc[r] });
    if (r === ROUNDS) break;
    // The candidates: a fresh random subset of the pool (the seed and round fix it, not the method).
    const subset: number[] = [];
    for (const i of tf.data.permutation(N, seed, r + 1)) {
      if (!inL[i]) subset.push(i);
      if (subset.length === SUBSET) break;
    }
    let score: ArrayLike<number>;
    if (method === 'bald') {
      const X = trainX.indexSelect(0, indexTensor(subset));
      score = bald(model, X);
      X.dispose();
    } else score = Float64Array.from(subset, (_, j) => -j);  // the subset is in random order already
    const best = subset.map((i, j) => [score[j], i]).sort((a, b) => b[0] - a[0]).slice(0, args.acquire).map(([, i]) => i);
    for (const i of best) { labelled.push(i); inL[i] = 1; }
  }
  return acc;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => { const m = mean(xs); return xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0; };

async function main(): Promise<void> {
  fs.mkdirSync(args.out, { recursive: true });
  console.log(`data: ${data.source}; ${testX.shape[0]} test digits`);
  const labels = Array.from({ length: ROUNDS + 1 }, (_, r) => args.initial + r * args.acquire);
  const bar = new Progress(2 * SEEDS * (ROUNDS + 1), 'rounds');
  const acc: Record<Method, number[][]> = { bald: [], random: [] };
  let done = 0;
  for (let s = 0; s < SEEDS; s++)
    for (const m of ['bald', 'random'] as Method[]) {
      acc[m].push(run(m, args.seed + s, bar, done));
      done += ROUNDS + 1;
    }
  bar.done();
  const stats = (m: Method) => ({
    mean: labels.map((_, r) => mean(acc[m].map((a) => a[r]))),
    std: labels.map((_, r) => std(acc[m].map((a) => a[r]))),
  });
  const summary = { bald: stats('bald'), random: stats('random') };
  // Per seed, BALD minus random: the pairs share their first labelled set and model, so the
  // difference has less spread than either curve.
  const diffs = acc.bald.map((a, s) => a.map((v, r) => v - acc.random[s][r]));
  const gain = { mean: labels.map((_, r) => mean(diffs.map((d) => d[r]))), std: labels.map((_, r) => std(diffs.map((d) => d[r]))) };
  const reach = (m: Method) => { const r = summary[m].mean.findIndex((a) => a >= args.target); return r < 0 ? null : labels[r]; };
  console.log(`labels   ${labels.map((l) => String(l).padStart(6)).join('')}`);
  for (const m of ['bald', 'random'] as Method[])
    console.log(`${m.padEnd(8)} ${summary[m].mean.map((a) => (100 * a).toFixed(1).padStart(6)).join('')}   (± ${(100 * mean(summary[m].std)).toFixed(1)} on average)`);
  const gap = summary.bald.mean[ROUNDS] - summary.random.mean[ROUNDS];
  console.log(`at ${labels[ROUNDS]} labels BALD − random: ${(100 * gap).toFixed(1)} points; labels to reach ${(100 * args.target).toFixed(0)}%: BALD ${reach('bald') ?? 'not reached'}, random ${reach('random') ?? 'not reached'}`);

  if (tf.utils.plot.plottingAvailable()) {
    const series = (m: Method, name: string) => ({
      name,
      points: labels.map((l, r): [number, number] => [l, summary[m].mean[r]]),
      band: labels.map((l, r): [number, number, number] => [l, summary[m].mean[r] - summary[m].std[r], summary[m].mean[r] + summary[m].std[r]]),
    });
    const written = await tf.utils.plot.plotCurves([{
      title: 'Test accuracy against labels', xLabel: 'labelled examples', yLabel: 'test accuracy', yScale: 'linear', yFormat: '.0%', smooth: false,
      series: [series('bald', `BALD (T = ${PASSES} MC-dropout passes)`), series('random', 'random acquisition')],
    }, {
      title: 'BALD − random, same seed', xLabel: 'labelled examples', yLabel: 'test accuracy difference', yScale: 'linear', yFormat: '+.0%', smooth: false,
      series: [
        { name: 'BALD − random', points: labels.map((l, r): [number, number] => [l, gain.mean[r]]),
          band: labels.map((l, r): [number, number, number] => [l, gain.mean[r] - gain.std[r], gain.mean[r] + gain.std[r]]) },
        { name: 'no difference', points: [[labels[0], 0], [labels[ROUNDS], 0]] },
      ],
    }], path.join(args.out, 'active_learning_bald.svg'), {
      title: 'Active learning on MNIST: BALD against random acquisition (mean ± sd over seeds)',
      subtitle: `MLP 784→${args.hidden}→${args.hidden}→10, dropout ${args.dropout}, retrained each round; k = ${args.acquire} of ${SUBSET} pool points per round; ${SEEDS} seeds`,
    });
    console.log(`picture: ${written.join(', ')}`);
  }
  const r4 = (xs: number[]) => xs.map((x) => +x.toFixed(4));
  console.log(JSON.stringify({
    example: 'active_learning_bald', labels,
    bald: { mean: r4(summary.bald.mean), std: r4(summary.bald.std) },
    random: { mean: r4(summary.random.mean), std: r4(summary.random.std) },
    gain: { mean: r4(gain.mean), std: r4(gain.std) }, gapAtEnd: +gap.toFixed(4), target: args.target, labelsToTarget: { bald: reach('bald'), random: reach('random') },
    seeds: SEEDS, passes: PASSES, poolSubset: SUBSET, steps: STEPS, small,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
