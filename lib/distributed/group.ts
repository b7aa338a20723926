// The process group: which process this is, how many there are, and the MPI backend behind them.
//
// A job is started by an MPI launcher (`mpirun -np 4 node train.js`, `tensorfold launch`, Slurm's
// srun); initProcessGroup joins it. A script started with plain `node` is a job of one: MPI is not
// initialised at all (a singleton MPI_Init costs ~0.5 s) and every collective is a local no-op.
import * as fs from 'fs';
import * as path from 'path';
import { inspect } from 'util';
import { native, addonPath } from '../native';
import { checkOptions, describe } from '../tensor';

export const ERR_DISTRIBUTED = 'ERR_TENSORFOLD_DISTRIBUTED';

/** An Error of tf.distributed (code ERR_TENSORFOLD_DISTRIBUTED). */
export function distError(message: string, Kind: ErrorConstructor = Error): Error {
  const e = new Kind(message);
  (e as Error & { code: string }).code = ERR_DISTRIBUTED;
  return e;
}

/** Options of initProcessGroup. */
export interface InitOptions {
  /** The only backend: 'mpi' (default). */
  backend?: 'mpi';
  /** Milliseconds a collective waits for every rank before it aborts the job (default 600000). */
  timeoutMs?: number;
  /** Initialise MPI even when no launcher's environment is seen (a singleton job; ~0.5 s). */
  forceMpi?: boolean;
}

interface State {
  initialized: boolean;
  mpi: boolean;  // MPI is initialised (else: a job of one, run locally)
  rank: number;
  size: number;
  localRank: number;
  timeoutMs: number;
}

export const state: State = { initialized: false, mpi: false, rank: 0, size: 1, localRank: 0, timeoutMs: 600000 };

const BACKEND_FILE = process.platform === 'darwin' ? 'libtensorfold_mpi.dylib' : 'libtensorfold_mpi.so';
let backendError: string | null | undefined;  // undefined: not tried yet; null: loaded

function loadBackend(): string | null {
  if (backendError !== undefined) return backendError;
  const file = process.env.TENSORFOLD_MPI_BACKEND || path.join(path.dirname(addonPath), BACKEND_FILE);
  if (!fs.existsSync(file)) backendError = `${file} was not built`;
  else backendError = native.distLoad(file) || null;
  return backendError;
}

/** Whether this build has the MPI backend (built where the build found MPI) and it loads. */
export function isAvailable(): boolean {
  return loadBackend() === null;
}

/** Whether a launcher started this process as part of a job (OpenMPI, MPICH/Hydra, PMIx, Slurm's PMI). */
function launched(): boolean {
  const e = process.env;
  return !!(e.OMPI_COMM_WORLD_SIZE || e.PMI_SIZE || e.PMIX_RANK);
}

/**
 * Joins the job's process group (torch.distributed.init_process_group) over MPI; in a process not
 * started by an MPI launcher, a job of one that runs collectives locally. Call once, before any collective.
 * @example tf.distributed.initProcessGroup();  // mpirun -n 4 node train.js
 */
export function initProcessGroup(opts: InitOptions = {}): void {
  checkOptions(opts, 'initProcessGroup');
  const { backend = 'mpi', timeoutMs = 600000, forceMpi = false } = opts;
  if (backend !== 'mpi')
    throw distError(`initProcessGroup: backend must be 'mpi', got ${describe(backend)}`, TypeError);
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs))
    throw distError(`initProcessGroup: timeoutMs must be a positive number of milliseconds, got ${describe(timeoutMs)}`, TypeError);
  if (state.initialized) throw distError('initProcessGroup: the process group is already initialised');
  const why = loadBackend();
  if (why !== null)
    throw distError(`initProcessGroup: the MPI backend is not available (${why}). Install MPI ` +
      '(Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev), then rebuild tensorfold (npm run build)');
  state.timeoutMs = timeoutMs;
  if (launched() || forceMpi) {
    const info = native.distInit(timeoutMs);
    state.mpi = true;
    state.rank = info.rank;
    state.size = info.size;
    state.localRank = info.localRank;
    installHandlers();
  } else {
    state.rank = 0;
    state.size = 1;
    state.localRank = 0;
  }
  state.initialized = true;
}

let handlersInstalled = false;
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  native.distSetCallback(onComplete);
  // A rank that fails ends the whole job at once (MPI_Abort), instead of leaving its peers in a
  // collective it will never join; one that ends normally finalises MPI, as mpirun expects.
  // Node runs 'exit' handlers before it prints an uncaught exception, and the abort would end the
  // process first: so the error is kept here and printed before aborting.
  let uncaught: unknown;
  process.on('uncaughtExceptionMonitor', (e) => { uncaught = e; });
  process.on('exit', (code) => {
    if (!state.mpi) return;
    if (code !== 0) {
      if (uncaught !== undefined)
        try { fs.writeSync(2, `rank ${state.rank}: uncaught ${inspect(uncaught)}\n`); } catch { /* stderr closed */ }
      native.distAbort(code);
    } else {
      destroyProcessGroup();
    }
  });
}

/** Whether initProcessGroup has been called. */
export function isInitialized(): boolean {
  return state.initialized;
}

function requireInit(op: string): void {
  if (!state.initialized)
    throw distError(`${op}: the process group is not initialised (call tf.distributed.initProcessGroup() first)`);
}

/** This process's rank in the group (0 ≤ rank < world size). */
export function getRank(): number {
  requireInit('getRank');
  return state.rank;
}

/** The number of processes in the group. */
export function getWorldSize(): number {
  requireInit('getWorldSize');
  return state.size;
}

/** This process's index among the processes of the job on the same machine. */
export function getLocalRank(): number {
  requireInit('getLocalRank');
  return state.localRank;
}

/** Waits for queued collectives, finalises MPI. MPI cannot be initialised again in this process. */
export function destroyProcessGroup(): void {
  if (!state.initialized) return;
  if (state.mpi) native.distDestroy();
  state.initialized = false;
  state.mpi = false;
  state.rank = 0;
  state.size = 1;
  state.localRank = 0;
}

// ---- completions of asynchronous collectives ----
interface Pending {
  resolve: (out: unknown) => void;
  reject: (e: Error) => void;
}
const pending = new Map<number, Pending>();

function onComplete(id: number): void {
  const p = pending.get(id);
  if (!p) return;
  pending.delete(id);
  if (pending.size === 0) native.distKeepAlive(false);
  const r = native.distWait(id);
  if (r.error !== undefined) p.reject(jobError(r));
  else p.resolve(r.out);
}

/** A Promise for job id (submitted with notify); keeps the event loop alive while it is pending. */
export function promiseFor(id: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (pending.size === 0) native.distKeepAlive(true);
    pending.set(id, { resolve, reject });
  });
}

export function jobError(r: { error?: string; fatal?: boolean }): Error {
  const e = distError(r.error ?? 'distributed: unknown error');
  (e as Error & { fatal?: boolean }).fatal = !!r.fatal;
  return e;
}
