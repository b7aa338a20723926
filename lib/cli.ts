#!/usr/bin/env node
// The `tensorfold` command. Commands are rows of COMMANDS, each with its own flags (util.parseArgs
// options) and usage text; add one by appending a Command. Bad flags or arguments print a usage
// message and exit with status 2, never a stack trace.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { benchCommand } from './bench/cli';
import { launchCommand } from './launch';
import { UsageError } from './cli_usage';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** The command's full --help text (a function: it may load what it lists). */
  usage(): string;
  /** util.parseArgs options; -h/--help is added to every command. */
  options: Record<string, OptionSpec>;
  allowPositionals: boolean;
  /** Resolves to the exit status. Throws UsageError for arguments it rejects. */
  run(args: ParsedArgs): Promise<number>;
  /**
   * For commands that forward arguments they do not know (launch hands them to mpirun): called
   * with the raw arguments before parsing; a number returned is the exit status, undefined means
   * "parse as usual".
   */
  raw?(argv: string[]): Promise<number | undefined> | number | undefined;
}

export const COMMANDS: Command[] = [benchCommand, launchCommand];

function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')).version;
}

function topUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: tensorfold <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

options:
  -h, --help     print this text (\`tensorfold <command> --help\` for a command's options)
  -v, --version  print the version of tensorfold`;
}

// parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes and a message written for programmers;
// say the same thing in the words of a command line.
function parseError(e: unknown): UsageError | null {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return null;
  const msg = (e as Error).message;
  const flag = /'(-[^']*)'/.exec(msg)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${flag ?? msg}`);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(`unexpected argument: ${msg}`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // "Option '--threads <value>' argument missing" vs a boolean flag given a value.
    if (/argument missing/.test(msg)) return new UsageError(`${flag?.split(' ')[0] ?? 'an option'} needs a value`);
    return new UsageError(`${flag?.split(' ')[0] ?? 'an option'} takes no value`);
  }
  return new UsageError(msg);
}

async function runCommand(cmd: Command, argv: string[]): Promise<number> {
  // A raw command answers --help itself: `launch -np 2 train.js --help` is the script's flag.
  if (cmd.raw) {
    const status = await cmd.raw(argv);
    if (status !== undefined) return status;
  }
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: cmd.allowPositionals,
      strict: true,
    }) as ParsedArgs;
  } catch (e) {
    throw parseError(e) ?? e;
  }
  if (parsed.values.help) {
    process.stdout.write(cmd.usage() + '\n');
    return 0;
  }
  return cmd.run(parsed);
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  let cmd: Command | undefined;
  try {
    if (first === undefined) {
      process.stderr.write(topUsage() + '\n');
      return 2;
    }
    if (first === '-h' || first === '--help') {
      process.stdout.write(topUsage() + '\n');
      return 0;
    }
    if (first === '-v' || first === '--version') {
      process.stdout.write(packageVersion() + '\n');
      return 0;
    }
    if (first === 'help') {
      const target = rest[0] === undefined ? undefined : COMMANDS.find((c) => c.name === rest[0]);
      if (rest[0] !== undefined && !target) throw new UsageError(`unknown command ${JSON.stringify(rest[0])}`);
      process.stdout.write((target ? target.usage() : topUsage()) + '\n');
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option ${first}`);
    cmd = COMMANDS.find((c) => c.name === first);
    if (!cmd)
      throw new UsageError(`unknown command ${JSON.stringify(first)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return await runCommand(cmd, rest);
  } catch (e) {
    if (e instanceof UsageError) {
      const help = cmd ? `tensorfold ${cmd.name} --help` : 'tensorfold --help';
      process.stderr.write(`tensorfold${cmd ? ' ' + cmd.name : ''}: ${e.message}\n(run \`${help}\` for usage)\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`tensorfold: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
