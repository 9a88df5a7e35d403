/**
 * Merge results of pieces that are not tokens themselves, keyed by the piece's bytes with the hash the
 * encoder already computed: a hit costs one probe and a byte comparison, with no string sliced or hashed
 * again. When it fills up it starts over, which keeps memory bounded on text that never repeats.
 */

const MAX_ENTRIES = 1 << 17;
const MAX_KEY_BYTES = 4 << 20;
const MAX_VALUE_SLOTS = 1 << 21;

export class PieceCache {
  private table = new Int32Array(MAX_ENTRIES * 2).fill(-1);
  private readonly mask = MAX_ENTRIES * 2 - 1;
  /** Per entry: key start, key length, value start, value count. */
  private entries = new Int32Array(MAX_ENTRIES * 4);
  private count = 0;
  private keys = new Uint8Array(1 << 16);
  private keyBytes = 0;
  /** Cached tokens, two slots each: id, then units | flags << 16. */
  values = new Int32Array(1 << 16);
  private valueSlots = 0;

  /** The entry for the ASCII piece `text[start..end)` with hash `hash`, or -1. */
  findAscii(text: string, start: number, end: number, hash: number): number {
    const len = end - start;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.table[slot];
      if (e < 0) return -1;
      if (this.entries[4 * e + 1] !== len) continue;
      const k = this.entries[4 * e];
      let i = 0;
      while (i < len && this.keys[k + i] === text.charCodeAt(start + i)) i++;
      if (i === len) return e;
    }
  }

  /** The entry for the piece whose bytes are `buf[0..len)` with hash `hash`, or -1. */
  findBytes(buf: Uint8Array, len: number, hash: number): number {
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.table[slot];
      if (e < 0) return -1;
      if (this.entries[4 * e + 1] !== len) continue;
      const k = this.entries[4 * e];
      let i = 0;
      while (i < len && this.keys[k + i] === buf[i]) i++;
      if (i === len) return e;
    }
  }

  /** Where entry `e`'s tokens start in `values`, and how many there are. */
  valueStart(e: number): number {
    return this.entries[4 * e + 2];
  }

  valueCount(e: number): number {
    return this.entries[4 * e + 3];
  }

  /** Adds the piece `buf[0..len)` with the tokens `ids[0..n)` and their packed units and flags. */
  add(buf: Uint8Array, len: number, hash: number, ids: Int32Array, packed: Int32Array, n: number): void {
    if (this.count === MAX_ENTRIES || this.keyBytes + len > MAX_KEY_BYTES || this.valueSlots + 2 * n > MAX_VALUE_SLOTS) this.clear();
    if (this.keyBytes + len > this.keys.length) this.keys = grow(this.keys, this.keyBytes + len);
    if (this.valueSlots + 2 * n > this.values.length) this.values = grow(this.values, this.valueSlots + 2 * n);
    this.keys.set(buf.subarray(0, len), this.keyBytes);
    for (let t = 0; t < n; t++) {
      this.values[this.valueSlots + 2 * t] = ids[t];
      this.values[this.valueSlots + 2 * t + 1] = packed[t];
    }
    const e = this.count++;
    this.entries.set([this.keyBytes, len, this.valueSlots, n], 4 * e);
    this.keyBytes += len;
    this.valueSlots += 2 * n;
    let slot = hash & this.mask;
    while (this.table[slot] >= 0) slot = (slot + 1) & this.mask;
    this.table[slot] = e;
  }

  private clear(): void {
    this.table.fill(-1);
    this.count = 0;
    this.keyBytes = 0;
    this.valueSlots = 0;
  }
}

function grow<T extends Uint8Array | Int32Array>(a: T, needed: number): T {
  let size = a.length * 2;
  while (size < needed) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
