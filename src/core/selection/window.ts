/**
 * A stretch of a source's tokens with its text, fetched in one call: `tokensInRange` walks the document
 * from a block start, so walking forward a window at a time is much cheaper than a call per step.
 */
import type { TokenSpans } from '../tokenizers/types';
import type { TokenSource } from '../incremental/tokenSource';

/** Below this many UTF-16 units a fetch costs more than the tokens it returns. */
const MIN_UNITS = 1 << 16;
/** Units per `tokensInRange` call: it builds plain arrays, which grow slowly when large. */
const STEP = 1 << 16;

export interface TokenWindow {
  spans: TokenSpans & { first: number };
  /** True when the window holds every token up to the limit it was fetched for. */
  complete: boolean;
  /** Offset of `text[0]`: the first token's start (or the fetch offset when there are no tokens). */
  textStart: number;
  /** The text of the window's tokens. */
  text: string;
}

/**
 * Tokens from `from` (those overlapping `[from, limit)`), at least `want` of them counting from the one
 * holding `from`, and past the end of the character group of the `want`-th, unless `limit` comes first.
 */
export function fetchWindow(source: TokenSource, from: number, limit: number, want: number): TokenWindow {
  // A quarter more than the document's average units per token would need; doubled when short.
  const perToken = source.count > 0 ? source.textLength / source.count : 4;
  const gather = new Gather();
  let to = from;
  for (let size = Math.max(MIN_UNITS, Math.ceil(want * perToken * 1.25)); ; size *= 2) {
    const until = Math.min(limit, from + size);
    for (; to < until; to = Math.min(until, to + STEP)) gather.add(source.tokensInRange(to, Math.min(until, to + STEP)));
    const spans = gather.spans();
    const complete = to === limit;
    if (complete || closedAfter(spans, want - 1)) {
      const n = spans.ids.length;
      const textStart = n ? Math.min(from, spans.starts[0]) : from;
      const textEnd = n ? Math.max(spans.ends[n - 1], from) : from;
      return { spans, complete, textStart, text: source.slice(textStart, textEnd) };
    }
  }
}

/** Concatenates consecutive `tokensInRange` answers, dropping tokens that straddle two of them. */
class Gather {
  private ids = new Uint32Array(1024);
  private starts = new Uint32Array(1024);
  private ends = new Uint32Array(1024);
  private partial = new Uint8Array(1024);
  private size = 0;
  private first = -1;

  add(part: TokenSpans & { first: number }): void {
    if (this.first < 0) this.first = part.first;
    const skip = Math.max(0, this.first + this.size - part.first);
    const n = part.ids.length - skip;
    if (n <= 0) return;
    if (this.size + n > this.ids.length) this.grow(this.size + n);
    this.ids.set(part.ids.subarray(skip), this.size);
    this.starts.set(part.starts.subarray(skip), this.size);
    this.ends.set(part.ends.subarray(skip), this.size);
    this.partial.set(part.partial.subarray(skip), this.size);
    this.size += n;
  }

  spans(): TokenSpans & { first: number } {
    const n = this.size;
    return { ids: this.ids.subarray(0, n), starts: this.starts.subarray(0, n), ends: this.ends.subarray(0, n), partial: this.partial.subarray(0, n), first: Math.max(0, this.first) };
  }

  private grow(need: number): void {
    const size = Math.max(need, this.ids.length * 2);
    const copy = <T extends Uint32Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
    this.ids = copy(this.ids, new Uint32Array(size));
    this.starts = copy(this.starts, new Uint32Array(size));
    this.ends = copy(this.ends, new Uint32Array(size));
    this.partial = copy(this.partial, new Uint8Array(size));
  }
}

/** Whether a clean boundary (see `cleanAfter`) follows token `t` or a later one of the spans. */
export function closedAfter(spans: TokenSpans, t: number): boolean {
  for (let j = Math.max(0, t); j + 1 < spans.ids.length; j++) if (spans.starts[j + 1] >= spans.ends[j]) return true;
  return false;
}

/**
 * Whether the end of token `t` is a clean boundary: the next token does not share a character with it.
 * Unknown (false) for the window's last token unless the window is complete.
 */
export function cleanAfter(w: TokenWindow, t: number): boolean {
  const { starts, ends } = w.spans;
  return t + 1 < starts.length ? starts[t + 1] >= ends[t] : w.complete;
}

/** Index of the first token of the window that ends after `pos`. */
export function tokenIndexAt(spans: TokenSpans, pos: number): number {
  let lo = 0;
  let hi = spans.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans.ends[mid] > pos) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
