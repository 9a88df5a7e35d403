/**
 * The hover as Markdown (for a VS Code `MarkdownString`, neither trusted nor with HTML): token text in
 * code spans, everything else escaped, and a table of what the word costs elsewhere.
 */
import { codePointName, escapeTokenText } from '../text/escape';
import { NUMBER_NOTE, type NumberSplit } from './numberSplit';
import type { PieceForm } from './piece';
import type { HoverToken, TokenHoverModel } from './tokenHover';
import type { WordCost } from './wordCost';

/** Backslash-escapes every ASCII punctuation character: CommonMark allows it for all of them. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/** A code span that holds `text` exactly, whatever backticks it contains. */
export function codeSpan(text: string): string {
  if (text.length === 0) return '` `';
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // A space each side when the text starts or ends with a backtick or a space (one is stripped again).
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n|\r/g, ' ')}${pad}${fence}`;
}

const PIECE_NOTES: Record<PieceForm, string> = {
  special: '',
  tokenizer: '',
  'byte-level': '',
  sentencepiece: ' (rebuilt from the bytes)',
};

const BREAK = '  \n';
const count = (n: number) => n.toLocaleString('en-US');
/** The shorter of a tokenizer's id and name: `o200k_base` rather than its long name, a file's name rather than its path. */
const label = (t: { id: string; name: string }) => escapeMarkdown(t.id.length <= t.name.length ? t.id : t.name);
const capitalize = (s: string) => s[0].toUpperCase() + s.slice(1);
const byteSpan = (from: number, to: number) => (to - from === 1 ? `byte ${to}` : `bytes ${from + 1}–${to}`);

export function renderHoverMarkdown(model: TokenHoverModel): string {
  const parts: string[] = [];
  const name = label(model.tokenizer);
  if (model.tokens.length > 1) parts.push(`The character here is split across ${model.tokens.length} tokens of ${name}.`);
  for (const token of model.tokens) parts.push(renderToken(token, model.tokens.length === 1 ? name : undefined));
  parts.push(renderWord(model.word, name));
  if (model.number) parts.push(renderNumber(model.number));
  return parts.join('\n\n---\n\n');
}

function renderToken(token: HoverToken, tokenizerName: string | undefined): string {
  const head = [`**Token** index ${count(token.index)}`, `id ${token.id}`];
  if (tokenizerName) head.push(tokenizerName);
  if (token.special) head.push('**special token**');
  const lines = [
    head.join(' · '),
    `Text: ${codeSpan(token.text)}`,
    `Bytes: ${codeSpan(token.bytes)} (${token.byteLength})`,
    `Piece: ${codeSpan(escapeTokenText(token.piece))}${PIECE_NOTES[token.pieceForm]}`,
  ];
  for (const f of token.fragments) {
    lines.push(
      `${capitalize(byteSpan(f.from, f.to))} here: ${byteSpan(f.charFrom, f.charTo)} of the ${f.charBytes} of ` +
        `${codeSpan(escapeTokenText(f.char))} (${codePointName(f.codePoint)}), an incomplete UTF-8 sequence`,
    );
  }
  return lines.join(BREAK);
}

function renderWord(word: WordCost, tokenizerName: string): string {
  const what = word.isWord ? 'Word' : 'Text';
  const head = `${what} ${codeSpan(escapeTokenText(word.text))}: ${count(word.tokensHere)} ${word.tokensHere === 1 ? 'token' : 'tokens'} here (${tokenizerName})`;
  if (word.costs.length === 0) return head;
  const rows = word.costs.map((c) => {
    const approx = c.exact ? '' : '≈';
    const cells = [label(c), `${approx}${count(c.alone)}`];
    if (word.precededBySpace) cells.push(`${approx}${count(c.withSpace ?? c.alone)}`);
    return `| ${cells.join(' | ')} |`;
  });
  const header = word.precededBySpace ? ['| Tokenizer | Alone | After a space |', '| --- | ---: | ---: |'] : ['| Tokenizer | Alone |', '| --- | ---: |'];
  const note = word.precededBySpace ? ' It follows a space here, so it is also counted with one in front.' : '';
  return [`${head}.${note}`, '', ...header, ...rows].join('\n');
}

function renderNumber(number: { digits: string; splits: NumberSplit[] }): string {
  const rows = number.splits.map((s) => `| ${label(s.tokenizer)} | ${codeSpan(s.pieces.join('·'))} | ${s.grouping} |`);
  return [`Number ${codeSpan(number.digits)}: how each tokenizer splits its digits.`, '', '| Tokenizer | Tokens | Digits |', '| --- | --- | --- |', ...rows, '', escapeMarkdown(NUMBER_NOTE)].join('\n');
}
