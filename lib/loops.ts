// Differentiable loop combinators: fold, scan, unfold, bidirectional, mapWindows, foldTree.
//
// The tape is eager, so a plain JavaScript loop over ops is already differentiable; these add the
// structure (carries of several tensors, stacking of per-step outputs, run-time stopping) and a
// checkpoint mode. With {checkpoint: true} the loop runs without recording, keeping only the carry
// entering each step; one tape node stands for the whole loop, and its backward re-runs the body a
// step at a time (last step first), recording just that step, to get the step's vector-Jacobian
// product. Memory is O(steps × carry) instead of O(steps × everything the body computes).
//
// Checkpointing has to know which tensors outside the loop the body reads (its parameters): they
// are inputs of the loop's tape node. `opts.params` lists them; without it they are discovered by
// watching the tensor handles the body passes to the engine during the forward run: any handle
// that requires grad and is not one of the loop's own inputs is a parameter. Because the body runs
// again during backward, the tensors it closes over must still be alive then: with tf.tidy, call
// backward inside the same tidy (the saved carries themselves are safe from it). Tensors the body
// creates and does not return are freed after each step in checkpoint mode (tf.keep one to hold it).
import { Handle, native } from './native';
import { Tensor, describe, tidy, wrap, zeros } from './tensor';
import { isFloating } from './args';
import { concat, stack } from './ops';
import { enableGrad, noGrad } from './autograd';
import { argumentError, axisError, internalError, rangeError, shapeError, stateError, tfError } from './errors';

/** A loop carry (or per-step output): a Tensor, an array of Tensors, or an object of Tensors (nesting allowed). */
export type Carry = Tensor | readonly Carry[] | { readonly [key: string]: Carry };

export interface LoopOptions {
  /** Keep only the carries and re-run the body in the backward pass. */
  checkpoint?: boolean;
  /**
   * With checkpoint: the tensors the body closes over that need gradients. Found automatically
   * when left out (every tensor requiring grad that the body hands to an operation).
   */
  params?: Tensor[];
}

export interface ScanOptions extends LoopOptions {
  /** Run right to left (last element of xs first); ys stay aligned with the positions of xs. */
  reverse?: boolean;
}

export type Steps<Y = Carry, C = Carry> =
  | number
  | { maxSteps: number; until?: (y: Y, carry: C, step: number) => boolean | Tensor };

export type Xs = Tensor | readonly Tensor[];

// ---------------------------------------------------------------- carry structure

// The shape of a carry as a tree: 'T' for a tensor leaf, arrays and objects as themselves.
type Spec = 'T' | Spec[] | { [key: string]: Spec };

function specOf(v: unknown, op: string, what: string, depth = 0): Spec {
  if (v instanceof Tensor) return 'T';
  if (depth > 8) throw argumentError(`${op}: ${what} is nested too deeply`);
  if (Array.isArray(v)) return v.map((e) => specOf(e, op, what, depth + 1));
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: { [key: string]: Spec } = {};
    for (const k of Object.keys(v)) out[k] = specOf((v as Record<string, unknown>)[k], op, what, depth + 1);
    return out;
  }
  throw argumentError(`${op}: ${what} must be a Tensor, an array of Tensors or an object of Tensors, ` +
    `but contains ${describe(v)}`);
}

function specStr(s: Spec): string {
  if (s === 'T') return 'Tensor';
  if (Array.isArray(s)) return `[${s.map(specStr).join(', ')}]`;
  return `{${Object.keys(s).map((k) => `${k}: ${specStr(s[k])}`).join(', ')}}`;
}

function sameSpec(a: Spec, b: Spec): boolean {
  if (a === 'T' || b === 'T') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((e, i) => sameSpec(e, b[i]));
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => k in b && sameSpec(a[k], b[k]));
}

// Leaves in a fixed order (object keys in the spec's order, so carries built with keys in another
// order still line up).
function leavesOf(v: unknown, s: Spec, out: Tensor[] = []): Tensor[] {
  if (s === 'T') out.push(v as Tensor);
  else if (Array.isArray(s)) s.forEach((e, i) => leavesOf((v as unknown[])[i], e, out));
  else for (const k of Object.keys(s)) leavesOf((v as Record<string, unknown>)[k], s[k], out);
  return out;
}

function build(s: Spec, leaves: Tensor[], pos = { i: 0 }): Carry {
  if (s === 'T') return leaves[pos.i++];
  if (Array.isArray(s)) return s.map((e) => build(e, leaves, pos));
  const out: { [key: string]: Carry } = {};
  for (const k of Object.keys(s)) out[k] = build(s[k], leaves, pos);
  return out;
}

const ordinal = (i: number) => `step ${i}`;

function checkCarry(c: unknown, want: Spec, op: string, step: number): void {
  let got: Spec;
  try {
    got = specOf(c, op, 'the carry');
  } catch (e) {
    throw argumentError(`${op}: fn returned an invalid carry at ${ordinal(step)} (expected ${specStr(want)}, ` +
      `got ${c instanceof Tensor || c === null || typeof c !== 'object' ? describe(c) : 'a structure containing a non-Tensor'})`);
  }
  if (!sameSpec(got, want))
    throw argumentError(`${op}: fn returned a carry of structure ${specStr(got)} at ${ordinal(step)}, ` +
      `but the carry has structure ${specStr(want)}`);
}

const isFloat = (t: Tensor) => isFloating(t.dtype);

function truthy(v: unknown, op: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v instanceof Tensor) {
    if (v.size !== 1) throw shapeError(`${op}: until must return a boolean or a one-element Tensor, got shape [${v.shape}]`);
    return v.item() !== 0;
  }
  throw argumentError(`${op}: until must return a boolean or a one-element Tensor, got ${describe(v)}`);
}

// ---------------------------------------------------------------- step inputs

// Where a step's x comes from: `inputs` are the tensors the loop node depends on, `at` makes step
// i's x from them, and `assemble` turns per-step gradients w.r.t. x back into gradients w.r.t. the
// inputs (checkpoint mode).
interface Source {
  inputs: Tensor[];
  length: number;
  at(i: number, inputs: Tensor[]): Tensor | undefined;
  assemble(grads: (Tensor | null)[], inputs: Tensor[]): (Tensor | null)[];
}

function xsSource(xs: unknown, op: string): Source {
  // Slices of each input tensor, made once per loop run (a checkpointed backward re-runs with
  // its own inputs, and an enclosing tidy may have disposed earlier slices).
  const stepSlices = new Map<Tensor, Tensor[]>();
  if (xs instanceof Tensor) {
    if (xs.ndim === 0) throw shapeError(`${op}: xs must have at least one dimension to iterate over, got a scalar Tensor`);
    return {
      inputs: [xs],
      length: xs.shape[0],
      // One unbind per tensor (a single tape node) rather than a select per step, whose backward
      // would build a full-size zero tensor each time: O(T) instead of O(T²).
      at: (i, ins) => {
        let p = stepSlices.get(ins[0]);
        if (!p || p[i].isDisposed) stepSlices.set(ins[0], (p = ins[0].unbind(0)));
        return p[i];
      },
      assemble: (grads, ins) => {
        if (grads.every((g) => !g)) return [null];
        const shape = ins[0].shape.slice(1);
        return [stack(grads.map((g) => g ?? zeros(shape, { dtype: ins[0].dtype })), 0)];
      },
    };
  }
  if (Array.isArray(xs)) {
    xs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw argumentError(`${op}: xs[${i}] must be a Tensor, got ${describe(x)}`);
    });
    return { inputs: xs.slice(), length: xs.length, at: (i, ins) => ins[i], assemble: (grads) => grads };
  }
  throw argumentError(`${op}: xs must be a Tensor (iterated over dim 0) or an array of Tensors, got ${describe(xs)}`);
}

const noSource = (n: number): Source => ({ inputs: [], length: n, at: () => undefined, assemble: () => [] });

// ---------------------------------------------------------------- parameter discovery

// Engine entry points that do not compute on a tensor's values in a differentiable way.
const UNWATCHED = new Set(['requiresGrad', 'setRequiresGrad', 'isLeaf', 'gradFn', 'getGrad', 'setGrad', 'shape',
  'dtype', 'strides', 'item', 'toTyped', 'isDisposed', 'dispose', 'memory', 'setGradEnabled', 'isGradEnabled',
  'customOp', 'gradOf', 'backward', 'sameStorage', 'inPlace', 'backendInfo', 'setNumThreads', 'manualSeed']);

// Runs fn while recording every tensor handle passed to the engine that requires grad and is not
// in `known`. The binding's functions are wrapped for the duration of the (synchronous) call.
function watchParams<T>(fn: () => T, known: Set<Handle>, found: Set<Handle>): T {
  const n = native as unknown as Record<string, unknown>;
  const requiresGrad = native.requiresGrad;
  const saved: [string, unknown][] = [];
  const look = (a: unknown, depth: number): void => {
    if (a === null || typeof a !== 'object') return;
    if (Array.isArray(a)) {
      if (depth < 2) for (const e of a) look(e, depth + 1);
      return;
    }
    if (Object.getPrototypeOf(a) !== null || known.has(a as Handle) || found.has(a as Handle)) return;
    try {
      if (requiresGrad(a as Handle)) found.add(a as Handle);
    } catch {
      // not a tensor handle
    }
  };
  for (const k of Object.keys(n)) {
    const f = n[k];
    if (typeof f !== 'function' || UNWATCHED.has(k)) continue;
    saved.push([k, f]);
    n[k] = function (this: unknown, ...args: unknown[]) {
      for (const a of args) look(a, 0);
      return (f as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  try {
    return fn();
  } finally {
    for (const [k, f] of saved) n[k] = f;
  }
}

// ---------------------------------------------------------------- the loop engine

type Body = (carry: Carry, x: Tensor | undefined, i: number) => [Carry, Carry | undefined];

interface LoopSpec {
  op: string;
  body: Body;
  init: Carry;
  source: Source;
  steps: number;
  until?: (y: Carry, carry: Carry, i: number) => unknown;
  reverse: boolean;
  wantYs: boolean;
  opts: LoopOptions;
}

interface LoopResult {
  carry: Carry;
  ys?: Carry;
}

function stackYs(ys: Carry[], spec: Spec, op: string): Carry {
  const per = ys.map((y) => leavesOf(y, spec));
  const out: Tensor[] = [];
  for (let j = 0; j < per[0].length; j++) {
    const col = per.map((l) => l[j]);
    const s0 = col[0].shape;
    col.forEach((t, i) => {
      const s = t.shape;
      if (s.length !== s0.length || s.some((d, k) => d !== s0[k]))
        throw shapeError(`${op}: fn returned outputs of different shapes, [${s0}] at the first step and [${s}] at ${ordinal(i)}; they cannot be stacked`);
    });
    out.push(stack(col, 0));
  }
  return build(spec, out);
}

function checkStep(out: unknown, op: string, i: number): [Carry, Carry] {
  if (!Array.isArray(out) || out.length !== 2)
    throw argumentError(`${op}: fn must return [carry, y], got ${describe(out)}${Array.isArray(out) ? ` of length ${out.length}` : ''} at ${ordinal(i)}`);
  return out as [Carry, Carry];
}

// Runs the loop forward. `record` says whether to keep per-step carries (checkpoint mode).
function forward(L: LoopSpec, carrySpec: Spec, record: boolean) {
  let carry = L.init;
  let ySpec: Spec | undefined;
  const ys: Carry[] = [];
  const carries: Handle[][] = [];
  const order: number[] = [];
  for (let k = 0; k < L.steps; k++) {
    const i = L.reverse ? L.steps - 1 - k : k;
    const x = L.source.at(i, L.source.inputs);
    // Saved as bare handles, outside any tidy scope: an enclosing tf.tidy must not free them
    // before the backward pass.
    if (record) carries.push(leavesOf(carry, carrySpec).map((t) => native.detach(t._h)));
    const run = () => {
      const [c, y] = L.body(carry, x, i);
      checkCarry(c, carrySpec, L.op, i);
      return [c, y] as [Carry, Carry | undefined];
    };
    // In checkpoint mode nothing recorded survives, so each step's temporaries are freed at once.
    const [c, y] = record ? tidy(run) : run();
    order.push(i);
    carry = c;
    if (L.wantYs) {
      const s = specOf(y, L.op, 'the output y');
      if (ySpec === undefined) ySpec = s;
      else if (!sameSpec(s, ySpec))
        throw argumentError(`${L.op}: fn returned y of structure ${specStr(s)} at ${ordinal(i)}, but ${specStr(ySpec)} before`);
      ys.push(y as Carry);
      if (L.until && truthy(L.until(y as Carry, c, i), L.op)) break;
    }
  }
  if (L.reverse) ys.reverse();
  return { carry, ys, ySpec, carries, order };
}

function runLoop(L: LoopSpec): LoopResult {
  const carrySpec = specOf(L.init, L.op, 'init');
  if (L.opts.params !== undefined && !Array.isArray(L.opts.params))
    throw argumentError(`${L.op}: opts.params must be an array of Tensors, got ${describe(L.opts.params)}`);
  if (!L.opts.checkpoint) {
    const f = forward(L, carrySpec, false);
    if (!L.wantYs) return { carry: f.carry };
    if (f.ys.length === 0) throw stateError(`${L.op}: the loop ran no steps, so there are no outputs to stack`);
    return { carry: f.carry, ys: stackYs(f.ys, f.ySpec as Spec, L.op) };
  }
  return checkpointed(L, carrySpec);
}

// Fresh, floating-point outputs for a custom node: an output that is already on a graph (the body
// returned an input unchanged) or appears twice is copied.
function freshOutputs(leaves: Tensor[]): Tensor[] {
  const seen = new Set<Handle>();
  return leaves.map((t) => {
    if (!isFloat(t)) return t;
    const fresh = !t.requiresGrad && !t.gradFn && !seen.has(t._h);
    const r = fresh ? t : noGrad(() => t.clone());
    seen.add(r._h);
    return r;
  });
}

function paramList(L: LoopSpec, known: Set<Handle>, run: () => void): Handle[] {
  if (L.opts.params) {
    return L.opts.params.map((p, i) => {
      if (!(p instanceof Tensor)) throw argumentError(`${L.op}: opts.params[${i}] must be a Tensor, got ${describe(p)}`);
      return p._h;
    }).filter((h) => !known.has(h));
  }
  const found = new Set<Handle>();
  watchParams(run, known, found);
  return [...found];
}

function checkpointed(L: LoopSpec, carrySpec: Spec): LoopResult {
  const initLeaves = leavesOf(L.init, carrySpec);
  const srcInputs = L.source.inputs;
  const known = new Set<Handle>([...initLeaves, ...srcInputs].map((t) => t._h));
  let f!: ReturnType<typeof forward>;
  const params = paramList(L, known, () => {
    f = noGrad(() => forward(L, carrySpec, true));
  });
  if (!f) f = noGrad(() => forward(L, carrySpec, true));
  if (L.wantYs && f.ys.length === 0) throw stateError(`${L.op}: the loop ran no steps, so there are no outputs to stack`);
  const ySpec = f.ySpec;
  const ysStacked = L.wantYs ? noGrad(() => stackYs(f.ys, ySpec as Spec, L.op)) : undefined;
  f.ys.length = 0;

  // The final carry is always copied: it may be a tensor from outside the loop (init, or one the
  // body closes over), which must not become an output of the loop's node.
  const carryLeaves = leavesOf(f.carry, carrySpec).map((t) => (isFloat(t) ? noGrad(() => t.clone()) : t));
  const yLeaves = ysStacked !== undefined ? freshOutputs(leavesOf(ysStacked, ySpec as Spec)) : [];
  const result: LoopResult = {
    carry: build(carrySpec, carryLeaves),
    ys: ysStacked !== undefined ? build(ySpec as Spec, yLeaves) : undefined,
  };
  const inputs: Handle[] = [...initLeaves.map((t) => t._h), ...srcInputs.map((t) => t._h), ...params];
  if (!native.isGradEnabled() || !inputs.some((h) => native.requiresGrad(h))) return result;

  const outs = [...carryLeaves, ...yLeaves];
  const opOuts = outs.filter(isFloat);
  const nC = carryLeaves.length;
  const nInit = initLeaves.length, nSrc = srcInputs.length;
  const carries = f.carries;
  const order = f.order;

  const srcNeeds = srcInputs.map((t) => t.requiresGrad && isFloat(t));
  const srcRaw = srcInputs.map((t) => native.detach(t._h));
  const backward = (gh: Handle[]): (Handle | null)[] => {
    const srcT = srcRaw.map((h) => wrap(native.detach(h)));
    // Gradients w.r.t. each output leaf, in `outs` order (null for integer leaves).
    let k = 0;
    const g: (Tensor | null)[] = outs.map((t) => (isFloat(t) ? wrap(gh[k++]) : null));
    if (native.isGradEnabled()) return recomputeAll(L, carrySpec, inputs, g);

    let gC: (Tensor | null)[] = g.slice(0, nC);
    const gY = g.slice(nC);
    const pGrads: (Tensor | null)[] = params.map(() => null);
    const xGrads: (Tensor | null)[] = new Array(L.source.length).fill(null);
    for (let s = order.length - 1; s >= 0; s--) {
      const i = order[s];
      const pos = i;  // ys are stacked by position, whatever the direction
      const r = tidy(() => {
        const cIn = carries[s].map((h) => {
          const t = wrap(native.detach(h));
          return isFloat(t) ? t.requiresGrad_(true) : t;
        });
        let x = L.source.at(i, srcT);
        const xNeeds = x !== undefined && isFloat(x) && (nSrc === 1 ? srcNeeds[0] : srcNeeds[i]);
        if (x !== undefined) x = noGrad(() => (x as Tensor).detach());
        if (xNeeds) (x as Tensor).requiresGrad_(true);
        const [c, y] = enableGrad(() => L.body(build(carrySpec, cIn), x, i));
        const o = [...leavesOf(c, carrySpec), ...(L.wantYs ? leavesOf(y, ySpec as Spec) : [])];
        const cot = [...gC, ...gY.map((gy) => (gy ? gy.select(0, pos) : null))];
        const wrt = [...cIn.filter((t) => t.requiresGrad), ...(xNeeds ? [x as Tensor] : [])];
        const res = vjpStep(o, cot, [...wrt.map((t) => t._h), ...params]);
        let q = 0;
        const newC = cIn.map((t) => (t.requiresGrad ? res[q++] : null));
        const gx = xNeeds ? res[q++] : null;
        const newP = params.map((_, j) => add(pGrads[j], res[q + j]));
        return { newC, gx, newP };
      });
      for (const t of gC) if (t) t.dispose();
      for (let j = 0; j < params.length; j++) if (pGrads[j] && pGrads[j] !== r.newP[j]) (pGrads[j] as Tensor).dispose();
      gC = r.newC;
      pGrads.splice(0, params.length, ...r.newP);
      xGrads[i] = r.gx;
      carries[s] = [];
    }
    const gSrc = nSrc ? L.source.assemble(xGrads, srcT) : [];
    const all = [...gC, ...gSrc, ...pGrads];
    if (all.length !== nInit + nSrc + params.length) throw internalError(`${L.op}: internal error in checkpoint backward`);
    return all.map((t) => (t ? t._h : null));
  };
  native.customOp(L.op, inputs, opOuts.map((t) => t._h), backward);
  return result;
}

function add(a: Tensor | null, b: Tensor | null): Tensor | null {
  if (!a) return b;
  if (!b) return a;
  return a.add(b);
}

// Gradients of the outputs (against their cotangents) w.r.t. `wrt`, null where unreachable.
function vjpStep(outs: Tensor[], cots: (Tensor | null)[], wrt: Handle[], create = false): (Tensor | null)[] {
  const o: Handle[] = [], c: Handle[] = [];
  outs.forEach((t, j) => {
    if (t.requiresGrad && cots[j]) {
      o.push(t._h);
      c.push((cots[j] as Tensor)._h);
    }
  });
  const need = wrt.map((h) => native.requiresGrad(h));
  const ins = wrt.filter((_, j) => need[j]);
  if (o.length === 0 || ins.length === 0) return wrt.map(() => null);
  // retainGraph: a parameter computed outside the loop is captured at its own tape node, which
  // the engine runs (and would otherwise free) although the outer graph still needs it.
  const r = native.gradOf(o, c, ins, true, create);
  let q = 0;
  return need.map((n) => {
    if (!n) return null;
    const g = r[q++];
    return g ? wrap(g) : null;
  });
}

// Higher-order gradients through a checkpointed loop: the node's backward is being recorded, so
// the loop is re-run whole, on the tape, from the node's own inputs.
function recomputeAll(L: LoopSpec, carrySpec: Spec, inputs: Handle[], g: (Tensor | null)[]): (Handle | null)[] {
  const r = runLoop({ ...L, opts: { ...L.opts, checkpoint: false } });
  const outs = [...leavesOf(r.carry, carrySpec), ...(r.ys !== undefined ? leavesOf(r.ys, specOf(r.ys, L.op, 'y')) : [])];
  if (outs.length !== g.length) throw internalError(`${L.op}: internal error in checkpoint recompute`);
  return vjpStep(outs, g, inputs, true).map((t) => (t ? t._h : null));
}

// ---------------------------------------------------------------- public combinators

function checkFn(fn: unknown, op: string): void {
  if (typeof fn !== 'function') throw argumentError(`${op}: fn must be a function, got ${describe(fn)}`);
}

function checkOpts(opts: unknown, op: string): LoopOptions {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object') throw argumentError(`${op}: options must be an object, got ${describe(opts)}`);
  return opts as LoopOptions;
}

/**
 * fold(fn, init, xs) → the last carry of `carry = fn(carry, x, i)` over dim 0 of xs (or an array
 * of Tensors): an encoding RNN. Zero steps return init.
  * @example const h = tf.fold((h, x) => cell.forward(x, h), tf.zeros([batch, hidden]), xs);  // xs [T, batch, in]
 */
export function fold<C extends Carry>(fn: (carry: C, x: Tensor, i: number) => C, init: C, xs: Xs, opts?: LoopOptions): C {
  checkFn(fn, 'fold');
  const o = checkOpts(opts, 'fold');
  const source = xsSource(xs, 'fold');
  const r = runLoop({
    op: 'fold', body: (c, x, i) => [fn(c as C, x as Tensor, i), undefined], init, source, steps: source.length,
    reverse: false, wantYs: false, opts: o,
  });
  return r.carry as C;
}

/**
 * scan(fn, init, xs) → [lastCarry, ys] where `[carry, y] = fn(carry, x, i)`; the ys are stacked on
 * dim 0 (each leaf, when y is an array or object): an accumulating map (an RNN).
  * @example const [last, ys] = tf.scan((h, x) => { const n = h.add(x); return [n, n]; }, tf.zeros([2]), xs);
 */
export function scan<C extends Carry, Y extends Carry>(fn: (carry: C, x: Tensor, i: number) => [C, Y], init: C, xs: Xs,
  opts?: ScanOptions): [C, Y] {
  checkFn(fn, 'scan');
  const o = checkOpts(opts, 'scan') as ScanOptions;
  return scanImpl('scan', fn, init, xs, o);
}

function scanImpl<C extends Carry, Y extends Carry>(op: string, fn: (carry: C, x: Tensor, i: number) => [C, Y], init: C,
  xs: Xs, o: ScanOptions): [C, Y] {
  const source = xsSource(xs, op);
  const r = runLoop({
    op, body: (c, x, i) => checkStep(fn(c as C, x as Tensor, i), op, i), init, source, steps: source.length,
    reverse: !!o.reverse, wantYs: true, opts: o,
  });
  return [r.carry as C, r.ys as Y];
}

/**
 * unfold(fn, init, steps) → ys stacked, where `[carry, y] = fn(carry, i)`: a generating RNN.
 * `steps` is a count, or `{maxSteps, until}`: the loop stops after the first step whose output
 * satisfies `until(y, carry, i)` (that step is kept), or after maxSteps. The length is decided at
 * run time, and the result is still differentiable.
 */
export function unfold<C extends Carry, Y extends Carry>(fn: (carry: C, i: number) => [C, Y], init: C,
  steps: Steps<Y, C>, opts?: LoopOptions): Y {
  checkFn(fn, 'unfold');
  const o = checkOpts(opts, 'unfold');
  let n: number;
  let until: ((y: Y, c: C, i: number) => unknown) | undefined;
  if (typeof steps === 'number') {
    n = steps;
  } else if (steps !== null && typeof steps === 'object') {
    n = steps.maxSteps;
    if (steps.until !== undefined && typeof steps.until !== 'function')
      throw argumentError(`unfold: steps.until must be a function, got ${describe(steps.until)}`);
    until = steps.until;
    if (n === undefined) throw argumentError('unfold: steps.maxSteps is required (a bound on a run-time length)');
  } else {
    throw argumentError(`unfold: steps must be a number or {maxSteps, until}, got ${describe(steps)}`);
  }
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    throw rangeError(`unfold: the number of steps must be a positive integer, got ${typeof n === 'number' ? n : describe(n)}`);
  const r = runLoop({
    op: 'unfold', body: (c, _x, i) => checkStep(fn(c as C, i), 'unfold', i), init, source: noSource(n), steps: n,
    until: until as LoopSpec['until'], reverse: false, wantYs: true, opts: o,
  });
  return r.ys as Y;
}

/**
 * bidirectional(fwd, bwd, initF, initB, xs) → [[lastF, lastB], ys]: a left-to-right scan with fwd
 * and a right-to-left scan with bwd over the same xs, their per-position outputs concatenated on
 * the last dim (position t holds fwd's output after reading x_0..x_t and bwd's after x_t..x_end).
 */
export function bidirectional<CF extends Carry, CB extends Carry>(
  fwd: (carry: CF, x: Tensor, i: number) => [CF, Tensor], bwd: (carry: CB, x: Tensor, i: number) => [CB, Tensor],
  initF: CF, initB: CB, xs: Xs, opts?: LoopOptions): [[CF, CB], Tensor] {
  checkFn(fwd, 'bidirectional');
  checkFn(bwd, 'bidirectional');
  const o = checkOpts(opts, 'bidirectional');
  const [cF, yF] = scanImpl('bidirectional', fwd, initF, xs, { ...o, reverse: false });
  const [cB, yB] = scanImpl('bidirectional', bwd, initB, xs, { ...o, reverse: true });
  if (!(yF instanceof Tensor) || !(yB instanceof Tensor))
    throw argumentError('bidirectional: fwd and bwd must return a Tensor as their output y');
  const a = yF.shape, b = yB.shape;
  if (a.length !== b.length || a.slice(0, -1).some((d, k) => d !== b[k]))
    throw shapeError(`bidirectional: forward outputs of shape [${a}] and backward outputs of shape [${b}] ` +
      'must agree on every dim but the last');
  return [[cF, cB], concat([yF, yB], -1)];
}

export interface WindowOptions extends LoopOptions {
  size: number;
  stride?: number;
  dim?: number;
}

/**
 * mapWindows(fn, x, {size, stride = 1, dim = 0}) → fn applied to each window
 * `x.narrow(dim, i * stride, size)`, results stacked on dim 0: a convolution is a windowed map.
 */
export function mapWindows<Y extends Carry>(fn: (window: Tensor, i: number) => Y, x: Tensor, opts: WindowOptions): Y {
  checkFn(fn, 'mapWindows');
  if (!(x instanceof Tensor)) throw argumentError(`mapWindows: x must be a Tensor, got ${describe(x)}`);
  if (opts === null || typeof opts !== 'object') throw argumentError(`mapWindows: options {size, stride, dim} are required, got ${describe(opts)}`);
  const { size, stride = 1 } = opts;
  let dim = opts.dim ?? 0;
  for (const [v, w] of [[size, 'size'], [stride, 'stride'], [dim, 'dim']] as const)
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw argumentError(`mapWindows: ${w} must be an integer, got ${typeof v === 'number' ? v : describe(v)}`);
  if (size < 1) throw rangeError(`mapWindows: size must be at least 1, got ${size}`);
  if (stride < 1) throw rangeError(`mapWindows: stride must be at least 1, got ${stride}`);
  const nd = x.ndim;
  if (dim < -nd || dim >= nd) throw axisError(`mapWindows: dim ${dim} is out of range for a Tensor of shape [${x.shape}]`);
  if (dim < 0) dim += nd;
  const len = x.shape[dim];
  if (size > len)
    throw rangeError(`mapWindows: window size ${size} is larger than dim ${dim} of length ${len} (shape [${x.shape}])`);
  const count = Math.floor((len - size) / stride) + 1;
  const d = dim;
  const source: Source = {
    inputs: [x],
    length: count,
    at: (i, ins) => ins[0].narrow(d, i * stride, size),
    assemble: (grads, ins) => {
      // Window k's gradient lands on positions k*stride .. k*stride+size-1; summing them offset by
      // offset (one indexAdd per position in the window) handles overlapping windows.
      if (grads.every((g) => !g)) return [null];
      const base = ins[0];
      const winShape = base.shape;
      winShape[d] = size;
      const gw = stack(grads.map((g) => g ?? zeros(winShape, { dtype: base.dtype })), 0);  // [count, ...window]
      let gx = zeros(base.shape, { dtype: base.dtype });
      const starts = Array.from({ length: count }, (_, i) => i * stride);
      for (let j = 0; j < size; j++) {
        const idx = tensorInts(starts.map((s) => s + j));
        const sel = gw.select(d + 1, j);  // [count, ...window dims but d]
        const perm = Array.from({ length: sel.ndim }, (_, a) => (a < d ? a + 1 : a === d ? 0 : a));
        gx = gx.indexAdd(d, idx, sel.permute(perm).contiguous());
      }
      return [gx];
    },
  };
  const r = runLoop({
    op: 'mapWindows', body: (_c, w, i) => [[], fn(w as Tensor, i)], init: [], source, steps: count,
    reverse: false, wantYs: true, opts,
  });
  return r.ys as Y;
}

function tensorInts(v: number[]): Tensor {
  return wrap(native.fromTyped(Int32Array.from(v), [v.length], 2));
}

// ---------------------------------------------------------------- trees

/** A tree for foldTree: a leaf has a value and no children; an inner node has children (and maybe a value). */
export interface Tree<V = unknown> {
  value?: V;
  children?: Tree<V>[];
}

export interface TreeAlgebra<V> {
  leaf: (value: V) => Tensor;
  node: (children: Tensor[], value: V | undefined) => Tensor;
}

/**
 * foldTree(tree, {leaf, node}) → the tree folded bottom-up: leaves map through `leaf(value)`,
 * inner nodes through `node(childResults, value)`. A TreeNet (recursive neural network).
 */
export function foldTree<V>(tree: Tree<V>, alg: TreeAlgebra<V>, opts?: LoopOptions): Tensor {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree))
    throw argumentError(`foldTree: tree must be an object {value?, children?}, got ${describe(tree)}`);
  if (alg === null || typeof alg !== 'object' || typeof alg.leaf !== 'function' || typeof alg.node !== 'function')
    throw argumentError('foldTree: the second argument must be {leaf: (value) => Tensor, node: (children, value) => Tensor}');
  const o = checkOpts(opts, 'foldTree');
  const post = postOrder(tree);
  const childIdx = new Map<Tree<V>, number>();
  post.forEach((n, k) => childIdx.set(n, k));
  const isLeaf = (n: Tree<V>) => !n.children || n.children.length === 0;

  const evalNode = (n: Tree<V>, kids: Tensor[]): Tensor => {
    const r = isLeaf(n) ? alg.leaf(n.value as V) : alg.node(kids, n.value);
    if (!(r instanceof Tensor))
      throw argumentError(`foldTree: ${isLeaf(n) ? 'leaf' : 'node'} must return a Tensor, got ${describe(r)}`);
    return r;
  };
  const kidsOf = (n: Tree<V>, results: Tensor[]) => (n.children ?? []).map((c) => results[childIdx.get(c) as number]);

  if (!o.checkpoint) {
    const results: Tensor[] = [];
    for (const n of post) results.push(evalNode(n, kidsOf(n, results)));
    return results[results.length - 1];
  }

  // Checkpoint: keep each node's result, re-run one node at a time in the backward pass.
  const values: Tensor[] = [];
  for (const n of post) if (n.value instanceof Tensor && !values.includes(n.value)) values.push(n.value);
  const known = new Set<Handle>(values.map((t) => t._h));
  const results: Tensor[] = [];
  const runAll = () => noGrad(() => {
    for (const n of post) results.push(tidy(() => evalNode(n, kidsOf(n, results))));
  });
  let params: Handle[];
  if (o.params) {
    params = o.params.map((p, i) => {
      if (!(p instanceof Tensor)) throw argumentError(`foldTree: opts.params[${i}] must be a Tensor, got ${describe(p)}`);
      return p._h;
    });
    runAll();
  } else {
    const found = new Set<Handle>();
    watchParams(runAll, known, found);
    params = [...found];
  }
  const [root] = freshOutputs([results[results.length - 1]]);
  const saved = results.map((t) => native.detach(t._h));  // bare handles: safe from an enclosing tidy
  results.length = 0;
  const inputs = [...values.map((t) => t._h), ...params];
  if (!native.isGradEnabled() || !inputs.some((h) => native.requiresGrad(h)) || !isFloat(root)) return root;

  const backward = (gh: Handle[]): (Handle | null)[] => {
    const g = wrap(gh[0]);
    if (native.isGradEnabled()) {
      const again = foldTree(tree, alg, { ...o, checkpoint: false });
      return vjpStep([again], [g], inputs, true).map((t) => (t ? t._h : null));
    }
    const cots: (Tensor | null)[] = post.map(() => null);
    cots[post.length - 1] = g;
    let acc: (Tensor | null)[] = inputs.map(() => null);
    for (let k = post.length - 1; k >= 0; k--) {
      const gk = cots[k];
      if (!gk) continue;
      const n = post[k];
      const kidIdx = (n.children ?? []).map((c) => childIdx.get(c) as number);
      const r = tidy(() => {
        const kids = kidIdx.map((j) => {
          const t = wrap(native.detach(saved[j]));
          return isFloat(t) ? t.requiresGrad_(true) : t;
        });
        const out = enableGrad(() => evalNode(n, kids));
        const res = vjpStep([out], [gk], [...kids.map((t) => t._h), ...inputs]);
        const kidG = res.slice(0, kids.length);
        const inG = res.slice(kids.length).map((t, j) => add(acc[j], t));
        return { kidG, inG };
      });
      for (let j = 0; j < acc.length; j++) if (acc[j] && acc[j] !== r.inG[j]) (acc[j] as Tensor).dispose();
      acc = r.inG;
      r.kidG.forEach((t, j) => {
        if (!t) return;
        const c = kidIdx[j];
        const prev = cots[c];
        cots[c] = add(prev, t);
        if (prev && prev !== cots[c]) prev.dispose();
      });
      if (k !== post.length - 1) gk.dispose();
      cots[k] = null;
    }
    return acc.map((t) => (t ? t._h : null));
  };
  native.customOp('foldTree', inputs, [root._h], backward);
  return root;
}

// Nodes children-first, without recursion (deep trees would overflow the stack). A node reached
// twice (a DAG or a cycle) is an error: its result would be ambiguous to differentiate.
function postOrder<V>(root: Tree<V>): Tree<V>[] {
  const out: Tree<V>[] = [];
  const seen = new Set<Tree<V>>();
  const stackN: [Tree<V>, boolean][] = [[root, false]];
  while (stackN.length) {
    const [n, expanded] = stackN.pop() as [Tree<V>, boolean];
    if (expanded) {
      out.push(n);
      continue;
    }
    if (seen.has(n)) throw tfError('ARGUMENT', 'foldTree: a node appears twice in the tree (shared subtree or cycle)');
    seen.add(n);
    stackN.push([n, true]);
    const ch = n.children;
    if (ch === undefined) continue;
    if (!Array.isArray(ch)) throw argumentError(`foldTree: children must be an array, got ${describe(ch)}`);
    for (let j = ch.length - 1; j >= 0; j--) {
      const c = ch[j];
      if (c === null || typeof c !== 'object' || Array.isArray(c))
        throw argumentError(`foldTree: every child must be an object {value?, children?}, got ${describe(c)}`);
      stackN.push([c, false]);
    }
  }
  return out;
}
