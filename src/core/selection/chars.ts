/**
 * Where a range may end without splitting a character: code points, with CRLF kept whole (an editor
 * cannot place a cursor between CR and LF).
 */

const isHigh = (c: number) => c >= 0xd800 && c < 0xdc00;
const isLow = (c: number) => c >= 0xdc00 && c < 0xe000;

/** Whether cutting `text` at `at` keeps characters whole. */
export function isCharBoundary(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return true;
  const before = text.charCodeAt(at - 1);
  const here = text.charCodeAt(at);
  if (before === 13 && here === 10) return false;
  return !(isHigh(before) && isLow(here));
}

/** The first character boundary after `at` (at most `text.length`). */
export function nextCharBoundary(text: string, at: number): number {
  let p = at + 1;
  while (p < text.length && !isCharBoundary(text, p)) p++;
  return Math.min(p, text.length);
}

/** True when a line ends just before `at` (LF, CRLF, or a lone CR). */
export function endsLine(text: string, at: number): boolean {
  if (at <= 0) return false;
  const before = text.charCodeAt(at - 1);
  return before === 10 || (before === 13 && text.charCodeAt(at) !== 10);
}

/** Number of line breaks (LF, CRLF, lone CR) in `text`. */
export function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) n++;
  return n;
}

const WORD = /[\p{L}\p{N}_]/u;
// Characters that attach to the one before: combining marks, variation selectors, ZWJ, skin tones.
const ATTACHES = /[\p{M}\u200d\p{Emoji_Modifier}]/u;

const isAsciiWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * Whether `at` is a likely pre-tokenizer piece boundary: not inside a word, a grapheme's marks, an emoji
 * sequence, or a CRLF. Pieces are not exposed by every tokenizer; this is what cuts prefer instead.
 */
export function isSoftBoundary(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return true;
  const b = text.charCodeAt(at - 1);
  const h = text.charCodeAt(at);
  if (b < 128 && h < 128) return !(isAsciiWord(b) && isAsciiWord(h)) && !(b === 13 && h === 10);
  if (!isCharBoundary(text, at)) return false;
  const back = at >= 2 && isLow(b) && isHigh(text.charCodeAt(at - 2)) ? 2 : 1;
  const before = text.slice(at - back, at);
  const here = text.slice(at, at + (isHigh(h) && isLow(text.charCodeAt(at + 1)) ? 2 : 1));
  if (ATTACHES.test(here) || before === '\u200d') return false;
  return !(WORD.test(before) && WORD.test(here));
}
