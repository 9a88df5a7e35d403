/** "Trim the selection to N tokens": the longest prefix that encodes, on its own, to at most N tokens. */
import type { EncodeOptions, Tokenizer } from '../tokenizers/types';
import { isCharBoundary, nextCharBoundary } from './chars';
import { checkRange, checkTokenCount, type TokenSource } from './source';
import { cleanAfter, fetchWindow } from './window';

export interface TrimResult {
  start: number;
  end: number;
  /** Tokens of `[start, end)` encoded on its own. */
  tokens: number;
  /** True when `end` moved. */
  trimmed: boolean;
}

/**
 * The prefix `[start, e)` of the selection whose text encodes on its own to at most `maxTokens` tokens,
 * with `e` at a character boundary (never inside a surrogate pair or a CRLF), such that the prefix one
 * character longer encodes to more.
 *
 * The document's tokens give candidate ends; galloping from the one about `maxTokens` tokens in and a
 * binary search find two neighbouring candidates that bracket the limit, and a binary search over the
 * characters between them finishes: about `log(maxTokens)` encodes of prefixes in all. Counts are not
 * monotonic (`commentPrag` can take more tokens than `commentPragma`), so the rest of the word is read
 * for such a dip, and the search goes on from there when it fits.
 */
export function trimToTokens(source: TokenSource, tokenizer: Tokenizer, start: number, end: number, maxTokens: number, options?: EncodeOptions): TrimResult {
  checkRange(source, start, end);
  checkTokenCount(maxTokens, 0);
  if (start === end) return { start, end, tokens: 0, trimmed: false };
  const text = source.slice(start, end);
  const counts = new Map<number, number>([[start, 0]]);
  const count = (e: number): number => {
    let c = counts.get(e);
    if (c === undefined) counts.set(e, (c = tokenizer.count(text.slice(0, e - start), options)));
    return c;
  };
  const fits = (e: number) => count(e) <= maxTokens;
  const cands = new Candidates(source, start, end, text, maxTokens + 1);
  for (let from = start; ; ) {
    const e = search(cands, from, maxTokens, fits);
    const further = e < end ? furtherInWord(text, e - start, maxTokens, tokenizer, options) : undefined;
    if (further === undefined || !fits(further + start)) return { start, end: e, tokens: count(e), trimmed: e < end };
    from = further + start;
  }
}

/** How far a word may reach back and on from the result: words are short, and each step encodes. */
const WORD_REACH = 64;

/**
 * A later end in the run (a word, or a run of spaces, line breaks or punctuation) holding `e`, which fits while the next character
 * does not, that may fit too: the run from its start encodes to fewer tokens there than at `e`'s next
 * character, as `commentPragma` takes fewer than `commentPrag`. Undefined when there is none, or when
 * the run is too long to read.
 */
function furtherInWord(text: string, e: number, maxTokens: number, tokenizer: Tokenizer, options?: EncodeOptions): number | undefined {
  const kind = runKind(text.charCodeAt(e));
  if (maxTokens === 0) return undefined;
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

/** The last end that fits before the first that does not, searching after `from` (which fits). */
function search(cands: Candidates, from: number, maxTokens: number, fits: (e: number) => boolean): number {
  // Candidate indices; those below `first` stand for `from`. Invariant: lo fits, hi does not.
  const first = cands.firstAfter(from);
  const at = (k: number) => (k < first ? from : cands.at(k));
  let lo = first - 1;
  let hi: number;
  const guess = Math.max(first, cands.lastWithin(maxTokens));
  if (fits(at(guess))) {
    lo = guess;
    for (let step = 1; ; step *= 2) {
      const k = cands.reach(lo + step);
      if (k === lo) return at(lo); // the whole selection fits
      if (!fits(at(k))) {
        hi = k;
        break;
      }
      lo = k;
    }
  } else {
    hi = guess;
    for (let step = 1; hi - step > first - 1; step *= 2) {
      if (fits(at(hi - step))) {
        lo = hi - step;
        break;
      }
      hi -= step;
    }
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (fits(at(mid))) lo = mid;
    else hi = mid;
  }
  return refine(cands.text, cands.start, at(lo), at(hi), fits);
}

/** Between a fitting end and one that does not, the last fitting character boundary before the next one. */
function refine(text: string, start: number, loPos: number, hiPos: number, fits: (e: number) => boolean): number {
  const between: number[] = [];
  for (let p = loPos + 1; p < hiPos; p++) if (isCharBoundary(text, p - start)) between.push(p);
  let lo = -1;
  let hi = between.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (fits(between[mid])) lo = mid;
    else hi = mid;
  }
  return lo < 0 ? loPos : between[lo];
}

/**
 * Candidate ends in order: clean document token boundaries inside the selection that are character
 * boundaries, then the selection's end; loaded a window at a time as the search reaches them.
 */
class Candidates {
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
