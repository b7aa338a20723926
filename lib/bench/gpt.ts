// The transformer_step and attention workloads: nanoGPT's character-level model written as a
// tensorfold user would write it. scripts/bench_torch.py (gpt_step, attention) is the same model on
// PyTorch 1.13 (which has no F.scaled_dot_product_attention, so nanoGPT's manual attention path).
import * as tf from '../index';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const lib = tf as unknown as Record<string, Loose>;

export const GPT = { vocab: 65, block: 64, layers: 4, heads: 4, embd: 128, batch: 12 };

function paramsOf(...modules: Loose[]): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const m of modules) out.push(...Array.from(m.parameters() as Iterable<tf.Tensor>));
  return out;
}

class Block {
  ln1: Loose; cAttn: Loose; attnProj: Loose; ln2: Loose; fc: Loose; mlpProj: Loose;
  constructor(C: number) {
    const nn = lib.nn;
    this.ln1 = new nn.LayerNorm(C);
    this.cAttn = new nn.Linear(C, 3 * C);
    this.attnProj = new nn.Linear(C, C);
    this.ln2 = new nn.LayerNorm(C);
    this.fc = new nn.Linear(C, 4 * C);
    this.mlpProj = new nn.Linear(4 * C, C);
  }
  parameters(): tf.Tensor[] {
    return paramsOf(this.ln1, this.cAttn, this.attnProj, this.ln2, this.fc, this.mlpProj);
  }
  forward(x: tf.Tensor): tf.Tensor {
    const F = lib.F;
    const [B, T, C] = x.shape;
    const nh = GPT.heads, hd = C / nh;
    const [q, k, v] = (this.cAttn.forward(this.ln1.forward(x)) as tf.Tensor).split(C, 2)
      .map((t) => t.reshape([B, T, nh, hd]).transpose(1, 2));
    const y = (F.scaledDotProductAttention(q, k, v, { isCausal: true }) as tf.Tensor).transpose(1, 2).reshape([B, T, C]);
    x = x.add(this.attnProj.forward(y));
    return x.add(this.mlpProj.forward(F.gelu(this.fc.forward(this.ln2.forward(x)))));
  }
}

/** One nanoGPT training step per call: forward, cross-entropy, backward, clip 1.0, AdamW (two groups, warmup + cosine). */
export function gptStep(): { step: () => void; dispose: () => void } {
  const nn = lib.nn;
  const { vocab, block, layers, embd, batch } = GPT;
  const wte = new nn.Embedding(vocab, embd);
  const wpe = new nn.Embedding(block, embd);
  const blocks = Array.from({ length: layers }, () => new Block(embd));
  const lnF = new nn.LayerNorm(embd);
  const params = [...paramsOf(wte, wpe, lnF), ...blocks.flatMap((b) => b.parameters())];
  const decay = params.filter((p) => p.ndim >= 2), noDecay = params.filter((p) => p.ndim < 2);
  const opt = new lib.optim.AdamW([{ params: decay, weightDecay: 0.1 }, { params: noDecay, weightDecay: 0 }],
    { lr: 1e-3, betas: [0.9, 0.99] });
  const data = tf.randint(0, vocab, [batch, block + 1]);
  const x = data.narrow(1, 0, block).contiguous(), y = data.narrow(1, 1, block).contiguous();
  const pos = tf.arange(0, block, 1, { dtype: 'int32' });
  const lrAt = (it: number) => {  // nanoGPT's get_lr: linear warmup, cosine decay to min_lr
    const lr = 1e-3, minLr = 1e-4, warmup = 100, decayIters = 5000;
    if (it < warmup) return lr * (it + 1) / (warmup + 1);
    if (it > decayIters) return minLr;
    const r = (it - warmup) / (decayIters - warmup);
    return minLr + 0.5 * (1 + Math.cos(Math.PI * r)) * (lr - minLr);
  };
  let it = 0;
  const step = () => tf.tidy(() => {
    for (const g of opt.paramGroups) g.lr = lrAt(it);
    opt.zeroGrad();
    let h: tf.Tensor = (wte.forward(x) as tf.Tensor).add(wpe.forward(pos));
    for (const b of blocks) h = b.forward(h);
    const logits: tf.Tensor = lib.F.linear(lnF.forward(h), wte.weight);  // weight-tied head (nanoGPT's lm_head)
    const loss: tf.Tensor = lib.F.crossEntropy(logits.reshape([-1, vocab]), y.reshape([-1]));
    loss.backward();
    nn.utils.clipGradNorm(params, 1.0);
    opt.step();
    it++;
    return undefined;
  });
  const dispose = () => {
    for (const p of params) p.grad?.dispose();
    tf.dispose([opt.state, ...params, data, x, y, pos]);
  };
  return { step, dispose };
}

export const ATTN = { batch: 8, heads: 8, T: 256, headDim: 64 };

/** F.scaledDotProductAttention forward and backward (not causal, no mask) on [8, 8, 256, 64] float32. */
export function attentionStep(): { step: () => void; dispose: () => void } {
  const { batch, heads, T, headDim } = ATTN;
  const shape = [batch, heads, T, headDim];
  const [q, k, v] = [0, 1, 2].map(() => tf.randn(shape, { requiresGrad: true }));
  const step = () => tf.tidy(() => {
    q.grad = null; k.grad = null; v.grad = null;
    (lib.F.scaledDotProductAttention(q, k, v) as tf.Tensor).sum().backward();
    return undefined;
  });
  return { step, dispose: () => tf.dispose([q, k, v]) };
}
