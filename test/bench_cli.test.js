// The `tensorfold bench` command, run as a user runs it: a child process on the built dist/cli.js.
// Timings are never asserted (they depend on the machine); the shape of the output is.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');

function cli(args) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });
}

describe('tensorfold bench', () => {
  test('--json prints one row per named workload and nothing else on stdout', () => {
    // --time 0.2 keeps each workload short; the runner still takes ≥ 3 samples after warm-up.
    const r = cli(['bench', 'small_add', 'gemm256', '--json', '--time', '0.2', '--threads', '1']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tensorfold).toEqual(expect.objectContaining({ threads: 1, blas: expect.any(String), simd: expect.any(String) }));
    expect(out.torch).toBeNull();
    expect(out.rows.map((row) => row.workload)).toEqual(['gemm256', 'small_add']);
    const units = Object.fromEntries(out.rows.map((row) => [row.workload, row.unit]));
    expect(units).toEqual({ gemm256: 'GFLOP/s', small_add: 'µs/op' });
    for (const row of out.rows) {
      expect(row.value).toBeGreaterThan(0);
      expect(row.msPerStep).toBeGreaterThan(0);
      expect(row.samples).toBeGreaterThanOrEqual(3);
    }
    // Progress goes to stderr, one line per workload at least.
    expect(r.stderr).toMatch(/small_add/);
  });

  test('the table names the unit per row', () => {
    const r = cli(['bench', 'sum_16M', '--time', '0.2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^sum_16M\s+\S+\s+ms\b/m);
    expect(r.stdout).toMatch(/SIMD/);
  });

  test('an unknown workload is an error that lists the valid ones', () => {
    const r = cli(['bench', 'small_add', 'gemm3']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown workload "gemm3"/);
    expect(r.stderr).toMatch(/gemm256.*small_tape/);
  });

  test('bad options are errors', () => {
    expect(cli(['bench', '--threads', '0']).stderr).toMatch(/--threads must be a positive integer/);
    expect(cli(['bench', '--frobnicate']).stderr).toMatch(/unknown option --frobnicate/);
    expect(cli(['frob']).status).toBe(2);
  });

  test('training workloads run, or are skipped with a reason, never crash', () => {
    const r = cli(['bench', 'mlp_step', '--json', '--time', '0.2']);
    const [row] = JSON.parse(r.stdout).rows;
    expect(row.workload).toBe('mlp_step');
    if (row.value === null) expect(row.skipped || row.error).toEqual(expect.any(String));
    else expect(row.unit).toBe('ms/step');
  });
});
