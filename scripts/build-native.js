#!/usr/bin/env node
// Builds the native addon into build/Release/tensorfold.node.
//
//   node scripts/build-native.js            build unless a loadable addon is already there
//   node scripts/build-native.js --force    always rebuild (also TENSORFOLD_FORCE_BUILD=1)
//
// Order: cmake-js (the main build) when cmake and cmake-js are available, else node-gyp through
// binding.gyp (npm bundles node-gyp, so a machine without cmake still builds). When installed as a
// dependency from the packed tarball, the prebuilt binary under prebuilds/ is used if it loads, so
// nothing is compiled and nothing is downloaded. TENSORFOLD_BLAS=0 builds without OpenBLAS
// (and so without LAPACK); TENSORFOLD_LAPACK=0 keeps OpenBLAS for GEMM but not for factorizations;
// TENSORFOLD_MPI=0 builds without the MPI backend of tf.distributed.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const force = process.argv.includes('--force') || process.env.TENSORFOLD_FORCE_BUILD === '1';
const built = path.join(root, 'build', 'Release', 'tensorfold.node');
const prebuilt = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'tensorfold.node');

function loads(file) {
  if (!fs.existsSync(file)) return false;
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { stdio: 'ignore' });
  return r.status === 0;
}

// Builds in one checkout are serialised with flock(1) where it exists, so two builds started at
// once (parallel terminals, test runners) do not clobber each other's object files.
function run(cmd, args) {
  console.log(`[tensorfold] ${[cmd, ...args].join(' ')}`);
  const hasFlock = process.platform === 'linux' && spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
  const lock = path.join(require('os').tmpdir(), `tensorfold-build-${Buffer.from(root).toString('hex').slice(-32)}.lock`);
  const [c, a] = hasFlock ? ['flock', [lock, cmd, ...args]] : [cmd, args];
  const r = spawnSync(c, a, { cwd: root, stdio: 'inherit', env: process.env });
  return r.status === 0;
}

function hasCmake() {
  const r = spawnSync('cmake', ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

function findModule(spec) {
  try {
    return require.resolve(spec, { paths: [root] });
  } catch {
    return null;
  }
}

function canUseCmakeJs() {
  return !!findModule('cmake-js/bin/cmake-js') && hasCmake();
}

function buildWithCmakeJs() {
  const cli = findModule('cmake-js/bin/cmake-js');
  const args = [cli, 'compile', '--config', 'Release'];
  if (process.env.TENSORFOLD_BLAS === '0') args.push('--CDTF_BLAS=OFF');
  if (process.env.TENSORFOLD_LAPACK === '0') args.push('--CDTF_LAPACK=OFF');
  if (process.env.TENSORFOLD_MPI === '0') args.push('--CDTF_MPI=OFF');
  if (process.env.TENSORFOLD_BUILD_DIR) args.push('--out', process.env.TENSORFOLD_BUILD_DIR);
  return run(process.execPath, args);
}

function buildWithNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    findModule('node-gyp/bin/node-gyp.js'),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter((p) => p && fs.existsSync(p));
  if (!candidates.length) return false;
  const args = [candidates[0], 'rebuild', '--release'];
  if (process.env.npm_config_nodedir) args.push(`--nodedir=${process.env.npm_config_nodedir}`);
  return run(process.execPath, args);
}

function main() {
  if (!force && (loads(built) || loads(prebuilt))) {
    console.log('[tensorfold] native addon present, not rebuilding (use --force to rebuild)');
    return;
  }
  // node-gyp only where cmake-js cannot run at all: after a compile error it would fail the same way.
  const useGyp = process.env.TENSORFOLD_BUILDER === 'node-gyp' || !canUseCmakeJs();
  const ok = useGyp ? buildWithNodeGyp() : buildWithCmakeJs();
  if (!ok || !loads(built)) {
    console.error('[tensorfold] could not build the native addon. Needed: a C++17 compiler and either ' +
      'cmake (with the cmake-js package) or node-gyp with Python. See README.md, "Installing".');
    process.exit(1);
  }
}

main();
