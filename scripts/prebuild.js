#!/usr/bin/env node
// Runs before `npm pack`: builds a self-contained addon (own GEMM, no OpenBLAS link, so it loads on
// machines without OpenBLAS) into prebuilds/<platform>-<arch>/, so the packed tarball installs and
// works with no compiler, no network and no install scripts (npm 11 blocks dependencies' scripts
// by default). Skipped when the prebuilt binary is newer than every native source.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const target = path.join(outDir, 'tensorfold.node');
const buildDir = path.join(root, 'build-prebuild');

function newestSource() {
  let newest = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  walk(path.join(root, 'native'));
  for (const f of ['CMakeLists.txt', 'binding.gyp']) newest = Math.max(newest, fs.statSync(path.join(root, f)).mtimeMs);
  return newest;
}

if (fs.existsSync(target) && fs.statSync(target).mtimeMs > newestSource() && !process.argv.includes('--force')) {
  console.log(`[tensorfold] prebuilt ${path.relative(root, target)} is up to date`);
  process.exit(0);
}
const cli = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
const r = spawnSync(process.execPath, [cli, 'compile', '--config', 'Release', '--out', buildDir, '--CDTF_BLAS=OFF', '--CDTF_STATIC_STDCXX=ON'],
  { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) process.exit(r.status || 1);
fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(path.join(buildDir, 'Release', 'tensorfold.node'), target);
console.log(`[tensorfold] wrote ${path.relative(root, target)}`);
