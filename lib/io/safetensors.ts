// Reading and writing the safetensors format (https://github.com/huggingface/safetensors), the
// tensor-file format of PyTorch's ecosystem:
//
//   [8 bytes: header length N, little-endian u64][N bytes: JSON header][raw little-endian data]
//   header = {"<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//             "__metadata__": {"<key>": "<string value>"}}
//
// Offsets are relative to the start of the data section; tensors are packed back to back with no
// gaps. We write tensors in the order the caller's object lists them and pad the header with spaces
// to a multiple of 8 bytes, as the reference writer does, so that data starts 8-byte aligned.
//
// Every dtype tensorfold has is stored as itself, in both directions, bit for bit (the bytes go
// through native.toBytes/fromBytes, so float16/bfloat16 never take a float32 detour):
//   F32 float32, F64 float64, I32 int32, BOOL bool, I64 int64, U8 uint8, F16 float16, BF16 bfloat16.
// Reading also accepts the dtypes tensorfold lacks, converting where no information (or only
// precision that float32 cannot hold anyway) is lost:
//   F8_E4M3, F8_E5M2 → float32 (exact: every such value is a float32 value),
//   I8, I16, U16 → int32 (exact),
//   U32, U64 → int32, with a RangeError naming the tensor if any value is outside int32's range.
// BOOL bytes other than 0 and 1 read as true, as PyTorch treats them.
// Every structural problem in a file (truncation, an absurd header length, malformed JSON, offsets
// that overlap, leave gaps or run past the end, a shape that disagrees with its byte count) is an
// Error naming the file and the problem, raised before any allocation larger than the file itself.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tensor, wrap, describe, DType } from '../tensor';
import { dtypeBytes, dtypeCode } from '../args';
import { native } from '../native';
import { argumentError, disposedError, ioError, tfError } from '../errors';

/** Headers larger than this are refused: a real header is kilobytes, and a corrupt length field
 *  must not make us allocate gigabytes. The reference reader uses the same limit. */
export const MAX_HEADER_BYTES = 100 * 1000 * 1000;

/** The safetensors name of each dtype (bytes per element: dtypeBytes, the engine's). */
const WRITE_DTYPE: Record<DType, string> = {
  float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL', int64: 'I64', uint8: 'U8', float16: 'F16', bfloat16: 'BF16',
};

/** Bytes per element of every dtype we can read. */
const READ_SIZE: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, F8_E4M3: 1, F8_E5M2: 1,
  I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1,
};

const LITTLE_ENDIAN = os.endianness() === 'LE';

// ------------------------------------------------------------------------------------ writing

export type Metadata = Record<string, string>;

interface Planned {
  name: string;
  tensor: Tensor;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Validates the arguments of save and lays the tensors out; touches no tensor data. */
function plan(tensors: Record<string, Tensor>, metadata: Metadata | undefined, op: string): {
  header: Buffer;
  entries: Planned[];
} {
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors) || tensors instanceof Tensor)
    throw argumentError(`${op}: tensors must be an object mapping names to Tensors, got ${describe(tensors)}`);
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata))
      throw argumentError(`${op}: metadata must be an object of strings, got ${describe(metadata)}`);
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string')
        throw argumentError(`${op}: metadata values must be strings (the format allows nothing else); ` +
          `metadata[${JSON.stringify(k)}] is ${describe(v)}`);
  }
  const entries: Planned[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw tfError('ARGUMENT', `${op}: "__metadata__" is reserved by the format and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw argumentError(`${op}: tensors[${JSON.stringify(name)}] must be a Tensor, got ${describe(t)}`);
    if (t.isDisposed) throw disposedError(`${op}: tensors[${JSON.stringify(name)}] has been disposed`);
    const shape = t.shape;
    const bytes = shape.reduce((a, b) => a * b, 1) * dtypeBytes(t.dtype);
    entries.push({ name, tensor: t, dtype: WRITE_DTYPE[t.dtype], shape, begin: offset, end: offset + bytes });
    offset += bytes;
  }
  const json: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) json.__metadata__ = metadata;
  for (const e of entries) json[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [e.begin, e.end] };
  const text = JSON.stringify(json);
  // Pad with spaces (valid trailing JSON whitespace) so the data section starts 8-byte aligned.
  const raw = Buffer.from(text, 'utf8');
  const padded = Buffer.alloc(8 + Math.ceil(raw.length / 8) * 8, 0x20);
  padded.writeBigUInt64LE(BigInt(padded.length - 8), 0);
  raw.copy(padded, 8);
  return { header: padded, entries };
}

/** Bytes of one tensor in little-endian order, ready to write: the elements exactly as stored. */
function tensorBytes(t: Tensor): Uint8Array {
  const bytes = native.toBytes(t._h);
  const size = dtypeBytes(t.dtype);
  if (!LITTLE_ENDIAN && size > 1) swapBytes(bytes, size);
  return bytes;
}

function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
}

/** Writes the safetensors bytes of `tensors` to an open file descriptor. */
export function writeSafetensorsTo(fd: number, tensors: Record<string, Tensor>, metadata?: Metadata, op = 'save'): void {
  const { header, entries } = plan(tensors, metadata, op);
  writeAll(fd, header);
  // One tensor at a time, so peak memory is the largest tensor rather than the whole file.
  for (const e of entries) {
    const bytes = tensorBytes(e.tensor);
    if (bytes.length !== e.end - e.begin)
      throw ioError(`${op}: tensor ${JSON.stringify(e.name)} produced ${bytes.length} bytes, expected ${e.end - e.begin}`);
    writeAll(fd, bytes);
  }
}

/**
 * Writes a file atomically: the content goes to a temporary file in the same directory, which is
 * flushed to disk and then renamed over `file`. A crash or an exception part-way leaves any previous
 * `file` untouched, and the temporary file is removed.
 */
export function writeFileAtomic(file: string, write: (fd: number) => void, op: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
  } catch (e) {
    throw ioError(`${op}: cannot write ${file}: ${(e as Error).message}`);
  }
  try {
    write(fd);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd >= 0) {
      try { fs.closeSync(fd); } catch { /* already failing; the original error matters */ }
    }
    try { fs.unlinkSync(tmp); } catch { /* may not exist */ }
    const err = e as Error;
    if (err.message && err.message.startsWith(op + ':')) throw err;
    const wrapped = ioError(`${op}: writing ${file} failed: ${err.message}`);
    (wrapped as Error & { cause?: unknown }).cause = e;
    throw wrapped;
  }
  // Make the rename itself durable. Not every platform lets a directory be opened for fsync.
  try {
    const dfd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
  } catch { /* best effort */ }
}

/**
 * Saves named tensors to `file` in the safetensors format, readable by PyTorch's ecosystem
 * (`safetensors.torch.load_file`). `metadata` is an optional map of strings stored in the header.
 * The write is atomic: an existing file is replaced only once the new one is complete on disk.
  * @example tf.save(model.stateDict(), 'model.safetensors');
 */
export function save(tensors: Record<string, Tensor>, file: string, metadata?: Metadata): void {
  if (typeof file !== 'string' || file === '') throw argumentError(`save: path must be a non-empty string, got ${describe(file)}`);
  // Validate before creating the temporary file, so argument errors leave no trace on disk.
  plan(tensors, metadata, 'save');
  writeFileAtomic(file, (fd) => writeSafetensorsTo(fd, tensors, metadata, 'save'), 'save');
}

// ------------------------------------------------------------------------------------ reading

interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Metadata;
}

function readExactly(fd: number, buf: Uint8Array, position: number, file: string, op: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw ioError(`${op}: ${file}: file is truncated (unexpected end of file at byte ${position + done})`);
    done += n;
  }
}

function parseHeader(text: string, dataSize: number, file: string, op: string): { entries: HeaderEntry[]; metadata: Metadata } {
  const bad = (msg: string): Error => ioError(`${op}: ${file}: ${msg}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad(`malformed JSON header (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw bad(`header must be a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`);
  const metadata: Metadata = {};
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) throw bad('"__metadata__" must be an object of strings');
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') throw bad(`"__metadata__"[${JSON.stringify(k)}] must be a string, got ${describe(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const what = `tensor ${JSON.stringify(name)}`;
    if (info === null || typeof info !== 'object' || Array.isArray(info)) throw bad(`${what}: entry must be an object`);
    const { dtype, shape, data_offsets: offs } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string') throw bad(`${what}: missing or non-string "dtype"`);
    const size = READ_SIZE[dtype];
    if (size === undefined)
      throw bad(`${what}: unsupported dtype ${JSON.stringify(dtype)} (readable: ${Object.keys(READ_SIZE).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw bad(`${what}: "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0))
      throw bad(`${what}: "data_offsets" must be [begin, end] with non-negative integers, got ${JSON.stringify(offs)}`);
    const [begin, end] = offs as number[];
    if (end < begin) throw bad(`${what}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataSize)
      throw bad(`${what}: data_offsets [${begin}, ${end}] run past the end of the data (${dataSize} bytes; file truncated?)`);
    if ((end - begin) % size !== 0)
      throw bad(`${what}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, not a whole number of ${dtype} ` +
        `elements (${size} bytes each; truncated or corrupt)`);
    // A product beyond 2^53 is no longer exact, so it could masquerade as a plausible size.
    let bytes = size;
    for (const d of shape as number[]) bytes *= d;
    if (bytes !== end - begin)
      throw bad(`${what}: shape [${shape}] of ${dtype} needs ${bytes > Number.MAX_SAFE_INTEGER ? 'more than 2^53' : bytes} bytes ` +
        `but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // The format packs tensors back to back: sorted by offset, each must start where the last ended.
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin < pos) {
      const other = sorted.find((o) => o !== e && o.begin < e.end && e.begin < o.end) ?? e;
      throw bad(`tensor ${JSON.stringify(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap tensor ` +
        `${JSON.stringify(other.name)} [${other.begin}, ${other.end}]`);
    }
    if (e.begin > pos) throw bad(`tensor ${JSON.stringify(e.name)}: gap in the data before offset ${e.begin} (previous data ends at ${pos})`);
    pos = e.end;
  }
  if (pos !== dataSize) throw bad(`data section is ${dataSize} bytes but the tensors account for ${pos} (trailing bytes or a corrupt header)`);
  return { entries, metadata };
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size)
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo];
      b[lo] = b[hi];
      b[hi] = t;
    }
}

/** One IEEE half-precision bit pattern as a number (float8 e5m2 is the top byte of one). */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** float8 e4m3 ("fn" variant used by PyTorch: no infinities, NaN at S.1111.111). */
function e4m3(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const frac = b & 7;
  if (exp === 15 && frac === 7) return NaN;
  if (exp === 0) return sign * frac * 2 ** -9;
  return sign * (1 + frac / 8) * 2 ** (exp - 7);
}

/** The stored bytes (host order) of a typed array, for native.fromBytes. */
const bytesOf = (a: Int32Array | Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Dtypes whose file bytes are tensorfold's stored bytes as they are. */
const NATIVE_DTYPE: Record<string, DType> = {
  F32: 'float32', F64: 'float64', I32: 'int32', BOOL: 'bool', I64: 'int64', U8: 'uint8', F16: 'float16', BF16: 'bfloat16',
};

/**
 * Turns the raw little-endian bytes of one tensor into the stored bytes of a tensorfold dtype:
 * unchanged for the dtypes we have, converted for the others (see the top of this file).
 */
function decode(bytes: Uint8Array, e: HeaderEntry, file: string, op: string): { data: Uint8Array; dtype: DType } {
  const size = READ_SIZE[e.dtype];
  if (!LITTLE_ENDIAN && size > 1) swapBytes(bytes, size);
  // `bytes` is a fresh, aligned buffer of exactly this tensor, so typed views over it are safe.
  const buf = bytes.buffer as ArrayBuffer;
  const n = bytes.length / size;
  const toInt32 = (src: ArrayLike<number | bigint>): Int32Array => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = src[i];
      if (v < -2147483648 || v > 2147483647)
        throw tfError('IO', `${op}: ${file}: tensor ${JSON.stringify(e.name)} (${e.dtype}) holds ${v} at flat index ${i}, ` +
          'outside the int32 range tensorfold can represent', RangeError);
      out[i] = Number(v);
    }
    return out;
  };
  const own = NATIVE_DTYPE[e.dtype];
  if (own === 'bool') {
    for (let i = 0; i < n; i++) if (bytes[i] > 1) bytes[i] = 1;
  }
  if (own) return { data: bytes, dtype: own };
  switch (e.dtype) {
    case 'F8_E5M2': {
      const lut = new Float32Array(256);
      for (let b = 0; b < 256; b++) lut[b] = half(b << 8);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = lut[bytes[i]];
      return { data: bytesOf(out), dtype: 'float32' };
    }
    case 'F8_E4M3': {
      const lut = new Float32Array(256);
      for (let b = 0; b < 256; b++) lut[b] = e4m3(b);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = lut[bytes[i]];
      return { data: bytesOf(out), dtype: 'float32' };
    }
    case 'I8': return { data: bytesOf(Int32Array.from(new Int8Array(buf, 0, n))), dtype: 'int32' };
    case 'I16': return { data: bytesOf(Int32Array.from(new Int16Array(buf, 0, n))), dtype: 'int32' };
    case 'U16': return { data: bytesOf(Int32Array.from(new Uint16Array(buf, 0, n))), dtype: 'int32' };
    case 'U32': return { data: bytesOf(toInt32(new Uint32Array(buf, 0, n))), dtype: 'int32' };
    case 'U64': return { data: bytesOf(toInt32(new BigUint64Array(buf, 0, n))), dtype: 'int32' };
  }
  throw ioError(`${op}: ${file}: tensor ${JSON.stringify(e.name)}: unsupported dtype ${e.dtype}`);
}

/** Reads a safetensors file: its tensors (in file order) and its string metadata. */
export function readSafetensors(file: string, op = 'load'): SafetensorsContents {
  if (typeof file !== 'string' || file === '') throw argumentError(`${op}: path must be a non-empty string, got ${describe(file)}`);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw ioError(`${op}: cannot open ${file}: ${(e as Error).message}`);
  }
  const created: Tensor[] = [];
  try {
    const fileSize = fs.fstatSync(fd).size;
    if (fileSize < 8) throw ioError(`${op}: ${file}: file is truncated (${fileSize} bytes; a safetensors file starts with an 8-byte header length)`);
    const lenBuf = Buffer.alloc(8);
    readExactly(fd, lenBuf, 0, file, op);
    const big = lenBuf.readBigUInt64LE(0);
    if (big > BigInt(MAX_HEADER_BYTES))
      throw ioError(`${op}: ${file}: header length ${big} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file, or corrupt)`);
    const headerLen = Number(big);
    if (8 + headerLen > fileSize)
      throw ioError(`${op}: ${file}: header length ${headerLen} is larger than the rest of the file (${fileSize - 8} bytes; truncated or not a safetensors file)`);
    const headerBuf = Buffer.alloc(headerLen);
    readExactly(fd, headerBuf, 8, file, op);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(headerBuf);
    } catch {
      throw ioError(`${op}: ${file}: header is not valid UTF-8 (not a safetensors file?)`);
    }
    const dataStart = 8 + headerLen;
    const { entries, metadata } = parseHeader(text, fileSize - dataStart, file, op);
    const tensors: Record<string, Tensor> = {};
    for (const e of entries.sort((a, b) => a.begin - b.begin)) {
      const bytes = new Uint8Array(e.end - e.begin);
      readExactly(fd, bytes, dataStart + e.begin, file, op);
      const { data, dtype } = decode(bytes, e, file, op);
      const t = wrap(native.fromBytes(data, e.shape, dtypeCode(dtype, op)));
      created.push(t);
      tensors[e.name] = t;
    }
    return { tensors, metadata };
  } catch (e) {
    for (const t of created) t.dispose();
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Loads every tensor of a safetensors file, keyed by name. Dtypes tensorfold lacks are converted
 * (see the top of this file); anything structurally wrong with the file is an Error naming it.
 */
export function load(file: string): Record<string, Tensor> {
  return readSafetensors(file, 'load').tensors;
}
