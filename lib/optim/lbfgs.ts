// L-BFGS, as torch.optim.LBFGS: step(closure) runs up to maxIter quasi-Newton iterations, each
// direction from the two-loop recursion over the last historySize (s, y) pairs, with either a fixed
// step (lr) or PyTorch's strong-Wolfe line search (cubic interpolation, then zoom).
//
// The flat vectors (parameters, gradients, directions, history) are Float64Arrays in JavaScript:
// the work per iteration is a handful of dot products and axpys over the parameter count, next to
// which the closure's forward and backward passes dominate. Parameters are written back in their
// own dtype. Like PyTorch's, it supports a single parameter group.
import { noGrad, enableGrad } from '../autograd';
import { kernels as native } from '../kernels';
import { Tensor, describe, tensor } from '../tensor';
import { Optimizer, OptimizerStateDict, ParamGroup, ParamState, ParamsArg, StateValue, checkNumber } from './optimizer';
import { argumentError, rangeError, tfError } from '../errors';

/** Options of LBFGS (defaults in brackets). */
export interface LBFGSOptions {
  /** Step size [1]. */
  lr: number;
  /** Iterations per step() [20]. */
  maxIter: number;
  /** Closure evaluations per step() [null: ⌊maxIter · 5 / 4⌋]. */
  maxEval: number | null;
  /** Stop when the largest gradient entry falls below this [1e-7]. */
  toleranceGrad: number;
  /** Stop when the loss or the step changes less than this [1e-9]. */
  toleranceChange: number;
  /** (s, y) pairs kept for the Hessian estimate [100]. */
  historySize: number;
  /** 'strong_wolfe' for a line search, or null for fixed steps of lr [null]. */
  lineSearchFn: 'strong_wolfe' | null;
}

type Vec = Float64Array;
const dot = (a: Vec, b: Vec) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const absMax = (a: Vec) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
};
const absSum = (a: Vec) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]);
  return s;
};

/** Minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to bounds (default [x1, x2]). */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number,
  bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(pos, lo), hi);
  }
  return (lo + hi) / 2;
}

type Objective = (t: number) => [number, Vec];

/** PyTorch's _strong_wolfe: returns [f, g, t, evaluations]. */
function strongWolfe(obj: Objective, t0: number, d: Vec, f: number, g: Vec, gtd: number,
  c1 = 1e-4, c2 = 0.9, tolChange = 1e-9, maxLs = 25): [number, Vec, number, number] {
  let t = t0;
  const dNorm = absMax(d);
  let [fNew, gNew] = obj(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [], bf: number[] = [], bg: Vec[] = [], bgtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t]; bf = [fPrev, fNew]; bg = [gPrev, gNew]; bgtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t]; bf = [fNew]; bg = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t]; bf = [fPrev, fNew]; bg = [gPrev, gNew]; bgtd = [gtdPrev, gtdNew];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev), maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp; fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew;
    [fNew, gNew] = obj(t);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs) {
    bracket = [0, t]; bf = [f, fNew]; bg = [g, gNew]; bgtd = [gtd, gtdNew];
  }
  // Zoom: shrink the bracket until the strong Wolfe conditions hold.
  let insufProgress = false;
  let [low, high] = bf[0] <= bf[bf.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < tolChange) break;
    t = cubicInterpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1]);
    const bmax = Math.max(...bracket), bmin = Math.min(...bracket);
    const eps = 0.1 * (bmax - bmin);
    if (Math.min(bmax - t, t - bmin) < eps) {
      // Too close to an end: move away from it, unless the last step already did.
      if (insufProgress || t >= bmax || t <= bmin) {
        t = Math.abs(t - bmax) < Math.abs(t - bmin) ? bmax - eps : bmin + eps;
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;
    [fNew, gNew] = obj(t);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bf[low]) {
      bracket[high] = t; bf[high] = fNew; bg[high] = gNew; bgtd[high] = gtdNew;
      [low, high] = bf[0] <= bf[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] = bracket[low]; bf[high] = bf[low]; bg[high] = bg[low]; bgtd[high] = bgtd[low];
      }
      bracket[low] = t; bf[low] = fNew; bg[low] = gNew; bgtd[low] = gtdNew;
    }
  }
  return [bf[low], bg[low], bracket[low], evals];
}

interface History {
  d: Vec | null;
  t: number;
  oldDirs: Vec[];
  oldStps: Vec[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Vec | null;
  prevLoss: number;
}

/**
 * L-BFGS (torch.optim.LBFGS): step(closure) runs up to maxIter quasi-Newton iterations, with a fixed
 * step or a strong-Wolfe line search; the closure recomputes the loss (and its gradients). One parameter group only.
 * @example opt.step(() => { opt.zeroGrad(); const l = lossFn(); l.backward(); return l; });  // opt: an LBFGS
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  declare private hist: History;

  constructor(params: ParamsArg<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    super('LBFGS', params, { lr: 1, maxIter: 20, maxEval: null, toleranceGrad: 1e-7, toleranceChange: 1e-9,
      historySize: 100, lineSearchFn: null }, options);
    if (this.paramGroups.length !== 1) throw tfError('ARGUMENT', "LBFGS: doesn't support per-parameter options (parameter groups)");
    Object.defineProperty(this, 'hist', { value: { d: null, t: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1,
      prevFlatGrad: null, prevLoss: 0 }, enumerable: false, writable: true });
  }

  protected validate(o: LBFGSOptions, where: string): void {
    checkNumber(where, 'lr', o.lr, 0);
    if (!Number.isInteger(o.maxIter) || o.maxIter < 1)
      throw rangeError(`${where}: option maxIter must be a positive integer, got ${describe(o.maxIter)}`);
    if (o.maxEval !== null && o.maxEval !== undefined && !(typeof o.maxEval === 'number' && o.maxEval >= 1))
      throw rangeError(`${where}: option maxEval must be a positive number or null, got ${describe(o.maxEval)}`);
    checkNumber(where, 'toleranceGrad', o.toleranceGrad, 0);
    checkNumber(where, 'toleranceChange', o.toleranceChange, 0);
    if (!Number.isInteger(o.historySize) || o.historySize < 1)
      throw rangeError(`${where}: option historySize must be a positive integer, got ${describe(o.historySize)}`);
    if (o.lineSearchFn !== null && o.lineSearchFn !== undefined && o.lineSearchFn !== 'strong_wolfe')
      throw argumentError(`${where}: option lineSearchFn must be 'strong_wolfe' or null, got ${describe(o.lineSearchFn)}`);
  }

  /**
   * Counters (func_evals, n_iter) as PyTorch's, plus the L-BFGS memory (direction, step, history of
   * (s, y) pairs as flat float64 tensors), so a restored LBFGS continues exactly where it stopped.
   */
  stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    const h = this.hist;
    if (!h.d) return sd;
    const vec = (v: Vec) => tensor(Float64Array.from(v), { dtype: 'float64' });
    const st = (sd.state['0'] ??= {}) as Record<string, StateValue>;
    Object.assign(st, { d: vec(h.d), t: h.t, H_diag: h.hDiag, prev_loss: h.prevLoss, history: h.oldDirs.length });
    if (h.prevFlatGrad) st.prev_flat_grad = vec(h.prevFlatGrad);
    h.oldDirs.forEach((y, i) => {
      st[`old_dirs.${i}`] = vec(y);
      st[`old_stps.${i}`] = vec(h.oldStps[i]);
      st[`ro.${i}`] = h.ro[i];
    });
    return sd;
  }

  /** Restores counters, options and the L-BFGS memory from stateDict(), so optimisation continues where it stopped. */
  loadStateDict(sd: OptimizerStateDict): void {
    const entry = sd?.state?.['0'] as Record<string, StateValue> | undefined;
    if (!entry || !(entry.d instanceof Tensor)) {
      super.loadStateDict(sd);
      this.hist = { d: null, t: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1, prevFlatGrad: null, prevLoss: 0 };
      return;
    }
    const n = entry.history as number;
    const vec = (k: string): Vec => {
      const v = entry[k];
      if (!(v instanceof Tensor)) throw argumentError(`LBFGS.loadStateDict: state 0.${k} must be a Tensor, got ${describe(v)}`);
      return Float64Array.from(v.toTypedArray() as ArrayLike<number>);
    };
    const hist: History = {
      d: vec('d'), t: entry.t as number, hDiag: entry.H_diag as number, prevLoss: entry.prev_loss as number,
      prevFlatGrad: entry.prev_flat_grad instanceof Tensor ? vec('prev_flat_grad') : null,
      oldDirs: [], oldStps: [], ro: [],
    };
    for (let i = 0; i < n; i++) {
      hist.oldDirs.push(vec(`old_dirs.${i}`));
      hist.oldStps.push(vec(`old_stps.${i}`));
      hist.ro.push(entry[`ro.${i}`] as number);
    }
    // The base class checks state tensors against the parameter's shape: it gets the counters only.
    const counters: Record<string, StateValue> = {};
    for (const k of ['func_evals', 'n_iter']) if (typeof entry[k] === 'number') counters[k] = entry[k];
    super.loadStateDict({ ...sd, state: { ...sd.state, 0: counters } });
    this.hist = hist;
  }

  protected update(): void {
    throw tfError('ARGUMENT', 'LBFGS: step() needs a closure that re-evaluates the model and returns the loss');
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  private flatGrad(): Vec {
    const ps = this.params;
    const out = new Float64Array(ps.reduce((a, p) => a + p.size, 0));
    let off = 0;
    for (const p of ps) {
      const g = native.getGrad(p._h);
      if (g) {
        out.set(native.toTyped(g) as ArrayLike<number>, off);
        native.dispose(g);
      }
      off += p.size;
    }
    return out;
  }

  private flatParams(): Vec {
    const ps = this.params;
    const out = new Float64Array(ps.reduce((a, p) => a + p.size, 0));
    let off = 0;
    for (const p of ps) {
      out.set(p.toTypedArray() as ArrayLike<number>, off);
      off += p.size;
    }
    return out;
  }

  private setParams(x: Vec): void {
    let off = 0;
    noGrad(() => {
      for (const p of this.params) {
        const v = tensor(x.subarray(off, off + p.size), { dtype: 'float64', shape: p.shape });
        p.copy_(p.dtype === 'float64' ? v : v.to(p.dtype));
        v.dispose();
        off += p.size;
      }
    });
  }

  // p += t·d, parameter by parameter, in the parameter's own precision as PyTorch's add_(alpha).
  private addDir(t: number, d: Vec): void {
    let off = 0;
    noGrad(() => {
      for (const p of this.params) {
        const u = tensor(d.subarray(off, off + p.size), { dtype: 'float64', shape: p.shape });
        const uu = p.dtype === 'float64' ? u : u.to(p.dtype);
        const next = p.add(uu.mul(t));
        p.copy_(next);
        for (const x of [u, uu, next]) x.dispose();
        off += p.size;
      }
    });
  }

  /** One optimisation run of up to maxIter iterations; closure() must zero the grads, compute the loss and backward. */
  step<L = undefined>(closure?: () => L): L | undefined {
    if (typeof closure !== 'function')
      throw argumentError(`LBFGS.step: a closure that re-evaluates the model and returns the loss is required, got ${describe(closure)}`);
    const g = this.paramGroups[0] as ParamGroup<LBFGSOptions>;
    this.validate(g, 'LBFGS');
    const maxEval = g.maxEval ?? Math.floor((g.maxIter * 5) / 4);
    const p0 = this.params[0];
    let st = this.state.get(p0) as ParamState | undefined;
    if (!st) this.state.set(p0, (st = { func_evals: 0, n_iter: 0 }));
    const evalLoss = (): [L, number] => {
      const l = enableGrad(closure);
      const v = l instanceof Tensor ? (l.item() as number) : Number(l);
      return [l, v];
    };
    const [origLoss, l0] = evalLoss();
    let loss = l0;
    let currentEvals = 1;
    st.func_evals = (st.func_evals as number) + 1;
    let flatGrad = this.flatGrad();
    if (absMax(flatGrad) <= g.toleranceGrad) return origLoss;
    const h = this.hist;
    let nIter = 0;
    while (nIter < g.maxIter) {
      nIter++;
      st.n_iter = (st.n_iter as number) + 1;
      if (st.n_iter === 1) {
        h.d = flatGrad.map((v) => -v);
        h.oldDirs = []; h.oldStps = []; h.ro = []; h.hDiag = 1;
      } else {
        const d = h.d as Vec, prev = h.prevFlatGrad as Vec;
        const y = flatGrad.map((v, i) => v - prev[i]);
        const s = d.map((v) => v * h.t);
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (h.oldDirs.length === g.historySize) {
            h.oldDirs.shift(); h.oldStps.shift(); h.ro.shift();
          }
          h.oldDirs.push(y); h.oldStps.push(s); h.ro.push(1 / ys);
          h.hDiag = ys / dot(y, y);
        }
        // Two-loop recursion: d = −H·g with H the L-BFGS inverse-Hessian estimate.
        const k = h.oldDirs.length;
        const al = new Array<number>(k);
        const q = flatGrad.map((v) => -v);
        for (let i = k - 1; i >= 0; i--) {
          al[i] = dot(h.oldStps[i], q) * h.ro[i];
          const y_ = h.oldDirs[i];
          for (let j = 0; j < q.length; j++) q[j] -= al[i] * y_[j];
        }
        const r = q.map((v) => v * h.hDiag);
        for (let i = 0; i < k; i++) {
          const be = dot(h.oldDirs[i], r) * h.ro[i];
          const s_ = h.oldStps[i], c = al[i] - be;
          for (let j = 0; j < r.length; j++) r[j] += c * s_[j];
        }
        h.d = r;
      }
      h.prevFlatGrad = flatGrad.slice();
      h.prevLoss = loss;
      h.t = st.n_iter === 1 ? Math.min(1, 1 / absSum(flatGrad)) * g.lr : g.lr;
      const d = h.d as Vec;
      const gtd = dot(flatGrad, d);
      if (gtd > -g.toleranceChange) break;
      let lsEvals = 0;
      let optCond = false;
      if (g.lineSearchFn === 'strong_wolfe') {
        const x0 = this.flatParams();
        const obj: Objective = (t) => {
          this.addDir(t, d);
          const [, v] = evalLoss();
          const gr = this.flatGrad();
          this.setParams(x0);
          return [v, gr];
        };
        const [fNew, gNew, t, n] = strongWolfe(obj, h.t, d, loss, flatGrad, gtd);
        loss = fNew; flatGrad = gNew; h.t = t; lsEvals = n;
        this.addDir(h.t, d);
        optCond = absMax(flatGrad) <= g.toleranceGrad;
      } else {
        this.addDir(h.t, d);
        if (nIter !== g.maxIter) {
          loss = evalLoss()[1];
          flatGrad = this.flatGrad();
          optCond = absMax(flatGrad) <= g.toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      st.func_evals = (st.func_evals as number) + lsEvals;
      if (nIter === g.maxIter || currentEvals >= maxEval || optCond) break;
      if (absMax(d) * Math.abs(h.t) <= g.toleranceChange) break;
      if (Math.abs(loss - h.prevLoss) < g.toleranceChange) break;
    }
    return origLoss;
  }
}
