// Installs every elementwise op of lib/elementwise.ts as a Tensor method: x.op(...rest) is
// tf.op(x, ...rest). The method types are derived from the functions, so a new op needs no
// second declaration.
import * as E from './elementwise';
import { Tensor } from './tensor_class';

type Rest<F> = F extends (x: never, ...rest: infer A) => infer R ? (...rest: A) => R : never;
export type ElementwiseMethods = { [K in keyof typeof E]: Rest<(typeof E)[K]> };

const METHOD = Symbol.for('tensorfold.method');
for (const [name, fn] of Object.entries(E) as [string, (...a: unknown[]) => unknown][]) {
  const direct = (fn as unknown as Record<symbol, unknown>)[METHOD];
  const method = direct ?? function (this: Tensor, ...rest: unknown[]) { return fn(this, ...rest); };
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true, enumerable: false });
}
