// A seeded source of randomness for data pipelines (shuffles, samplers, random splits), separate
// from the tensor engine's generator so that data order never depends on how many random tensors
// the model drew. Each draw (a permutation, a run of uniforms) uses the stream keyed by (seed,
// draw count), so a generator's whole state is two integers: it is saved in checkpoints and
// restored with getState / setState.
import { describe, intArg, randint } from '../tensor';
import { permutation } from './loader';
import { argumentError } from '../errors';

/** mulberry32 stream number `stream` of `seed`, as in DataLoader's shuffle. */
function stream(seed: number, s: number): () => number {
  let a = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(s + 1, 0xc2b2ae35)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A data Generator's whole state. */
export interface GeneratorState {
  /** The seed (a 32-bit unsigned integer). */
  seed: number;
  /** How many draws (permutations, runs of uniforms) were made since seeding. */
  draws: number;
}

/**
 * A seeded random source for data pipelines (shuffles, samplers, randomSplit), separate from the
 * tensor engine's so that data order does not depend on the model's random draws. Its state is
 * two integers (seed, draws), saved and restored with getState / setState.
 * @example new tf.data.RandomSampler(ds, { generator: new tf.data.Generator(0) });
 */
export class Generator {
  private seed: number;
  private draws = 0;

  /** new Generator(seed); without a seed, one is drawn from tf's global generator (so tf.manualSeed fixes it). */
  constructor(seed?: number) {
    this.seed = seed === undefined ? Generator.seedFromGlobal() : Generator.checkSeed(seed, 'Generator');
  }
  private static checkSeed(seed: unknown, op: string): number {
    intArg(seed, op, 'seed');
    return (seed as number) >>> 0;
  }
  /** A 31-bit seed from the tensor engine's generator. */
  static seedFromGlobal(): number {
    const t = randint(0, 2 ** 31 - 1, [1]);
    const v = t.item() as number;
    t.dispose();
    return v;
  }
  /** Re-seeds and rewinds; returns the generator. */
  manualSeed(seed: number): this {
    this.seed = Generator.checkSeed(seed, 'Generator.manualSeed');
    this.draws = 0;
    return this;
  }
  /** The seed this generator was last seeded with. */
  initialSeed(): number {
    return this.seed;
  }
  /** The state (seed and number of draws), to restore with setState. */
  getState(): GeneratorState {
    return { seed: this.seed, draws: this.draws };
  }
  /** Restores a state from getState; returns the generator. */
  setState(s: GeneratorState): this {
    if (!s || typeof s !== 'object') throw argumentError(`Generator.setState: expected {seed, draws}, got ${describe(s)}`);
    this.seed = Generator.checkSeed(s.seed, 'Generator.setState');
    intArg(s.draws, 'Generator.setState', 'draws');
    this.draws = s.draws;
    return this;
  }
  /** A random permutation of 0..n-1 (one draw). */
  permutation(n: number): Int32Array {
    return permutation(n, this.seed, this.draws++);
  }
  /** n uniforms in [0, 1) with 53 random bits each (one draw). */
  uniforms(n: number): Float64Array {
    const next = stream(this.seed, this.draws++);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (next() * 2 ** 21 + (next() >>> 11)) / 2 ** 53;
    return out;
  }
}

/** A Generator from an option: a Generator as is, a number as its seed, absent → seeded from tf's generator. */
export function generatorArg(g: unknown, op: string): Generator {
  if (g === undefined || g === null) return new Generator();
  if (g instanceof Generator) return g;
  if (typeof g === 'number') return new Generator(g);
  throw argumentError(`${op}: generator must be a tf.data.Generator or a seed number, got ${describe(g)}`);
}
