// Chart specifications (Vega-Lite) for the pictures tensorfold draws: training curves and
// horizontal bar charts. Only data shaping and presentation choices live here; render.ts draws.
import { VegaLiteSpec } from './render';
import { rangeError } from '../../errors';

/** One curve: (step, value) pairs. */
export interface Series {
  /** The curve's name, shown in the legend. */
  name: string;
  /** (step, value) pairs. */
  points: Array<[number, number]>;
  /** A shaded band in the curve's colour, (x, low, high) triples: a spread over seeds, an interval. */
  band?: Array<[number, number, number]>;
}

/** One chart of the picture, with its curves. */
export interface Panel {
  /** The chart's title. */
  title: string;
  /** The y axis label. */
  yLabel: string;
  /** The curves drawn in this chart. */
  series: Series[];
  /** The x axis label (default 'step'). */
  xLabel?: string;
  /** 'linear' (default) or 'log' (for sizes such as widths; the x values must be positive). */
  xScale?: 'log' | 'linear';
  /** 'log', 'linear', or 'auto' (log when the values are positive and span more than a decade). */
  yScale?: 'log' | 'linear' | 'auto';
  /** A d3 format for the y axis, e.g. '.0%' for accuracies. */
  yFormat?: string;
  /** Smooth long curves (default true; false for a schedule such as the learning rate). */
  smooth?: boolean;
}

const WIDTH = 330;
const HEIGHT = 220;
/** @internal The shared look of every chart: readable sizes, a white background (PNG has no page behind it). */
export const CONFIG = {
  background: 'white',
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  title: { fontSize: 15, subtitleFontSize: 11, anchor: 'start' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridOpacity: 0.6 },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', direction: 'horizontal' },
  view: { stroke: '#bbb' },
};

function spansDecades(series: Series[]): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (const s of series)
    for (const [, v] of s.points) {
      if (!Number.isFinite(v)) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  return min > 0 && max / min > 10;
}

// Curves with this many points or fewer get a marker per point: a one-point series (a test set
// evaluated once) would otherwise not show at all.
const MARKERS_UP_TO = 40;
// Longer curves (per-batch losses) are drawn faint as they are, with a smoothed line over them.
const SMOOTH_FROM = 100;

/**
 * Centred moving average over about a twentieth of the run (narrower near the ends). Unlike
 * an exponential average it does not lag behind the curve: the picture is drawn after training.
 */
function smooth(values: number[]): number[] {
  const half = Math.max(1, Math.round(values.length / 40));
  const prefix = [0];
  for (const v of values) prefix.push(prefix[prefix.length - 1] + v);
  return values.map((_, i) => {
    // Symmetric at the ends too, so the first and last points stay where they are.
    const h = Math.min(half, i, values.length - 1 - i);
    const lo = i - h;
    const hi = i + h + 1;
    return (prefix[hi] - prefix[lo]) / (hi - lo);
  });
}

function panelSpec(p: Panel, xDomain: [number, number]): VegaLiteSpec {
  let smoothed = false;
  const values = p.series.flatMap((s) => {
    const pts = s.points.filter(([, v]) => Number.isFinite(v));
    const long = p.smooth !== false && pts.length >= SMOOTH_FROM;
    smoothed ||= long;
    const line = long ? smooth(pts.map(([, v]) => v)) : pts.map(([, v]) => v);
    return pts.map(([step, value], i) => ({ step, value, line: line[i], series: s.name, marked: pts.length <= MARKERS_UP_TO, raw: long }));
  });
  // Band rows carry only lo/hi, so the curve layers below skip them.
  const bands = p.series.flatMap((s) => (s.band ?? []).filter(([, lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi))
    .map(([step, lo, hi]) => ({ step, lo, hi, series: s.name, band: true })));
  const log = p.yScale === 'log' || ((p.yScale ?? 'auto') === 'auto' && spansDecades(p.series));
  const y = (field: string) => ({
    field, type: 'quantitative', title: p.yLabel,
    scale: log ? { type: 'log', nice: false, padding: 8 } : { zero: false, padding: 6 },
    axis: p.yFormat ? { format: p.yFormat } : log ? { format: '~g' } : {},
  });
  const encoding = {
    x: { field: 'step', type: 'quantitative', title: p.xLabel ?? 'step',
      scale: { ...(p.xScale === 'log' ? { type: 'log' } : {}), domain: xDomain, nice: false, padding: 8 }, axis: { tickMinStep: 1, format: '~s' } },
    // One curve needs no legend: the panel's title names it.
    color: { field: 'series', type: 'nominal', title: null, sort: p.series.map((s) => s.name), legend: p.series.length > 1 ? { labelLimit: 300, symbolOpacity: 1 } : null },
  };
  const notes = [log && 'log scale', smoothed && 'smoothed; faint: each value'].filter(Boolean).join(', ');
  return {
    title: { text: p.title, subtitle: notes || undefined },
    width: WIDTH,
    height: HEIGHT,
    data: { values: [...bands, ...values] },
    encoding,
    layer: [
      ...(bands.length ? [{ transform: [{ filter: 'datum.band' }], mark: { type: 'area', opacity: 0.2, clip: true }, encoding: { y: y('lo'), y2: { field: 'hi' } } }] : []),
      { transform: [{ filter: 'datum.raw' }], mark: { type: 'line', strokeWidth: 1, opacity: 0.25, clip: true }, encoding: { y: y('value') } },
      { transform: [{ filter: '!datum.band' }], mark: { type: 'line', strokeWidth: 2, clip: true }, encoding: { y: y('line'), tooltip: [{ field: 'series' }, { field: 'step' }, { field: 'value', format: '.4g' }] } },
      { transform: [{ filter: 'datum.marked' }], mark: { type: 'point', filled: true, size: 36, opacity: 1, clip: true }, encoding: { y: y('value') } },
    ],
  };
}

/** Several panels side by side (wrapping after three), each with its own legend. */
export function curvesSpec(panels: Panel[], title?: string, subtitle?: string): VegaLiteSpec {
  if (panels.length === 0) throw rangeError('plot: no curves to draw');
  // Panels with the same x label share one x range, so that a step lines up across them; a single
  // x value is widened (by a factor on a log axis, which cannot hold 0).
  const domains = new Map<string, [number, number]>();
  for (const p of panels) {
    const key = p.xLabel ?? 'step';
    let [lo, hi] = domains.get(key) ?? [Infinity, -Infinity];
    for (const s of p.series) for (const [x] of s.points) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
    domains.set(key, [lo, hi]);
  }
  const xDomain = (p: Panel): [number, number] => {
    let [lo, hi] = domains.get(p.xLabel ?? 'step') as [number, number];
    if (p.xScale === 'log') {
      if (!Number.isFinite(lo)) [lo, hi] = [1, 10];
      if (lo <= 0) throw rangeError(`plot: panel '${p.title}' has a log x axis but an x value ${lo} <= 0`);
      return lo === hi ? [lo / 2, hi * 2] : [lo, hi];
    }
    if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
    return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: title ? { text: title, subtitle, fontSize: 17 } : undefined,
    columns: Math.min(3, panels.length),
    concat: panels.map((p) => panelSpec(p, xDomain(p))),
    resolve: { scale: { color: 'independent', y: 'independent' } },
    config: CONFIG,
  };
}

const PANEL_STYLE: Array<{ match: RegExp; title: string; yLabel: string; yScale: Panel['yScale']; yFormat?: string; smooth?: boolean }> = [
  { match: /loss/i, title: 'Loss', yLabel: 'loss', yScale: 'auto' },
  { match: /acc/i, title: 'Accuracy', yLabel: 'accuracy', yScale: 'linear', yFormat: '.0%' },
  { match: /^(lr|learning.?rate)$/i, title: 'Learning rate', yLabel: 'learning rate', yScale: 'auto', yFormat: '.1e', smooth: false },
];

/**
 * Panels from TensorBoard-style tags: `loss/train` and `loss/test` share the panel `loss` as two
 * curves; a tag without a slash is a panel of one curve. Loss, accuracy and learning rate get
 * titles, scales and formats suited to them; panels keep the order their tags first appear in.
 */
export function panelsFromScalars(scalars: Map<string, Array<[number, number]>> | Record<string, Array<[number, number]>>, xLabel = 'step'): Panel[] {
  const entries = scalars instanceof Map ? [...scalars.entries()] : Object.entries(scalars);
  const panels = new Map<string, Panel>();
  for (const [tag, points] of entries) {
    const slash = tag.indexOf('/');
    const group = slash < 0 ? tag : tag.slice(0, slash);
    const name = slash < 0 ? tag : tag.slice(slash + 1);
    let p = panels.get(group);
    if (!p) {
      const style = PANEL_STYLE.find((s) => s.match.test(group));
      p = style
        ? { title: style.title, yLabel: style.yLabel, yScale: style.yScale, yFormat: style.yFormat, smooth: style.smooth, series: [], xLabel }
        : { title: group, yLabel: group, series: [], xLabel };
      panels.set(group, p);
    }
    p.series.push({ name, points });
  }
  // Loss, accuracy, learning rate first, in that order; other panels after, as they came.
  const rank = (p: Panel) => {
    const i = PANEL_STYLE.findIndex((st) => st.title === p.title);
    return i < 0 ? PANEL_STYLE.length : i;
  };
  // A panel of one named curve has no legend, so its axis names the curve: 'loss: train (mse)'.
  for (const [group, p] of panels) if (p.series.length === 1 && p.series[0].name !== group) p.yLabel = `${p.yLabel}: ${p.series[0].name}`;
  return [...panels.values()].map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map(({ p }) => p);
}

/** One bar of plotBars. */
export interface Bar {
  /** The bar's label on the y axis. */
  label: string;
  /** The bar's length. */
  value: number;
  /** Colour group, e.g. 'faster' / 'slower'. */
  group?: string;
  /** Text shown at the end of the bar (default: the value). */
  text?: string;
}

/** Options of plotBars / barSpec. */
export interface BarOptions {
  /** The chart's title. */
  title: string;
  /** A subtitle (one line, or several). */
  subtitle?: string | string[];
  /** The x axis label. */
  xLabel: string;
  /** A logarithmic x axis (default false). */
  logX?: boolean;
  /** A vertical reference line, e.g. parity at 1. */
  rule?: number;
  /** The value axis' extent (default: from the data). */
  domain?: [number, number];
  /** Colours per group, in the order given. */
  groups?: Array<{ name: string; color: string }>;
}

function logFloor(bars: Bar[]): number {
  const min = Math.min(...bars.map((b) => b.value).filter((v) => v > 0));
  return Number.isFinite(min) ? 10 ** Math.floor(Math.log10(min)) : 1;
}

/** Horizontal bars, one per label, top to bottom in the order given. */
export function barSpec(bars: Bar[], o: BarOptions): VegaLiteSpec {
  if (bars.length === 0) throw rangeError('plot: no bars to draw');
  const values = bars.map((b) => ({ label: b.label, value: b.value, group: b.group ?? '', text: b.text ?? String(b.value) }));
  const y = { field: 'label', type: 'nominal', title: null, sort: bars.map((b) => b.label), axis: { labelFontSize: 12 } };
  const x = { field: 'value', type: 'quantitative', title: o.xLabel, scale: { ...(o.logX ? { type: 'log' } : {}), ...(o.domain ? { domain: o.domain } : {}) } };
  const color = o.groups
    ? { field: 'group', type: 'nominal', title: null, legend: { labelLimit: 400 }, scale: { domain: o.groups.map((g) => g.name), range: o.groups.map((g) => g.color) } }
    : { value: '#4c78a8' };
  const layers: VegaLiteSpec[] = [
    // On a log axis a bar needs a finite start: it grows from the reference line, or from the
    // power of ten below the smallest value.
    { mark: { type: 'bar', height: { band: 0.7 } }, encoding: { y, x, x2: o.logX ? { datum: o.rule ?? logFloor(bars) } : undefined, color } },
  ];
  // Labels sit past the end of each bar: right of bars that grow rightwards, left of the others.
  const base = o.rule ?? (o.logX ? logFloor(bars) : 0);
  for (const [side, test] of [['left', `datum.value >= ${base}`], ['right', `datum.value < ${base}`]] as const)
    layers.push({ transform: [{ filter: test }], mark: { type: 'text', align: side, dx: side === 'left' ? 5 : -5, fontSize: 11 },
      encoding: { y, x, text: { field: 'text' } } });
  if (o.rule !== undefined) layers.push({ mark: { type: 'rule', color: '#333', strokeDash: [4, 3] }, encoding: { x: { datum: o.rule } } });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: o.title, subtitle: o.subtitle },
    width: 520,
    height: { step: 26 },
    data: { values },
    layer: layers,
    config: CONFIG,
  };
}
