// Used by binding.gyp: prints 1 when OpenBLAS (cblas.h and libopenblas) is present, else 0.
// With --include, prints the directory holding cblas.h. TENSORFOLD_BLAS=0 forces the own GEMM.
// With --lapack, prints 1 when that OpenBLAS also exports LAPACK (the CMake build's link test, done
// here by finding the symbol names in the library file); TENSORFOLD_LAPACK=0 forces the own routines.
'use strict';
const fs = require('fs');
const path = require('path');

const incDirs = ['/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu', '/usr/include/openblas',
  '/usr/include', '/usr/local/include', '/opt/homebrew/opt/openblas/include'];
const libDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib',
  '/opt/homebrew/opt/openblas/lib'];

const inc = incDirs.find((d) => fs.existsSync(path.join(d, 'cblas.h')));
const lib = libDirs.find((d) => ['libopenblas.so', 'libopenblas.dylib', 'libopenblas.a']
  .some((f) => fs.existsSync(path.join(d, f))));
const enabled = process.env.TENSORFOLD_BLAS !== '0' && inc && lib;

function hasLapack() {
  if (!enabled || process.env.TENSORFOLD_LAPACK === '0') return false;
  const file = ['libopenblas.so', 'libopenblas.dylib', 'libopenblas.a'].map((f) => path.join(lib, f)).find((f) => fs.existsSync(f));
  try {
    const bytes = fs.readFileSync(fs.realpathSync(file));
    return ['dgesdd_', 'ssyevd_'].every((s) => bytes.includes(Buffer.from(s + '\0')));
  } catch {
    return false;
  }
}

if (process.argv.includes('--include')) process.stdout.write(inc || '.');
else if (process.argv.includes('--lapack')) process.stdout.write(hasLapack() ? '1' : '0');
else process.stdout.write(enabled ? '1' : '0');
