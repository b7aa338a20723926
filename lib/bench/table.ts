// Renders benchmark rows as a plain-text table for the terminal.
import { Row, TorchInfo, fmt } from './runner';

export interface Header {
  version: string;
  blas: string;
  simd: string;
  threads: number;
}

function pad(s: string, n: number, right = false): string {
  // Count code points, not UTF-16 units, so 'µs/op' and '—' line up.
  const len = [...s].length;
  return len >= n ? s : right ? ' '.repeat(n - len) + s : s + ' '.repeat(n - len);
}

function verdict(ratio: number | undefined): string {
  if (ratio === undefined) return '';
  if (Math.abs(ratio - 1) < 0.02) return 'about the same';
  if (ratio > 1) return `${ratio.toFixed(2)}× slower`;
  return `${(1 / ratio).toFixed(2)}× faster`;
}

export function renderTable(rows: Row[], head: Header, torch: TorchInfo | null): string {
  const out: string[] = [];
  out.push(`tensorfold ${head.version}: BLAS ${head.blas}, SIMD ${head.simd}, ${head.threads} thread(s); float32, medians after warm-up`);
  if (torch) {
    if (torch.available) {
      const env = Object.entries(torch.env ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
      out.push(`PyTorch ${torch.version}: ${torch.threads} thread(s) (torch.set_num_threads)${env ? ', run with ' + env : ''}`);
    }
    else out.push(`PyTorch: not available, ${torch.reason}; showing tensorfold's figures only`);
  }
  const compare = !!torch && torch.available;
  if (compare)
    out.push('ratio = tensorfold time / PyTorch time for the same work (GFLOP/s rows converted to time first):',
      '        below 1 means tensorfold is faster; lower is better');
  out.push('');

  const cols = compare
    ? ['workload', 'tensorfold', 'PyTorch', 'unit', 'ratio', '']
    : ['workload', 'tensorfold', 'unit', ''];
  const cells = rows.map((r) => {
    const note = r.skipped ? `skipped: ${r.skipped}` : r.error ? `failed: ${r.error}` : r.torchError ? `PyTorch failed: ${r.torchError}` : '';
    if (!compare) return [r.workload, fmt(r.value), r.unit, note];
    const ratio = r.timeRatio === undefined ? '—' : r.timeRatio.toFixed(2);
    return [r.workload, fmt(r.value), fmt(r.torch), r.unit, ratio, note || verdict(r.timeRatio)];
  });
  const numeric = compare ? [false, true, true, false, true, false] : [false, true, false, false];
  const widths = cols.map((c, i) => Math.max([...c].length, ...cells.map((row) => [...row[i]].length)));
  const line = (row: string[]) => row.map((c, i) => pad(c, i === row.length - 1 ? 0 : widths[i], numeric[i])).join('  ').trimEnd();
  out.push(line(cols));
  out.push(line(widths.map((w, i) => (i === widths.length - 1 ? '' : '-'.repeat(w)))));
  for (const c of cells) out.push(line(c));
  return out.join('\n');
}
