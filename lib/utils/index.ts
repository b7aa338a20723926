// Tools around training.
export * as tensorboard from './tensorboard';
