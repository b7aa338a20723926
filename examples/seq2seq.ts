// ci: --small --out /tmp/tensorfold-examples --logdir /tmp/tensorfold-examples/logs/seq2seq
// Sequence to sequence with fold and unfold: an encoder folds a digit sequence into one vector, a
// decoder unfolds that vector into the sequence reversed. Both are GRU cells; the decoder feeds
// back nothing but its own state, so everything it emits must pass through the fold's vector.
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/seq2seq.js [--help] [--small] [--steps 1500]
//
// Draws the loss and token-accuracy curves to <out>/seq2seq.svg (--logdir DIR: TensorBoard logs too).
import { tf, Tensor } from './common/tf';
import { parseArgs } from './common/args';
import { RunLog } from './common/runlog';

const args = parseArgs({ name: 'seq2seq', summary: 'Sequence to sequence with fold (GRU encoder) and unfold (GRU decoder): learns to reverse digit sequences.' }, {
  small: { default: false, help: 'a quick run (at most 60 steps)' },
  steps: { default: 1200, help: 'training steps' },
  length: { default: 6, help: 'digits per sequence' },
  hidden: { default: 128, help: 'GRU state size' },
  batch: { default: 64, help: 'sequences per batch' },
  lr: { default: 0.005, help: 'Adam learning rate' },
  seed: { default: 1, help: 'random seed' },
  checkpoint: { default: false, help: 'recompute activations in backward (gradient checkpointing) to save memory' },
});
if (args.small) args.steps = Math.min(args.steps, 60);
tf.manualSeed(args.seed);

const V = 10, L = args.length, H = args.hidden;
const embed = new tf.nn.Embedding(V, 32);
const encoder = new tf.nn.GRUCell(32, H);
const decoder = new tf.nn.GRUCell(1, H);
const head = new tf.nn.Linear(H, V);
const params = [embed, encoder, decoder, head].flatMap((m) => m.parameters());
const opt = new tf.optim.Adam(params, { lr: args.lr });
const ck = { checkpoint: args.checkpoint };

function batch(n: number): Tensor {
  return tf.randint(0, V, [L, n]);  // time-major digits
}

/** Logits [L, n, V] for the reversed sequence. */
function model(xs: Tensor): Tensor {
  const n = xs.shape[1];
  const h0 = tf.zeros([n, H]);
  // fold: the encoding RNN. x is one time step of the batch, [n] int32.
  const code = tf.fold((h: Tensor, x: Tensor) => encoder.forward(embed.forward(x), h), h0, xs, ck);
  const none = tf.zeros([n, 1]);
  // unfold: the generating RNN, L steps from the code.
  return tf.unfold((h: Tensor) => {
    const h2 = decoder.forward(none, h);
    return [h2, head.forward(h2)];
  }, code, L, ck);
}

function reversed(xs: Tensor): Tensor {
  return xs.indexSelect(0, tf.arange(L - 1, -1, -1));
}

function accuracy(n: number): number {
  return tf.tidy(() => tf.noGrad(() => {
    const xs = batch(n);
    const pred = model(xs).argmax(-1);
    return pred.eq(reversed(xs)).to('float32').mean().item();
  }));
}

const t0 = Date.now();
const losses: number[] = [];
const log = new RunLog('seq2seq', args);
for (let step = 1; step <= args.steps; step++) {
  const [loss, hits] = tf.tidy(() => {
    const xs = batch(args.batch);
    const logits = model(xs);
    const target = reversed(xs);
    const l = tf.F.crossEntropy(logits.reshape([-1, V]), target.reshape([-1]));
    opt.zeroGrad();
    l.backward();
    opt.step();
    // The batch's token accuracy, from logits already computed: no extra forward pass.
    return [l.item(), logits.argmax(-1).eq(target).to('float32').mean().item()];
  });
  losses.push(loss);
  log.scalar('loss/train', loss, step);
  log.scalar('token accuracy/train', hits, step);
  if (step % Math.max(1, Math.floor(args.steps / 8)) === 0 || step === args.steps)
    console.log(`step ${String(step).padStart(5)}  loss ${loss.toFixed(4)}`);
}
const acc = accuracy(1000);
const first = losses.slice(0, 10).reduce((a, b) => a + b, 0) / Math.min(10, losses.length);
const last = losses.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, losses.length);
console.log(`seq2seq (fold encoder, unfold decoder), reversing ${L} digits: loss ${first.toFixed(3)} → ${last.toFixed(3)}, ` +
  `token accuracy ${(acc * 100).toFixed(1)}% on 1000 new sequences (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
const example = batch(1);
const out = tf.noGrad(() => model(example).argmax(-1).reshape([-1]));
console.log(`  input  ${(example.reshape([-1]).toArray() as number[]).join(' ')}\n  output ${(out.toArray() as number[]).join(' ')}`);
log.scalar('token accuracy/new sequences', acc, args.steps);
if (!args.small && acc < 0.95) {
  console.error('expected at least 95% token accuracy');
  process.exitCode = 1;
}
log.close({ 'token accuracy/new sequences': acc }, `seq2seq: reversing ${L} digits`).catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
