// Safetensors and the dtypes beyond float32/float64/int32/bool: F16, BF16, I64 and U8 load as
// float16, bfloat16, int64 and uint8 bit for bit, and save writes the stored bytes back unchanged.
// The reference file and the values in io_dtypes.json come from PyTorch (scripts/gen_io_fixtures.py).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');
const { native } = require('../dist/native');
const { readSafetensors } = require('../dist/io/safetensors');

const FIX = path.join(__dirname, 'fixtures');
const REF = path.join(FIX, 'io_dtypes.safetensors');
const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'io_dtypes.json'), 'utf8'));

let dir;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-st-dtypes-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const bytes = (t) => Buffer.from(native.toBytes(t._h));
const num = (v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

/** Stored bit patterns of a float tensor, in the form io_dtypes.json records them. */
function bitsOf(t) {
  const b = native.toBytes(t._h);
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') return Array.from(new Uint16Array(ab));
  if (t.dtype === 'float32') return Array.from(new Uint32Array(ab));
  return Array.from(new BigUint64Array(ab), String);
}

/** Header JSON of a safetensors file. */
function header(file) {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  return { json: JSON.parse(buf.subarray(8, 8 + n).toString('utf8')), data: buf.subarray(8 + n) };
}

/** A safetensors file from a header object and data bytes. */
function writeRaw(name, head, data) {
  const h = Buffer.from(JSON.stringify(head));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([len, h, data]));
  return file;
}

describe('load: PyTorch file with every tensorfold dtype', () => {
  let loaded;
  beforeAll(() => {
    loaded = tf.load(REF);
  });
  const cases = Object.entries(expected.tensors);

  test('the file holds exactly the tensors torch wrote', () => {
    expect(Object.keys(loaded).sort()).toEqual(cases.map(([k]) => k).sort());
  });

  test.each(cases)('%s: dtype, shape and values as torch printed them', (name, want) => {
    const t = loaded[name];
    expect(t.dtype).toBe(want.dtype);
    expect(t.shape).toEqual(want.shape);
    const got = Array.from(t.toTypedArray());
    if (want.dtype === 'int64') {
      // Decimal strings in the fixture: 2^63 - 1 and 2^53 + 1 do not survive a JSON double.
      expect(got).toEqual(want.values.map(BigInt));
    } else {
      // toEqual tells -0 from 0 and matches NaN with NaN.
      expect(got).toEqual(want.values.map(num));
    }
    if (want.bits) expect(bitsOf(t)).toEqual(want.bits);
  });

  test('metadata is kept', () => {
    expect(readSafetensors(REF).metadata).toEqual(expected.metadata);
  });
});

describe('save: stored bytes, no conversion', () => {
  test('load then save reproduces the PyTorch file byte for byte', () => {
    const { tensors, metadata } = readSafetensors(REF);
    const out = path.join(dir, 'copy.safetensors');
    tf.save(tensors, out, metadata);
    expect(Buffer.compare(fs.readFileSync(out), fs.readFileSync(REF))).toBe(0);
    const again = tf.load(out);
    for (const [k, t] of Object.entries(tensors)) {
      expect(again[k].dtype).toBe(t.dtype);
      expect(Buffer.compare(bytes(again[k]), bytes(t))).toBe(0);
    }
  });

  test('every dtype is written under its safetensors name with its own bytes', () => {
    const src = {
      f32: tf.tensor([1.5, -2], { dtype: 'float32' }),
      f64: tf.tensor([0.1], { dtype: 'float64' }),
      i32: tf.tensor([-7, 8], { dtype: 'int32' }),
      b: tf.tensor([true, false, true]),
      i64: tf.tensor(new BigInt64Array([-(2n ** 63n), 2n ** 40n + 3n])),
      u8: tf.tensor([0, 17, 255], { dtype: 'uint8' }),
      h: tf.tensor([1, 0.1, -65504, 1e-7], { dtype: 'float16' }),
      bh: tf.tensor([[1, 0.1], [-3e38, 1e-40]], { dtype: 'bfloat16' }),
    };
    const names = { f32: 'F32', f64: 'F64', i32: 'I32', b: 'BOOL', i64: 'I64', u8: 'U8', h: 'F16', bh: 'BF16' };
    const sizes = { f32: 4, f64: 8, i32: 4, b: 1, i64: 8, u8: 1, h: 2, bh: 2 };
    const file = path.join(dir, 'all.safetensors');
    tf.save(src, file);
    const { json, data } = header(file);
    for (const [k, t] of Object.entries(src)) {
      const e = json[k];
      expect([k, e.dtype]).toEqual([k, names[k]]);
      expect(e.shape).toEqual(t.shape);
      expect(e.data_offsets[1] - e.data_offsets[0]).toBe(t.size * sizes[k]);
      expect(Buffer.compare(data.subarray(e.data_offsets[0], e.data_offsets[1]), bytes(t))).toBe(0);
    }
    const back = tf.load(file);
    for (const [k, t] of Object.entries(src)) {
      expect([k, back[k].dtype]).toEqual([k, t.dtype]);
      expect(Buffer.compare(bytes(back[k]), bytes(t))).toBe(0);
    }
  });

  test('views of the new dtypes are written in row-major order', () => {
    const loaded = tf.load(REF);
    const src = {
      ht: loaded.f16_matrix.transpose(0, 1),
      bt: loaded.bf16_matrix.permute([2, 0, 1]),
      it: loaded.i64_matrix.transpose(0, 1),
      us: loaded.u8_image.transpose(0, 2),
    };
    const file = path.join(dir, 'views.safetensors');
    tf.save(src, file);
    const back = tf.load(file);
    for (const [k, t] of Object.entries(src)) {
      expect(back[k].dtype).toBe(t.dtype);
      expect(back[k].shape).toEqual(t.shape);
      expect(Buffer.compare(bytes(back[k]), bytes(t.contiguous()))).toBe(0);
    }
  });

  test('empty and scalar tensors of the half types', () => {
    const src = { e: tf.zeros([0, 3], { dtype: 'float16' }), s: tf.tensor(-0, { dtype: 'bfloat16' }) };
    const file = path.join(dir, 'small.safetensors');
    tf.save(src, file);
    const { json } = header(file);
    expect(json.e).toEqual({ dtype: 'F16', shape: [0, 3], data_offsets: [0, 0] });
    expect(json.s).toEqual({ dtype: 'BF16', shape: [], data_offsets: [0, 2] });
    const back = tf.load(file);
    expect(back.e.dtype).toBe('float16');
    expect(back.e.shape).toEqual([0, 3]);
    expect(bitsOf(back.s)).toEqual([0x8000]);
  });
});

describe('load: dtypes tensorfold still lacks are converted as documented', () => {
  test('I8, I16, U16 → int32; F8_E5M2, F8_E4M3 → float32; U32 beyond int32 is a RangeError', () => {
    const data = Buffer.alloc(2 + 4 + 4 + 2 + 2);
    data.writeInt8(-5, 0);
    data.writeInt8(100, 1);
    data.writeInt16LE(-30000, 2);
    data.writeInt16LE(12, 4);
    data.writeUInt16LE(65535, 6);
    data.writeUInt16LE(1, 8);
    data[10] = 0x3c; // e5m2 1.0 (top byte of float16 0x3c00)
    data[11] = 0xc0; // e5m2 -2.0
    data[12] = 0x38; // e4m3 1.0
    data[13] = 0x7f; // e4m3 NaN
    const file = writeRaw('conv.safetensors', {
      i8: { dtype: 'I8', shape: [2], data_offsets: [0, 2] },
      i16: { dtype: 'I16', shape: [2], data_offsets: [2, 6] },
      u16: { dtype: 'U16', shape: [2], data_offsets: [6, 10] },
      e5: { dtype: 'F8_E5M2', shape: [2], data_offsets: [10, 12] },
      e4: { dtype: 'F8_E4M3', shape: [2], data_offsets: [12, 14] },
    }, data);
    const t = tf.load(file);
    expect([t.i8.dtype, t.i16.dtype, t.u16.dtype, t.e5.dtype, t.e4.dtype]).toEqual(['int32', 'int32', 'int32', 'float32', 'float32']);
    expect(Array.from(t.i8.toTypedArray())).toEqual([-5, 100]);
    expect(Array.from(t.i16.toTypedArray())).toEqual([-30000, 12]);
    expect(Array.from(t.u16.toTypedArray())).toEqual([65535, 1]);
    expect(Array.from(t.e5.toTypedArray())).toEqual([1, -2]);
    expect(Array.from(t.e4.toTypedArray())).toEqual([1, NaN]);

    const big = Buffer.alloc(4);
    big.writeUInt32LE(3000000000);
    const u32 = writeRaw('u32.safetensors', { u: { dtype: 'U32', shape: [1], data_offsets: [0, 4] } }, big);
    expect(() => tf.load(u32)).toThrow(/load: .*u32\.safetensors: tensor "u" \(U32\) holds 3000000000 .*int32/);
  });

  test('BOOL bytes other than 0 and 1 read as true', () => {
    const file = writeRaw('b.safetensors', { m: { dtype: 'BOOL', shape: [3], data_offsets: [0, 3] } }, Buffer.from([0, 2, 255]));
    const { m } = tf.load(file);
    expect(m.dtype).toBe('bool');
    expect(Array.from(native.toBytes(m._h))).toEqual([0, 1, 1]);
  });
});

describe('load: broken half-precision data names the file and the tensor', () => {
  const cases = [
    ['F16 byte count odd', 'F16', [3], [0, 5], 5, /odd\.safetensors: tensor "w": data_offsets \[0, 5\] hold 5 bytes, not a whole number of F16 elements \(2 bytes each/],
    ['BF16 byte count odd', 'BF16', [1], [0, 3], 3, /odd\.safetensors: tensor "w": .*not a whole number of BF16 elements/],
    ['F16 shape disagrees with the bytes', 'F16', [4], [0, 6], 6, /odd\.safetensors: tensor "w": shape \[4\] of F16 needs 8 bytes but data_offsets \[0, 6\] hold 6/],
    ['F16 data cut short', 'F16', [4], [0, 8], 5, /odd\.safetensors: tensor "w": data_offsets \[0, 8\] run past the end of the data \(5 bytes/],
    ['I64 byte count not a multiple of 8', 'I64', [1], [0, 12], 12, /odd\.safetensors: tensor "w": .*not a whole number of I64 elements \(8 bytes each/],
  ];
  test.each(cases)('%s', (_name, dtype, shape, offsets, dataLen, message) => {
    const file = writeRaw('odd.safetensors', { w: { dtype, shape, data_offsets: offsets } }, Buffer.alloc(dataLen));
    let msg = '';
    try { tf.load(file); } catch (e) { msg = e.message; }
    expect(msg.startsWith('load: ')).toBe(true);
    expect(msg).toMatch(message);
  });

  test('a real F16 file truncated mid-tensor', () => {
    const src = path.join(dir, 'h.safetensors');
    tf.save({ a: tf.ones([8], { dtype: 'float16' }) }, src);
    const buf = fs.readFileSync(src);
    const cut = path.join(dir, 'cut.safetensors');
    fs.writeFileSync(cut, buf.subarray(0, buf.length - 3));
    expect(() => tf.load(cut)).toThrow(/load: .*cut\.safetensors: tensor "a": data_offsets \[0, 16\] run past the end of the data \(13 bytes/);
  });
});
