/** Pure functions behind the selection commands: ids of selections, selecting, trimming, chunking, the token at the cursor. */
export { spansSource, type TokenSource } from './source';
export { selectionTokenIds, formatTokenIds, formatTokenIdLists, type Selection, type SelectionIds, type IdFormat } from './selectionIds';
export { selectNextTokens, type TokenRange } from './selectTokens';
export { trimToTokens, type TrimResult } from './trim';
export { chunkDocument, type Chunk } from './chunk';
export { tokenAt, type TokenAtOffset } from './tokenAt';
export { escapeTokenText } from './escape';
