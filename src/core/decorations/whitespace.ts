/** Whitespace markers: runs of spaces, runs of tabs, and line ends (a `\r\n` is one). */
import type { PairList } from './pairList';

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;

export interface WhitespaceLists {
  spaces: PairList;
  tabs: PairList;
  lineEnds: PairList;
}

/**
 * Adds the markers of `[from, to)`, where `text` holds the document from offset `base` (and at least
 * one unit past `to`, to see a `\r\n` whole). Returns how many ranges it added.
 */
export function markWhitespace(text: string, base: number, from: number, to: number, lists: WhitespaceLists): number {
  let added = 0;
  let i = from - base;
  const end = to - base;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      let j = i + 1;
      while (j < end && text.charCodeAt(j) === c) j++;
      (c === SPACE ? lists.spaces : lists.tabs).push(base + i, base + j);
      added++;
      i = j;
    } else if (c === LF || c === CR) {
      const width = c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      lists.lineEnds.push(base + i, base + i + width);
      added++;
      i += width;
    } else {
      i++;
    }
  }
  return added;
}
