/**
 * Unicode normalization (NFC for Qwen, NFKC for the legacy Claude tokenizer) with a map back to the
 * original text. No character below U+0300 changes under NFC or combines with the character before it,
 * and none below U+00A0 under NFKC, so a text normalizes run by run between such characters, and only
 * the runs that change need a map.
 */

export type NormalForm = 'NFC' | 'NFKC';

/** A run of the original text that normalization changed: `[origStart, origEnd)` became `[normStart, normEnd)`. */
export interface Replacement {
  origStart: number;
  origEnd: number;
  normStart: number;
  normEnd: number;
}

export interface NormalizedText {
  text: string;
  /** Sorted; empty when normalization changed nothing. */
  replacements: Replacement[];
}

/** Every code unit below this is unchanged by the form and never combines with what precedes it. */
export const stableBelow = (form: NormalForm): number => (form === 'NFC' ? 0x300 : 0xa0);

export function normalizeWithMap(text: string, form: NormalForm): NormalizedText {
  const stable = stableBelow(form);
  let i = 0;
  while (i < text.length && text.charCodeAt(i) < stable) i++;
  if (i === text.length) return { text, replacements: [] };
  const parts: string[] = [];
  const replacements: Replacement[] = [];
  let copied = 0;
  let normLength = 0;
  while (i < text.length) {
    // A run of unstable characters, with the stable one before it that they may combine with.
    const runStart = i > 0 ? i - 1 : 0;
    let runEnd = i;
    while (runEnd < text.length && text.charCodeAt(runEnd) >= stable) runEnd++;
    const run = text.slice(runStart, runEnd);
    const normalized = run.normalize(form);
    if (normalized !== run) {
      parts.push(text.slice(copied, runStart), normalized);
      normLength += runStart - copied;
      replacements.push({ origStart: runStart, origEnd: runEnd, normStart: normLength, normEnd: normLength + normalized.length });
      normLength += normalized.length;
      copied = runEnd;
    }
    i = runEnd;
    while (i < text.length && text.charCodeAt(i) < stable) i++;
  }
  if (replacements.length === 0) return { text, replacements };
  parts.push(text.slice(copied));
  return { text: parts.join(''), replacements };
}
