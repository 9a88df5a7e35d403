/** What the word under the pointer costs under other tokenizers. */
import type { TokenSource } from '../incremental/tokenSource';
import type { Tokenizer } from '../tokenizers/types';

export interface TokenizerCost {
  id: string;
  name: string;
  /** False for estimates. */
  exact: boolean;
  /** Tokens of the word encoded alone. */
  alone: number;
  /** Tokens of a space and the word, when the word follows a space in the document. */
  withSpace: number | undefined;
}

export interface WordCost {
  text: string;
  start: number;
  end: number;
  /** False when the offset is not on a word: the hovered token's own text is costed instead. */
  isWord: boolean;
  /** The word follows a space in the document, so `withSpace` counts `' ' + text` too. */
  precededBySpace: boolean;
  /** Tokens of the document's own tokenizer that the word overlaps there. */
  tokensHere: number;
  costs: TokenizerCost[];
}

/** Letters, marks, digits and underscore. */
const WORD = /[\p{L}\p{M}\p{N}_]+/gu;
/** Most units looked at on each side of the offset: a word is not a minified file. */
const REACH = 256;

/**
 * The word (a run of letters, digits and underscore) around `offset`, or else (or with `tokenOnly`, for a
 * special token) the token's text `[tokenStart, tokenEnd)`, with its count under each of `others`.
 */
export function wordCost(source: TokenSource, offset: number, tokenStart: number, tokenEnd: number, others: readonly Tokenizer[], tokenOnly = false): WordCost {
  const lo = Math.max(0, offset - REACH);
  const around = source.slice(lo, Math.min(source.textLength, offset + REACH));
  let start = tokenStart;
  let end = Math.min(tokenEnd, tokenStart + 2 * REACH);
  let isWord = false;
  for (const m of tokenOnly ? [] : around.matchAll(WORD)) {
    if (m.index > offset - lo) break;
    if (m.index + m[0].length > offset - lo) {
      [start, end, isWord] = [lo + m.index, lo + m.index + m[0].length, true];
      break;
    }
  }
  const text = source.slice(start, end);
  const precededBySpace = start > 0 && source.slice(start - 1, start) === ' ';
  const costs = others.map((t) => ({
    id: t.id,
    name: t.name,
    exact: t.exact,
    alone: t.count(text),
    withSpace: precededBySpace ? t.count(` ${text}`) : undefined,
  }));
  return { text, start, end, isWord, precededBySpace, tokensHere: source.tokensInRange(start, end).ids.length, costs };
}
