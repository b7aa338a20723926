// tf.optim: optimizers whose per-parameter update is one fused native kernel, and lr schedulers.
//
//   const opt = new tf.optim.Adam(model.parameters(), { lr: 1e-3 });
//   const sched = new tf.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 100 });
//   for (...) { opt.zeroGrad(); lossFn().backward(); opt.step(); sched.step(); }
//
// Checkpointing: tf.save(optim.stateDictToTensors(opt.stateDict()), path), and later
// opt.loadStateDict(optim.stateDictFromTensors(tf.load(path))).
export { Optimizer, stateDictToTensors, stateDictFromTensors } from './optimizer';
export type { OptimizerStateDict, ParamGroup, ParamGroupSpec, ParamsArg, ParamState, StateValue } from './optimizer';
export { SGD } from './sgd';
export type { SGDOptions } from './sgd';
export { Adam, AdamW } from './adam';
export type { AdamOptions } from './adam';
export { RMSprop } from './rmsprop';
export type { RMSpropOptions } from './rmsprop';
export { Adagrad } from './adagrad';
export type { AdagradOptions } from './adagrad';
export { Adamax } from './adamax';
export type { AdamaxOptions } from './adamax';
export { NAdam } from './nadam';
export type { NAdamOptions } from './nadam';
export { RAdam } from './radam';
export type { RAdamOptions } from './radam';
export { Adadelta } from './adadelta';
export { LBFGS } from './lbfgs';
export type { LBFGSOptions } from './lbfgs';
export type { AdadeltaOptions } from './adadelta';
/**
 * tf.optim.lrScheduler: learning-rate schedulers (StepLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau, ...), as
 * torch.optim.lr_scheduler.
 */
export * as lrScheduler from './lr_scheduler';
/** tf.optim.swaUtils: weight averaging (AveragedModel with SWA or EMA averages), as torch.optim.swa_utils. */
export * as swaUtils from './swa_utils';
