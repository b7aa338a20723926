// Random sampling beyond randn/rand/randint (torch.randperm, multinomial, bernoulli, normal, poisson,
// *_like). Every function takes {generator}; without one it draws from the global generator. The
// uniforms come from the engine's counter-based kernels in one draw per call, so the result depends
// only on the generator's state, not on the thread count. The numbers differ from PyTorch's (the
// generator differs); the distributions are the same.
import { Tensor, wrap } from './tensor_class';
import { DType, checkOptions, checkTensor, describe, dtypeCode, intArg, isFloating, numbersOf, shapeArg } from './args';
import { tensor, rand, randn, randint } from './creation';
import type { RandomOptions } from './creation';
import { Generator, generatorArg } from './generator';
import { argumentError, dtypeError, rangeError, shapeError } from './errors';
import { native } from './native';
import { noGrad } from './autograd';

export { Generator } from './generator';
export type { GeneratorState } from './generator';

type GenOpts = { generator?: Generator };

const isFloat = isFloating;
function floatTensor(x: unknown, op: string, what: string): Tensor {
  const t = checkTensor(x, op, what);
  if (!isFloat(t.dtype)) throw dtypeError(`${op}: ${what} must be float32 or float64, got ${t.dtype}`);
  return t;
}
/** n float64 uniforms in [0, 1) as a JavaScript array. */
function uniforms(n: number, g: Generator | undefined): Float64Array {
  const t = rand([n], { dtype: 'float64', generator: g });
  const v = t.toTypedArray() as Float64Array;
  t.dispose();
  return v;
}

/** Standard normal samples with t's shape and dtype. */
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  checkOptions(opts, 'randnLike');
  return randn(checkTensor(t, 'randnLike').shape, { dtype: t.dtype, ...opts });
}
/** Uniform [0, 1) samples with t's shape and dtype. */
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  checkOptions(opts, 'randLike');
  return rand(checkTensor(t, 'randLike').shape, { dtype: t.dtype, ...opts });
}
/** randintLike(t, high) or randintLike(t, low, high), as torch.randint_like. */
export function randintLike(t: Tensor, low: number, high?: number | RandomOptions, opts: RandomOptions = {}): Tensor {
  checkTensor(t, 'randintLike');
  if (typeof high === 'object' && high !== null) [opts, high] = [high, undefined];
  checkOptions(opts, 'randintLike');
  const [lo, hi] = high === undefined ? [0, low] : [low, high as number];
  return randint(lo, hi, t.shape, { dtype: t.dtype, ...opts });
}

/** A random permutation of 0..n-1 (int32 unless {dtype}). */
export function randperm(n: number, opts: GenOpts & { dtype?: DType } = {}): Tensor {
  const op = 'randperm';
  checkOptions(opts, op);
  intArg(n, op, 'n');
  if (n < 0) throw rangeError(`${op}: n must be non-negative, got ${n}`);
  if (n > 2 ** 31 - 1) throw rangeError(`${op}: n ${n} is too large`);
  const g = generatorArg(opts.generator, op);
  const dt = opts.dtype ?? 'int32';
  dtypeCode(dt, op);
  if (dt === 'bool') throw dtypeError(`${op}: dtype must be numeric, got bool`);
  const u = uniforms(n, g);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  // Fisher-Yates with one pre-drawn uniform per position.
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(u[i] * (i + 1)));
    const tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
  const out = tensor(p);
  if (dt === 'int32') return out;
  const c = out.to(dt);
  out.dispose();
  return c;
}

/**
 * Indices drawn from the rows of non-negative weights (1-D [K] or 2-D [R, K]), int32 of shape [n] or
 * [R, n]. Without replacement (the default, as PyTorch) each index appears at most once per row.
 */
export function multinomial(probs: Tensor, n: number, opts: GenOpts & { replacement?: boolean } = {}): Tensor {
  const op = 'multinomial';
  checkOptions(opts, op);
  floatTensor(probs, op, 'probs');
  intArg(n, op, 'n');
  if (probs.ndim !== 1 && probs.ndim !== 2) throw shapeError(`${op}: probs must be 1-D or 2-D, got shape [${probs.shape}]`);
  const replacement = opts.replacement ?? false;
  if (typeof replacement !== 'boolean') throw argumentError(`${op}: replacement must be a boolean, got ${describe(replacement)}`);
  const g = generatorArg(opts.generator, op);
  const R = probs.ndim === 1 ? 1 : probs.shape[0];
  const K = probs.shape[probs.ndim - 1];
  if (K === 0) throw shapeError(`${op}: probs has no categories (shape [${probs.shape}])`);
  if (n <= 0) throw rangeError(`${op}: n must be positive, got ${n}`);
  if (!replacement && n > K) throw rangeError(`${op}: cannot draw ${n} samples without replacement from ${K} categories`);
  const w = numbersOf(probs.contiguous());
  for (let r = 0; r < R; r++) {
    let sum = 0;
    let nonzero = 0;
    for (let k = 0; k < K; k++) {
      const v = w[r * K + k];
      if (!Number.isFinite(v)) throw rangeError(`${op}: probs row ${r} has a non-finite weight (${v})`);
      if (v < 0) throw rangeError(`${op}: probs row ${r} has a negative weight (${v})`);
      sum += v;
      if (v > 0) nonzero++;
    }
    if (!(sum > 0)) throw rangeError(`${op}: probs row ${r} sums to zero`);
    if (!replacement && nonzero < n)
      throw rangeError(`${op}: row ${r} has ${nonzero} non-zero weights, too few to draw ${n} without replacement`);
  }
  const out = new Int32Array(R * n);
  if (replacement) {
    const u = uniforms(R * n, g);
    const cdf = new Float64Array(K);
    for (let r = 0; r < R; r++) {
      let acc = 0;
      for (let k = 0; k < K; k++) cdf[k] = acc += w[r * K + k];
      for (let s = 0; s < n; s++) {
        const x = u[r * n + s] * acc;
        let lo = 0, hi = K - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid] > x) hi = mid; else lo = mid + 1;
        }
        // Never a zero-weight category, whatever rounding did.
        while (w[r * K + lo] === 0 && lo > 0) lo--;
        out[r * n + s] = lo;
      }
    }
  } else {
    // Exponential race: category k wins with key E_k / w_k smallest, E_k ~ Exp(1); the n smallest
    // keys are a draw without replacement with PyTorch's probabilities.
    const u = uniforms(R * K, g);
    const idx = new Array<number>(K);
    const key = new Float64Array(K);
    for (let r = 0; r < R; r++) {
      for (let k = 0; k < K; k++) {
        const v = w[r * K + k];
        key[k] = v > 0 ? -Math.log1p(-u[r * K + k]) / v : Infinity;
        idx[k] = k;
      }
      idx.sort((a, b) => key[a] - key[b] || a - b);
      for (let s = 0; s < n; s++) out[r * n + s] = idx[s];
    }
  }
  return tensor(out, { shape: probs.ndim === 1 ? [n] : [R, n] });
}

/** 0/1 draws with the given probabilities (same shape and dtype as p). */
export function bernoulli(p: Tensor, opts: GenOpts = {}): Tensor {
  const op = 'bernoulli';
  checkOptions(opts, op);
  floatTensor(p, op, 'p');
  const g = generatorArg(opts.generator, op);
  const pv = p.detach();
  const lo = pv.size ? (pv.min().item() as number) : 0;
  const hi = pv.size ? (pv.max().item() as number) : 0;
  if (!(lo >= 0 && hi <= 1)) throw rangeError(`${op}: probabilities must be in [0, 1], got values in [${lo}, ${hi}]`);
  const u = rand(p.shape, { dtype: p.dtype, generator: g });
  const m = u.lt(pv);
  const out = m.to(p.dtype);
  u.dispose();
  m.dispose();
  return out;
}

function paramArg(x: unknown, op: string, what: string): Tensor | number {
  if (typeof x === 'number') return x;
  return floatTensor(x, op, what);
}

/** mean + std · N(0, 1), broadcasting tensor or number arguments ({shape} when both are numbers); no gradient. */
export function normal(mean: Tensor | number, std: Tensor | number, opts: GenOpts & { shape?: number[]; dtype?: DType } = {}): Tensor {
  const op = 'normal';
  checkOptions(opts, op);
  const m = paramArg(mean, op, 'mean');
  const s = paramArg(std, op, 'std');
  const g = generatorArg(opts.generator, op);
  let shape: number[];
  if (typeof m === 'number' && typeof s === 'number') {
    if (opts.shape === undefined) throw argumentError(`${op}: with number mean and std, give {shape}`);
    shape = shapeArg(opts.shape, op);
  } else {
    const shapes = [m, s].filter((x): x is Tensor => x instanceof Tensor).map((x) => x.shape);
    shape = broadcast(shapes, op);
    if (opts.shape !== undefined) {
      const want = shapeArg(opts.shape, op);
      if (want.join() !== shape.join()) throw shapeError(`${op}: {shape} [${want}] differs from the arguments' shape [${shape}]`);
    }
  }
  if (s instanceof Tensor) {
    if (s.size && !((s.detach().min().item() as number) >= 0)) throw rangeError(`${op}: std must be non-negative`);
  } else if (!(s >= 0)) throw rangeError(`${op}: std must be non-negative, got ${s}`);
  const dt = opts.dtype ?? [m, s].find((x): x is Tensor => x instanceof Tensor)?.dtype ?? 'float32';
  if (!isFloat(dt)) throw dtypeError(`${op}: dtype must be float32 or float64, got ${dt}`);
  // No gradient, as torch.normal (whose derivative is zero); distributions.Normal.rsample is the
  // reparameterised draw.
  return noGrad(() => {
    const z = randn(shape, { dtype: dt, generator: g });
    const ms = (x: Tensor | number) => (x instanceof Tensor ? x.detach() : x);
    return z.mul(ms(s) as Tensor).add(ms(m) as Tensor);
  });
}

function broadcast(shapes: number[][], op: string): number[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < nd; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - nd + i] ?? 1;
      if (v !== 1 && d !== 1 && v !== d) throw shapeError(`${op}: shapes ${shapes.map((x) => `[${x}]`).join(' and ')} do not broadcast`);
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}

const LOG_FACT: number[] = [0];
function logFactorial(k: number): number {
  if (k < 256) {
    while (LOG_FACT.length <= k) LOG_FACT.push(LOG_FACT[LOG_FACT.length - 1] + Math.log(LOG_FACT.length));
    return LOG_FACT[k];
  }
  // Stirling's series; its error at k >= 256 is far below float64 resolution of the result.
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
}

/** A small 32-bit stream (mulberry32) keyed by one engine uniform per element. */
function stream(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

function poissonOne(lam: number, rnd: () => number): number {
  if (lam === 0) return 0;
  if (lam < 10) {
    const L = Math.exp(-lam);
    let k = 0;
    let p = rnd();
    while (p > L) {
      k++;
      p *= rnd();
    }
    return k;
  }
  // Hörmann's transformed rejection with squeeze (PTRS), exact for lam >= 10.
  const slam = Math.sqrt(lam), loglam = Math.log(lam);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = rnd() - 0.5;
    const V = rnd();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor((2 * a / us + b) * U + lam + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lam + k * loglam - logFactorial(k)) return k;
  }
}

/** Poisson draws with the given non-negative rates (same shape and dtype as rates). */
export function poisson(rates: Tensor, opts: GenOpts = {}): Tensor {
  const op = 'poisson';
  checkOptions(opts, op);
  floatTensor(rates, op, 'rates');
  const g = generatorArg(opts.generator, op);
  const r = numbersOf(rates.contiguous());
  for (let i = 0; i < r.length; i++)
    if (!(r[i] >= 0) || !Number.isFinite(r[i])) throw rangeError(`${op}: rates must be finite and non-negative, got ${r[i]} at flat index ${i}`);
  const keys = uniforms(r.length, g);
  const out = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) out[i] = poissonOne(r[i], stream(Math.floor(keys[i] * 4294967296)));
  return wrap(native.fromTyped(out, rates.shape, dtypeCode(rates.dtype)));
}
