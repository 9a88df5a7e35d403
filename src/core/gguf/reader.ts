/**
 * Reads the header, metadata and tensor infos of a GGUF file (v2/v3, little-endian); tensor data is never
 * needed. Every count and length is checked against the bytes that can exist before anything is allocated,
 * so a malformed or hostile file fails with a `GgufError` instead of a hang or a huge allocation.
 */
import { decodeUtf8 } from '../text/utf8';

export class GgufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GgufError';
  }
}

export enum GgufValueType {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
}

/** 64-bit integers are numbers when exact, else bigints. Numeric arrays are typed arrays. */
export type GgufScalar = number | bigint | boolean | string;
export type GgufArrayValue =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array
  | boolean[]
  | string[];

export interface GgufEntry {
  type: GgufValueType;
  /** For arrays: the element type. */
  itemType?: GgufValueType;
  value: GgufScalar | GgufArrayValue;
}

export interface GgufTensorInfo {
  name: string;
  /** ggml order: `dims[0]` varies fastest. */
  dims: number[];
  /** The ggml type (0 = F32, 1 = F16, …). */
  type: number;
  /** Relative to the start of the data section. */
  offset: number;
}

export interface GgufFile {
  version: number;
  metadata: Map<string, GgufEntry>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Where the tensor data starts, from the start of the file. */
  dataOffset: number;
}

/** Thrown inside the parser when the bytes at hand end before the metadata does. */
class NeedMoreBytes extends Error {}

const SIZES: Partial<Record<GgufValueType, number>> = {
  [GgufValueType.U8]: 1,
  [GgufValueType.I8]: 1,
  [GgufValueType.U16]: 2,
  [GgufValueType.I16]: 2,
  [GgufValueType.U32]: 4,
  [GgufValueType.I32]: 4,
  [GgufValueType.F32]: 4,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.U64]: 8,
  [GgufValueType.I64]: 8,
  [GgufValueType.F64]: 8,
  // A string is at least its 8-byte length.
  [GgufValueType.STRING]: 8,
};

/** ggml allows at most 4 dimensions. */
const MAX_DIMS = 4;
const latin1 = new TextDecoder('latin1');

class Cursor {
  pos = 0;
  private readonly view: DataView;

  /**
   * `bytes` is the start of a file of `fileSize` bytes: reading past `bytes` asks for more, reading past
   * `fileSize` is a truncated file.
   */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly fileSize: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Checks that `n` more bytes exist; `what` names the field for the error. */
  need(n: number, what: string): void {
    if (this.pos + n > this.fileSize) throw new GgufError(`truncated GGUF file: ${what} at byte ${this.pos} runs past the end (${this.fileSize} bytes)`);
    if (this.pos + n > this.bytes.length) throw new NeedMoreBytes();
  }

  /** How many bytes the file has left after the cursor. */
  get left(): number {
    return this.fileSize - this.pos;
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A u64 that must be a count or length no larger than `max`. */
  count(what: string, max: number): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(max)) throw new GgufError(`malformed GGUF file: ${what} is ${v}, more than the ${max} the file can hold`);
    return Number(v);
  }

  string(what: string): string {
    const n = this.count(`${what} length`, this.left - 8);
    this.need(n, what);
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (b[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    return ascii ? latin1.decode(b) : decodeUtf8(b);
  }

  /** `n` fixed-size elements copied into an aligned typed array. */
  typed<T>(n: number, size: number, make: (buf: ArrayBuffer) => T, what: string): T {
    this.need(n * size, what);
    // A copy, aligned for the typed array (and never a view into a Buffer's shared pool).
    const copy = new Uint8Array(n * size);
    copy.set(this.bytes.subarray(this.pos, this.pos + n * size));
    this.pos += n * size;
    if (!littleEndian) throw new GgufError('big-endian hosts are not supported');
    return make(copy.buffer);
  }

  scalar(type: GgufValueType, what: string): GgufScalar {
    const size = SIZES[type];
    if (type === GgufValueType.STRING) return this.string(what);
    if (size === undefined) throw new GgufError(`malformed GGUF file: ${what} has unknown value type ${type}`);
    this.need(size, what);
    const at = this.pos;
    this.pos += size;
    const v = this.view;
    switch (type) {
      case GgufValueType.U8: return v.getUint8(at);
      case GgufValueType.I8: return v.getInt8(at);
      case GgufValueType.U16: return v.getUint16(at, true);
      case GgufValueType.I16: return v.getInt16(at, true);
      case GgufValueType.U32: return v.getUint32(at, true);
      case GgufValueType.I32: return v.getInt32(at, true);
      case GgufValueType.F32: return v.getFloat32(at, true);
      case GgufValueType.BOOL: return v.getUint8(at) !== 0;
      case GgufValueType.U64: return exact(v.getBigUint64(at, true));
      case GgufValueType.I64: return exact(v.getBigInt64(at, true));
      default: return v.getFloat64(at, true);
    }
  }
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function exact(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function readArray(c: Cursor, what: string): GgufEntry {
  const itemType = c.u32(`${what} element type`) as GgufValueType;
  const size = SIZES[itemType];
  if (size === undefined) {
    throw new GgufError(`malformed GGUF file: ${what} has element type ${itemType}${itemType === GgufValueType.ARRAY ? ' (nested arrays are not supported)' : ''}`);
  }
  // Each element takes at least `size` bytes, which bounds the count by what the file can hold.
  const n = c.count(`${what} count`, Math.floor((c.left - 8) / size));
  const T = GgufValueType;
  let value: GgufArrayValue;
  switch (itemType) {
    case T.U8: value = c.typed(n, 1, (b) => new Uint8Array(b), what); break;
    case T.I8: value = c.typed(n, 1, (b) => new Int8Array(b), what); break;
    case T.U16: value = c.typed(n, 2, (b) => new Uint16Array(b), what); break;
    case T.I16: value = c.typed(n, 2, (b) => new Int16Array(b), what); break;
    case T.U32: value = c.typed(n, 4, (b) => new Uint32Array(b), what); break;
    case T.I32: value = c.typed(n, 4, (b) => new Int32Array(b), what); break;
    case T.F32: value = c.typed(n, 4, (b) => new Float32Array(b), what); break;
    case T.U64: value = c.typed(n, 8, (b) => new BigUint64Array(b), what); break;
    case T.I64: value = c.typed(n, 8, (b) => new BigInt64Array(b), what); break;
    case T.F64: value = c.typed(n, 8, (b) => new Float64Array(b), what); break;
    case T.BOOL: value = Array.from(c.typed(n, 1, (b) => new Uint8Array(b), what), (x) => x !== 0); break;
    default: {
      const strings: string[] = [];
      for (let i = 0; i < n; i++) strings.push(c.string(`${what}[${i}]`));
      value = strings;
    }
  }
  return { type: GgufValueType.ARRAY, itemType, value };
}

function parse(bytes: Uint8Array, fileSize: number, withTensors: boolean): GgufFile {
  const c = new Cursor(bytes, fileSize);
  if (fileSize < 4) throw new GgufError(`not a GGUF file (only ${fileSize} bytes)`);
  c.need(4, 'magic');
  if (bytes[0] !== 0x47 || bytes[1] !== 0x47 || bytes[2] !== 0x55 || bytes[3] !== 0x46) throw new GgufError('not a GGUF file (wrong magic)');
  c.pos = 4;
  const version = c.u32('version');
  if (version !== 2 && version !== 3) throw new GgufError(`unsupported GGUF version ${version} (only 2 and 3 are read)`);
  // A tensor info takes at least 8 + 4 + 8 + 4 + 8 bytes, a metadata entry at least 8 + 4 + 1.
  const tensorCount = c.count('tensor count', Math.floor(c.left / 32));
  const kvCount = c.count('metadata count', Math.floor((c.left - 8) / 13));
  const metadata = new Map<string, GgufEntry>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key ${i}`);
    const type = c.u32(`type of ${key}`) as GgufValueType;
    if (type === GgufValueType.ARRAY) metadata.set(key, readArray(c, key));
    else metadata.set(key, { type, value: c.scalar(type, key) });
  }
  const align = metadata.get('general.alignment')?.value ?? 32;
  if (typeof align !== 'number' || align <= 0 || (align & (align - 1)) !== 0) throw new GgufError(`malformed GGUF file: general.alignment is ${String(align)}`);
  const tensors: GgufTensorInfo[] = [];
  if (!withTensors) return { version, metadata, tensors, alignment: align, dataOffset: -1 };
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`tensor ${i} name`);
    const nDims = c.u32(`dimensions of ${name}`);
    if (nDims > MAX_DIMS) throw new GgufError(`malformed GGUF file: tensor ${name} has ${nDims} dimensions`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.count(`dimension ${d} of ${name}`, Number.MAX_SAFE_INTEGER));
    const type = c.u32(`type of ${name}`);
    const offset = c.count(`offset of ${name}`, Number.MAX_SAFE_INTEGER);
    tensors.push({ name, dims, type, offset });
  }
  const dataOffset = Math.ceil(c.pos / align) * align;
  return { version, metadata, tensors, alignment: align, dataOffset };
}

/** Parses a whole GGUF file, or at least its part up to the tensor data. */
export function readGguf(bytes: Uint8Array): GgufFile {
  try {
    return parse(bytes, bytes.length, true);
  } catch (e) {
    if (e instanceof NeedMoreBytes) throw new GgufError('truncated GGUF file');
    throw e;
  }
}

/** Reads `length` bytes at `position` of a file; returns fewer only at its end. */
export type ReadAt = (position: number, length: number) => Uint8Array;

/**
 * Parses the header, metadata and tensor infos of a file of `fileSize` bytes without reading its tensor
 * data: reads a growing prefix until the parse completes (metadata of a large vocabulary is a few MB).
 */
export function readGgufHeader(readAt: ReadAt, fileSize: number, options: { firstChunk?: number; withTensors?: boolean } = {}): GgufFile {
  let size = Math.min(fileSize, options.firstChunk ?? 1 << 20);
  let bytes = new Uint8Array(0);
  for (;;) {
    if (size > bytes.length) {
      const more = readAt(bytes.length, size - bytes.length);
      if (more.length < size - bytes.length) throw new GgufError('truncated GGUF file (the file ended early)');
      const next = new Uint8Array(size);
      next.set(bytes);
      next.set(more, bytes.length);
      bytes = next;
    }
    try {
      return parse(bytes, fileSize, options.withTensors ?? true);
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
      size = Math.min(fileSize, size * 2);
    }
  }
}
