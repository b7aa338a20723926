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

// The cause (a key of the test's CAUSE) of a failure from its first dtype difference / first failure.
function causeOf(d, first) {
  if (d && /^%\d+ = norm\((float16|bfloat16)\[/.test(d)) return 'halfNormP';
  if (d && /\((float16|bfloat16)\[\], /.test(d) || (d && /, (float16|bfloat16)\[\], /.test(d))) return 'half0d';
  if (d && /(float16|bfloat16)\[\]\): float32/.test(d)) return 'half0d';
  if (d && /\(uint8\[\], /.test(d)) return 'uint80d';
  if (first.startsWith('threw') && first.includes('a view of a leaf')) return 'viewNotCopy';
  return 'UNKNOWN';
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
  known.push(`  ${p.id}: [${JSON.stringify(prefixOf(f[0])).replace(/'/g, "\\'").replace(/^"|"$/g, "'")}, C.${causeOf(d, f[0])}],`);
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
