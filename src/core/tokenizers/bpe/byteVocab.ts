/**
 * A vocabulary of byte strings: id → bytes, and bytes → id through an open-addressing hash table over a
 * single byte buffer. No JavaScript string or object per token, so loading is a few typed arrays and a
 * lookup never allocates; `Map`s of strings cost 5–10× the memory and time to build.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class ByteVocab {
  /** For each id, its bytes are `bytes[offsets[id] .. offsets[id + 1])`; an id without bytes has none. */
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
  readonly size: number;
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(bytes: Uint8Array, offsets: Uint32Array) {
    this.bytes = bytes;
    this.offsets = offsets;
    this.size = offsets.length - 1;
    let capacity = 1;
    while (capacity < this.size * 2) capacity <<= 1;
    this.table = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let id = 0; id < this.size; id++) {
      const start = offsets[id];
      const end = offsets[id + 1];
      if (end === start) continue;
      let slot = hashBytes(bytes, start, end) & this.mask;
      while (this.table[slot] >= 0) slot = (slot + 1) & this.mask;
      this.table[slot] = id;
    }
  }

  byteLength(id: number): number {
    return id < this.size ? this.offsets[id + 1] - this.offsets[id] : 0;
  }

  /** The id whose bytes are `buf[start .. end)`, or -1. */
  lookup(buf: Uint8Array, start: number, end: number, hash = hashBytes(buf, start, end)): number {
    const len = end - start;
    const { bytes, offsets, table, mask } = this;
    let slot = hash & mask;
    for (;;) {
      const id = table[slot];
      if (id < 0) return -1;
      const o = offsets[id];
      if (offsets[id + 1] - o === len) {
        let k = 0;
        while (k < len && bytes[o + k] === buf[start + k]) k++;
        if (k === len) return id;
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * The id of the ASCII text `text[start .. end)` (every code unit below 0x80) whose hash the caller
   * computed with `hashAscii` while checking that it is ASCII, or -1.
   */
  lookupAscii(text: string, start: number, end: number, hash: number): number {
    const len = end - start;
    const { bytes, offsets, table, mask } = this;
    let slot = hash & mask;
    for (;;) {
      const id = table[slot];
      if (id < 0) return -1;
      const o = offsets[id];
      if (offsets[id + 1] - o === len) {
        let k = 0;
        while (k < len && bytes[o + k] === text.charCodeAt(start + k)) k++;
        if (k === len) return id;
      }
      slot = (slot + 1) & mask;
    }
  }
}

export const HASH_START = FNV_OFFSET;
/** One step of the hash of a byte string (FNV-1a). */
export const hashStep = (hash: number, byte: number): number => Math.imul(hash ^ byte, FNV_PRIME);

export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
  return h;
}
