// TensorBoard event files, written without TensorFlow: `tf.utils.tensorboard.SummaryWriter`.
export { SummaryWriter } from './writer';
export type { SummaryWriterOptions, HParamValue } from './writer';
