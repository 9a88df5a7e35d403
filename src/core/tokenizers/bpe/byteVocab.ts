/**
 * A vocabulary of byte strings: id → bytes, and bytes → id through an open-addressing hash table over a
 * single byte buffer. No JavaScript string or object per token, so loading is a few typed arrays and a
 * lookup never allocates; `Map`s of strings cost 5–10× the memory and time to build.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Each slot of the table holds, side by side, the id, the length, the first four bytes and the offset of
 * the bytes: a lookup reads one cache line, and tokens of up to four bytes (most pieces of code) are
 * compared without touching the byte buffer.
 */
const SLOT = 4;

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
    const table = new Int32Array(capacity * SLOT).fill(-1);
    this.mask = capacity - 1;
    for (let id = 0; id < this.size; id++) {
      const start = offsets[id];
      const end = offsets[id + 1];
      if (end === start) continue;
      let slot = hashBytes(bytes, start, end) & this.mask;
      while (table[slot * SLOT] >= 0) slot = (slot + 1) & this.mask;
      table[slot * SLOT] = id;
      table[slot * SLOT + 1] = end - start;
      table[slot * SLOT + 2] = firstWord(bytes, start, end);
      table[slot * SLOT + 3] = start;
    }
    this.table = table;
  }

  byteLength(id: number): number {
    return id < this.size ? this.offsets[id + 1] - this.offsets[id] : 0;
  }

  /** The id whose bytes are `buf[start .. end)`, or -1. */
  lookup(buf: Uint8Array, start: number, end: number, hash = hashBytes(buf, start, end)): number {
    const len = end - start;
    const word = firstWord(buf, start, end);
    const { bytes, table, mask } = this;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      const id = table[at];
      if (id < 0) return -1;
      if (table[at + 1] !== len || table[at + 2] !== word) continue;
      const o = table[at + 3];
      let k = 4;
      while (k < len && bytes[o + k] === buf[start + k]) k++;
      if (k >= len) return id;
    }
  }

  /**
   * The id of the ASCII text `text[start .. end)` (every code unit below 0x80) whose hash the caller
   * computed with `hashStep` while checking that it is ASCII, or -1.
   */
  lookupAscii(text: string, start: number, end: number, hash: number): number {
    const len = end - start;
    let word = 0;
    for (let k = Math.min(len, 4) - 1; k >= 0; k--) word = (word << 8) | text.charCodeAt(start + k);
    const { bytes, table, mask } = this;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      const id = table[at];
      if (id < 0) return -1;
      if (table[at + 1] !== len || table[at + 2] !== word) continue;
      const o = table[at + 3];
      let k = 4;
      while (k < len && bytes[o + k] === text.charCodeAt(start + k)) k++;
      if (k >= len) return id;
    }
  }
}

/** Up to the first four bytes, little-endian, as a 32-bit integer. */
function firstWord(buf: Uint8Array, start: number, end: number): number {
  let word = 0;
  for (let k = Math.min(end - start, 4) - 1; k >= 0; k--) word = (word << 8) | buf[start + k];
  return word;
}

export const HASH_START = FNV_OFFSET;
/** One step of the hash of a byte string (FNV-1a). */
export const hashStep = (hash: number, byte: number): number => Math.imul(hash ^ byte, FNV_PRIME);

export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
  return h;
}
