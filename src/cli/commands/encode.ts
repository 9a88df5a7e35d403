/** `tokenwise encode [file]`: each token of a text with its id, UTF-16 range and text. */
import { readFileSync } from 'node:fs';
import type { Tokenizer } from '../../core/tokenizers/types';
import { decodeText } from '../../core/workspace/binary';
import { checkPositionals, parseCommandArgs } from '../args';
import { CliError, describeErrno } from '../errors';
import { plural, quoteText } from '../format';
import { readStdin, writeOut } from '../output';
import { APPROXIMATE_NOTE, loadCliTokenizer, tokenizerLabel } from '../tokenizer';
import { COMMAND_USAGE } from '../usage';

export async function encodeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('encode', {
    args: argv,
    options: {
      tokenizer: { type: 'string', short: 't' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    writeOut(COMMAND_USAGE.encode);
    return 0;
  }
  checkPositionals('encode', positionals, 1);
  const tokenizer = loadCliTokenizer(values.tokenizer);
  const file = positionals[0];
  const text = file === undefined || file === '-' ? await readStdin() : readText(file);
  if (values.json) writeJson(tokenizer, text);
  else writeTable(tokenizer, text);
  return 0;
}

function readText(file: string): string {
  try {
    // Without a leading BOM, as VS Code opens the file, so that the tokens are those `count` counts.
    return decodeText(readFileSync(file));
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${describeErrno(e)}`);
  }
}


/** One token per line, so that large outputs stay readable and diffable. */
function writeJson(tokenizer: Tokenizer, text: string): void {
  const { ids, starts, ends, partial } = tokenizer.tokenize(text);
  if (ids.length === 0) return writeOut('[]\n');
  const chunk = new ChunkedWriter();
  chunk.add('[');
  for (let i = 0; i < ids.length; i++) {
    const token = { id: ids[i], start: starts[i], end: ends[i], text: text.slice(starts[i], ends[i]), partial: partial[i] === 1 };
    chunk.add(`  ${JSON.stringify(token)}${i < ids.length - 1 ? ',' : ''}`);
  }
  chunk.add(']');
  chunk.flush();
}

/**
 * Aligned columns ID, RANGE, TEXT and, for partial tokens, their bytes. Written as it goes: a large
 * file has millions of tokens, too many to hold as a table.
 */
function writeTable(tokenizer: Tokenizer, text: string): void {
  const { ids, starts, ends, partial } = tokenizer.tokenize(text);
  let idWidth = 2;
  let rangeWidth = 5;
  let partialTextWidth = 0; // only rows with a mark after their text need it aligned
  for (let i = 0; i < ids.length; i++) {
    idWidth = Math.max(idWidth, digits(ids[i]));
    rangeWidth = Math.max(rangeWidth, digits(starts[i]) + 1 + digits(ends[i]));
    if (partial[i]) partialTextWidth = Math.max(partialTextWidth, width(quoteText(text.slice(starts[i], ends[i]))));
  }
  const chunk = new ChunkedWriter();
  if (ids.length > 0) chunk.add(`${'ID'.padStart(idWidth)}  ${'RANGE'.padEnd(rangeWidth)}  TEXT`);
  for (let i = 0; i < ids.length; i++) {
    const quoted = quoteText(text.slice(starts[i], ends[i]));
    let line = `${String(ids[i]).padStart(idWidth)}  ${`${starts[i]}-${ends[i]}`.padEnd(rangeWidth)}  ${quoted}`;
    // A partial token's range is its whole character, shared with its neighbours: its own bytes tell them apart.
    if (partial[i]) line += `${' '.repeat(partialTextWidth - width(quoted))}  partial: bytes ${hex(tokenizer.tokenBytes(ids[i]))}`;
    chunk.add(line);
  }
  if (ids.length > 0) chunk.add('');
  chunk.add(`${tokenizer.exact ? '' : '≈ '}${plural(ids.length, 'token')}, ${plural(text.length, 'UTF-16 unit')} · ${tokenizerLabel(tokenizer)}`);
  if (!tokenizer.exact) chunk.add(APPROXIMATE_NOTE);
  chunk.flush();
}

function digits(n: number): number {
  return n < 10 ? 1 : Math.floor(Math.log10(n)) + 1;
}

/** Width in code points: an emoji takes one column, not two UTF-16 units. */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Lines gathered into writes of a few hundred kilobytes. */
class ChunkedWriter {
  private lines: string[] = [];
  private size = 0;

  add(line: string): void {
    this.lines.push(line);
    this.size += line.length;
    if (this.size > 256 * 1024) this.flush();
  }

  flush(): void {
    if (this.lines.length > 0) writeOut(`${this.lines.join('\n')}\n`);
    this.lines = [];
    this.size = 0;
  }
}

function hex(bytes: Uint8Array | undefined): string {
  if (!bytes) return '?';
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}
