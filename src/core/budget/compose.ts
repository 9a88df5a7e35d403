/**
 * A budget composed the way the model sees the request: system prompt, the chat template's own tokens,
 * pinned files, the document or selection, and the output reserved (shown apart, never added to the input).
 */
import type { Tokenizer } from '../tokenizers/types';
import { countCodePoints } from '../text/characters';
import { computeBudget, type BudgetState } from './budget';
import { templateOverhead } from './chatTemplate';
import { requestCost, type RequestCost } from './cost';
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
  model: Pick<ModelInfo, 'id' | 'name' | 'provider' | 'contextWindow' | 'maxOutput' | 'prices' | 'pricesFrom'>;
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
  /** Characters of text like this that the usable window holds beside the template, at this text's characters per token. */
  windowCharacters: number;
  /** The request at the model's list prices (the input, the reserved output, the input read from a cache); absent without prices. */
  cost?: RequestCost;
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

/** Where each kind goes in the request: the system message, the template, then the user message's parts. */
const ORDER: Record<BudgetSource['kind'], number> = { system: 0, pinned: 1, document: 2, selection: 2 };

/**
 * Counts each source on its own with the model's tokenizer (special-token text in it is plain text) and
 * adds the chat template's tokens for [system message] + one user message holding everything else. What
 * joins the parts inside that message, and whitespace a template trims at its ends, is not counted.
 */
export function composeBudget(options: ComposeOptions): BudgetReport {
  const { model, tokenizer } = options;
  // A stand-in tokenizer (o200k_base for Gemini) approximates the model's even when exact for its own.
  const approximate = !tokenizer.exact || (tokenizer.id === model.tokenizer && !model.tokenizerExact);
  const sources = options.sources.map((source, index) => ({ source, index })).sort((a, b) => ORDER[a.source.kind] - ORDER[b.source.kind] || a.index - b.index);
  const parts: BudgetPart[] = sources.map(({ source }) => ({
    kind: source.kind,
    label: source.label,
    tokens: tokenizer.count(source.text),
    characters: countCodePoints(source.text),
    estimate: approximate,
    ...(source.path === undefined ? {} : { path: source.path }),
  }));
  const systems = parts.filter((p) => p.kind === 'system').length;
  const overhead = templateOverhead(model, tokenizer, systems > 0);
  parts.splice(systems, 0, {
    kind: 'template',
    label: `Chat template (${overhead.name})`,
    tokens: overhead.tokens,
    characters: 0,
    estimate: overhead.estimate || approximate,
    detail: overhead.detail,
  });

  let input = 0;
  let textTokens = 0;
  let textCharacters = 0;
  for (const part of parts) {
    input += part.tokens;
    if (part.kind === 'template') continue;
    textTokens += part.tokens;
    textCharacters += part.characters;
  }
  const cost = requestCost(model.prices, input, options.reservedOutput);
  const budget = computeBudget({ used: input, contextWindow: model.contextWindow, reservedOutput: options.reservedOutput, warningAt: options.warningAt, errorAt: options.errorAt });
  return {
    model: { id: model.id, name: model.name, provider: model.provider, contextWindow: model.contextWindow, maxOutput: model.maxOutput, ...(model.prices ? { prices: model.prices, pricesFrom: model.pricesFrom } : {}) },
    tokenizer: { id: tokenizer.id, name: tokenizer.name, exact: tokenizer.exact },
    parts,
    input,
    reservedOutput: options.reservedOutput,
    usable: budget.usable,
    left: budget.left,
    share: budget.share,
    state: budget.state,
    // The template's own tokens take their share of the window first.
    windowCharacters: textTokens > 0 ? Math.floor((Math.max(0, budget.usable - overhead.tokens) * textCharacters) / textTokens) : 0,
    ...(cost ? { cost } : {}),
  };
}

/** True when any number of the report is approximate. */
export function budgetIsEstimate(report: BudgetReport): boolean {
  return report.parts.some((p) => p.estimate);
}
