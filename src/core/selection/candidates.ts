/** Where a trim may end: the document's token boundaries inside the selection. */
import { isCharBoundary } from './chars';
import type { TokenSource } from '../incremental/tokenSource';
import { cleanAfter, fetchWindow } from './window';

/**
 * Candidate ends in order: clean document token boundaries inside the selection that are character
 * boundaries, then the selection's end; loaded a window at a time as the search reaches them.
 */
export class Candidates {
  private pos: number[] = [];
  /** Document tokens from the selection's start to each candidate. */
  private tokens: number[] = [];
  private complete = false;

  constructor(private readonly source: TokenSource, readonly start: number, private readonly end: number, readonly text: string, private want: number) {
    this.load();
  }

  private load(): void {
    const w = fetchWindow(this.source, this.start, this.end, this.want);
    const { ends } = w.spans;
    this.pos = [];
    this.tokens = [];
    for (let t = 0; t < ends.length; t++) {
      const b = ends[t];
      if (b > this.start && b < this.end && cleanAfter(w, t) && isCharBoundary(this.text, b - this.start)) {
        this.pos.push(b);
        this.tokens.push(t + 1);
      }
    }
    this.complete = w.complete;
    if (w.complete) {
      this.pos.push(this.end);
      this.tokens.push(ends.length);
    }
  }

  /** `k`, or the last index when there are fewer candidates. */
  reach(k: number): number {
    while (k >= this.pos.length && !this.complete) {
      this.want *= 2;
      this.load();
    }
    return Math.min(k, this.pos.length - 1);
  }

  at(k: number): number {
    return this.pos[this.reach(k)];
  }

  /** Index of the first candidate after `pos` (which is before the selection's end). */
  firstAfter(pos: number): number {
    let k = 0;
    while (this.at(k) <= pos) k++;
    return k;
  }

  /** The last loaded candidate at most `n` document tokens in, or -1. */
  lastWithin(n: number): number {
    let i = -1;
    while (i + 1 < this.tokens.length && this.tokens[i + 1] <= n) i++;
    return i;
  }
}
