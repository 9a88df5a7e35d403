/** How several tokenizers count the same text: the comparison table and where two of them put boundaries. */
import type { Tokenizer } from '../tokenizers/types';

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
  /** A model that uses this tokenizer, its window, and how many characters of this text that window holds. */
  window?: { model: string; contextWindow: number; characters: number };
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
}

export interface BoundarySpan {
  /** UTF-16 offsets into the compared text. */
  start: number;
  end: number;
  id: number;
  /** True when the token holds only part of a character (its range is the whole character). */
  partial: boolean;
}

export interface BoundaryDiff {
  text: string;
  a: { tokenizer: string; spans: BoundarySpan[] };
  b: { tokenizer: string; spans: BoundarySpan[] };
  /** Token end offsets found under one tokenizer and not the other. */
  onlyA: number[];
  onlyB: number[];
}

export type { Tokenizer };
