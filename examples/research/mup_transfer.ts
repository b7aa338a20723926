// Hyperparameter transfer with the Maximal Update Parameterisation (Yang, Hu et al. 2022, "Tensor
// Programs V: Tuning Large Neural Networks via Zero-Shot Hyperparameter Transfer"): under μP the best
// Adam learning rate of an MLP stays put as it widens; under the standard parameterisation it drifts.
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/research/mup_transfer.js [--help] [--small]
//
// The MLP  x → ReLU(W_in x + b₁) → ReLU(W_hid h + b₂) → W_out h + b₃  with input dimension d, hidden width
// m, base width m₀ (--base-width) and width ratio r = m / m₀. What is implemented (Adam; fan_in = the
// number of a weight matrix's inputs; η = the swept learning rate):
//
//                      |  SP: init variance   lr  |  μP: init variance   lr
//   input weights W_in |  1/fan_in (= 1/d)    η   |  1/fan_in (= 1/d)    η
//   hidden W_hid       |  1/fan_in (= 1/m)    η   |  1/fan_in (= 1/m)    η / r
//   output W_out       |  1/fan_in (= 1/m)    η   |  1/fan_in² (= 1/m²)  η / r
//   biases             |  0                   η   |  0                   η
//
// (Tensor Programs V, Table 3, Adam column, with the output multiplier folded into the output
// initialisation: a 1/m² output variance makes the output vanish at initialisation like 1/√m, as μP asks.)
//
// Algorithm: for each parameterisation, width m and learning rate η on a log grid, train on the same
// stream of mini-batches of a teacher-student regression for T steps and record the training loss
// (on 4096 fresh points of the training distribution). Then per width, argmin over η.
//
// Prints, as its last line, one JSON object: {"example":"mup_transfer","widths":[…],"lrs":[…],
// "bestLr":{"sp":[…],"mup":[…]},"drift":{"sp":…,"mup":…},…}, where drift is log₂(best lr at the widest /
// best lr at the narrowest). Draws <out>/mup_transfer.svg: loss against learning rate, one curve per width.
import * as fs from 'fs';
import * as path from 'path';
import { tf, Tensor } from '../common/tf';
import { parseArgs } from '../common/args';
import { Progress } from '../common/progress';

const args = parseArgs({
  name: 'research/mup_transfer',
  summary: 'μP vs standard parameterisation: training loss against Adam learning rate for MLPs of several widths; the best lr stays put under μP.',
  out: 'examples/research/out',
}, {
  small: { default: false, help: 'a seconds-long run (CI): 2 widths, 5 learning rates, fewer steps' },
  widths: { default: '64,128,256,512,1024', help: 'hidden widths, comma-separated' },
  baseWidth: { default: 64, help: 'μP base width m₀ (width ratio r = m / m₀)' },
  lrMin: { default: -14, help: 'smallest learning rate, as a power of 2' },
  lrMax: { default: -4, help: 'largest learning rate, as a power of 2' },
  steps: { default: 200, help: 'Adam steps per run' },
  batchSize: { default: 64, help: 'examples per batch' },
  inputDim: { default: 16, help: 'input dimension d' },
  seed: { default: 1, help: 'random seed (teacher, data, weights)' },
});
const small = args.small;
const widths = (small ? '32,256' : args.widths).split(',').map(Number);
const steps = small ? 60 : args.steps;
const lrExps: number[] = [];
const [lo, hi] = small ? [-12, -4] : [args.lrMin, args.lrMax];
for (let e = lo; e <= hi; e += small ? 2 : 1) lrExps.push(e);
const D = args.inputDim;
type Param = 'sp' | 'mup';
const PARAMS: Param[] = ['sp', 'mup'];

// The teacher: a fixed random tanh network, its outputs scaled to unit variance.
function makeData(): { batches: Array<{ x: Tensor; y: Tensor }>; evalSet: { x: Tensor; y: Tensor } } {
  tf.manualSeed(args.seed);
  const T1 = tf.div(tf.randn([D, 64]), Math.sqrt(D)), T2 = tf.div(tf.randn([64, 1]), Math.sqrt(64));
  const teacher = (x: Tensor) => tf.matmul(tf.tanh(tf.mul(tf.matmul(x, T1), 2)), T2);
  const scale = 1 / tf.std(teacher(tf.randn([4096, D]))).item();
  const batches = [];
  for (let t = 0; t < steps; t++) {
    const x = tf.randn([args.batchSize, D]);
    batches.push({ x, y: tf.mul(teacher(x), scale) });
  }
  const x = tf.randn([4096, D]);
  return { batches, evalSet: { x, y: tf.mul(teacher(x), scale) } };
}

/**
 * Trains one MLP; returns its loss after training on 4096 fresh points of the training distribution
 * (NaN if it diverged): the mean over the last batches would be too noisy to place the optimum.
 */
function train(param: Param, m: number, lr: number, data: ReturnType<typeof makeData>, seed: number): number {
  tf.manualSeed(seed);
  const r = m / args.baseWidth;
  const leaf = (t: Tensor) => t.requiresGrad_(true);
  const Win = leaf(tf.div(tf.randn([D, m]), Math.sqrt(D)));
  const Whid = leaf(tf.div(tf.randn([m, m]), Math.sqrt(m)));
  const Wout = leaf(tf.div(tf.randn([m, 1]), param === 'mup' ? m : Math.sqrt(m)));
  const b1 = leaf(tf.zeros([m])), b2 = leaf(tf.zeros([m])), b3 = leaf(tf.zeros([1]));
  const hiddenLr = param === 'mup' ? lr / r : lr;
  const opt = new tf.optim.Adam([
    { params: [Win, b1, b2, b3], lr },
    { params: [Whid, Wout], lr: hiddenLr },
  ]);
  const f = (x: Tensor) => tf.add(tf.matmul(tf.relu(tf.add(tf.matmul(tf.relu(tf.add(tf.matmul(x, Win), b1)), Whid), b2)), Wout), b3);
  for (let t = 0; t < steps; t++) {
    const { x, y } = data.batches[t];
    const loss = tf.nn.functional.mseLoss(f(x), y);
    if (!Number.isFinite(loss.item())) return NaN;
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  const v = tf.noGrad(() => tf.nn.functional.mseLoss(f(data.evalSet.x), data.evalSet.y).item());
  return Number.isFinite(v) ? v : NaN;
}

async function main(): Promise<void> {
  fs.mkdirSync(args.out, { recursive: true });
  const data = makeData();
  const lrs = lrExps.map((e) => 2 ** e);
  const bar = new Progress(PARAMS.length * widths.length * lrs.length, 'mup_transfer');
  const loss: Record<Param, number[][]> = { sp: [], mup: [] };
  let done = 0;
  for (const p of PARAMS)
    for (const m of widths) {
      const row: number[] = [];
      for (const lr of lrs) {
        row.push(train(p, m, lr, data, args.seed + 1));
        bar.update(++done, { [p]: m });
      }
      loss[p].push(row);
    }
  // A diverged run (NaN) counts as worse than any finished one.
  const argmin = (row: number[]) => row.reduce((b, v, i) => (Number.isFinite(v) && (!Number.isFinite(row[b]) || v < row[b]) ? i : b), 0);
  const bestLr = { sp: loss.sp.map((row) => lrs[argmin(row)]), mup: loss.mup.map((row) => lrs[argmin(row)]) };
  const bestLoss = { sp: loss.sp.map((row) => row[argmin(row)]), mup: loss.mup.map((row) => row[argmin(row)]) };
  const drift = {
    sp: Math.log2(bestLr.sp[widths.length - 1] / bestLr.sp[0]),
    mup: Math.log2(bestLr.mup[widths.length - 1] / bestLr.mup[0]),
  };
  bar.done({ 'sp drift': drift.sp, 'mup drift': drift.mup });
  for (const p of PARAMS) {
    console.log(`${p === 'sp' ? 'standard' : 'μP'}: best learning rate per width`);
    widths.forEach((m, i) => console.log(`  width ${String(m).padStart(5)}  lr 2^${Math.log2(bestLr[p][i]).toFixed(0).padStart(3)}  loss ${bestLoss[p][i].toFixed(4)}`));
  }
  console.log(`drift of the best lr from width ${widths[0]} to ${widths[widths.length - 1]}: SP ${drift.sp} octaves, μP ${drift.mup} octaves`);

  if (tf.utils.plot.plottingAvailable()) {
    // A diverged run is drawn at the top of the panel rather than left out, so the cliff shows.
    const ceiling = 2;
    const panel = (p: Param, title: string) => ({
      title, xLabel: 'learning rate', xScale: 'log' as const, yLabel: 'training loss', yScale: 'log' as const, smooth: false,
      series: widths.map((m, i) => ({
        name: `width ${m}`,
        points: lrs.map((lr, j): [number, number] => [lr, Number.isFinite(loss[p][i][j]) ? Math.min(loss[p][i][j], ceiling) : ceiling]),
      })),
    });
    const written = await tf.utils.plot.plotCurves([panel('sp', 'Standard parameterisation'), panel('mup', 'μP')],
      path.join(args.out, 'mup_transfer.svg'), {
        title: 'μP: the best Adam learning rate transfers across widths',
        subtitle: `MLP ${D}→m→m→1 (ReLU), teacher-student regression, ${steps} Adam steps of ${args.batchSize}; loss clipped at ${ceiling}`,
      });
    console.log(`picture: ${written.join(', ')}`);
  }
  console.log(JSON.stringify({
    example: 'mup_transfer', widths, lrs, bestLr, drift,
    bestLoss: { sp: bestLoss.sp.map((v) => +v.toPrecision(4)), mup: bestLoss.mup.map((v) => +v.toPrecision(4)) },
    loss: { sp: loss.sp.map((r) => r.map((v) => +v.toPrecision(4))), mup: loss.mup.map((r) => r.map((v) => +v.toPrecision(4))) },
    steps, small,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
