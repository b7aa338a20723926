// Scatter plots: points coloured by a group, in panels side by side (embeddings of two models,
// samples beside data). Every panel shares one colour per group, so a class keeps its colour
// from panel to panel, and one legend.
import { CONFIG } from './charts';
import { VegaLiteSpec } from './render';
import { rangeError } from '../../errors';

/** One panel: (x, y, group) triples. */
export interface ScatterPanel {
  /** The panel's title. */
  title: string;
  /** (x, y, group) triples; the group picks the colour. */
  points: Array<[number, number, string]>;
  /** The x axis label (default 'x'). */
  xLabel?: string;
  /** The y axis label (default 'y'). */
  yLabel?: string;
}

/** Options of plotScatter / scatterSpec. */
export interface ScatterOptions {
  /** The picture's title. */
  title?: string;
  /** A subtitle (one line, or several). */
  subtitle?: string | string[];
  /** The legend's title (default: none). */
  groupTitle?: string;
  /** Point area in square pixels (default 14: thousands of points stay readable). */
  size?: number;
  /** The groups' order in the legend and colour scale (default: as they first appear). */
  groups?: string[];
  /** Panels per row (default: up to three). */
  columns?: number;
}

const SIDE = 300;

/** Panels of points, wrapping after three; groups are coloured in the order they first appear. */
export function scatterSpec(panels: ScatterPanel[], o: ScatterOptions = {}): VegaLiteSpec {
  if (!Array.isArray(panels) || panels.length === 0) throw rangeError('plot: no scatter panels to draw');
  const groups: string[] = [...(o.groups ?? [])];
  const seen = new Set<string>(groups);
  for (const p of panels)
    for (const [, , g] of p.points) if (!seen.has(g)) { seen.add(g); groups.push(g); }
  const color = { field: 'group', type: 'nominal', title: o.groupTitle ?? null, sort: groups, scale: { domain: groups }, legend: { symbolOpacity: 1, columns: Math.min(groups.length, 10) } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title ? { text: o.title, subtitle: o.subtitle, fontSize: 17 } : undefined,
    columns: o.columns ?? Math.min(3, panels.length),
    concat: panels.map((p) => ({
      title: p.title,
      width: SIDE,
      height: SIDE,
      data: { values: p.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y, group]) => ({ x, y, group })) },
      mark: { type: 'circle', size: o.size ?? 14, opacity: 0.7 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: p.xLabel ?? 'x', scale: { zero: false, nice: false, padding: 6 } },
        y: { field: 'y', type: 'quantitative', title: p.yLabel ?? 'y', scale: { zero: false, nice: false, padding: 6 } },
        color,
      },
    })),
    resolve: { scale: { color: 'shared', x: 'independent', y: 'independent' } },
    config: CONFIG,
  };
}
