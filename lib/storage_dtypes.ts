// How native kernels that know only float32 / float64 (convolution, pooling, the fused norms,
// attention) run on the storage dtypes float16 and bfloat16: their operands are converted to
// float32, the kernel runs, and its float32 results round back to the half dtype — the same rule
// the engine applies to every elementwise op, reduction and matmul (in_compute_dtype in
// native/core/ops.h). The conversions are on the tape, so gradients flow (in the half dtype).
// Only for kernels that return new tensors: an in-place kernel would update the float32 copy.
import { Handle, native } from './native';
import { dtypeCode } from './args';

const F32 = dtypeCode('float32');
const F16 = dtypeCode('float16');
const BF16 = dtypeCode('bfloat16');

// Tensor handles are N-API externals, the only null-prototype objects the library passes.
const isHandle = (v: unknown): v is Handle =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null;

/** fn, running on float32 copies of float16/bfloat16 operands and rounding float32 results back. */
export function liftHalf<F extends (...args: never[]) => unknown>(fn: F): F {
  const lifted = (...args: unknown[]): unknown => {
    let half = -1;
    for (const a of args) {
      if (!isHandle(a)) continue;
      const d = native.dtype(a);
      // float16 with bfloat16 computes (and stays) in float32, as PyTorch promotes them.
      if (d === F16 || d === BF16) half = half === -1 || half === d ? d : F32;
    }
    if (half === -1) return (fn as unknown as (...a: unknown[]) => unknown)(...args);
    const temps: Handle[] = [];
    const up = args.map((a) => {
      if (!isHandle(a)) return a;
      const d = native.dtype(a);
      if (d !== F16 && d !== BF16) return a;
      const c = native.to(a, F32);
      temps.push(c);
      return c;
    });
    try {
      const r = (fn as unknown as (...a: unknown[]) => unknown)(...up);
      if (half === F32) return r;
      const down = (v: unknown): unknown => {
        if (!isHandle(v) || native.dtype(v) !== F32) return v;
        const h = native.to(v, half);
        native.dispose(v);
        return h;
      };
      return Array.isArray(r) ? r.map(down) : down(r);
    } finally {
      for (const t of temps) native.dispose(t);
    }
  };
  return lifted as unknown as F;
}
