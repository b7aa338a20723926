// Deep copies of modules: what PyTorch's copy.deepcopy does for TransformerEncoder(layer, n) —
// every parameter and buffer copied (fresh storage, same values), the structure and settings kept.
import { noGrad } from '../autograd';
import { Tensor, keep } from '../tensor';
import { Module, Parameter, isParameter } from './module';

/** A deep copy of m: new tensors with the same values; modules shared inside m stay shared in the copy. */
export function cloneModule<M extends Module>(m: M): M {
  const memo = new Map<unknown, unknown>();
  const copy = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (memo.has(v)) return memo.get(v);
    if (v instanceof Tensor) {
      const c = noGrad(() => v.detach().clone());
      const t = isParameter(v) ? Parameter(c, v.requiresGrad) : keep(c);
      memo.set(v, t);
      return t;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      memo.set(v, out);
      for (const x of v) out.push(copy(x));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set();
      memo.set(v, out);
      for (const x of v) out.add(copy(x));
      return out;
    }
    if (v instanceof Map) {
      const out = new Map();
      memo.set(v, out);
      for (const [k, x] of v) out.set(k, copy(x));
      return out;
    }
    const proto = Object.getPrototypeOf(v);
    if (!(v instanceof Module) && proto !== Object.prototype) return v;
    const out = Object.create(proto);
    memo.set(v, out);
    for (const key of Reflect.ownKeys(v as object)) {
      const d = Object.getOwnPropertyDescriptor(v, key) as PropertyDescriptor;
      if ('value' in d) d.value = copy(d.value);
      Object.defineProperty(out, key, d);
    }
    return out;
  };
  return copy(m) as M;
}
