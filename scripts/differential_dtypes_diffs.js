#!/usr/bin/env node
// Lists the programs of test/fixtures/differential_dtypes.json.gz where tensorfold disagrees with
// PyTorch today, grouped by the first step whose dtype differs from PyTorch's promotion (else by the kind
// of the first difference): for keeping KNOWN_FAILING of test/differential_dtypes.test.js up to date.
//   node scripts/differential_dtypes_diffs.js [--ids]      (after npx tsc / npm run build)
//   node scripts/differential_dtypes_diffs.js --known      prints KNOWN_FAILING's entries (the causes of
//                                                          CAUSE_OF below; UNKNOWN where none fits: look)
'use strict';
const tf = require('..');
const { check, fixture, firstDtypeDifference } = require('../test/differential_dtypes_check');
const { run } = require('../test/differential_replay');

// The cause (a key of the test's CAUSE) of a failure from its first dtype difference / first failure.
function causeOf(d, first, p) {
  if (d && /^%\d+ = norm\((float16|bfloat16)\[/.test(d)) return 'halfNormP';
  if (d && /\((float16|bfloat16)\[\], /.test(d) || (d && /, (float16|bfloat16)\[\], /.test(d))) return 'half0d';
  if (d && /(float16|bfloat16)\[\]\): float32/.test(d)) return 'half0d';
  if (d && /\(uint8\[\], /.test(d)) return 'uint80d';
  if (first.startsWith('threw') && first.includes('a view of a leaf')) return 'viewNotCopy';
  // a comparison of a 0-d uint8 with a negative number (a bool result, so no dtype difference shows)
  const u80dCompare = p.steps.some((s, i) => ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(s.f) && typeof s.a[1] === 'number' && s.a[1] < 0 &&
    s.a[0].$ !== undefined && p.expected.stepDtypes[s.a[0].$] === 'uint8' && uint8ZeroDim(p, s.a[0].$));
  if (!d && u80dCompare) return 'uint80d';
  return 'UNKNOWN';
}
// Whether stack value i of p is 0-d (from the shape ops' record: only inputs' shapes are in the fixture).
function uint8ZeroDim(p, i) {
  let shape = null;
  run(p, (j, y) => { if (j === i) shape = y.shape; });
  return shape !== null && shape.length === 0;
}

// The start of a failure that stays the same while its cause does (no numbers).
const prefixOf = (first) => (first.startsWith('threw') ? first.slice(0, first.indexOf(':') + 1)
  : first.includes(': dtype ') ? first : first.slice(0, first.indexOf(':', first.indexOf(':') + 1) + 1));

const groups = new Map();
const known = [];
for (const p of fixture.programs) {
  const f = tf.tidy(() => check(p));
  if (!f.length) continue;
  const d = tf.tidy(() => firstDtypeDifference(p));
  // group key: the op and the dtypes (ranks dropped to 0-d / n-d) of the first dtype difference
  const key = d ? d.replace(/^%\d+ = /, '').replace(/\[[\d,]+\]/g, '[n]').replace(/\[\]/g, '[0d]') : f[0].replace(/-?\d[\d.e+-]*/g, '#');
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push([p.id, f[0], d]);
  known.push(`  ${p.id}: [${JSON.stringify(prefixOf(f[0])).replace(/'/g, "\\'").replace(/^"|"$/g, "'")}, C.${tf.tidy(() => causeOf(d, f[0], p))}],`);
}
if (process.argv.includes('--known')) {
  console.log(known.join('\n'));
  process.exit(0);
}
const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
let total = 0;
for (const [key, items] of sorted) {
  total += items.length;
  console.log(`${items.length}\t${key}`);
  if (process.argv.includes('--ids')) for (const [id, first] of items) console.log(`\t${id}\t${first}`);
}
console.log(`${total} of ${fixture.programs.length} programs disagree`);
