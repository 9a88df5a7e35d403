/**
 * Where a token's bytes fall in the text's UTF-8: which characters it holds whole, and which bytes are
 * a fragment of a character split across tokens.
 */
import type { TokenSource } from '../incremental/tokenSource';
import { utf8 } from '../text/utf8';
import type { Tokenizer } from '../tokenizers/types';

/** Bytes `[from, to)` of a token are bytes `[charFrom, charTo)` of `charBytes` of the character `char`. */
export interface ByteFragment {
  from: number;
  to: number;
  char: string;
  codePoint: number;
  charFrom: number;
  charTo: number;
  charBytes: number;
}

export interface TokenBytesLayout {
  /** The token's text, each fragment of a character written as U+FFFD. */
  text: string;
  fragments: ByteFragment[];
}

/** Most tokens looked at on each side for the run of tokens that share split characters. */
const MAX_GROUP = 64;

/**
 * The layout of the token with global index `index`. `undefined` when its bytes do not line up with the
 * text's UTF-8 (a normalizing tokenizer): the caller then shows the text as it is.
 */
export function tokenBytesLayout(source: TokenSource, tokenizer: Tokenizer, index: number, start: number, end: number): TokenBytesLayout | undefined {
  // The run of tokens chained by shared characters: together they hold whole characters.
  let lo = start;
  let hi = end;
  for (let round = 0; ; round++) {
    const r = source.tokensInRange(lo, hi);
    const at = index - r.first;
    let a = at;
    while (a > 0 && r.ends[a - 1] > r.starts[a]) a--;
    let b = at;
    while (b + 1 < r.ids.length && r.ends[b] > r.starts[b + 1]) b++;
    // A chain that reaches the fetched edge may go on: fetch one unit further (the neighbour overlaps it).
    const more = round < MAX_GROUP;
    if (more && a === 0 && r.partial[0] && r.starts[0] > 0 && r.first > 0) lo = r.starts[0] - 1;
    else if (more && b === r.ids.length - 1 && r.partial[b] && r.ends[b] < source.textLength) hi = r.ends[b] + 1;
    else return layout(source.slice(r.starts[a], r.ends[b]), tokenizer, r.ids.subarray(a, b + 1), at - a);
  }
}

/** Lays out token `k` of `ids`, whose bytes together are the UTF-8 of `text`. */
function layout(text: string, tokenizer: Tokenizer, ids: Uint32Array, k: number): TokenBytesLayout | undefined {
  const expected = utf8(text);
  let offset = 0;
  let from = 0;
  let to = 0;
  for (let t = 0; t < ids.length; t++) {
    const bytes = tokenizer.tokenBytes(ids[t]);
    if (!bytes) return undefined;
    for (let i = 0; i < bytes.length; i++) if (expected[offset + i] !== bytes[i]) return undefined;
    if (t === k) [from, to] = [offset, offset + bytes.length];
    offset += bytes.length;
  }
  if (offset !== expected.length) return undefined;
  let shown = '';
  const fragments: ByteFragment[] = [];
  let charStart = 0;
  for (const char of text) {
    const width = utf8(char).length;
    const charEnd = charStart + width;
    if (charStart >= from && charEnd <= to) shown += char;
    else if (charEnd > from && charStart < to) {
      const a = Math.max(from, charStart);
      const b = Math.min(to, charEnd);
      fragments.push({ from: a - from, to: b - from, char, codePoint: char.codePointAt(0) as number, charFrom: a - charStart, charTo: b - charStart, charBytes: width });
      shown += '\ufffd';
    }
    charStart = charEnd;
  }
  return { text: shown, fragments };
}
