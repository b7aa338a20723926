// tf.Generator (torch.Generator): a random-number generator of its own, passed as {generator} to the
// random functions. Its whole state is (seed, offset); draws go through the engine's counter-based
// kernels, so a seed gives the same numbers at any thread count and tf.manualSeed does not touch it.
import { native, Handle } from './native';
import { describe } from './args';
import { argumentError, rangeError } from './errors';

type RandomWith = (kind: string, shape: number[], dtype: number, state: number[], a?: number, b?: number) => [Handle, number, number];
const randomWith = (native as unknown as { randomWith: RandomWith }).randomWith;

const B32 = BigInt(32);
const MASK32 = (BigInt(1) << B32) - BigInt(1);
const MAX64 = (BigInt(1) << BigInt(64)) - BigInt(1);
// torch.Generator's default seed, so an unseeded generator is reproducible as in PyTorch.
const DEFAULT_SEED = BigInt('67280421310721');

/** A Generator's whole state: the seed and how many numbers it has drawn (uint64s as decimal strings). */
export interface GeneratorState {
  /** The seed (uint64, decimal string). */
  seed: string;
  /** Numbers drawn since seeding (uint64, decimal string). */
  offset: string;
}

function u64(v: unknown, op: string, what: string): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) b = BigInt(v.trim());
  else throw argumentError(`${op}: ${what} must be an integer (number, bigint or decimal string), got ${describe(v)}`);
  // Negative seeds wrap like PyTorch's (two's complement into uint64).
  if (b < BigInt(0) && b >= -(MAX64 >> BigInt(1)) - BigInt(1)) b = b & MAX64;
  if (b < BigInt(0) || b > MAX64) throw rangeError(`${op}: ${what} ${b} is outside the 64-bit range`);
  return b;
}

/**
 * A random-number generator of its own (torch.Generator), passed as `{ generator }` to the random
 * functions (randn, rand, randint, multinomial, ...) and to distributions' sample; tf.manualSeed does
 * not affect it. Unseeded, it starts from PyTorch's default seed. (Data pipelines use tf.data.Generator.)
 * @example const g = new tf.Generator(42); tf.randn([3], { generator: g });
 */
export class Generator {
  private _seed: bigint;
  private _offset = BigInt(0);

  constructor(seed?: number | bigint | string) {
    this._seed = seed === undefined ? DEFAULT_SEED : u64(seed, 'Generator', 'seed');
  }
  /** Re-seeds and rewinds; returns the generator (as torch's manual_seed). */
  manualSeed(seed: number | bigint | string): this {
    this._seed = u64(seed, 'Generator.manualSeed', 'seed');
    this._offset = BigInt(0);
    return this;
  }
  /** Seeds from a non-deterministic source and returns the new seed (torch's Generator.seed()). */
  seed(): number {
    const s = Math.floor(Math.random() * 2 ** 52) + (Date.now() % 1024);
    this.manualSeed(s);
    return s;
  }
  /** The seed this generator was last seeded with. */
  initialSeed(): number {
    return Number(this._seed);
  }
  /** The state (seed and offset), to restore with setState. */
  getState(): GeneratorState {
    return { seed: this._seed.toString(), offset: this._offset.toString() };
  }
  /** Restores a state from getState; returns the generator. */
  setState(state: GeneratorState): this {
    if (state === null || typeof state !== 'object')
      throw argumentError(`Generator.setState: expected {seed, offset}, got ${describe(state)}`);
    const seed = u64(state.seed, 'Generator.setState', 'seed');
    const offset = u64(state.offset, 'Generator.setState', 'offset');
    this._seed = seed;
    this._offset = offset;
    return this;
  }
  /** @internal Draws `kind` ('rand' | 'randn' | 'randint') and advances the offset. */
  _draw(kind: string, shape: number[], dtype: number, a?: number, b?: number): Handle {
    const st = [this._seed >> B32, this._seed & MASK32, this._offset >> B32, this._offset & MASK32].map(Number);
    const [h, oh, ol] = randomWith(kind, shape, dtype, st, a, b);
    this._offset = (BigInt(oh) << B32) | BigInt(ol);
    return h;
  }
}

/** The {generator} option, checked. */
export function generatorArg(g: unknown, op: string): Generator | undefined {
  if (g === undefined || g === null) return undefined;
  if (!(g instanceof Generator)) throw argumentError(`${op}: generator must be a tf.Generator, got ${describe(g)}`);
  return g;
}
