// F.pad and the padding layers. pad lists (before, after) pairs starting from the last dim, as
// PyTorch: [left, right, top, bottom, front, back]. 'constant' concatenates filled blocks (a negative
// amount crops); 'reflect', 'replicate' and 'circular' are index selections along each padded dim,
// so their gradients (index-add) come from the tape.
import { concat } from '../ops';
import { Tensor, describe, full } from '../tensor';
import { Module } from './module';
import { need, indexTensor, tuple } from './args';
import { argumentError, shapeError, show } from '../errors';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

function sourceIndex(i: number, n: number, mode: PadMode): number {
  if (mode === 'replicate') return Math.min(Math.max(i, 0), n - 1);
  if (mode === 'circular') return ((i % n) + n) % n;
  // reflect: mirror about the edge elements, which are not repeated
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/** Pads x by `pad` ([before, after] per dim from the last), with mode and value as PyTorch's F.pad. */
export function pad(x: Tensor, padding: number[], mode: PadMode = 'constant', value = 0): Tensor {
  const op = 'pad';
  need(x, op);
  // A copy (holes read as undefined): every() skips holes, and a getter could change the array later.
  if (Array.isArray(padding)) padding = Array.from(padding);
  if (!Array.isArray(padding) || padding.length % 2 || !padding.every((v) => Number.isInteger(v)))
    throw argumentError(`${op}: pad must be an array of an even number of integers, got ${show(padding)}`);
  const dims = padding.length / 2;
  if (dims > x.ndim) throw shapeError(`${op}: pad of length ${padding.length} needs at least ${dims} dims, got input [${x.shape}]`);
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'replicate' && mode !== 'circular')
    throw argumentError(`${op}: mode must be 'constant', 'reflect', 'replicate' or 'circular', got ${show(mode)}`);
  if (typeof value !== 'number' && typeof value !== 'boolean')
    throw argumentError(`${op}: value must be a number, got ${describe(value)}`);
  if (mode !== 'constant' && value !== 0 && value !== undefined)
    throw shapeError(`${op}: a fill value only applies to mode 'constant'`);
  let y = x;
  let copied = false;
  for (let j = 0; j < dims; j++) {
    const d = x.ndim - 1 - j;
    const before = padding[2 * j], after = padding[2 * j + 1];
    const n = y.shape[d];
    if (before === 0 && after === 0) continue;
    if (mode === 'constant') {
      if (before < 0) y = y.narrow(d, -before, y.shape[d] + before);
      if (after < 0) y = y.narrow(d, 0, y.shape[d] + after);
      if (y.shape[d] < 0 || n + before + after < 0)
        throw shapeError(`${op}: padding [${padding}] crops dim ${d} of input [${x.shape}] below size 0`);
      const parts: Tensor[] = [];
      const block = (m: number) => full(y.shape.map((s, i) => (i === d ? m : s)), value, { dtype: y.dtype as 'float32' });
      if (before > 0) parts.push(block(before));
      parts.push(y);
      if (after > 0) parts.push(block(after));
      if (parts.length > 1) { y = concat(parts, d); copied = true; }
      continue;
    }
    if (before < 0 || after < 0) throw shapeError(`${op}: mode '${mode}' needs non-negative padding, got [${padding}]`);
    if (mode === 'reflect' && (before >= n || after >= n))
      throw shapeError(`${op}: reflect padding [${before}, ${after}] must be smaller than dim ${d}'s size ${n} (input [${x.shape}])`);
    if (mode === 'circular' && (before > n || after > n))
      throw shapeError(`${op}: circular padding [${before}, ${after}] must not exceed dim ${d}'s size ${n} (input [${x.shape}])`);
    if (mode === 'replicate' && n === 0) throw shapeError(`${op}: cannot replicate-pad the empty dim ${d} of input [${x.shape}]`);
    const ix = Array.from({ length: n + before + after }, (_, i) => sourceIndex(i - before, n, mode));
    y = y.indexSelect(d, indexTensor(ix));
    copied = true;
  }
  // Always a new tensor, as PyTorch's: with only cropping (or no) padding y is still x or a view of
  // it, and an in-place change of the result must not reach x.
  return copied ? y : y.clone();
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
