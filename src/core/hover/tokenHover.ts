/**
 * The hover model for the token under the pointer: where it is, its id, text, bytes and vocabulary
 * piece, the character fragments it holds, and what the word there costs under other tokenizers.
 * `renderHoverMarkdown` writes it out.
 */
import type { TokenSource } from '../incremental/tokenSource';
import type { Tokenizer } from '../tokenizers/types';
import { escapeTokenText, hexBytes } from '../text/escape';
import { tokenBytesLayout, type ByteFragment } from './fragments';
import { vocabularyPiece, type PieceForm } from './piece';
import { digitsAt, numberSplit, type NumberSplit } from './numberSplit';
import { wordCost, type WordCost } from './wordCost';

export interface HoverToken {
  /** Global index in the document. */
  index: number;
  id: number;
  /** UTF-16 range; a token holding part of a character covers the whole character. */
  start: number;
  end: number;
  /** Escaped for display (see `escapeTokenText`); a character fragment shows as U+FFFD. */
  text: string;
  /** Hex pairs (`e3 81 82`). */
  bytes: string;
  byteLength: number;
  piece: string;
  pieceForm: PieceForm;
  special: boolean;
  /** The token holds part of a character: `fragments` says which. */
  partial: boolean;
  fragments: ByteFragment[];
}

export interface TokenHoverModel {
  tokenizer: { id: string; name: string; exact: boolean };
  offset: number;
  /** The token at the offset; several when the character there is split across tokens. */
  tokens: HoverToken[];
  word: WordCost;
  /** On a number of four digits or more: how this tokenizer and the others split its digits. */
  number?: { digits: string; splits: NumberSplit[] };
}

/** Digits looked at on each side of the offset. */
const NUMBER_REACH = 64;

/**
 * The hover at `offset` (UTF-16) of a document tokenized by `tokenizer`; `others` are the pinned
 * tokenizers to compare the word's cost with. Undefined past the end of the text.
 */
export function tokenHover(source: TokenSource, tokenizer: Tokenizer, offset: number, others: readonly Tokenizer[] = []): TokenHoverModel | undefined {
  if (!(offset >= 0 && offset < source.textLength)) return undefined;
  // On the second half of a surrogate pair, hover its character.
  if (offset > 0 && /^[\uD800-\uDBFF][\uDC00-\uDFFF]$/.test(source.slice(offset - 1, offset + 1))) offset--;
  const hits = source.tokensInRange(offset, offset + 1);
  const tokens: HoverToken[] = [];
  for (let t = 0; t < hits.ids.length; t++) {
    tokens.push(hoverToken(source, tokenizer, hits.first + t, hits.ids[t], hits.starts[t], hits.ends[t], hits.partial[t] === 1));
  }
  if (tokens.length === 0) return undefined;
  return {
    tokenizer: { id: tokenizer.id, name: tokenizer.name, exact: tokenizer.exact },
    offset,
    tokens,
    word: wordCost(source, offset, tokens[0].start, tokens[tokens.length - 1].end, others, tokens[0].special),
    ...numberAt(source, offset, [tokenizer, ...others]),
  };
}

function hoverToken(source: TokenSource, tokenizer: Tokenizer, index: number, id: number, start: number, end: number, partial: boolean): HoverToken {
  const bytes = tokenizer.tokenBytes(id) ?? new Uint8Array();
  const layout = partial ? tokenBytesLayout(source, tokenizer, index, start, end) : undefined;
  const { piece, form } = vocabularyPiece(tokenizer, id, bytes);
  return {
    index,
    id,
    start,
    end,
    text: escapeTokenText(layout?.text ?? source.slice(start, end)),
    bytes: hexBytes(bytes),
    byteLength: bytes.length,
    piece,
    pieceForm: form,
    special: form === 'special',
    partial,
    fragments: layout?.fragments ?? [],
  };
}

function numberAt(source: TokenSource, offset: number, tokenizers: readonly Tokenizer[]): Pick<TokenHoverModel, 'number'> {
  const lo = Math.max(0, offset - NUMBER_REACH);
  const found = digitsAt(source.slice(lo, Math.min(source.textLength, offset + NUMBER_REACH)), offset - lo);
  return found ? { number: { digits: found.digits, splits: tokenizers.map((t) => numberSplit(t, found.digits)) } } : {};
}
