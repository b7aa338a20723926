// Collectives and point-to-point messages over the process group. Each is queued on the native
// communication thread; the synchronous forms wait for it there, the Async ones return a Promise.
// In a job of one they run locally (allReduce leaves t as it is, allGather adds a dim of 1, ...).
import { native, Handle } from '../native';
import { Tensor, checkOptions, describe, isFloating, isHalf, wrap } from '../tensor';
import { noGrad } from '../autograd';
import { distError, state, promiseFor, jobError } from './group';

/** How a reduction combines the ranks' values. */
export type ReduceOp = 'sum' | 'mean' | 'max' | 'min' | 'prod';
const OPS: Record<ReduceOp, number> = { sum: 0, max: 1, min: 2, prod: 3, mean: 4 };

/** Options of the reducing collectives (allReduce, reduce, ...). */
export interface ReduceOptions {
  /** How values from the ranks combine (default 'sum'). */
  op?: ReduceOp;
}

function checkTensorArg(t: unknown, op: string): Tensor {
  if (!(t instanceof Tensor)) throw distError(`${op}: expected a Tensor, got ${describe(t)}`, TypeError);
  if (t.dtype === 'bool') throw distError(`${op}: dtype bool is not supported`, TypeError);
  return t;
}

// MPI has no half-precision arithmetic: a float16/bfloat16 tensor is reduced as a float32 copy and
// rounded back once (moving one as its bits, as broadcast and send do, needs nothing).
function writeBack(t: Tensor, c: Tensor): Tensor {
  if (c !== t) noGrad(() => t.copy_(c));
  return t;
}

function opArg(opts: ReduceOptions | undefined, name: string, t: Tensor): number {
  if (opts === undefined) return OPS.sum;
  checkOptions(opts, name);
  const op = opts.op ?? 'sum';
  if (!Object.prototype.hasOwnProperty.call(OPS, op))
    throw distError(`${name}: op must be one of ${Object.keys(OPS).join(', ')}, got ${describe(op)}`, TypeError);
  if (op === 'mean' && !isFloating(t.dtype)) throw distError(`${name}: op 'mean' needs a floating-point tensor, got ${t.dtype}`, TypeError);
  return OPS[op as ReduceOp];
}

function rankArg(r: unknown, name: string, what: string): number {
  if (typeof r !== 'number' || !Number.isInteger(r)) throw distError(`${name}: ${what} must be an integer rank, got ${describe(r)}`, TypeError);
  if (r < 0 || r >= state.size)
    throw distError(`${name}: ${what} ${r} is out of range for a world of ${state.size} rank${state.size > 1 ? 's' : ''}`, RangeError);
  return r;
}

function requireInit(name: string): void {
  if (!state.initialized)
    throw distError(`${name}: the process group is not initialised (call tf.distributed.initProcessGroup() first)`);
}

/** Queues a job and returns its id (internal: DistributedDataParallel waits on ids itself). */
export function submit(kind: string, t: Tensor | null, op: number, peer: number, notify: boolean): number {
  return native.distSubmit(kind, t ? t._h : null, op, peer, notify);
}

/** Blocks until job id completes; throws its error; returns its result tensor, if any. */
export function waitJob(id: number): Tensor | undefined {
  const r = native.distWait(id);
  if (r.error !== undefined) throw jobError(r);
  return r.out ? wrap(r.out) : undefined;
}

async function asyncJob(id: number): Promise<Tensor | undefined> {
  const out = await promiseFor(id);
  return out ? wrap(out as Handle) : undefined;
}

/** Combines t across all ranks, in place on every rank; returns t. */
export function allReduce(t: Tensor, opts?: ReduceOptions): Tensor {
  requireInit('allReduce');
  checkTensorArg(t, 'allReduce');
  const op = opArg(opts, 'allReduce', t);
  if (!state.mpi) return t;
  const c = isHalf(t.dtype) ? t.to('float32') : t;
  waitJob(submit('allReduce', c, op, 0, false));
  return writeBack(t, c);
}

/** allReduce that returns at once; the Promise resolves to t when every rank has contributed. */
export function allReduceAsync(t: Tensor, opts?: ReduceOptions): Promise<Tensor> {
  try {
    requireInit('allReduceAsync');
    checkTensorArg(t, 'allReduceAsync');
    const op = opArg(opts, 'allReduceAsync', t);
    if (!state.mpi) return Promise.resolve(t);
    const c = isHalf(t.dtype) ? t.to('float32') : t;
    return asyncJob(submit('allReduce', c, op, 0, true)).then(() => writeBack(t, c));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Copies rank src's t into t on every rank; returns t. */
export function broadcast(t: Tensor, src = 0): Tensor {
  requireInit('broadcast');
  checkTensorArg(t, 'broadcast');
  rankArg(src, 'broadcast', 'src');
  if (state.mpi) waitJob(submit('broadcast', t, 0, src, false));
  return t;
}

/** Every rank's t, stacked on a new dim 0 (in rank order), on every rank. */
export function allGather(t: Tensor): Tensor {
  requireInit('allGather');
  checkTensorArg(t, 'allGather');
  if (!state.mpi) return t.unsqueeze(0).clone();
  return waitJob(submit('allGather', t, 0, 0, false)) as Tensor;
}

/** Reduces t across ranks and gives rank r the r-th of worldSize equal slices along dim 0. */
export function reduceScatter(t: Tensor, opts?: ReduceOptions): Tensor {
  requireInit('reduceScatter');
  checkTensorArg(t, 'reduceScatter');
  const op = opArg(opts, 'reduceScatter', t);
  if (t.ndim === 0) throw distError('reduceScatter: needs a tensor with at least one dimension, got a scalar', RangeError);
  if (!state.mpi) return t.clone();
  if (isHalf(t.dtype)) return (waitJob(submit('reduceScatter', t.to('float32'), op, 0, false)) as Tensor).to(t.dtype);
  return waitJob(submit('reduceScatter', t, op, 0, false)) as Tensor;
}

/** Returns once every rank has called barrier(). */
export function barrier(): void {
  requireInit('barrier');
  if (state.mpi) waitJob(submit('barrier', null, 0, 0, false));
}

function peerArg(peer: unknown, name: string, what: string): number {
  const r = rankArg(peer, name, what);
  if (r === state.rank) throw distError(`${name}: ${what} ${r} is this rank itself`, RangeError);
  return r;
}

/** Sends t to rank dst (which calls recv with a tensor of the same shape and dtype). */
export function send(t: Tensor, dst: number): void {
  requireInit('send');
  checkTensorArg(t, 'send');
  peerArg(dst, 'send', 'dst');
  waitJob(submit('send', t, 0, dst, false));
}

/** Receives into t, in place, what rank src sends; returns t. */
export function recv(t: Tensor, src: number): Tensor {
  requireInit('recv');
  checkTensorArg(t, 'recv');
  peerArg(src, 'recv', 'src');
  waitJob(submit('recv', t, 0, src, false));
  return t;
}
