// `tensorfold bench --plot FILE`: the benchmark as a bar chart. With --compare, one bar per
// workload for tensorfold's time over PyTorch's (log scale, so 2× faster and 2× slower are bars of
// the same length either side of parity); without, tensorfold's time per step. Drawing needs the
// vega and vega-lite packages (development dependencies), loaded only when --plot is given.
import { plotBars, Bar } from '../utils/plot';
import { Row, fmt } from './runner';

export interface PlotHeader {
  version?: string;
  blas?: string;
  simd?: string;
  threads?: number;
  torchVersion?: string;
}

const FASTER = { name: 'tensorfold faster', color: '#4c9a55' };
const SAME = { name: 'about the same (±2%)', color: '#9e9e9e' };
const SLOWER = { name: 'tensorfold slower', color: '#d6604d' };

function machine(h: PlotHeader): string {
  const parts = [h.version && `tensorfold ${h.version}`, h.blas && `BLAS ${h.blas}`, h.simd && `SIMD ${h.simd}`,
    h.threads !== undefined && `${h.threads} thread(s)`, h.torchVersion && `vs PyTorch ${h.torchVersion}`];
  return parts.filter(Boolean).join(', ');
}

function ratioDomain(ratios: number[]): [number, number] {
  const widest = Math.max(2, ...ratios.map((q) => Math.max(q, 1 / q)));
  const m = 2 ** Math.ceil(Math.log2(widest * 1.8));
  return [1 / m, m];
}

/** Writes the chart of `rows` to `file` (.svg; .png where a rasteriser exists); returns the files written. */
export function plotBench(rows: Row[], file: string, head: PlotHeader = {}): Promise<string[]> {
  const compared = rows.filter((r) => r.timeRatio !== undefined && Number.isFinite(r.timeRatio));
  const left = (list: Row[]) => rows.filter((r) => !list.includes(r)).map((r) => r.workload);
  if (compared.length) {
    const bars: Bar[] = compared.map((r) => {
      const q = r.timeRatio as number;
      const same = Math.abs(q - 1) < 0.02;
      return {
        label: r.workload, value: q,
        group: same ? SAME.name : q < 1 ? FASTER.name : SLOWER.name,
        text: `${q.toFixed(2)}  (${same ? 'same' : q < 1 ? `${(1 / q).toFixed(2)}× faster` : `${q.toFixed(2)}× slower`})`,
      };
    });
    const missing = left(compared);
    return plotBars(bars, file, {
      title: 'tensorfold vs PyTorch: time ratio per workload',
      subtitle: [machine(head), 'ratio = tensorfold time / PyTorch time for the same work; below 1 (left of the line): tensorfold is faster',
        ...(missing.length ? [`not compared: ${missing.join(', ')}`] : [])].filter(Boolean),
      xLabel: 'tensorfold time / PyTorch time (log scale)',
      logX: true,
      rule: 1,
      // Symmetric about parity, with room for the labels: 2× faster and 2× slower look alike.
      domain: ratioDomain(compared.map((r) => r.timeRatio as number)),
      groups: [FASTER, SAME, SLOWER],
    });
  }
  const timed = rows.filter((r) => r.msPerStep !== undefined && r.msPerStep > 0);
  if (!timed.length) throw new RangeError('plotBench: no workload has a timing to plot');
  const missing = left(timed);
  return plotBars(timed.map((r) => ({ label: r.workload, value: r.msPerStep as number, text: r.unit.startsWith('ms') ? `${fmt(r.msPerStep)} ms` : `${fmt(r.msPerStep)} ms  (${fmt(r.value)} ${r.unit})` })), file, {
    title: 'tensorfold: time per step',
    subtitle: [machine(head), 'median wall time of one step; run with --compare for the ratio to PyTorch',
      ...(missing.length ? [`not timed: ${missing.join(', ')}`] : [])].filter(Boolean),
    xLabel: 'milliseconds per step (log scale)',
    logX: true,
  });
}
