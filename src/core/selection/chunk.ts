/** "Split into chunks of at most N tokens": ranges covering the text, each encoding on its own to ≤ N. */
import type { EncodeOptions, Tokenizer } from '../tokenizers/types';
import { countLineBreaks, endsLine, isCharBoundary, isSoftBoundary, nextCharBoundary } from './chars';
import type { TokenSource } from '../incremental/tokenSource';
import { checkTokenCount } from './source';
import { trimToTokens } from './trim';
import { cleanAfter, closedAfter, fetchWindow, tokenIndexAt, type TokenWindow } from './window';

export interface Chunk {
  start: number;
  end: number;
  /** Tokens of the chunk's text encoded on its own: at most N, except a lone character that needs more. */
  tokens: number;
  /** Zero-based line of `start` (LF, CRLF and lone CR end lines). */
  startLine: number;
}

/**
 * Splits the text into contiguous, non-empty chunks in order, each encoding on its own to at most
 * `maxTokens`. A chunk ends after a line break when one falls in the last half of its tokens, else at a
 * likely piece boundary (between words) in that half, else after as many whole document tokens as fit;
 * never inside a character or a CRLF. The document's tokens propose each cut and `tokenizer.count`
 * checks it, since a chunk encoded on its own can differ at its edges; one that is over is shrunk by
 * the excess. When not even one character fits, the chunk is that character and `tokens` exceeds N.
 */
export function chunkDocument(source: TokenSource, tokenizer: Tokenizer, maxTokens: number, options?: EncodeOptions): Chunk[] {
  checkTokenCount(maxTokens, 1);
  const length = source.textLength;
  if (length === 0) return [];
  // The whole text's standalone tokens are the document's own.
  if (source.count <= maxTokens && !options?.parseSpecialTokens) return [{ start: 0, end: length, tokens: source.count, startLine: 0 }];
  const count = (text: string) => tokenizer.count(text, options);
  const chunks: Chunk[] = [];
  let w = fetchWindow(source, 0, length, maxTokens + 1);
  let line = 0;
  for (let pos = 0; pos < length; ) {
    let first = tokenIndexAt(w.spans, pos);
    if (!w.complete && !closedAfter(w.spans, first + maxTokens - 1)) {
      w = fetchWindow(source, pos, length, maxTokens + 1);
      first = tokenIndexAt(w.spans, pos);
    }
    const { end, tokens } = nextChunk(source, w, pos, first, maxTokens, count, tokenizer, options);
    chunks.push({ start: pos, end, tokens, startLine: line });
    line += countLineBreaks(end <= w.textStart + w.text.length ? w.text.slice(pos - w.textStart, end - w.textStart) : source.slice(pos, end));
    pos = end;
  }
  return chunks;
}

function nextChunk(source: TokenSource, w: TokenWindow, pos: number, first: number, maxTokens: number, count: (text: string) => number, tokenizer: Tokenizer, options?: EncodeOptions): { end: number; tokens: number } {
  let budget = maxTokens;
  let limit: number | undefined;
  for (;;) {
    const cut = chooseCut(w, pos, first, budget, source.textLength);
    if (cut.end === undefined) {
      limit ??= cut.next;
      break;
    }
    const tokens = count(w.text.slice(pos - w.textStart, cut.end - w.textStart));
    if (tokens <= maxTokens) return { end: cut.end, tokens };
    limit = cut.end;
    budget = cut.tokens - (tokens - maxTokens);
    if (budget < 1) break;
  }
  // No whole-token cut fits (a chunk starting mid-token, or long groups): search character by character.
  const trimmed = trimToTokens(source, tokenizer, pos, limit ?? source.textLength, maxTokens, options);
  if (trimmed.end > pos) return { end: trimmed.end, tokens: trimmed.tokens };
  const end = pos + nextCharBoundary(source.slice(pos, pos + 2), 0);
  return { end, tokens: count(source.slice(pos, end)) };
}

interface Cut {
  /** Where to cut, or undefined when no clean boundary is within the budget. */
  end: number | undefined;
  /** Document tokens from `pos` to the cut. */
  tokens: number;
  /** Without a cut: the first clean boundary after `pos`, if the window holds one. */
  next?: number;
}

/** The preferred cut within `budget` document tokens from token `first` (the one holding `pos`). */
function chooseCut(w: TokenWindow, pos: number, first: number, budget: number, length: number): Cut {
  const { ends } = w.spans;
  let best = Math.min(ends.length, first + budget) - 1;
  while (best >= first && !validCut(w, pos, best)) best--;
  if (best < first) {
    let j = first + budget;
    while (j < ends.length && !validCut(w, pos, j)) j++;
    return { end: undefined, tokens: 0, next: j < ends.length ? ends[j] : undefined };
  }
  if (ends[best] === length) return { end: length, tokens: best - first + 1 };
  // Cuts in the last half of the tokens: after a line break, else between words, else the furthest.
  const half = first + (best - first + 1) / 2 - 1;
  for (let j = best; j >= half; j--) {
    if (endsLine(w.text, ends[j] - w.textStart) && validCut(w, pos, j)) return { end: ends[j], tokens: j - first + 1 };
  }
  for (let j = best; j >= half; j--) {
    if (isSoftBoundary(w.text, ends[j] - w.textStart) && validCut(w, pos, j)) return { end: ends[j], tokens: j - first + 1 };
  }
  return { end: ends[best], tokens: best - first + 1 };
}

/** Whether the end of token `j` may end a chunk starting at `pos`: after it, clean, and not inside a CRLF. */
function validCut(w: TokenWindow, pos: number, j: number): boolean {
  const end = w.spans.ends[j];
  return end > pos && cleanAfter(w, j) && isCharBoundary(w.text, end - w.textStart);
}
