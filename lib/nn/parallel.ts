// tf.nn.parallel.DistributedDataParallel: data-parallel training over tf.distributed.
//
// Every rank holds a replica of the model and trains on its own share of each batch. At
// construction rank 0's parameters and buffers are copied to all ranks; during backward each
// parameter's gradient, once complete, marks it ready (an engine hook that fires after the last
// accumulation into .grad); parameters are grouped into buckets of ~bucketCapMb in reverse
// registration order (roughly the order backward produces them), and a bucket's averaging
// allreduce starts on the communication thread as soon as all its gradients are ready, while
// backward goes on computing the rest. At the end of backward the buckets are waited for and the
// averaged gradients copied back into .grad, so optimizer.step() sees the same gradients on every
// rank: those of the whole (concatenated) batch.
import { Module } from './module';
import { Tensor, checkOptions, describe, dtypeBytes, isHalf, zeros } from '../tensor';
import { concat } from '../ops';
import { noGrad, isGradEnabled } from '../autograd';
import { kernels as native } from '../kernels';
import { state as group, distError } from '../distributed/group';
import { submit, waitJob, broadcast } from '../distributed/collectives';
import { argumentError } from '../errors';

/** Options of DistributedDataParallel. */
export interface DistributedDataParallelOptions {
  /** Approximate size of a gradient bucket in MiB (default 25). */
  bucketCapMb?: number;
  /** Copy rank 0's buffers (BatchNorm statistics) to every rank before each forward (default true). */
  broadcastBuffers?: boolean;
  /** Parameters that get no gradient in a backward pass count as zero instead of raising (default false). */
  findUnusedParameters?: boolean;
}

const MEAN = 4;  // collectives.ts OPS.mean

interface Bucket {
  params: Tensor[];
  names: string[];
  pending: number;   // parameters of this bucket not ready yet in the current pass
  flat: Tensor | null;
  job: number;       // communication job id, 0 when not started
}

interface State {
  names: Map<Tensor, string>;
  bucketOf: Map<Tensor, Bucket>;
  buckets: Bucket[];
  hooks: number[];
  armed: boolean;          // the current forward's backward averages gradients
  ready: Set<Tensor>;
  nextLaunch: number;      // buckets start in index order, the same on every rank
  finishQueued: boolean;
  noSyncDepth: number;
  broadcastBuffers: boolean;
  findUnused: boolean;
}

// Kept off the instance: Module finds parameters by walking fields.
const states = new WeakMap<DistributedDataParallel<Module>, State>();

/**
 * Data-parallel training over tf.distributed (torch's DistributedDataParallel): copies rank 0's
 * parameters to every rank, and during backward averages each gradient across ranks in buckets,
 * overlapping communication with the rest of backward, so every rank's optimizer sees the same gradients.
 * @example const ddp = new tf.nn.parallel.DistributedDataParallel(model); ddp.forward(x).mean().backward();
 */
export class DistributedDataParallel<M extends Module = Module> extends Module {
  /** The wrapped model. */
  readonly module: M;

  constructor(module: M, opts: DistributedDataParallelOptions = {}) {
    super();
    if (!(module instanceof Module))
      throw argumentError(`DistributedDataParallel: expected an nn.Module, got ${describe(module)}`);
    checkOptions(opts, 'DistributedDataParallel');
    const { bucketCapMb = 25, broadcastBuffers = true, findUnusedParameters = false } = opts;
    if (typeof bucketCapMb !== 'number' || !(bucketCapMb > 0))
      throw argumentError(`DistributedDataParallel: bucketCapMb must be a positive number, got ${describe(bucketCapMb)}`);
    if (!group.initialized)
      throw distError('DistributedDataParallel: the process group is not initialised (call tf.distributed.initProcessGroup() first)');
    this.module = module;
    const st: State = {
      names: new Map(), bucketOf: new Map(), buckets: [], hooks: [], armed: false, ready: new Set(), nextLaunch: 0,
      finishQueued: false, noSyncDepth: 0, broadcastBuffers: !!broadcastBuffers, findUnused: !!findUnusedParameters,
    };
    states.set(this, st);
    if (group.size === 1) return;

    noGrad(() => {
      for (const p of module.parameters()) broadcast(p, 0);
      for (const b of module.buffers()) broadcast(b, 0);
    });
    const cap = bucketCapMb * 1024 * 1024;
    const params = module.namedParameters().filter(([, p]) => p.requiresGrad).reverse();
    let cur: Bucket | null = null;
    let bytes = 0;
    for (const [name, p] of params) {
      const size = p.size * dtypeBytes(p.dtype);
      if (!cur || bytes + size > cap || cur.params[0].dtype !== p.dtype) {
        cur = { params: [], names: [], pending: 0, flat: null, job: 0 };
        st.buckets.push(cur);
        bytes = 0;
      }
      cur.params.push(p);
      cur.names.push(name);
      bytes += size;
      st.names.set(p, name);
      st.bucketOf.set(p, cur);
      st.hooks.push(native.addGradHook(p._h, () => this._ready(p)));
    }
    this._reset();
  }

  /** Runs the wrapped module's forward; the backward of its result averages gradients across ranks. */
  forward(...args: any[]): any {
    const st = states.get(this) as State;
    if (group.size > 1) {
      if (st.broadcastBuffers) {
        const bufs = this.module.buffers();
        if (bufs.length) noGrad(() => { for (const b of bufs) broadcast(b, 0); });
      }
      this._reset();
      st.armed = st.noSyncDepth === 0 && isGradEnabled();
    }
    return this.module.forward(...args);
  }

  /**
   * Runs fn (forward and backward of some micro-batches) without averaging gradients: they
   * accumulate locally, and the next backward outside noSync averages the accumulated sum.
   */
  noSync<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw argumentError(`noSync: expected a function, got ${describe(fn)}`);
    const st = states.get(this) as State;
    st.noSyncDepth++;
    let r: T;
    try {
      r = fn();
    } catch (e) {
      st.noSyncDepth--;
      throw e;
    }
    if (r && typeof (r as { then?: unknown }).then === 'function')
      return (r as unknown as Promise<unknown>).finally(() => { st.noSyncDepth--; }) as unknown as T;
    st.noSyncDepth--;
    return r;
  }

  /** Detaches the gradient hooks: the wrapped model trains locally from then on, without averaging. */
  removeHooks(): void {
    const st = states.get(this) as State;
    for (const id of st.hooks) native.removeGradHook(id);
    st.hooks = [];
    st.armed = false;
  }

  private _reset(): void {
    const st = states.get(this) as State;
    st.ready.clear();
    st.nextLaunch = 0;
    st.finishQueued = false;
    for (const b of st.buckets) {
      b.pending = b.params.length;
      b.flat = null;
      b.job = 0;
    }
  }

  // A parameter's gradient of this backward pass is complete.
  private _ready(p: Tensor): void {
    const st = states.get(this) as State;
    if (!st.armed || st.ready.has(p)) return;
    if (!st.finishQueued) {
      st.finishQueued = true;
      native.queueBackwardCallback(() => this._finish());
    }
    st.ready.add(p);
    (st.bucketOf.get(p) as Bucket).pending--;
    this._launchReady();
  }

  private _launchReady(): void {
    const st = states.get(this) as State;
    while (st.nextLaunch < st.buckets.length && st.buckets[st.nextLaunch].pending === 0) {
      const b = st.buckets[st.nextLaunch++];
      // float16/bfloat16 gradients are averaged as float32 (MPI has no half arithmetic) and round once.
      b.flat = noGrad(() => {
        const flat = concat(b.params.map((p) => (p.grad ?? zeros(p.shape, { dtype: p.dtype })).reshape([-1])), 0);
        return isHalf(flat.dtype) ? flat.to('float32') : flat;
      });
      b.job = submit('allReduce', b.flat, MEAN, 0, false);
    }
  }

  // End of backward: every bucket started; wait for them and write the averages into .grad.
  private _finish(): void {
    const st = states.get(this) as State;
    st.armed = false;
    const unused = [...st.bucketOf.keys()].filter((p) => !st.ready.has(p));
    if (unused.length) {
      if (!st.findUnused) {
        for (const b of st.buckets) if (b.job) waitJob(b.job);
        const list = unused.map((p) => `${st.names.get(p)} ${JSON.stringify(p.shape)}`).join(', ');
        throw distError(`DistributedDataParallel: parameter${unused.length > 1 ? 's' : ''} ${list} received no ` +
          'gradient in this backward pass, so the ranks cannot average them; pass findUnusedParameters: true ' +
          '(their gradients then count as zero), or leave them out of the model');
      }
      for (const p of unused) {
        st.ready.add(p);
        (st.bucketOf.get(p) as Bucket).pending--;
      }
      this._launchReady();
    }
    noGrad(() => {
      for (const b of st.buckets) {
        waitJob(b.job);
        const flat = b.flat as Tensor;
        let off = 0;
        for (const p of b.params) {
          const avg = flat.narrow(0, off, p.size).reshape(p.shape);
          off += p.size;
          if (p.grad) p.grad.copy_(avg);
          else p.grad = avg.dtype === p.dtype ? avg.clone() : avg.to(p.dtype);
        }
        b.flat = null;
        b.job = 0;
      }
    });
  }
}
