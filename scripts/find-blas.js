// Used by binding.gyp: prints 1 when OpenBLAS (cblas.h and libopenblas) is present, else 0.
// With --include, prints the directory holding cblas.h. TENSORFOLD_BLAS=0 forces the own GEMM.
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
if (process.argv.includes('--include')) process.stdout.write(inc || '.');
else process.stdout.write(enabled ? '1' : '0');
