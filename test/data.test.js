// tf.data: TensorDataset, DataLoader (batching, seeded shuffling, async prefetch) and readIdx.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const tf = require('..');

const { TensorDataset, DataLoader, readIdx } = tf.data;
const flat = (t) => Array.from(t.toTypedArray());

describe('TensorDataset', () => {
  const x = tf.arange(0, 12).reshape([6, 2]).float();
  const y = tf.tensor(new Int32Array([0, 1, 2, 3, 4, 5]));

  test('length is dim 0 and get(i) gives the i-th rows', () => {
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(6);
    const [xi, yi] = ds.get(4);
    expect(xi.toArray()).toEqual([8, 9]);
    expect(yi.item()).toBe(4);
    expect(ds.get(-1)[1].item()).toBe(5);
  });

  test('errors', () => {
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
    expect(() => new TensorDataset(x, [1, 2])).toThrow(/argument 1 must be a Tensor, got an array/);
    expect(() => new TensorDataset(x, tf.zeros([5]))).toThrow(/share their first dimension.*\[6,2\], \[5\]/);
    expect(() => new TensorDataset(tf.tensor(1))).toThrow(/scalar/);
    const ds = new TensorDataset(x);
    expect(() => ds.get(6)).toThrow(RangeError);
    expect(() => ds.get(1.5)).toThrow(TypeError);
    expect(() => ds.getBatch(new Int32Array([0, 9]))).toThrow(/index 9 is out of range/);
  });
});

describe('DataLoader', () => {
  const n = 10;
  const x = tf.arange(0, n * 3).reshape([n, 3]).float();
  const y = tf.arange(0, n);
  const ds = new TensorDataset(x, y);
  const labels = (loader) => [...loader].map(([, yb]) => flat(yb));

  test('in order, with a short last batch; length counts batches', () => {
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([xb]) => xb.shape)).toEqual([[4, 3], [4, 3], [2, 3]]);
    expect(batches.map(([, yb]) => flat(yb))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(flat(batches[2][0])).toEqual([24, 25, 26, 27, 28, 29]);
    expect(batches[0][1].dtype).toBe('int32');
  });

  test('dropLast drops the short batch; default batch size is 1', () => {
    const loader = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(labels(loader)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(new DataLoader(ds).length).toBe(10);
    expect(new DataLoader(ds, { batchSize: 5, dropLast: true }).length).toBe(2);
  });

  test('seeded shuffle: a permutation, the same for the same seed, new every epoch', () => {
    const a = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 42 });
    const b = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 42 });
    const c = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 43 });
    const a1 = labels(a).flat();
    const a2 = labels(a).flat();
    expect([...a1].sort((p, q) => p - q)).toEqual([...Array(n).keys()]);
    expect([...a2].sort((p, q) => p - q)).toEqual([...Array(n).keys()]);
    expect(a2).not.toEqual(a1);
    expect(labels(b).flat()).toEqual(a1);
    expect(labels(b).flat()).toEqual(a2);
    expect(labels(c).flat()).not.toEqual(a1);
    // Rows stay together with their labels.
    const [xb, yb] = [...new DataLoader(ds, { batchSize: n, shuffle: true, seed: 7 })][0];
    expect(flat(xb)).toEqual(flat(yb).flatMap((i) => [3 * i, 3 * i + 1, 3 * i + 2]));
  });

  test('setting epoch replays an epoch order (resuming a run)', () => {
    const a = new DataLoader(ds, { batchSize: 2, shuffle: true, seed: 5 });
    labels(a);
    const second = labels(a);
    const b = new DataLoader(ds, { batchSize: 2, shuffle: true, seed: 5 });
    b.epoch = 1;
    expect(labels(b)).toEqual(second);
  });

  test('shuffling is close to uniform', () => {
    // Position of element 0 over many epochs of a 5-element permutation: each of 5 slots ~ 20%.
    const p = tf.data.permutation;
    const counts = [0, 0, 0, 0, 0];
    for (let e = 0; e < 5000; e++) counts[p(5, 123, e).indexOf(0)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  test('async iteration gives the same batches as sync iteration', async () => {
    const a = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 9 });
    const b = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 9 });
    const got = [];
    for await (const [xb, yb] of a) got.push([flat(xb), flat(yb)]);
    expect(got).toEqual([...b].map(([xb, yb]) => [flat(xb), flat(yb)]));
  });

  test('async iteration prepares the next batch while the consumer is busy with the current one', async () => {
    const built = [];
    const counting = {
      length: 8,
      get: (i) => tf.tensor([i]),
      getBatch(idx) {
        built.push(Array.from(idx));
        return [tf.tensor(Float32Array.from(idx))];
      },
    };
    const loader = new DataLoader(counting, { batchSize: 2 });
    const seen = [];
    for await (const [b] of loader) {
      seen.push(built.length);
      // Any await in the training step (I/O, a progress bar redraw) lets the next batch be built.
      await new Promise((r) => setImmediate(r));
      expect(built.length).toBe(Math.min(4, seen.length + 1));
      b.dispose();
    }
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  test('breaking out of an async loop frees the prefetched batch and leaves no stray work', async () => {
    const loader = new DataLoader(ds, { batchSize: 2 });
    const before = tf.memory().tensors;
    for await (const batch of loader) {
      tf.dispose(batch);
      break;
    }
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(tf.memory().tensors).toBeLessThanOrEqual(before); // the collector may free older garbage meanwhile
  });

  test('a dataset error surfaces in the async loop as a rejection, not an unhandled one', async () => {
    let calls = 0;
    const failing = {
      length: 6,
      get: (i) => {
        if (++calls > 2) throw new Error(`cannot read example ${i}`);
        return tf.tensor([i]);
      },
    };
    const loader = new DataLoader(failing, { batchSize: 2 });
    const seen = [];
    await expect((async () => {
      for await (const b of loader) {
        seen.push(flat(b));
        await new Promise((r) => setTimeout(r, 5));
      }
    })()).rejects.toThrow(/cannot read example 2/);
    expect(seen).toEqual([[0, 1]]);
  });

  test('generic datasets are collated field by field', () => {
    const items = {
      length: 5,
      get: (i) => ({ image: tf.full([2, 2], i), label: i % 3, weight: i / 2, flag: i > 2 }),
    };
    const [b0, b1] = [...new DataLoader(items, { batchSize: 3 })];
    expect(b0.image.shape).toEqual([3, 2, 2]);
    expect(b0.label.dtype).toBe('int32');
    expect(flat(b0.label)).toEqual([0, 1, 2]);
    expect(b0.weight.dtype).toBe('float32');
    expect(flat(b1.weight)).toEqual([1.5, 2]);
    expect(b1.flag.toArray()).toEqual([true, true]);
    const pairs = { length: 2, get: (i) => [tf.ones([3]).mul(i), i] };
    const [[xb, yb]] = [...new DataLoader(pairs, { batchSize: 2 })];
    expect(xb.toArray()).toEqual([[0, 0, 0], [1, 1, 1]]);
    expect(flat(yb)).toEqual([0, 1]);
    const odd = { length: 1, get: () => 'text' };
    expect(() => [...new DataLoader(odd)]).toThrow(/cannot batch item of type the string "text"/);
  });

  test('option errors', () => {
    expect(() => new DataLoader([1, 2, 3])).toThrow(/dataset must have a numeric length and a get\(i\) method/);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(RangeError);
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow(/batchSize must be an integer/);
    expect(() => new DataLoader(ds, { seed: 'x' })).toThrow(/seed must be an integer/);
  });
});

describe('readIdx', () => {
  const FIX = path.join(__dirname, 'fixtures');
  const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'io_expected.json'), 'utf8')).idx;
  let dir;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-idx-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name, bytes) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, Buffer.from(bytes));
    return f;
  };
  const header = (type, dims) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b[2] = type;
    b[3] = dims.length;
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };

  test('MNIST-style files written by Python: gzip images, plain labels', () => {
    const images = readIdx(path.join(FIX, 'io_tiny-images-idx3-ubyte.gz'));
    expect(images.dtype).toBe('int32');
    expect(images.shape).toEqual(expected.images.shape);
    expect(flat(images)).toEqual(expected.images.values);
    const labels = readIdx(path.join(FIX, 'io_tiny-labels-idx1-ubyte'));
    expect(labels.shape).toEqual([5]);
    expect(flat(labels)).toEqual(expected.labels.values);
  });

  test('dtype and normalize options', () => {
    const f = path.join(FIX, 'io_tiny-images-idx3-ubyte.gz');
    const asFloat = readIdx(f, { dtype: 'float32' });
    expect(asFloat.dtype).toBe('float32');
    expect(flat(asFloat)).toEqual(expected.images.values);
    const norm = readIdx(f, { normalize: true });
    expect(norm.dtype).toBe('float32');
    flat(norm).forEach((v, i) => expect(v).toBeCloseTo(expected.images.values[i] / 255, 6));
    expect(readIdx(f, { normalize: true, dtype: 'float64' }).dtype).toBe('float64');
    expect(() => readIdx(f, { normalize: true, dtype: 'int32' })).toThrow(/normalize .* needs a float dtype/);
    expect(() => readIdx(f, { dtype: 'bool' })).toThrow(TypeError);
  });

  test('other IDX element types, big-endian', () => {
    const i16 = Buffer.alloc(6);
    [-2, 300, -32768].forEach((v, i) => i16.writeInt16BE(v, 2 * i));
    expect(flat(readIdx(write('a', Buffer.concat([header(0x0b, [3]), i16]))))).toEqual([-2, 300, -32768]);
    const f32 = Buffer.alloc(8);
    f32.writeFloatBE(1.5, 0);
    f32.writeFloatBE(-0.25, 4);
    const t = readIdx(write('b', Buffer.concat([header(0x0d, [1, 2]), f32])));
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([[1.5, -0.25]]);
    const f64 = Buffer.alloc(8);
    f64.writeDoubleBE(Math.PI, 0);
    expect(readIdx(write('c', Buffer.concat([header(0x0e, [1]), f64]))).item()).toBe(Math.PI);
    const i8 = readIdx(write('d', Buffer.concat([header(0x09, [2]), Buffer.from([0xff, 0x05])])));
    expect(flat(i8)).toEqual([-1, 5]);
    expect(() => readIdx(write('e', Buffer.concat([header(0x0d, [1]), Buffer.alloc(4)])), { dtype: 'int32' })).toThrow(/holds f32 data/);
  });

  test.each([
    ['bad magic', () => write('m', [0x50, 0x4b, 3, 4, 0, 0, 0, 0]), /bad magic number 0x504b0304/],
    ['unknown type', () => write('t', [0, 0, 0x07, 1, 0, 0, 0, 1, 9]), /bad magic number 0x00000701/],
    ['zero dims', () => write('z', [0, 0, 8, 0]), /bad magic number 0x00000800/],
    ['shorter than the magic', () => write('s', [0, 0]), /truncated \(2 bytes/],
    ['truncated header', () => write('h', [0, 0, 8, 3, 0, 0, 0, 2]), /truncated inside its header \(8 bytes, header needs 16\)/],
    ['truncated data', () => write('d', Buffer.concat([header(8, [2, 28, 28]), Buffer.alloc(100)])), /dims \[2,28,28\] of u8 need 1568 bytes of data, the file has 100/],
    ['huge dims, tiny file', () => write('H', header(8, [4294967295, 4294967295, 4294967295])), /file is truncated/],
    ['trailing bytes', () => write('x', Buffer.concat([header(8, [2]), Buffer.alloc(3)])), /1 bytes after the data/],
    ['corrupt gzip', () => write('c.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(20, 0x41)])), /cannot decompress gzip data/],
    ['truncated gzip', () => {
      const gz = zlib.gzipSync(Buffer.concat([header(8, [1000]), Buffer.alloc(1000, 7)]));
      return write('t.gz', gz.subarray(0, gz.length - 10));
    }, /cannot decompress gzip data.*truncated or corrupt download/],
    ['missing file', () => path.join(dir, 'nope-idx1-ubyte'), /readIdx: cannot read .*nope-idx1-ubyte/],
  ])('%s is a clear Error naming the file', (_n, make, message) => {
    const f = make();
    expect(() => readIdx(f)).toThrow(message);
    expect(() => readIdx(f)).toThrow(path.basename(f));
  });
});
