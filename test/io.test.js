// tf.save / tf.load (safetensors): files from PyTorch's ecosystem load with the right values,
// files we write match the reference layout byte for byte, and every kind of broken file is a
// clear Error naming the file, never a crash or a huge allocation.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');
const { readSafetensors, MAX_HEADER_BYTES } = require('../dist/io/safetensors');

const FIX = path.join(__dirname, 'fixtures');
const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'io_expected.json'), 'utf8'));

let dir;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-io-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const num = (v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
// int64 comes back as a BigInt64Array; the fixture's int64 values all fit in a double.
const flat = (t) => Array.from(t.toTypedArray(), Number);

/** A safetensors file from a header object (or raw header string) and data bytes. */
function writeRaw(name, header, data = Buffer.alloc(0), lengthOverride) {
  const h = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride === undefined ? BigInt(h.length) : BigInt(lengthOverride));
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([len, h, data]));
  return file;
}

describe('load: files written by PyTorch', () => {
  test('every dtype loads as itself or converts to the documented tensorfold dtype, with exact values', () => {
    const file = path.join(FIX, 'io_torch.safetensors');
    const loaded = tf.load(file);
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(expected.safetensors).sort());
    for (const [name, want] of Object.entries(expected.safetensors)) {
      const t = loaded[name];
      expect([name, t.dtype]).toEqual([name, want.dtype]);
      expect(t.shape).toEqual(want.shape);
      const got = flat(t);
      // Every value here is exactly representable in the target dtype (the half types read out as
      // float32, which holds them all), so the comparison is exact, NaN included.
      want.values.forEach((v, i) => expect([name, i, got[i]]).toEqual([name, i, num(v)]));
    }
  });

  test('metadata is read back as strings', () => {
    const { metadata } = readSafetensors(path.join(FIX, 'io_torch.safetensors'));
    expect(metadata).toEqual(expected.metadata);
  });

  test('I64 outside the int32 range loads as int64, exactly', () => {
    const { ids } = tf.load(path.join(FIX, 'io_i64_big.safetensors'));
    expect(ids.dtype).toBe('int64');
    expect(Array.from(ids.toTypedArray())).toEqual([1n, 1099511627776n]);
  });

  test('load then save reproduces the reference writer\'s file byte for byte', () => {
    const ref = path.join(FIX, 'io_torch_plain.safetensors');
    const { tensors, metadata } = readSafetensors(ref);
    const out = path.join(dir, 'copy.safetensors');
    tf.save(tensors, out, metadata);
    expect(Buffer.compare(fs.readFileSync(out), fs.readFileSync(ref))).toBe(0);
  });
});

describe('save: format', () => {
  test('header: u64 LE length, compact JSON padded with spaces to 8 bytes, packed data in order', () => {
    const file = path.join(dir, 'a.safetensors');
    const a = tf.tensor([[1, 2], [3, 4]]);
    const b = tf.tensor(new Int32Array([-7]));
    tf.save({ a, b }, file, { note: 'hi' });
    const buf = fs.readFileSync(file);
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const text = buf.subarray(8, 8 + n).toString('utf8');
    const json = '{"__metadata__":{"note":"hi"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},' +
      '"b":{"dtype":"I32","shape":[1],"data_offsets":[16,20]}}';
    expect(text.trimEnd()).toBe(json);
    expect(text.slice(json.length)).toMatch(/^ *$/);
    const data = buf.subarray(8 + n);
    expect(data.length).toBe(20);
    expect(Array.from(new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + 16)))).toEqual([1, 2, 3, 4]);
    expect(data.readInt32LE(16)).toBe(-7);
  });

  test('round trip of every dtype, scalars, empty and non-contiguous tensors', () => {
    const file = path.join(dir, 'rt.safetensors');
    const base = tf.arange(0, 12).reshape([3, 4]).float();
    const src = {
      f32: tf.randn([3, 5]),
      f64: tf.randn([2, 2, 2], { dtype: 'float64' }),
      i32: tf.tensor(new Int32Array([-2147483648, 0, 2147483647])),
      bool: tf.tensor([true, false, true, true]),
      scalar: tf.tensor(2.25),
      empty: tf.zeros([0, 4]),
      transposed: base.transpose(0, 1),
    };
    tf.save(src, file);
    const back = tf.load(file);
    expect(Object.keys(back)).toEqual(Object.keys(src));
    for (const [k, t] of Object.entries(src)) {
      expect(back[k].dtype).toBe(t.dtype);
      expect(back[k].shape).toEqual(t.shape);
      expect(back[k].toArray()).toEqual(t.toArray());
    }
  });

  test('an existing file is replaced, and no temporary file is left behind', () => {
    const file = path.join(dir, 'x.safetensors');
    tf.save({ a: tf.ones([2]) }, file);
    tf.save({ b: tf.zeros([3]) }, file);
    expect(Object.keys(tf.load(file))).toEqual(['b']);
    expect(fs.readdirSync(dir)).toEqual(['x.safetensors']);
  });

  test('bad arguments are TypeErrors / Errors and touch nothing on disk', () => {
    const file = path.join(dir, 'bad.safetensors');
    expect(() => tf.save({ a: [1, 2] }, file)).toThrow(/save: tensors\["a"\] must be a Tensor, got an array/);
    expect(() => tf.save(tf.ones([1]), file)).toThrow(TypeError);
    expect(() => tf.save({ __metadata__: tf.ones([1]) }, file)).toThrow(/"__metadata__" is reserved/);
    expect(() => tf.save({ a: tf.ones([1]) }, file, { n: 3 })).toThrow(/metadata values must be strings.*"n"/);
    expect(() => tf.save({ a: tf.ones([1]) }, '')).toThrow(TypeError);
    const gone = tf.ones([1]);
    gone.dispose();
    expect(() => tf.save({ g: gone }, file)).toThrow(/tensors\["g"\] has been disposed/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('an unwritable path is an Error naming it', () => {
    const file = path.join(dir, 'no', 'such', 'dir', 'x.safetensors');
    expect(() => tf.save({ a: tf.ones([1]) }, file)).toThrow(/save: cannot write .*no\/such\/dir\/x\.safetensors/);
  });
});

describe('load: broken files are clear Errors', () => {
  const good = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const eight = Buffer.alloc(8);

  const cases = [
    ['missing file', () => path.join(dir, 'nope.safetensors'), /cannot open .*nope\.safetensors/],
    ['empty file', () => { const f = path.join(dir, 'e'); fs.writeFileSync(f, ''); return f; }, /truncated \(0 bytes/],
    ['shorter than the length field', () => { const f = path.join(dir, 's'); fs.writeFileSync(f, Buffer.from([1, 0, 0])); return f; }, /truncated \(3 bytes/],
    ['header length beyond the file', () => writeRaw('h', good, eight, 5000), /header length 5000 is larger than the rest of the file/],
    ['header length absurd (2^60)', () => writeRaw('h', good, eight, 2n ** 60n), /header length 1152921504606846976 exceeds the 100000000-byte limit/],
    ['header length just over the limit', () => writeRaw('h', good, eight, MAX_HEADER_BYTES + 1), /exceeds the 100000000-byte limit/],
    ['data truncated', () => writeRaw('t', good, Buffer.alloc(5)), /"a": data_offsets \[0, 8\] run past the end of the data \(5 bytes/],
    ['malformed JSON', () => writeRaw('j', '{"a": {"dtype": "F32",', eight), /malformed JSON header/],
    ['JSON not an object', () => writeRaw('j', '[1,2,3]', eight), /header must be a JSON object, got an array/],
    ['invalid UTF-8', () => writeRaw('u', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1'), eight), /malformed JSON|not valid UTF-8/],
    ['unknown dtype', () => writeRaw('d', { a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, eight), /"a": unsupported dtype "C64"/],
    ['missing dtype', () => writeRaw('d', { a: { shape: [2], data_offsets: [0, 8] } }, eight), /"a": missing or non-string "dtype"/],
    ['negative dim', () => writeRaw('n', { a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, eight), /"shape" must be an array of non-negative integers/],
    ['bad offsets', () => writeRaw('o', { a: { dtype: 'F32', shape: [2], data_offsets: [0] } }, eight), /"data_offsets" must be \[begin, end\]/],
    ['reversed offsets', () => writeRaw('o', { a: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, eight), /end before they begin/],
    ['shape / offsets mismatch', () => writeRaw('m', { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, eight), /shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] hold 8/],
    ['huge shape', () => writeRaw('m', { a: { dtype: 'F64', shape: [1e9, 1e9, 1e9], data_offsets: [0, 8] } }, eight), /needs more than 2\^53 bytes/],
    ['overlapping offsets', () => writeRaw('v', {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    }, Buffer.alloc(12)), /overlap/],
    ['gap between tensors', () => writeRaw('g', {
      a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    }, Buffer.alloc(12)), /gap in the data before offset 8/],
    ['trailing bytes', () => writeRaw('x', good, Buffer.alloc(16)), /data section is 16 bytes but the tensors account for 8/],
    ['metadata not strings', () => writeRaw('md', { __metadata__: { a: 1 }, ...good }, eight), /"__metadata__"\["a"\] must be a string/],
  ];

  test.each(cases)('%s', (_name, make, message) => {
    const file = make();
    expect(() => tf.load(file)).toThrow(Error);
    expect(() => tf.load(file)).toThrow(message);
    let msg = '';
    try { tf.load(file); } catch (e) { msg = e.message; }
    expect(msg.startsWith('load: ')).toBe(true);
    expect(msg).toContain(path.basename(file));
  });

  test('the library keeps working after a broken file and leaks no tensors', () => {
    const file = writeRaw('partial', {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'U64', shape: [1], data_offsets: [8, 16] },
    }, Buffer.concat([Buffer.alloc(8), Buffer.from([0, 0, 0, 0, 1, 0, 0, 0])]));
    const before = tf.memory().tensors;
    expect(() => tf.load(file)).toThrow(/outside the int32 range/);
    expect(tf.memory().tensors).toBeLessThanOrEqual(before); // the collector may free older garbage meanwhile
    expect(tf.load(path.join(FIX, 'io_torch_plain.safetensors')).weight.shape).toEqual([3, 2]);
  });
});

const hasNN = !!(tf.nn && tf.nn.Linear && tf.nn.Sequential);
(hasNN ? describe : describe.skip)('model state dicts', () => {
  test('stateDict round-trips through save / load / loadStateDict', () => {
    const { nn } = tf;
    const make = () => new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const a = make();
    const b = make();
    const file = path.join(dir, 'model.safetensors');
    tf.save(a.stateDict(), file);
    b.loadStateDict(tf.load(file));
    const x = tf.randn([5, 4]);
    expect(flat(b.forward(x))).toEqual(flat(a.forward(x)));
    const sa = a.stateDict();
    const sb = b.stateDict();
    expect(Object.keys(sb)).toEqual(Object.keys(sa));
    for (const k of Object.keys(sa)) expect(flat(sb[k])).toEqual(flat(sa[k]));
  });
});
