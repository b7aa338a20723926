// Times the workloads: warm-up, then the median of several samples, with the repetition count
// chosen from the warm-up so each workload takes about the target time whatever its speed.
// scripts/bench_torch.py uses the same scheme, so both sides are measured alike.
import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '../index';
import { Limits, Rss, limitShare, measureLimits, measureTriad, tensorfoldRss, torchRss } from './limits';
import { Prepared, Unit, Workload, missing } from './workloads';

export interface Row {
  workload: string;
  unit: Unit;
  /** The figure in `unit`; null when skipped or failed. */
  value: number | null;
  /** Median wall time of one step, in milliseconds. */
  msPerStep?: number;
  samples?: number;
  /** Steps per timed sample. */
  inner?: number;
  skipped?: string;
  error?: string;
  torch?: number | null;
  torchError?: string;
  /** ours / PyTorch as times (GFLOP/s inverted first): below 1 means tensorfold is faster. */
  timeRatio?: number;
  /** Share of this machine's limit (FMA peak or triad bandwidth) that the row reaches, 0..1. */
  limitShare?: number;
  /** Bandwidth-bound rows: the triad bandwidth (GB/s) around the row (before or after, the higher), its limit. */
  triad?: number;
  /** Training rows: peak resident memory of a child process running the workload. */
  rss?: Rss;
  torchRss?: Rss;
  rssError?: string;
}

/** What the last runBench measured about the machine (for the table's header and JSON). */
export const benchState: { limits: Limits | null } = { limits: null };

export interface Timing {
  msPerStep: number;
  samples: number;
  inner: number;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Shortest sample of a per-op (µs/op) row, in ms; scripts/bench_torch.py uses the same. */
export const perOpSampleMs = 50;

/**
 * Median time of `step`. Warm-up runs at least twice (first calls pay for page faults, thread
 * start-up, lazy initialisation) and up to a tenth of the budget; a sample groups enough steps to
 * last ≥ minSampleMs (2 ms: the clock's resolution does not matter) and between 3 and 200 samples
 * fill the rest. Per-op rows use samples of ≥ 50 ms (perOpSampleMs): their steps produce garbage
 * that V8 collects every few tens of ms, and samples shorter than that put the collections in a
 * few slow samples that the median drops (small_add once showed 0.375 µs while the mean, what a
 * program pays, was 0.59 µs).
 */
export function measure(step: () => void, targetS: number, minSampleMs = 2): Timing {
  const budgetMs = targetS * 1000;
  let best = Infinity;
  const warmStart = nowMs();
  for (let n = 0; n < 2 || (nowMs() - warmStart < budgetMs * 0.1 && n < 1000); n++) {
    const t0 = nowMs();
    step();
    best = Math.min(best, nowMs() - t0);
  }
  const est = Math.max(best, 1e-4);
  const inner = Math.max(1, Math.ceil(minSampleMs / est));
  const samples = Math.min(200, Math.max(3, Math.floor((budgetMs * 0.9) / (inner * est))));
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = nowMs();
    for (let i = 0; i < inner; i++) step();
    times.push((nowMs() - t0) / inner);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  return { msPerStep: median, samples, inner };
}

/** The figure for a step time, in the workload's unit. */
export function figure(w: Workload, ms: number): number {
  switch (w.unit) {
    case 'GFLOP/s':
      return (w.count as number) / (ms * 1e6);
    case 'µs/op':
      return (ms * 1000) / (w.count as number);
    default:
      return ms;
  }
}

/** Figure → milliseconds per step (the inverse of `figure`), for time-based ratios. */
export function toMs(unit: Unit, value: number, count?: number): number {
  switch (unit) {
    case 'GFLOP/s':
      return (count as number) / (value * 1e6);
    case 'µs/op':
      return (value * (count as number)) / 1000;
    default:
      return value;
  }
}

export type Progress = (line: string) => void;

/** Runs one workload on tensorfold. Never throws: a failure becomes the row's `error`. */
export function runOne(w: Workload, targetS: number, tag: string, progress: Progress): Row {
  const absent = missing(w.needs);
  if (absent.length) {
    // Name a whole namespace when it is absent, rather than each of its members.
    const what = new Set(absent.map((n) => {
      const ns = n.split('.').slice(0, 2).join('.');
      return missing([ns.slice(3)]).length ? ns : n;
    }));
    const skipped = `needs ${[...what].join(', ')} (not built yet)`;
    progress(`${tag}: skipped, ${skipped}`);
    return { workload: w.id, unit: w.unit, value: null, skipped };
  }
  progress(`${tag} …`);
  const before = tf.memory().tensors;
  tf.manualSeed(0);
  let row: Row;
  let prepared: Prepared | undefined;
  try {
    prepared = w.prepare();
    const t = measure(prepared.step, targetS, w.unit === 'µs/op' ? perOpSampleMs : 2);
    const value = figure(w, t.msPerStep);
    row = { workload: w.id, unit: w.unit, value, msPerStep: t.msPerStep, samples: t.samples, inner: t.inner };
    progress(`${tag}: ${fmt(value)} ${w.unit} (median of ${t.samples} samples × ${t.inner})`);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    row = { workload: w.id, unit: w.unit, value: null, error };
    progress(`${tag}: failed: ${error}`);
  }
  try {
    prepared?.dispose();
  } catch {
    // A failed workload may have left its inputs disposed already.
  }
  const leaked = tf.memory().tensors - before;
  if (leaked > 0) progress(`${tag}: note: ${leaked} tensor(s) still live after the workload (left to the GC)`);
  return row;
}

/**
 * runOne in a fresh Node process (lib/bench/row_child.ts), so that no row inherits another's
 * state. Measured why: V8 shrinks its young generation to 1 MiB after a stretch of low JS
 * allocation (a training row, or waiting for PyTorch's run of a row with --compare) and does not
 * grow it again while little survives, and small_add then ran 0.56-0.62 instead of 0.38-0.40 µs
 * per op (AMD EPYC); glibc's free lists and the block cache likewise carried over from row to row.
 */
export function runIsolated(w: Workload, targetS: number, tag: string, progress: Progress, threads: number): Row {
  const child = path.join(__dirname, 'row_child.js');
  const r = spawnSync(process.execPath, [child, w.id, String(targetS), String(threads), tag],
    { encoding: 'utf8', env: process.env, maxBuffer: 1 << 24 });
  for (const line of (r.stderr || '').split('\n')) if (line) progress(line);
  try {
    if (r.status === 0) return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Row;
  } catch {
    // reported below
  }
  const error = `row process failed (exit ${r.status ?? r.signal}): ${(r.error?.message || r.stdout || '').trim().split('\n').pop()}`;
  progress(`${tag}: ${error}`);
  return { workload: w.id, unit: w.unit, value: null, error };
}

export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

export interface TorchRow {
  workload: string;
  unit: string;
  value: number | null;
  error?: string;
}

export interface TorchInfo {
  available: boolean;
  /** Why PyTorch's figures are missing, when they are. */
  reason?: string;
  version?: string;
  threads?: number;
  /** Environment variables the CLI set for the PyTorch process. */
  env?: Record<string, string>;
}

export const PYTHON = process.env.TENSORFOLD_PYTHON || '/usr/bin/python3';

/** The PyTorch side lives in scripts/ at the package root (dist/bench/ → ../../scripts). */
export function torchScript(): string {
  return path.resolve(__dirname, '..', '..', 'scripts', 'bench_torch.py');
}

/**
 * Environment for the PyTorch process, unless the user set these already. Debian's torch runs
 * OpenMP (libgomp) next to a pthreads OpenBLAS; with libgomp's default active waiting, its idle
 * threads spin on cores that OpenBLAS's threads, or any other process, need. On this project's
 * 2-core machine under load from other processes that made lstm_step 20-60× slower (2.7 s instead
 * of 40-150 ms) and mlp_step 7×; passive waiting removes the pathology, so a busy machine cannot
 * hand tensorfold a win it did not earn. The header of the table names what was set.
 */
export const TORCH_ENV: Record<string, string> = Object.fromEntries(
  Object.entries({ OMP_WAIT_POLICY: 'PASSIVE' }).filter(([k]) => process.env[k] === undefined),
);

/**
 * scripts/bench_torch.py kept running in `--serve` mode: it is handed one workload id at a time,
 * so the CLI can alternate the two sides workload by workload (load from elsewhere on the machine
 * then hits both figures of a row, not all of one column) and pays for `import torch` once.
 */
export class TorchServer {
  private child: ChildProcessWithoutNullStreams;
  private lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private closed = false;
  info: TorchInfo = { available: false };

  private constructor(threads: number, targetS: number) {
    const args = [torchScript(), '--threads', String(threads), '--time', String(targetS), '--serve'];
    // stderr passes through: the script prints its own progress lines there.
    this.child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...TORCH_ENV } }) as
      unknown as ChildProcessWithoutNullStreams;
    let buf = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        this.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    const end = () => {
      this.closed = true;
      if (this.waiting) this.waiting(null);
      this.waiting = null;
    };
    this.child.on('close', end);
    this.child.on('error', end);
  }

  private push(line: string): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(line);
    } else this.lines.push(line);
  }

  private next(): Promise<string | null> {
    if (this.lines.length) return Promise.resolve(this.lines.shift() as string);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Starts the PyTorch side, or says plainly why it cannot. */
  static async start(threads: number, targetS: number): Promise<TorchServer | TorchInfo> {
    const script = torchScript();
    if (!fs.existsSync(script)) return { available: false, reason: `${script} is missing from this installation` };
    const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      const why = probe.error ? probe.error.message : (probe.stderr || '').trim().split('\n').pop();
      return { available: false, reason: `\`${PYTHON} -c 'import torch'\` failed (${why})` };
    }
    const server = new TorchServer(threads, targetS);
    const head = await server.next();
    try {
      const h = JSON.parse(head as string);
      server.info = { available: true, version: h.version, threads: h.threads, env: TORCH_ENV };
      return server;
    } catch {
      server.close();
      return { available: false, reason: `${path.basename(script)} did not start (it printed ${JSON.stringify(head)})` };
    }
  }

  async run(id: string): Promise<TorchRow> {
    if (this.closed) return { workload: id, unit: '', value: null, error: 'the PyTorch process has exited' };
    this.child.stdin.write(id + '\n');
    const line = await this.next();
    if (line === null) return { workload: id, unit: '', value: null, error: 'the PyTorch process exited' };
    try {
      return JSON.parse(line);
    } catch {
      return { workload: id, unit: '', value: null, error: `unreadable reply ${JSON.stringify(line)}` };
    }
  }

  close(): void {
    if (!this.closed) this.child.stdin.end();
  }
}

/** Adds PyTorch's figure and the time ratio to one of our rows. */
export function mergeRow(row: Row, t: TorchRow, w: Workload): void {
  row.torch = t.value;
  if (t.error) row.torchError = t.error;
  if (row.value !== null && t.value !== null && t.value > 0 && row.value > 0)
    row.timeRatio = toMs(row.unit, row.value, w.count) / toMs(row.unit, t.value, w.count);
}

/** Runs each workload on tensorfold, then (with a server) the same one on PyTorch, in turn. */
export async function runBench(list: Workload[], targetS: number, progress: Progress,
  torch: TorchServer | null): Promise<Row[]> {
  const info = tf.backendInfo();
  progress(`measuring this machine's limits (FMA peak at ${info.simd}, triad bandwidth) …`);
  const limits = measureLimits(info.simd, info.threads);
  benchState.limits = limits;
  progress(`limits: ${limits.peakF32.toFixed(0)} GFLOP/s float32, ${limits.peakF64.toFixed(0)} float64, ${limits.triad.toFixed(1)} GB/s`);
  const rows: Row[] = [];
  for (let i = 0; i < list.length; i++) {
    const w = list[i];
    const tag = `[${i + 1}/${list.length}] ${w.id}`;
    // A shared machine's memory bandwidth drifts by 2x within minutes (AMD EPYC VM: triad 25 to
    // 100 GB/s in one session), so a bandwidth-bound row is measured against triads taken just
    // before and just after it (the higher one) rather than the one at the start.
    const bandwidthBound = !!w.limit && 'bytes' in w.limit;
    const triadBefore = bandwidthBound ? measureTriad() : 0;
    const row = runIsolated(w, targetS, tag, progress, info.threads);
    if (bandwidthBound) {
      row.triad = Math.max(triadBefore, measureTriad());
      progress(`${tag}: triad bandwidth around it ${row.triad.toFixed(1)} GB/s`);
    }
    if (torch && row.value !== null) mergeRow(row, await torch.run(w.id), w);
    row.limitShare = limitShare(row, w, limits);
    if (w.training && row.value !== null) {
      // A fresh process per row and side: peak RSS only grows, so it must not carry earlier rows.
      progress(`${tag}: peak resident memory (child processes) …`);
      const ours = tensorfoldRss(w.id, info.threads, Math.min(targetS, 1));
      if (typeof ours === 'string') row.rssError = ours;
      else row.rss = ours;
      if (torch) {
        const theirs = torchRss(w.id, info.threads, Math.min(targetS, 1));
        if (typeof theirs === 'string') row.rssError = `PyTorch: ${theirs}`;
        else row.torchRss = theirs;
      }
    }
    rows.push(row);
  }
  return rows;
}
