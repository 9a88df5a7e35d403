/** Token ids of selections, two ways, for "copy token ids". */
import type { EncodeOptions, Tokenizer } from '../tokenizers/types';
import type { TokenSource } from '../incremental/tokenSource';
import { checkRange } from './source';

export interface Selection {
  start: number;
  end: number;
}

export interface SelectionIds {
  start: number;
  end: number;
  /** The selection's text encoded on its own: what pasting it into an API sends. */
  standalone: Uint32Array;
  /** The document's tokens overlapping the selection, as the document is tokenized. */
  inDocument: Uint32Array;
  /** The range those document tokens cover; wider than the selection when it cuts through a token. */
  documentStart: number;
  documentEnd: number;
  /** True when both lists are the same, so a command need not ask which to copy. */
  same: boolean;
}

/** For each UTF-16 selection `[start, end)`: its ids encoded on its own and as in the document. */
export function selectionTokenIds(source: TokenSource, tokenizer: Tokenizer, selections: readonly Selection[], options?: EncodeOptions): SelectionIds[] {
  return selections.map(({ start, end }) => {
    checkRange(source, start, end);
    if (start === end) return { start, end, standalone: new Uint32Array(0), inDocument: new Uint32Array(0), documentStart: start, documentEnd: end, same: true };
    const standalone = tokenizer.encode(source.slice(start, end), options);
    const { ids, starts, ends } = source.tokensInRange(start, end);
    const inDocument = ids.slice();
    const same = standalone.length === inDocument.length && standalone.every((id, i) => id === inDocument[i]);
    return { start, end, standalone, inDocument, documentStart: starts[0], documentEnd: ends[ends.length - 1], same };
  });
}

export type IdFormat = 'json' | 'spaced';

/** `[1, 2, 3]` (JSON) or `1 2 3`. */
export function formatTokenIds(ids: ArrayLike<number>, format: IdFormat): string {
  const list = Array.from(ids).join(format === 'json' ? ', ' : ' ');
  return format === 'json' ? `[${list}]` : list;
}

/** Several selections' ids: one list as `formatTokenIds`; more as a JSON array of lists, or one line each. */
export function formatTokenIdLists(lists: readonly ArrayLike<number>[], format: IdFormat): string {
  if (lists.length === 1) return formatTokenIds(lists[0], format);
  const parts = lists.map((ids) => formatTokenIds(ids, format));
  return format === 'json' ? `[${parts.join(', ')}]` : parts.join('\n');
}
