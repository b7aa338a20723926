// The device-shaped API, so that scripts written for PyTorch (`x.to(device)`, `x.cpu()`,
// `x.numel()`) run unchanged: every tensor lives on the CPU, the only device there is. Each
// export is also a Tensor method (lib/methods.ts). tf.device(...) itself is in lib/device_name.ts.
import { native } from './native';
import { Tensor } from './tensor_class';
import { checkTensor, intArg } from './args';
import { rangeError, stateError } from './errors';

const more = native as unknown as { isContiguous(h: Tensor['_h']): boolean };

/** This tensor (it is already on the CPU). */
export const cpu = (x: Tensor): Tensor => checkTensor(x, 'cpu');

function cudaMethod(x: Tensor): Tensor {
  checkTensor(x, 'cuda');
  throw stateError('cuda: tensorfold has no GPU backend; tensors live on the CPU (tf.cuda.isAvailable() is false)');
}
/** Throws: there is no GPU backend. tf.cuda.isAvailable() is false. */
export const cuda = Object.assign(cudaMethod, {
  isAvailable: (): boolean => false,
  deviceCount: (): number => 0,
});

/** The number of elements (the same as t.size). */
export const numel = (x: Tensor): number => checkTensor(x, 'numel').size;
/** The number of dimensions (the same as t.ndim). */
export const dim = (x: Tensor): number => checkTensor(x, 'dim').ndim;
/** True when the tensor's elements lie in row-major order in its storage (not a transposed or expanded view). */
export const isContiguous = (x: Tensor): boolean => more.isContiguous(checkTensor(x, 'isContiguous')._h);

/** The strides in elements, or the stride of one dim (negative counts from the end). */
export function stride(x: Tensor): number[];
export function stride(x: Tensor, dim: number): number;
export function stride(x: Tensor, dim?: number): number[] | number {
  const s: number[] = native.strides(checkTensor(x, 'stride')._h);
  if (dim === undefined) return s;
  const d = intArg(dim, 'stride', 'dim');
  if (d < -s.length || d >= s.length)
    throw rangeError(`stride: dim ${d} is out of range for a tensor with ${s.length} dims`);
  return s[d < 0 ? d + s.length : d];
}
