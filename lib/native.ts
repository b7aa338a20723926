// Loads the native addon and types its surface. Everything here is internal: the public API is
// the Tensor class and the functions in index.ts.
import * as fs from 'fs';
import * as path from 'path';
import { ioError } from './errors';

/** Opaque handle to a native tensor (a type-tagged N-API external). */
export type Handle = { readonly __tensorHandle: unique symbol };
type H = Handle;
type HN = Handle | number;

export interface Binding {
  fromTyped(data: Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array, shape: number[], dtype: number): H;
  toTyped(h: H): Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array;
  /** The elements' bytes as stored (row-major, little-endian; the half types as bit patterns). */
  toBytes(h: H): Uint8Array;
  /** A new tensor from bytes as stored. */
  fromBytes(data: Uint8Array, shape: number[], dtype: number): H;
  /** The engine's dtype names by number (native/core/tensor.h TF_DTYPES). */
  dtypeNames: string[];
  /** Bytes per element of each dtype, by number. */
  dtypeSizes: number[];
  item(h: H): number;
  shape(h: H): number[];
  dtype(h: H): number;
  strides(h: H): number[];
  sameStorage(a: H, b: H): boolean;
  /** recycle: nothing refers to h any more, so the handle may be reused for a later result. */
  dispose(h: H, recycle?: boolean): void;
  /** A handle that is disposed from the start (what a disposed Tensor holds). */
  disposedHandle(): H;
  isDisposed(h: H): boolean;
  memory(): { tensors: number; bytes: number; engineStorages: number; engineBytes: number; cachedBytes: number; reportedBytes: number };
  emptyCache(): void;
  setReturnErrors(on: boolean): void;
  backendInfo(): import('./backend').BackendInfo;
  probe(kind: 'info'): { model: string; l1d: number; l2: number; l3: number };
  probe(kind: 'peak', level: string, f64: boolean, threads: number, seconds: number): number;
  probe(kind: 'triad', bytesPerArray: number, seconds: number): number;
  setNumThreads(n: number): void;
  manualSeed(seed: number): void;
  full(shape: number[], value: number, dtype: number): H;
  arange(start: number, end: number, step: number, dtype: number): H;
  linspace(start: number, end: number, n: number, dtype: number): H;
  eye(n: number, m: number, dtype: number): H;
  random(kind: 'rand' | 'randn' | 'randint' | 'bernoulli', shape: number[], dtype: number, a?: number, b?: number): H;
  inPlace(kind: 'uniform' | 'normal' | 'fill' | 'copy', h: H, a?: number | H, b?: number): void;

  /** The engine's elementwise op names (native/core/op_table.h), in code order; `simd`: ops with a vector kernel. */
  opTable(): { unary: string[]; binary: string[]; compare: string[]; simd: string[] };
  unary(op: number, h: H): H;
  binary(op: number, a: HN, b: HN): H;
  compare(op: number, a: HN | boolean, b: HN | boolean): H;
  where(cond: H, a: HN, b: HN): H;
  clamp(h: H, lo: number | null, hi: number | null): H;
  leakyRelu(h: H, slope: number): H;
  reduce(kind: string, h: H, axes: number | number[] | null, keepdim: boolean, correction?: number): H;
  softmax(h: H, axis: number, log: boolean): H;
  matmul(a: H, b: H): H;
  to(h: H, dtype: number): H;
  clone(h: H): H;
  contiguous(h: H): H;
  detach(h: H): H;
  reshape(h: H, shape: number[]): H;
  transpose(h: H, d0: number, d1: number): H;
  permute(h: H, dims: number[]): H;
  squeeze(h: H, dim: number | null): H;
  unsqueeze(h: H, dim: number): H;
  expand(h: H, shape: number[]): H;
  flatten(h: H, start: number, end: number): H;
  narrow(h: H, dim: number, start: number, length: number): H;
  select(h: H, dim: number, index: number): H;
  concat(hs: H[], dim: number): H;
  stack(hs: H[], dim: number): H;
  split(h: H, size: number, dim: number): H[];
  chunk(h: H, n: number, dim: number): H[];
  unbind(h: H, dim: number): H[];
  gather(h: H, dim: number, index: H): H;
  indexSelect(h: H, dim: number, index: H): H;
  scatterAdd(h: H, dim: number, index: H, src: H): H;
  indexAdd(h: H, dim: number, index: H, src: H): H;
  oneHot(h: H, classes: number): H;

  requiresGrad(h: H): boolean;
  setRequiresGrad(h: H, r: boolean): void;
  isLeaf(h: H): boolean;
  gradFn(h: H): string | null;
  getGrad(h: H): H | null;
  setGrad(h: H, g: H | null): void;
  backward(h: H, grad: H | null, retainGraph: boolean, createGraph: boolean): void;
  gradOf(outputs: H[], gradOutputs: (H | null)[], inputs: H[], retainGraph: boolean, createGraph: boolean): (H | null)[];
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  customOp(name: string, inputs: H[], outputs: H[], backward: (grads: H[]) => (H | null)[]): void;
  addTensorHook(h: H, fn: (grad: H) => H | null): number;
  removeTensorHook(id: number): void;

  // Fused recurrent cells (native/binding/rnn.cc).
  lstmCell(gates: H, c: H): [H, H];
  gruCell(gi: H, gh: H, h: H): H;
  lstmLayer(xp: H, h0: H, c0: H, wHh: H, bias: H | null, reverse: boolean): [H, H, H];

  // tf.distributed (native/binding/distributed.cc).
  distLoad(path: string): string;
  distInit(timeoutMs: number): { rank: number; size: number; localRank: number };
  distSubmit(kind: string, h: H | null, op: number, peer: number, notify: boolean): number;
  distWait(id: number): { error?: string; fatal?: boolean; out?: H };
  distSetCallback(fn: (id: number) => void): void;
  distKeepAlive(on: boolean): void;
  distDestroy(): void;
  distAbort(code: number): void;
  addGradHook(h: H, fn: () => void): number;
  removeGradHook(id: number): void;
  queueBackwardCallback(fn: () => void): void;

  // Neural-network kernels (native/binding/nn.cc); present once those land.
  [name: string]: unknown;
}

function locate(): string {
  const root = path.resolve(__dirname, '..');
  const candidates = [
    process.env.TENSORFOLD_ADDON,
    path.join(root, 'build', 'Release', 'tensorfold.node'),
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'tensorfold.node'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw ioError(
      'tensorfold: native addon not found (looked in ' + candidates.join(', ') + '). ' +
        'Build it with `npm run build`, or install with scripts allowed: `npm install tensorfold --allow-scripts=tensorfold`.',
    );
  }
  return found;
}

// The addon reports errors as {tfError} values and these wrappers throw them: an N-API exception
// left pending while a garbage collection runs tensor finalizers aborts Node (native/binding/
// handle.h, Fail). Throwing here, in JavaScript, is safe.
function wrapBinding(raw: Binding): Binding {
  raw.setReturnErrors(true);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    const f = raw[key];
    if (typeof f !== 'function') {
      out[key] = f;
      continue;
    }
    const g = f as (...a: unknown[]) => unknown;
    out[key] = function (this: unknown) {
      // Direct calls for the common arities: a generic apply() costs ~0.3 µs on the smallest ops.
      /* eslint-disable prefer-rest-params */
      const a = arguments;
      let r: unknown;
      switch (a.length) {
        case 1: r = g(a[0]); break;
        case 2: r = g(a[0], a[1]); break;
        case 3: r = g(a[0], a[1], a[2]); break;
        case 4: r = g(a[0], a[1], a[2], a[3]); break;
        default: r = g.apply(undefined, a as unknown as unknown[]);
      }
      /* eslint-enable prefer-rest-params */
      if (r !== null && typeof r === 'object' && (r as { tfError?: unknown }).tfError !== undefined)
        throw (r as { tfError: unknown }).tfError;
      return r;
    };
  }
  return out as unknown as Binding;
}

/**
 * Loads the addon. OpenBLAS (when the build links it) starts its server threads as it loads, one
 * per core but one, and on Debian's 0.3.21 they never go to sleep: ~2,000 sched_yield calls a
 * second for the life of the process (AMD EPYC VM), a core kept busy while the engine's pool and
 * V8's collector want it. The engine calls OpenBLAS single-threaded anyway (its pool splits the
 * work; gemm.cpp), so unless the user chose a count or asked for OpenBLAS's own threads
 * (TENSORFOLD_BLAS_THREADS=openblas), OpenBLAS is loaded with OPENBLAS_NUM_THREADS=1 (it reads the
 * variable only then) and the variable is removed again, so child processes never inherit it.
 */
function load(path: string): Binding {
  const env = process.env;
  const single = env.OPENBLAS_NUM_THREADS === undefined && env.TENSORFOLD_BLAS_THREADS !== 'openblas';
  if (single) env.OPENBLAS_NUM_THREADS = '1';
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require(path);
  } finally {
    if (single) delete env.OPENBLAS_NUM_THREADS;
  }
}

/** Path of the loaded addon (the MPI backend of tf.distributed is looked for next to it). */
export const addonPath = locate();
export const native: Binding = wrapBinding(load(addonPath));
