// DDP training for several steps equals single-process training on the concatenated batch.
// Every rank also trains the reference model itself, on the whole batch, and compares.
'use strict';
const tf = require('../..');
const D = tf.distributed;
D.initProcessGroup({ timeoutMs: 20000 });
const rank = D.getRank(), world = D.getWorldSize();
const opts = { dtype: 'float64' };

function makeModel(seed) {
  tf.manualSeed(seed);
  // A small bucket cap gives several buckets; the shared layer, used twice, gets two gradient
  // contributions per backward (its hook must fire after the second).
  const shared = new tf.nn.Linear(16, 16, opts);
  return new tf.nn.Sequential(new tf.nn.Linear(5, 16, opts), new tf.nn.Tanh(), shared, new tf.nn.Tanh(), shared,
    new tf.nn.Tanh(), new tf.nn.Linear(16, 3, opts));
}
// Different seeds per rank: the construction broadcast must make them equal.
const ddp = new tf.nn.parallel.DistributedDataParallel(makeModel(100 + rank), { bucketCapMb: 0.0005 });
const ref = makeModel(100);
const optD = new tf.optim.SGD(ddp.parameters(), { lr: 0.1, momentum: 0.9 });
const optR = new tf.optim.SGD(ref.parameters(), { lr: 0.1, momentum: 0.9 });
const per = 4;
for (let step = 0; step < 5; step++) {
  tf.manualSeed(1000 + step);  // the same global batch on every rank
  const x = tf.randn([per * world, 5], opts), y = tf.randn([per * world, 3], opts);
  optD.zeroGrad();
  const xl = x.narrow(0, rank * per, per), yl = y.narrow(0, rank * per, per);
  tf.F.mseLoss(ddp.forward(xl), yl).backward();
  optD.step();
  optR.zeroGrad();
  tf.F.mseLoss(ref.forward(x), y).backward();
  optR.step();
}
let maxDiff = 0;
const pd = ddp.module.parameters(), pr = ref.parameters();
for (let i = 0; i < pd.length; i++) maxDiff = Math.max(maxDiff, pd[i].sub(pr[i]).abs().max().item());
console.log(JSON.stringify({ rank, world, maxDiff, buckets: true }));
if (!(maxDiff < 1e-10)) process.exit(3);
