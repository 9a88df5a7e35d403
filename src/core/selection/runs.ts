/**
 * Token counts are not monotonic inside a pre-tokenizer piece: a longer word can merge into fewer tokens.
 * Trimming reads the rest of the run it stopped in for such a dip.
 */
import type { EncodeOptions, Tokenizer } from '../tokenizers/types';
import { nextCharBoundary } from './chars';

/** How far a word may reach back and on from the result: words are short, and each step encodes. */
const WORD_REACH = 64;

/**
 * A later end in the run (a word, or spaces, line breaks or punctuation) holding `e` that may fit too,
 * when `e` fits and the next character does not: the run from its start encodes to fewer tokens there
 * than at that next character, as `commentPragma` takes fewer than `commentPrag`. Undefined when there
 * is none, or when the run is too long to read.
 */
export function furtherInRun(text: string, e: number, maxTokens: number, tokenizer: Tokenizer, options?: EncodeOptions): number | undefined {
  if (maxTokens === 0) return undefined;
  const kind = runKind(text.charCodeAt(e));
  let from = e;
  while (from > 0 && runKind(text.charCodeAt(from - 1)) === kind) from--;
  // Pre-tokenizers attach a space or a punctuation mark to the word after it (` word`, `.word`).
  if (kind === WORD && from > 0 && runKind(text.charCodeAt(from - 1)) !== NEWLINE) from--;
  if (e - from > WORD_REACH) return undefined;
  const next = nextCharBoundary(text, e);
  const failing = tokenizer.count(text.slice(from, next), options);
  let best: number | undefined;
  for (let p = nextCharBoundary(text, next); p - e <= WORD_REACH && runKind(text.charCodeAt(p - 1)) === kind; p = nextCharBoundary(text, p)) {
    if (tokenizer.count(text.slice(from, p), options) < failing) best = p;
    if (p === text.length) break;
  }
  return best;
}

const WORD = 1;
const SPACE = 2;
const NEWLINE = 3;
const OTHER = 0;
const LETTER = /[\p{L}\p{N}\p{M}_]/u;

function runKind(c: number): number {
  if (c === 32 || c === 9) return SPACE;
  if (c === 10 || c === 13) return NEWLINE;
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ? WORD : OTHER;
  // Surrogates count as word characters: most astral characters in words are letters or marks.
  return (c >= 0xd800 && c < 0xe000) || LETTER.test(String.fromCharCode(c)) ? WORD : OTHER;
}
