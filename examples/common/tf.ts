// The examples reach tensorfold through this file because, run from a checkout, the package is the
// repository itself rather than an installed dependency. In your own project write
//   import * as tf from 'tensorfold';
import * as fs from 'fs';
import * as path from 'path';
import type * as TF from '../..';

/** The directory of the tensorfold package, found by walking up from this compiled file. */
export function packageRoot(): string {
  for (let d = __dirname; ; d = path.dirname(d)) {
    const pkg = path.join(d, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'tensorfold') return d;
    if (path.dirname(d) === d) throw new Error(`examples: cannot find the tensorfold package above ${__dirname}`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const tf: typeof TF = require(packageRoot());
export type Tensor = TF.Tensor;
