#!/usr/bin/env node
// Compiles the examples and runs each one whose first line is a `// ci: <args>` comment, with
// those arguments (a small, fast configuration). Data-driven: adding an example with such a line
// adds it to CI. Exit status is non-zero if any example fails.
//
//   node scripts/run-examples.js [name-filter]
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'examples');
const filter = process.argv[2] || '';

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const build = spawnSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('run-examples: the examples do not compile');
  process.exit(1);
}

// Splits a ci line into arguments, honouring simple double quotes.
function splitArgs(s) {
  return (s.match(/"[^"]*"|\S+/g) || []).map((a) => a.replace(/^"(.*)"$/, '$1'));
}

const examples = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f.includes(filter)).sort();
const results = [];
for (const f of examples) {
  const first = fs.readFileSync(path.join(dir, f), 'utf8').split('\n', 1)[0];
  const m = /^\/\/\s*ci:(.*)$/.exec(first);
  if (!m) continue;
  const js = path.join(dir, 'dist', f.replace(/\.ts$/, '.js'));
  const args = splitArgs(m[1].trim());
  console.log(`\n=== ${f} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [js, ...args], { stdio: 'inherit', cwd: root });
  results.push({ f, ok: r.status === 0, s: (Date.now() - t0) / 1000, status: r.status ?? r.signal });
}
console.log('\n=== summary');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.f} (${r.s.toFixed(1)} s${r.ok ? '' : `, exit ${r.status}`})`);
if (results.length === 0) console.log('no example has a `// ci:` line');
process.exit(results.every((r) => r.ok) ? 0 : 1);
