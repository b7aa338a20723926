// Every collective and reduce op, checked on every rank against values computed locally.
// Exits non-zero on the first mismatch (the message names it).
'use strict';
const tf = require('../..');
const D = tf.distributed;
D.initProcessGroup({ timeoutMs: 20000 });
const r = D.getRank(), n = D.getWorldSize();
const fail = (what, got, want) => {
  console.error(`rank ${r}: ${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  process.exit(4);
};
const eq = (what, got, want) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) fail(what, got, want);
};
const close = (what, got, want) => {
  if (got.length !== want.length || got.some((g, i) => Math.abs(g - want[i]) > 1e-6 * Math.max(1, Math.abs(want[i])))) fail(what, got, want);
};
const ranks = [...Array(n).keys()];
// Rank k contributes [k+1, -(k+1), 2] (and int32 / float64 variants).
const mine = (dtype) => tf.tensor([r + 1, -(r + 1), 2], { dtype });
const expect = {
  sum: [ranks.reduce((a, k) => a + k + 1, 0), -ranks.reduce((a, k) => a + k + 1, 0), 2 * n],
  mean: [ranks.reduce((a, k) => a + k + 1, 0) / n, -ranks.reduce((a, k) => a + k + 1, 0) / n, 2],
  max: [n, -1, 2],
  min: [1, -n, 2],
  prod: [ranks.reduce((a, k) => a * (k + 1), 1), ranks.reduce((a, k) => a * -(k + 1), 1), 2 ** n],
};
// int64 and uint8 reduce natively; float16 / bfloat16 as float32 copies rounded back (the values
// here are small integers, exact in every dtype).
for (const dtype of ['float32', 'float64', 'int32', 'int64', 'float16', 'bfloat16'])
  for (const op of ['sum', 'mean', 'max', 'min', 'prod']) {
    if ((dtype === 'int32' || dtype === 'int64') && op === 'mean') continue;
    const t = mine(dtype);
    const out = D.allReduce(t, { op });
    if (out !== t) fail('allReduce returns its argument', false, true);
    close(`allReduce ${dtype} ${op}`, Array.from(t.toTypedArray(), Number), expect[op]);
  }
{
  // uint8 wraps as PyTorch's does.
  const u = D.allReduce(tf.tensor([r + 1, 200], { dtype: 'uint8' }), { op: 'sum' });
  close('allReduce uint8 sum', Array.from(u.toTypedArray()), [expect.sum[0] % 256, (200 * n) % 256]);
  // Half types move as their bits.
  const h = tf.tensor([r + 0.1, -r], { dtype: 'bfloat16' });
  D.broadcast(h, 0);
  close('broadcast bfloat16', Array.from(h.toTypedArray()), Array.from(tf.tensor([0.1, 0], { dtype: 'bfloat16' }).toTypedArray()));
  const g16 = D.allGather(tf.tensor([r + 0.5], { dtype: 'float16' }));
  if (g16.dtype !== 'float16') fail('allGather float16 keeps the dtype', g16.dtype, 'float16');
  close('allGather float16', Array.from(g16.toTypedArray()), ranks.map((k) => k + 0.5));
}
(async () => {
  const a = mine('float64');
  const res = await D.allReduceAsync(a, { op: 'sum' });
  if (res !== a) fail('allReduceAsync resolves to its argument', false, true);
  close('allReduceAsync', Array.from(a.toTypedArray()), expect.sum);
  // Several in flight at once complete in order.
  const many = ranks.map(() => tf.full([1000], r + 1));
  await Promise.all(many.map((t) => D.allReduceAsync(t, { op: 'max' })));
  for (const t of many) eq('concurrent allReduceAsync', t.max().item(), n);

  for (const src of ranks) {
    const b = tf.full([2, 3], r * 10 + 1);
    D.broadcast(b, src);
    eq(`broadcast from ${src}`, Array.from(b.toTypedArray()), Array(6).fill(src * 10 + 1));
  }
  const g = D.allGather(tf.tensor([[r, 2 * r]], { dtype: 'int32' }));
  eq('allGather shape', g.shape, [n, 1, 2]);
  eq('allGather values', g.toArray(), ranks.map((k) => [[k, 2 * k]]));

  const rsIn = tf.arange(0, 2 * n, 1, { dtype: 'float32' }).reshape([n, 2]).add(r);
  const rs = D.reduceScatter(rsIn, { op: 'sum' });
  eq('reduceScatter shape', rs.shape, [1, 2]);
  const base = ranks.reduce((a, k) => a + k, 0);
  close('reduceScatter sum', Array.from(rs.toTypedArray()), [2 * r * n + base, (2 * r + 1) * n + base]);
  const rsm = D.reduceScatter(tf.ones([2 * n, 3]).mul(r), { op: 'max' });
  eq('reduceScatter max shape', rsm.shape, [2, 3]);
  close('reduceScatter max', Array.from(rsm.toTypedArray()), Array(6).fill(n - 1));

  D.barrier();
  // Ring of sends: each rank sends to the next and receives from the previous (even ranks send
  // first, so no pair waits on the other).
  const next = (r + 1) % n, prev = (r + n - 1) % n;
  const box = tf.zeros([3], { dtype: 'float64' });
  const msg = tf.tensor([r, r * r, -r], { dtype: 'float64' });
  if (r % 2 === 0) { D.send(msg, next); D.recv(box, prev); } else { D.recv(box, prev); D.send(msg, next); }
  eq('send/recv', Array.from(box.toTypedArray()), [prev, prev * prev, -prev]);

  // Non-contiguous input to allGather is fine (copied); an in-place collective on a view is not.
  const tr = tf.tensor([[1, 2], [3, 4]]).transpose(0, 1);
  eq('allGather of a transposed view', D.allGather(tr).select(0, 0).toArray(), [[1, 3], [2, 4]]);
  let msgNc = '';
  try { D.allReduce(tr); } catch (e) { msgNc = e.message; }
  if (!/allReduce: .*not contiguous/.test(msgNc)) fail('allReduce of a view', msgNc, 'not contiguous error');

  // Bad arguments are reported before anything is sent.
  const bad = [
    [() => D.allReduce(tf.ones([2]), { op: 'avg' }), /op must be one of/],
    [() => D.broadcast(tf.ones([2]), n), /src .* out of range/],
    [() => D.send(tf.ones([2]), r), /this rank itself/],
    [() => D.allReduce(tf.tensor([1], { dtype: 'int32' }), { op: 'mean' }), /floating-point/],
    [() => D.allReduce([1, 2]), /expected a Tensor/],
  ];
  for (const [f, re] of bad) {
    let m = '';
    try { f(); } catch (e) { m = `${e.message} ${e.code}`; }
    if (!re.test(m) || !m.includes('ERR_TENSORFOLD_DISTRIBUTED')) fail('argument check', m, String(re));
  }
  D.barrier();
  console.log(`rank ${r}/${n}: collectives ok`);
})().catch((e) => { console.error(e); process.exit(5); });
