/** The public API of `dist/core.js`. */
export { listTokenizers, loadTokenizer } from './tokenizers/registry';
export { DocumentTokens } from './incremental/documentTokens';
export type { Tokenizer, TokenizerInfo, TokenSpans, EncodeOptions } from './tokenizers/types';
