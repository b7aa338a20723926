// `tensorfold bench --distributed`: what data-parallel training costs here.
//   1. allreduce latency and bus bandwidth, float32, 4 KiB to 64 MiB, N ranks on this machine;
//      the same on PyTorch's gloo backend (scripts/bench_dist_torch.py) when PyTorch is installed;
//   2. scaling of a training step (PyTorch's MNIST CNN, synthetic data, one engine thread per
//      rank) from 1 rank to N ranks, with the step split into compute and exposed communication.
// Bus bandwidth is NCCL's measure: bytes × 2(N-1)/N / time, the traffic each rank's link carries
// in a ring allreduce, so it compares across rank counts. Each size is timed in five batches and
// the median batch kept (robust to a rank being descheduled on a shared machine); the load average
// is printed with the figures.
// The ranks are this file run as a worker (`node distributed.js --worker allreduce|train`).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PYTHON } from './runner';

const SIZES = [4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20];

interface ArRow { bytes: number; us: number; busGBs: number }
interface TrainRow { ranks: number; batchPerRank: number; stepMs: number; computeMs: number; samplesPerS: number }

function mpirunArgs(np: number): string[] {
  const a = ['-np', String(np)];
  if (typeof process.getuid === 'function' && process.getuid() === 0) a.push('--allow-run-as-root');
  if (np > os.cpus().length) a.push('--oversubscribe');
  return [...a, '--bind-to', 'none'];
}

function lastJson(out: string): unknown {
  const lines = out.trim().split('\n').filter((l) => l.startsWith('{') || l.startsWith('['));
  if (!lines.length) throw new Error(`no result in output:\n${out.slice(-2000)}`);
  return JSON.parse(lines[lines.length - 1]);
}

function runRanks(np: number, args: string[], env: NodeJS.ProcessEnv = {}): unknown {
  const cmd = np === 1 ? process.execPath : 'mpirun';
  const full = np === 1 ? [__filename, ...args] : [...mpirunArgs(np), '-x', 'TENSORFOLD_NUM_THREADS', process.execPath, __filename, ...args];
  const r = spawnSync(cmd, full, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26, timeout: 600000 });
  if (r.status !== 0) throw new Error(`${cmd} ${full.join(' ')} failed (${r.status ?? r.signal}):\n${(r.stderr || '').slice(-2000)}`);
  return lastJson(r.stdout);
}

function fmtBytes(b: number): string {
  return b >= 1 << 20 ? `${b / (1 << 20)} MiB` : `${b / 1024} KiB`;
}

const DISTRIBUTED_USAGE = `usage: tensorfold bench --distributed [--np N] [--time S] [--batch B] [--no-torch] [--json]

Measures allreduce latency and bandwidth and the scaling of a DDP training step over MPI ranks,
against PyTorch's gloo where /usr/bin/python3 has torch.
  --np N        number of ranks (default 2)
  --time S      target seconds per measurement (default 0.4)
  --batch B     batch size of the DDP step (default 64)
  --no-torch    skip PyTorch
  --json        print machine-readable results on stdout
  -h, --help    print this text`;

export async function distributedBench(argv: string[]): Promise<number> {
  let np = 2;
  let json = false;
  let torch = true;
  let time = 0.4;
  let batch = 64;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--np') np = Number(argv[++i]);
    else if (a === '--json') json = true;
    else if (a === '--no-torch') torch = false;
    else if (a === '--time') time = Number(argv[++i]);
    else if (a === '--batch') batch = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(DISTRIBUTED_USAGE + '\n');
      return 0;
    } else {
      process.stderr.write(`tensorfold bench --distributed: unknown option ${a}\n` +
        DISTRIBUTED_USAGE + '\n');
      return 2;
    }
  }
  if (!Number.isInteger(np) || np < 2) {
    process.stderr.write('tensorfold bench --distributed: --np must be an integer >= 2\n');
    return 2;
  }
  const progress = (s: string) => process.stderr.write(s + '\n');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tf = require('../index') as typeof import('../index');
  if (!tf.distributed.isAvailable() || spawnSync('mpirun', ['--version'], { stdio: 'ignore' }).status !== 0) {
    process.stderr.write('tensorfold bench --distributed: needs MPI (apt-get install openmpi-bin libopenmpi-dev, then npm run build)\n');
    return 1;
  }

  progress(`allreduce, ${np} ranks, tensorfold (MPI) ...`);
  const ours = runRanks(np, ['--worker', 'allreduce', '--time', String(time)]) as ArRow[];
  let gloo: ArRow[] | null = null;
  let glooNote = '';
  const script = path.resolve(__dirname, '..', '..', 'scripts', 'bench_dist_torch.py');
  if (torch && fs.existsSync(script)) {
    progress(`allreduce, ${np} ranks, PyTorch gloo ...`);
    const r = spawnSync(PYTHON, [script, '--np', String(np), '--time', String(time)], { encoding: 'utf8', timeout: 600000 });
    if (r.status === 0) gloo = lastJson(r.stdout) as ArRow[];
    else glooNote = `PyTorch gloo not measured: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`;
  } else if (torch) {
    glooNote = 'PyTorch gloo not measured: scripts/bench_dist_torch.py not found';
  }

  progress(`training step (MNIST CNN, batch ${batch} per rank, 1 thread per rank): 1 rank ...`);
  const env = { TENSORFOLD_NUM_THREADS: '1' };
  const one = runRanks(1, ['--worker', 'train', '--batch', String(batch)], env) as TrainRow;
  progress(`... ${np} ranks ...`);
  const many = runRanks(np, ['--worker', 'train', '--batch', String(batch)], env) as TrainRow;

  if (json) {
    process.stdout.write(JSON.stringify({ np, allreduce: { tensorfold: ours, gloo, glooNote }, train: [one, many] }, null, 2) + '\n');
    return 0;
  }
  const lines: string[] = [];
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  lines.push(`machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores; load average ${load} (1, 5, 15 min) at the end`);
  lines.push(`allreduce (float32, ${np} ranks on this machine, in place, median of five timed batches)`);
  lines.push(`${'size'.padStart(8)}  ${'tensorfold µs'.padStart(13)} ${'bus GB/s'.padStart(9)}` + (gloo ? `  ${'gloo µs'.padStart(9)} ${'bus GB/s'.padStart(9)}  ${'ratio'.padStart(6)}` : ''));
  ours.forEach((r, i) => {
    const g = gloo?.[i];
    lines.push(`${fmtBytes(r.bytes).padStart(8)}  ${r.us.toFixed(1).padStart(13)} ${r.busGBs.toFixed(2).padStart(9)}` +
      (g ? `  ${g.us.toFixed(1).padStart(9)} ${g.busGBs.toFixed(2).padStart(9)}  ${(r.us / g.us).toFixed(2).padStart(6)}` : ''));
  });
  if (gloo) lines.push('ratio = tensorfold time / gloo time (below 1: tensorfold faster)');
  if (glooNote) lines.push(glooNote);
  lines.push('');
  lines.push(`training step, PyTorch's MNIST CNN (1.2 M parameters), batch ${batch} per rank, 1 engine thread per rank`);
  for (const r of [one, many])
    lines.push(`  ${r.ranks} rank${r.ranks > 1 ? 's' : ' '}: step ${r.stepMs.toFixed(1)} ms (compute alone ${r.computeMs.toFixed(1)} ms), ` +
      `${r.samplesPerS.toFixed(0)} samples/s`);
  const speedup = many.samplesPerS / one.samplesPerS;
  lines.push(`  scaling 1 -> ${np} ranks: ${speedup.toFixed(2)}x (ideal ${Math.min(np, os.cpus().length)}x: ${np} ranks on ${os.cpus().length} cores); ` +
    `compute slowdown from sharing the machine ${(many.computeMs / one.computeMs).toFixed(2)}x, ` +
    `exposed communication (step - compute) ${(many.stepMs - many.computeMs).toFixed(1)} ms per step` +
    (many.stepMs < many.computeMs ? ' (negative: the machine\'s noise exceeds it)' : ''));
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

// ---- the ranks ----

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function workerAllreduce(time: number): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tf = require('../index') as typeof import('../index');
  const D = tf.distributed;
  D.initProcessGroup();
  const n = D.getWorldSize();
  const rows: ArRow[] = [];
  // Warm-up of the whole path (threads, transports' eager buffers) before the first size.
  const w = tf.ones([1024]);
  for (let i = 0; i < 200; i++) D.allReduce(w);
  for (const bytes of SIZES) {
    const t = tf.ones([bytes / 4]);
    for (let i = 0; i < 3; i++) D.allReduce(t);
    // Every rank runs the same number of repeats: rank 0 decides from a probe and broadcasts it.
    D.barrier();
    let t0 = now();
    D.allReduce(t);
    const probe = tf.tensor([now() - t0], { dtype: 'float64' });
    D.broadcast(probe, 0);
    const reps = Math.max(5, Math.min(2000, Math.round((time * 1000) / Math.max(probe.item(), 1e-3))));
    // Five timed batches, the median kept: on a shared machine one descheduled rank would
    // otherwise decide the mean.
    const batches: number[] = [];
    const per = Math.max(1, Math.floor(reps / 5));
    for (let b = 0; b < 5; b++) {
      D.barrier();
      t0 = now();
      for (let i = 0; i < per; i++) D.allReduce(t);
      batches.push((now() - t0) / per);
    }
    const ms = batches.sort((a, b) => a - b)[2];
    rows.push({ bytes, us: ms * 1000, busGBs: (bytes * 2 * (n - 1)) / n / (ms * 1e6) });
    t.dispose();
  }
  if (D.getRank() === 0) console.log(JSON.stringify(rows));
}

function workerTrain(batch: number): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tf = require('../index') as typeof import('../index');
  const D = tf.distributed;
  D.initProcessGroup();
  const { nn } = tf;
  tf.manualSeed(1);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 32, 3), new nn.ReLU(), new nn.Conv2d(32, 64, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(9216, 128), new nn.ReLU(), new nn.Linear(128, 10));
  const ddp = new nn.parallel.DistributedDataParallel(model);
  const opt = new tf.optim.SGD(ddp.parameters(), { lr: 0.01, momentum: 0.9 });
  tf.manualSeed(2 + D.getRank());
  const x = tf.randn([batch, 1, 28, 28]);
  const y = tf.randint(0, 10, [batch]);
  const step = (sync: boolean) => tf.tidy(() => {
    opt.zeroGrad();
    const run = () => tf.F.crossEntropy(ddp.forward(x), y).backward();
    if (sync) run();
    else ddp.noSync(run);
    opt.step();
  });
  const timeSteps = (sync: boolean, k: number) => {
    D.barrier();
    const t0 = now();
    for (let i = 0; i < k; i++) step(sync);
    const ms = (now() - t0) / k;
    // The slowest rank sets the pace.
    const m = tf.tensor([ms], { dtype: 'float64' });
    D.allReduce(m, { op: 'max' });
    return m.item();
  };
  for (let i = 0; i < 2; i++) step(true);
  // Alternate the two kinds of step so that both see the same machine state.
  let stepMs = 0, computeMs = 0;
  for (let r = 0; r < 3; r++) {
    stepMs += timeSteps(true, 4) / 3;
    computeMs += timeSteps(false, 4) / 3;
  }
  const ranks = D.getWorldSize();
  if (D.getRank() === 0)
    console.log(JSON.stringify({ ranks, batchPerRank: batch, stepMs, computeMs, samplesPerS: (ranks * batch * 1000) / stepMs }));
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (name: string, d: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : d;
  };
  const kind = argv[argv.indexOf('--worker') + 1];
  if (kind === 'allreduce') workerAllreduce(arg('--time', 0.4));
  else if (kind === 'train') workerTrain(arg('--batch', 64));
  else {
    process.stderr.write(`unknown worker ${kind}\n`);
    process.exitCode = 2;
  }
}
