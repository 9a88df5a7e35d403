/** "Select the next N tokens" from the cursor. */
import type { TokenSource } from '../incremental/tokenSource';
import { checkTokenCount } from './source';
import { tokenAt } from './tokenAt';
import { fetchWindow } from './window';

export interface TokenRange {
  start: number;
  end: number;
  /** Document tokens the range holds. */
  tokens: number;
}

/**
 * The range of the `n` document tokens from the cursor. A cursor inside a token starts the range at that
 * token's start, so the selection holds whole tokens. A range never ends inside a character: when the
 * `n`-th token shares one with the next (a split emoji), the range takes the rest of the group, and
 * `tokens` may then exceed `n`. Near the end of the text it holds what is left.
 */
export function selectNextTokens(source: TokenSource, offset: number, n: number): TokenRange {
  checkTokenCount(n, 0);
  const token = tokenAt(source, offset);
  if (n === 0 || !token || offset === source.textLength) return { start: offset, end: offset, tokens: 0 };
  const w = fetchWindow(source, token.start, source.textLength, n);
  const { starts, ends } = w.spans;
  // The window starts with the cursor's group: the token before it ends at or before `token.start`.
  let last = Math.min(n, starts.length) - 1;
  while (last + 1 < starts.length && starts[last + 1] < ends[last]) last++;
  return { start: token.start, end: ends[last], tokens: last + 1 };
}
