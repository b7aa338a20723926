// Recurrent layers: RNN, LSTM, GRU (multi-layer, bidirectional) and their single-step cells.
//
// Parameter names, shapes, gate order and initialisation are PyTorch's:
//   weight_ih_l{k}[_reverse] [G·H, in], weight_hh_l{k}[_reverse] [G·H, H], bias_ih / bias_hh [G·H]
//   LSTM gates (G = 4): input, forget, cell, output.  GRU gates (G = 3): reset, update, new.
//   Every weight and bias ~ U(−1/sqrt(H), 1/sqrt(H)).
// Sequences are time-major [T, B, in] unless batchFirst ([B, T, in]); a 2-d input [T, in] is one
// unbatched sequence.
//
// The input projection of every time step is one matmul ([T·B, in] @ W_ihᵀ, both biases folded in
// where the gate equations allow), so the per-step work is only h @ W_hhᵀ and the gate arithmetic.
import { concat, stack } from '../ops';
import { kernels } from '../kernels';
import { liftHalf } from '../storage_dtypes';
import { DType, Tensor, describe, wrap, zeros, checkOptions, isFloating } from '../tensor';

// The fused recurrent kernels; float16/bfloat16 operands run in float32 and round back.
const native = {
  lstmCell: liftHalf(kernels.lstmCell),
  gruCell: liftHalf(kernels.gruCell),
  lstmLayer: liftHalf(kernels.lstmLayer),
};
import * as F from './functional';
import * as init from './init';
import { Module } from './module';
import { newParam } from './layers';
import { argumentError, dtypeError, rangeError, shapeError, show, tfError } from '../errors';

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** Options of RNN, GRU and LSTM. */
export interface RNNOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Use bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output as [B, T, features] instead of [T, B, features]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. */
  dropout?: number;
  /** Run each layer in both directions, concatenating the outputs (default false). */
  bidirectional?: boolean;
  /** dtype of the parameters (default float32). */
  dtype?: DType;
}

function posInt(v: unknown, layer: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw argumentError(`${layer}: ${what} must be a positive integer, got ${typeof v === 'number' ? v : describe(v)}`);
  return v;
}

// The engine's unbind records one node for all pieces, whose backward is one stack, so slicing
// T time steps costs O(T) in backward.
/** x[0], x[1], ... along dim 0. */
function unbind0(x: Tensor): Tensor[] {
  return x.unbind(0);
}

// One time step. xp: the input projection of this step [B, G·H] (with bias_ih, and bias_hh too
// except for GRU, whose reset gate multiplies the hidden projection including its bias).
// whhT: W_hhᵀ [H, G·H], a transposed view (GEMM reads it in place). Returns the new h (and c for
// LSTM). The LSTM and GRU gate arithmetic is one fused engine op (native/core/ops_rnn.h) whose
// equations are PyTorch's; test/rnn_fused.test.js checks it against the op-by-op formulas.
function step(mode: Mode, xp: Tensor, h: Tensor, c: Tensor | null, whhT: Tensor, bhh: Tensor | null): [Tensor, Tensor | null] {
  let hp = h.matmul(whhT);
  switch (mode) {
    case 'LSTM': {
      const gates = xp.add(hp);
      let cc = c as Tensor;
      // Mixed dtypes (float32 input, float64 weights or the reverse) promote as the matmul did.
      if (cc.dtype !== gates.dtype) cc = cc.to(gates.dtype);
      const hc = native.lstmCell(gates._h, cc._h);
      return [wrap(hc[0]), wrap(hc[1])];
    }
    case 'GRU': {
      if (bhh) hp = hp.add(bhh);
      let hh = h;
      if (hh.dtype !== hp.dtype) hh = hh.to(hp.dtype);
      let x = xp;
      if (x.dtype !== hp.dtype) x = x.to(hp.dtype);
      return [wrap(native.gruCell(x._h, hp._h, hh._h)), null];
    }
    case 'RNN_TANH':
      return [xp.add(hp).tanh(), null];
    case 'RNN_RELU':
      return [xp.add(hp).relu(), null];
  }
}

class RNNBase extends Module {
  /** The cell kind: 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU' (PyTorch's mode names). */
  readonly mode: Mode;
  /** Features of each input step. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Stacked layers, each fed the previous one's output. */
  readonly numLayers: number;
  /** Whether the layers have bias_ih / bias_hh. */
  readonly bias: boolean;
  /** Whether input and output are [B, T, features] rather than [T, B, features]. */
  readonly batchFirst: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode. */
  readonly dropout: number;
  /** Whether each layer also runs backwards in time (dirs = 2; outputs concatenated). */
  readonly bidirectional: boolean;

  constructor(name: string, mode: Mode, inputSize: number, hiddenSize: number, opts: RNNOptions) {
    super();
    this.mode = mode;
    this.inputSize = posInt(inputSize, name, 'inputSize');
    this.hiddenSize = posInt(hiddenSize, name, 'hiddenSize');
    this.numLayers = posInt(opts.numLayers ?? 1, name, 'numLayers');
    this.bias = opts.bias ?? true;
    this.batchFirst = !!opts.batchFirst;
    this.dropout = opts.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1))
      throw rangeError(`${name}: dropout must be in [0, 1], got ${this.dropout}`);
    this.bidirectional = !!opts.bidirectional;
    const G = GATES[mode] * hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    // Registration order is PyTorch's, so stateDict() lists the keys in the same order.
    for (let l = 0; l < this.numLayers; l++)
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const inL = l === 0 ? inputSize : hiddenSize * D;
        this.registerParameter(`weight_ih${sfx}`, newParam([G, inL], opts.dtype));
        this.registerParameter(`weight_hh${sfx}`, newParam([G, hiddenSize], opts.dtype));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, newParam([G], opts.dtype));
          this.registerParameter(`bias_hh${sfx}`, newParam([G], opts.dtype));
        }
      }
    this.resetParameters();
  }

  /** Re-draws every weight and bias from U(−1/sqrt(hiddenSize), 1/sqrt(hiddenSize)), as PyTorch. */
  resetParameters(): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform(p, -k, k);
  }

  private param(name: string): Tensor | null {
    return ((this as unknown as Record<string, Tensor | null>)[name]) ?? null;
  }

  /** Runs the whole sequence; hx is h0 [L·D, B, H] (for LSTM [h0, c0]), zeros when absent. */
  protected run(input: Tensor, hx: Tensor | [Tensor, Tensor] | null | undefined): [Tensor, Tensor, Tensor | null] {
    const name = this.constructor.name;
    if (!(input instanceof Tensor)) throw argumentError(`${name}: input must be a Tensor, got ${describe(input)}`);
    if (!isFloating(input.dtype))
      throw dtypeError(`${name}: input must be a floating-point tensor, got ${input.dtype}`);
    if (input.ndim !== 2 && input.ndim !== 3)
      throw shapeError(`${name}: expected input of 3 dims ([T,B,in] or [B,T,in] with batchFirst) or 2 dims ([T,in]), got [${input.shape}]`);
    if (input.shape[input.ndim - 1] !== this.inputSize)
      throw shapeError(`${name}: input of shape [${input.shape}] has ${input.shape[input.ndim - 1]} features, expected inputSize ${this.inputSize}`);
    const unbatched = input.ndim === 2;
    let x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    const [T, B] = x.shape;
    const H = this.hiddenSize, D = this.bidirectional ? 2 : 1, L = this.numLayers;
    const isLSTM = this.mode === 'LSTM';
    const hShape = [L * D, B, H];

    let h0: Tensor | null = null, c0: Tensor | null = null;
    if (hx !== undefined && hx !== null) {
      if (isLSTM) {
        if (!Array.isArray(hx) || hx.length !== 2 || !(hx[0] instanceof Tensor) || !(hx[1] instanceof Tensor))
          throw argumentError(`${name}: the initial state must be [h0, c0], got ${describe(hx)}`);
        [h0, c0] = hx;
      } else {
        if (!(hx instanceof Tensor)) throw argumentError(`${name}: h0 must be a Tensor, got ${describe(hx)}`);
        h0 = hx;
      }
      for (const [t, w] of [[h0, 'h0'], [c0, 'c0']] as const) {
        if (!t) continue;
        const want = unbatched ? [L * D, H] : hShape;
        const s = t.shape;
        if (s.length !== want.length || s.some((v, i) => v !== want[i]))
          throw shapeError(`${name}: ${w} must have shape [${want}], got [${s}]`);
      }
      if (unbatched) {
        h0 = h0 && h0.unsqueeze(1);
        c0 = c0 && c0.unsqueeze(1);
      }
    }
    if (!h0) h0 = zeros(hShape, { dtype: x.dtype });
    if (isLSTM && !c0) c0 = zeros(hShape, { dtype: x.dtype });

    const hn: Tensor[] = [], cn: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const wih = this.param(`weight_ih${sfx}`) as Tensor, whh = this.param(`weight_hh${sfx}`) as Tensor;
        const bih = this.param(`bias_ih${sfx}`), bhh = this.param(`bias_hh${sfx}`);
        const inL = x.shape[2];
        let xp = x.reshape([T * B, inL]).matmul(wih.T);
        let h = h0.select(0, l * D + d);
        let c = isLSTM ? (c0 as Tensor).select(0, l * D + d) : null;
        if (isLSTM) {
          // The whole direction is one engine op (native/core/ops_rnn.h): per step one GEMM and the
          // fused cell, in backward a single GEMM for dW_hh over all steps. The two biases are
          // summed once ([4H]) and added inside it rather than broadcast over all T·B rows.
          const dt = xp.dtype;
          const as = (t: Tensor): Tensor => (t.dtype === dt ? t : t.to(dt));
          const bsum = bih && bhh ? as(bih.add(bhh)) : null;
          const r = native.lstmLayer(xp.reshape([T, B, -1])._h, as(h)._h, as(c as Tensor)._h, as(whh)._h,
            bsum ? bsum._h : null, d === 1);
          outs.push(wrap(r[0]));
          hn.push(wrap(r[1]));
          cn.push(wrap(r[2]));
          continue;
        }
        if (bih) xp = xp.add(bih);
        if (bhh && this.mode !== 'GRU') xp = xp.add(bhh);
        const xsteps = unbind0(xp.reshape([T, B, -1]));
        const whhT = whh.T;
        const ys: Tensor[] = new Array(T);
        // The recurrence is a plain loop over time steps: the tape records each step, so the loop is
        // differentiable as written (it is what tf.scan would do, and may become a tf.scan later).
        for (let i = 0; i < T; i++) {
          const t = d ? T - 1 - i : i;
          [h, c] = step(this.mode, xsteps[t], h, c, whhT, this.mode === 'GRU' ? bhh : null);
          ys[t] = h;
        }
        outs.push(stack(ys, 0));
        hn.push(h);
        if (c) cn.push(c);
      }
      x = D === 2 ? concat(outs, 2) : outs[0];
      if (this.dropout > 0 && this.training && l < L - 1) x = F.dropout(x, this.dropout, true);
    }
    let out = x, hN = stack(hn, 0), cN = isLSTM ? stack(cn, 0) : null;
    if (unbatched) {
      out = out.squeeze(1);
      hN = hN.squeeze(1);
      cN = cN && cN.squeeze(1);
    } else if (this.batchFirst) out = out.transpose(0, 1);
    return [out, hN, cN];
  }

  /** The sizes and options, for the module's printed form. */
  extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}, numLayers=${this.numLayers}, bidirectional=${this.bidirectional}`;
  }
}

/** Elman RNN: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu). forward → [output, h_n]. */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    checkOptions(opts, 'RNN');
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw tfError('ARGUMENT', `RNN: nonlinearity must be 'tanh' or 'relu', got ${show(nl)}`);
    super('RNN', nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
  }
  /**
   * input [T, B, inputSize] ([B, T, inputSize] with batchFirst; [T, inputSize] unbatched), h0
   * [numLayers·dirs, B, hiddenSize] (zeros if omitted) → [output [T, B, dirs·hiddenSize], h_n like h0].
   * @example const [out, hn] = new tf.nn.RNN(10, 20).forward(tf.randn([5, 3, 10]));  // out [5, 3, 20]
   */
  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const [out, hn] = this.run(input, h0);
    return [out, hn];
  }
}

/** Gated recurrent unit, gates (reset, update, new). forward → [output, h_n]. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('GRU', 'GRU', inputSize, hiddenSize, opts);
    checkOptions(opts, 'GRU');
  }
  /**
   * input [T, B, inputSize] ([B, T, inputSize] with batchFirst), h0 [numLayers·dirs, B, hiddenSize]
   * (zeros if omitted) → [output [T, B, dirs·hiddenSize], h_n like h0].
   */
  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const [out, hn] = this.run(input, h0);
    return [out, hn];
  }
}

/** Long short-term memory, gates (input, forget, cell, output). forward → [output, [h_n, c_n]]. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('LSTM', 'LSTM', inputSize, hiddenSize, opts);
    checkOptions(opts, 'LSTM');
  }
  /**
   * input [T, B, inputSize] ([B, T, inputSize] with batchFirst), hx = [h0, c0], each [numLayers·dirs, B,
   * hiddenSize] (zeros if omitted) → [output [T, B, dirs·hiddenSize], [h_n, c_n]].
   * @example const [out, [h, c]] = new tf.nn.LSTM(10, 20).forward(tf.randn([5, 3, 10]));  // out [5, 3, 20]
   */
  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    const [out, hn, cn] = this.run(input, hx);
    return [out, [hn, cn as Tensor]];
  }
}

// ---- cells: one time step, x [B, in] (or [in]) and h [B, H] (or [H]) ----
class CellBase extends Module {
  /** Input-to-hidden weights, [gates·hiddenSize, inputSize] (gates: 1 RNN, 3 GRU, 4 LSTM). */
  weight_ih: Tensor;
  /** Hidden-to-hidden weights, [gates·hiddenSize, hiddenSize]. */
  weight_hh: Tensor;
  /** Input-to-hidden bias, [gates·hiddenSize], or null. */
  bias_ih: Tensor | null;
  /** Hidden-to-hidden bias, [gates·hiddenSize], or null. */
  bias_hh: Tensor | null;
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** The cell kind: 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'. */
  readonly mode: Mode;

  constructor(name: string, mode: Mode, inputSize: number, hiddenSize: number, opts: { bias?: boolean; dtype?: DType }) {
    super();
    this.mode = mode;
    this.inputSize = posInt(inputSize, name, 'inputSize');
    this.hiddenSize = posInt(hiddenSize, name, 'hiddenSize');
    const G = GATES[mode] * hiddenSize;
    this.weight_ih = newParam([G, inputSize], opts.dtype);
    this.weight_hh = newParam([G, hiddenSize], opts.dtype);
    const bias = opts.bias ?? true;
    this.bias_ih = bias ? newParam([G], opts.dtype) : null;
    this.bias_hh = bias ? newParam([G], opts.dtype) : null;
    const k = 1 / Math.sqrt(hiddenSize);
    for (const p of this.parameters()) init.uniform(p, -k, k);
  }

  protected cell(x: Tensor, h: Tensor | null | undefined, c: Tensor | null | undefined): [Tensor, Tensor | null] {
    const name = this.constructor.name;
    if (!(x instanceof Tensor)) throw argumentError(`${name}: input must be a Tensor, got ${describe(x)}`);
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize)
      throw shapeError(`${name}: expected input [B, ${this.inputSize}] or [${this.inputSize}], got [${x.shape}]`);
    const unbatched = x.ndim === 1;
    const xb = unbatched ? x.unsqueeze(0) : x;
    const B = xb.shape[0];
    const prep = (s: Tensor | null | undefined, w: string): Tensor => {
      if (s === undefined || s === null) return zeros([B, this.hiddenSize], { dtype: x.dtype });
      if (!(s instanceof Tensor)) throw argumentError(`${name}: ${w} must be a Tensor, got ${describe(s)}`);
      const want = unbatched ? [this.hiddenSize] : [B, this.hiddenSize];
      if (s.ndim !== want.length || s.shape.some((v, i) => v !== want[i]))
        throw shapeError(`${name}: ${w} must have shape [${want}], got [${s.shape}]`);
      return unbatched ? s.unsqueeze(0) : s;
    };
    const hb = prep(h, 'h');
    const cb = this.mode === 'LSTM' ? prep(c, 'c') : null;
    let xp = xb.matmul(this.weight_ih.T);
    if (this.bias_ih) xp = xp.add(this.bias_ih);
    if (this.bias_hh && this.mode !== 'GRU') xp = xp.add(this.bias_hh);
    let [h2, c2] = step(this.mode, xp, hb, cb, this.weight_hh.T, this.mode === 'GRU' ? this.bias_hh : null);
    if (unbatched) {
      h2 = h2.squeeze(0);
      c2 = c2 && c2.squeeze(0);
    }
    return [h2, c2];
  }
}

/**
 * One step of an Elman RNN: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu): x [B, inputSize], h [B, hiddenSize]
 * → h'.
 */
export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number,
    opts: { bias?: boolean; nonlinearity?: 'tanh' | 'relu'; dtype?: DType } = {}) {
    checkOptions(opts, 'RNNCell');
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw tfError('ARGUMENT', `RNNCell: nonlinearity must be 'tanh' or 'relu', got ${show(nl)}`);
    super('RNNCell', nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
  }
  /** → h' */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.cell(x, h, null)[0];
  }
}

/** One GRU step (gates reset, update, new): x [B, inputSize], h [B, hiddenSize] → h'. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; dtype?: DType } = {}) {
    super('GRUCell', 'GRU', inputSize, hiddenSize, opts);
    checkOptions(opts, 'GRUCell');
  }
  /** → h' */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.cell(x, h, null)[0];
  }
}

/** One LSTM step (gates input, forget, cell, output): x [B, inputSize], [h, c] each [B, hiddenSize] → [h', c']. */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; dtype?: DType } = {}) {
    super('LSTMCell', 'LSTM', inputSize, hiddenSize, opts);
    checkOptions(opts, 'LSTMCell');
  }
  /** → [h', c'] */
  forward(x: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2))
      throw argumentError(`LSTMCell: the state must be [h, c], got ${describe(hx)}`);
    const [h, c] = this.cell(x, hx ? hx[0] : null, hx ? hx[1] : null);
    return [h, c as Tensor];
  }
}
