// Tensor lifetimes: tidy scopes, keep, dispose, and the engine's memory counters.
import { native } from './native';
import { Tensor } from './tensor_class';
import { describe, checkTensor } from './args';
import { argumentError } from './errors';

/** @internal The open tidy scopes, innermost last; new Tensors register with the innermost. */
export const scopes: Set<Tensor>[] = [];

/**
 * Runs fn and disposes every tensor created inside it that it does not return.
 * @example const y = tf.tidy(() => x.exp().add(1).log());  // the intermediates are freed
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw argumentError(`tidy: expected a function, got ${describe(fn)}`);
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    for (const t of scope) t.dispose();
    throw argumentError('tidy: fn must be synchronous (it returned a Promise)');
  }
  const kept = new Set<Tensor>();
  collectTensors(result, kept);
  for (const t of scope) if (!kept.has(t) && !keptForever.has(t)) t._disposeHandle();
  // Returned tensors belong to the enclosing scope now.
  if (scopes.length) for (const t of kept) if (scope.has(t)) scopes[scopes.length - 1].add(t);
  return result;
}

const keptForever = new WeakSet<Tensor>();
/** Marks t so that no enclosing tidy disposes it. */
export function keep<T extends Tensor>(t: T): T {
  keptForever.add(checkTensor(t, 'keep'));
  for (const s of scopes) s.delete(t);
  return t;
}

export function collectTensors(x: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 16 || x === null || x === undefined) return;
  if (x instanceof Tensor) out.add(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, out, depth + 1);
  else if (x instanceof Map) for (const v of x.values()) collectTensors(v, out, depth + 1);
  else if (typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype)
    for (const v of Object.values(x as object)) collectTensors(v, out, depth + 1);
}

/** Disposes a tensor or every tensor in an array / object. */
export function dispose(x: unknown): void {
  const s = new Set<Tensor>();
  collectTensors(x, s);
  for (const t of s) t.dispose();
}

/**
 * Live native tensors of this thread: `tensors` (JS handles not yet disposed or collected) and
 * `bytes` (their distinct storages). `cachedBytes`: freed large blocks the engine keeps for reuse,
 * process-wide (TENSORFOLD_CACHE_MB, default 512; `tf.emptyCache()` releases them).
 * `reportedBytes`: the external memory V8's garbage collector counts for this thread (tensor
 * bytes as it was told them, plus what other addons report: rises at once, frees by dispose/tidy
 * about a second late, so that a loop whose temporaries come and go each step does not start a
 * full collection every step).
 */
export function memory(): { tensors: number; bytes: number; cachedBytes: number; reportedBytes: number } {
  const m = native.memory();
  return { tensors: m.tensors, bytes: m.bytes, cachedBytes: m.cachedBytes, reportedBytes: m.reportedBytes };
}

/** Returns the engine's cached free blocks to the operating system. */
export function emptyCache(): void {
  native.emptyCache();
}
