// ci: --small --out /tmp/tensorfold-examples --logdir /tmp/tensorfold-examples/logs/bidirectional_tagging
// Tagging with a bidirectional RNN: tag each position of a token sequence with whether the marker
// token occurs before it and whether it occurs after it (4 classes). tf.bidirectional zips a
// left-to-right and a right-to-left scan; a left-to-right scan alone cannot know what comes later.
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/bidirectional_tagging.js [--help] [--small]
//
// Draws both models' loss and accuracy curves to <out>/bidirectional_tagging.svg (--logdir DIR:
// TensorBoard logs too).
import { tf, Tensor } from './common/tf';
import { parseArgs } from './common/args';
import { RunLog } from './common/runlog';

const args = parseArgs({ name: 'bidirectional_tagging', summary: 'Tagging with a bidirectional RNN (tf.bidirectional) against a forward-only scan.' }, {
  small: { default: false, help: 'a quick run (30 steps)' },
  steps: { default: 400, help: 'training steps per model' },
  length: { default: 12, help: 'tokens per sequence' },
  vocab: { default: 8, help: 'vocabulary size' },
  hidden: { default: 32, help: 'RNN state size' },
  batch: { default: 64, help: 'sequences per batch' },
  lr: { default: 0.01, help: 'Adam learning rate' },
  seed: { default: 11, help: 'random seed' },
});
const log = new RunLog('bidirectional_tagging', args);
if (args.small) args.steps = 30;
tf.manualSeed(args.seed);
// mulberry32: a small seeded generator for the data (Math.random cannot be seeded).
let rng = args.seed >>> 0;
function rand(): number {
  rng = (rng + 0x6d2b79f5) >>> 0;
  let t = rng;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const T = args.length, V = args.vocab, H = args.hidden, MARK = 0;

function batch(n: number): { xs: Tensor; tags: Tensor } {
  // Markers are rare (about one per sequence) so that "before" and "after" both vary.
  const xs = new Int32Array(T * n), tags = new Int32Array(T * n);
  for (let j = 0; j < n; j++) {
    const seq = Array.from({ length: T }, () => (rand() < 1 / T ? MARK : 1 + Math.floor(rand() * (V - 1))));
    for (let t = 0; t < T; t++) {
      xs[t * n + j] = seq[t];
      const before = seq.slice(0, t).includes(MARK), after = seq.slice(t + 1).includes(MARK);
      tags[t * n + j] = (before ? 2 : 0) + (after ? 1 : 0);
    }
  }
  return { xs: tf.tensor(xs, { shape: [T, n] }), tags: tf.tensor(tags, { shape: [T * n] }) };
}

function makeModel(bi: boolean) {
  const embed = new tf.nn.Embedding(V, H);
  const fwd = new tf.nn.RNNCell(H, H), bwd = new tf.nn.RNNCell(H, H);
  const head = new tf.nn.Linear(bi ? 2 * H : H, 4);
  const params = [embed, fwd, head, ...(bi ? [bwd] : [])].flatMap((m) => m.parameters());
  const step = (cell: typeof fwd) => (h: Tensor, x: Tensor): [Tensor, Tensor] => {
    const h2 = cell.forward(embed.forward(x), h);
    return [h2, h2];
  };
  const logits = (xs: Tensor): Tensor => {
    const h0 = tf.zeros([xs.shape[1], H]);
    const ys = bi ? tf.bidirectional(step(fwd), step(bwd), h0, h0, xs)[1] : tf.scan(step(fwd), h0, xs)[1];
    return head.forward(ys).reshape([-1, 4]);  // [T * n, 4]
  };
  return { params, logits };
}

function run(name: string, bi: boolean): number {
  const m = makeModel(bi);
  const opt = new tf.optim.Adam(m.params, { lr: args.lr });
  for (let s = 1; s <= args.steps; s++) {
    const [loss, hits] = tf.tidy(() => {
      const { xs, tags } = batch(args.batch);
      const logits = m.logits(xs);
      const l = tf.F.crossEntropy(logits, tags);
      opt.zeroGrad();
      l.backward();
      opt.step();
      return [l.item(), logits.argmax(-1).eq(tags).to('float32').mean().item()];
    });
    log.scalar(`loss/${name}`, loss, s);
    log.scalar(`accuracy/${name}`, hits, s);
    if (s % Math.max(1, Math.floor(args.steps / 4)) === 0) console.log(`${name.padEnd(14)} step ${String(s).padStart(4)}  loss ${loss.toFixed(4)}`);
  }
  return tf.tidy(() => tf.noGrad(() => {
    const { xs, tags } = batch(1000);
    return m.logits(xs).argmax(-1).eq(tags).to('float32').mean().item();
  }));
}

const t0 = Date.now();
const accBi = run('bidirectional', true);
const accFwd = run('forward only', false);
console.log(`per-position tag accuracy on 1000 new sequences: bidirectional ${(accBi * 100).toFixed(1)}%, ` +
  `forward-only scan ${(accFwd * 100).toFixed(1)}% (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
if (!args.small && accBi <= accFwd) process.exitCode = 1;
log.close({ 'accuracy/bidirectional': accBi, 'accuracy/forward only': accFwd }, 'Tagging: bidirectional RNN vs forward-only scan').catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
