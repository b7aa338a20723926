// DDP: noSync gradient accumulation, unused parameters (error naming them, findUnusedParameters),
// buffers broadcast from rank 0.
'use strict';
const tf = require('../..');
const D = tf.distributed;
D.initProcessGroup({ timeoutMs: 20000 });
const r = D.getRank(), n = D.getWorldSize();
const o = { dtype: 'float64' };
const check = (what, ok) => { if (!ok) { console.error(`rank ${r}: ${what}`); process.exit(7); } };
const maxAbs = (t) => t.abs().max().item();

// noSync: two micro-batches, the first without averaging; the result is the ranks' mean of the sums.
{
  tf.manualSeed(5 + r);
  const ddp = new tf.nn.parallel.DistributedDataParallel(new tf.nn.Linear(3, 2, o));
  const ref = new tf.nn.Linear(3, 2, o);
  tf.noGrad(() => { ref.weight.copy_(ddp.module.weight); ref.bias.copy_(ddp.module.bias); });
  const xs = [tf.randn([4, 3], o), tf.randn([4, 3], o)];
  ddp.noSync(() => ddp.forward(xs[0]).square().sum().backward());
  const local = ddp.module.weight.grad.clone();
  const all = D.allGather(local);
  check('noSync leaves gradients local', maxAbs(all.select(0, 0).sub(all.select(0, n - 1))) > 1e-6);
  ddp.forward(xs[1]).square().sum().backward();
  for (const x of xs) ref.forward(x).square().sum().backward();
  const want = D.allReduce(ref.weight.grad.clone(), { op: 'mean' });
  check('noSync then sync = mean of accumulated sums', maxAbs(ddp.module.weight.grad.sub(want)) < 1e-12);
}

// A bfloat16 model: gradients averaged as float32 and rounded once, so every rank holds the same
// bfloat16 gradient, equal to the float32 mean of the ranks' bfloat16 gradients rounded to bfloat16.
{
  tf.manualSeed(11);
  const model = new tf.nn.Linear(3, 2);
  model.to('bfloat16');
  const ddp = new tf.nn.parallel.DistributedDataParallel(model);
  tf.manualSeed(20 + r);
  const x = tf.randn([4, 3]).to('bfloat16');
  const ref = new tf.nn.Linear(3, 2);
  ref.to('bfloat16');
  tf.noGrad(() => { ref.weight.copy_(model.weight); ref.bias.copy_(model.bias); });
  ref.forward(x).square().sum().backward();
  ddp.forward(x).square().sum().backward();
  check('bfloat16 gradient keeps its dtype', model.weight.grad.dtype === 'bfloat16');
  const want = D.allReduce(ref.weight.grad.to('float32'), { op: 'mean' }).to('bfloat16');
  check('bfloat16 DDP gradient = float32 mean rounded once', maxAbs(model.weight.grad.to('float32').sub(want.to('float32'))) === 0);
  const all = D.allGather(model.weight.grad);
  check('every rank holds the same bfloat16 gradient', maxAbs(all.select(0, 0).sub(all.select(0, n - 1)).to('float32')) === 0);
}

class TwoHeads extends tf.nn.Module {
  constructor() { super(); this.a = new tf.nn.Linear(2, 2, o); this.b = new tf.nn.Linear(2, 2, o); }
  forward(x, useB) { return useB ? this.b.forward(this.a.forward(x)) : this.a.forward(x); }
}
// An unused parameter is an Error naming it (on every rank, and the job goes on).
{
  const ddp = new tf.nn.parallel.DistributedDataParallel(new TwoHeads());
  let msg = '';
  try { ddp.forward(tf.ones([1, 2], o), false).sum().backward(); } catch (e) { msg = e.message; }
  check(`unused parameters named (${msg})`, /b\.weight \[2,2\].*b\.bias \[2\]|b\.bias \[2\].*b\.weight \[2,2\]/.test(msg) && /findUnusedParameters/.test(msg));
}
// findUnusedParameters: rank 0 uses head b, the others do not; b's gradient is rank 0's over n.
{
  tf.manualSeed(9);
  const ddp = new tf.nn.parallel.DistributedDataParallel(new TwoHeads(), { findUnusedParameters: true });
  ddp.forward(tf.ones([1, 2], o), r === 0).sum().backward();
  const g = ddp.module.b.bias.grad;
  check('findUnusedParameters: averaged', g !== null && maxAbs(g.sub(tf.full([2], 1 / n, o))) < 1e-12);
}
// Buffers follow rank 0 before every forward.
{
  const bn = new tf.nn.BatchNorm1d(2, o);
  const ddp = new tf.nn.parallel.DistributedDataParallel(bn);
  tf.noGrad(() => bn.runningMean.fill_(r + 1));
  ddp.forward(tf.randn([4, 2], o));
  const all = D.allGather(bn.runningMean);
  check('buffers broadcast', maxAbs(all.select(0, 0).sub(all.select(0, n - 1))) === 0);
}
console.log(`rank ${r}/${n}: ddp extra ok`);
