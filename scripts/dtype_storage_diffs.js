#!/usr/bin/env node
// Lists where dist/ disagrees with test/fixtures/dtype_storage.json.gz today: one line per case,
// `id => difference`, and the count. For updating DIFFERENT in test/dtype_storage.test.js after
// an engine fix:   node scripts/dtype_storage_diffs.js [idPrefix]
'use strict';
const { loadCases, replay } = require('../test/dtype_storage_replay');

const prefix = process.argv[2] || '';
let pass = 0, fail = 0;
for (const c of loadCases()) {
  if (!c.id.startsWith(prefix)) continue;
  let diff;
  try {
    diff = replay(c).diff;
  } catch (e) {
    diff = `harness: ${e.message}`;
  }
  if (diff) {
    fail++;
    console.log(`${c.id} => ${diff}`);
  } else {
    pass++;
  }
}
console.log(`${pass} agree, ${fail} differ`);
