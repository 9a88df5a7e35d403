/**
 * What Tokenwise calls a character, everywhere (status bar, panel, CLI, exports): a Unicode code point, as
 * a person and `wc -m` count them. An emoji is one character, though two UTF-16 units; a ZWJ sequence is
 * as many as its code points. A lone surrogate counts as one.
 */
const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

export function countCodePoints(text: string): number {
  return text.length - surrogatePairs(text);
}

/** Surrogate pairs in `text`: the UTF-16 units that are not characters of their own. */
export function surrogatePairs(text: string): number {
  // Most text has no character outside the BMP; the regular expression finds that out at memory speed.
  if (!HIGH_SURROGATE.test(text)) return 0;
  let pairs = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return pairs;
}
