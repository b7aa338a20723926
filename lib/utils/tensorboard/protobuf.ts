// A minimal protocol-buffer encoder: just the wire types the event files need (varint, 64-bit,
// length-delimited, 32-bit). Written by hand rather than taken from protobufjs or google-protobuf
// because the writer needs about a dozen fields of six messages, only ever encodes, and the core
// package keeps a single runtime dependency (node-addon-api); a generated-code dependency would
// outweigh the whole TensorBoard module. scripts/read_tfevents.py decodes the output with the
// official protobuf runtime from the published .proto definitions, which keeps this honest.

const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

const utf8 = new TextEncoder();
const encoded = new Map<string, Uint8Array>();

// One scratch view for float/double bytes, shared: allocating an ArrayBuffer per writer cost more
// than the whole encoding (measured: 3 µs per writer, most of the time of addScalar).
const scratch = new DataView(new ArrayBuffer(8));

export class ProtoWriter {
  // Bytes in a plain array (V8 keeps small integers unboxed): cheaper to create and grow than typed
  // arrays for messages of tens of bytes, which is what summaries are.
  private readonly out: number[] = [];

  private byte(b: number): void {
    this.out.push(b);
  }

  /** An unsigned varint; a negative integer is written as its 64-bit two's complement (10 bytes), as int64 requires. */
  private rawVarint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      // Number arithmetic (not bitwise: values can exceed 32 bits); BigInt only for negatives.
      while (v >= 0x80) {
        this.byte((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      this.byte(v);
      return;
    }
    let n = BigInt.asUintN(64, BigInt(v));
    if (n < 0x80n) {
      this.byte(Number(n));
      return;
    }
    while (n >= 0x80n) {
      this.byte(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.byte(Number(n));
  }

  private key(field: number, wire: Wire): void {
    this.rawVarint((field << 3) | wire);
  }

  private raw(bytes: ArrayLike<number>): void {
    const out = this.out;
    for (let i = 0; i < bytes.length; i++) out.push(bytes[i]);
  }

  /** int32, int64, uint32, uint64, bool and enum fields. */
  varint(field: number, v: number | bigint | boolean): this {
    this.key(field, Wire.Varint);
    this.rawVarint(typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? Math.trunc(v) : v);
    return this;
  }

  double(field: number, v: number): this {
    this.key(field, Wire.Fixed64);
    scratch.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.out.push(scratch.getUint8(i));
    return this;
  }

  float(field: number, v: number): this {
    this.key(field, Wire.Fixed32);
    scratch.setFloat32(0, v, true);
    for (let i = 0; i < 4; i++) this.out.push(scratch.getUint8(i));
    return this;
  }

  bytes(field: number, v: ArrayLike<number>): this {
    this.key(field, Wire.Bytes);
    this.rawVarint(v.length);
    this.raw(v);
    return this;
  }

  string(field: number, v: string): this {
    // Tags repeat every step: keep their encodings (bounded, so arbitrary text cannot pile up).
    let bytes = encoded.get(v);
    if (!bytes) {
      bytes = utf8.encode(v);
      if (v.length <= 256) {
        if (encoded.size >= 4096) encoded.clear();
        encoded.set(v, bytes);
      }
    }
    return this.bytes(field, bytes);
  }

  /** An embedded message, already encoded by another writer. */
  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.out);
  }

  /** A packed `repeated double` field. */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    const data = new Uint8Array(values.length * 8);
    const dv = new DataView(data.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat64(i * 8, values[i], true);
    return this.bytes(field, data);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}
