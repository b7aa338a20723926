// Representations are types: layers compose only where their sizes agree, and the compiler says so.
//
//   import * as typed from 'tensorfold/typed';
//   new typed.Sequential(new typed.Linear(784, 128), new typed.ReLU(), new typed.Linear(64, 10));
//   //  error: Argument of type 'Linear<64, 10>' is not assignable to parameter of type
//   //         '"Linear out 128 does not match next Linear in 64"'.
//
// A layer's sizes are number literal types when written as literals (`new Linear(784, 128)` is a
// Linear<784, 128>) and plain `number` when computed at run time; a check happens only between
// two literals, so run-time sizes always type-check (and checkChain verifies them when the model is
// built). Sizes are tracked along one axis kind at a time: 'features' is the last dim (Linear,
// LayerNorm, Embedding's output), 'channels' is dim 1 (Conv, BatchNorm). A layer that says nothing
// about its shapes (Flatten, a user's own module) resets the tracking: the checker never rejects
// what it cannot see. Layers that keep the size declare it with the phantom field `shapeKeeps`.
//
// The machinery works on any class with these fields; the typed constructors below give tf.nn's
// layers literal types today, and nn's own classes can adopt the same generic parameters.
import * as nn from './nn';
import { describe } from './tensor';
import { argumentError, shapeError } from './errors';

/** The axis whose size a layer reads and writes. */
export type Axis = 'features' | 'channels';

/** A layer from In to Out features (the last dim), like Linear. */
export interface Layer<In extends number = number, Out extends number = number> {
  /** Input features (last dim). */
  readonly inFeatures: In;
  /** Output features (last dim). */
  readonly outFeatures: Out;
}
/** A layer from In to Out channels (dim 1), like Conv1d / Conv2d. */
export interface ChannelLayer<In extends number = number, Out extends number = number> {
  /** Input channels (dim 1). */
  readonly inChannels: In;
  /** Output channels (dim 1). */
  readonly outChannels: Out;
}
/** A layer that leaves sizes unchanged: 'all' (activations, dropout) or only 'channels' (pooling). */
export interface ShapeKeeping<K extends 'all' | 'channels' = 'all'> {
  /** Phantom field: which sizes the layer leaves unchanged. */
  readonly shapeKeeps: K;
}

type IsLiteral<N> = N extends number ? (number extends N ? false : true) : false;

/** What a layer type says about sizes: [axis, in, out, name], 'all' / 'channels' (kept), or 'unknown'. */
export type Describe<L> =
  L extends { readonly inFeatures: infer I extends number; readonly outFeatures: infer O extends number } ? ['features', I, O, 'Linear']
  : L extends { readonly inChannels: infer I extends number; readonly outChannels: infer O extends number } ? ['channels', I, O, 'Conv']
  : L extends { readonly numFeatures: infer N extends number } ? ['channels', N, N, 'BatchNorm']
  : L extends { readonly embeddingDim: infer D extends number } ? ['features', never, D, 'Embedding']
  : L extends { readonly shapeKeeps: infer K extends 'all' | 'channels' } ? K
  : 'unknown';

/** Tracking state between layers: [axis, size, name of the layer that produced it], or 'unknown'. */
type State = [Axis, number, string] | 'unknown';

/** The message for layer L following state S, or never when they agree (or cannot be compared). */
export type Mismatch<S, L> = S extends [infer A, infer N extends number, infer P extends string]
  ? Describe<L> extends [A, infer I, number, infer Name extends string]
    ? [IsLiteral<N>, IsLiteral<I>] extends [true, true]
      ? [N] extends [I] ? never : `${P} out ${N} does not match next ${Name} in ${I & number}`
      : never
    : never
  : never;

type Next<S, L> =
  Describe<L> extends [infer A, unknown, infer O, infer Name] ? [A, O, Name]
  : Describe<L> extends 'all' ? S
  : Describe<L> extends 'channels' ? (S extends ['channels', number, string] ? S : 'unknown')
  : 'unknown';

/**
 * The layers Ls with the first one that does not fit its predecessor replaced by the error message
 * (a string literal type), so that passing Ls where CheckChain<Ls> is expected fails right at the
 * offending layer, with the sizes in the message.
 */
export type CheckChain<Ls extends readonly unknown[], S = 'unknown', Acc extends readonly unknown[] = []> =
  Ls extends readonly [infer H, ...infer R]
    ? [Mismatch<S, H>] extends [never] ? CheckChain<R, Next<S, H>, [...Acc, H]> : [...Acc, Mismatch<S, H>, ...R]
    : Ls extends readonly [] ? Acc : Ls;

/**
 * Parameter type for a variadic list of layers: `(...layers: Chain<M>)` infers M from the
 * arguments (inference goes through the conditional's first branch) and then checks it.
 */
export type Chain<M extends readonly unknown[]> = M extends CheckChain<M> ? M : CheckChain<M>;

/** The size a chain of layers produces (number when unknown at compile time). */
export type ChainOut<Ls extends readonly unknown[], S = 'unknown'> =
  Ls extends readonly [infer H, ...infer R] ? ChainOut<R, Next<S, H>> : S extends [Axis, infer N, string] ? N : number;

// ---------------------------------------------------------------- run-time check

function sizes(m: unknown): [Axis, number | null, number, string] | 'all' | 'channels' | 'unknown' {
  if (m === null || typeof m !== 'object') return 'unknown';
  const o = m as Record<string, unknown>;
  const num = (v: unknown) => typeof v === 'number';
  if (num(o.inFeatures) && num(o.outFeatures)) return ['features', o.inFeatures as number, o.outFeatures as number, 'Linear'];
  if (num(o.inChannels) && num(o.outChannels)) return ['channels', o.inChannels as number, o.outChannels as number, 'Conv'];
  if (num(o.numFeatures)) return ['channels', o.numFeatures as number, o.numFeatures as number, 'BatchNorm'];
  if (num(o.embeddingDim)) return ['features', null, o.embeddingDim as number, 'Embedding'];
  if (o.shapeKeeps === 'all' || o.shapeKeeps === 'channels' || SHAPE_KEEPING.has(o.constructor as never))
    return (o.shapeKeeps as 'all' | 'channels' | undefined) ?? SHAPE_KEEPING.get(o.constructor as never) ?? 'unknown';
  return 'unknown';
}

// tf.nn's layers that keep sizes, until they declare shapeKeeps themselves.
const SHAPE_KEEPING = new Map<unknown, 'all' | 'channels'>([
  ...[nn.Identity, nn.ReLU, nn.GELU, nn.Tanh, nn.Sigmoid, nn.SiLU, nn.Softplus, nn.ELU, nn.LeakyReLU, nn.Softmax,
    nn.LogSoftmax, nn.Dropout].map((c) => [c, 'all'] as [unknown, 'all']),
  ...[nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d, nn.AdaptiveAvgPool2d].map((c) => [c, 'channels'] as [unknown, 'channels']),
]);

/**
 * The same check at run time, for sizes computed at run time: throws an Error naming the two
 * layers and their sizes (`Sequential: Linear out 128 does not match next Linear in 64 (layers 0 and 1)`).
 */
export function checkChain(layers: readonly unknown[], op = 'Sequential'): void {
  if (!Array.isArray(layers)) throw argumentError(`${op}: expected an array of layers, got ${describe(layers)}`);
  let state: [Axis, number, string, number] | null = null;
  layers.forEach((m, i) => {
    const d = sizes(m);
    if (Array.isArray(d)) {
      const [axis, inn, out, name] = d;
      if (state && state[0] === axis && inn !== null && state[1] !== inn)
        throw shapeError(`${op}: ${state[2]} out ${state[1]} does not match next ${name} in ${inn} (layers ${state[3]} and ${i})`);
      state = [axis, out, name, i];
    } else if (d === 'channels') {
      if (state && state[0] !== 'channels') state = null;
    } else if (d !== 'all') {
      state = null;
    }
  });
}

// ---------------------------------------------------------------- typed constructors for tf.nn

type Opts<C extends abstract new (...a: never[]) => unknown> = ConstructorParameters<C> extends [...unknown[], infer O] ? O : never;

/** nn.Linear with literal sizes: `new Linear(784, 128)` is a Linear<784, 128>. */
export type Linear<In extends number = number, Out extends number = number> = nn.Linear & Layer<In, Out>;
export const Linear = nn.Linear as unknown as new <In extends number, Out extends number>(inFeatures: In, outFeatures: Out,
  opts?: Opts<typeof nn.Linear>) => Linear<In, Out>;

/** nn.Conv1d with literal channel counts: `new Conv1d(3, 16, 5)` is a Conv1d<3, 16>. */
export type Conv1d<In extends number = number, Out extends number = number> = nn.Conv1d & ChannelLayer<In, Out>;
export const Conv1d = nn.Conv1d as unknown as new <In extends number, Out extends number>(inChannels: In, outChannels: Out,
  kernelSize: number, opts?: Opts<typeof nn.Conv1d>) => Conv1d<In, Out>;

/** nn.Conv2d with literal channel counts: `new Conv2d(1, 32, 3)` is a Conv2d<1, 32>. */
export type Conv2d<In extends number = number, Out extends number = number> = nn.Conv2d & ChannelLayer<In, Out>;
export const Conv2d = nn.Conv2d as unknown as new <In extends number, Out extends number>(inChannels: In, outChannels: Out,
  kernelSize: number | number[], opts?: Opts<typeof nn.Conv2d>) => Conv2d<In, Out>;

/** nn.BatchNorm1d with a literal feature count: `new BatchNorm1d(64)` is a BatchNorm1d<64>. */
export type BatchNorm1d<N extends number = number> = nn.BatchNorm1d & { readonly numFeatures: N };
export const BatchNorm1d = nn.BatchNorm1d as unknown as new <N extends number>(numFeatures: N,
  opts?: Opts<typeof nn.BatchNorm1d>) => BatchNorm1d<N>;
/** nn.BatchNorm2d with a literal channel count: `new BatchNorm2d(32)` is a BatchNorm2d<32>. */
export type BatchNorm2d<N extends number = number> = nn.BatchNorm2d & { readonly numFeatures: N };
export const BatchNorm2d = nn.BatchNorm2d as unknown as new <N extends number>(numFeatures: N,
  opts?: Opts<typeof nn.BatchNorm2d>) => BatchNorm2d<N>;

/** nn.Embedding with a literal embedding size: `new Embedding(1000, 64)` is an Embedding<64>. */
export type Embedding<D extends number = number> = nn.Embedding & { readonly embeddingDim: D };
export const Embedding = nn.Embedding as unknown as new <D extends number>(numEmbeddings: number, embeddingDim: D,
  opts?: Opts<typeof nn.Embedding>) => Embedding<D>;

type Keeping<C extends abstract new (...a: never[]) => unknown, K extends 'all' | 'channels'> =
  new (...args: ConstructorParameters<C>) => InstanceType<C> & ShapeKeeping<K>;
/** nn.Identity, typed as keeping all sizes. */
export const Identity = nn.Identity as Keeping<typeof nn.Identity, 'all'>;
/** nn.ReLU, typed as keeping all sizes. */
export const ReLU = nn.ReLU as Keeping<typeof nn.ReLU, 'all'>;
/** nn.GELU, typed as keeping all sizes. */
export const GELU = nn.GELU as Keeping<typeof nn.GELU, 'all'>;
/** nn.Tanh, typed as keeping all sizes. */
export const Tanh = nn.Tanh as Keeping<typeof nn.Tanh, 'all'>;
/** nn.Sigmoid, typed as keeping all sizes. */
export const Sigmoid = nn.Sigmoid as Keeping<typeof nn.Sigmoid, 'all'>;
/** nn.SiLU, typed as keeping all sizes. */
export const SiLU = nn.SiLU as Keeping<typeof nn.SiLU, 'all'>;
/** nn.Dropout, typed as keeping all sizes. */
export const Dropout = nn.Dropout as Keeping<typeof nn.Dropout, 'all'>;
/** nn.Softmax, typed as keeping all sizes. */
export const Softmax = nn.Softmax as Keeping<typeof nn.Softmax, 'all'>;
/** nn.LogSoftmax, typed as keeping all sizes. */
export const LogSoftmax = nn.LogSoftmax as Keeping<typeof nn.LogSoftmax, 'all'>;
/** nn.MaxPool1d, typed as keeping the channel count. */
export const MaxPool1d = nn.MaxPool1d as Keeping<typeof nn.MaxPool1d, 'channels'>;
/** nn.MaxPool2d, typed as keeping the channel count. */
export const MaxPool2d = nn.MaxPool2d as Keeping<typeof nn.MaxPool2d, 'channels'>;
/** nn.AvgPool2d, typed as keeping the channel count. */
export const AvgPool2d = nn.AvgPool2d as Keeping<typeof nn.AvgPool2d, 'channels'>;
/** nn.Flatten; it says nothing about sizes, so the shape tracking restarts after it. */
export const Flatten = nn.Flatten;

/**
 * nn.Sequential whose constructor checks the chain: at compile time between literal sizes, and at
 * run time (checkChain) for all sizes.
 */
export class Sequential<M extends readonly nn.Module[] = nn.Module[]> extends nn.Sequential {
  constructor(...modules: Chain<M>) {
    super(...(modules as unknown as nn.Module[]));
    checkChain(modules as unknown as nn.Module[]);
  }
}
