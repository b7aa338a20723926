// A one-line progress bar for training loops. On a terminal it redraws in place (at most ~10 times
// a second, so drawing costs nothing next to a training step); when output is a file or a CI log it
// stays silent until `done`, which prints one summary line, so logs hold no bar fragments.
export class Progress {
  private readonly start = Date.now();
  private lastDraw = 0;
  private readonly tty = !!process.stderr.isTTY;

  constructor(private readonly total: number, private readonly label: string, private readonly width = 28) {}

  /** Marks `count` steps done; `info` (e.g. {loss: 0.31}) is shown after the bar. */
  update(count: number, info: Record<string, number | string> = {}): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && count < this.total) return;
    this.lastDraw = now;
    const frac = this.total ? Math.min(1, count / this.total) : 1;
    const filled = Math.round(frac * this.width);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled ? (frac < 1 ? '>' : '=') : '') + ' '.repeat(this.width - filled);
    const secs = (now - this.start) / 1000;
    const eta = count ? (secs / count) * (this.total - count) : 0;
    const line = `${this.label} [${bar}] ${count}/${this.total} ${fmtInfo(info)} ${secs.toFixed(1)}s` +
      (count < this.total ? ` eta ${eta.toFixed(0)}s` : '');
    process.stderr.write('\r' + line.padEnd(100).slice(0, Math.max(100, line.length)));
  }

  /** Ends the bar and prints a summary line (on stdout, so it lands in logs). */
  done(info: Record<string, number | string> = {}): number {
    const secs = (Date.now() - this.start) / 1000;
    if (this.tty) process.stderr.write('\r' + ' '.repeat(100) + '\r');
    console.log(`${this.label} ${fmtInfo(info)} (${secs.toFixed(1)}s)`);
    return secs;
  }
}

function fmtInfo(info: Record<string, number | string>): string {
  return Object.entries(info)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v}`)
    .join('  ');
}
