// Pictures of training: curves (loss, accuracy, learning rate vs step) and bar charts, as SVG (PNG
// too where rsvg-convert or ImageMagick is installed). Needs the optional vega and vega-lite packages.
//
//   await tf.utils.plot.plotScalars({ 'loss/train': [[0, 2.3], [1, 0.9]] }, 'out/curves.svg');
import { curvesSpec, panelsFromScalars, barSpec, Panel, Bar, BarOptions } from './charts';
import { writeChart, WriteOptions } from './render';
import { scatterSpec, ScatterPanel, ScatterOptions } from './scatter';

export { curvesSpec, panelsFromScalars, barSpec } from './charts';
export type { Panel, Series, Bar, BarOptions } from './charts';
export { renderSvg, writeChart, svgToPng, rasteriser, plottingAvailable, PLOT_PACKAGES } from './render';
export type { VegaLiteSpec, WriteOptions } from './render';
export { scatterSpec } from './scatter';
export type { ScatterPanel, ScatterOptions } from './scatter';

/** Options of plotCurves / plotScalars. */
export interface CurvesOptions extends WriteOptions {
  /** The picture's title. */
  title?: string;
  /** A subtitle. */
  subtitle?: string;
  /** The x axis label of every panel (default 'step'). */
  xLabel?: string;
}

/** Draws panels of curves to `file` (.svg, or .png); returns the files written. */
export function plotCurves(panels: Panel[], file: string, opts: CurvesOptions = {}): Promise<string[]> {
  return writeChart(curvesSpec(panels, opts.title, opts.subtitle), file, opts);
}

/** Draws TensorBoard-style scalars ({'loss/train': [[step, value], ...], 'lr': ...}) as curves. */
export function plotScalars(scalars: Map<string, Array<[number, number]>> | Record<string, Array<[number, number]>>, file: string,
  opts: CurvesOptions = {}): Promise<string[]> {
  return plotCurves(panelsFromScalars(scalars, opts.xLabel), file, opts);
}

/** Draws a horizontal bar chart to `file` (.svg, or .png); returns the files written. */
export function plotBars(bars: Bar[], file: string, opts: BarOptions & WriteOptions): Promise<string[]> {
  return writeChart(barSpec(bars, opts), file, opts);
}

/** Draws panels of points coloured by group (e.g. a 2-D embedding coloured by class). */
export function plotScatter(panels: ScatterPanel[], file: string, opts: ScatterOptions & WriteOptions = {}): Promise<string[]> {
  return writeChart(scatterSpec(panels, opts), file, opts);
}
