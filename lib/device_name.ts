// tf.device(name): PyTorch's torch.device, for scripts that pick a device. The only device is the
// CPU, so it returns the string 'cpu', which t.to(...) accepts.
import { describe } from './args';
import { argumentError, show, tfError } from './errors';

/** A device name; tensorfold computes on the CPU only. */
export type Device = 'cpu';

/** Checks a device name ('cpu', 'cpu:0'); 'cuda' and others are an Error (there is no GPU backend). */
export function device(name: string): Device {
  if (typeof name !== 'string') throw argumentError(`device: expected a device name, got ${describe(name)}`);
  if (name === 'cpu' || name === 'cpu:0') return 'cpu';
  if (/^(cuda|mps|xpu|meta)(:\d+)?$/.test(name))
    throw tfError('ARGUMENT', `device: ${show(name)} is not available: tensorfold has no GPU backend; use 'cpu'`);
  throw tfError('ARGUMENT', `device: unknown device ${show(name)} (expected 'cpu')`);
}
