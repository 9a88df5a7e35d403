/** How several tokenizers count the same text: the comparison table and where two of them put boundaries. */
import { longestDigits, numberSplit, type NumberSplit } from '../hover/numberSplit';
import { modelCatalog } from '../budget/modelCatalog';
import type { ModelInfo } from '../budget/modelCatalog';
import { requestCost, type Prices } from '../budget/cost';
import type { Tokenizer } from '../tokenizers/types';
import { representativeModel } from './representativeModel';
import { textSize, wordCoverage, wordRanges } from './textMeasures';

export { boundaryDiff, BOUNDARY_DIFF_LIMIT, type BoundaryDiff, type BoundarySpan } from './boundaryDiff';

export interface CompareRow {
  tokenizer: string;
  name: string;
  exact: boolean;
  tokens: number;
  /** Unicode code points ÷ tokens. */
  charsPerToken: number;
  /** UTF-8 bytes ÷ tokens. */
  bytesPerToken: number;
  /** Tokens per word (fertility): tokens overlapping word-like segments ÷ words. */
  tokensPerWord: number;
  /** Share (0–1) of words covered by exactly one token. */
  singleTokenWords: number;
  /** tokens − the reference row's tokens. */
  deltaTokens: number;
  /** deltaTokens ÷ the reference row's tokens. */
  deltaShare: number;
  /**
   * A model that uses this tokenizer, its window, and how many characters of this text that window holds
   * (⌊window × chars/token⌋; 0 for a text without tokens).
   */
  window?: { model: string; contextWindow: number; characters: number };
  /** This text as that model's input at its list input price, in US dollars (an estimate; absent without a price). */
  inputCost?: number;
}

export interface CompareReport {
  /** What was compared: "notes.md", "selection in notes.md", "3 pinned files". */
  source: string;
  characters: number;
  bytes: number;
  words: number;
  /** Tokenizer id the deltas are against (the current one). */
  reference: string;
  rows: CompareRow[];
  /** How each tokenizer splits the digits of the text's longest number (or of an example, when it has none). */
  numbers?: { digits: string; fromText: boolean; splits: NumberSplit[] };
}

/** A model and its window, standing for a tokenizer in the "window holds" column. */
export interface WindowModel {
  model: string;
  contextWindow: number;
  /** Its list prices, for the row's cost. */
  prices?: Prices;
}

export interface CompareOptions {
  /** Tokenizer id the deltas are against; it must be one of those compared. */
  reference: string;
  /** What was compared, as the report names it. */
  source: string;
  /** Tokenizer id → the model whose window to show (the current model for the current tokenizer). */
  windows?: Readonly<Record<string, WindowModel>>;
  /**
   * The model whose window to show, row by row in the order of the tokenizers; before `windows`. For
   * rows that stand for models, where two models may share a tokenizer and still differ in window.
   */
  rowWindows?: readonly (WindowModel | undefined)[];
  /** Where the other rows' models are picked from (default: the bundled catalog). */
  catalog?: readonly ModelInfo[];
  signal?: AbortSignal;
}

/** A catalog model as a comparison row's window (and prices). */
export function windowModel(model: ModelInfo): WindowModel {
  return { model: model.id, contextWindow: model.contextWindow, ...(model.prices ? { prices: model.prices } : {}) };
}

/** Tokenizers compared when the user has not chosen: the current one and popular ones, four in all. */
export function defaultCompareTokenizers(current: string): string[] {
  const ids = [current];
  for (const id of ['o200k_base', 'llama3', 'qwen3', 'cl100k_base']) if (!ids.includes(id)) ids.push(id);
  return ids.slice(0, 4);
}

/**
 * One row per tokenizer for the texts of `sources` together. Each source is tokenized on its own (files
 * are sent separately) and the numbers are summed. Special-token text is plain text, as in user content.
 * Ratios over zero tokens or words are 0.
 */
/** Shown when the text has no number of four digits or more: seven digits tell every grouping apart. */
const EXAMPLE_NUMBER = '1234567';

export function compareTokenizers(
  sources: readonly { label: string; text: string }[],
  tokenizers: readonly Tokenizer[],
  options: CompareOptions,
): CompareReport {
  const referenceIndex = tokenizers.findIndex((t) => t.id === options.reference);
  if (referenceIndex < 0) throw new Error(`the reference tokenizer ${options.reference} is not among those compared`);
  let characters = 0;
  let bytes = 0;
  let words = 0;
  const tokens = new Array<number>(tokenizers.length).fill(0);
  const overlaps = new Array<number>(tokenizers.length).fill(0);
  const singles = new Array<number>(tokenizers.length).fill(0);
  for (const { text } of sources) {
    options.signal?.throwIfAborted();
    const size = textSize(text);
    characters += size.characters;
    bytes += size.bytes;
    const ranges = wordRanges(text);
    words += ranges.count;
    for (let i = 0; i < tokenizers.length; i++) {
      if (tokenizers.indexOf(tokenizers[i]) < i) continue; // counted once, copied below
      options.signal?.throwIfAborted();
      const spans = tokenizers[i].tokenize(text);
      const coverage = wordCoverage(ranges, spans);
      tokens[i] += spans.ids.length;
      overlaps[i] += coverage.overlaps;
      singles[i] += coverage.singleTokenWords;
    }
  }
  for (let i = 0; i < tokenizers.length; i++) {
    const first = tokenizers.indexOf(tokenizers[i]);
    if (first < i) [tokens[i], overlaps[i], singles[i]] = [tokens[first], overlaps[first], singles[first]];
  }
  const ratio = (x: number, y: number) => (y === 0 ? 0 : x / y);
  let catalog = options.catalog;
  const rows = tokenizers.map((t, i): CompareRow => {
    const charsPerToken = ratio(characters, tokens[i]);
    const row: CompareRow = {
      tokenizer: t.id,
      name: t.name,
      exact: t.exact,
      tokens: tokens[i],
      charsPerToken,
      bytesPerToken: ratio(bytes, tokens[i]),
      tokensPerWord: ratio(overlaps[i], words),
      singleTokenWords: ratio(singles[i], words),
      deltaTokens: tokens[i] - tokens[referenceIndex],
      deltaShare: ratio(tokens[i] - tokens[referenceIndex], tokens[referenceIndex]),
    };
    let window = options.rowWindows?.[i] ?? options.windows?.[t.id];
    if (!window) {
      catalog ??= modelCatalog();
      const model = representativeModel(t.id, catalog);
      if (model) window = windowModel(model);
    }
    if (window) {
      // window × characters ÷ tokens in that order, so that whole results are not floored to one less.
      row.window = { model: window.model, contextWindow: window.contextWindow, characters: tokens[i] === 0 ? 0 : Math.floor((window.contextWindow * characters) / tokens[i]) };
      const cost = requestCost(window.prices, tokens[i], 0)?.input;
      if (cost !== undefined) row.inputCost = cost;
    }
    return row;
  });
  const found = sources.reduce<string | undefined>((best, { text }) => {
    const d = longestDigits(text);
    return d && d.length > (best?.length ?? 0) ? d : best;
  }, undefined);
  const digits = found ?? EXAMPLE_NUMBER;
  const numbers = { digits, fromText: found !== undefined, splits: splitsOnce(tokenizers, digits) };
  return { source: options.source, characters, bytes, words, reference: options.reference, rows, numbers };
}

/** Each tokenizer's split of `digits`, a tokenizer listed twice split once. */
function splitsOnce(tokenizers: readonly Tokenizer[], digits: string): NumberSplit[] {
  const seen = new Map<Tokenizer, NumberSplit>();
  return tokenizers.map((t) => seen.get(t) ?? seen.set(t, numberSplit(t, digits)).get(t)!);
}

export type { Tokenizer };
