// SummaryWriter: PyTorch's torch.utils.tensorboard.SummaryWriter for tensorfold.
//
//   const w = new tf.utils.tensorboard.SummaryWriter('runs/mlp');
//   w.addScalar('loss/train', loss, step);
//   w.close();                      // then: tensorboard --logdir runs
import * as os from 'os';
import * as path from 'path';
import { EventFileWriter, EventFileOptions, encodeEvent } from './record_writer';
import { scalarSummary, histogram, histogramSummary, textSummary, hparamsSummaries, HParamValue } from './summary';
import { argumentError, rangeError, tfError } from '../../errors';

export type { EventFileOptions as SummaryWriterOptions } from './record_writer';
export type { HParamValue } from './summary';

/** Anything with `item()` (a one-element Tensor) or a plain number. */
type ScalarLike = number | { item(): number };
/** A Tensor (anything with `toTypedArray()`) or an array of numbers. */
type ValuesLike = ArrayLike<number> | { toTypedArray(): ArrayLike<number> | BigInt64Array };

/** A value for an error message (JSON.stringify fails on BigInt and symbols). */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  if (v !== null && typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  return String(v);
}

function checkTag(op: string, tag: unknown): string {
  if (typeof tag !== 'string' || tag.length === 0) throw argumentError(`SummaryWriter.${op}: tag must be a non-empty string, got ${show(tag)}`);
  return tag;
}

function checkStep(op: string, step: unknown): number {
  if (step === undefined || step === null) return 0;
  if (typeof step !== 'number' || !Number.isSafeInteger(step))
    throw argumentError(`SummaryWriter.${op}: step must be an integer, got ${show(step)}`);
  return step;
}

function checkWalltime(op: string, t: unknown): number {
  if (t === undefined || t === null) return Date.now() / 1000;
  if (typeof t !== 'number' || !Number.isFinite(t)) throw argumentError(`SummaryWriter.${op}: walltime must be a number of seconds, got ${show(t)}`);
  return t;
}

function scalarValue(op: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && typeof (v as { item?: unknown }).item === 'function') {
    try {
      return (v as { item(): number }).item();
    } catch (e) {
      throw argumentError(`SummaryWriter.${op}: value must be a number or a one-element tensor (${(e as Error).message})`);
    }
  }
  throw argumentError(`SummaryWriter.${op}: value must be a number or a one-element tensor, got ${typeof v}`);
}

function defaultLogdir(): string {
  // PyTorch's default: runs/<Mon>DD_HH-MM-SS_<host>.
  const d = new Date();
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const p2 = (n: number) => String(n).padStart(2, '0');
  return path.join('runs', `${mon}${p2(d.getDate())}_${p2(d.getHours())}-${p2(d.getMinutes())}-${p2(d.getSeconds())}_${os.hostname()}`);
}

/**
 * Writes TensorBoard event files (torch.utils.tensorboard.SummaryWriter) into logdir (default
 * runs/<date>_<host>): scalars, histograms, text and hyperparameters; view them with `tensorboard --logdir runs`.
 * @example const w = new tf.utils.tensorboard.SummaryWriter('runs/exp1'); w.addScalar('loss/train', 0.25, step);
 */
export class SummaryWriter {
  /** The directory the event files go to. */
  readonly logdir: string;
  private readonly opts: EventFileOptions;
  private readonly file: EventFileWriter;
  /** addScalars' per-tag runs, by directory. */
  private readonly children = new Map<string, EventFileWriter>();

  constructor(logdir?: string, opts: EventFileOptions = {}) {
    if (logdir !== undefined && (typeof logdir !== 'string' || logdir === '')) throw argumentError(`SummaryWriter: logdir must be a non-empty string, got ${show(logdir)}`);
    if (opts === null || typeof opts !== 'object') throw argumentError('SummaryWriter: options must be an object');
    if (opts.flushSecs !== undefined && !(typeof opts.flushSecs === 'number' && opts.flushSecs >= 0))
      throw rangeError(`SummaryWriter: flushSecs must be a number of seconds >= 0, got ${show(opts.flushSecs)}`);
    if (opts.filenameSuffix !== undefined && typeof opts.filenameSuffix !== 'string')
      throw argumentError('SummaryWriter: filenameSuffix must be a string');
    this.logdir = logdir ?? defaultLogdir();
    this.opts = { ...opts };
    this.file = new EventFileWriter(this.logdir, this.opts);
  }

  /** The path of this writer's event file. */
  get eventFile(): string {
    return this.file.file;
  }

  private write(op: string, writer: EventFileWriter, summary: Uint8Array, step: number, walltime: number): void {
    if (writer.isClosed) throw tfError('ARGUMENT', `SummaryWriter.${op}: the writer is closed`);
    writer.addEvent(encodeEvent(walltime, step, { summary }));
  }

  /** Logs one value (a number or a one-element tensor) under `tag` at `step` (walltime in seconds, default now). */
  addScalar(tag: string, value: ScalarLike, step?: number, walltime?: number): void {
    const op = 'addScalar';
    this.write(op, this.file, scalarSummary(checkTag(op, tag), scalarValue(op, value)), checkStep(op, step), checkWalltime(op, walltime));
  }

  /**
   * Several curves on one chart: as PyTorch, each goes to its own run `<logdir>/<mainTag>_<tag>`
   * under the shared tag `mainTag`.
   */
  addScalars(mainTag: string, values: Record<string, ScalarLike>, step?: number, walltime?: number): void {
    const op = 'addScalars';
    checkTag(op, mainTag);
    if (values === null || typeof values !== 'object') throw argumentError(`SummaryWriter.${op}: values must be an object {tag: value}`);
    const s = checkStep(op, step);
    const t = checkWalltime(op, walltime);
    if (this.file.isClosed) throw tfError('ARGUMENT', `SummaryWriter.${op}: the writer is closed`);
    // All values are checked before any is written, so a bad one leaves no partial group behind.
    const checked = Object.entries(values).map(([tag, v]) => [tag, scalarValue(op, v)] as const);
    for (const [tag, v] of checked) {
      const dir = path.join(this.logdir, `${mainTag.replace(/\//g, '_')}_${tag}`);
      let w = this.children.get(dir);
      if (!w) {
        w = new EventFileWriter(dir, this.opts);
        this.children.set(dir, w);
      }
      this.write(op, w, scalarSummary(mainTag, v), s, t);
    }
  }

  /** The distribution of `values` (a Tensor or numbers), in `bins` equal-width buckets (default 30). */
  addHistogram(tag: string, values: ValuesLike, step?: number, opts: { bins?: number; walltime?: number } = {}): void {
    const op = 'addHistogram';
    checkTag(op, tag);
    let data: ArrayLike<number>;
    if (values !== null && typeof values === 'object' && typeof (values as { toTypedArray?: unknown }).toTypedArray === 'function')
    {
      const v = (values as { toTypedArray(): ArrayLike<number> | BigInt64Array }).toTypedArray();
      // int64 comes as BigInt64Array: numbers suffice for a histogram.
      data = Object.prototype.toString.call(v) === '[object BigInt64Array]' ? Float64Array.from(v as BigInt64Array, Number) : v as ArrayLike<number>;
    }
    else if (values !== null && typeof values === 'object' && typeof (values as ArrayLike<number>).length === 'number') data = values as ArrayLike<number>;
    else throw argumentError(`SummaryWriter.${op}: values must be a tensor or an array of numbers, got ${typeof values}`);
    if (opts === null || typeof opts !== 'object') throw argumentError(`SummaryWriter.${op}: options must be an object`);
    const bins = opts.bins ?? 30;
    if (!Number.isInteger(bins) || bins < 1) throw rangeError(`SummaryWriter.${op}: bins must be a positive integer, got ${show(bins)}`);
    if (data.length === 0) throw rangeError(`SummaryWriter.${op}: '${tag}' has no values`);
    for (let i = 0; i < data.length; i++) {
      if (typeof data[i] !== 'number') throw argumentError(`SummaryWriter.${op}: '${tag}' holds a non-number at index ${i}`);
      if (!Number.isFinite(data[i])) throw rangeError(`SummaryWriter.${op}: '${tag}' holds a non-finite value (${data[i]}) at index ${i}`);
    }
    this.write(op, this.file, histogramSummary(tag, histogram(data, bins)), checkStep(op, step), checkWalltime(op, opts.walltime));
  }

  /** Text (Markdown) for the text dashboard, under `<tag>/text_summary` as PyTorch names it. */
  addText(tag: string, text: string, step?: number, walltime?: number): void {
    const op = 'addText';
    checkTag(op, tag);
    if (typeof text !== 'string') throw argumentError(`SummaryWriter.${op}: text must be a string, got ${typeof text}`);
    this.write(op, this.file, textSummary(tag, text), checkStep(op, step), checkWalltime(op, walltime));
  }

  /**
   * One row of the hparams dashboard: the hyperparameters and the final metrics of a run. As
   * PyTorch, it goes to a run of its own, `<logdir>/<runName>` (default: the time in seconds),
   * holding the experiment, session-start and session-end summaries and each metric as a scalar.
   */
  addHparams(hparams: Record<string, HParamValue>, metrics: Record<string, number>, opts: { runName?: string } = {}): void {
    const op = 'addHparams';
    if (hparams === null || typeof hparams !== 'object' || Array.isArray(hparams)) throw argumentError(`SummaryWriter.${op}: hparams must be an object {name: value}`);
    if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) throw argumentError(`SummaryWriter.${op}: metrics must be an object {name: number}`);
    for (const [k, v] of Object.entries(hparams))
      if (!['number', 'string', 'boolean'].includes(typeof v)) throw argumentError(`SummaryWriter.${op}: hparam '${k}' must be a number, string or boolean, got ${typeof v}`);
    for (const [k, v] of Object.entries(metrics))
      if (typeof v !== 'number') throw argumentError(`SummaryWriter.${op}: metric '${k}' must be a number, got ${typeof v}`);
    if (opts === null || typeof opts !== 'object') throw argumentError(`SummaryWriter.${op}: options must be an object`);
    if (opts.runName !== undefined && (typeof opts.runName !== 'string' || opts.runName === ''))
      throw argumentError(`SummaryWriter.${op}: runName must be a non-empty string, got ${show(opts.runName)}`);
    if (this.file.isClosed) throw tfError('ARGUMENT', `SummaryWriter.${op}: the writer is closed`);
    const runName = opts.runName ?? String(Date.now() / 1000);
    const w = new EventFileWriter(path.join(this.logdir, runName), this.opts);
    const t = Date.now() / 1000;
    try {
      for (const s of hparamsSummaries(hparams, Object.keys(metrics))) w.addEvent(encodeEvent(t, 0, { summary: s }));
      for (const [k, v] of Object.entries(metrics)) w.addEvent(encodeEvent(t, 0, { summary: scalarSummary(k, v) }));
    } finally {
      w.close();
    }
  }

  /** Writes everything pending to disk now. */
  flush(): void {
    this.file.flush();
    for (const w of this.children.values()) w.flush();
  }

  /** Flushes and closes the files; later writes throw. */
  close(): void {
    this.file.close();
    for (const w of this.children.values()) w.close();
  }
}
