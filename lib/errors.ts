// Stable error codes. Every error tensorfold raises carries `code` beside its message, as Node's
// own errors do, so programs can branch on the kind of failure without parsing text:
//
//   try { a.matmul(b); } catch (e) { if (e.code === 'ERR_TENSORFOLD_SHAPE') ... }
//
// The engine sets the same codes (native/core/tensor.h, ErrorCode); the README lists them.

/** The stable `code` of each kind of tensorfold error (e.code === ErrorCodes.SHAPE), as Node's own error codes. */
export const ErrorCodes = {
  /** Shapes that do not fit together (broadcast, matmul, reshape, a layer's input). Error. */
  SHAPE: 'ERR_TENSORFOLD_SHAPE',
  /** A dtype the operation does not take, or dtypes that do not match. TypeError. */
  DTYPE: 'ERR_TENSORFOLD_DTYPE',
  /** An axis, dim or index out of range for the tensor's shape. RangeError. */
  AXIS: 'ERR_TENSORFOLD_AXIS',
  /** An argument of the wrong type (TypeError) or a value outside its allowed range (RangeError). */
  ARGUMENT: 'ERR_TENSORFOLD_ARGUMENT',
  /** A tensor used after dispose(). Error. */
  DISPOSED: 'ERR_TENSORFOLD_DISPOSED',
  /** Not possible in the current state: backward twice, a state dict that does not fit. Error. */
  STATE: 'ERR_TENSORFOLD_STATE',
  /** Reading or writing a file, or a file that is not what it claims. Error. */
  IO: 'ERR_TENSORFOLD_IO',
  /** An allocation failed. RangeError. */
  MEMORY: 'ERR_TENSORFOLD_MEMORY',
  /** Reserved for tf.distributed. */
  DISTRIBUTED: 'ERR_TENSORFOLD_DISTRIBUTED',
  /** A bug in tensorfold: please report it. Error. */
  INTERNAL: 'ERR_TENSORFOLD_INTERNAL',
} as const;

/** One of the ErrorCodes values, e.g. 'ERR_TENSORFOLD_SHAPE'. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
export type CodeName = keyof typeof ErrorCodes;

/** An error raised by tensorfold: an Error, TypeError or RangeError with a stable `code`. */
export type TensorfoldError = Error & { code: ErrorCode };

const ALL_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

/** True for an error tensorfold raised (it has one of the codes above). */
export function isTensorfoldError(e: unknown): e is TensorfoldError {
  // Not `instanceof Error`: the engine's errors come from Node's realm, which may not be the caller's.
  return e !== null && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' && ALL_CODES.has((e as { code: string }).code);
}

/** A new error of class `Class` (Error unless given) with message `msg` and the code `code`. */
export function tfError(code: CodeName, msg: string, Class: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor = Error): TensorfoldError {
  const e = new Class(msg) as TensorfoldError;
  e.code = ErrorCodes[code];
  return e;
}

export const shapeError = (msg: string): TensorfoldError => tfError('SHAPE', msg);
export const dtypeError = (msg: string): TensorfoldError => tfError('DTYPE', msg, TypeError);
export const axisError = (msg: string): TensorfoldError => tfError('AXIS', msg, RangeError);
export const argumentError = (msg: string): TensorfoldError => tfError('ARGUMENT', msg, TypeError);
/** A number outside its allowed range (a probability above 1, a negative size): RangeError. */
export const rangeError = (msg: string): TensorfoldError => tfError('ARGUMENT', msg, RangeError);
export const disposedError = (msg: string): TensorfoldError => tfError('DISPOSED', msg);
export const stateError = (msg: string): TensorfoldError => tfError('STATE', msg);
export const ioError = (msg: string): TensorfoldError => tfError('IO', msg);
export const internalError = (msg: string): TensorfoldError => tfError('INTERNAL', msg);


/**
 * A value for an error message, as JSON where it can be (`"max"`, `[2,3]`): it never throws, so
 * a circular object, a BigInt or a Symbol gets a message instead of V8's conversion error.
 */
export function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return v.toString();
  try {
    const s = JSON.stringify(v);
    if (s !== undefined) return s;
  } catch {
    // circular, or a toJSON that throws: fall through
  }
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * True for a typed array or DataView whose buffer was transferred away (postMessage,
 * structuredClone): iterating or joining it throws V8's own uncoded TypeError, so check first.
 */
export function isDetached(v: ArrayBufferView): boolean {
  try {
    // A zero-length view is the cheapest operation that a detached buffer refuses.
    new Uint8Array(v.buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}
