// The Optimizer base class: parameter groups, lazily created per-parameter state, zeroGrad, and
// state dicts for resuming training. Subclasses supply only the per-parameter update, which calls
// one fused native kernel (lib/kernels.ts), so a step costs one pass over each parameter.
//
//   const opt = new optim.SGD([{ params: body, lr: 0.1 }, { params: head }], { lr: 0.01, momentum: 0.9 });
//   opt.paramGroups[1].lr = 0.001;      // groups are live, as PyTorch's param_groups
//   loss.backward(); opt.step(); opt.zeroGrad();
import { enableGrad } from '../autograd';
import { Handle, kernels as native } from '../kernels';
import { Tensor, describe, keep, checkOptions, dtypeCode, isFloating, isHalf, numbersOf } from '../tensor';

const F32 = dtypeCode('float32');
import { argumentError, dtypeError, rangeError, show, stateError, tfError } from '../errors';

/** One entry of an optimizer's per-parameter state: a state tensor (param-shaped) or a count. */
export type StateValue = Tensor | number;
/** One parameter's optimizer state by name (expAvg, momentumBuffer, step, ...). */
export type ParamState = Record<string, StateValue>;

/** A parameter group: its parameters and its own (mutable) options. */
export type ParamGroup<O> = O & { params: Tensor[]; [extra: string]: unknown };

/** A group as passed to a constructor: params plus any options overriding the defaults. */
export type ParamGroupSpec<O> = Partial<O> & { params: Tensor | Iterable<Tensor>; [extra: string]: unknown };

/** What an optimizer constructor accepts: parameters, or an array of parameter groups. */
export type ParamsArg<O> = Tensor | Iterable<Tensor> | ParamGroupSpec<O>[];

/**
 * An optimizer's state, as PyTorch's `optimizer.state_dict()`:
 * - `state[i]` holds parameter i's state (its index counts through all groups in order): tensors
 *   (`expAvg`, `momentumBuffer`, ...; copies, not the live buffers) and numbers (`step`).
 *   Parameters that have not been stepped yet have no entry.
 * - `paramGroups[g]` holds group g's options plus `params`: the indices of its parameters.
 * Everything but the tensors is JSON-able; `stateDictToTensors` packs the whole thing into a
 * `Record<string, Tensor>` for `tf.save`, and `stateDictFromTensors` unpacks it.
 */
export interface OptimizerStateDict {
  /** Per-parameter state by parameter index (through all groups in order). */
  state: Record<string, Record<string, StateValue>>;
  /** Each group's options plus `params`, the indices of its parameters. */
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}

/** Throws a TypeError / RangeError naming the optimizer and the option. */
export function checkNumber(op: string, name: string, v: unknown, min: number, opts: { maxExclusive?: number } = {}): void {
  checkOptions(opts, 'checkNumber');
  if (typeof v !== 'number' || Number.isNaN(v))
    throw argumentError(`${op}: option ${name} must be a number, got ${describe(v)}`);
  if (v < min || !Number.isFinite(v))
    throw rangeError(`${op}: invalid ${name} ${v} (must be a finite number >= ${min})`);
  if (opts.maxExclusive !== undefined && v >= opts.maxExclusive)
    throw rangeError(`${op}: invalid ${name} ${v} (must be in [${min}, ${opts.maxExclusive}))`);
}

export function checkBool(op: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw argumentError(`${op}: option ${name} must be a boolean, got ${describe(v)}`);
}

// Typed arrays iterate numbers, never Tensors (and iterating a detached one throws V8's own error).
function isIterable(x: unknown): x is Iterable<unknown> {
  return x !== null && typeof x === 'object' && !ArrayBuffer.isView(x) && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

function copyValue(v: unknown): unknown {
  return Array.isArray(v) ? v.slice() : v;
}

/**
 * The base of the optimizers (torch.optim.Optimizer): parameter groups with their own options,
 * per-parameter state, zeroGrad(), step(), and stateDict() / loadStateDict() in PyTorch's layout.
 */
export abstract class Optimizer<O extends { lr: number }> {
  /** The options every group starts from (a group's own keys override them). */
  readonly defaults: O;
  /** The parameter groups; change `lr` and the other options here between steps. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  readonly state = new Map<Tensor, ParamState>();
  /** The optimizer's name, used in error messages. */
  protected readonly name: string;

  protected constructor(name: string, params: ParamsArg<O>, defaults: O, options: Partial<O> | undefined) {
    this.name = name;
    // JavaScript can construct the abstract class itself; say so instead of failing on a missing method.
    if (typeof this.validate !== 'function') throw argumentError("Optimizer: the base class is abstract; construct SGD, Adam, ... instead");
    if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options)))
      throw argumentError(`${name}: options must be an object, got ${describe(options)}`);
    const merged = { ...defaults } as O;
    for (const [k, v] of Object.entries(options ?? {})) {
      if (!(k in defaults))
        throw argumentError(`${name}: unknown option ${show(k)} (expected one of ${Object.keys(defaults).join(', ')})`);
      if (v !== undefined) (merged as Record<string, unknown>)[k] = copyValue(v);
    }
    this.validate(merged, name);
    this.defaults = merged;

    if (params instanceof Tensor) params = [params];
    if (!isIterable(params))
      throw argumentError(`${name}: params must be an iterable of Tensors or an array of parameter groups, got ${describe(params)}`);
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw tfError('ARGUMENT', `${name}: got an empty parameter list`);
    const isGroups = !(list[0] instanceof Tensor) && list[0] !== null && typeof list[0] === 'object' && 'params' in (list[0] as object);
    const specs = (isGroups ? list : [{ params: list }]) as ParamGroupSpec<O>[];
    for (const spec of specs) this.addParamGroup(spec);
  }

  /** Adds a group (for example newly unfrozen layers); missing options come from the defaults. */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    const name = this.name;
    const where = `${name} (param group ${this.paramGroups.length})`;
    if (spec === null || typeof spec !== 'object' || !('params' in spec))
      throw argumentError(`${where}: a parameter group must be an object with a params field, got ${describe(spec)}`);
    let ps: unknown = spec.params;
    if (ps instanceof Tensor) ps = [ps];
    if (!isIterable(ps)) throw argumentError(`${where}: params must be a Tensor or an iterable of Tensors, got ${describe(ps)}`);
    const params = Array.from(ps);
    params.forEach((p, i) => {
      if (!(p instanceof Tensor))
        throw argumentError(`${where}: params[${i}] must be a Tensor, got ${describe(p)}`);
      if (!isFloating(p.dtype))
        throw dtypeError(`${where}: params[${i}] must be floating-point to be optimized, got ${p.dtype}`);
      if (!p.isLeaf) throw stateError(`${where}: params[${i}] is not a leaf tensor (it was computed by ${p.gradFn}); optimize the tensors you created`);
    });
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    for (const p of params as Tensor[]) {
      if (seen.has(p)) throw tfError('ARGUMENT', `${where}: a parameter appears more than once (in one group or in several)`);
      seen.add(p);
    }
    const group = { ...this.defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(spec)) if (k !== 'params' && v !== undefined) group[k] = copyValue(v);
    group.params = params;
    this.validate(group as unknown as O, where);
    this.paramGroups.push(group as ParamGroup<O>);
  }

  /** Checks a group's options; throws TypeError / RangeError naming the option. */
  protected abstract validate(opts: O, where: string): void;

  /** Updates one parameter in place from its gradient (a native handle) with its group's options. */
  protected abstract update(p: Tensor, grad: Handle, group: ParamGroup<O>, state: ParamState): void;

  /**
   * Updates every parameter that has a gradient (those whose `grad` is null are skipped). With a
   * closure, first re-evaluates the loss with gradient recording on and returns its value.
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    let loss: L | undefined;
    if (closure !== undefined) {
      if (typeof closure !== 'function') throw argumentError(`${this.name}.step: closure must be a function, got ${describe(closure)}`);
      loss = enableGrad(closure);
    }
    this.paramGroups.forEach((g, gi) => {
      this.validate(g, `${this.name} (param group ${gi})`);
      for (const p of g.params) {
        const gh = native.getGrad(p._h);
        if (!gh) continue;
        try {
          let st = this.state.get(p);
          if (!st) this.state.set(p, (st = {}));
          if (isHalf(p.dtype)) this.updateHalf(p, gh, g, st);
          else this.update(p, gh, g, st);
        } finally {
          native.dispose(gh);
        }
      }
    });
    return loss;
  }

  // A float16/bfloat16 parameter steps as the storage dtypes compute everywhere: the update runs
  // on a float32 copy of the parameter and gradient, with the state kept in float32 (so small
  // steps accumulate in the moments rather than vanish in rounding), and the parameter rounds
  // back once. PyTorch keeps such state in the parameter's dtype.
  private updateHalf(p: Tensor, gh: Handle, g: ParamGroup<O>, st: ParamState): void {
    const p32 = new Tensor(native.to(p._h, F32));
    const g32 = native.to(gh, F32);
    try {
      this.update(p32, g32, g, st);
      native.inPlace('copy', p._h, p32._h);
    } finally {
      native.dispose(g32);
      p32.dispose();
    }
  }

  /** Clears the gradients: sets them to null (default, as PyTorch), or fills them with zeros. */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups)
      for (const p of g.params) {
        if (setToNone) {
          p.grad = null;
        } else {
          const gh = native.getGrad(p._h);
          if (gh) {
            native.inPlace('fill', gh, 0);
            native.dispose(gh);
          }
        }
      }
  }

  /** A state tensor shaped and typed like p, filled with `value`; survives enclosing tidy scopes. */
  protected newState(p: Tensor, value = 0): Tensor {
    return keep(new Tensor(native.full(p.shape, value, native.dtype(p._h))));
  }

  /** A snapshot of the optimizer (see OptimizerStateDict); tensors are copies. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') out[k] = copyValue(v);
      out.params = g.params.map((p) => {
        index.set(p, next);
        return next++;
      });
      return out as Record<string, unknown> & { params: number[] };
    });
    const state: Record<string, Record<string, StateValue>> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const entry: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(st)) entry[k] = v instanceof Tensor ? v.clone() : v;
      state[String(i)] = entry;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from stateDict() of an optimizer over the same parameters (same group
   * sizes, same order). Group options are replaced, state tensors copied and cast to each
   * parameter's dtype; the dict itself is not kept, so it can be disposed afterwards.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || sd.state === null || typeof sd.state !== 'object')
      throw argumentError(`${op}: expected an object with state and paramGroups, got ${describe(sd)}`);
    if (sd.paramGroups.length !== this.paramGroups.length)
      throw stateError(`${op}: the state dict has ${sd.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    const flat: Tensor[] = [];
    const indexToParam = new Map<number, Tensor>();
    sd.paramGroups.forEach((sg, gi) => {
      const mine = this.paramGroups[gi].params;
      if (!sg || !Array.isArray(sg.params)) throw argumentError(`${op}: paramGroups[${gi}].params must be an array of indices`);
      if (sg.params.length !== mine.length)
        throw stateError(`${op}: parameter group ${gi} has ${sg.params.length} parameters in the state dict but ${mine.length} here`);
      sg.params.forEach((idx, k) => indexToParam.set(Number(idx), mine[k]));
      flat.push(...mine);
    });
    // Build everything first so that a bad entry leaves the optimizer untouched.
    const newState = new Map<Tensor, ParamState>();
    try {
      for (const [key, entry] of Object.entries(sd.state)) {
        const p = indexToParam.get(Number(key));
        if (!p) throw stateError(`${op}: state entry ${key} refers to no parameter (there are ${flat.length})`);
        const st: ParamState = {};
        newState.set(p, st);
        for (const [k, v] of Object.entries(entry ?? {})) {
          if (v instanceof Tensor) {
            if (v.shape.join(',') !== p.shape.join(','))
              throw stateError(`${op}: state ${key}.${k} has shape [${v.shape}] but its parameter has shape [${p.shape}]`);
            const c = v.dtype === p.dtype ? v.clone() : v.to(p.dtype);
            st[k] = keep(c.contiguous());
            c.dispose();
          } else if (typeof v === 'number') {
            st[k] = v;
          } else {
            throw argumentError(`${op}: state ${key}.${k} must be a Tensor or a number, got ${describe(v)}`);
          }
        }
      }
      // Validate the options on copies before touching the live groups.
      const newGroups = sd.paramGroups.map((sg, gi) => {
        const g: Record<string, unknown> = { ...this.paramGroups[gi] };
        for (const [k, v] of Object.entries(sg)) if (k !== 'params') g[k] = copyValue(v);
        this.validate(g as unknown as O, `${op} (param group ${gi})`);
        return g;
      });
      newGroups.forEach((g, gi) => Object.assign(this.paramGroups[gi], g, { params: this.paramGroups[gi].params }));
    } catch (e) {
      for (const st of newState.values()) for (const v of Object.values(st)) if (v instanceof Tensor) v.dispose();
      throw e;
    }
    for (const st of this.state.values()) for (const v of Object.values(st)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
    for (const [p, st] of newState) this.state.set(p, st);
  }
}

const META_KEY = '__optim_meta__';

/**
 * Packs a state dict into a flat `Record<string, Tensor>` that `tf.save` can write: state tensor
 * `state[i].name` under the key `state.i.name` (the tensors themselves, not copies), and everything
 * else (step counts, group options) as JSON in an int32 tensor of UTF-16 code units under
 * `__optim_meta__`. Options that JSON cannot represent (functions, Infinity) do not survive.
 */
export function stateDictToTensors(sd: OptimizerStateDict): Record<string, Tensor> {
  if (sd === null || typeof sd !== 'object' || sd.state === null || typeof sd.state !== 'object')
    throw argumentError(`stateDictToTensors: expected an optimizer state dict ({state, paramGroups}), got ${describe(sd)}`);
  const out: Record<string, Tensor> = {};
  const metaState: Record<string, Record<string, number>> = {};
  for (const [i, entry] of Object.entries(sd.state)) {
    metaState[i] = {};
    for (const [k, v] of Object.entries(entry)) {
      if (v instanceof Tensor) out[`state.${i}.${k}`] = v;
      else metaState[i][k] = v;
    }
  }
  const json = JSON.stringify({ format: 'tensorfold.optim/1', state: metaState, paramGroups: sd.paramGroups });
  const codes = new Int32Array(json.length);
  for (let k = 0; k < json.length; k++) codes[k] = json.charCodeAt(k);
  out[META_KEY] = new Tensor(native.fromTyped(codes, [codes.length], 2));
  return out;
}

/** Reverses stateDictToTensors (for example on what `tf.load` returned). */
export function stateDictFromTensors(tensors: Record<string, Tensor>): OptimizerStateDict {
  const metaT = tensors && tensors[META_KEY];
  if (!(metaT instanceof Tensor))
    throw argumentError(`stateDictFromTensors: expected the record written by stateDictToTensors (no ${META_KEY} tensor)`);
  const codes = numbersOf(metaT);
  let json = '';
  for (let k = 0; k < codes.length; k += 4096) json += String.fromCharCode(...Array.from(codes.subarray(k, k + 4096)));
  const meta = JSON.parse(json) as { state: Record<string, Record<string, number>>; paramGroups: OptimizerStateDict['paramGroups'] };
  const state: OptimizerStateDict['state'] = {};
  for (const [i, entry] of Object.entries(meta.state)) state[i] = { ...entry };
  for (const [key, t] of Object.entries(tensors)) {
    if (key === META_KEY) continue;
    const m = /^state\.(\d+)\.(.+)$/.exec(key);
    if (!m) throw stateError(`stateDictFromTensors: unexpected key ${show(key)}`);
    (state[m[1]] ??= {})[m[2]] = t;
  }
  return { state, paramGroups: meta.paramGroups };
}
