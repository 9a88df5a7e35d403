/** The public API of `dist/core.js`. */
export { listTokenizers, loadTokenizer } from './tokenizers/registry';
export { DocumentTokens } from './incremental/documentTokens';
export type { Tokenizer, TokenizerInfo, TokenSpans, EncodeOptions } from './tokenizers/types';
export { computeTokenDecorations } from './decorations/tokenDecorations';
export { normalizeRanges, widenRanges } from './decorations/ranges';
export { tokenHover } from './hover/tokenHover';
export { renderHoverMarkdown } from './hover/hoverMarkdown';
export { modelCatalog, tokenizerForModel } from './budget/modelCatalog';
export { computeBudget } from './budget/budget';
