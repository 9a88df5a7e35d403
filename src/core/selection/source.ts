/**
 * What the selection commands read: a document's text and tokens. `DocumentTokens` is one; `spansSource`
 * makes one from a text and its `TokenSpans` (the CLI tokenizes a file once).
 */
import type { TokenSpans } from '../tokenizers/types';

export interface TokenSource {
  /** Number of tokens in the whole text. */
  readonly count: number;
  /** Length of the text in UTF-16 units. */
  readonly textLength: number;
  slice(start: number, end: number): string;
  /** Tokens overlapping `[start, end)`; `first` is the index of the first. */
  tokensInRange(start: number, end: number): TokenSpans & { first: number };
}

/** A `TokenSource` over a text and the spans `tokenizer.tokenize(text)` returned for it. */
export function spansSource(text: string, spans: TokenSpans): TokenSource {
  const { ids, starts, ends, partial } = spans;
  return {
    count: ids.length,
    textLength: text.length,
    slice: (start, end) => text.slice(start, end),
    tokensInRange(start, end) {
      // Ends never decrease (overlapping tokens share their character's end), so the first is a binary search.
      let lo = 0;
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ends[mid] > start) hi = mid;
        else lo = mid + 1;
      }
      let last = lo;
      while (last < ids.length && starts[last] < end) last++;
      return { ids: ids.subarray(lo, last), starts: starts.subarray(lo, last), ends: ends.subarray(lo, last), partial: partial.subarray(lo, last), first: lo };
    },
  };
}

export function checkRange(source: TokenSource, start: number, end: number): void {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= source.textLength)) {
    throw new RangeError(`range [${start}, ${end}) is outside the text (length ${source.textLength})`);
  }
}

export function checkTokenCount(n: number, min: number): void {
  if (!(Number.isInteger(n) && n >= min)) throw new RangeError(`token count ${n} must be an integer of at least ${min}`);
}
