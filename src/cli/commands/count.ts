/** `tokenwise count [paths...]`: tokens per file under files and folders, with a total and an optional budget. */
import type { Tokenizer } from '../../core/tokenizers/types';
import { parseByteSize, parseCommandArgs, parseTokenCount } from '../args';
import { formatInt, formatTable, plural, RULE } from '../format';
import type { TableRow } from '../format';
import { writeErr, writeOut } from '../output';
import { APPROXIMATE_NOTE, loadCliTokenizer, tokenizerLabel } from '../tokenizer';
import { COMMAND_USAGE } from '../usage';
import { DEFAULT_MAX_FILE_SIZE, walk } from '../walk';

export interface FileCount {
  path: string;
  tokens: number;
  characters: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface CountReport {
  tokenizer: string;
  exact: boolean;
  files: FileCount[];
  skipped: SkippedFile[];
  total: { tokens: number; characters: number };
  budget?: { tokens: number; remaining: number };
}

export function countCommand(argv: string[]): number {
  const { values, positionals } = parseCommandArgs('count', {
    args: argv,
    options: {
      tokenizer: { type: 'string', short: 't' },
      json: { type: 'boolean' },
      budget: { type: 'string' },
      'max-file-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    writeOut(COMMAND_USAGE.count);
    return 0;
  }
  const budget = values.budget === undefined ? undefined : parseTokenCount(values.budget, '--budget', 'count');
  const maxFileSize = values['max-file-size'] === undefined ? DEFAULT_MAX_FILE_SIZE : parseByteSize(values['max-file-size'], '--max-file-size', 'count');
  const tokenizer = loadCliTokenizer(values.tokenizer);
  const report = countPaths(tokenizer, positionals.length > 0 ? positionals : ['.'], maxFileSize);
  if (budget !== undefined) report.budget = { tokens: budget, remaining: budget - report.total.tokens };

  writeOut(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(tokenizer, report));
  if (report.budget && report.budget.remaining < 0) {
    const total = `${tokenizer.exact ? '' : '≈ '}${formatInt(report.total.tokens)}`;
    writeErr(`tokenwise: over budget: ${total} tokens is ${formatInt(-report.budget.remaining)} more than the budget of ${formatInt(report.budget.tokens)}\n`);
    return 1;
  }
  return 0;
}

/** Counts every file under `paths`, largest first. Special-token text counts as plain text. */
export function countPaths(tokenizer: Tokenizer, paths: readonly string[], maxFileSize: number): CountReport {
  const files: FileCount[] = [];
  const skipped: SkippedFile[] = [];
  for (const entry of walk(paths, { maxFileSize })) {
    if (entry.kind === 'file') files.push({ path: entry.path, tokens: tokenizer.count(entry.text), characters: countCodePoints(entry.text) });
    else skipped.push({ path: entry.path, reason: entry.reason });
  }
  files.sort((a, b) => b.tokens - a.tokens || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const total = { tokens: 0, characters: 0 };
  for (const file of files) {
    total.tokens += file.tokens;
    total.characters += file.characters;
  }
  return { tokenizer: tokenizer.id, exact: tokenizer.exact, files, skipped, total };
}

/** Characters as a person (and `wc -m`) counts them: an emoji is one, not two UTF-16 units. */
export function countCodePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function formatReport(tokenizer: Tokenizer, report: CountReport): string {
  const { files, skipped, total, budget } = report;
  const approx = tokenizer.exact ? '' : '≈ ';
  const ratio = (characters: number, tokens: number) => (tokens === 0 ? '-' : (characters / tokens).toFixed(2));
  const share = (tokens: number) => (total.tokens === 0 ? '-' : `${((100 * tokens) / total.tokens).toFixed(1)}%`);
  let out = `Tokenizer: ${approx}${tokenizerLabel(tokenizer)}\n\n`;
  if (files.length === 0) {
    out += 'No files to count.\n';
  } else {
    const rows: TableRow[] = [
      ['FILE', 'TOKENS', 'CHARACTERS', 'CHARS/TOKEN', 'SHARE'],
      ...files.map((f) => [f.path, formatInt(f.tokens), formatInt(f.characters), ratio(f.characters, f.tokens), share(f.tokens)]),
      RULE,
      [`Total (${plural(files.length, 'file')})`, approx + formatInt(total.tokens), formatInt(total.characters), ratio(total.characters, total.tokens), share(total.tokens)],
    ];
    out += formatTable(rows, ['left', 'right', 'right', 'right', 'right']);
  }
  if (skipped.length > 0) {
    out += `\nSkipped ${plural(skipped.length, 'file')}:\n`;
    for (const s of skipped) out += `  ${s.path}: ${s.reason}\n`;
  }
  if (!tokenizer.exact) out += `\n${APPROXIMATE_NOTE}\n`;
  if (budget && budget.remaining >= 0) {
    out += `\nWithin budget: ${approx}${formatInt(total.tokens)} of ${formatInt(budget.tokens)} tokens (${formatInt(budget.remaining)} left).\n`;
  }
  return out;
}
