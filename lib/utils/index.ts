// Tools around training.
/** tf.utils.tensorboard: SummaryWriter, writing TensorBoard event files (scalars, histograms, text, hparams). */
export * as tensorboard from './tensorboard';
/**
 * tf.utils.plot: training curves and bar charts as SVG (and PNG), drawn with the optional vega and vega-lite packages.
 */
export * as plot from './plot';
