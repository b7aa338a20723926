// module.summary(inputShape): the model's layers, what each one outputs and how many parameters it
// holds, as Keras's model.summary() and torchinfo print it. The output shapes come from one forward
// pass on zeros, in eval mode (so BatchNorm's running statistics stay as they are) and under noGrad,
// with each submodule's forward wrapped for the pass to record what it returns.
import type { Module } from './module';
import { noGrad } from '../autograd';
import { DType, Tensor, describe, tidy, zeros } from '../tensor';
import { argumentError } from '../errors';

/** A Tensor's shape, or for layers returning several tensors (LSTM's [out, [h, c]]) their shapes. */
export type OutputShape = number[] | OutputShape[] | null;

/** One submodule's line in a Summary. */
export interface SummaryRow {
  /** Dotted path from the model ('' is the model itself, which gets no row). */
  name: string;
  /** The class name. */
  type: string;
  /** Depth below the model: 1 for its children. */
  depth: number;
  /** What its forward returned in the summary's pass (the first call's); undefined without an input shape. */
  outputShape?: OutputShape;
  /** Parameter elements in the module and its submodules (each shared tensor counted once). */
  params: number;
}

/** What module.summary() returns: one row per submodule, parameter totals and the printable table. */
export interface Summary {
  /** One row per submodule, depth first. */
  rows: SummaryRow[];
  /** The model's output shape (undefined without an input shape). */
  outputShape?: OutputShape;
  /** Parameter elements in the model (each shared tensor once). */
  totalParams: number;
  /** Parameter elements that require grad. */
  trainableParams: number;
  /** Parameter elements that do not require grad (frozen). */
  nonTrainableParams: number;
  /** The printable table. */
  table: string;
  /** The table. */
  toString(): string;
}

/** Options of module.summary(). */
export interface SummaryOptions {
  /** dtype of the zeros fed in (default float32; int32 for a model that starts with Embedding). */
  dtype?: DType;
}

function shapeOf(v: unknown, depth = 0): OutputShape {
  if (v instanceof Tensor) return v.shape.slice();
  if (Array.isArray(v) && depth < 4) return v.map((x) => shapeOf(x, depth + 1));
  return null;
}

function formatShape(s: OutputShape | undefined): string {
  if (s === undefined || s === null) return '--';
  if (s.length > 0 && s.every((d) => typeof d === 'number')) return `[${(s as number[]).join(', ')}]`;
  if (s.length === 0) return '[]';
  return `(${(s as OutputShape[]).map(formatShape).join(', ')})`;
}

const count = (ts: Tensor[]): number => ts.reduce((n, t) => n + t.size, 0);
const grouped = (n: number): string => n.toLocaleString('en-US');

function parseInputShapes(inputShape: unknown): number[][] {
  const isShape = (s: unknown): s is number[] => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= 0);
  if (isShape(inputShape)) return [inputShape];
  if (Array.isArray(inputShape) && inputShape.length > 0 && inputShape.every(isShape)) return inputShape as number[][];
  throw argumentError(`summary: inputShape must be a shape (an array of non-negative integers) or an array of shapes, got ${describe(inputShape)}`);
}

export function summarize(model: Module, inputShape?: number[] | number[][], opts: SummaryOptions = {}): Summary {
  if (opts === null || typeof opts !== 'object') throw argumentError(`summary: options must be an object, got ${describe(opts)}`);
  const dtype = opts.dtype ?? 'float32';
  const modules = model.namedModules();
  const outputs = new Map<Module, OutputShape>();
  let modelOut: OutputShape | undefined;

  if (inputShape !== undefined) {
    const shapes = parseInputShapes(inputShape);
    const restore: (() => void)[] = [];
    const modes = modules.map(([, m]) => m.training);
    try {
      for (const [, m] of modules) {
        if (m === model) continue;
        const own = Object.getOwnPropertyDescriptor(m, 'forward');
        const forward = m.forward;
        Object.defineProperty(m, 'forward', {
          configurable: true,
          writable: true,
          value: function (this: Module, ...args: unknown[]) {
            const out = forward.apply(this, args);
            if (!outputs.has(m)) outputs.set(m, shapeOf(out));
            return out;
          },
        });
        restore.push(() => {
          if (own) Object.defineProperty(m, 'forward', own);
          else delete (m as unknown as Record<string, unknown>).forward;
        });
      }
      model.eval();
      tidy(() => {
        noGrad(() => {
          const xs = shapes.map((s) => zeros(s, { dtype }));
          modelOut = shapeOf(model.forward(...xs));
        });
      });
    } finally {
      for (const r of restore) r();
      modules.forEach(([, m], i) => (m.training = modes[i]));
    }
  }

  const rows: SummaryRow[] = modules
    .filter(([, m]) => m !== model)
    .map(([name, m]) => {
      const row: SummaryRow = { name, type: m.constructor.name, depth: name.split('.').length, params: count(m.parameters()) };
      if (inputShape !== undefined) row.outputShape = outputs.has(m) ? outputs.get(m)! : null;
      return row;
    });
  const params = model.parameters();
  const totalParams = count(params);
  const trainableParams = count(params.filter((p) => p.requiresGrad));

  const withShapes = inputShape !== undefined;
  const cells = rows.map((r) => [
    `${'  '.repeat(r.depth - 1)}${r.name.split('.').pop()} (${r.type})`,
    ...(withShapes ? [formatShape(r.outputShape)] : []),
    grouped(r.params),
  ]);
  const header = ['Layer (type)', ...(withShapes ? ['Output shape'] : []), 'Params'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('   ');
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1));
  const table = [
    `${model.constructor.name}`,
    rule('='),
    line(header),
    rule('='),
    ...cells.map(line),
    rule('='),
    ...(withShapes ? [`Output shape: ${formatShape(modelOut)}`] : []),
    `Total params: ${grouped(totalParams)}`,
    `Trainable params: ${grouped(trainableParams)}`,
    `Non-trainable params: ${grouped(totalParams - trainableParams)}`,
  ].join('\n');

  const summary: Summary = {
    rows,
    ...(withShapes ? { outputShape: modelOut } : {}),
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    table,
    toString: () => table,
  };
  // console.log(model.summary(...)) prints the table, as Keras's summary() does, not the object;
  // non-enumerable so the rows and totals compare and serialise as plain data.
  Object.defineProperty(summary, Symbol.for('nodejs.util.inspect.custom'), { value: () => table });
  return summary;
}
