// CRC-32C (Castagnoli), the checksum TFRecord framing uses, and TensorFlow's "masked" form of it.
// Table-driven, one byte at a time: event records are small and written in the background, so a
// slicing-by-8 or SSE4.2 version would not be measurable next to the file write.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    // 0x82F63B78 is the Castagnoli polynomial 0x1EDC6F41 bit-reversed (the CRC is computed LSB first).
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of data[start, end). */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord stores CRCs rotated and offset so that a CRC of data that itself holds CRCs stays robust. */
export function maskedCrc32c(data: Uint8Array, start = 0, end = data.length): number {
  const c = crc32c(data, start, end);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
