// ci: --small --out /tmp/tensorfold-examples --logdir /tmp/tensorfold-examples/logs/conv_windows
// A convolution is a windowed map: mapWindows over the length axis, one matrix product per window,
// equals nn.Conv1d — values and gradients — and can learn a filter like any layer.
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/conv_windows.js [--help] [--small]
//
// Draws the learning curve to <out>/conv_windows.svg (--logdir DIR: TensorBoard logs too).
import { tf, Tensor } from './common/tf';
import { parseArgs } from './common/args';
import { RunLog } from './common/runlog';

const args = parseArgs({ name: 'conv_windows', summary: 'A convolution as a windowed map (mapWindows): equal to nn.Conv1d, and it learns a filter.' }, {
  small: { default: false, help: 'a quick run (40 steps)' },
  steps: { default: 300, help: 'training steps of the filter-learning part' },
  seed: { default: 5, help: 'random seed' },
});
if (args.small) args.steps = 40;
tf.manualSeed(args.seed);

/** Conv1d over [N, C, L] as a map over length-k windows (stride s): each window [N, C, k] → [N, O]. */
function windowConv(x: Tensor, weight: Tensor, bias: Tensor, stride: number, checkpoint = false): Tensor {
  const [O, C, k] = weight.shape;
  const w = weight.reshape([O, C * k]).T;
  const ys = tf.mapWindows((win: Tensor) => win.reshape([-1, C * k]).matmul(w).add(bias), x,
    { size: k, stride, dim: 2, checkpoint });  // [Lout, N, O]
  return ys.permute([1, 2, 0]);  // [N, O, Lout]
}

const maxAbs = (a: Tensor, b: Tensor) => a.sub(b).abs().max().item();
const gradOf = (t: Tensor): Tensor => {
  if (!t.grad) throw new Error('no gradient');
  return t.grad;
};

// 1. Equality with nn.Conv1d, float64, several strides.
for (const stride of [1, 2]) {
  const conv = new tf.nn.Conv1d(3, 5, 4, { stride, dtype: 'float64' });
  const x = tf.randn([2, 3, 17], { dtype: 'float64' }).requiresGrad_(true);
  const ref = conv.forward(x);
  const up = tf.randn(ref.shape, { dtype: 'float64' });  // a random upstream gradient
  ref.mul(up).sum().backward();
  const [gx, gw, gb] = [x.grad as Tensor, conv.weight.grad as Tensor, (conv.bias as Tensor).grad as Tensor];
  for (const checkpoint of [false, true]) {
    x.grad = null;
    const w = conv.weight.detach().requiresGrad_(true), b = (conv.bias as Tensor).detach().requiresGrad_(true);
    const y = windowConv(x, w, b, stride, checkpoint);
    y.mul(up).sum().backward();
    console.log(`stride ${stride}${checkpoint ? ', checkpoint' : ''}: output [${y.shape}], max |difference| vs nn.Conv1d: ` +
      `value ${maxAbs(y, ref).toExponential(1)}, d/dx ${maxAbs(gradOf(x), gx).toExponential(1)}, ` +
      `d/dweight ${maxAbs(gradOf(w), gw).toExponential(1)}, d/dbias ${maxAbs(gradOf(b), gb).toExponential(1)}`);
    if (maxAbs(y, ref) > 1e-10 || maxAbs(gradOf(w), gw) > 1e-10 || maxAbs(gradOf(x), gx) > 1e-10) process.exitCode = 1;
  }
}

// 2. Learning: recover a hidden filter (a smoothed edge detector) from input/output pairs.
const truth = tf.tensor([[[-1, -0.5, 0, 0.5, 1]]]);  // [O=1, C=1, k=5]
const w = tf.randn([1, 1, 5]).mul(0.1).requiresGrad_(true);
const b = tf.zeros([1]).requiresGrad_(true);
const opt = new tf.optim.Adam([w, b], { lr: 0.05 });
const log = new RunLog('conv_windows', args);
let loss = 0;
for (let step = 1; step <= args.steps; step++) {
  loss = tf.tidy(() => {
    const x = tf.randn([8, 1, 32]);
    const target = tf.F.conv1d(x, truth);
    const l = tf.F.mseLoss(windowConv(x, w, b, 1), target);
    opt.zeroGrad();
    l.backward();
    opt.step();
    return l.item();
  });
  log.scalar('loss/train (mse)', loss, step);
}
const learned = (w.reshape([-1]).toArray() as number[]).map((v) => v.toFixed(3)).join(', ');
console.log(`learned filter after ${args.steps} steps: [${learned}] (true [-1, -0.5, 0, 0.5, 1]), bias ${b.item().toFixed(3)}, mse ${loss.toExponential(2)}`);
log.close({ mse: loss }, 'conv_windows: learning a filter with mapWindows').catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
