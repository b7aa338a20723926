// Command-line options for the examples, parsed by Node's util.parseArgs in strict mode. Each
// example declares its options with defaults and help; every example also takes
//   --logdir DIR   write TensorBoard event files there (tf.utils.tensorboard.SummaryWriter)
//   --out DIR      where pictures and checkpoints go (default: examples/out)
//   --help         print the usage and exit
// A bad option prints the usage to stderr and exits with status 2 (no stack trace).
import * as path from 'path';
import { parseArgs as nodeParseArgs } from 'util';
import { packageRoot } from './tf';

export interface Option<V extends string | number | boolean = string | number | boolean> {
  default: V;
  help: string;
}

type Value<O> = O extends Option<infer V> ? (V extends number ? number : V extends boolean ? boolean : string) : never;
export type Args<T> = { [K in keyof T]: Value<T[K]> } & { logdir: string; out: string };

export interface Usage {
  /** The example's file name without extension, e.g. 'mnist_mlp'. */
  name: string;
  /** One or two lines saying what it does. */
  summary: string;
  /** The default --out directory, relative to the package root (default: examples/out). */
  out?: string;
}

const COMMON = {
  logdir: { default: '', help: 'write TensorBoard event files to DIR (view with: tensorboard --logdir DIR)' },
  out: { default: '', help: 'directory for the pictures (and checkpoints) (default: examples/out)' },
};

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

function usageText(u: Usage, opts: Record<string, Option>): string {
  const lines = Object.entries(opts).map(([k, o]) => {
    const metavar = typeof o.default === 'boolean' ? '' : typeof o.default === 'number' ? ' N' : /dir$|^out$/i.test(k) ? ' DIR' : ' TEXT';
    const flag = `--${kebab(k)}${metavar}`;
    const def = typeof o.default === 'boolean' || o.default === '' || /\(0: /.test(o.help) ? '' : ` (default ${o.default})`;
    return `  ${flag.padEnd(22)} ${o.help}${def}`;
  });
  return `usage: node examples/dist/${u.name}.js [options]\n\n${u.summary}\n\noptions:\n${lines.join('\n')}\n  ${'--help'.padEnd(22)} print this help and exit`;
}

export function parseArgs<T extends Record<string, Option>>(usage: Usage, options: T, argv = process.argv.slice(2)): Args<T> {
  const all: Record<string, Option> = { ...options, ...COMMON };
  if (usage.out) all.out = { default: '', help: `directory for the pictures (default: ${usage.out})` };
  const text = usageText(usage, all);
  const fail = (msg: string): never => {
    process.stderr.write(`${usage.name}: ${msg}\n\n${text}\n`);
    process.exit(2);
  };
  const spec: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [k, o] of Object.entries(all)) spec[kebab(k)] = { type: typeof o.default === 'boolean' ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = nodeParseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    return fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(text + '\n');
    process.exit(0);
  }
  const out: Record<string, string | number | boolean> = {};
  for (const [k, o] of Object.entries(all)) {
    const raw = values[kebab(k)];
    if (raw === undefined) out[k] = o.default;
    else if (typeof o.default === 'number') {
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v)) fail(`option --${kebab(k)} must be a number, got ${JSON.stringify(raw)}`);
      out[k] = v;
    } else out[k] = raw;
  }
  out.out = path.resolve((out.out as string) || path.join(packageRoot(), usage.out ?? path.join('examples', 'out')));
  return out as Args<T>;
}

/** The example's options as hyperparameters (for TensorBoard's hparams dashboard). */
export function hparamsOf(args: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  const { logdir, out, ...rest } = args;
  void logdir;
  void out;
  return rest;
}
