/** Text of a completion: from the model's bytes, cut against the text after the cursor, and where a word starts. */

/** UTF-8 to text; a character cut off at the end is dropped, not shown as U+FFFD. */
export function decodeComplete(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes, { stream: true });
}

/**
 * Cuts a completion where it starts repeating the text after the cursor: at the first line equal to the
 * suffix's first non-empty line, and any ending that the suffix already starts with.
 */
export function trimAgainstSuffix(text: string, suffix: string): string {
  const firstLine = suffix.split('\n').find((l) => l.trim() !== '')?.trim();
  if (firstLine !== undefined) {
    let start = text.indexOf('\n') + 1;
    while (start > 0) {
      const end = text.indexOf('\n', start);
      if (text.slice(start, end < 0 ? undefined : end).trim() === firstLine) {
        text = text.slice(0, start);
        break;
      }
      start = end + 1;
    }
  }
  for (let k = Math.min(text.length, suffix.length); k > 0; k--) {
    if (text.endsWith(suffix.slice(0, k))) return text.slice(0, text.length - k);
  }
  return text;
}

const WORD_CHAR = /^[\p{L}\p{M}\p{N}_$]$/u;

/** Where the partial identifier at the end of `text` starts (`text.length` when it ends with none). */
export function wordStart(text: string): number {
  let at = text.length;
  while (at > 0) {
    const units = at >= 2 && /[\udc00-\udfff]/.test(text[at - 1]) && /[\ud800-\udbff]/.test(text[at - 2]) ? 2 : 1;
    if (!WORD_CHAR.test(text.slice(at - units, at))) break;
    at -= units;
  }
  return at;
}
