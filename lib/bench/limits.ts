// This machine's limits, measured before the workloads so each row can say how close it comes:
// the FMA peak at the SIMD level in use (float32 and float64, all threads, 12 independent FMA
// chains per thread: native/core/probe.cpp) and the triad bandwidth over arrays larger than the
// last-level cache. Also the CPU model and cache sizes for the table's header, and the peak
// resident memory of the training rows, each run in a child process on both sides.
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { native } from '../native';
import { PYTHON, Row, TORCH_ENV, torchScript } from './runner';
import { Workload } from './workloads';

export interface Limits {
  model: string;
  /** Data cache sizes in bytes (0 = unknown). */
  l1d: number;
  l2: number;
  l3: number;
  /** SIMD level the peaks were measured at. */
  simd: string;
  threads: number;
  peakF32: number;
  peakF64: number;
  /** GB/s, STREAM's convention (3 arrays of traffic per element, no write-allocate). */
  triad: number;
  /** 1-minute load average and CPU count when the limits were measured (a busy machine's figures are low). */
  load: number;
  cpus: number;
}

/** Triad bandwidth in GB/s, 0.5 s over 3 arrays well beyond the LLC (memory, not cache). */
export function measureTriad(): number {
  const bytes = Math.max(64 << 20, 8 * native.probe('info').l3);
  return native.probe('triad', bytes, 0.5);
}

/** ~1.5 s in all: the FMA probe runs 0.4 s per type, the triad 0.5 s over 3 × 256 MiB. */
export function measureLimits(simd: string, threads: number): Limits {
  const info = native.probe('info');
  return {
    ...info,
    simd,
    threads,
    peakF32: native.probe('peak', simd, false, threads, 0.4),
    peakF64: native.probe('peak', simd, true, threads, 0.4),
    triad: measureTriad(),
    load: os.loadavg()[0],
    cpus: os.cpus().length,
  };
}

/** The row's share of its limit (0..1), or undefined when nothing bounds it simply. */
export function limitShare(row: Row, w: Workload, limits: Limits): number | undefined {
  if (!w.limit || row.msPerStep === undefined || row.value === null) return undefined;
  const s = row.msPerStep / 1000;
  if ('flop' in w.limit) return w.limit.flop / s / 1e9 / (w.limit.f64 ? limits.peakF64 : limits.peakF32);
  return w.limit.bytes / s / 1e9 / (row.triad ?? limits.triad);
}

export function describeLimits(l: Limits): string {
  const kib = (b: number) => (b >= 1 << 20 ? `${b / (1 << 20)} MiB` : `${b / 1024} KiB`);
  const caches = [['L1d', l.l1d], ['L2', l.l2], ['L3', l.l3]]
    .filter(([, b]) => (b as number) > 0).map(([n, b]) => `${n} ${kib(b as number)}`).join(', ');
  return `CPU: ${l.model || 'unknown'}${caches ? ` (${caches})` : ''}\n` +
    `limits (measured now, ${l.threads} thread(s)): FMA peak at ${l.simd} ${l.peakF32.toFixed(0)} GFLOP/s float32, ` +
    `${l.peakF64.toFixed(0)} float64; triad bandwidth ${l.triad.toFixed(1)} GB/s\n` +
    `load average ${l.load.toFixed(1)} on ${l.cpus} CPU(s)` +
    (l.load > l.cpus * 0.75 ? ' — other processes compete for the cores: medians (and shares of the limits) come out low' : '');
}

export interface Rss {
  /** Peak resident memory of the child running the workload, MiB. */
  peakMiB: number;
  /** Resident memory after loading the library, before the workload, MiB. */
  baseMiB: number;
}

function parseRss(out: string, peakKey: string, baseKey: string): Rss | string {
  try {
    const j = JSON.parse(out.trim().split('\n').pop() as string);
    return { peakMiB: j[peakKey] / 1024, baseMiB: j[baseKey] / 1024 };
  } catch {
    return `unreadable output ${JSON.stringify(out.slice(-200))}`;
  }
}

/** Runs one training workload for a few steps in a fresh Node process: its peak RSS. */
export function tensorfoldRss(id: string, threads: number, seconds: number): Rss | string {
  const dist = path.resolve(__dirname, '..');
  // VmHWM (Linux) is this process's own high-water mark; ru_maxrss is not: Linux carries the
  // parent's figure across fork and exec, so every child started from the bench would report at
  // least the bench's own peak.
  const code = `
    const fs = require('fs');
    const hwm = () => {
      try { return +/VmHWM:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]; }
      catch { return process.resourceUsage().maxRSS; }
    };
    const base = hwm();
    const tf = require(${JSON.stringify(path.join(dist, 'index.js'))});
    const { WORKLOADS } = require(${JSON.stringify(path.join(dist, 'bench', 'workloads.js'))});
    tf.setNumThreads(${threads});
    const loaded = hwm();
    tf.manualSeed(0);
    const p = WORKLOADS.find((w) => w.id === ${JSON.stringify(id)}).prepare();
    const t0 = Date.now();
    for (let n = 0; n < 3 || (Date.now() - t0 < ${seconds * 1000} && n < 50); n++) p.step();
    p.dispose();
    console.log(JSON.stringify({ peakKB: hwm(), baseKB: loaded, nodeKB: base }));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: process.env });
  if (r.status !== 0) return `child failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return parseRss(r.stdout, 'peakKB', 'baseKB');
}

/** The same on PyTorch: scripts/bench_torch.py --rss in a fresh Python process. */
export function torchRss(id: string, threads: number, seconds: number): Rss | string {
  const r = spawnSync(PYTHON, [torchScript(), '--rss', '--threads', String(threads), '--time', String(seconds), id],
    { encoding: 'utf8', env: { ...process.env, ...TORCH_ENV } });
  if (r.status !== 0) return `child failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return parseRss(r.stdout, 'peakKB', 'baseKB');
}
