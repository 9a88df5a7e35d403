/** The public API of `dist/core.js`, a Node library: it reads through Node's file system unless given another source. */
import { useNodeData } from './data/node';

useNodeData();
export { useDataSource } from './data/source';
export type { DataSource } from './data/source';
export { listTokenizers, loadTokenizer } from './tokenizers/registry';
export { DocumentTokens } from './incremental/documentTokens';
export type { Tokenizer, TokenizerInfo, TokenSpans, EncodeOptions } from './tokenizers/types';
export { computeTokenDecorations } from './decorations/tokenDecorations';
export { normalizeRanges, widenRanges } from './decorations/ranges';
export { tokenHover } from './hover/tokenHover';
export { renderHoverMarkdown } from './hover/hoverMarkdown';
export { modelCatalog, tokenizerForModel } from './budget/modelCatalog';
export { computeBudget, reservedOutputFor } from './budget/budget';
export { composeBudget } from './budget/compose';
export type { BudgetPart, BudgetReport, BudgetSource, ComposeOptions } from './budget/compose';
export { templateOverhead } from './budget/chatTemplate';
export { budgetToCsv, budgetToJson } from './budget/exportBudget';
export { compareTokenizers, defaultCompareTokenizers, boundaryDiff } from './compare/compare';
export { compareToCsv, compareToJson } from './compare/exportCompare';
export type { CompareReport, CompareRow, BoundaryDiff, BoundarySpan } from './compare/compare';
export { scanWorkspace } from './workspace/scan';
export { WorkspaceIndex } from './workspace/workspaceIndex';
export { nodeFs, nodeRoot } from './workspace/nodeFs';
export { coverEncodings, exactNextByteDistribution, IncrementalByteState, sampleCover, tokenModelFromBackend, byteTokenizerFromInfo, encodeBytesWith } from './fim/exact';
export { boundedNextBytes, cachedPartialModel, certifiedFirstStep, partialModelFromBackend } from './fim/exact';
export type { TokenModel, ByteTokenizer, Cover, ExactOptions, PartialTokenModel, PartialDistribution } from './fim/exact';
// Completions as the editor runs them: connect a backend, find its vocabulary and template, complete at a cursor.
export { createBackend } from './backends/create';
export { EmbeddedBackend } from './backends/embedded';
export type { BackendSettings } from './backends/create';
export type { ConnectResult, ModelBackend } from './backends/types';
export { findModelTokenizer } from './fim/modelTokenizer';
export { openFimSession } from './fim/session';
export type { FimSession, FimSessionRequest } from './fim/session';
export { templateForModel } from './fim/templateForModel';
export { completeAt, fimIds, fimPrompt } from './fim/complete';
export type { CompleteInput, Completion, CompleteStats } from './fim/complete';
