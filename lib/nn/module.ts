// nn.Module: the base class of every layer, and the containers Sequential, ModuleList, ModuleDict.
//
// Parameters and submodules are found by walking the module's own fields, so a layer is written
// as plainly as in PyTorch:
//
//   class MLP extends nn.Module {
//     fc1 = new nn.Linear(4, 8);
//     blocks = [new nn.Linear(8, 8), new nn.Linear(8, 8)];   // names blocks.0.weight, ...
//     forward(x: Tensor) { return this.fc1.forward(x).relu(); }
//   }
//
// A field counts as a parameter when it holds a leaf Tensor that requires grad, or one that was
// created with nn.Parameter / registerParameter (so a frozen parameter, requiresGrad = false, stays
// in parameters() and stateDict()). Tensors registered with registerBuffer are buffers: saved in
// stateDict but never returned by parameters(). Any other tensor field (a cache, a constant) is
// ignored. JavaScript cannot make an instance callable, so `model(x)` is written
// `model.forward(x)` (or `model.call(x)`).
import type { Chain } from '../typed';
import { noGrad } from '../autograd';
import { DType, Tensor, describe, keep, checkOptions, isFloating } from '../tensor';
import { argumentError, axisError, dtypeError, stateError, show } from '../errors';
import { summarize, Summary, SummaryOptions } from './summary';
import { addHook, ForwardHook, ForwardPreHook, BackwardHook, RemovableHandle } from './hooks';

const parameterSet = new WeakSet<Tensor>();

/** Marks t as a parameter (requiresGrad = true) and returns it: the analogue of torch.nn.Parameter. */
export function Parameter(t: Tensor, requiresGrad = true): Tensor {
  if (!(t instanceof Tensor)) throw argumentError(`Parameter: expected a Tensor, got ${describe(t)}`);
  if (!isFloating(t.dtype) && requiresGrad)
    throw dtypeError(`Parameter: only floating-point tensors can require grad, got ${t.dtype}`);
  if (!t.isLeaf) t = t.detach();
  t.requiresGrad = requiresGrad;
  parameterSet.add(t);
  // Parameters outlive any tf.tidy they are created in (a model built inside one keeps working).
  return keep(t);
}

/** True for a tensor that Module treats as a parameter when held in a field. */
export function isParameter(x: unknown): x is Tensor {
  return x instanceof Tensor && (parameterSet.has(x) || (x.requiresGrad && x.isLeaf));
}

// A place a member lives: so that Module.to() can replace a tensor wherever it was found.
interface Slot {
  holder: Record<string | number, unknown>;
  key: string | number;
}

/** What loadStateDict did not match (PyTorch's missing_keys / unexpected_keys). */
export interface LoadStateDictResult {
  /** Names the module has but the state dict lacked. */
  missingKeys: string[];
  /** Names in the state dict that the module does not have. */
  unexpectedKeys: string[];
}

type StateDict = Record<string, Tensor> | Map<string, Tensor>;

const MAX_DEPTH = 8;

/**
 * The base class of layers and models (torch.nn.Module). Tensor fields that are parameters, and
 * fields holding modules, are found automatically (parameters(), stateDict(), to(), train()/eval());
 * subclasses implement forward.
 * @example class MLP extends tf.nn.Module { fc = new tf.nn.Linear(4, 2); forward(x) { return this.fc.forward(x); } }
 */
export class Module {
  /** True in training mode (the default); eval() sets it to false. */
  training = true;
  // Names of buffer fields: not enumerable so the field walk does not see the set itself.
  declare private _bufferNames: Set<string>;

  constructor() {
    Object.defineProperty(this, '_bufferNames', { value: new Set<string>(), enumerable: false, writable: false });
  }

  /** The computation. Subclasses override it; call it as module.forward(x). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(...args: any[]): any {
    throw stateError(`${this.constructor.name}: forward() is not implemented`);
  }

  /** model.call(x) is model.forward(x): the nearest JavaScript gets to PyTorch's model(x). */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    return this.forward(...args);
  }

  // ---- registration ----
  /** Stores t in field `name` as a parameter (it is made to require grad). */
  registerParameter(name: string, t: Tensor | null): void {
    if (typeof name !== 'string' || name === '' || name.includes('.'))
      throw argumentError(`registerParameter: name must be a non-empty string without '.', got ${describe(name)}`);
    (this as unknown as Record<string, unknown>)[name] = t === null ? null : Parameter(t);
  }

  /**
   * Stores t in field `name` as a buffer: state that is not trained (running statistics). A
   * non-persistent buffer (persistent = false) is left out of stateDict and loadStateDict.
   */
  registerBuffer(name: string, t: Tensor | null, persistent = true): void {
    if (typeof name !== 'string' || name === '' || name.includes('.'))
      throw argumentError(`registerBuffer: name must be a non-empty string without '.', got ${describe(name)}`);
    if (t !== null && !(t instanceof Tensor))
      throw argumentError(`registerBuffer: buffer "${name}" must be a Tensor or null, got ${describe(t)}`);
    this._bufferNames.add(name);
    if (!persistent) {
      if (!Object.prototype.hasOwnProperty.call(this, '_nonPersistent'))
        Object.defineProperty(this, '_nonPersistent', { value: new Set<string>(), enumerable: false, writable: true });
      (this as unknown as { _nonPersistent: Set<string> })._nonPersistent.add(name);
    } else (this as unknown as { _nonPersistent?: Set<string> })._nonPersistent?.delete(name);
    (this as unknown as Record<string, unknown>)[name] = t === null ? null : keep(t);
  }

  /** Buffers saved in state dicts (all but the non-persistent ones). */
  private _persistentBuffers(): [string, Tensor, Slot][] {
    const np = (this as unknown as { _nonPersistent?: Set<string> })._nonPersistent;
    return np ? this._ownBuffers().filter(([n]) => !np.has(n)) : this._ownBuffers();
  }

  // ---- hooks ----
  /** hook(module, args) runs before forward; an array (or single value) it returns replaces the arguments. */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    return addHook(this, 'pre', hook, 'registerForwardPreHook');
  }
  /** hook(module, args, output) runs after forward; a value it returns replaces the output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    return addHook(this, 'fwd', hook, 'registerForwardHook');
  }
  /**
   * hook(module, gradInput, gradOutput) runs in the backward pass once the gradients w.r.t. the
   * module's tensor inputs are computed; an array it returns replaces gradInput.
   */
  registerFullBackwardHook(hook: BackwardHook): RemovableHandle {
    return addHook(this, 'bwd', hook, 'registerFullBackwardHook');
  }

  /** The number of parameter elements (only those that require grad with {trainableOnly: true}). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    checkOptions(opts, 'numParameters');
    return this.parameters().filter((p) => !opts.trainableOnly || p.requiresGrad).reduce((a, p) => a + p.size, 0);
  }

  /** Stores m in field `name` (plain assignment does the same). */
  registerModule(name: string, m: Module | null): void {
    if (m !== null && !(m instanceof Module))
      throw argumentError(`registerModule: "${name}" must be a Module, got ${describe(m)}`);
    (this as unknown as Record<string, unknown>)[name] = m;
  }

  /**
   * The module's direct members as [name, value, slot]: own fields in declaration order, with
   * arrays and plain objects of modules or tensors flattened into dotted names. Containers override.
   * @internal
   */
  protected _members(): [string, unknown, Slot][] {
    const out: [string, unknown, Slot][] = [];
    const self = this as unknown as Record<string, unknown>;
    const visit = (prefix: string, v: unknown, slot: Slot, depth: number) => {
      if (v instanceof Tensor || v instanceof Module) out.push([prefix, v, slot]);
      else if (depth < MAX_DEPTH && Array.isArray(v))
        v.forEach((x, i) => visit(`${prefix}.${i}`, x, { holder: v as unknown as Record<number, unknown>, key: i }, depth + 1));
      else if (depth < MAX_DEPTH && v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
        for (const [k, x] of Object.entries(v as Record<string, unknown>))
          visit(`${prefix}.${k}`, x, { holder: v as Record<string, unknown>, key: k }, depth + 1);
    };
    for (const k of Object.keys(self)) {
      if (k === 'training') continue;
      visit(k, self[k], { holder: self, key: k }, 0);
    }
    return out;
  }

  private _ownParams(): [string, Tensor, Slot][] {
    return this._members().filter(([n, v]) => !this._bufferNames.has(n) && isParameter(v)) as [string, Tensor, Slot][];
  }
  private _ownBuffers(): [string, Tensor, Slot][] {
    return this._members().filter(([n, v]) => this._bufferNames.has(n) && v instanceof Tensor) as [string, Tensor, Slot][];
  }

  // ---- traversal ----
  /** Direct submodules as [name, module]. */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [n, v] of this._members())
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        out.push([n, v]);
      }
    return out;
  }
  /** The direct submodules, each once. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every submodule, depth first, each once, as [dotted name, module]. */
  namedModules(prefix = ''): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    const walk = (m: Module, p: string, depth: number) => {
      if (seen.has(m)) return;
      if (depth > 64) throw stateError(`namedModules: modules nested more than 64 deep at "${p}" (a cycle?)`);
      seen.add(m);
      out.push([p, m]);
      for (const [n, c] of m.namedChildren()) walk(c, p ? `${p}.${n}` : n, depth + 1);
    };
    walk(this, prefix, 0);
    return out;
  }
  /** This module and every submodule, depth first, each once. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter as [dotted name, tensor], each tensor once (PyTorch's named_parameters). */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules())
      for (const [n, t] of m._ownParams())
        if (!seen.has(t)) {
          seen.add(t);
          out.push([p ? `${p}.${n}` : n, t]);
        }
    return out;
  }
  /**
   * Every parameter of this module and its submodules, each once: what an optimizer takes.
   * @example const opt = new tf.optim.Adam(model.parameters(), { lr: 1e-3 });
   */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Every buffer (BatchNorm's running statistics, ...) as [dotted name, tensor]. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules())
      for (const [n, t] of m._ownBuffers()) out.push([p ? `${p}.${n}` : n, t]);
    return out;
  }
  /** Every buffer of this module and its submodules. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Calls fn on every submodule and then on this one (PyTorch's apply). */
  apply(fn: (m: Module) => void): this {
    if (typeof fn !== 'function') throw argumentError(`apply: expected a function, got ${describe(fn)}`);
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes ----
  /** Sets training mode on this module and every submodule. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = !!mode;
    return this;
  }
  /** Sets evaluation mode: Dropout is the identity, BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (sets it to null). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Sets requiresGrad on every parameter (freezing with false). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Converts every floating-point parameter and buffer to dtype (model.to('float64') for gradient checks). */
  to(dtype: DType): this {
    // One new tensor per old one: a tensor held in two places (tied weights, as a GPT's embedding
    // and output head) stays one tensor, as PyTorch's in-place conversion keeps it.
    const converted = new Map<Tensor, Tensor>();
    for (const m of this.modules()) {
      const convert = (entries: [string, Tensor, Slot][], param: boolean) => {
        for (const [, t, slot] of entries) {
          if (t.dtype === dtype || !isFloating(t.dtype)) continue;
          let c = converted.get(t);
          if (!c) {
            const v = noGrad(() => t.to(dtype));
            c = param ? Parameter(v, t.requiresGrad) : keep(v);
            converted.set(t, c);
          }
          slot.holder[slot.key] = c;
        }
      };
      convert(m._ownParams(), true);
      convert(m._ownBuffers(), false);
    }
    return this;
  }
  /** Converts the floating-point parameters and buffers to float64; returns this. */
  double(): this {
    return this.to('float64');
  }
  /** Converts the floating-point parameters and buffers to float32; returns this. */
  float(): this {
    return this.to('float32');
  }

  // ---- state ----
  /**
   * Parameters and buffers by dotted name, as tensors sharing storage with the module's own (detached):
   * module by module, its parameters then its buffers, then its children, as PyTorch orders them.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [p, m] of this.namedModules()) {
      for (const [n, t] of m._ownParams()) out[p ? `${p}.${n}` : n] = t.detach();
      for (const [n, t] of m._persistentBuffers()) out[p ? `${p}.${n}` : n] = t.detach();
    }
    return out;
  }

  /**
   * Copies values from sd into the module's parameters and buffers, in place. With strict (the
   * default) a missing or unexpected key is an Error naming the keys; a shape mismatch always is.
   */
  loadStateDict(sd: StateDict, opts: { strict?: boolean } = {}): LoadStateDictResult {
    checkOptions(opts, 'loadStateDict');
    if (sd === null || typeof sd !== 'object')
      throw argumentError(`loadStateDict: expected an object of Tensors, got ${describe(sd)}`);
    const strict = opts.strict ?? true;
    const entries = new Map<string, unknown>(sd instanceof Map ? sd : Object.entries(sd));
    const own: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules()) {
      for (const [n, t] of m._ownParams()) own.push([p ? `${p}.${n}` : n, t]);
      for (const [n, t] of m._persistentBuffers()) own.push([p ? `${p}.${n}` : n, t]);
    }
    const ownKeys = new Set(own.map(([k]) => k));
    const missingKeys = own.map(([k]) => k).filter((k) => !entries.has(k));
    const unexpectedKeys = [...entries.keys()].filter((k) => !ownKeys.has(k));
    const errors: string[] = [];
    for (const [k, t] of own) {
      if (!entries.has(k)) continue;
      const src = entries.get(k);
      if (!(src instanceof Tensor)) {
        errors.push(`value for "${k}" must be a Tensor, got ${describe(src)}`);
        continue;
      }
      const a = src.shape, b = t.shape;
      if (a.length !== b.length || a.some((d, i) => d !== b[i]))
        errors.push(`size mismatch for "${k}": copying a tensor of shape [${a}] from the state dict, ` +
          `the module's has shape [${b}]`);
    }
    if (strict) {
      if (missingKeys.length) errors.unshift(`missing key(s) ${missingKeys.map((k) => `"${k}"`).join(', ')}`);
      if (unexpectedKeys.length)
        errors.unshift(`unexpected key(s) ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}`);
    }
    if (errors.length)
      throw stateError(`loadStateDict: error(s) loading the state dict of ${this.constructor.name}: ${errors.join('; ')}`);
    noGrad(() => {
      for (const [k, t] of own) if (entries.has(k)) t.copy_(entries.get(k) as Tensor);
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * The layers with their output shapes (from one forward pass on zeros of `inputShape`, in eval
   * mode and under noGrad; pass an array of shapes for several inputs) and parameter counts, and
   * the totals: `summary.table` prints like Keras's model.summary(). Without an input shape it
   * lists the layers and their parameters only.
   */
  summary(inputShape?: number[] | number[][], opts?: SummaryOptions): Summary {
    return summarize(this, inputShape, opts);
  }

  /** A one-line-per-module summary, as PyTorch prints modules. */
  toString(): string {
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    const kids = this.namedChildren();
    if (!kids.length) return head + ')';
    const body = kids.map(([n, m]) => `  (${n}): ${m.toString().split('\n').join('\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }
  /** Constructor arguments for toString(); layers override. */
  extraRepr(): string {
    return '';
  }
}

/**
 * A chain of modules: forward(x) feeds x through each in turn. Children are named 0, 1, 2, ...
 * @example const model = new tf.nn.Sequential(new tf.nn.Linear(4, 16), new tf.nn.ReLU(), new tf.nn.Linear(16, 3));
 */
export class Sequential<M extends readonly Module[] = Module[]> extends Module {
  /** seq[i] is seq.at(i) for 0 <= i < length. */
  [index: number]: Module;
  declare private _list: Module[];
  declare private _names: string[];

  // Layers given in order are checked at compile time where their sizes are literals:
  // `new Sequential(new Linear(784, 128), new Linear(64, 10))` does not compile, and the error
  // names 128 and 64 (lib/typed.ts). Named layers ({name: module}) are not checked.
  constructor(...modules: Chain<M>);
  constructor(modules: Record<string, Module>);
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    let list: Module[], names: string[];
    if (modules.length === 1 && !(modules[0] instanceof Module) && modules[0] !== null && typeof modules[0] === 'object') {
      names = Object.keys(modules[0]);
      list = Object.values(modules[0] as Record<string, Module>);
    } else {
      list = modules as Module[];
      names = list.map((_, i) => String(i));
    }
    list.forEach((m, i) => {
      if (!(m instanceof Module))
        throw argumentError(`Sequential: element ${names[i]} must be a Module, got ${describe(m)}`);
    });
    Object.defineProperty(this, '_list', { value: list, enumerable: false, writable: true });
    Object.defineProperty(this, '_names', { value: names, enumerable: false, writable: true });
    list.forEach((_, i) => this._indexItem(i));
  }
  // seq[i] reads the i-th module, as in PyTorch.
  private _indexItem(i: number): void {
    indexProperty(this, String(i), function (this: Sequential) {
      return this._list[i];
    });
  }
  protected _members(): [string, unknown, Slot][] {
    return this._list.map((m, i) => [this._names[i], m, { holder: this._list as unknown as Record<number, unknown>, key: i }]);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  /** Runs the modules in order, each on the previous one's output. */
  forward(x: any): any {
    for (const m of this._list) x = m.forward(x);
    return x;
  }
  /** The number of modules. */
  get length(): number {
    return this._list.length;
  }
  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const m = this._list[i < 0 ? this._list.length + i : i];
    if (!m) throw axisError(`Sequential.at: index ${i} is out of range for ${this._list.length} modules`);
    return m;
  }
  /** Adds a module at the end; returns this. */
  append(m: Module): this {
    if (!(m instanceof Module)) throw argumentError(`Sequential.append: expected a Module, got ${describe(m)}`);
    this._names.push(String(this._list.length));
    this._list.push(m);
    this._indexItem(this._list.length - 1);
    return this;
  }
  /** Iterates the modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this._list[Symbol.iterator]();
  }
}

/** A list of modules whose parameters are registered (names 0, 1, ...); it has no forward. */
export class ModuleList extends Module {
  /** list[i] is list.at(i) for 0 <= i < length. */
  [index: number]: Module;
  declare private _list: Module[];
  constructor(modules: Module[] = []) {
    super();
    if (!Array.isArray(modules)) throw argumentError(`ModuleList: expected an array of Modules, got ${describe(modules)}`);
    Object.defineProperty(this, '_list', { value: [], enumerable: false });
    for (const m of modules) this.append(m);
  }
  protected _members(): [string, unknown, Slot][] {
    return this._list.map((m, i) => [String(i), m, { holder: this._list as unknown as Record<number, unknown>, key: i }]);
  }
  /** Adds a module at the end (named by its index); returns this. */
  append(m: Module): this {
    if (!(m instanceof Module)) throw argumentError(`ModuleList.append: expected a Module, got ${describe(m)}`);
    this._list.push(m);
    const i = this._list.length - 1;
    indexProperty(this, String(i), function (this: ModuleList) {
      return this._list[i];
    });
    return this;
  }
  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const m = this._list[i < 0 ? this._list.length + i : i];
    if (!m) throw axisError(`ModuleList.at: index ${i} is out of range for ${this._list.length} modules`);
    return m;
  }
  /** The number of modules. */
  get length(): number {
    return this._list.length;
  }
  /** Iterates the modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this._list[Symbol.iterator]();
  }
}

/** Modules by name; it has no forward. */
export class ModuleDict extends Module {
  /** dict.name is dict.get(name) for names not taken by a method or field. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [key: string]: any;
  declare private _dict: Map<string, Module>;
  constructor(modules: Record<string, Module> = {}) {
    super();
    Object.defineProperty(this, '_dict', { value: new Map(), enumerable: false });
    if (modules === null || typeof modules !== 'object')
      throw argumentError(`ModuleDict: modules must be an object of name: Module, got ${describe(modules)}`);
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }
  protected _members(): [string, unknown, Slot][] {
    const holder = {} as Record<string, unknown>;
    return [...this._dict.entries()].map(([k, m]) => {
      holder[k] = m;
      return [k, m, { holder, key: k }] as [string, unknown, Slot];
    });
  }
  /** Adds or replaces the module under name k; returns this. */
  set(k: string, m: Module): this {
    if (typeof k !== 'string') throw argumentError(`ModuleDict.set: the name must be a string, got ${describe(k)}`);
    if (!(m instanceof Module)) throw argumentError(`ModuleDict.set: ${show(k)} must be a Module, got ${describe(m)}`);
    this._dict.set(k, m);
    // dict.name reads the module, unless the name is taken by a method or field (then dict.get(name)).
    if (!(k in this) || Object.prototype.hasOwnProperty.call(this, k) && isIndexProperty(this, k))
      indexProperty(this, k, function (this: ModuleDict) {
        return this._dict.get(k);
      });
    return this;
  }
  /** The module under name k, or undefined. */
  get(k: string): Module | undefined {
    return this._dict.get(k);
  }
  /** The names, in insertion order. */
  keys(): string[] {
    return [...this._dict.keys()];
  }
}

// Items of ModuleList and ModuleDict as properties (list[0], dict.wte): non-enumerable getters, so the
// field walk does not see them twice, reading through `this` so that copies of the module work too.
const indexGetters = new WeakSet<object>();
function indexProperty(obj: object, key: string, get: () => unknown): void {
  indexGetters.add(get);
  Object.defineProperty(obj, key, { get, enumerable: false, configurable: true });
}
function isIndexProperty(obj: object, key: string): boolean {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  return !!d && !!d.get && indexGetters.has(d.get);
}
