// The global generator's state (tf.getRngState / tf.setRngState), as torch.get_rng_state /
// set_rng_state: saving it with a checkpoint makes dropout masks, random initialisations and
// random tensors after a resume the same as in an uninterrupted run.
import { native } from './native';
import { describe } from './tensor';
import { argumentError, rangeError } from './errors';

/** The generator's whole state: its seed and how many numbers it has handed out (uint64s as decimal strings). */
export interface RngState {
  /** The seed, an unsigned 64-bit integer as a decimal string. */
  seed: string;
  /** How many random numbers have been drawn since seeding (uint64, decimal string). */
  offset: string;
}

type RngNative = { rngState(): number[]; setRngState(v: number[]): void };
const rng = native as unknown as RngNative;
const MASK = (BigInt(1) << BigInt(32)) - BigInt(1);

/** The global generator's state (torch.get_rng_state), to save with a checkpoint. */
export function getRngState(): RngState {
  const [sh, sl, oh, ol] = rng.rngState();
  const join = (h: number, l: number) => ((BigInt(h) << BigInt(32)) | BigInt(l)).toString();
  return { seed: join(sh, sl), offset: join(oh, ol) };
}

/** Restores the global generator's state from getRngState, so random draws continue as they would have. */
export function setRngState(state: RngState): void {
  const op = 'setRngState';
  if (state === null || typeof state !== 'object') throw argumentError(`${op}: expected {seed, offset}, got ${describe(state)}`);
  const parts: number[] = [];
  for (const k of ['seed', 'offset'] as const) {
    let v: bigint;
    try {
      v = BigInt(state[k]);
    } catch {
      throw argumentError(`${op}: ${k} must be an unsigned 64-bit integer (number or decimal string), got ${describe(state[k])}`);
    }
    if (v < BigInt(0) || v > ((MASK << BigInt(32)) | MASK))
      throw rangeError(`${op}: ${k} ${v} is outside the unsigned 64-bit range`);
    parts.push(Number(v >> BigInt(32)), Number(v & MASK));
  }
  rng.setRngState(parts);
}
