// Multi-head attention, and a Transformer encoder layer built from it.
//
// Parameters as PyTorch's nn.MultiheadAttention (with kdim = vdim = embedDim): in_proj_weight
// [3E, E] (xavier-uniform), in_proj_bias [3E] (zeros), out_proj.weight [E, E], out_proj.bias (zeros).
// Shapes are sequence-first [L, N, E] unless batchFirst ([N, L, E]); 2-d inputs are unbatched.
// Masks: a bool mask marks positions that may NOT be attended (true = masked); a float mask is
// added to the attention scores.
import { Tensor, describe, checkOptions } from '../tensor';
import * as F from './functional';
import * as init from './init';
import { Linear, Dropout, LayerNorm, newParam } from './layers';
import { Module } from './module';
import { maskToAdditive } from './args';
import { argumentError, shapeError, show } from '../errors';

/** Options of MultiheadAttention. */
export interface MultiheadAttentionOptions {
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Inputs as [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
  /** Dropout on the attention weights, in training mode. */
  dropout?: number;
  /** dtype of the parameters (default float32). */
  dtype?: 'float32' | 'float64';
}

/** Options of MultiheadAttention.forward. */
export interface AttentionCallOptions {
  /** [N, S] (or [S] unbatched): true / −inf where a key is padding. */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [N·numHeads, L, S]: true / −inf where query l may not attend to key s. */
  attnMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** Average the returned weights over heads ([N, L, S]) or not ([N, heads, L, S]). Default true. */
  averageAttnWeights?: boolean;
  /** Adds a causal mask (query l attends to keys ≤ l); attnMask may then be omitted. */
  isCausal?: boolean;
}

/**
 * Multi-head attention (torch.nn.MultiheadAttention): projects query, key and value, attends per
 * head with scaled dot products, and projects the concatenated heads. forward → [output, weights].
 * @example const [y] = new tf.nn.MultiheadAttention(64, 8, { batchFirst: true }).forward(x, x, x);  // x [B, L, 64]
 */
export class MultiheadAttention extends Module {
  /** The packed query, key and value projections, [3·embedDim, embedDim]. */
  in_proj_weight: Tensor;
  /** Their biases, [3·embedDim], or null. */
  in_proj_bias: Tensor | null;
  /** The output projection, embedDim → embedDim. */
  out_proj: Linear;
  /** Model width E (last dim of query, key, value and output). */
  readonly embedDim: number;
  /** Number of heads; embedDim divides by it. */
  readonly numHeads: number;
  /** embedDim / numHeads. */
  readonly headDim: number;
  /** Whether inputs are [N, L, E] rather than [L, N, E]. */
  readonly batchFirst: boolean;
  /** Dropout probability on the attention weights, in training mode. */
  readonly dropout: number;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkOptions(opts, 'MultiheadAttention');
    if (!Number.isInteger(embedDim) || embedDim <= 0 || !Number.isInteger(numHeads) || numHeads <= 0)
      throw argumentError(`MultiheadAttention: embedDim and numHeads must be positive integers, got ${show(embedDim)}, ${show(numHeads)}`);
    if (embedDim % numHeads)
      throw shapeError(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.batchFirst = !!opts.batchFirst;
    this.dropout = opts.dropout ?? 0;
    const bias = opts.bias ?? true;
    this.in_proj_weight = init.xavierUniform(newParam([3 * embedDim, embedDim], opts.dtype));
    this.in_proj_bias = bias ? newParam([3 * embedDim], opts.dtype) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias, dtype: opts.dtype });
    if (this.out_proj.bias) init.zeros(this.out_proj.bias);
  }

  /**
   * query [L, N, E], key [S, N, E], value [S, N, E] (batch first with batchFirst, or unbatched 2-d).
   * Returns [output like query, weights [N, L, S] (or per head), or null when needWeights is false].
   */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: AttentionCallOptions = {}): [Tensor, Tensor | null] {
    checkOptions(opts, 'forward');
    const op = 'MultiheadAttention';
    for (const [t, w] of [[query, 'query'], [key, 'key'], [value, 'value']] as const)
      if (!(t instanceof Tensor)) throw argumentError(`${op}: ${w} must be a Tensor, got ${describe(t)}`);
    const E = this.embedDim, Hh = this.numHeads, hd = this.headDim;
    const unbatched = query.ndim === 2;
    const nd = unbatched ? 2 : 3;
    if ((query.ndim !== 2 && query.ndim !== 3) || key.ndim !== nd || value.ndim !== nd)
      throw shapeError(`${op}: query, key and value must all be 3-d (or all 2-d), got [${query.shape}], [${key.shape}], [${value.shape}]`);
    for (const [t, w] of [[query, 'query'], [key, 'key'], [value, 'value']] as const)
      if (t.shape[nd - 1] !== E) throw shapeError(`${op}: ${w} of shape [${t.shape}] must have embedDim ${E} features`);
    // To [L, N, E]: the layout the projections below assume.
    const toSeqFirst = (t: Tensor) => (unbatched ? t.unsqueeze(1) : this.batchFirst ? t.transpose(0, 1) : t);
    const q0 = toSeqFirst(query), k0 = toSeqFirst(key), v0 = toSeqFirst(value);
    const [L, N] = q0.shape;
    const S = k0.shape[0];
    if (k0.shape[1] !== N || v0.shape[1] !== N || v0.shape[0] !== S)
      throw shapeError(`${op}: key [${key.shape}] and value [${value.shape}] must match each other and query [${query.shape}] in batch and length`);

    const w = this.in_proj_weight, b = this.in_proj_bias;
    const proj = (x: Tensor, i: number) => F.linear(x, w.narrow(0, i * E, E), b ? b.narrow(0, i * E, E) : null);
    // [len, N, E] → [N·heads, len, hd]
    const heads = (x: Tensor, len: number) => x.reshape([len, N * Hh, hd]).transpose(0, 1);
    let q: Tensor, k: Tensor, v: Tensor;
    if (query === key && key === value) {
      // Self-attention: one matmul for all three projections.
      const [pq, pk, pv] = F.linear(q0, w, b).chunk(3, -1);
      [q, k, v] = [heads(pq, L), heads(pk, S), heads(pv, S)];
    } else {
      [q, k, v] = [heads(proj(q0, 0), L), heads(proj(k0, 1), S), heads(proj(v0, 2), S)];
    }

    let mask: Tensor | null = null;
    if (opts.attnMask) {
      const m = opts.attnMask;
      const ok2 = m.ndim === 2 && m.shape[0] === L && m.shape[1] === S;
      const ok3 = m.ndim === 3 && m.shape[0] === N * Hh && m.shape[1] === L && m.shape[2] === S;
      if (!ok2 && !ok3)
        throw shapeError(`${op}: attnMask must have shape [${L},${S}] or [${N * Hh},${L},${S}], got [${m.shape}]`);
      mask = maskToAdditive(m, q.dtype, op, 'attnMask');
    }
    if (opts.keyPaddingMask) {
      const m = opts.keyPaddingMask;
      const want = unbatched ? [S] : [N, S];
      if (m.ndim !== want.length || m.shape.some((d, i) => d !== want[i]))
        throw shapeError(`${op}: keyPaddingMask must have shape [${want}], got [${m.shape}]`);
      // [N, S] → [N·heads, 1, S], batch-major like q's first dim.
      const add = maskToAdditive(m, q.dtype, op, 'keyPaddingMask').reshape([N, 1, 1, S]).expand([N, Hh, 1, S])
        .reshape([N * Hh, 1, S]);
      mask = mask ? mask.add(add) : add;
    }
    let ctx: Tensor, weights: Tensor | null = null;
    if (opts.needWeights === false) {
      // The fused attention kernel (one node per call); the weights are never formed as a tensor.
      ctx = F.scaledDotProductAttention(q, k, v, { attnMask: mask, isCausal: opts.isCausal, dropoutP: this.dropout,
        training: this.training });
    } else {
      weights = F.attentionWeights(q, k, mask, !!opts.isCausal, null);
      if (this.training && this.dropout > 0) weights = F.dropout(weights, this.dropout, true);
      ctx = weights.matmul(v);
    }
    // [N·heads, L, hd] → [L, N, E]
    let out = this.out_proj.forward(ctx.transpose(0, 1).reshape([L, N, E]));
    if (unbatched) out = out.squeeze(1);
    else if (this.batchFirst) out = out.transpose(0, 1);

    if (!weights) return [out, null];
    let aw = weights.reshape([N, Hh, L, S]);
    if (opts.averageAttnWeights ?? true) aw = aw.mean(1);
    if (unbatched) aw = aw.squeeze(0);
    return [out, aw];
  }

  /** embedDim and numHeads, for the module's printed form. */
  extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}`;
  }
}

/** Options of TransformerEncoderLayer (and the decoder layer, Transformer). */
export interface TransformerEncoderLayerOptions {
  /** Hidden width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability everywhere in the layer (default 0.1). */
  dropout?: number;
  /** Feed-forward activation (default 'relu'). */
  activation?: 'relu' | 'gelu';
  /** eps of the LayerNorms (default 1e-5). */
  layerNormEps?: number;
  /** Inputs as [N, S, dModel] instead of [S, N, dModel] (default false). */
  batchFirst?: boolean;
  /** LayerNorm before each sublayer instead of after (default false, as PyTorch). */
  normFirst?: boolean;
  /** dtype of the parameters (default float32). */
  dtype?: 'float32' | 'float64';
}

/**
 * PyTorch's TransformerEncoderLayer: self-attention and a feed-forward block, each with a residual.
 * @example const layer = new tf.nn.TransformerEncoderLayer(512, 8, { batchFirst: true });  // [N, S, 512] → [N, S, 512]
 */
export class TransformerEncoderLayer extends Module {
  /** The self-attention block. */
  self_attn: MultiheadAttention;
  /** Feed-forward expansion, dModel → dimFeedforward. */
  linear1: Linear;
  /** Dropout inside the feed-forward block. */
  dropout: Dropout;
  /** Feed-forward projection back, dimFeedforward → dModel. */
  linear2: Linear;
  /** LayerNorm around the self-attention block. */
  norm1: LayerNorm;
  /** LayerNorm around the feed-forward block. */
  norm2: LayerNorm;
  /** Dropout on the self-attention output. */
  dropout1: Dropout;
  /** Dropout on the feed-forward output. */
  dropout2: Dropout;
  /** The feed-forward activation, 'relu' (default) or 'gelu'. */
  readonly activation: 'relu' | 'gelu';
  /** Whether LayerNorm comes before each block (pre-norm) rather than after. */
  readonly normFirst: boolean;

  constructor(dModel: number, nhead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    checkOptions(opts, 'TransformerEncoderLayer');
    const p = opts.dropout ?? 0.1;
    const dtype = opts.dtype;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: opts.batchFirst, dtype });
    this.linear1 = new Linear(dModel, opts.dimFeedforward ?? 2048, { dtype });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(opts.dimFeedforward ?? 2048, dModel, { dtype });
    this.norm1 = new LayerNorm(dModel, { eps: opts.layerNormEps ?? 1e-5, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: opts.layerNormEps ?? 1e-5, dtype });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = opts.activation ?? 'relu';
    this.normFirst = !!opts.normFirst;
  }

  /**
   * src [S, N, dModel] ([N, S, dModel] with batchFirst) → the same shape; srcMask [S, S] and
   * srcKeyPaddingMask [N, S] as MultiheadAttention's attnMask / keyPaddingMask.
   */
  forward(src: Tensor, opts: { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {}): Tensor {
    checkOptions(opts, 'forward');
    const sa = (x: Tensor) => this.dropout1.forward(this.self_attn.forward(x, x, x, {
      attnMask: opts.srcMask, keyPaddingMask: opts.srcKeyPaddingMask, needWeights: false, isCausal: opts.isCausal,
    })[0]);
    const ff = (x: Tensor) => {
      const h = this.linear1.forward(x);
      return this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activation === 'gelu' ? h.gelu() : h.relu())));
    };
    let x = src;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(ff(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(ff(x)));
    }
    return x;
  }
}
