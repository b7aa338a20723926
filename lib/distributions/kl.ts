// klDivergence(p, q) for the same-family pairs PyTorch registers.
import { Tensor } from '../tensor_class';
import { describe } from '../args';
import { where } from '../ops';
import { solveTriangular } from '../linalg/decompositions';
import { argumentError, shapeError } from '../errors';
import { Distribution } from './distribution';
import { Normal, Uniform } from './normal';
import { Bernoulli, Categorical } from './discrete';
import { Independent, MultivariateNormal, batchDiag } from './multivariate';

function softplus(x: Tensor): Tensor {
  return x.relu().add(x.abs().neg().exp().log1p());
}

/**
 * KL(p ‖ q) for the same-family pairs PyTorch registers (Normal, Uniform, Bernoulli, Categorical,
 * MultivariateNormal, Independent of those), of the batch shape.
 * @example tf.distributions.klDivergence(new tf.distributions.Normal(0, 1), new tf.distributions.Normal(1, 2));
 */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  const op = 'distributions.klDivergence';
  if (!(p instanceof Distribution) || !(q instanceof Distribution))
    throw argumentError(`${op}: expected two distributions, got ${describe(p)} and ${describe(q)}`);
  if (p instanceof Normal && q instanceof Normal) {
    const r = p.scale.div(q.scale);
    const vr = r.mul(r);
    const d = p.loc.sub(q.loc).div(q.scale);
    return vr.add(d.mul(d)).sub(1).sub(vr.log()).mul(0.5);
  }
  if (p instanceof Uniform && q instanceof Uniform) {
    const res = q.high.sub(q.low).div(p.high.sub(p.low)).log();
    const outside = q.low.gt(p.low).logicalOr(q.high.lt(p.high));
    return where(outside, Infinity, res);
  }
  if (p instanceof Bernoulli && q instanceof Bernoulli) {
    const t1 = p.probs.mul(softplus(q.logits.neg()).sub(softplus(p.logits.neg())));
    const t2 = p.probs.neg().add(1).mul(softplus(q.logits).sub(softplus(p.logits)));
    return where(p.probs.eq(0), 0, t1).add(where(p.probs.eq(1), 0, t2));
  }
  if (p instanceof Categorical && q instanceof Categorical) {
    if (p.numCategories !== q.numCategories)
      throw shapeError(`${op}: Categoricals over ${p.numCategories} and ${q.numCategories} categories`);
    let t = p.probs.mul(p.logits.sub(q.logits));
    t = where(q.probs.eq(0).expand(t.shape), Infinity, t);
    t = where(p.probs.eq(0).expand(t.shape), 0, t);
    return t.sum(-1);
  }
  if (p instanceof MultivariateNormal && q instanceof MultivariateNormal) {
    const k = p.eventShape[0];
    if (k !== q.eventShape[0]) throw shapeError(`${op}: MultivariateNormals of sizes ${k} and ${q.eventShape[0]}`);
    const half1 = batchDiag(q.scaleTril).log().sum(-1).sub(batchDiag(p.scaleTril).log().sum(-1));
    const shape = [...broadcast(p.batchShape, q.batchShape, op), k, k];
    const Lq = q.scaleTril.expand(shape), Lp = p.scaleTril.expand(shape);
    const m = solveTriangular(Lq, Lp, { upper: false });
    const term2 = m.mul(m).sum([-2, -1]);
    const diff = q.loc.sub(p.loc);
    const z = solveTriangular(Lq, diff.unsqueeze(-1).expand([...shape.slice(0, -1), 1]), { upper: false }).squeeze(-1);
    const term3 = z.mul(z).sum(-1);
    return half1.add(term2.add(term3).sub(k).mul(0.5));
  }
  if (p instanceof Independent && q instanceof Independent) {
    if (p.reinterpretedBatchNdims !== q.reinterpretedBatchNdims)
      throw argumentError(`${op}: Independent distributions with different reinterpretedBatchNdims (${p.reinterpretedBatchNdims}, ${q.reinterpretedBatchNdims})`);
    return p.sumRightmost(klDivergence(p.base, q.base));
  }
  throw argumentError(`${op}: no KL divergence between ${p.constructor.name} and ${q.constructor.name}`);
}

function broadcast(a: number[], b: number[], op: string): number[] {
  const nd = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < nd; i++) {
    const x = a[a.length - nd + i] ?? 1, y = b[b.length - nd + i] ?? 1;
    if (x !== 1 && y !== 1 && x !== y) throw shapeError(`${op}: batch shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}
