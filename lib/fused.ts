// The fused kernels' entry points (native/binding/fused.cc), typed, and Tensor.gelu's options.
import { Handle, native } from './native';
import { Tensor, wrap } from './tensor_class';
import { checkOptions, describe } from './args';
import { argumentError } from './errors';
import { liftHalf } from './storage_dtypes';

type H = Handle;
interface FusedBinding {
  geluFused(x: H, tanhApprox: boolean): H;
  geluBackward(g: H, x: H, tanhApprox: boolean): H;
  softmaxBackward(g: H, y: H, axis: number, logSpace: boolean): H;
  layerNorm(x: H, w: H | null, b: H | null, normalizedNdim: number, eps: number): H;
  rmsNorm(x: H, w: H | null, normalizedNdim: number, eps: number): H;
  linear(x: H, w: H, b: H | null): H;
  sdpa(q: H, k: H, v: H, mask: H | null, isCausal: boolean, scale: number | null): H;
  batchNormTrain(x: H, w: H | null, b: H | null, eps: number): H[];
}

const raw = native as unknown as FusedBinding;
/** @internal The fused kernels; float16/bfloat16 operands run in float32 (storage_dtypes.ts). */
export const fusedNative: FusedBinding = {
  geluFused: liftHalf(raw.geluFused),
  geluBackward: liftHalf(raw.geluBackward),
  softmaxBackward: liftHalf(raw.softmaxBackward),
  layerNorm: liftHalf(raw.layerNorm),
  rmsNorm: liftHalf(raw.rmsNorm),
  linear: liftHalf(raw.linear),
  sdpa: liftHalf(raw.sdpa),
  // float32/float64 only (batchNorm keeps the composed form for the others): returns 3 handles.
  batchNormTrain: raw.batchNormTrain,
};

export interface GeluOptions {
  /** 'none' (default): x·Φ(x). 'tanh': 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as PyTorch. */
  approximate?: 'none' | 'tanh';
}

/** gelu with options (Tensor.gelu(opts)). @internal */
export function geluWith(x: Tensor, opts: GeluOptions): Tensor {
  checkOptions(opts, 'gelu');
  const a = opts.approximate ?? 'none';
  if (a !== 'none' && a !== 'tanh')
    throw argumentError(`gelu: approximate must be 'none' or 'tanh', got ${describe(a)}`);
  return wrap(fusedNative.geluFused(x._h, a === 'tanh'));
}
