// Reader for IDX files, the format MNIST and its relatives (Fashion-MNIST, EMNIST, KMNIST) ship in:
//
//   [0x00 0x00][type byte][ndim byte][ndim × big-endian u32 dims][big-endian data, row-major]
//   type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
//
// so MNIST images start 0x00000803 (u8, 3 dims: count × 28 × 28) and labels 0x00000801. Files may
// be gzip-compressed, as they are distributed (`train-images-idx3-ubyte.gz`).
import * as fs from 'fs';
import * as zlib from 'zlib';
import { Tensor, tensor, describe, DType, checkOptions } from '../tensor';
import { argumentError, dtypeError, ioError, show } from '../errors';

/** Options of readIdx. */
export interface ReadIdxOptions {
  /** dtype of the result. Default: int32 for integer data, float32 / float64 for float data
   *  (float32 when `normalize` is set). */
  dtype?: DType;
  /** Divide u8 data by 255, giving values in [0, 1] (float result). Default false. */
  normalize?: boolean;
}

const TYPES: Record<number, { name: string; size: number; get: (v: DataView, o: number) => number }> = {
  0x08: { name: 'u8', size: 1, get: (v, o) => v.getUint8(o) },
  0x09: { name: 'i8', size: 1, get: (v, o) => v.getInt8(o) },
  0x0b: { name: 'i16', size: 2, get: (v, o) => v.getInt16(o, false) },
  0x0c: { name: 'i32', size: 4, get: (v, o) => v.getInt32(o, false) },
  0x0d: { name: 'f32', size: 4, get: (v, o) => v.getFloat32(o, false) },
  0x0e: { name: 'f64', size: 8, get: (v, o) => v.getFloat64(o, false) },
};

/** Decompressed files larger than this are refused rather than exhausting memory (a gzip bomb or a
 *  corrupt stream); the full MNIST training images are 47 MB. */
const MAX_INFLATED = 2 ** 31 - 1;

/**
 * Reads an IDX file (optionally gzip-compressed) into a Tensor whose shape is the file's dims.
 * `tf.data.readIdx('train-images-idx3-ubyte.gz', {normalize: true})` gives float32 [60000, 28, 28]
 * in [0, 1]; `readIdx('train-labels-idx1-ubyte.gz')` gives int32 [60000].
 */
export function readIdx(file: string, opts: ReadIdxOptions = {}): Tensor {
  checkOptions(opts, 'readIdx');
  const op = 'readIdx';
  if (typeof file !== 'string' || file === '') throw argumentError(`${op}: path must be a non-empty string, got ${describe(file)}`);
  if (opts === null || typeof opts !== 'object') throw argumentError(`${op}: options must be an object, got ${describe(opts)}`);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw ioError(`${op}: cannot read ${file}: ${(e as Error).message}`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf, { maxOutputLength: MAX_INFLATED });
    } catch (e) {
      throw ioError(`${op}: ${file}: cannot decompress gzip data (${(e as Error).message}; truncated or corrupt download?)`);
    }
  }
  const bad = (msg: string): Error => ioError(`${op}: ${file}: ${msg}`);
  if (buf.length < 4) throw bad(`file is truncated (${buf.length} bytes; an IDX file starts with a 4-byte magic number)`);
  const magic = buf.readUInt32BE(0);
  const type = TYPES[buf[2]];
  const ndim = buf[3];
  if (buf[0] !== 0 || buf[1] !== 0 || !type || ndim === 0)
    throw bad(`bad magic number 0x${magic.toString(16).padStart(8, '0')} (expected 0x00000TNN with type T in ` +
      `08 u8, 09 i8, 0B i16, 0C i32, 0D f32, 0E f64 and NN ≥ 1 dims, e.g. 0x00000803 for MNIST images); not an IDX file?`);
  const dataStart = 4 + 4 * ndim;
  if (buf.length < dataStart) throw bad(`file is truncated inside its header (${buf.length} bytes, header needs ${dataStart})`);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    shape.push(buf.readUInt32BE(4 + 4 * d));
    count *= shape[d];
  }
  const expected = count * type.size;
  const have = buf.length - dataStart;
  if (have < expected)
    throw bad(`file is truncated: dims [${shape}] of ${type.name} need ${expected} bytes of data, the file has ${have}`);
  if (have > expected) throw bad(`file has ${have - expected} bytes after the data that dims [${shape}] of ${type.name} describe`);

  const isFloat = type.name === 'f32' || type.name === 'f64';
  const dtype: DType = opts.dtype ?? (opts.normalize ? 'float32' : isFloat ? (type.name === 'f64' ? 'float64' : 'float32') : 'int32');
  if (dtype !== 'int32' && dtype !== 'float32' && dtype !== 'float64')
    throw dtypeError(`${op}: dtype must be int32, float32 or float64, got ${show(dtype)}`);
  if (opts.normalize && dtype === 'int32') throw dtypeError(`${op}: normalize gives fractions, so it needs a float dtype, got int32`);
  if (opts.normalize && type.name !== 'u8') throw argumentError(`${op}: normalize divides u8 pixels by 255; ${file} holds ${type.name} data`);
  if (dtype === 'int32' && isFloat) throw dtypeError(`${op}: ${file} holds ${type.name} data; read it as float32 or float64, not int32`);
  const scale = opts.normalize ? 1 / 255 : 1;
  const out = dtype === 'float64' ? new Float64Array(count) : dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
  if (type.name === 'u8') {
    // The common case (all of MNIST): no DataView call per byte.
    const src = buf.subarray(dataStart);
    if (scale === 1) out.set(src);
    else for (let i = 0; i < count; i++) out[i] = src[i] * scale;
  } else {
    const view = new DataView(buf.buffer, buf.byteOffset + dataStart, expected);
    for (let i = 0; i < count; i++) out[i] = type.get(view, i * type.size) * scale;
  }
  return tensor(out, { shape, dtype });
}
