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
/** tf.nn.functional (also tf.F): the layers' operations as functions (linear, conv2d, crossEntropy, ...). */
export * as functional from './functional';
/** tf.nn.init: in-place parameter initialisers (kaimingUniform, xavierNormal, ...), as torch.nn.init. */
export * as init from './init';
/** tf.nn.utils: gradient clipping, parameters as one vector, and RNN sequence helpers (tf.nn.utils.rnn). */
export * as utils from './utils';
export type { Summary, SummaryRow, SummaryOptions, OutputShape } from './summary';
export { PReLU, SELU, CELU, Mish, Hardswish, Hardsigmoid, Hardtanh, ReLU6, LogSigmoid, Softsign, Softmin, GLU } from './activations';
export { ConvTranspose1d, ConvTranspose2d } from './conv_transpose';
export { Conv3d } from './conv3d';
export { MaxPool3d, AvgPool3d, AdaptiveMaxPool2d, AdaptiveAvgPool1d } from './pooling';
export { GroupNorm, InstanceNorm1d, InstanceNorm2d, RMSNorm, LocalResponseNorm } from './norm';
export {
  ZeroPad1d, ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d,
} from './padding';
export { Upsample, PixelShuffle, PixelUnshuffle } from './upsample';
export { Unfold, Fold } from './fold';
export { CosineSimilarity, PairwiseDistance } from './distance';
export { Bilinear, Unflatten, Dropout1d, Dropout2d } from './misc_layers';
export { TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer } from './transformer';
export {
  CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss, HuberLoss, SmoothL1Loss, KLDivLoss,
  MarginRankingLoss, TripletMarginLoss, CosineEmbeddingLoss, HingeEmbeddingLoss, GaussianNLLLoss, PoissonNLLLoss,
  MultiLabelSoftMarginLoss,
} from './losses';
/** tf.nn.parallel: DistributedDataParallel, averaging gradients across the ranks of tf.distributed. */
export * as parallel from './parallel';
