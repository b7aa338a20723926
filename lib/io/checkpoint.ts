// Training checkpoints: a model's, an optimizer's and an lr scheduler's state, the global random
// generator's state, and the epoch and anything else the caller wants back, in one safetensors file.
// Restoring all of it makes a resumed run bit-identical to an uninterrupted one.
//
// Tensors go into the file as ordinary safetensors tensors, named
//   model.<stateDict key>        the model's stateDict()
//   optimizer.<path>             tensors found inside optimizer.stateDict()
//   extra.<path>                 tensors found among the extra fields
// and everything that is not a tensor (step counts, learning rates, param groups, the epoch) is kept
// as JSON in the header's string metadata, with each tensor replaced by {"__tensor__": "<name>"}.
// So a checkpoint is also a valid safetensors file that PyTorch's ecosystem can open and inspect.
//
// Saving is atomic (temporary file in the same directory, fsync, rename): a crash or an exception
// while writing never destroys the previous checkpoint at that path.
import { Tensor, describe } from '../tensor';
import { getRngState, setRngState, RngState } from '../random_state';
import { readSafetensors, writeFileAtomic, writeSafetensorsTo, Metadata } from './safetensors';
import { argumentError, ioError } from '../errors';

const FORMAT = 'tensorfold.checkpoint';
const VERSION = '1';

/** Anything with a PyTorch-style state: an nn.Module or an optimizer. */
interface HasState {
  stateDict(): unknown;
  loadStateDict(state: unknown): unknown;
}

export interface CheckpointInput {
  /** An nn.Module (its stateDict() is saved) or a ready state dict of Tensors. */
  model?: { stateDict(): Record<string, Tensor> } | Record<string, Tensor>;
  /** An optimizer (its stateDict() is saved) or a ready optimizer state. */
  optimizer?: { stateDict(): unknown } | Record<string, unknown>;
  /** An lr scheduler (its stateDict() is saved: JSON) or a ready scheduler state. */
  scheduler?: { stateDict(): unknown } | Record<string, unknown>;
  epoch?: number;
  [extra: string]: unknown;
}

export interface CheckpointOutput {
  /** The saved model state dict (already loaded into `opts.model` when one was given). */
  model?: Record<string, Tensor>;
  /** The saved optimizer state (already loaded into `opts.optimizer` when one was given). */
  optimizer?: unknown;
  /** The saved scheduler state (already loaded into `opts.scheduler` when one was given). */
  scheduler?: unknown;
  /** The global generator's state when the checkpoint was saved (restored unless restoreRng is false). */
  rng?: RngState;
  epoch?: number;
  [extra: string]: unknown;
}

function stateOf(x: unknown, what: string): unknown {
  if (x && typeof (x as HasState).stateDict === 'function') return (x as HasState).stateDict();
  if (x !== null && typeof x === 'object' && !Array.isArray(x)) return x;
  throw argumentError(`saveCheckpoint: ${what} must have a stateDict() method or be a state object, got ${describe(x)}`);
}

/** JSON-able skeleton of a value with its tensors pulled out into `tensors`. */
class Encoder {
  readonly tensors: Record<string, Tensor> = {};

  encode(v: unknown, name: string, depth = 0): unknown {
    if (depth > 64) throw argumentError(`saveCheckpoint: ${name} is nested too deeply (a cycle?)`);
    if (v instanceof Tensor) {
      let key = name;
      for (let i = 1; key in this.tensors; i++) key = `${name}#${i}`;
      this.tensors[key] = v;
      return { __tensor__: key };
    }
    if (typeof v === 'number') return Number.isFinite(v) ? v : { __number__: String(v) };
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (Array.isArray(v)) return v.map((x, i) => (x === undefined ? null : this.encode(x, `${name}.${i}`, depth + 1)));
    if (v instanceof Map)
      return { __map__: [...v.entries()].map(([k, x], i) => [this.encode(k, `${name}.key${i}`, depth + 1), this.encode(x, `${name}.${String(k)}`, depth + 1)]) };
    if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>))
        if (x !== undefined) out[k] = this.encode(x, `${name}.${k}`, depth + 1);
      // A user object that happens to look like one of our markers is wrapped so it decodes as itself.
      const keys = Object.keys(out);
      if (keys.length === 1 && ['__tensor__', '__number__', '__map__', '__object__'].includes(keys[0])) return { __object__: out };
      return out;
    }
    throw argumentError(`saveCheckpoint: cannot store ${name}: ${typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v} ` +
      'is not a Tensor, number, string, boolean, null, array, Map or plain object');
  }
}

function decode(v: unknown, tensors: Record<string, Tensor>, file: string): unknown {
  if (Array.isArray(v)) return v.map((x) => decode(x, tensors, file));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    if (keys[0] === '__tensor__') {
      const t = tensors[o.__tensor__ as string];
      if (!t) throw ioError(`loadCheckpoint: ${file}: metadata refers to tensor ${JSON.stringify(o.__tensor__)}, which the file lacks`);
      return t;
    }
    if (keys[0] === '__number__') return Number(o.__number__);
    if (keys[0] === '__map__')
      return new Map((o.__map__ as unknown[][]).map(([k, x]) => [decode(k, tensors, file), decode(x, tensors, file)]));
    if (keys[0] === '__object__') {
      const inner = o.__object__ as Record<string, unknown>;
      return Object.fromEntries(Object.entries(inner).map(([k, x]) => [k, decode(x, tensors, file)]));
    }
  }
  return Object.fromEntries(keys.map((k) => [k, decode(o[k], tensors, file)]));
}

/**
 * Saves a training checkpoint: `saveCheckpoint('ckpt.safetensors', {model, optimizer, epoch, ...extra})`.
 * `model` and `optimizer` are saved through their stateDict(); every other field (numbers,
 * strings, arrays, plain objects, Tensors) is saved as is and returned by loadCheckpoint.
 */
export function saveCheckpoint(file: string, contents: CheckpointInput): void {
  if (typeof file !== 'string' || file === '') throw argumentError(`saveCheckpoint: path must be a non-empty string, got ${describe(file)}`);
  if (contents === null || typeof contents !== 'object' || Array.isArray(contents))
    throw argumentError(`saveCheckpoint: contents must be an object like {model, optimizer, epoch}, got ${describe(contents)}`);
  const { model, optimizer, scheduler, ...extra } = contents;
  const tensors: Record<string, Tensor> = {};
  const metadata: Metadata = { format: FORMAT, 'tensorfold.version': VERSION };
  if (model !== undefined) {
    const sd = stateOf(model, 'model') as Record<string, unknown>;
    for (const [k, t] of Object.entries(sd)) {
      if (!(t instanceof Tensor)) throw argumentError(`saveCheckpoint: model state ${JSON.stringify(k)} must be a Tensor, got ${describe(t)}`);
      tensors[`model.${k}`] = t;
    }
    metadata['tensorfold.model'] = JSON.stringify(Object.keys(sd));
  }
  if (optimizer !== undefined) {
    const enc = new Encoder();
    metadata['tensorfold.optimizer'] = JSON.stringify(enc.encode(stateOf(optimizer, 'optimizer'), 'optimizer'));
    Object.assign(tensors, enc.tensors);
  }
  if (scheduler !== undefined) {
    const enc = new Encoder();
    metadata['tensorfold.scheduler'] = JSON.stringify(enc.encode(stateOf(scheduler, 'scheduler'), 'scheduler'));
    Object.assign(tensors, enc.tensors);
  }
  metadata['tensorfold.rng'] = JSON.stringify(getRngState());
  const enc = new Encoder();
  metadata['tensorfold.extra'] = JSON.stringify(enc.encode(extra, 'extra'));
  Object.assign(tensors, enc.tensors);
  writeFileAtomic(file, (fd) => writeSafetensorsTo(fd, tensors, metadata, 'saveCheckpoint'), 'saveCheckpoint');
}

/**
 * Loads a checkpoint written by saveCheckpoint. When `model` / `optimizer` / `scheduler` are given
 * their loadStateDict() is called with the saved state, and the global generator is restored to its
 * saved state (unless `restoreRng: false`). Returns everything that was saved: `model` (the state
 * dict), `optimizer` and `scheduler` (their states), `rng`, `epoch` and the extra fields.
 */
export function loadCheckpoint(file: string,
  into: { model?: unknown; optimizer?: unknown; scheduler?: unknown; restoreRng?: boolean } = {}): CheckpointOutput {
  if (into === null || typeof into !== 'object') throw argumentError(`loadCheckpoint: options must be an object like {model, optimizer}, got ${describe(into)}`);
  for (const w of ['model', 'optimizer', 'scheduler'] as const)
    if (into[w] !== undefined && typeof (into[w] as HasState).loadStateDict !== 'function')
      throw argumentError(`loadCheckpoint: ${w} must have a loadStateDict() method, got ${describe(into[w])}`);
  const { tensors, metadata } = readSafetensors(file, 'loadCheckpoint');
  if (metadata.format !== FORMAT)
    throw ioError(`loadCheckpoint: ${file} is a safetensors file but not a tensorfold checkpoint (use tf.load to read its tensors)`);
  const parse = (key: string): unknown => {
    try {
      return JSON.parse(metadata[key]);
    } catch (e) {
      throw ioError(`loadCheckpoint: ${file}: metadata ${JSON.stringify(key)} is not valid JSON (${(e as Error).message})`);
    }
  };
  const out: CheckpointOutput = {};
  const extra = metadata['tensorfold.extra'] !== undefined ? decode(parse('tensorfold.extra'), tensors, file) : {};
  if (extra && typeof extra === 'object') Object.assign(out, extra);
  if (metadata['tensorfold.model'] !== undefined) {
    const keys = parse('tensorfold.model') as string[];
    const sd: Record<string, Tensor> = {};
    for (const k of keys) {
      const t = tensors[`model.${k}`];
      if (!t) throw ioError(`loadCheckpoint: ${file}: model state ${JSON.stringify(k)} is missing from the file`);
      sd[k] = t;
    }
    out.model = sd;
  } else if (into.model !== undefined) {
    throw ioError(`loadCheckpoint: ${file} holds no model state, but a model was given to load it into`);
  }
  if (metadata['tensorfold.optimizer'] !== undefined) out.optimizer = decode(parse('tensorfold.optimizer'), tensors, file);
  else if (into.optimizer !== undefined)
    throw ioError(`loadCheckpoint: ${file} holds no optimizer state, but an optimizer was given to load it into`);
  if (metadata['tensorfold.scheduler'] !== undefined) out.scheduler = decode(parse('tensorfold.scheduler'), tensors, file);
  else if (into.scheduler !== undefined)
    throw ioError(`loadCheckpoint: ${file} holds no scheduler state, but a scheduler was given to load it into`);
  if (metadata['tensorfold.rng'] !== undefined) out.rng = parse('tensorfold.rng') as RngState;
  if (into.model !== undefined) (into.model as HasState).loadStateDict(out.model);
  if (into.optimizer !== undefined) (into.optimizer as HasState).loadStateDict(out.optimizer);
  if (into.scheduler !== undefined) (into.scheduler as HasState).loadStateDict(out.scheduler);
  if (out.rng && (into.restoreRng ?? true)) setRngState(out.rng);
  return out;
}
