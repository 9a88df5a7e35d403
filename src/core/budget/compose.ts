/**
 * A budget composed the way the model sees the request: system prompt, the chat template's own tokens,
 * pinned files, the document or selection, and the output reserved (shown apart, never added to the input).
 */
import type { Tokenizer } from '../tokenizers/types';
import type { BudgetState } from './budget';
import type { ModelInfo } from './modelCatalog';

export type BudgetPartKind = 'system' | 'template' | 'pinned' | 'document' | 'selection';

/** Text that goes into the request. */
export interface BudgetSource {
  kind: Exclude<BudgetPartKind, 'template'>;
  /** What the user reads: "System prompt", "src/a.ts", "notes.md (selection)". */
  label: string;
  text: string;
  /** Workspace-relative path, '/'-separated, for files. */
  path?: string;
}

export interface BudgetPart {
  kind: BudgetPartKind;
  label: string;
  tokens: number;
  /** Unicode code points (0 for the template's own tokens). */
  characters: number;
  /** Counted with an approximate tokenizer, or a documented estimate of the template. */
  estimate: boolean;
  /** How the number was obtained, when it is not plain counting (the template's overhead). */
  detail?: string;
  path?: string;
}

export interface BudgetReport {
  model: Pick<ModelInfo, 'id' | 'name' | 'provider' | 'contextWindow' | 'maxOutput'>;
  tokenizer: { id: string; name: string; exact: boolean };
  parts: BudgetPart[];
  /** Sum of the parts' tokens. */
  input: number;
  reservedOutput: number;
  /** contextWindow − reservedOutput. */
  usable: number;
  /** usable − input (negative when over). */
  left: number;
  /** input ÷ contextWindow. */
  share: number;
  state: BudgetState;
  /** Characters of text like this that the usable window holds, at this text's characters per token. */
  windowCharacters: number;
}

export interface ComposeOptions {
  model: ModelInfo;
  tokenizer: Tokenizer;
  reservedOutput: number;
  /** Fractions of the usable window. */
  warningAt: number;
  errorAt: number;
  sources: readonly BudgetSource[];
}
