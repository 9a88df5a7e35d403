/** "Trim the selection to N tokens": the longest prefix that encodes, on its own, to at most N tokens. */
import type { EncodeOptions, Tokenizer } from '../tokenizers/types';
import { isCharBoundary } from './chars';
import { Candidates } from './candidates';
import type { TokenSource } from '../incremental/tokenSource';
import { checkRange, checkTokenCount } from './source';
import { furtherInRun } from './runs';

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
 * monotonic (`commentPrag` can take more tokens than `commentPragma`), so the rest of the word (or run
 * of spaces or punctuation) is read for such a dip, and the search goes on from there when it fits: the
 * result is then the longest fitting prefix, except past a dip in a run longer than 64 units.
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
    const further = e < end ? furtherInRun(text, e - start, maxTokens, tokenizer, options) : undefined;
    if (further === undefined || !fits(further + start)) return { start, end: e, tokens: count(e), trimmed: e < end };
    from = further + start;
  }
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
