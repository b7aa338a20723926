#!/usr/bin/env node
// The `tensorfold` command. One subcommand so far: `bench`, the benchmark of WORKLOADS.md.
// Progress goes to stderr so that `--json` leaves stdout holding nothing but the JSON.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from './index';
import { runBench, Row, TorchInfo, TorchServer, PYTHON, benchState } from './bench/runner';
import { renderTable } from './bench/table';
import { WORKLOADS, WORKLOAD_IDS } from './bench/workloads';

const USAGE = `usage: tensorfold bench [workload...] [--threads N] [--json] [--compare] [--time S]

Runs the benchmark workloads (all of them, or those named), float32, and prints a table.
  --threads N   engine threads (tf.setNumThreads); PyTorch gets the same number
  --json        print machine-readable results on stdout (progress stays on stderr)
  --compare     also run the workloads on PyTorch (${PYTHON}) and print the ratio per row
  --time S      target seconds per workload (default 1.5)

workloads:
${WORKLOADS.map((w) => `  ${w.id.padEnd(12)} ${w.description}`).join('\n')}`;

class UsageError extends Error {}

interface BenchArgs {
  ids: string[];
  threads?: number;
  json: boolean;
  compare: boolean;
  time: number;
}

function parseBench(argv: string[]): BenchArgs {
  const a: BenchArgs = { ids: [], json: false, compare: false, time: 1.5 };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--json':
        a.json = true;
        break;
      case '--compare':
        a.compare = true;
        break;
      case '--threads': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads must be a positive integer, got ${JSON.stringify(v)}`);
        a.threads = n;
        break;
      }
      case '--time': {
        const v = value();
        const s = Number(v);
        if (!(s > 0) || !Number.isFinite(s)) throw new UsageError(`--time must be a positive number of seconds, got ${JSON.stringify(v)}`);
        a.time = s;
        break;
      }
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        a.ids.push(arg);
    }
  }
  const unknown = a.ids.filter((id) => !WORKLOAD_IDS.includes(id));
  if (unknown.length)
    throw new UsageError(`unknown workload${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')}; ` +
      `valid workloads: ${WORKLOAD_IDS.join(', ')}`);
  return a;
}

function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

async function bench(argv: string[]): Promise<number> {
  const args = parseBench(argv);
  if (args.threads !== undefined) tf.setNumThreads(args.threads);
  const info = tf.backendInfo();
  const list = args.ids.length ? WORKLOADS.filter((w) => args.ids.includes(w.id)) : WORKLOADS;
  const progress = (line: string) => process.stderr.write(line + '\n');
  progress(`tensorfold bench: ${list.length} workload(s), ${info.threads} thread(s), ~${args.time} s each` +
    (args.compare ? ', then the same on PyTorch, workload by workload' : ''));

  let torch: TorchInfo | null = null;
  let server: TorchServer | null = null;
  if (args.compare) {
    // Same thread count on both sides, whether or not --threads was given.
    const started = await TorchServer.start(info.threads, args.time);
    if (started instanceof TorchServer) {
      server = started;
      torch = started.info;
    } else {
      torch = started;
      progress(`PyTorch: not available, ${started.reason}; timing tensorfold only`);
    }
  }
  let rows: Row[];
  try {
    rows = await runBench(list, args.time, progress, server);
  } finally {
    server?.close();
  }

  const head = { version: packageVersion(), ...info };
  if (args.json) {
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
  return rows.some((r) => r.error) ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'bench') {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      return await bench(rest);
    }
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(USAGE + '\n');
      return cmd === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command ${JSON.stringify(cmd)} (the only command is "bench")`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tensorfold: ${e.message}\n(run \`tensorfold bench --help\` for usage)\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`tensorfold: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  },
);
