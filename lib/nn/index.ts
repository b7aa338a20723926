// tf.nn: modules, layers, losses, initialisers.
//
//   const model = new tf.nn.Sequential(new tf.nn.Linear(4, 16), new tf.nn.ReLU(), new tf.nn.Linear(16, 3));
//   const loss = tf.F.crossEntropy(model.forward(x), labels);   // labels: int32 class indices
//   loss.backward();
export { Module, Sequential, ModuleList, ModuleDict, Parameter, isParameter } from './module';
export type { LoadStateDictResult } from './module';
export {
  Linear, Conv1d, Conv2d, MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d, BatchNorm2d,
  LayerNorm, Dropout, Embedding, Identity, ReLU, GELU, Tanh, Sigmoid, SiLU, Softplus, ELU, LeakyReLU, Softmax,
  LogSoftmax, Flatten,
} from './layers';
export type { FactoryOptions, ConvOptions, BatchNormOptions } from './layers';
export { RNN, GRU, LSTM, RNNCell, GRUCell, LSTMCell } from './rnn';
export type { RNNOptions } from './rnn';
export { MultiheadAttention, TransformerEncoderLayer } from './attention';
export type { MultiheadAttentionOptions, AttentionCallOptions, TransformerEncoderLayerOptions } from './attention';
export * as functional from './functional';
export * as init from './init';
export * as utils from './utils';
export type { Summary, SummaryRow, SummaryOptions, OutputShape } from './summary';
