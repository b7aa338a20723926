// Module hooks (registerForwardPreHook, registerForwardHook, registerFullBackwardHook).
//
// The first hook registered on a module wraps its forward in an own, non-enumerable property that
// runs the hooks around the original. A full backward hook puts identity nodes (customOp) on the
// module's tensor inputs and outputs, as PyTorch's BackwardHook does: the output node records the
// gradient w.r.t. the outputs, the input node receives the gradient w.r.t. the inputs once all of it
// has been accumulated, calls the hooks, and passes on their replacement if they return one.
import { noGrad } from '../autograd';
import { native } from '../native';
import { Tensor, wrap } from '../tensor';
import type { Module } from './module';
import { argumentError } from '../errors';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type ForwardPreHook = (module: Module, args: any[]) => any[] | any | void;
export type ForwardHook = (module: Module, args: any[], output: any) => any | void;
export type BackwardHook = (module: Module, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) =>
  (Tensor | null)[] | void;

export interface RemovableHandle {
  remove(): void;
}

interface HookTable {
  pre: Map<number, ForwardPreHook>;
  fwd: Map<number, ForwardHook>;
  bwd: Map<number, BackwardHook>;
}

let nextId = 0;

function table(m: Module): HookTable {
  const self = m as unknown as { _hooks?: HookTable; forward: (...a: any[]) => any };
  if (!self._hooks) {
    const t: HookTable = { pre: new Map(), fwd: new Map(), bwd: new Map() };
    Object.defineProperty(m, '_hooks', { value: t, enumerable: false, writable: true, configurable: true });
    const original = self.forward;
    Object.defineProperty(m, 'forward', {
      enumerable: false, writable: true, configurable: true,
      value: function hookedForward(this: Module, ...args: any[]) {
        return runHooked(this, (this as unknown as { _hooks: HookTable })._hooks, original, args);
      },
    });
  }
  return self._hooks as HookTable;
}

export function addHook(m: Module, kind: keyof HookTable, fn: (...a: any[]) => any, op: string): RemovableHandle {
  if (typeof fn !== 'function') throw argumentError(`${op}: hook must be a function, got ${typeof fn}`);
  const t = table(m);
  const id = nextId++;
  (t[kind] as Map<number, unknown>).set(id, fn);
  return { remove: () => { (t[kind] as Map<number, unknown>).delete(id); } };
}

const isGradTensor = (x: unknown): x is Tensor => x instanceof Tensor && x.requiresGrad;

// Identity on the tensors of `xs` that require grad, through one customOp whose backward is `back`.
function identityNode(name: string, xs: Tensor[], back: (gs: (Tensor | null)[]) => (Tensor | null)[]): Tensor[] {
  const outs = noGrad(() => xs.map((x) => x.detach()));
  native.customOp(name, xs.map((x) => x._h), outs.map((o) => o._h), (hs) => {
    const gs = hs.map((h) => (h ? wrap(h) : null));
    return back(gs).map((g) => (g ? g._h : null));
  });
  return outs;
}

function runHooked(m: Module, t: HookTable, original: (...a: any[]) => any, args: any[]): any {
  for (const h of [...t.pre.values()]) {
    const r = h(m, args);
    if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
  }
  const bwd = t.bwd.size > 0 && native.isGradEnabled();
  let gradOutput: (Tensor | null)[] = [];
  let inputsWanted = false;
  if (bwd) {
    const idx = args.map((a, i) => (isGradTensor(a) ? i : -1)).filter((i) => i >= 0);
    inputsWanted = idx.length > 0;
    if (inputsWanted) {
      const wrapped = identityNode('BackwardHookInputs', idx.map((i) => args[i] as Tensor), (gs) => {
        let gin: (Tensor | null)[] = gs;
        for (const h of [...t.bwd.values()]) {
          const r = h(m, gin, gradOutput);
          if (Array.isArray(r)) gin = r;
        }
        return gin;
      });
      args = args.slice();
      idx.forEach((i, j) => { args[i] = wrapped[j]; });
    }
  }
  let out = original.apply(m, args);
  for (const h of [...t.fwd.values()]) {
    const r = h(m, args, out);
    if (r !== undefined) out = r;
  }
  if (bwd) {
    const single = out instanceof Tensor;
    const list: unknown[] = single ? [out] : Array.isArray(out) ? out : [];
    const idx = list.map((o, i) => (isGradTensor(o) ? i : -1)).filter((i) => i >= 0);
    if (idx.length) {
      const wrapped = identityNode('BackwardHookOutputs', idx.map((i) => list[i] as Tensor), (gs) => {
        gradOutput = gs;
        // With no input that needs a gradient, the hooks run here, with empty gradInput (as PyTorch's None).
        if (!inputsWanted) for (const h of [...t.bwd.values()]) h(m, args.map(() => null), gs);
        return gs;
      });
      if (single) out = wrapped[0];
      else {
        const copy = (list as unknown[]).slice();
        idx.forEach((i, j) => { copy[i] = wrapped[j]; });
        out = copy;
      }
    }
  }
  return out;
}
