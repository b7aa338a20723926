// What an example shows of its training: every scalar goes to TensorBoard (with --logdir) and into
// a picture of the curves, <out>/<name>.svg (and .png where rsvg-convert or ImageMagick exists).
//
//   const log = new RunLog('mnist_mlp', args);
//   log.scalar('loss/train', loss, step);      // tags 'group/curve': one panel per group
//   await log.close({ 'test/accuracy': acc });  // hparams row, flush, draw
import * as path from 'path';
import { tf, Tensor } from './tf';
import { hparamsOf } from './args';

type Writer = InstanceType<typeof tf.utils.tensorboard.SummaryWriter>;

export class RunLog {
  private readonly writer: Writer | null;
  private readonly scalars = new Map<string, Array<[number, number]>>();

  constructor(readonly name: string, private readonly args: { logdir: string; out: string } & Record<string, string | number | boolean>,
    private readonly xLabel = 'step') {
    this.writer = args.logdir ? new tf.utils.tensorboard.SummaryWriter(args.logdir) : null;
    // The command line, for the text dashboard.
    this.writer?.addText('command', '`' + ['node', `examples/dist/${name}.js`, ...process.argv.slice(2)].join(' ') + '`');
  }

  scalar(tag: string, value: number, step: number): void {
    this.writer?.addScalar(tag, value, step);
    let points = this.scalars.get(tag);
    if (!points) this.scalars.set(tag, (points = []));
    points.push([step, value]);
  }

  /** Every scalar logged so far, by tag, as [step, value] pairs (JSON-able: for a checkpoint). */
  history(): Record<string, Array<[number, number]>> {
    return Object.fromEntries([...this.scalars].map(([tag, points]) => [tag, points.map((p) => [p[0], p[1]] as [number, number])]));
  }

  /**
   * Puts back the scalars of the run this one resumes (from history()), so that the picture shows the
   * whole run. They are not written to TensorBoard again: the earlier run's event files hold them.
   */
  restore(history: Record<string, Array<[number, number]>>): void {
    for (const [tag, points] of Object.entries(history)) this.scalars.set(tag, [...points.map((p) => [p[0], p[1]] as [number, number]), ...(this.scalars.get(tag) ?? [])]);
  }

  /** The distribution of each parameter (TensorBoard only; pictures hold curves). */
  histograms(params: Array<[string, Tensor]>, step: number): void {
    if (!this.writer) return;
    for (const [name, t] of params) this.writer.addHistogram(`params/${name}`, t.detach(), step);
  }

  /**
   * Ends the run: the final metrics and the options go to the hparams dashboard, the event files
   * are flushed, and the curves are drawn. A missing charting package is a note, not a failure:
   * the training itself has succeeded.
   */
  async close(metrics: Record<string, number> = {}, title = this.name): Promise<void> {
    if (this.writer) {
      this.writer.addHparams(hparamsOf(this.args), metrics, { runName: 'hparams' });
      this.writer.close();
      console.log(`TensorBoard logs: ${this.args.logdir} (tensorboard --logdir ${this.args.logdir})`);
    }
    if (this.scalars.size === 0) return;
    if (!tf.utils.plot.plottingAvailable()) {
      console.log(`(no pictures: they need \`npm install --save-dev ${tf.utils.plot.PLOT_PACKAGES}\`)`);
      return;
    }
    const file = path.join(this.args.out, `${this.name}.svg`);
    const written = await tf.utils.plot.plotScalars(this.scalars, file, { title, xLabel: this.xLabel });
    console.log(`curves: ${written.join(', ')}`);
  }
}
