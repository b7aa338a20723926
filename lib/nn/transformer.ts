// PyTorch's Transformer family: TransformerEncoder (n copies of an encoder layer, optional final
// norm), TransformerDecoderLayer, TransformerDecoder and Transformer. Submodule names match
// PyTorch's (layers.0.self_attn.in_proj_weight, norm3.bias, encoder.layers.1..., decoder.norm.weight),
// so its state dicts load unchanged.
import { Tensor, checkOptions, describe } from '../tensor';
import { MultiheadAttention, TransformerEncoderLayer, TransformerEncoderLayerOptions } from './attention';
import { Dropout, LayerNorm, Linear } from './layers';
import { Module, ModuleList } from './module';
import { cloneModule } from './clone';
import * as init from './init';
import { posInt, floatTensor } from './args';
import { argumentError, show } from '../errors';

export interface EncoderCallOptions {
  mask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

/** numLayers deep copies of encoderLayer applied in turn, then `norm` if given. */
export class TransformerEncoder extends Module {
  /** The numLayers encoder layers (deep copies of the one given). */
  layers: ModuleList;
  /** The final normalisation, or null. */
  norm: Module | null;
  /** The number of layers. */
  readonly numLayers: number;
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    checkOptions(opts, 'TransformerEncoder');
    if (!(encoderLayer instanceof Module)) throw argumentError(`TransformerEncoder: encoderLayer must be a Module, got ${describe(encoderLayer)}`);
    this.numLayers = posInt(numLayers, 'TransformerEncoder', 'numLayers');
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => cloneModule(encoderLayer)));
    this.norm = opts.norm ?? null;
  }
  /** src [S, N, dModel] ([N, S, dModel] with batchFirst) through every layer, then norm → the same shape. */
  forward(src: Tensor, opts: EncoderCallOptions = {}): Tensor {
    checkOptions(opts, 'TransformerEncoder.forward');
    let x = src;
    for (const layer of this.layers)
      x = (layer as TransformerEncoderLayer).forward(x, { srcMask: opts.mask, srcKeyPaddingMask: opts.srcKeyPaddingMask,
        isCausal: opts.isCausal });
    return this.norm ? this.norm.forward(x) : x;
  }
}

export interface DecoderCallOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}

/** Self-attention, attention over the encoder's memory, and a feed-forward block, each with a residual. */
export class TransformerDecoderLayer extends Module {
  /** Self-attention over the target. */
  self_attn: MultiheadAttention;
  /** Attention from the target to the encoder's memory. */
  multihead_attn: MultiheadAttention;
  /** Feed-forward expansion, dModel → dimFeedforward. */
  linear1: Linear;
  /** Dropout inside the feed-forward block. */
  dropout: Dropout;
  /** Feed-forward projection back, dimFeedforward → dModel. */
  linear2: Linear;
  /** LayerNorm around the self-attention block. */
  norm1: LayerNorm;
  /** LayerNorm around the memory-attention block. */
  norm2: LayerNorm;
  /** LayerNorm around the feed-forward block. */
  norm3: LayerNorm;
  /** Dropout on the self-attention output. */
  dropout1: Dropout;
  /** Dropout on the memory-attention output. */
  dropout2: Dropout;
  /** Dropout on the feed-forward output. */
  dropout3: Dropout;
  /** The feed-forward activation, 'relu' (default) or 'gelu'. */
  readonly activation: 'relu' | 'gelu';
  /** Whether LayerNorm comes before each block (pre-norm) rather than after. */
  readonly normFirst: boolean;

  constructor(dModel: number, nhead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    checkOptions(opts, 'TransformerDecoderLayer');
    const p = opts.dropout ?? 0.1;
    const dtype = opts.dtype;
    const ff = opts.dimFeedforward ?? 2048;
    const eps = opts.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: opts.batchFirst, dtype });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: opts.batchFirst, dtype });
    this.linear1 = new Linear(dModel, ff, { dtype });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { dtype });
    this.norm1 = new LayerNorm(dModel, { eps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps, dtype });
    this.norm3 = new LayerNorm(dModel, { eps, dtype });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = opts.activation ?? 'relu';
    if (this.activation !== 'relu' && this.activation !== 'gelu')
      throw argumentError(`TransformerDecoderLayer: activation must be 'relu' or 'gelu', got ${show(opts.activation)}`);
    this.normFirst = !!opts.normFirst;
  }

  /** tgt [T, N, dModel] and memory [S, N, dModel] (batch first with batchFirst) → [T, N, dModel]. */
  forward(tgt: Tensor, memory: Tensor, opts: DecoderCallOptions = {}): Tensor {
    checkOptions(opts, 'TransformerDecoderLayer.forward');
    const sa = (x: Tensor) => this.dropout1.forward(this.self_attn.forward(x, x, x, {
      attnMask: opts.tgtMask, keyPaddingMask: opts.tgtKeyPaddingMask, needWeights: false, isCausal: opts.tgtIsCausal,
    })[0]);
    const mha = (x: Tensor) => this.dropout2.forward(this.multihead_attn.forward(x, memory, memory, {
      attnMask: opts.memoryMask, keyPaddingMask: opts.memoryKeyPaddingMask, needWeights: false, isCausal: opts.memoryIsCausal,
    })[0]);
    const ffb = (x: Tensor) => {
      const h = this.linear1.forward(x);
      return this.dropout3.forward(this.linear2.forward(this.dropout.forward(this.activation === 'gelu' ? h.gelu() : h.relu())));
    };
    let x = tgt;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(mha(this.norm2.forward(x)));
      x = x.add(ffb(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(mha(x)));
      x = this.norm3.forward(x.add(ffb(x)));
    }
    return x;
  }
}

/** numLayers deep copies of decoderLayer applied in turn (each attending to memory), then `norm` if given. */
export class TransformerDecoder extends Module {
  /** The numLayers decoder layers (deep copies of the one given). */
  layers: ModuleList;
  /** The final normalisation, or null. */
  norm: Module | null;
  /** The number of layers. */
  readonly numLayers: number;
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    checkOptions(opts, 'TransformerDecoder');
    if (!(decoderLayer instanceof Module)) throw argumentError(`TransformerDecoder: decoderLayer must be a Module, got ${describe(decoderLayer)}`);
    this.numLayers = posInt(numLayers, 'TransformerDecoder', 'numLayers');
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => cloneModule(decoderLayer)));
    this.norm = opts.norm ?? null;
  }
  /** tgt [T, N, dModel] and memory [S, N, dModel] through every layer, then norm → [T, N, dModel]. */
  forward(tgt: Tensor, memory: Tensor, opts: DecoderCallOptions = {}): Tensor {
    checkOptions(opts, 'TransformerDecoder.forward');
    let x = tgt;
    for (const layer of this.layers) x = (layer as TransformerDecoderLayer).forward(x, memory, opts);
    return this.norm ? this.norm.forward(x) : x;
  }
}

export interface TransformerOptions extends TransformerEncoderLayerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  customEncoder?: Module | null;
  customDecoder?: Module | null;
}

/**
 * The encoder-decoder Transformer: new Transformer({dModel = 512, nhead = 8, numEncoderLayers = 6,
 * numDecoderLayers = 6, dimFeedforward = 2048, dropout = 0.1, activation, layerNormEps, batchFirst,
 * normFirst}). Weight matrices are xavier-uniform initialised, as PyTorch's.
 */
export class Transformer extends Module {
  /** The encoder (a TransformerEncoder with a final LayerNorm, or customEncoder). */
  encoder: Module;
  /** The decoder (a TransformerDecoder with a final LayerNorm, or customDecoder). */
  decoder: Module;
  /** Model width (default 512). */
  readonly dModel: number;
  /** Attention heads (default 8). */
  readonly nhead: number;
  /** Whether inputs are [N, S, dModel] rather than [S, N, dModel]. */
  readonly batchFirst: boolean;
  constructor(opts: TransformerOptions = {}) {
    super();
    checkOptions(opts, 'Transformer');
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, customEncoder, customDecoder,
      ...layerOpts } = opts;
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = !!opts.batchFirst;
    const eps = opts.layerNormEps ?? 1e-5;
    this.encoder = customEncoder ?? new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layerOpts),
      numEncoderLayers, { norm: new LayerNorm(dModel, { eps, dtype: opts.dtype }) });
    this.decoder = customDecoder ?? new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layerOpts),
      numDecoderLayers, { norm: new LayerNorm(dModel, { eps, dtype: opts.dtype }) });
    for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform(p);
  }
  /**
   * src [S, N, dModel] and tgt [T, N, dModel] (batch first with batchFirst): encodes src, then decodes
   * tgt attending to it → [T, N, dModel]. Masks as in the encoder and decoder layers.
   */
  forward(src: Tensor, tgt: Tensor, opts: {
    srcMask?: Tensor | null; tgtMask?: Tensor | null; memoryMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null;
    tgtKeyPaddingMask?: Tensor | null; memoryKeyPaddingMask?: Tensor | null;
  } = {}): Tensor {
    checkOptions(opts, 'Transformer.forward');
    const memory = this.encoder.forward(src, { mask: opts.srcMask, srcKeyPaddingMask: opts.srcKeyPaddingMask });
    return this.decoder.forward(tgt, memory, { tgtMask: opts.tgtMask, memoryMask: opts.memoryMask,
      tgtKeyPaddingMask: opts.tgtKeyPaddingMask, memoryKeyPaddingMask: opts.memoryKeyPaddingMask });
  }
  /** A float [sz, sz] mask: 0 on and below the diagonal, −inf above (no attending to later positions). */
  static generateSquareSubsequentMask(sz: number, opts: { dtype?: 'float32' | 'float64' } = {}): Tensor {
    posInt(sz, 'generateSquareSubsequentMask', 'sz');
    // The upper triangle of a -inf matrix (one native pass; a JS loop costs ~100x at sz = 4096).
    return floatTensor([-Infinity], opts.dtype ?? 'float32', [1, 1]).expand([sz, sz]).triu(1);
  }
}
