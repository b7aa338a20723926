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

export class ProtoWriter {
  private buf = new Uint8Array(64);
  private len = 0;
  private readonly view8 = new DataView(new ArrayBuffer(8));

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** An unsigned varint; a negative integer is written as its 64-bit two's complement (10 bytes), as int64 requires. */
  private rawVarint(v: number | bigint): void {
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

  private raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** int32, int64, uint32, uint64, bool and enum fields. */
  varint(field: number, v: number | bigint | boolean): this {
    this.key(field, Wire.Varint);
    this.rawVarint(typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? Math.trunc(v) : v);
    return this;
  }

  double(field: number, v: number): this {
    this.key(field, Wire.Fixed64);
    this.view8.setFloat64(0, v, true);
    this.raw(new Uint8Array(this.view8.buffer, 0, 8));
    return this;
  }

  float(field: number, v: number): this {
    this.key(field, Wire.Fixed32);
    this.view8.setFloat32(0, v, true);
    this.raw(new Uint8Array(this.view8.buffer, 0, 4));
    return this;
  }

  bytes(field: number, v: Uint8Array): this {
    this.key(field, Wire.Bytes);
    this.rawVarint(v.length);
    this.raw(v);
    return this;
  }

  string(field: number, v: string): this {
    return this.bytes(field, utf8.encode(v));
  }

  /** An embedded message, already encoded by another writer. */
  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** A packed `repeated double` field. */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    const data = new Uint8Array(values.length * 8);
    const dv = new DataView(data.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat64(i * 8, values[i], true);
    return this.bytes(field, data);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
