// Replays one case of test/fixtures/dtype_storage.json.gz (scripts/gen_dtype_storage_fixtures.py
// describes the format) and says how ours differs from PyTorch: null when it agrees, else a short
// description starting with the kind of difference ('threw', 'dtype', 'shape', 'values', 'outputs').
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const tf = require('../dist');

function loadCases() {
  const file = path.join(__dirname, 'fixtures', 'dtype_storage.json.gz');
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')).cases;
}

const SPECIAL = { nan: NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 };
const num = (v) => (typeof v === 'string' ? (v in SPECIAL ? SPECIAL[v] : Number(v)) : v);

function build(spec) {
  const { dtype, shape, values } = spec;
  let t;
  if (dtype === 'int64') t = tf.tensor(BigInt64Array.from(values, BigInt), { shape });
  else if (shape.length === 0) t = tf.tensor(num(values[0]), { dtype });
  else t = tf.tensor(values.map(num), { dtype, shape });
  if (t.dtype !== dtype) throw new Error(`harness: built ${t.dtype} for ${dtype}`);
  return t;
}

function arg(a) {
  if ('t' in a) {
    let t = build(a.t);
    if (a.then) t = t[a.then[0]](...a.then.slice(1));
    return t;
  }
  if ('n' in a) return num(a.n);
  return a.v;
}

// The expressions of the gradient cases (the same as the generator's).
const GRAD_EXPR = {
  sumsq: (x) => x.mul(x).sum(),
  to32mul3sum: (x) => x.to('float32').mul(3).sum(),
  meanexp: (x) => x.div(100).exp().mean(),
  mmsum: (x, w) => x.reshape([1, 6]).matmul(w).sum(),
  sigmoidsum: (x) => x.div(100).sigmoid().sum(),
  gathersum: (x) => x.gather(0, tf.tensor(new Int32Array([0, 0, 5]))).sum(),
  to64sum: (x) => { const d = x.to('float64'); return d.mul(d).sum(); },
};

function run(call) {
  const args = call.args.map(arg);
  switch (call.fn) {
    case 'create': return tf.tensor(args[0].map(num), { dtype: args[1] });
    case 'method': return args[0][call.name](...args.slice(1));
    case 'tf':
      if (args[0] === '__list__') return tf[call.name](args.slice(1));
      return tf[call.name](...args);
    case 'F': return tf.nn.functional[call.name](...args);
    case 'grad': {
      const x = args[0];
      x.requiresGrad = true;
      const y = GRAD_EXPR[call.name](x, args[1]);
      y.backward();
      return [y, x.grad];
    }
    default: throw new Error(`harness: unknown call ${call.fn}`);
  }
}

// Units in the last place of v in a float dtype (the spacing at |v|, subnormals included).
const FLOAT_FORMAT = { float16: [10, -14], bfloat16: [7, -126], float32: [23, -126], float64: [52, -1022] };
function ulp(v, dtype) {
  const [mant, emin] = FLOAT_FORMAT[dtype];
  const a = Math.abs(v);
  const e = a === 0 ? emin : Math.max(emin, Math.floor(Math.log2(a)));
  return 2 ** (e - mant);
}

function valuesOf(t) {
  const a = t.toTypedArray();
  if (Object.prototype.toString.call(a) === '[object BigInt64Array]') return Array.from(a, (v) => v.toString());
  return Array.from(a);
}

const show = (v) => (Object.is(v, -0) ? '-0' : String(v));

function compareValues(got, want, dtype, tol) {
  if (got.length !== want.length) return `values: ${got.length} values, torch ${want.length}`;
  const bad = [];
  for (let i = 0; i < want.length; i++) {
    const w = want[i], g = got[i];
    let ok;
    if (typeof g === 'string' || (dtype === 'int64' && typeof w === 'string')) ok = String(g) === String(w);
    else {
      const wv = num(w);
      if (Number.isNaN(wv)) ok = Number.isNaN(g);
      else if (tol === 'exact' || !Number.isFinite(wv) || !(dtype in FLOAT_FORMAT)) ok = Object.is(g, wv) || (g === wv && wv !== 0);
      else ok = Math.abs(g - wv) <= tol.ulp * Math.max(ulp(wv, dtype), ulp(g, dtype));
    }
    if (!ok) bad.push(`[${i}] ${show(g)} vs ${show(num(w))}`);
  }
  if (!bad.length) return null;
  return `values (${bad.length}/${want.length}, ours vs torch): ${bad.slice(0, 4).join(', ')}${bad.length > 4 ? ' …' : ''}`;
}

// PyTorch's int64 is the library's int32 where no operand is int64 (integer sums, arange, bool +
// number) and for every index output (argmax, sort/topk indices): API.md's deliberate difference.
function allowedDtype(c, out, k, got) {
  if (got === out.dtype) return true;
  if (!(got === 'int32' && out.dtype === 'int64')) return false;
  const idxOutput = /^(reduce\/arg|sort\/|topk\/)/.test(c.id) && (k === 1 || /arg/.test(c.id));
  const anyInt64 = JSON.stringify(c.call.args).includes('"dtype":"int64"');
  return idxOutput || !anyInt64;
}

function compareOutputs(c, result, expected, tol) {
  const outs = Array.isArray(result) ? result : [result];
  if (outs.length < expected.length) return `outputs: ${outs.length} outputs, torch ${expected.length}`;
  for (let k = 0; k < expected.length; k++) {
    const o = outs[k], e = expected[k];
    const tag = expected.length > 1 ? `#${k} ` : '';
    if (!o || typeof o.toTypedArray !== 'function') return `outputs: ${tag}not a tensor`;
    if (!allowedDtype(c, e, k, o.dtype)) return `dtype: ${tag}${o.dtype} vs torch ${e.dtype}`;
    if (JSON.stringify(o.shape) !== JSON.stringify(e.shape)) return `shape: ${tag}[${o.shape}] vs torch [${e.shape}]`;
    const d = compareValues(valuesOf(o), e.values, e.dtype in FLOAT_FORMAT ? e.dtype : o.dtype, tol);
    if (d) return `${tag}${d}`;
  }
  return null;
}

/**
 * How ours differs from torch in case c: null for agreement. Where torch rejects the op, ours agrees
 * when it throws an Error with a message, or returns the design's answer (c.expect.ref: the op in
 * float32, rounded once) or, with no ref, any tensor ('rejects: ...' notes are returned in `note`).
 */
function replay(c) {
  let result;
  try {
    result = run(c.call);
  } catch (e) {
    if (!c.expect.torchRejects) return { diff: `threw: ${e && e.message}` };
    if (!(e instanceof Error || (e && typeof e.message === 'string')) || !e.message)
      return { diff: `threw a non-Error: ${String(e)}` };
    return { diff: null, note: `torch rejects, ours throws: ${e.message}` };
  }
  if (!c.expect.torchRejects) return { diff: compareOutputs(c, result, c.expect, c.tol) };
  if (!c.expect.ref) return { diff: null, note: 'torch rejects, ours returns a value (no reference)' };
  const d = compareOutputs(c, result, c.expect.ref, c.tol);
  return d ? { diff: `ref ${d}` } : { diff: null, note: 'torch rejects, ours matches float32 math rounded once' };
}

module.exports = { loadCases, replay, build };
