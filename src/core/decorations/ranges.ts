/**
 * Offset ranges as flat `[start, end, start, end, …]` lists: clamped, snapped off the middle of a
 * character or a `\r\n` pair, sorted, merged, and widened by lines around the visible part.
 */
import type { TextSource } from '../incremental/tokenSource';

const CR = 13;
const LF = 10;
/** How much text the line search reads at a time. */
const STEP = 4096;

const isHigh = (c: number) => c >= 0xd800 && c < 0xdc00;
const isLow = (c: number) => c >= 0xdc00 && c < 0xe000;

/** True when `at` falls between the halves of a surrogate pair or of a `\r\n`. */
export function splitsCharacter(source: TextSource, at: number): boolean {
  if (at <= 0 || at >= source.textLength) return false;
  const pair = source.slice(at - 1, at + 1);
  const a = pair.charCodeAt(0);
  const b = pair.charCodeAt(1);
  return (a === CR && b === LF) || (isHigh(a) && isLow(b));
}

/**
 * Sorted, merged ranges (touching ones joined) within the document, each start moved back and each end
 * moved forward off the middle of a character or line end; empty ranges are dropped unless `keepEmpty`.
 */
export function normalizeRanges(source: TextSource, ranges: ArrayLike<number>, keepEmpty = false): number[] {
  const length = source.textLength;
  const pairs: [number, number][] = [];
  for (let k = 0; k + 1 < ranges.length; k += 2) {
    let start = Math.max(0, Math.min(length, Math.floor(ranges[k])));
    let end = Math.max(0, Math.min(length, Math.ceil(ranges[k + 1])));
    if (splitsCharacter(source, start)) start--;
    if (splitsCharacter(source, end)) end++;
    if (end > start || (keepEmpty && end === start)) pairs.push([start, end]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [start, end] of pairs) {
    if (out.length > 0 && start <= out[out.length - 1]) out[out.length - 1] = Math.max(out[out.length - 1], end);
    else out.push(start, end);
  }
  return out;
}

/**
 * The ranges widened by `lines` whole lines before and after (the margin that keeps decorations ready
 * while scrolling), reading no more than `maxChars` of text on each side: a minified file's one long
 * line must not widen a window to the whole document. An empty range (a cursor) widens too. Normalized
 * as by `normalizeRanges`.
 */
export function widenRanges(source: TextSource, ranges: ArrayLike<number>, lines: number, maxChars = 50_000): number[] {
  const base = normalizeRanges(source, ranges, true);
  const out: number[] = [];
  for (let k = 0; k < base.length; k += 2) {
    out.push(lineStartBefore(source, base[k], lines, maxChars), lineEndAfter(source, base[k + 1], lines, maxChars));
  }
  return normalizeRanges(source, out);
}

/** The start of the line `lines` lines above the one holding `at` (or `at - maxChars`, or 0). */
function lineStartBefore(source: TextSource, at: number, lines: number, maxChars: number): number {
  const limit = Math.max(0, at - maxChars);
  let breaks = 0;
  for (let hi = at; hi > limit; hi -= STEP) {
    const lo = Math.max(limit, hi - STEP);
    // One unit more on the right, to tell a `\r` that starts a `\r\n` from a lone one.
    const text = source.slice(lo, Math.min(hi + 1, source.textLength));
    for (let i = hi - 1; i >= lo; i--) {
      const c = text.charCodeAt(i - lo);
      const isBreak = c === LF || (c === CR && text.charCodeAt(i - lo + 1) !== LF);
      if (isBreak && ++breaks > lines) return i + 1;
    }
  }
  return limit;
}

/** The end (past its line break) of the line `lines` lines below the one holding `at` (or `at + maxChars`, or the end). */
function lineEndAfter(source: TextSource, at: number, lines: number, maxChars: number): number {
  const limit = Math.min(source.textLength, at + maxChars);
  let breaks = 0;
  for (let lo = at; lo < limit; lo += STEP) {
    const hi = Math.min(limit, lo + STEP);
    const text = source.slice(lo, Math.min(source.textLength, hi + 1));
    for (let i = lo; i < hi; i++) {
      const c = text.charCodeAt(i - lo);
      if (c === CR && text.charCodeAt(i - lo + 1) === LF) continue; // the `\n` ends this break
      if ((c === LF || c === CR) && ++breaks > lines) return i + 1;
    }
  }
  return limit;
}
