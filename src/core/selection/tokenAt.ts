/** The token under the cursor, for the hover and "reveal token". */
import type { TokenSource } from '../incremental/tokenSource';

export interface TokenAtOffset {
  /** Index (in the whole document) of the token, or of the first token of its group. */
  index: number;
  /** The token's id; several when tokens share a character (byte-level BPE splitting an emoji). */
  ids: Uint32Array;
  /** UTF-16 range of the token, or of its whole group. */
  start: number;
  end: number;
  /** True when the range is a group of tokens that each hold part of a character. */
  partial: boolean;
}

/**
 * The token containing UTF-16 `offset`; at a boundary, the token starting there; at the end of the text,
 * the last token. Tokens that share characters come back together. Undefined for an empty text.
 */
export function tokenAt(source: TokenSource, offset: number): TokenAtOffset | undefined {
  const length = source.textLength;
  if (!(Number.isInteger(offset) && offset >= 0 && offset <= length)) throw new RangeError(`offset ${offset} is outside the text (length ${length})`);
  if (length === 0) return undefined;
  const at = Math.min(offset, length - 1);
  // Groups are short (a character's bytes), but a run of split emoji chains them: widen until it fits.
  for (let margin = 16; ; margin *= 4) {
    const from = Math.max(0, at - margin);
    const to = Math.min(length, at + 1 + margin);
    const { ids, starts, ends, partial, first } = source.tokensInRange(from, to);
    let t = 0;
    while (t + 1 < ids.length && !(starts[t] <= at && at < ends[t])) t++;
    let u = t;
    while (t > 0 && starts[t] < ends[t - 1]) t--;
    while (u + 1 < ids.length && starts[u + 1] < ends[u]) u++;
    // The group may go on past the fetched tokens.
    if ((t === 0 && from > 0) || (u === ids.length - 1 && to < length)) continue;
    let isPartial = u > t;
    for (let k = t; k <= u; k++) if (partial[k]) isPartial = true;
    return { index: first + t, ids: ids.slice(t, u + 1), start: starts[t], end: ends[u], partial: isPartial };
  }
}
