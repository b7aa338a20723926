// Serialized Summary messages for the scalar, histogram, text and hparams dashboards. Field numbers
// are those of the published TensorBoard protos (tensorboard/compat/proto/summary.proto,
// histogram.proto, tensor.proto, tensor_shape.proto and tensorboard/plugins/hparams/api.proto,
// plugin_data.proto; google/protobuf/struct.proto); tags and plugin payloads follow what PyTorch's
// torch.utils.tensorboard writes, so TensorBoard shows both alike.
import { ProtoWriter } from './protobuf';

// Summary / Summary.Value / SummaryMetadata.
const SUMMARY_VALUE = 1;
const VALUE_TAG = 1;
const VALUE_SIMPLE = 2;
const VALUE_HISTO = 5;
const VALUE_TENSOR = 8;
const VALUE_METADATA = 9;
const METADATA_PLUGIN_DATA = 1;
const PLUGIN_NAME = 1;
const PLUGIN_CONTENT = 2;

function summaryOf(value: ProtoWriter): Uint8Array {
  return new ProtoWriter().message(SUMMARY_VALUE, value).finish();
}

function pluginMetadata(plugin: string, content: Uint8Array): ProtoWriter {
  const pd = new ProtoWriter().string(PLUGIN_NAME, plugin);
  if (content.length) pd.bytes(PLUGIN_CONTENT, content);
  return new ProtoWriter().message(METADATA_PLUGIN_DATA, pd);
}

export function scalarSummary(tag: string, value: number): Uint8Array {
  return summaryOf(new ProtoWriter().string(VALUE_TAG, tag).float(VALUE_SIMPLE, value));
}

export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Right edge of each bucket (the first bucket starts at `min`). */
  bucketLimit: number[];
  bucket: number[];
}

/**
 * `bins` equal-width buckets between the smallest and largest value (TensorBoard re-bins for
 * display, so the choice only sets the resolution). Sums are accumulated in float64.
 */
export function histogram(values: ArrayLike<number>, bins: number): Histogram {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  const n = values.length;
  if (min === max) return { min, max, num: n, sum, sumSquares, bucketLimit: [max], bucket: [n] };
  const width = (max - min) / bins;
  const bucket = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) bucket[Math.min(bins - 1, Math.floor((values[i] - min) / width))]++;
  const bucketLimit = bucket.map((_, i) => (i === bins - 1 ? max : min + (i + 1) * width));
  return { min, max, num: n, sum, sumSquares, bucketLimit, bucket };
}

export function histogramSummary(tag: string, h: Histogram): Uint8Array {
  const proto = new ProtoWriter()
    .double(1, h.min).double(2, h.max).double(3, h.num).double(4, h.sum).double(5, h.sumSquares)
    .packedDoubles(6, h.bucketLimit).packedDoubles(7, h.bucket);
  return summaryOf(new ProtoWriter().string(VALUE_TAG, tag).message(VALUE_HISTO, proto));
}

// TensorProto / TensorShapeProto; DataType DT_STRING = 7 (tensorboard/compat/proto/types.proto).
const DT_STRING = 7;

/** A rank-1 string tensor of one element, the text plugin's format (PyTorch adds the /text_summary suffix). */
export function textSummary(tag: string, text: string): Uint8Array {
  const shape = new ProtoWriter().message(2, new ProtoWriter().varint(1, 1));
  const tensor = new ProtoWriter().varint(1, DT_STRING).message(2, shape).string(8, text);
  // TextPluginData{version: 0} serializes to no bytes.
  const value = new ProtoWriter().string(VALUE_TAG, `${tag}/text_summary`)
    .message(VALUE_METADATA, pluginMetadata('text', new Uint8Array(0))).message(VALUE_TENSOR, tensor);
  return summaryOf(value);
}

/** A hyperparameter or metric value addHparams accepts. */
export type HParamValue = number | string | boolean;

// hparams plugin: HParamsPluginData{version = 1, experiment = 2, session_start_info = 3, session_end_info = 4}.
export const HPARAMS_TAGS = {
  experiment: '_hparams_/experiment',
  sessionStart: '_hparams_/session_start_info',
  sessionEnd: '_hparams_/session_end_info',
};
const HPARAMS_DATA_TYPE = { string: 1, boolean: 2, number: 3 } as const; // api.proto DataType
const STATUS_SUCCESS = 1;

/** google.protobuf.Value: number_value = 2, string_value = 3, bool_value = 4. */
function structValue(v: HParamValue): ProtoWriter {
  const w = new ProtoWriter();
  if (typeof v === 'number') return w.double(2, v);
  if (typeof v === 'string') return w.string(3, v);
  return w.varint(4, v);
}

function hparamsSummary(tag: string, field: number, payload: ProtoWriter): Uint8Array {
  // version 0 is the default, so only the payload is written.
  const content = new ProtoWriter().message(field, payload).finish();
  return summaryOf(new ProtoWriter().string(VALUE_TAG, tag).message(VALUE_METADATA, pluginMetadata('hparams', content)));
}

/** The three summaries PyTorch's add_hparams writes: experiment, session start, session end. */
export function hparamsSummaries(hparams: Record<string, HParamValue>, metrics: string[]): Uint8Array[] {
  const experiment = new ProtoWriter();
  const start = new ProtoWriter();
  for (const [name, v] of Object.entries(hparams)) {
    experiment.message(4, new ProtoWriter().string(1, name).varint(4, HPARAMS_DATA_TYPE[typeof v as keyof typeof HPARAMS_DATA_TYPE]));
    // map<string, Value> hparams = 1: each entry a message {key = 1, value = 2}.
    start.message(1, new ProtoWriter().string(1, name).message(2, structValue(v)));
  }
  for (const m of metrics) experiment.message(5, new ProtoWriter().message(1, new ProtoWriter().string(2, m)));
  const end = new ProtoWriter().varint(1, STATUS_SUCCESS);
  return [
    hparamsSummary(HPARAMS_TAGS.experiment, 2, experiment),
    hparamsSummary(HPARAMS_TAGS.sessionStart, 3, start),
    hparamsSummary(HPARAMS_TAGS.sessionEnd, 4, end),
  ];
}
