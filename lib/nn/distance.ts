// Norms and distances along a dim: F.normalize, F.cosineSimilarity, F.pairwiseDistance and layers.
import { Tensor, checkOptions } from '../tensor';
import { Module } from './module';
import { needFloat, num } from './args';

function pnorm(x: Tensor, p: number, dim: number, keepdim: boolean): Tensor {
  if (p === 2) return x.square().sum(dim, keepdim).sqrt();
  if (p === 1) return x.abs().sum(dim, keepdim);
  if (p === Infinity) return x.abs().max(dim, keepdim);
  return x.abs().pow(p).sum(dim, keepdim).pow(1 / p);
}

/** x / max(‖x‖_p, eps) along dim. */
export function normalize(x: Tensor, opts: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  needFloat(x, 'normalize');
  checkOptions(opts, 'normalize');
  const p = num(opts.p ?? 2, 'normalize', 'p'), dim = opts.dim ?? 1, eps = num(opts.eps ?? 1e-12, 'normalize', 'eps');
  return x.div(pnorm(x, p, dim, true).clamp(eps, null));
}

/** Σ x1·x2 / sqrt(max(‖x1‖²·‖x2‖², eps²)) along dim (broadcasting x1 and x2), as PyTorch 1.13. */
export function cosineSimilarity(x1: Tensor, x2: Tensor, dim = 1, eps = 1e-8): Tensor {
  needFloat(x1, 'cosineSimilarity', 'x1');
  needFloat(x2, 'cosineSimilarity', 'x2');
  const w12 = x1.mul(x2).sum(dim);
  const w1 = x1.square().sum(dim), w2 = x2.square().sum(dim);
  return w12.div(w1.mul(w2).clamp(eps * eps, null).sqrt());
}

/** ‖x1 − x2 + eps‖_p over the last dim. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p = 2, eps = 1e-6, keepdim = false): Tensor {
  needFloat(x1, 'pairwiseDistance', 'x1');
  needFloat(x2, 'pairwiseDistance', 'x2');
  const d = x1.sub(x2).add(eps);
  return pnorm(d, num(p, 'pairwiseDistance', 'p'), -1, keepdim);
}

/** Cosine similarity x1·x2 / max(‖x1‖·‖x2‖, eps) along opts.dim (default 1; eps 1e-8). */
export class CosineSimilarity extends Module {
  constructor(
    /** dim (default 1) and eps (default 1e-8). */ readonly opts: { dim?: number; eps?: number } = {}) { super(); }
  /** x1, x2 broadcastable, e.g. [N, D] and [N, D] → [N]. */
  forward(x1: Tensor, x2: Tensor): Tensor {
    return cosineSimilarity(x1, x2, this.opts.dim ?? 1, this.opts.eps ?? 1e-8);
  }
}
/** ‖x1 − x2 + eps‖_p over the last dim (p 2, eps 1e-6 by default). */
export class PairwiseDistance extends Module {
  constructor(
    /** p (default 2), eps (default 1e-6), keepdim (default false). */
    readonly opts: { p?: number; eps?: number; keepdim?: boolean } = {}) { super(); }
  /** x1, x2 [N, D] → [N] ([N, 1] with keepdim). */
  forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwiseDistance(x1, x2, this.opts.p ?? 2, this.opts.eps ?? 1e-6, this.opts.keepdim ?? false);
  }
}
