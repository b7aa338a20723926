// One TensorBoard event file: TFRecord framing around serialized Event messages.
//
// A record is: uint64 length (little-endian), masked CRC-32C of those 8 bytes, the data, masked
// CRC-32C of the data. Records are kept in memory and appended to the file every `flushSecs`
// seconds, on flush()/close(), and when the process exits, so a training step never waits on the
// disk: writing is one synchronous append of everything pending, a few kilobytes per flush.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { maskedCrc32c } from './crc32c';
import { ProtoWriter } from './protobuf';
import { tfError } from '../../errors';

/** Options of SummaryWriter (and its event files). */
export interface EventFileOptions {
  /** Seconds between automatic flushes (default 120, as PyTorch). */
  flushSecs?: number;
  /** Appended to the file name. */
  filenameSuffix?: string;
}

// Event fields (tensorboard/compat/proto/event.proto).
const EVENT_WALL_TIME = 1;
const EVENT_STEP = 2;
const EVENT_FILE_VERSION = 3;
const EVENT_SUMMARY = 5;

/** A serialized Event holding `summary` (a serialized Summary), or the file-version marker. */
export function encodeEvent(wallTime: number, step: number, what: { summary: Uint8Array } | { fileVersion: string }): Uint8Array {
  const e = new ProtoWriter().double(EVENT_WALL_TIME, wallTime);
  if (step !== 0) e.varint(EVENT_STEP, step);
  if ('summary' in what) e.bytes(EVENT_SUMMARY, what.summary);
  else e.string(EVENT_FILE_VERSION, what.fileVersion);
  return e.finish();
}

// Typed Uint8Array (a Buffer is one) so that the declarations need no Node types.
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = Buffer.alloc(8 + 4 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out, 0, 8), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

// Every open file, flushed once at exit by one listener (not one listener per file).
const open = new Set<EventFileWriter>();
let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const w of open) w.flush();
  });
}

// Distinguishes files created by one process within the same second.
let fileCounter = 0;

export class EventFileWriter {
  readonly file: string;
  private pending: Uint8Array[] = [];
  private timer: NodeJS.Timeout | null;
  private closed = false;

  constructor(readonly logdir: string, opts: EventFileOptions = {}) {
    const flushSecs = opts.flushSecs ?? 120;
    const now = Date.now() / 1000;
    const name = `events.out.tfevents.${Math.floor(now).toString().padStart(10, '0')}.${os.hostname()}.${process.pid}.${fileCounter++}` +
      (opts.filenameSuffix ?? '');
    this.file = path.join(logdir, name);
    try {
      fs.mkdirSync(logdir, { recursive: true });
      // The version marker is written at once, so TensorBoard recognises the file before the first flush.
      fs.writeFileSync(this.file, frameRecord(encodeEvent(now, 0, { fileVersion: 'brain.Event:2' })));
    } catch (e) {
      throw tfError('ARGUMENT', `SummaryWriter: cannot create the event file in ${logdir}: ${(e as Error).message}`);
    }
    // unref: a pending flush never keeps the process alive; the exit hook writes what is left.
    this.timer = flushSecs > 0 && Number.isFinite(flushSecs) ? setInterval(() => this.flush(), flushSecs * 1000).unref() : null;
    open.add(this);
    hookExit();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  addEvent(event: Uint8Array): void {
    if (this.closed) throw tfError('ARGUMENT', `SummaryWriter: ${this.file} is closed`);
    this.pending.push(frameRecord(event));
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    fs.appendFileSync(this.file, data);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.closed = true;
    open.delete(this);
  }
}
