/**
 * `tokenwise count [paths...]`: tokens per file under files and folders, with a total and an optional
 * budget; with `--model`, the request composed as the model sees it against its context window.
 */
import { readFileSync } from 'node:fs';
import { formatShare, reservedOutputFor } from '../../core/budget/budget';
import { budgetIsEstimate, composeBudget, type BudgetReport, type BudgetSource } from '../../core/budget/compose';
import { costFigures, formatPrices, formatUsd } from '../../core/budget/cost';
import type { ModelInfo } from '../../core/budget/modelCatalog';
import type { Tokenizer } from '../../core/tokenizers/types';
import { decodeText } from '../../core/workspace/binary';
import { countCodePoints } from '../../core/text/characters';
import { parseByteSize, parseCommandArgs, parseTokenCount } from '../args';
import { CliError, describeErrno, UsageError } from '../errors';
import { formatInt, formatTable, plural, RULE } from '../format';
import type { TableRow } from '../format';
import { loadCliModel } from '../modelOption';
import { writeErr, writeOut } from '../output';
import { APPROXIMATE_NOTE, loadCliTokenizer, tokenizerLabel } from '../tokenizer';
import { COMMAND_USAGE, synopsis } from '../usage';
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
  /** `--budget N` without `--model`. */
  budget?: { tokens: number; remaining: number };
}

/** What `--json` prints with `--model`: the composed budget, and a `--budget N` limit apart. */
export type ModelCountReport = Omit<CountReport, 'budget'> & { budget: BudgetReport; limit?: { tokens: number; remaining: number } };

/** The thresholds the extension uses by default; the CLI's verdict is only over or not. */
const WARNING_AT = 0.8;
const ERROR_AT = 1;

export async function countCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('count', {
    args: argv,
    options: {
      tokenizer: { type: 'string', short: 't' },
      model: { type: 'string' },
      system: { type: 'string' },
      reserve: { type: 'string' },
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
  for (const option of ['system', 'reserve'] as const) {
    if (values[option] !== undefined && values.model === undefined) throw new UsageError(`--${option} needs --model`, synopsis('count'));
  }
  const budget = values.budget === undefined ? undefined : parseTokenCount(values.budget, '--budget', 'count');
  const maxFileSize = values['max-file-size'] === undefined ? DEFAULT_MAX_FILE_SIZE : parseByteSize(values['max-file-size'], '--max-file-size', 'count');
  const reserve = values.reserve === undefined ? undefined : parseTokenCount(values.reserve, '--reserve', 'count');
  const model = values.model === undefined ? undefined : loadCliModel(values.model);
  // The model's own tokenizer unless one is named.
  const tokenizer = loadCliTokenizer(values.tokenizer ?? model?.tokenizer);
  const paths = positionals.length > 0 ? positionals : ['.'];
  if (model) {
    const system = values.system === undefined ? undefined : { path: values.system, text: readSystemPrompt(values.system) };
    return reportWithModel(tokenizer, model, await countWithModel(tokenizer, model, paths, maxFileSize, system, reserve ?? reservedOutputFor(-1, model)), budget, values.json === true);
  }
  const report = await countPaths(tokenizer, paths, maxFileSize);
  if (budget !== undefined) report.budget = { tokens: budget, remaining: budget - report.total.tokens };

  writeOut(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(tokenizer, report));
  return overBudget(tokenizer, report, report.budget) ? 1 : 0;
}

/** Says so on stderr when the files' total is over `--budget N`. */
function overBudget(tokenizer: Tokenizer, report: Omit<CountReport, 'budget'>, limit: CountReport['budget']): boolean {
  if (!limit || limit.remaining >= 0) return false;
  const total = `${tokenizer.exact ? '' : '≈ '}${formatInt(report.total.tokens)}`;
  writeErr(`tokenwise: over budget: ${total} tokens is ${formatInt(-limit.remaining)} more than the budget of ${formatInt(limit.tokens)}\n`);
  return true;
}

function readSystemPrompt(path: string): string {
  try {
    // Without a leading BOM, as the files are read and as VS Code opens it.
    return decodeText(readFileSync(path));
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${describeErrno(e)}`);
  }
}

function reportWithModel(tokenizer: Tokenizer, model: ModelInfo, result: ModelCountReport, budget: number | undefined, json: boolean): number {
  if (budget !== undefined) result.limit = { tokens: budget, remaining: budget - result.total.tokens };
  writeOut(json ? `${JSON.stringify(result, null, 2)}\n` : formatReport(tokenizer, { ...result, budget: result.limit }) + formatComposition(result.budget));
  // A --budget decides alone; otherwise the input must fit the usable window.
  if (budget !== undefined) return overBudget(tokenizer, result, result.limit) ? 1 : 0;
  if (result.budget.left >= 0) return 0;
  const b = result.budget;
  const approx = budgetIsEstimate(b) ? '≈ ' : '';
  writeErr(
    `tokenwise: over the usable window: ${approx}${formatInt(b.input)} input tokens is ${formatInt(-b.left)} more than the ${formatInt(b.usable)} usable tokens of ${model.id} ` +
      `(${formatInt(b.model.contextWindow)} context window minus ${formatInt(b.reservedOutput)} output reserved)\n`,
  );
  return 1;
}

/**
 * Every file under `paths` as a pinned source, in the order walked (the order the paths are given), after
 * the system prompt; the per-file counts are the composed budget's.
 */
export async function countWithModel(
  tokenizer: Tokenizer,
  model: ModelInfo,
  paths: readonly string[],
  maxFileSize: number,
  system: { path: string; text: string } | undefined,
  reservedOutput: number,
): Promise<ModelCountReport> {
  const sources: BudgetSource[] = system ? [{ kind: 'system', label: 'System prompt', text: system.text, path: system.path }] : [];
  const skipped: SkippedFile[] = [];
  for await (const entry of walk(paths, { maxFileSize })) {
    if (entry.kind === 'file') sources.push({ kind: 'pinned', label: entry.path, text: entry.text, path: entry.path });
    else skipped.push({ path: entry.path, reason: entry.reason });
  }
  const budget = composeBudget({ model, tokenizer, reservedOutput, warningAt: WARNING_AT, errorAt: ERROR_AT, sources });
  const files = budget.parts.filter((p) => p.kind === 'pinned').map((p) => ({ path: p.path ?? p.label, tokens: p.tokens, characters: p.characters }));
  return { ...summarize(tokenizer, files, skipped), budget };
}

/** Counts every file under `paths`, largest first. Special-token text counts as plain text. */
export async function countPaths(tokenizer: Tokenizer, paths: readonly string[], maxFileSize: number): Promise<CountReport> {
  const files: FileCount[] = [];
  const skipped: SkippedFile[] = [];
  for await (const entry of walk(paths, { maxFileSize })) {
    if (entry.kind === 'file') files.push({ path: entry.path, tokens: tokenizer.count(entry.text), characters: countCodePoints(entry.text) });
    else skipped.push({ path: entry.path, reason: entry.reason });
  }
  return summarize(tokenizer, files, skipped);
}

/** Largest first, with the total. */
function summarize(tokenizer: Tokenizer, files: FileCount[], skipped: SkippedFile[]): CountReport {
  files = [...files];
  files.sort((a, b) => b.tokens - a.tokens || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const total = { tokens: 0, characters: 0 };
  for (const file of files) {
    total.tokens += file.tokens;
    total.characters += file.characters;
  }
  return { tokenizer: tokenizer.id, exact: tokenizer.exact, files, skipped, total };
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

/** The composed request, part by part, against the model's window; the same numbers as `--json`'s `budget`. */
function formatComposition(b: BudgetReport): string {
  const anyEstimate = budgetIsEstimate(b);
  const tokens = (n: number, estimate: boolean) => `${estimate ? '≈ ' : ''}${formatInt(n)}`;
  const characters = b.parts.reduce((n, p) => n + p.characters, 0);
  const rows: TableRow[] = [
    ['PART', 'TOKENS', 'CHARACTERS'],
    ...b.parts.map((p) => [p.label, tokens(p.tokens, p.estimate), p.kind === 'template' ? '-' : formatInt(p.characters)]),
    RULE,
    ['Input', tokens(b.input, anyEstimate), formatInt(characters)],
    ['Output reserved', formatInt(b.reservedOutput), ''],
    ['Usable window', formatInt(b.usable), ''],
    ['Left', tokens(b.left, anyEstimate), ''],
    ['Share of the window', formatShare(b.share), ''],
  ];
  let out = `\nBudget: ${b.model.name === b.model.id ? b.model.id : `${b.model.name} (${b.model.id})`}, context window ${formatInt(b.model.contextWindow)} tokens\n\n`;
  out += formatTable(rows, ['left', 'right', 'right']);
  const template = b.parts.find((p) => p.kind === 'template');
  if (template?.detail) out += `\nChat template: ${template.detail}.\n`;
  if (b.left < 0) out += `Over the usable window by ${tokens(-b.left, anyEstimate)} tokens.\n`;
  if (anyEstimate) {
    const why = [
      ...(b.parts.some((p) => p.estimate && p.kind !== 'template') ? ['the tokenizer approximates this model\'s'] : []),
      ...(template?.estimate ? ['the chat template\'s tokens are an estimate'] : []),
    ];
    out += `Note: numbers marked ≈ are estimates: ${why.join('; ')}.\n`;
  }
  if (b.cost && b.model.prices) {
    const figures = costFigures(b.cost).map((f) => `${f.label.toLowerCase()} ≈ ${formatUsd(f.usd)}`);
    out += `\nCost (estimate): ${figures.join(' · ')}\n  at ${formatPrices(b.model.prices)}${b.model.pricesFrom ? ` (${b.model.pricesFrom})` : ''}\n`;
  }
  return out;
}
