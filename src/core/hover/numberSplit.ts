/**
 * How tokenizers split a number's digits, read from the tokenizers themselves: one token, digit by digit,
 * groups of three from the left (`123·456·7`, as GPT-4o and Llama 3 do) or from the right (`1·234·567`,
 * lined up with place value). Left-to-right groups make arithmetic harder for a model; right-to-left ones
 * help (Singh & Strouse, "Tokenization counts", 2024).
 */
import type { Tokenizer } from '../tokenizers/types';

export type DigitGrouping = 'one token' | 'single digits' | 'threes from the left' | 'threes from the right' | 'uneven';

export interface NumberSplit {
  tokenizer: { id: string; name: string };
  /** The digits each token holds, in order. */
  pieces: string[];
  grouping: DigitGrouping;
}

export const NUMBER_NOTE =
  'Groups of three from the left do not line up with place value, which makes arithmetic harder for a model; ' +
  'groups from the right, or single digits, help (Singh & Strouse, "Tokenization counts", 2024).';

/** Digit runs shorter than this split the same way under every grouping worth telling apart. */
export const MIN_DIGITS = 4;

/** The run of ASCII digits around `offset` in `text` (at least `MIN_DIGITS` long), or undefined. */
export function digitsAt(text: string, offset: number): { start: number; end: number; digits: string } | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
  while (end < text.length && isDigit(text.charCodeAt(end))) end++;
  return end - start >= MIN_DIGITS ? { start, end, digits: text.slice(start, end) } : undefined;
}

/** The longest run of digits in `text` (at least `MIN_DIGITS`), for the compare tab's line. */
export function longestDigits(text: string, maxDigits = 24): string | undefined {
  let best = '';
  for (const m of text.matchAll(/[0-9]{4,}/g)) if (m[0].length > best.length) best = m[0];
  return best ? best.slice(0, maxDigits) : undefined;
}

export function numberSplit(tokenizer: Tokenizer, digits: string): NumberSplit {
  const { starts, ends } = tokenizer.tokenize(digits);
  const pieces = Array.from(starts, (s, i) => digits.slice(s, ends[i])).filter((p) => p.length > 0);
  let grouping = groupingOf(pieces);
  // Whole groups of three read the same from either side: the same digits less one tell which side it is.
  if (grouping === 'threes from the left' && pieces.every((p) => p.length === 3)) grouping = numberSplit(tokenizer, digits.slice(1)).grouping;
  return { tokenizer: { id: tokenizer.id, name: tokenizer.name }, pieces, grouping };
}

function groupingOf(pieces: readonly string[]): DigitGrouping {
  if (pieces.length === 1) return 'one token';
  if (pieces.every((p) => p.length === 1)) return 'single digits';
  const inner = (from: number, to: number) => pieces.slice(from, to).every((p) => p.length === 3);
  const last = pieces[pieces.length - 1].length;
  if (inner(0, -1) && last >= 1 && last <= 3) return 'threes from the left';
  const first = pieces[0].length;
  if (inner(1, pieces.length) && first >= 1 && first <= 3) return 'threes from the right';
  return 'uneven';
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
