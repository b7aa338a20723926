// `tensorfold bench`: its flags, usage text and the run that prints the table or JSON.
// Progress goes to stderr so that `--json` leaves stdout holding nothing but the JSON.
import * as fs from 'fs';
import * as path from 'path';
import type { Command, ParsedArgs } from '../cli';
import { UsageError } from '../cli_usage';

function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

function positiveSeconds(flag: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const s = Number(v);
  if (!(s > 0) || !Number.isFinite(s)) throw new UsageError(`${flag} must be a positive number of seconds, got ${JSON.stringify(v)}`);
  return s;
}

async function run({ values, positionals }: ParsedArgs): Promise<number> {
  // The engine loads only here, so `tensorfold --help` and `--version` work without the addon.
  const tf = await import('../index');
  const { runBench, TorchServer, benchState } = await import('./runner');
  const { renderTable } = await import('./table');
  const { WORKLOADS, WORKLOAD_IDS } = await import('./workloads');
  type TorchInfo = import('./runner').TorchInfo;
  type TorchServerT = import('./runner').TorchServer;

  const threads = positiveInt('--threads', values.threads as string | undefined);
  const time = positiveSeconds('--time', values.time as string | undefined, 1.5);
  const compare = values.compare === true;
  const plot = values.plot as string | undefined;
  if (plot !== undefined) {
    // Checked before any timing, so a bad --plot costs nothing.
    const { plottingAvailable, rasteriser, PLOT_PACKAGES } = await import('../utils/plot');
    if (!/\.(svg|png)$/i.test(plot)) throw new UsageError(`--plot needs a .svg or .png file name, got ${JSON.stringify(plot)}`);
    if (!plottingAvailable()) throw new UsageError(`--plot needs the ${PLOT_PACKAGES} packages: npm install --save-dev ${PLOT_PACKAGES}`);
    if (/\.png$/i.test(plot) && !rasteriser()) throw new UsageError('--plot FILE.png needs rsvg-convert (librsvg2-bin) or ImageMagick; use FILE.svg');
  }
  const unknown = positionals.filter((id) => !WORKLOAD_IDS.includes(id));
  if (unknown.length)
    throw new UsageError(`unknown workload${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')}; ` +
      `valid workloads: ${WORKLOAD_IDS.join(', ')}`);

  if (threads !== undefined) tf.setNumThreads(threads);
  const info = tf.backendInfo();
  const list = positionals.length ? WORKLOADS.filter((w) => positionals.includes(w.id)) : WORKLOADS;
  const progress = (line: string) => process.stderr.write(line + '\n');
  progress(`tensorfold bench: ${list.length} workload(s), ${info.threads} thread(s), ~${time} s each` +
    (compare ? ', then the same on PyTorch, workload by workload' : ''));

  let torch: TorchInfo | null = null;
  let server: TorchServerT | null = null;
  if (compare) {
    // Same thread count on both sides, whether or not --threads was given.
    const started = await TorchServer.start(info.threads, time);
    if (started instanceof TorchServer) {
      server = started;
      torch = started.info;
    } else {
      torch = started;
      progress(`PyTorch: not available, ${started.reason}; timing tensorfold only`);
    }
  }
  let rows;
  try {
    rows = await runBench(list, time, progress, server);
  } finally {
    server?.close();
  }

  const head = { version: packageVersion(), ...info };
  if (values.json === true) {
    process.stdout.write(JSON.stringify({
      tensorfold: head,
      machine: benchState.limits,
      torch,
      ratio: 'timeRatio = tensorfold time / PyTorch time (GFLOP/s converted to time); below 1 = tensorfold faster',
      rows,
    }, null, 2) + '\n');
  } else {
    process.stdout.write(renderTable(rows, head, torch) + '\n');
  }
  if (plot !== undefined) {
    const { plotBench } = await import('./plot');
    progress(`plot: ${(await plotBench(rows, plot, { ...head, torchVersion: torch?.version })).join(', ')}`);
  }
  return rows.some((r) => r.error) ? 1 : 0;
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'time the benchmark workloads (optionally against PyTorch)',
  usage() {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { WORKLOADS } = require('./workloads') as typeof import('./workloads');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { PYTHON } = require('./runner') as typeof import('./runner');
    const { PLOT_PACKAGES } = require('../utils/plot') as typeof import('../utils/plot');
    return `usage: tensorfold bench [workload...] [--threads N] [--json] [--compare] [--time S] [--plot FILE]

Runs the benchmark workloads (all of them, or those named), float32, and prints a table.
  --threads N    engine threads (tf.setNumThreads); PyTorch gets the same number
  --json         print machine-readable results on stdout (progress stays on stderr)
  --compare      also run the workloads on PyTorch (${PYTHON}) and print the ratio per row
  --time S       target seconds per workload (default 1.5)
  --plot FILE    also draw the results as a bar chart, FILE.svg or FILE.png (needs npm i -D ${PLOT_PACKAGES})
  --distributed  allreduce latency/bandwidth and DDP step scaling over MPI ranks, against PyTorch's gloo
                 (its own flags: --np N, --time S, --batch B, --json, --no-torch; --distributed --help)
  -h, --help     print this text

workloads:
${WORKLOADS.map((w) => `  ${w.id.padEnd(Math.max(...WORKLOADS.map((x) => x.id.length)))}  ${w.description}`).join('\n')}`;
  },
  options: {
    threads: { type: 'string' },
    json: { type: 'boolean' },
    compare: { type: 'boolean' },
    time: { type: 'string' },
    plot: { type: 'string' },
  },
  allowPositionals: true,
  run,
  // `bench --distributed` has its own flags (lib/bench/distributed.ts) and runs under mpirun.
  async raw(argv: string[]): Promise<number | undefined> {
    if (!argv.includes('--distributed')) return undefined;
    const { distributedBench } = await import('./distributed');
    return distributedBench(argv.filter((a) => a !== '--distributed'));
  },
};
