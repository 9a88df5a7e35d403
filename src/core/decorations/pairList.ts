/** A growable list of `[start, end)` pairs in one `Uint32Array`: no object per range. */
export class PairList {
  private data: Uint32Array;
  /** Number of values (twice the number of pairs). */
  length = 0;

  constructor(capacity = 256) {
    this.data = new Uint32Array(capacity * 2);
  }

  get pairs(): number {
    return this.length >> 1;
  }

  push(start: number, end: number): void {
    if (this.length + 2 > this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = start;
    this.data[this.length++] = end;
  }

  /** The end of the last pair (undefined when empty). */
  lastEnd(): number | undefined {
    return this.length > 0 ? this.data[this.length - 1] : undefined;
  }

  setLastEnd(end: number): void {
    this.data[this.length - 1] = end;
  }

  /** A copy of the pairs, sized to fit. */
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}
