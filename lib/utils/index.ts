// Tools around training.
export * as tensorboard from './tensorboard';
export * as plot from './plot';
