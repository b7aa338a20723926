// The benchmark workloads of WORKLOADS.md, on tensorfold. scripts/bench_torch.py defines the same
// ones on PyTorch: change both together, or the ratios stop meaning anything.
//
// Every workload builds its inputs once (seeded) and hands back `step`, one timed unit of work.
// A step disposes everything it creates, so the timings neither include garbage collection that
// the work would not cause nor leak native memory from one sample to the next.
import * as tf from '../index';
import { gptStep, attentionStep } from './gpt';

export type Unit = 'GFLOP/s' | 'ms' | 'µs/op' | 'ms/step';

export interface Prepared {
  step(): void;
  /** Frees the inputs and the model. */
  dispose(): void;
}

export interface Workload {
  id: string;
  unit: Unit;
  /** What one step does, for the table's legend and --help. */
  description: string;
  /** Operations per step, for µs/op; floating-point operations per step, for GFLOP/s. */
  count?: number;
  /** Names of tf.nn / tf.optim members the workload needs; absent ones skip it. */
  needs?: string[];
  /**
   * What bounds the workload on this machine, for the "share of the limit" column: floating-point
   * work at the FMA peak (float64: the float64 peak), or bytes moved at the triad bandwidth.
   */
  limit?: { flop: number; f64?: boolean } | { bytes: number };
  /** Training rows: the benchmark also reports the peak resident memory of a child running it. */
  training?: boolean;
  prepare(): Prepared;
}

// tf.nn and tf.optim are built by other parts of the project and may be absent; the training
// workloads reach them through this loose view and check for what they use before running.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const lib = tf as unknown as Record<string, Loose>;

/** The members of `needs` not present in this build, as `tf.nn.Conv2d`-style names. */
export function missing(needs: string[] | undefined): string[] {
  const out: string[] = [];
  for (const name of needs ?? []) {
    let v: Loose = lib;
    for (const part of name.split('.')) v = v == null ? undefined : v[part];
    if (v === undefined || v === null) out.push('tf.' + name);
  }
  return out;
}

/** Runs fn and disposes what it created, as tf.tidy, but returns nothing to keep. */
function scoped(fn: () => void): () => void {
  return () => tf.tidy(() => {
    fn();
    return undefined;
  });
}

function gemm(n: number, dtype: 'float32' | 'float64' = 'float32'): Workload {
  const f64 = dtype === 'float64';
  return {
    id: f64 ? `gemm${n}_f64` : `gemm${n}`,
    unit: 'GFLOP/s',
    description: `C = A·B, ${n}×${n} ${dtype}`,
    count: 2 * n * n * n,
    limit: { flop: 2 * n * n * n, f64 },
    prepare() {
      const a = tf.randn([n, n], { dtype });
      const b = tf.randn([n, n], { dtype });
      return {
        step: () => a.matmul(b).dispose(),
        dispose: () => tf.dispose([a, b]),
      };
    },
  };
}

const N16M = 1 << 24;

/** A training step as WORKLOADS.md defines it: zeroGrad, forward, loss, backward, Adam step. */
function trainStep(params: Loose[], forward: () => tf.Tensor, target: tf.Tensor): { step: () => void; opt: Loose } {
  const opt = new lib.optim.Adam(params, { lr: 1e-3 });
  const F = lib.nn.functional ?? lib.F;
  return {
    opt,
    step: scoped(() => {
      opt.zeroGrad();
      const loss: tf.Tensor = F.crossEntropy(forward(), target);
      loss.backward();
      opt.step();
    }),
  };
}

function paramsOf(...modules: Loose[]): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const m of modules) out.push(...Array.from(m.parameters() as Iterable<tf.Tensor>));
  return out;
}

function disposeModel(opt: Loose, params: tf.Tensor[], ...rest: tf.Tensor[]): void {
  for (const p of params) {
    const g = p.grad;
    if (g) g.dispose();
  }
  // opt.state maps each parameter to its moment buffers; tf.dispose walks Maps and objects.
  tf.dispose([opt.state, ...params, ...rest]);
}

const LOSS = ['nn.functional.crossEntropy', 'optim.Adam'];

export const WORKLOADS: Workload[] = [
  gemm(256),
  gemm(512),
  gemm(1024),
  gemm(2048),
  gemm(512, 'float64'),
  gemm(1024, 'float64'),
  {
    id: 'bmm_attn',
    unit: 'GFLOP/s',
    description: "attention's batched products: [8,8,256,64]·[8,8,64,256] then [8,8,256,256]·[8,8,256,64], float32",
    count: 2 * (2 * 64 * 256 * 64 * 256),
    limit: { flop: 2 * (2 * 64 * 256 * 64 * 256) },
    prepare() {
      const q = tf.randn([8, 8, 256, 64]);
      const k = tf.randn([8, 8, 64, 256]);
      const v = tf.randn([8, 8, 256, 64]);
      return { step: scoped(() => q.matmul(k).matmul(v)), dispose: () => tf.dispose([q, k, v]) };
    },
  },
  {
    id: 'ew_fma_16M',
    unit: 'ms',
    description: 'a.mul(b).add(c), 2^24 float32 each',
    limit: { bytes: 6 * 4 * N16M }, // mul reads 2 and writes 1 array, add the same
    prepare() {
      const [a, b, c] = [tf.randn([N16M]), tf.randn([N16M]), tf.randn([N16M])];
      return { step: scoped(() => a.mul(b).add(c)), dispose: () => tf.dispose([a, b, c]) };
    },
  },
  {
    id: 'ew_exp_16M',
    unit: 'ms',
    description: 'a.exp(), 2^24 float32',
    limit: { bytes: 2 * 4 * N16M },
    prepare() {
      const a = tf.randn([N16M]);
      return { step: () => a.exp().dispose(), dispose: () => a.dispose() };
    },
  },
  {
    id: 'sum_16M',
    unit: 'ms',
    description: 'a.sum(), 2^24 float32',
    limit: { bytes: 4 * N16M },
    prepare() {
      const a = tf.randn([N16M]);
      return { step: () => a.sum().dispose(), dispose: () => a.dispose() };
    },
  },
  {
    id: 'mlp_step',
    unit: 'ms/step',
    training: true,
    description: 'MLP 784-1024-1024-10, batch 256, cross-entropy, Adam: one training step',
    needs: ['nn.Linear', ...LOSS],
    prepare() {
      const nn = lib.nn;
      const l1 = new nn.Linear(784, 1024);
      const l2 = new nn.Linear(1024, 1024);
      const l3 = new nn.Linear(1024, 10);
      const x = tf.randn([256, 784]);
      const y = tf.randint(0, 10, [256]);
      const params = paramsOf(l1, l2, l3);
      const { step, opt } = trainStep(params, () => l3.forward(l2.forward(l1.forward(x).relu()).relu()), y);
      return { step, dispose: () => disposeModel(opt, params, x, y) };
    },
  },
  {
    id: 'cnn_step',
    unit: 'ms/step',
    training: true,
    description: "PyTorch's MNIST net (2 conv, maxpool, 2 linear), batch 64 of 1×28×28, Adam: one training step",
    needs: ['nn.Conv2d', 'nn.MaxPool2d', 'nn.Linear', ...LOSS],
    prepare() {
      const nn = lib.nn;
      const c1 = new nn.Conv2d(1, 32, 3);
      const c2 = new nn.Conv2d(32, 64, 3);
      const pool = new nn.MaxPool2d(2);
      const f1 = new nn.Linear(9216, 128);
      const f2 = new nn.Linear(128, 10);
      const x = tf.randn([64, 1, 28, 28]);
      const y = tf.randint(0, 10, [64]);
      const params = paramsOf(c1, c2, f1, f2);
      const forward = () => {
        const h: tf.Tensor = pool.forward(c2.forward(c1.forward(x).relu()).relu());
        return f2.forward(f1.forward(h.flatten(1)).relu());
      };
      const { step, opt } = trainStep(params, forward, y);
      return { step, dispose: () => disposeModel(opt, params, x, y) };
    },
  },
  {
    id: 'lstm_step',
    unit: 'ms/step',
    training: true,
    description: 'LSTM 128→256, 32 steps × batch 32 (time-major), Linear(256,10) on the last state, Adam: one training step',
    needs: ['nn.LSTM', 'nn.Linear', ...LOSS],
    prepare() {
      const nn = lib.nn;
      const lstm = new nn.LSTM(128, 256);
      const fc = new nn.Linear(256, 10);
      const x = tf.randn([32, 32, 128]);
      const y = tf.randint(0, 10, [32]);
      const params = paramsOf(lstm, fc);
      const forward = () => {
        // PyTorch's convention: [output, [h, c]]; output is [steps, batch, hidden].
        const r = lstm.forward(x);
        const out: tf.Tensor = Array.isArray(r) ? r[0] : r;
        return fc.forward(out.select(0, out.shape[0] - 1));
      };
      const { step, opt } = trainStep(params, forward, y);
      return { step, dispose: () => disposeModel(opt, params, x, y) };
    },
  },
  {
    id: 'small_add',
    unit: 'µs/op',
    description: '10,000 × a.add(b) on 16-element tensors, no gradient (the per-op overhead)',
    count: 10000,
    prepare() {
      const a = tf.randn([16]);
      const b = tf.randn([16]);
      return {
        step: () => {
          for (let i = 0; i < 10000; i++) a.add(b).dispose();
        },
        dispose: () => tf.dispose([a, b]),
      };
    },
  },
  {
    id: 'small_tape',
    unit: 'µs/op',
    description: '2,000 × s = s.mul(1.0001).add(b) on a 16-element tensor requiring grad, then backward (per recorded op)',
    count: 4000,
    prepare() {
      const x = tf.randn([16], { requiresGrad: true });
      const b = tf.randn([16]);
      return {
        step: scoped(() => {
          x.grad = null;
          let s = x;
          for (let i = 0; i < 2000; i++) s = s.mul(1.0001).add(b);
          s.sum().backward();
        }),
        dispose: () => tf.dispose([x, b]),
      };
    },
  },
  {
    id: 'transformer_step',
    unit: 'ms/step',
    description: 'nanoGPT char model (4 blocks, n_embd 128, 4 heads, block 64, batch 12, exact GELU, tied head), ' +
      'AdamW (2 groups, warmup+cosine), clip 1.0: one training step',
    needs: ['nn.Linear', 'nn.LayerNorm', 'nn.Embedding', 'nn.utils.clipGradNorm', 'optim.AdamW', 'F.scaledDotProductAttention'],
    training: true,
    prepare: gptStep,
  },
  {
    id: 'attention',
    unit: 'ms',
    description: 'F.scaledDotProductAttention(q, k, v) forward + backward, [8, 8, 256, 64] float32 (batch, heads, T, head dim)',
    needs: ['F.scaledDotProductAttention'],
    prepare: attentionStep,
  },
];

export const WORKLOAD_IDS = WORKLOADS.map((w) => w.id);
