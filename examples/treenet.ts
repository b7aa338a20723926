// ci: --small --out /tmp/tensorfold-examples --logdir /tmp/tensorfold-examples/logs/treenet
// A TreeNet: foldTree over random arithmetic expression trees (digits −9..9 combined with + and −)
// learns the sign of the expression's value. The baseline sees the same leaves as a bag (their
// summed embeddings and the count of each operator) but not the tree, so it cannot tell
// 7 − (2 + 9) (negative) from (7 − 2) + 9 (positive): whether a digit counts positively depends
// on where it sits.
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/treenet.js [--help] [--small] [--epochs 8]
//
// Draws both models' loss and accuracy per epoch to <out>/treenet.svg (--logdir DIR: TensorBoard logs too).
import { tf, Tensor } from './common/tf';
import { parseArgs } from './common/args';
import { RunLog } from './common/runlog';

const args = parseArgs({ name: 'treenet', summary: 'A TreeNet (foldTree) learns the sign of arithmetic expressions; a bag-of-leaves baseline cannot.' }, {
  small: { default: false, help: 'a quick run (1 epoch, 200 trees)' },
  epochs: { default: 6, help: 'training epochs per model' },
  train: { default: 3000, help: 'training expressions' },
  test: { default: 1000, help: 'test expressions' },
  depth: { default: 3, help: 'maximum tree depth' },
  hidden: { default: 32, help: 'node state size' },
  batch: { default: 32, help: 'expressions per batch' },
  lr: { default: 0.01, help: 'Adam learning rate' },
  seed: { default: 3, help: 'random seed' },
  mul: { default: false, help: 'include multiplication (a much harder target)' },
});
const log = new RunLog('treenet', args, 'epoch');
if (args.small) Object.assign(args, { epochs: 1, train: 200, test: 200 });
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

type Op = '+' | '-' | '*';
// With --mul the trees multiply too (a much harder target: magnitudes grow geometrically).
const OPS: Op[] = args.mul ? ['+', '-', '*'] : ['+', '-'];
interface Expr { value: number | Op; children?: Expr[] }


function randomTree(depth: number): Expr {
  if (depth === 0 || rand() < 0.25) return { value: Math.floor(rand() * 19) - 9 };
  const op = OPS[Math.floor(rand() * OPS.length)];
  return { value: op, children: [randomTree(depth - 1), randomTree(depth - 1)] };
}
function evaluate(e: Expr): number {
  if (!e.children) return e.value as number;
  const [a, b] = e.children.map(evaluate);
  return e.value === '+' ? a + b : e.value === '-' ? a - b : a * b;
}
function show(e: Expr): string {
  return e.children ? `(${show(e.children[0])} ${e.value} ${show(e.children[1])})` : String(e.value);
}
function dataset(n: number): { tree: Expr; label: number }[] {
  const out: { tree: Expr; label: number }[] = [];
  while (out.length < n) {
    const tree = randomTree(args.depth);
    const v = evaluate(tree);
    if (v !== 0 && tree.children) out.push({ tree, label: v > 0 ? 1 : 0 });
  }
  return out;
}

const H = args.hidden;
const param = (shape: number[], scale: number) => tf.randn(shape).mul(scale).requiresGrad_(true);

// TreeNet: a leaf is its digit's embedding; a node combines its two children with its operator's
// own weights.
const digitEmb = param([19, H], 0.5);
const opW: Record<Op, Tensor> = { '+': param([2 * H, H], 1 / Math.sqrt(2 * H)), '-': param([2 * H, H], 1 / Math.sqrt(2 * H)), '*': param([2 * H, H], 1 / Math.sqrt(2 * H)) };
const opB: Record<Op, Tensor> = { '+': param([H], 0), '-': param([H], 0), '*': param([H], 0) };
const outW = param([H, 2], 1 / Math.sqrt(H));
const treeParams = [digitEmb, ...Object.values(opW), ...Object.values(opB), outW];

function treeLogits(e: Expr): Tensor {
  const root = tf.foldTree<number | Op>(e, {
    leaf: (v) => digitEmb.select(0, (v as number) + 9),
    node: ([a, b], op) => tf.concat([a, b]).reshape([1, 2 * H]).matmul(opW[op as Op]).reshape([H]).add(opB[op as Op]).tanh(),
  });
  return root.reshape([1, H]).matmul(outW);
}

// Bag of leaves: summed digit embeddings plus operator counts, through a small MLP.
const bagEmb = param([19, H], 0.5);
const bagOps = param([3, H], 0.5);
const bagW1 = param([H, H], 1 / Math.sqrt(H));
const bagW2 = param([H, 2], 1 / Math.sqrt(H));
const bagParams = [bagEmb, bagOps, bagW1, bagW2];
function leaves(e: Expr, d: number[] = [], o = [0, 0, 0]): [number[], number[]] {
  if (!e.children) d.push((e.value as number) + 9);
  else {
    o[['+', '-', '*'].indexOf(e.value as string)]++;
    for (const c of e.children) leaves(c, d, o);
  }
  return [d, o];
}
function bagLogits(e: Expr): Tensor {
  const [d, o] = leaves(e);
  const idx = tf.tensor(Int32Array.from(d));
  const h = bagEmb.indexSelect(0, idx).sum(0).add(tf.tensor([o]).matmul(bagOps).reshape([H]));
  return h.reshape([1, H]).matmul(bagW1).tanh().matmul(bagW2);
}

function train(name: string, logits: (e: Expr) => Tensor, params: Tensor[], data: { tree: Expr; label: number }[]) {
  const opt = new tf.optim.Adam(params, { lr: args.lr });
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    let total = 0;
    let correct = 0;
    for (let i = 0; i < data.length; i += args.batch) {
      const chunk = data.slice(i, i + args.batch);
      const [loss, hits] = tf.tidy(() => {
        const l = tf.concat(chunk.map((s) => logits(s.tree)));
        const labels = tf.tensor(Int32Array.from(chunk.map((s) => s.label)));
        const loss = tf.F.crossEntropy(l, labels);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return [loss.item() * chunk.length, l.argmax(-1).eq(labels).float().sum().item()];
      });
      total += loss;
      correct += hits;
    }
    console.log(`${name.padEnd(14)} epoch ${epoch}  loss ${(total / data.length).toFixed(4)}`);
    log.scalar(`loss/${name}`, total / data.length, epoch);
    log.scalar(`accuracy/${name} (train)`, correct / data.length, epoch);
  }
}
function accuracy(logits: (e: Expr) => Tensor, data: { tree: Expr; label: number }[]): number {
  let ok = 0;
  for (const s of data) ok += tf.tidy(() => tf.noGrad(() => (logits(s.tree).argmax(-1).item() === s.label ? 1 : 0)));
  return ok / data.length;
}

const trainSet = dataset(args.train), testSet = dataset(args.test);
console.log(`example: ${show(trainSet[0].tree)} = ${evaluate(trainSet[0].tree)}`);
const t0 = Date.now();
train('TreeNet', treeLogits, treeParams, trainSet);
train('bag of leaves', bagLogits, bagParams, trainSet);
const accTree = accuracy(treeLogits, testSet), accBag = accuracy(bagLogits, testSet);
log.scalar('accuracy/TreeNet (test)', accTree, args.epochs);
log.scalar('accuracy/bag of leaves (test)', accBag, args.epochs);
const majority = Math.max(...[0, 1].map((c) => testSet.filter((s) => s.label === c).length)) / testSet.length;
console.log(`sign of ${args.test} unseen expressions: TreeNet (foldTree) ${(accTree * 100).toFixed(1)}%, ` +
  `bag of leaves ${(accBag * 100).toFixed(1)}%, majority class ${(majority * 100).toFixed(1)}% ` +
  `(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
if (!args.small && accTree <= accBag) {
  console.error('expected the TreeNet to beat the bag-of-leaves baseline');
  process.exitCode = 1;
}
log.close({ 'accuracy/TreeNet (test)': accTree, 'accuracy/bag of leaves (test)': accBag }, 'TreeNet (foldTree) vs bag of leaves: sign of an expression').catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
