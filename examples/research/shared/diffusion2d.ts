// The pieces shared by the 2-D diffusion examples (diffusion_restart, pfgm_pp): the 8-Gaussians data,
// the EDM-preconditioned MLP denoiser and its training loop, EDM's σ schedule and Heun step, and the
// sliced Wasserstein error measure. Not a research example itself (it has no main).
import { tf, Tensor } from '../../common/tf';
import { Progress } from '../../common/progress';

export const SIGMA_MIN = 0.002, SIGMA_MAX = 80, RHO = 7, P_MEAN = -1.2, P_STD = 1.2;
const FREQS = 8;  // Fourier features of c_noise

/** 8 Gaussians: modes on a circle of radius 2, each of standard deviation 0.1. */
export function eightGaussians(n: number): Tensor {
  const k = tf.randint(0, 8, [n]).double();
  const angle = tf.mul(k, Math.PI / 4);
  const centres = tf.concat([tf.cos(angle).reshape([n, 1]), tf.sin(angle).reshape([n, 1])], 1);
  return tf.add(tf.mul(centres, 2), tf.mul(tf.randn([n, 2], { dtype: 'float64' }), 0.1)).float();
}

/** Draws the noise added to clean data at noise levels σ ([n, 1]); EDM's is σ times a standard normal. */
export type Perturbation = (sigma: Tensor, n: number) => Tensor;
const gaussian: Perturbation = (sigma, n) => tf.mul(tf.randn([n, 2]), sigma);

/** The network F_θ: [c_in x, sin/cos(2^k c_noise)] → 3 × (hidden, SiLU) → 2. */
export class Denoiser {
  readonly net: InstanceType<typeof tf.nn.Sequential>;
  readonly freqs: Tensor;
  constructor(hidden: number, readonly sigmaData: number) {
    const { nn } = tf;
    this.net = new nn.Sequential(
      new nn.Linear(2 + 2 * FREQS, hidden), new nn.SiLU(),
      new nn.Linear(hidden, hidden), new nn.SiLU(),
      new nn.Linear(hidden, hidden), new nn.SiLU(),
      new nn.Linear(hidden, 2),
    );
    this.freqs = tf.tensor([Array.from({ length: FREQS }, (_, k) => 2 ** (k - 2))]);
  }

  private F(xIn: Tensor, cNoise: Tensor): Tensor {
    const phase = tf.matmul(cNoise, this.freqs);
    return this.net.forward(tf.concat([xIn, tf.sin(phase), tf.cos(phase)], 1));
  }

  /** The preconditioning factors for σ of shape [n, 1]. */
  coefficients(sigma: Tensor): { cSkip: Tensor; cOut: Tensor; cIn: Tensor; cNoise: Tensor } {
    const sd2 = this.sigmaData ** 2;
    const s2 = tf.add(tf.mul(sigma, sigma), sd2);
    return {
      cSkip: tf.div(sd2, s2),
      cOut: tf.div(tf.mul(sigma, this.sigmaData), tf.sqrt(s2)),
      cIn: tf.div(1, tf.sqrt(s2)),
      cNoise: tf.mul(tf.log(sigma), 0.25),
    };
  }

  /**
   * The training loss on clean data y: ‖F − (y − c_skip x) / c_out‖², x = y + noise, ln σ ~ N(P_mean,
   * P_std²). `perturb` draws the noise for each σ (after σ itself, so EDM's random stream is kept).
   */
  loss(y: Tensor, perturb: Perturbation = gaussian): Tensor {
    const n = y.shape[0];
    const sigma = tf.exp(tf.add(tf.mul(tf.randn([n, 1]), P_STD), P_MEAN));
    const x = tf.add(y, perturb(sigma, n));
    const c = this.coefficients(sigma);
    const target = tf.div(tf.sub(y, tf.mul(c.cSkip, x)), c.cOut);
    const r = tf.sub(this.F(tf.mul(c.cIn, x), c.cNoise), target);
    return tf.mean(tf.sum(tf.mul(r, r), 1));
  }

  /** D(x; σ) for one σ shared by the batch; counts function evaluations. */
  nfe = 0;
  D(x: Tensor, sigma: number): Tensor {
    this.nfe++;
    const c = this.coefficients(tf.full([x.shape[0], 1], sigma));
    return tf.add(tf.mul(c.cSkip, x), tf.mul(c.cOut, this.F(tf.mul(c.cIn, x), c.cNoise)));
  }
}

export interface TrainOptions {
  steps: number;
  batchSize: number;
  lr: number;
  /** The progress bar's label. */
  label?: string;
  perturb?: Perturbation;
}

/**
 * Adam with cosine decay on random minibatches of `train`. Returns the loss every ~1% of the run and
 * the final running average (the noisy per-step loss smoothed over ~50 steps).
 */
export function trainDenoiser(model: Denoiser, train: Tensor, o: TrainOptions): { lossCurve: Array<[number, number]>; lossEnd: number } {
  const opt = new tf.optim.Adam(model.net.parameters(), { lr: o.lr });
  const sched = new tf.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: o.steps });
  const lossCurve: Array<[number, number]> = [];
  const bar = new Progress(o.steps, o.label ?? 'train');
  let avg = 0;
  for (let s = 0; s < o.steps; s++) {
    const idx = tf.randint(0, train.shape[0], [o.batchSize]);
    const loss = model.loss(train.indexSelect(0, idx), o.perturb);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    sched.step();
    const v = loss.item();
    avg = s === 0 ? v : 0.98 * avg + 0.02 * v;
    if (s % Math.max(1, Math.floor(o.steps / 100)) === 0 || s === o.steps - 1) lossCurve.push([s, v]);
    bar.update(s + 1, { loss: avg });
  }
  bar.done({ loss: avg });
  return { lossCurve, lossEnd: avg };
}

/** EDM's σ schedule from hi to lo in n points, then 0 when `toZero`. */
export function schedule(n: number, hi = SIGMA_MAX, lo = SIGMA_MIN, toZero = true): number[] {
  const a = hi ** (1 / RHO), b = lo ** (1 / RHO);
  const t = Array.from({ length: n }, (_, i) => (a + (n === 1 ? 0 : i / (n - 1)) * (b - a)) ** RHO);
  return toZero ? [...t, 0] : t;
}

/** One Heun step of dx/dt = (x − D(x; t)) / t from t to t2 (an Euler step when t2 = 0). */
export function heunStep(model: Denoiser, x: Tensor, t: number, t2: number): Tensor {
  const d = tf.div(tf.sub(x, model.D(x, t)), t);
  const xe = tf.add(x, tf.mul(d, t2 - t));
  if (t2 === 0) return xe;
  const d2 = tf.div(tf.sub(xe, model.D(xe, t2)), t2);
  return tf.add(x, tf.mul(tf.add(d, d2), (t2 - t) / 2));
}

/** Heun along EDM's schedule in `steps` steps (NFE 2·steps − 1) from x at σ_max. */
export function heunSolve(model: Denoiser, x: Tensor, steps: number): Tensor {
  const t = schedule(steps);
  for (let i = 0; i < steps; i++) x = heunStep(model, x, t[i], t[i + 1]);
  return x;
}

/** `count` unit directions spread evenly over the half circle (a direction and its negative give the same distance). */
export function directions(count: number): number[][] {
  return Array.from({ length: count }, (_, i) => [Math.cos((Math.PI * (i + 0.5)) / count), Math.sin((Math.PI * (i + 0.5)) / count)]);
}

/**
 * Sliced 2-Wasserstein distance between a 2-D point set and a (larger) reference set, over fixed
 * directions: per direction, the sorted projections against the reference's quantiles.
 */
export function slicedWasserstein(a: Tensor, ref: Tensor, dirs: number[][]): number {
  const A = a.toTypedArray() as Float32Array, R = ref.toTypedArray() as Float32Array;
  const n = a.shape[0], M = ref.shape[0];
  let total = 0;
  const pa = new Float64Array(n), pr = new Float64Array(M);
  for (const [u, v] of dirs) {
    for (let i = 0; i < n; i++) pa[i] = u * A[2 * i] + v * A[2 * i + 1];
    for (let i = 0; i < M; i++) pr[i] = u * R[2 * i] + v * R[2 * i + 1];
    pa.sort(); pr.sort();
    for (let i = 0; i < n; i++) total += (pa[i] - pr[Math.floor(((i + 0.5) * M) / n)]) ** 2;
  }
  return Math.sqrt(total / (n * dirs.length));
}

/** y at x by linear interpolation of log y in log x over the curve's points; NaN outside their range. */
export function interpolate(curve: Array<[number, number]>, x: number): number {
  for (let i = 0; i + 1 < curve.length; i++) {
    const [x0, y0] = curve[i], [x1, y1] = curve[i + 1];
    if (x >= x0 && x <= x1) {
      const f = x1 === x0 ? 0 : Math.log(x / x0) / Math.log(x1 / x0);
      return Math.exp(Math.log(y0) + f * Math.log(y1 / y0));
    }
  }
  return NaN;
}
