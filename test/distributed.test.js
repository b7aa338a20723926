// tf.distributed, DistributedDataParallel, DistributedSampler and `tensorfold launch`.
// The multi-process tests start real jobs with mpirun (scripts in test/distributed/); they are
// skipped, saying why, only where mpirun is absent. Each script checks its own results on every
// rank and exits non-zero on a mismatch.
const { spawnSync } = require('child_process');
const os = require('os');
const path = require('path');
const tf = require('..');
const { launchArgs } = require('../dist/launch');

const D = tf.distributed;
const root = path.join(__dirname, '..');
const hasMpirun = spawnSync('mpirun', ['--version'], { stdio: 'ignore' }).status === 0;
const available = D.isAvailable();
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const BASE = [...(isRoot ? ['--allow-run-as-root'] : []), '--oversubscribe', '--bind-to', 'none'];
// The network path: TCP over loopback, shared memory off.
const TCP = ['--mca', 'btl', 'tcp,self', '--mca', 'btl_tcp_if_include', 'lo'];

function mpirun(np, script, args = [], extra = []) {
  const t0 = Date.now();
  const r = spawnSync('mpirun', [...BASE, ...extra, '-np', String(np), process.execPath,
    path.join(__dirname, 'distributed', script), ...args], { encoding: 'utf8', timeout: 60000, cwd: root });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, seconds: (Date.now() - t0) / 1000 };
}

function expectOk(r) {
  if (r.status !== 0) throw new Error(`job failed (${r.status}):\n${r.out}`);
}

describe('DistributedSampler', () => {
  const shares = (n, R, opts = {}) =>
    Array.from({ length: R }, (_, rank) => Array.from(new tf.data.DistributedSampler({ length: n }, { numReplicas: R, rank, ...opts })));

  test.each([[10, 3], [12, 4], [7, 2], [2, 4], [100, 7]])('n=%i over %i ranks: equal shares covering the set (padding repeats)', (n, R) => {
    for (const shuffle of [false, true]) {
      const s = shares(n, R, { shuffle });
      const per = Math.ceil(n / R);
      for (const share of s) expect(share.length).toBe(per);
      const all = s.flat();
      expect(new Set(all).size).toBe(n);  // covering
      expect(all.length - n).toBe(per * R - n);  // only the padding repeats
    }
  });

  test('without shuffle: interleaved shards and padding from the start, as PyTorch', () => {
    expect(shares(10, 3, { shuffle: false })).toEqual([[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]);
    expect(shares(2, 4, { shuffle: false })).toEqual([[0], [1], [0], [1]]);
  });

  test('dropLast: disjoint shares, the tail dropped', () => {
    const s = shares(10, 3, { shuffle: false, dropLast: true });
    expect(s).toEqual([[0, 3, 6], [1, 4, 7], [2, 5, 8]]);
    const t = shares(103, 4, { dropLast: true, seed: 3 });
    const all = t.flat();
    expect(all.length).toBe(100);
    expect(new Set(all).size).toBe(100);
  });

  test('shuffle: same order on every rank for a seed and epoch, a new one after setEpoch', () => {
    const mk = (rank) => new tf.data.DistributedSampler({ length: 50 }, { numReplicas: 2, rank, seed: 7 });
    const a = mk(0), b = mk(1);
    const e0 = [...a, ...b];
    expect(new Set(e0).size).toBe(50);
    a.setEpoch(1);
    b.setEpoch(1);
    const e1a = Array.from(a);
    expect(e1a).not.toEqual(e0.slice(0, 25));
    expect(new Set([...e1a, ...b]).size).toBe(50);
    expect(Array.from(mk(0))).toEqual(e0.slice(0, 25));  // deterministic
    expect(a.length).toBe(25);
  });

  test('DataLoader takes it as sampler', () => {
    const ds = new tf.data.TensorDataset(tf.arange(0, 10, 1, { dtype: 'int32' }));
    const sampler = new tf.data.DistributedSampler(ds, { numReplicas: 3, rank: 1, shuffle: false });
    const loader = new tf.data.DataLoader(ds, { batchSize: 2, sampler });
    expect(loader.length).toBe(2);
    expect(Array.from(loader, ([x]) => Array.from(x.toTypedArray()))).toEqual([[1, 4], [7, 0]]);
    expect(() => new tf.data.DataLoader(ds, { sampler, shuffle: true })).toThrow(/sampler and shuffle/);
  });

  test('bad options', () => {
    expect(() => new tf.data.DistributedSampler({ length: 4 }, { numReplicas: 2, rank: 2 })).toThrow(/rank 2 is out of range/);
    expect(() => new tf.data.DistributedSampler(null)).toThrow(/numeric length/);
  });
});

describe('gradient hooks (the engine side of DDP)', () => {
  const { native } = require('../dist/native');
  test('fire once per backward, after the last contribution to .grad; queued callbacks run at the end', () => {
    const w = tf.tensor([1, 2], { requiresGrad: true });
    const v = tf.tensor([3], { requiresGrad: true });
    const seen = [];
    const ids = [
      native.addGradHook(w._h, () => {
        seen.push(['w', Array.from(w.grad.toTypedArray())]);
        native.queueBackwardCallback(() => seen.push(['end']));
      }),
      native.addGradHook(v._h, () => seen.push(['v', Array.from(v.grad.toTypedArray())])),
    ];
    // w is used twice: d/dw (sum(w*3) + sum(w*w)) = 3 + 2w = [5, 7]; v: d/dv sum(w)*v = 3.
    w.mul(3).sum().add(w.mul(w).sum()).add(w.sum().mul(v).sum()).backward();
    expect(seen.filter((e) => e[0] === 'w')).toEqual([['w', [8, 10]]]);  // + v = 3 from the last term
    expect(seen.filter((e) => e[0] === 'v')).toEqual([['v', [3]]]);
    expect(seen[seen.length - 1]).toEqual(['end']);
    for (const id of ids) native.removeGradHook(id);
    seen.length = 0;
    w.sum().backward();
    expect(seen).toEqual([]);
    expect(() => native.queueBackwardCallback(() => {})).toThrow(/no backward pass is running/);
  });

  test('an error thrown by a hook comes out of backward', () => {
    const w = tf.tensor([1], { requiresGrad: true });
    const id = native.addGradHook(w._h, () => { throw new Error('hook says no'); });
    expect(() => w.mul(2).sum().backward()).toThrow(/hook says no/);
    native.removeGradHook(id);
    w.mul(2).sum().backward();
  });
});

describe('tensorfold launch', () => {
  test('mpirun flags: root, oversubscription, no binding; mpirun options and script arguments pass through', () => {
    const a = launchArgs(['-np', '4', '--hostfile', 'h', 'train.js', '--epochs', '2'], true, 2, true);
    expect(a.args).toEqual(['-np', '4', '--allow-run-as-root', '--oversubscribe', '--bind-to', 'none', '--hostfile', 'h',
      process.execPath, 'train.js', '--epochs', '2']);
    expect(launchArgs(['-np', '2', 'train.js'], true, 2, false).args).toEqual(['-np', '2', '--bind-to', 'none', process.execPath, 'train.js']);
    expect(launchArgs(['-n', '2', 'train.js'], false, 2, true).args).toEqual(['-np', '2', process.execPath, 'train.js']);  // MPICH
    expect(() => launchArgs(['train.js'], true)).toThrow(/-np N/);
    expect(() => launchArgs(['-np', '0', 'x.js'], true)).toThrow(/positive integer/);
  });
});

(available ? describe : describe.skip)('a job of one (plain node)', () => {
  test('initProcessGroup without a launcher: rank 0 of 1, collectives are local', () => {
    D.initProcessGroup({ timeoutMs: 1000 });
    try {
      expect([D.isInitialized(), D.getRank(), D.getWorldSize(), D.getLocalRank()]).toEqual([true, 0, 1, 0]);
      const t = tf.tensor([1, 2]);
      expect(D.allReduce(t, { op: 'mean' })).toBe(t);
      expect(Array.from(t.toTypedArray())).toEqual([1, 2]);
      expect(D.allGather(t).shape).toEqual([1, 2]);
      expect(D.reduceScatter(tf.ones([2, 2])).shape).toEqual([2, 2]);
      D.barrier();
      expect(() => D.send(t, 0)).toThrow(/this rank itself/);
      // DDP in a job of one is the module itself.
      tf.manualSeed(3);
      const m = new tf.nn.Linear(3, 1);
      const ddp = new tf.nn.parallel.DistributedDataParallel(m);
      ddp.forward(tf.ones([2, 3])).sum().backward();
      expect(Array.from(m.weight.grad.toTypedArray())).toEqual([2, 2, 2]);
      expect(ddp.parameters().length).toBe(2);
    } finally {
      D.destroyProcessGroup();
    }
    expect(D.isInitialized()).toBe(false);
    expect(() => D.getRank()).toThrow(/not initialised/);
  });
});

describe('without the MPI backend', () => {
  test('isAvailable() says so and initProcessGroup says what to install', () => {
    if (available) {
      if (process.env.TENSORFOLD_EXPECT_NO_MPI === '1') throw new Error('TENSORFOLD_EXPECT_NO_MPI=1 but the MPI backend loaded');
      return;
    }
    if (hasMpirun && process.env.TENSORFOLD_EXPECT_NO_MPI !== '1')
      throw new Error('mpirun is installed but the MPI backend was not built: rebuild (npm run build)');
    expect(() => D.initProcessGroup()).toThrow(/apt-get install openmpi-bin libopenmpi-dev.*rebuild/);
  });
});

if (!hasMpirun) {
  describe.skip('multi-process jobs: SKIPPED, mpirun not found (apt-get install openmpi-bin libopenmpi-dev)', () => {
    test('mpirun jobs', () => {});
  });
}

(hasMpirun && available ? describe : describe.skip)('multi-process jobs (mpirun)', () => {
  test('every collective and op: 2 ranks (shared memory), 4 ranks (TCP over loopback)', () => {
    expectOk(mpirun(2, 'collectives.js'));
    expectOk(mpirun(4, 'collectives.js', [], TCP));
  });

  test('DDP training equals single-process training on the concatenated batch (float64, 1e-10): 2 and 4 ranks', () => {
    for (const np of [2, 4]) {
      const r = mpirun(np, 'ddp_equal.js');
      expectOk(r);
      const diffs = r.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      expect(diffs.length).toBe(np);
      for (const d of diffs) expect(d.maxDiff).toBeLessThan(1e-10);
    }
  });

  test('DDP noSync, unused parameters, buffers', () => {
    expectOk(mpirun(2, 'ddp_extra.js'));
  });

  test('a rank that throws ends the job, non-zero, within seconds, with its error shown', () => {
    const r = mpirun(2, 'faults.js', ['throw']);
    expect(r.status).not.toBe(0);
    expect(r.seconds).toBeLessThan(15);
    expect(r.out).toMatch(/rank 1: uncaught Error: rank 1 fails on purpose/);
    expect(r.out).not.toMatch(/allReduce returned/);
  });

  test('a rank that stalls: the others raise a timeout Error naming the collective, the shape and the missing rank', () => {
    const r = mpirun(2, 'faults.js', ['stall']);
    expect(r.status).not.toBe(0);
    expect(r.seconds).toBeLessThan(20);
    expect(r.out).toMatch(/rank 0: uncaught Error: allReduce of a tensor \[2,3\] float32 \(collective #1\): timed out after 1500 ms waiting for rank 1 \(arrived: rank 0\); aborting the job/);
  });

  test('a rank frozen inside a collective (SIGSTOP): the watchdog ends the job instead of hanging', () => {
    const r = mpirun(2, 'faults.js', ['freeze']);
    expect(r.status).not.toBe(0);
    expect(r.seconds).toBeLessThan(20);
    // Stopped inside the collective proper (the usual case) or before it arrived: either way, named.
    expect(r.out).toMatch(/rank 0: (uncaught Error: )?allReduce of a tensor \[16777216\] float32 \(collective #\d+\): (every rank arrived, but the collective did not complete within 1500 ms|timed out after 1500 ms waiting for rank 1)/);
  });

  test('mismatched shapes raise on every rank, and the job goes on', () => {
    const r = mpirun(2, 'faults.js', ['mismatch']);
    expectOk(r);
    for (const k of [0, 1])
      expect(r.out).toContain(`rank ${k}: ERR_TENSORFOLD_DISTRIBUTED: allReduce of a tensor ${k === 0 ? '[2,3]' : '[3,2]'} float32 (collective #1): ` +
        'tensors differ across ranks: rank 0 allReduce [2,3] float32; rank 1 allReduce [3,2] float32');
    expect(r.out).toMatch(/rank 0: after mismatch 2,2/);
  });

  test('a tensor changed in place while its collective is in flight: the Promise rejects', () => {
    const r = mpirun(2, 'faults.js', ['inflight']);
    expectOk(r);
    expect(r.out).toMatch(/rank 0: rejected: allReduce: the tensor \[4\] was modified in place while the collective was in flight/);
  });

  test('tensorfold launch --dry-run prints the command; bench --distributed checks its options', () => {
    const cli = path.join(root, 'dist', 'cli.js');
    const dry = spawnSync(process.execPath, [cli, 'launch', '-np', '3', '--dry-run', 'x.js', '--a'], { encoding: 'utf8' });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`mpirun -np 3 ${isRoot ? '--allow-run-as-root ' : ''}${os.cpus().length < 3 ? '--oversubscribe ' : ''}--bind-to none ${process.execPath} x.js --a`);
    const bad = spawnSync(process.execPath, [cli, 'bench', '--distributed', '--np', '1'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--np must be an integer >= 2/);
  });

  test('tensorfold launch runs the job and forwards its exit code', () => {
    const cli = path.join(root, 'dist', 'cli.js');
    const ok = spawnSync(process.execPath, [cli, 'launch', '-np', '2', path.join(__dirname, 'distributed', 'collectives.js')],
      { encoding: 'utf8', timeout: 60000 });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/rank 1\/2: collectives ok/);
    const bad = spawnSync(process.execPath, [cli, 'launch', '-np', '2', path.join(__dirname, 'distributed', 'faults.js'), 'throw'],
      { encoding: 'utf8', timeout: 60000 });
    expect(bad.status).not.toBe(0);
  });
});
