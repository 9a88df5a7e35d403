/**
 * What decorations, hovers and the selection commands read from a document: its text by slices and its
 * tokens by range. `DocumentTokens` has this shape; `spansSource` gives it to a text tokenized once (the
 * CLI, a preview, text encoded with special tokens parsed).
 */
import type { TokenSpans } from '../tokenizers/types';

/** Text access only (for widening ranges by lines). */
export interface TextSource {
  readonly textLength: number;
  slice(start: number, end: number): string;
}

export interface TokenSource extends TextSource {
  /** Number of tokens in the whole text. */
  readonly count: number;
  /** Tokens overlapping `[start, end)`; `first` is the global index of the first. */
  tokensInRange(start: number, end: number): TokenSpans & { first: number };
}

/** A `TokenSource` over a text and its spans (from `Tokenizer.tokenize`). */
export function spansSource(text: string, spans: TokenSpans): TokenSource {
  const { ids, starts, ends, partial } = spans;
  return {
    count: ids.length,
    textLength: text.length,
    slice: (start, end) => text.slice(start, end),
    tokensInRange(start, end) {
      // Ends never decrease (overlapping tokens share a character), so the first overlap is a binary search.
      let lo = 0;
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ends[mid] > start) hi = mid;
        else lo = mid + 1;
      }
      let last = lo;
      while (last < ids.length && starts[last] < end) last++;
      return { ids: ids.subarray(lo, last), starts: starts.subarray(lo, last), ends: ends.subarray(lo, last), partial: partial.subarray(lo, last), first: lo };
    },
  };
}
