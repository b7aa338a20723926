// `tensorfold launch -np N script.js [args]`: starts N ranks of a Node script under mpirun with the
// flags a data-parallel job needs on one machine, and returns mpirun's exit code.
//   --allow-run-as-root   when root (containers, CI): OpenMPI refuses otherwise
//   --oversubscribe       when N exceeds the cores: OpenMPI refuses otherwise
//   --bind-to none        each rank runs its own thread pool; binding a rank to one core would
//                         starve it (OpenMPI binds to a core by default for N <= 2)
// Options before the script that are not ours go to mpirun as they are (--hostfile h, -x VAR,
// --mca btl tcp,self, ...), so multi-machine jobs use the same command.
import { spawnSync } from 'child_process';
import * as os from 'os';

export const LAUNCH_USAGE = `usage: tensorfold launch -np N [mpirun options] script.js [script args]

Runs N copies of script.js as one tf.distributed job under mpirun (OpenMPI or MPICH).
  -np N, -n N   number of ranks
  --dry-run     print the mpirun command instead of running it
Other options before the script are passed to mpirun (e.g. --hostfile hosts, --mca btl tcp,self).`;

function isOpenMpi(mpirun: string): boolean {
  const r = spawnSync(mpirun, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /Open MPI|OpenRTE/i.test(`${r.stdout}${r.stderr}`);
}

/** Builds the mpirun argument list; exported for tests. */
export function launchArgs(argv: string[], openmpi: boolean, cores = os.cpus().length,
  root = typeof process.getuid === 'function' && process.getuid() === 0): { np: number; args: string[]; dryRun: boolean } {
  let np = 0;
  let dryRun = false;
  const passthrough: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-np' || a === '-n' || a === '--np') {
      const v = argv[++i];
      np = Number(v);
      if (!Number.isInteger(np) || np < 1) throw new Error(`launch: ${a} needs a positive integer, got ${JSON.stringify(v)}`);
    } else if (a === '--dry-run') {
      dryRun = true;
    } else if (a.startsWith('-')) {
      passthrough.push(a);
      // An option's value, unless it is the script itself.
      if (i + 1 < argv.length && !argv[i + 1].startsWith('-') && !/\.(c|m)?(j|t)s$/.test(argv[i + 1])) passthrough.push(argv[++i]);
    } else {
      break;
    }
  }
  if (np === 0) throw new Error('launch: give the number of ranks with -np N');
  if (i >= argv.length) throw new Error('launch: give the script to run (tensorfold launch -np N script.js)');
  const args = ['-np', String(np)];
  if (openmpi) {
    if (root) args.push('--allow-run-as-root');
    if (np > cores) args.push('--oversubscribe');
    args.push('--bind-to', 'none');
  }
  args.push(...passthrough, process.execPath, ...argv.slice(i));
  return { np, args, dryRun };
}

export function launchMain(argv: string[]): number {
  // Flags after the script are the script's own (`launch -np 2 train.js --help` asks train.js).
  const script = argv.findIndex((a) => /\.(c|m)?(j|t)s$/.test(a));
  const ours = script < 0 ? argv : argv.slice(0, script);
  if (ours.includes('--help') || ours.includes('-h') || argv.length === 0) {
    process.stdout.write(LAUNCH_USAGE + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  const mpirun = process.env.TENSORFOLD_MPIRUN || 'mpirun';
  const probe = spawnSync(mpirun, ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status === null) {
    process.stderr.write(`tensorfold launch: ${mpirun} not found. Install MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) ` +
      'and rebuild tensorfold (npm run build).\n');
    return 127;
  }
  let parsed;
  try {
    parsed = launchArgs(argv, isOpenMpi(mpirun));
  } catch (e) {
    process.stderr.write(`tensorfold ${(e as Error).message}\n${LAUNCH_USAGE}\n`);
    return 2;
  }
  if (parsed.dryRun) {
    process.stdout.write([mpirun, ...parsed.args].join(' ') + '\n');
    return 0;
  }
  const r = spawnSync(mpirun, parsed.args, { stdio: 'inherit' });
  if (r.error) {
    process.stderr.write(`tensorfold launch: ${r.error.message}\n`);
    return 1;
  }
  return r.status ?? 1;
}

/** The `launch` row of the CLI's command table (lib/cli.ts): it parses its own arguments. */
export const launchCommand = {
  name: 'launch',
  summary: 'run a script as N ranks of one tf.distributed job under mpirun',
  usage: (): string => LAUNCH_USAGE,
  options: {},
  allowPositionals: true,
  raw: (argv: string[]): number => launchMain(argv),
  run: async (): Promise<number> => launchMain([]),
};
