// Codes for the throw sites that still raise plain TypeError / RangeError / Error: those of
// lib/tensor.ts and lib/ops.ts (being rewritten as an op table; convert them to lib/errors.ts's
// helpers there, then delete this file). Every function those modules export and every Tensor
// method catches on the way out, and an error created in tensorfold's own files without a code gets
// the code its class and message imply (errors.ts, inferCode). Errors made by the user's code (a
// tidy callback's, say) are left as they are: they were not created in this directory. The cost is
// one try/catch frame per call (~0.03 µs on a ~1.3 µs add+dispose).
import * as path from 'path';
import * as tensorModule from './tensor';
import * as opsModule from './ops';
import { inferCode } from './errors';

const OWN_FILES = __dirname + path.sep;

function tag(e: unknown): void {
  if (e === null || typeof e !== 'object') return;
  const err = e as Error & { code?: unknown };
  if (err.code !== undefined || typeof err.message !== 'string') return;
  const stack = typeof err.stack === 'string' ? err.stack : '';
  // The first frame with a file decides: V8's own (JSON.stringify failing on a circular value that
  // tensor.ts was quoting, say) have none and are skipped.
  for (const line of stack.split('\n')) {
    if (!line.startsWith('    at ') || /\((<anonymous>|native)\)$/.test(line)) continue;
    if (line.includes(OWN_FILES)) err.code = inferCode(err);
    return;
  }
}

const GUARDED = Symbol('tensorfold.errorCodes');

// One compiled wrapper per function: a single shared closure would make its call site
// megamorphic (measured on add+dispose, ~1.3 µs: +0.2 µs shared, +0.03 µs this way). Where code
// generation is disallowed (node --disallow-code-generation-from-strings) the shared one serves.
function compileWrapper(f: (...args: never[]) => unknown): (...args: unknown[]) => unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function('f', 'tag',
      '"use strict"; return function () { try { return f.apply(this, arguments); } catch (e) { tag(e); throw e; } };')(f, tag);
  } catch {
    return function (this: unknown, ...args: unknown[]) {
      try {
        return f.apply(this, args as never[]);
      } catch (e) {
        tag(e);
        throw e;
      }
    };
  }
}

function guard<F extends (...args: never[]) => unknown>(f: F): F {
  if ((f as unknown as Record<symbol, unknown>)[GUARDED]) return f;
  const g = compileWrapper(f);
  Object.defineProperty(g, 'name', { value: f.name });
  Object.defineProperty(g, 'length', { value: f.length });
  Object.defineProperty(g, GUARDED, { value: true });
  return g as unknown as F;
}

const isClass = (f: unknown): boolean => typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));

function guardMembers(target: object, skip: ReadonlySet<string>): void {
  for (const key of Object.getOwnPropertyNames(target)) {
    if (skip.has(key)) continue;
    const d = Object.getOwnPropertyDescriptor(target, key)!;
    if (!d.configurable) continue;
    if (typeof d.value === 'function' && !isClass(d.value)) d.value = guard(d.value);
    else if (d.get || d.set) {
      if (d.get) d.get = guard(d.get);
      if (d.set) d.set = guard(d.set);
    } else continue;
    Object.defineProperty(target, key, d);
  }
}

function guardExports(mod: Record<string, unknown>): void {
  for (const key of Object.keys(mod)) {
    const v = mod[key];
    if (typeof v !== 'function' || isClass(v)) continue;
    const d = Object.getOwnPropertyDescriptor(mod, key);
    if (d && d.writable && 'value' in d) mod[key] = guard(v as (...args: never[]) => unknown);
  }
}

let installed = false;
export function installErrorCodes(): void {
  if (installed) return;
  installed = true;
  guardMembers(tensorModule.Tensor.prototype, new Set(['constructor']));
  guardMembers(tensorModule.Tensor, new Set(['prototype', 'length', 'name']));
  guardExports(tensorModule as unknown as Record<string, unknown>);
  guardExports(opsModule as unknown as Record<string, unknown>);
}

installErrorCodes();
