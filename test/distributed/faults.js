// Fault scenarios, chosen by argv[2]:
//   throw     rank 1 throws; rank 0 waits in an allReduce with a long timeout: the job must end at once.
//   stall     rank 1 stays alive but never joins; rank 0's allReduce times out naming rank 1.
//   mismatch  the ranks allReduce tensors of different shapes: every rank raises, and the job goes on.
//   inflight  a tensor changed in place while its allReduceAsync is in flight: the Promise rejects.
//   freeze    rank 1 is stopped (SIGSTOP) in the middle of large allreduces: rank 0 must not hang.
'use strict';
const tf = require('../..');
const D = tf.distributed;
const mode = process.argv[2];
D.initProcessGroup({ timeoutMs: mode === 'stall' || mode === 'freeze' ? 1500 : 60000 });
const r = D.getRank();
const busy = (ms) => { const end = Date.now() + ms; while (Date.now() < end); };

if (mode === 'throw') {
  if (r === 1) throw new Error('rank 1 fails on purpose');
  D.allReduce(tf.ones([2, 3]));
  console.log('rank 0: allReduce returned (it should not have)');
} else if (mode === 'stall') {
  if (r === 1) {
    setTimeout(() => {}, 600000);  // alive, never joining
  } else {
    D.allReduce(tf.ones([2, 3]));
  }
} else if (mode === 'mismatch') {
  const shape = r === 0 ? [2, 3] : [3, 2];
  try {
    D.allReduce(tf.ones(shape));
    console.log(`rank ${r}: no error`);
    process.exit(6);
  } catch (e) {
    console.log(`rank ${r}: ${e.code}: ${e.message}`);
  }
  // The job goes on.
  const t = tf.ones([2]);
  D.allReduce(t);
  console.log(`rank ${r}: after mismatch ${t.toArray()}`);
} else if (mode === 'inflight') {
  (async () => {
    if (r === 1) busy(500);  // rank 0's job stays in flight meanwhile
    const t = tf.ones([4]);
    const p = D.allReduceAsync(t);
    if (r === 0) t.copy_(tf.full([4], 7));
    try {
      await p;
      console.log(`rank ${r}: resolved`);
    } catch (e) {
      console.log(`rank ${r}: rejected: ${e.message}`);
    }
    D.barrier();
  })();
}
else if (mode === 'freeze') {
  const ts = Array.from({ length: 20 }, () => tf.ones([1 << 24]));
  if (r === 1) {
    for (const t of ts) D.allReduceAsync(t);
    busy(200);
    process.kill(process.pid, 'SIGSTOP');
  } else {
    for (const t of ts) D.allReduce(t);
  }
}
