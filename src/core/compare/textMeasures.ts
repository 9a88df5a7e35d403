/** What the comparison divides token counts by: characters, UTF-8 bytes and words of a text. */

export interface TextSize {
  /** Unicode code points; a lone surrogate counts as one. */
  characters: number;
  /** UTF-8 bytes; a lone surrogate counts as U+FFFD (3 bytes), as an encoder writes it. */
  bytes: number;
}

/** Code points and UTF-8 bytes in one pass, without encoding the text. */
export function textSize(text: string): TextSize {
  let characters = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    characters++;
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return { characters, bytes };
}

const isLow = (c: number) => c >= 0xdc00 && c < 0xe000;

/** Word-like segments of a text as UTF-16 ranges, in order; found once and reused for every tokenizer. */
export interface WordRanges {
  count: number;
  starts: Uint32Array;
  ends: Uint32Array;
}

// Creating a segmenter loads ICU data: do it once.
let segmenter: Intl.Segmenter | undefined;

/**
 * Each step of a segment iterator costs time in proportion to the string's length (V8 with ICU 78: 13 s
 * for 200k characters at once, 0.04 s in pieces), so the text is segmented in pieces of about this many
 * units, cut where every segmentation breaks anyway.
 */
const PIECE = 256;

/** The segments `Intl.Segmenter` calls word-like (words, numbers, identifiers, CJK words), not spaces or punctuation. */
export function wordRanges(text: string): WordRanges {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' });
  let starts: Uint32Array = new Uint32Array(256);
  let ends: Uint32Array = new Uint32Array(256);
  let count = 0;
  for (let from = 0; from < text.length; ) {
    const to = pieceEnd(text, from);
    const piece = from === 0 && to === text.length ? text : text.slice(from, to);
    for (const segment of segmenter.segment(piece)) {
      if (!segment.isWordLike) continue;
      if (count === starts.length) {
        starts = grow(starts);
        ends = grow(ends);
      }
      starts[count] = from + segment.index;
      ends[count] = from + segment.index + segment.segment.length;
      count++;
    }
    from = to;
  }
  return { count, starts, ends };
}

/** The first safe cut at least `PIECE` units after `from`, or the text's end. */
function pieceEnd(text: string, from: number): number {
  for (let at = from + PIECE; at < text.length; at++) if (alwaysBreaks(text, at)) return at;
  return text.length;
}

/**
 * Word boundaries that no context can remove (Unicode UAX #29): after a line break (WB3a; CR only when
 * no LF follows, WB3); between a space and a visible ASCII character, and between an ideographic comma
 * or full stop and a kana or ideograph (no rule joins them, WB999; the punctuation ends a dictionary run).
 */
function alwaysBreaks(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  const here = text.charCodeAt(at);
  if (before === 0x0a || before === 0x0b || before === 0x0c || before === 0x85 || before === 0x2028 || before === 0x2029) return true;
  if (before === 0x0d) return here !== 0x0a;
  if (before === 0x20) return here > 0x20 && here < 0x7f;
  return (before === 0x3001 || before === 0x3002 || before === 0xff0c) && ((here >= 0x3041 && here <= 0x30ff) || (here >= 0x4e00 && here <= 0x9fff));
}

function grow(array: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

export interface WordCoverage {
  /** Tokens overlapping each word, summed over the words (a token across two words counts for both). */
  overlaps: number;
  /** Words overlapped by exactly one token. */
  singleTokenWords: number;
}

/**
 * How a tokenizer's in-context spans cover the words: one pass over words and tokens together, both in
 * text order. A token overlaps a word when it starts before the word ends and ends after it starts.
 */
export function wordCoverage(words: WordRanges, spans: { starts: Uint32Array; ends: Uint32Array }): WordCoverage {
  const { starts, ends } = spans;
  const n = starts.length;
  let first = 0; // the first token that can reach the current word: those before it end before it starts
  let overlaps = 0;
  let singleTokenWords = 0;
  for (let w = 0; w < words.count; w++) {
    const wordStart = words.starts[w];
    const wordEnd = words.ends[w];
    while (first < n && ends[first] <= wordStart) first++;
    let k = 0;
    for (let j = first; j < n && starts[j] < wordEnd; j++) if (ends[j] > wordStart) k++;
    overlaps += k;
    if (k === 1) singleTokenWords++;
  }
  return { overlaps, singleTokenWords };
}
