// The `tensorfold` command line as a user meets it: the built dist/cli.js in a child process.
// Every command has --help; unknown flags and commands are usage errors (status 2), never a stack.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const pkg = require('../package.json');

function cli(args, env = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000, env: { ...process.env, ...env } });
}

function noStack(r) {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).not.toMatch(/\n\s+at /);
}

describe('tensorfold CLI', () => {
  test('--version and -v print the package version and nothing else', () => {
    for (const flag of ['--version', '-v']) {
      const r = cli([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(pkg.version + '\n');
      expect(r.stderr).toBe('');
    }
  });

  test('--version works without the native addon (it never loads it)', () => {
    const r = cli(['--version'], { TENSORFOLD_ADDON: '/nonexistent/tensorfold.node' });
    expect(r.stdout).toBe(pkg.version + '\n');
    const h = cli(['--help'], { TENSORFOLD_ADDON: '/nonexistent/tensorfold.node' });
    expect(h.status).toBe(0);
  });

  test('top-level --help, -h and `help` list the commands', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = cli(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^usage: tensorfold <command>/);
      expect(r.stdout).toMatch(/^ {2}bench {2}/m);
      expect(r.stdout).toMatch(/--version/);
    }
  });

  test('no arguments: usage on stderr, status 2', () => {
    const r = cli([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^usage: tensorfold <command>/);
  });

  test('every command has --help and -h, and `help <command>` says the same', () => {
    for (const name of ['bench']) {
      const long = cli([name, '--help']);
      expect(long.status).toBe(0);
      expect(long.stdout).toMatch(new RegExp(`^usage: tensorfold ${name}`));
      expect(long.stderr).toBe('');
      expect(cli([name, '-h']).stdout).toBe(long.stdout);
      expect(cli(['help', name]).stdout).toBe(long.stdout);
      // --help wins over positionals; an unknown flag stays an error (typos never pass silently).
      expect(cli([name, 'small_add', '--help']).stdout).toBe(long.stdout);
      expect(cli([name, '--frob', '--help']).status).toBe(2);
    }
    expect(cli(['bench', '--help']).stdout).toMatch(/--threads N[\s\S]*workloads:[\s\S]*gemm256/);
  });

  test('bench --distributed --help prints its own usage; flags after launch\'s script are the script\'s', () => {
    const d = cli(['bench', '--distributed', '--help']);
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(/^usage: tensorfold bench --distributed [\s\S]*--np N/);
    noStack(d);
    // Any program that answers --version stands in for mpirun: the dry run only prints the command.
    const l = cli(['launch', '-np', '2', '--dry-run', 'train.js', '--help'], { TENSORFOLD_MPIRUN: process.execPath });
    expect(l.status).toBe(0);
    expect(l.stdout.trim()).toMatch(/ -np 2 .* train\.js --help$/);
    expect(cli(['launch', '--help']).stdout).toMatch(/^usage: tensorfold launch/);
  });

  test('unknown top-level flags and commands: a usage message, status 2, no stack trace', () => {
    for (const [args, msg] of [
      [['--frobnicate'], /unknown option --frobnicate/],
      [['frob'], /unknown command "frob" \(commands: bench/],
      [['help', 'frob'], /unknown command "frob"/],
    ]) {
      const r = cli(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).toMatch(/tensorfold --help/);
      noStack(r);
    }
  });

  test('bad bench flags: a usage message naming the flag, status 2, no stack trace', () => {
    for (const [args, msg] of [
      [['--frobnicate'], /unknown option --frobnicate/],
      [['-x'], /unknown option -x/],
      [['--threads'], /--threads needs a value/],
      [['--threads', '0'], /--threads must be a positive integer, got "0"/],
      [['--threads=1.5'], /--threads must be a positive integer, got "1.5"/],
      [['--time', 'soon'], /--time must be a positive number of seconds/],
      [['--json=yes'], /--json takes no value/],
      [['gemm3'], /unknown workload "gemm3"; valid workloads: .*gemm256/],
    ]) {
      const r = cli(['bench', ...args]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).toMatch(/tensorfold bench --help/);
      noStack(r);
    }
  });
});
