// F.pad and the padding layers. pad lists (before, after) pairs starting from the last dim, as
// PyTorch: [left, right, top, bottom, front, back]; the padding itself is tf.pad's
// (lib/shape_functions.ts: constant blocks concatenated, a negative amount cropping; reflected,
// replicated or wrapped slices), so gradients come from the tape.
import { Tensor, describe } from '../tensor';
import { pad as padTensor, PadMode } from '../shape_functions';
import { Module } from './module';
import { need, tuple } from './args';
import { argumentError, shapeError, show } from '../errors';

export type { PadMode };

/** Pads x by `pad` ([before, after] per dim from the last), with mode and value as PyTorch's F.pad. */
export function pad(x: Tensor, padding: number[], mode: PadMode = 'constant', value = 0): Tensor {
  const op = 'pad';
  need(x, op);
  // A copy (holes read as undefined): every() skips holes, and a getter could change the array later.
  if (Array.isArray(padding)) padding = Array.from(padding);
  if (!Array.isArray(padding) || padding.length % 2 || !padding.every((v) => Number.isInteger(v)))
    throw argumentError(`${op}: pad must be an array of an even number of integers, got ${show(padding)}`);
  if (padding.length / 2 > x.ndim) throw shapeError(`${op}: pad of length ${padding.length} needs at least ${padding.length / 2} dims, got input [${x.shape}]`);
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'replicate' && mode !== 'circular')
    throw argumentError(`${op}: mode must be 'constant', 'reflect', 'replicate' or 'circular', got ${show(mode)}`);
  if (typeof value !== 'number' && typeof value !== 'boolean')
    throw argumentError(`${op}: value must be a number, got ${describe(value)}`);
  if (mode !== 'constant' && value !== 0) throw shapeError(`${op}: a fill value only applies to mode 'constant'`);
  return padTensor(x, padding, { mode, value: Number(value) });
}

abstract class PadNd extends Module {
  /** Amounts per side, last dim first: [left, right] (2-d: [left, right, top, bottom]). */
  readonly padding: number[];
  constructor(name: string, n: number, padding: number | number[],
    /** 'constant', 'reflect', 'replicate' or 'circular'. */ readonly mode: PadMode,
    /** The fill value in 'constant' mode. */ readonly value = 0) {
    super();
    this.padding = tuple(padding, 2 * n, name, 'padding');
  }
  /** Pads the trailing dims: [..., W] → [..., W + left + right] (2-d: H grows by top + bottom too). */
  forward(x: Tensor): Tensor {
    return pad(x, this.padding, this.mode, this.value);
  }
  /** The padding, for the module's printed form. */
  extraRepr(): string {
    return `[${this.padding}]`;
  }
}
/** Pads the last two dims with zeros: padding = [left, right, top, bottom] (or one number for all). */
export class ZeroPad2d extends PadNd {
  constructor(padding: number | number[]) { super('ZeroPad2d', 2, padding, 'constant', 0); }
}
/** Pads the last two dims with `value`: padding = [left, right, top, bottom] (or one number). */
export class ConstantPad2d extends PadNd {
  constructor(padding: number | number[], value: number) { super('ConstantPad2d', 2, padding, 'constant', value); }
}
/** Pads the last two dims with their reflection (excluding the edge): padding = [left, right, top, bottom]. */
export class ReflectionPad2d extends PadNd {
  constructor(padding: number | number[]) { super('ReflectionPad2d', 2, padding, 'reflect'); }
}
/** Pads the last two dims by repeating their edge values: padding = [left, right, top, bottom]. */
export class ReplicationPad2d extends PadNd {
  constructor(padding: number | number[]) { super('ReplicationPad2d', 2, padding, 'replicate'); }
}
/** Pads the last dim with zeros: padding = [left, right] (or one number for both). */
export class ZeroPad1d extends PadNd {
  constructor(padding: number | number[]) { super('ZeroPad1d', 1, padding, 'constant', 0); }
}
/** Pads the last dim with `value`: padding = [left, right] (or one number). */
export class ConstantPad1d extends PadNd {
  constructor(padding: number | number[], value: number) { super('ConstantPad1d', 1, padding, 'constant', value); }
}
/** Pads the last dim with its reflection (excluding the edge): padding = [left, right]. */
export class ReflectionPad1d extends PadNd {
  constructor(padding: number | number[]) { super('ReflectionPad1d', 1, padding, 'reflect'); }
}
/** Pads the last dim by repeating its edge value: padding = [left, right]. */
export class ReplicationPad1d extends PadNd {
  constructor(padding: number | number[]) { super('ReplicationPad1d', 1, padding, 'replicate'); }
}
