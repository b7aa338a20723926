// tf.utils.tensorboard.SummaryWriter, checked by an independent reader: scripts/read_tfevents.py
// compiles the published TensorBoard protos with protoc, verifies both masked CRC-32Cs of every
// TFRecord with its own CRC-32C, and parses the Events with the official protobuf runtime. Every
// value written is compared with what it reads back. Needs protobuf-compiler and python3-protobuf
// (installed by .ci/run).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('..');

const { SummaryWriter } = tf.utils.tensorboard;
const READER = path.join(__dirname, '..', 'scripts', 'read_tfevents.py');
const PYTHON = '/usr/bin/python3';

function read(logdir) {
  const r = spawnSync(PYTHON, [READER, logdir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`read_tfevents.py failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Summary values of one run, in order, each with its event's step and wall time. */
function values(files, run) {
  const out = [];
  for (const f of files.filter((x) => x.run === run))
    for (const e of f.events) for (const v of e.summary || []) out.push({ ...v, step: e.step, wall_time: e.wall_time });
  return out;
}

let dir;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorfold-tb-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('CRC-32C matches the standard check value', () => {
  // The CRC-32C of the ASCII digits 1..9 is 0xE3069283 (RFC 3720, B.4).
  const { crc32c } = require('../dist/utils/tensorboard/crc32c');
  expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
});

test('every record is framed and parsed; the first is the file version', () => {
  const w = new SummaryWriter(dir, { filenameSuffix: '.v1' });
  w.addScalar('x', 1, 1);
  w.close();
  const { files } = read(dir);
  expect(files).toHaveLength(1);
  expect(files[0].name).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${os.hostname().replace(/\W/g, '\\$&')}\\.${process.pid}\\.\\d+\\.v1$`));
  expect(path.join(dir, files[0].name)).toBe(w.eventFile);
  expect(files[0].events[0]).toEqual({ wall_time: expect.any(Number), step: 0, file_version: 'brain.Event:2' });
  expect(files[0].events).toHaveLength(2);
});

test('scalars: values (float32), steps including large and negative ones, wall times', () => {
  const w = new SummaryWriter(dir);
  const written = [[0.5, 0], [2.25, 1], [-3, 7], [1e-8, 2 ** 40], [Math.PI, -5]];
  for (const [v, s] of written) w.addScalar('loss/train', v, s, 1700000000.25 + s);
  w.addScalar('lr', tf.tensor(0.125), 3);
  w.addScalar('nostep', 4);
  w.close();
  const got = values(read(dir).files, '.');
  expect(got.slice(0, written.length).map((v) => [v.tag, v.simple_value, v.step, v.wall_time]))
    .toEqual(written.map(([v, s]) => ['loss/train', Math.fround(v), s, 1700000000.25 + s]));
  expect(got[5]).toEqual(expect.objectContaining({ tag: 'lr', simple_value: 0.125, step: 3 }));
  expect(got[6]).toEqual(expect.objectContaining({ tag: 'nostep', simple_value: 4, step: 0 }));
  expect(Math.abs(got[6].wall_time - Date.now() / 1000)).toBeLessThan(60);
});

test('addScalars: one run per tag, <logdir>/<mainTag>_<tag>, under the main tag', () => {
  const w = new SummaryWriter(dir);
  w.addScalars('loss/group', { train: 0.75, test: 1.5 }, 4);
  w.addScalars('loss/group', { train: 0.5, test: 1.25 }, 5);
  w.close();
  const { files } = read(dir);
  expect(files.map((f) => f.run).sort()).toEqual(['.', 'loss_group_test', 'loss_group_train']);
  const pick = (run) => values(files, run).map((v) => [v.tag, v.simple_value, v.step]);
  expect(pick('loss_group_train')).toEqual([['loss/group', 0.75, 4], ['loss/group', 0.5, 5]]);
  expect(pick('loss_group_test')).toEqual([['loss/group', 1.5, 4], ['loss/group', 1.25, 5]]);
  expect(values(files, '.')).toEqual([]);
});

test('histograms: min, max, num, sum, sum of squares, bucket limits and counts', () => {
  const w = new SummaryWriter(dir);
  const data = [0, 1, 1, 2, 3, 3, 3, 4];
  w.addHistogram('h/array', data, 2, { bins: 4 });
  tf.manualSeed(0);
  const t = tf.randn([500], { dtype: 'float64' });
  w.addHistogram('h/tensor', t, 3);
  w.addHistogram('h/constant', [2.5, 2.5, 2.5], 4);
  w.close();
  const [a, b, c] = values(read(dir).files, '.');
  // Buckets [0,1) [1,2) [2,3) [3,4]: counts 1, 2, 1, 4.
  expect(a).toEqual(expect.objectContaining({ tag: 'h/array', step: 2 }));
  expect(a.histo).toEqual({ min: 0, max: 4, num: 8, sum: 17, sum_squares: 49, bucket_limit: [1, 2, 3, 4], bucket: [1, 2, 1, 4] });

  const xs = Array.from(t.toTypedArray());
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  expect(b.histo.min).toBe(min);
  expect(b.histo.max).toBe(max);
  expect(b.histo.num).toBe(500);
  expect(b.histo.sum).toBeCloseTo(xs.reduce((s, x) => s + x, 0), 10);
  expect(b.histo.sum_squares).toBeCloseTo(xs.reduce((s, x) => s + x * x, 0), 8);
  expect(b.histo.bucket).toHaveLength(30);
  expect(b.histo.bucket.reduce((s, x) => s + x, 0)).toBe(500);
  expect(b.histo.bucket_limit[29]).toBe(max);
  // Each count is the number of values between the previous limit (or min) and this one.
  const edges = [min, ...b.histo.bucket_limit];
  const counts = b.histo.bucket_limit.map((hi, i) => xs.filter((x) => x >= edges[i] && (i === 29 ? x <= hi : x < hi)).length);
  expect(b.histo.bucket).toEqual(counts);

  expect(c.histo).toEqual({ min: 2.5, max: 2.5, num: 3, sum: 7.5, sum_squares: 18.75, bucket_limit: [2.5], bucket: [3] });
});

test('text: a one-element DT_STRING tensor for the text plugin, as PyTorch tags it', () => {
  const w = new SummaryWriter(dir);
  const text = '# Run\n**lr** 0.01, données, 学習 ✓';
  w.addText('notes', text, 6);
  w.close();
  const [v] = values(read(dir).files, '.');
  expect(v).toEqual(expect.objectContaining({
    tag: 'notes/text_summary', step: 6,
    tensor: { dtype: 7, shape: [1], string_val: [text] },
    metadata: { plugin_name: 'text', content_b64: '', text_version: 0 },
  }));
});

test('hparams: experiment, session start and end in a run of their own, metrics as scalars', () => {
  const w = new SummaryWriter(dir);
  w.addHparams({ lr: 0.001, optimizer: 'adam', nesterov: true, layers: 3 }, { 'hparam/accuracy': 0.97, 'hparam/loss': 0.1 }, { runName: 'trial1' });
  w.addHparams({ lr: 0.01 }, { 'hparam/accuracy': 0.5 });
  w.close();
  const { files } = read(dir);
  const runs = files.map((f) => f.run).sort();
  expect(runs).toHaveLength(3);
  expect(runs).toContain('trial1');
  expect(runs.find((r) => r !== '.' && r !== 'trial1')).toMatch(/^\d+(\.\d+)?$/);
  const got = values(files, 'trial1');
  const meta = (i) => got[i].metadata;
  expect(got.map((v) => v.tag)).toEqual(['_hparams_/experiment', '_hparams_/session_start_info', '_hparams_/session_end_info', 'hparam/accuracy', 'hparam/loss']);
  for (let i = 0; i < 3; i++) expect(meta(i).plugin_name).toBe('hparams');
  expect(meta(0).hparams).toEqual({
    version: 0, kind: 'experiment',
    hparam_infos: [
      { name: 'lr', type: 'DATA_TYPE_FLOAT64' }, { name: 'optimizer', type: 'DATA_TYPE_STRING' },
      { name: 'nesterov', type: 'DATA_TYPE_BOOL' }, { name: 'layers', type: 'DATA_TYPE_FLOAT64' },
    ],
    metric_infos: [{ group: '', tag: 'hparam/accuracy' }, { group: '', tag: 'hparam/loss' }],
  });
  expect(meta(1).hparams).toEqual({
    version: 0, kind: 'session_start_info',
    hparams: {
      lr: { kind: 'number_value', value: 0.001 }, optimizer: { kind: 'string_value', value: 'adam' },
      nesterov: { kind: 'bool_value', value: true }, layers: { kind: 'number_value', value: 3 },
    },
  });
  expect(meta(2).hparams).toEqual({ version: 0, kind: 'session_end_info', status: 'STATUS_SUCCESS' });
  expect(got[3].simple_value).toBe(Math.fround(0.97));
  expect(got[4].simple_value).toBe(Math.fround(0.1));
});

test('writes are buffered until flush, then appended', () => {
  const w = new SummaryWriter(dir);
  const size0 = fs.statSync(w.eventFile).size;
  w.addScalar('a', 1, 1);
  expect(fs.statSync(w.eventFile).size).toBe(size0);
  w.flush();
  const size1 = fs.statSync(w.eventFile).size;
  expect(size1).toBeGreaterThan(size0);
  w.addScalar('a', 2, 2);
  w.close();
  expect(values(read(dir).files, '.').map((v) => v.simple_value)).toEqual([1, 2]);
});

test('flushSecs flushes on a timer', async () => {
  const w = new SummaryWriter(dir, { flushSecs: 0.05 });
  const size0 = fs.statSync(w.eventFile).size;
  w.addScalar('a', 1, 1);
  await new Promise((r) => setTimeout(r, 300));
  expect(fs.statSync(w.eventFile).size).toBeGreaterThan(size0);
  w.close();
});

test('process exit flushes a writer that was never closed', () => {
  const script = `const tf = require(${JSON.stringify(path.join(__dirname, '..'))});
    const w = new tf.utils.tensorboard.SummaryWriter(${JSON.stringify(dir)});
    for (let i = 0; i < 5; i++) w.addScalar('s', i, i);`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(values(read(dir).files, '.').map((v) => v.simple_value)).toEqual([0, 1, 2, 3, 4]);
});

test('bad arguments are clear errors', () => {
  const w = new SummaryWriter(dir);
  expect(() => w.addScalar('', 1)).toThrow(/addScalar: tag must be a non-empty string/);
  expect(() => w.addScalar('a', 'x')).toThrow(/addScalar: value must be a number or a one-element tensor/);
  expect(() => w.addScalar('a', 1, 1.5)).toThrow(/addScalar: step must be an integer/);
  expect(() => w.addScalars('a', null)).toThrow(/addScalars: values must be an object/);
  expect(() => w.addHistogram('h', [])).toThrow(/addHistogram: 'h' has no values/);
  expect(() => w.addHistogram('h', [1, NaN])).toThrow(/non-finite value \(NaN\) at index 1/);
  expect(() => w.addHistogram('h', [1], 0, { bins: 0 })).toThrow(/bins must be a positive integer/);
  expect(() => w.addHistogram('h', 3)).toThrow(/values must be a tensor or an array/);
  expect(() => w.addText('t', 5)).toThrow(/addText: text must be a string/);
  expect(() => w.addHparams({ a: [1] }, {})).toThrow(/hparam 'a' must be a number, string or boolean/);
  expect(() => w.addHparams({}, { m: 'x' })).toThrow(/metric 'm' must be a number/);
  expect(() => new SummaryWriter(dir, { flushSecs: -1 })).toThrow(/flushSecs must be a number of seconds >= 0/);
  const file = path.join(dir, 'plain-file');
  fs.writeFileSync(file, '');
  expect(() => new SummaryWriter(file)).toThrow(/SummaryWriter: cannot create the event file in .*plain-file/);
  // A bad value in a group writes none of the group.
  expect(() => w.addScalars('g', { a: 1, b: 'x' }, 0)).toThrow(/addScalars: value must be a number/);
  expect(fs.existsSync(path.join(dir, 'g_a'))).toBe(false);
  w.close();
  expect(() => w.addScalar('a', 1)).toThrow(/addScalar: the writer is closed/);
  w.close(); // closing twice is harmless
});
