/**
 * The answer an AI assistant gets when it asks how many tokens something takes: the counts per part, the
 * share of a model's context window, what is left, and the cost at list prices (estimates), as one
 * sentence to read and the same figures as data.
 */
import { computeBudget, formatCount, formatCounted, formatShare } from './budget';
import { formatUsd, requestCost, type RequestCost } from './cost';
import type { ModelInfo } from './modelCatalog';

export interface MeasuredPart {
  /** What was measured: a path, "selection", "text" or a document's name. */
  name: string;
  tokens: number;
  /** Code points. */
  characters: number;
}

export interface TokenUseInput {
  /** What was asked about, in words: "src/ and README.md", "the selection". */
  subject: string;
  tokenizer: { id: string; name: string; exact: boolean };
  parts: readonly MeasuredPart[];
  skipped: readonly { path: string; reason: string }[];
  model: ModelInfo;
  reservedOutput: number;
  warningAt: number;
  errorAt: number;
}

export interface TokenUse {
  tokenizer: TokenUseInput['tokenizer'];
  tokens: number;
  characters: number;
  parts: MeasuredPart[];
  skipped: TokenUseInput['skipped'];
  /** Absent for a model the catalog does not know (no window). */
  window?: { model: string; modelName: string; contextWindow: number; reservedOutput: number; usable: number; left: number; share: number; state: 'ok' | 'warning' | 'error' };
  cost?: RequestCost;
}

/** The parts listed in the answer; the rest are summed into the totals. */
const LISTED_PARTS = 200;

export function tokenUse(input: TokenUseInput): { summary: string; use: TokenUse } {
  const tokens = input.parts.reduce((n, p) => n + p.tokens, 0);
  const characters = input.parts.reduce((n, p) => n + p.characters, 0);
  const { model } = input;
  const use: TokenUse = { tokenizer: input.tokenizer, tokens, characters, parts: input.parts.slice(0, LISTED_PARTS), skipped: input.skipped.slice(0, LISTED_PARTS) };
  if (model.contextWindow > 0) {
    const b = computeBudget({ used: tokens, contextWindow: model.contextWindow, reservedOutput: input.reservedOutput, warningAt: input.warningAt, errorAt: input.errorAt });
    use.window = { model: model.id, modelName: model.name, contextWindow: b.contextWindow, reservedOutput: b.reservedOutput, usable: b.usable, left: b.left, share: b.share, state: b.state };
  }
  const cost = requestCost(model.prices, tokens, input.reservedOutput);
  if (cost) use.cost = cost;
  return { summary: summarize(use, input.subject), use };
}

function summarize(use: TokenUse, what: string): string {
  const sentences = [`${formatCounted(use.tokens, 'token', use.tokenizer.exact ? '' : 'About ')} in ${what} (${use.tokenizer.id}${use.tokenizer.exact ? '' : ', an estimate'}).`];
  const w = use.window;
  if (w) {
    const left = w.left >= 0 ? `${formatCount(w.left)} left` : `over by ${formatCount(-w.left)}`;
    sentences.push(`That is ${formatShare(w.share)} of ${w.modelName}'s ${formatCount(w.contextWindow)}-token context window: ${left} once ${formatCount(w.reservedOutput)} are reserved for output.`);
  }
  if (use.cost?.input !== undefined) sentences.push(`As input it costs about ${formatUsd(use.cost.input)} at list prices${use.cost.cachedInput !== undefined ? ` (${formatUsd(use.cost.cachedInput)} read from a prompt cache)` : ''}.`);
  if (use.skipped.length > 0) sentences.push(`${formatCounted(use.skipped.length, 'path')} skipped (see skipped).`);
  return sentences.join(' ');
}
