// Installs every op of the method modules (lib/elementwise.ts, lib/device.ts, lib/inplace.ts, ...)
// as a Tensor method: x.op(...rest) is tf.op(x, ...rest). The method types are derived from the
// functions, so a new op needs no second declaration.
import * as E from './elementwise';
import * as D from './device';
import * as I from './inplace';
import * as R from './reduction_ops';
import * as S from './sorting';
import * as P from './shape_ops';
import * as L from './linalg/methods';
import * as X from './indexing_ops';
import * as N from './random_methods';
import { Tensor } from './tensor_class';

type Rest<F> = F extends (x: never, ...rest: infer A) => infer R ? (...rest: A) => R : never;
type MethodsOf<M> = { [K in keyof M]: Rest<M[K]> };
export type ElementwiseMethods = MethodsOf<typeof E>;
export type MoreMethods = MethodsOf<typeof D> & MethodsOf<typeof I> & MethodsOf<typeof R> & MethodsOf<typeof S> & MethodsOf<typeof P> & MethodsOf<typeof L> & MethodsOf<typeof X> & MethodsOf<typeof N>;
/** The modules whose exports are all Tensor methods (test/op_table.test.js checks them). */
export const METHOD_MODULES = { elementwise: E, device: D, inplace: I, reductions: R, sorting: S, shape: P, linalg: L, indexing: X, random: N };

const METHOD = Symbol.for('tensorfold.method');
for (const M of Object.values(METHOD_MODULES)) {
  for (const [name, fn] of Object.entries(M) as [string, (...a: unknown[]) => unknown][]) {
    const direct = (fn as unknown as Record<symbol, unknown>)[METHOD];
    const method = direct ?? function (this: Tensor, ...rest: unknown[]) { return fn(this, ...rest); };
    Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true, enumerable: false });
  }
}
