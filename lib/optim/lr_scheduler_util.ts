// Option checks and state-dict helpers shared by the schedulers of lr_scheduler.ts and
// lr_scheduler_more.ts. A module of its own so that tf.optim.lrScheduler lists schedulers only.
import { describe } from '../tensor';
import { argumentError, rangeError, show } from '../errors';

/** @internal */
export function checkOptions(op: string, options: unknown, known: string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw argumentError(`${op}: options must be an object, got ${describe(options)}`);
  for (const k of Object.keys(options))
    if (!known.includes(k)) throw argumentError(`${op}: unknown option ${show(k)} (expected one of ${known.join(', ')})`);
  return options as Record<string, unknown>;
}

/** @internal */
export function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw argumentError(`${op}: option ${name} must be an integer, got ${describe(v)}`);
  if (v < 1) throw rangeError(`${op}: invalid ${name} ${v} (must be >= 1)`);
  return v;
}

// A scheduler's state is its own fields (arrays copied) except the optimizer it drives.
/** @internal */
export function schedulerState(sched: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sched)) if (k !== 'optimizer') out[k] = Array.isArray(v) ? v.slice() : v;
  return out;
}

/** @internal */
export function loadSchedulerState(sched: object, sd: Record<string, unknown>): void {
  if (sd === null || typeof sd !== 'object') throw argumentError(`loadStateDict: expected an object, got ${describe(sd)}`);
  for (const [k, v] of Object.entries(sd)) if (k !== 'optimizer') (sched as Record<string, unknown>)[k] = Array.isArray(v) ? v.slice() : v;
}
