/** `tokenwise surprisal`: the model's surprise at each token of a file, on the model's own tokenization. */
import { findModelTokenizer } from '../../core/fim/modelTokenizer';
import { SurprisalScorer, type TokenSurprise } from '../../core/surprisal/score';
import { escapeTokenText } from '../../core/text/escape';
import { checkPositionals, parseCommandArgs } from '../args';
import { CliError, UsageError, oneLine } from '../errors';
import { FIM_OPTIONS, openModel } from '../fimBackend';
import { writeOut } from '../output';
import { COMMAND_USAGE, synopsis } from '../usage';

const { cursor: _cursor, template: _template, ...MODEL_OPTIONS } = FIM_OPTIONS;

export async function surprisalCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('surprisal', {
    args: argv,
    options: { ...MODEL_OPTIONS, top: { type: 'string' }, window: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.help) {
    writeOut(COMMAND_USAGE.surprisal);
    return 0;
  }
  checkPositionals('surprisal', positionals, 0);
  const top = wholeNumber(values.top, 3, '--top', 1);
  const window = wholeNumber(values.window, 256, '--window', 1);
  const model = await openModel('surprisal', values, () => undefined);
  const { backend, connected, text } = model;
  try {
    const { tokenizer, source } = await findModelTokenizer({ backend, connected, vocabulary: values.tokenizer, setting: '--tokenizer', where: model.where });
    const scorer = new SurprisalScorer(backend, connected, tokenizer, { window, alternatives: top });
    const tokens = await scorer.score(text);
    if (values.json) writeOut(`${JSON.stringify({ model: connected.info.name, tokenizer: source, tokens: tokens.map(asJson), ...totals(tokens) })}\n`);
    else writeTable(tokens, connected.info.name);
    return 0;
  } catch (e) {
    throw e instanceof CliError ? e : new CliError(oneLine(e instanceof Error ? e.message : String(e)));
  } finally {
    backend.dispose();
  }
}

function wholeNumber(value: string | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} needs a whole number from ${min}, not '${value}'`, synopsis('surprisal'));
  return n;
}

/** The text's total surprise and its mean per token (bits), over the tokens whose probability is known. */
function totals(tokens: readonly TokenSurprise[]): { bits: number; meanBits: number; tokenCount: number } {
  const known = tokens.filter((t) => Number.isFinite(t.bits));
  const bits = known.reduce((s, t) => s + t.bits, 0);
  return { bits, meanBits: known.length ? bits / known.length : 0, tokenCount: tokens.length };
}

function asJson(t: TokenSurprise) {
  return { index: t.index, id: t.id, start: t.start, end: t.end, text: t.text, probability: t.probability, bits: t.bits, rank: t.rank, rankAtLeast: t.rankAtLeast, top: t.top };
}

function writeTable(tokens: readonly TokenSurprise[], model: string): void {
  const rows = tokens.map((t) => [
    String(t.index),
    String(t.id),
    escapeTokenText(t.text),
    Number.isFinite(t.bits) ? t.bits.toFixed(2) : '?',
    Number.isFinite(t.probability) ? t.probability.toPrecision(3) : '?',
    `${t.rankAtLeast ? '>' : ''}${t.rankAtLeast ? t.rank - 1 : t.rank}`,
    t.top.map((a) => `${escapeTokenText(a.text)} ${a.probability.toPrecision(2)}`).join(', '),
  ]);
  const head = ['#', 'ID', 'TOKEN', 'BITS', 'P', 'RANK', 'MODEL\'S TOP'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const right = new Set([0, 1, 3, 4, 5]);
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
  const { bits, meanBits, tokenCount } = totals(tokens);
  writeOut(`${[line(head), ...rows.map(line)].join('\n')}\n\n${tokenCount} tokens, ${bits.toFixed(1)} bits in all, ${meanBits.toFixed(2)} bits per token on average (${model}).\n`);
}
