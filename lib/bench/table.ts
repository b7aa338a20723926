// Renders benchmark rows as a plain-text table for the terminal.
import { describeLimits } from './limits';
import { Row, TorchInfo, benchState, fmt } from './runner';

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
  out.push(`tensorfold ${head.version}: BLAS ${head.blas}, SIMD ${head.simd}, ${head.threads} thread(s); float32 unless named, medians after warm-up`);
  if (benchState.limits) out.push(describeLimits(benchState.limits));
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
  out.push('limit = share of the machine limit the tensorfold row reaches (FMA peak for GFLOP/s rows, triad',
    '        bandwidth for the 16M-element rows, counting the bytes each op must read and write; the triad is',
    '        measured again just before and after each of those rows, the higher counting, as a shared',
    '        machine\'s bandwidth drifts)');
  out.push('');

  const cols = compare
    ? ['workload', 'tensorfold', 'PyTorch', 'unit', 'limit', 'ratio', '']
    : ['workload', 'tensorfold', 'unit', 'limit', ''];
  const cells = rows.map((r) => {
    const note = r.skipped ? `skipped: ${r.skipped}` : r.error ? `failed: ${r.error}` : r.torchError ? `PyTorch failed: ${r.torchError}` : '';
    const share = r.limitShare === undefined ? '' : `${(100 * r.limitShare).toFixed(0)}%`;
    if (!compare) return [r.workload, fmt(r.value), r.unit, share, note];
    const ratio = r.timeRatio === undefined ? '—' : r.timeRatio.toFixed(2);
    return [r.workload, fmt(r.value), fmt(r.torch), r.unit, share, ratio, note || verdict(r.timeRatio)];
  });
  const numeric = compare ? [false, true, true, false, true, true, false] : [false, true, false, true, false];
  const widths = cols.map((c, i) => Math.max([...c].length, ...cells.map((row) => [...row[i]].length)));
  const line = (row: string[]) => row.map((c, i) => pad(c, i === row.length - 1 ? 0 : widths[i], numeric[i])).join('  ').trimEnd();
  out.push(line(cols));
  out.push(line(widths.map((w, i) => (i === widths.length - 1 ? '' : '-'.repeat(w)))));
  for (const c of cells) out.push(line(c));
  const mem = rows.filter((r) => r.rss || r.rssError);
  if (mem.length) {
    const mib = (v?: { peakMiB: number; baseMiB: number }) => (v ? `${v.peakMiB.toFixed(0)} (${v.baseMiB.toFixed(0)} loaded)` : '—');
    out.push('', 'peak resident memory, MiB: one child process per row and side runs a few steps (in brackets:',
      'the process after loading the library, before the workload)');
    const mc = compare ? ['workload', 'tensorfold', 'PyTorch', 'ratio', ''] : ['workload', 'tensorfold', ''];
    const mcells = mem.map((r) => {
      const ratio = r.rss && r.torchRss ? (r.rss.peakMiB / r.torchRss.peakMiB).toFixed(2) : '—';
      return compare ? [r.workload, mib(r.rss), mib(r.torchRss), ratio, r.rssError ?? '']
        : [r.workload, mib(r.rss), r.rssError ?? ''];
    });
    const mw = mc.map((c, i) => Math.max([...c].length, ...mcells.map((row) => [...row[i]].length)));
    const mline = (row: string[]) => row.map((c, i) => pad(c, i === row.length - 1 ? 0 : mw[i], i > 0 && i < row.length - 1)).join('  ').trimEnd();
    out.push(mline(mc), mline(mw.map((w, i) => (i === mw.length - 1 ? '' : '-'.repeat(w)))));
    for (const c of mcells) out.push(mline(c));
  }
  return out.join('\n');
}
