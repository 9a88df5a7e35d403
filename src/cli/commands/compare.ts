/** `tokenwise compare [paths...]`: the same text under several tokenizers, side by side. */
import { formatUsd } from '../../core/budget/cost';
import { findModel } from '../../core/budget/modelCatalog';
import type { ModelInfo } from '../../core/budget/modelCatalog';
import { compareTokenizers, defaultCompareTokenizers, windowModel } from '../../core/compare/compare';
import type { CompareReport, CompareRow, WindowModel } from '../../core/compare/compare';
import { compareToJson } from '../../core/compare/exportCompare';
import type { Tokenizer } from '../../core/tokenizers/types';
import { parseByteSize, parseCommandArgs } from '../args';
import { UsageError } from '../errors';
import { formatInt, formatTable, plural } from '../format';
import { loadCliModel } from '../modelOption';
import { readStdin, writeOut } from '../output';
import { NUMBER_NOTE } from '../../core/hover/numberSplit';
import { loadCliTokenizer, tokenizerLabel } from '../tokenizer';
import { COMMAND_USAGE, DEFAULT_TOKENIZER, synopsis } from '../usage';
import { DEFAULT_MAX_FILE_SIZE, walk } from '../walk';

export interface Texts {
  source: string;
  sources: { label: string; text: string }[];
  skipped: { path: string; reason: string }[];
}

export async function compareCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('compare', {
    args: argv,
    options: {
      tokenizer: { type: 'string', short: 't' },
      tokenizers: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'boolean' },
      'max-file-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    writeOut(COMMAND_USAGE.compare);
    return 0;
  }
  const maxFileSize = values['max-file-size'] === undefined ? DEFAULT_MAX_FILE_SIZE : parseByteSize(values['max-file-size'], '--max-file-size', 'compare');
  const models = values.model === undefined ? undefined : modelSet(values.model, values.tokenizer, values.tokenizers);
  const tokenizers = models?.tokenizers ?? compareSet(values.tokenizer, values.tokenizers);
  const texts = await readTexts(positionals, maxFileSize);
  const report = compareTokenizers(texts.sources, tokenizers, { reference: tokenizers[0].id, source: texts.source, rowWindows: models?.windows });
  writeOut(values.json ? compareToJson(report) : formatReport(report, tokenizers, texts.skipped, models?.models));
  return 0;
}

/**
 * The current tokenizer first, then those listed (or the popular defaults), each once. The current one
 * is always compared: the deltas are against it.
 */
export function compareSet(current: string | undefined, list: string | undefined): Tokenizer[] {
  const reference = loadCliTokenizer(current ?? DEFAULT_TOKENIZER);
  let ids: string[];
  if (list === undefined) {
    ids = defaultCompareTokenizers(reference.id);
  } else {
    ids = list.split(',').map((id) => id.trim()).filter((id) => id !== '');
    if (ids.length === 0) throw new UsageError('--tokenizers needs a comma-separated list of ids or paths', synopsis('compare'));
  }
  const tokenizers = [reference];
  for (const id of ids) {
    const tokenizer = id === reference.id ? reference : loadCliTokenizer(id);
    if (!tokenizers.some((t) => t.id === tokenizer.id)) tokenizers.push(tokenizer);
  }
  return tokenizers;
}

/**
 * `--model`: a row per model, in the order given (each model once), with the model's own tokenizer and
 * window; the first model's tokenizer is the current one. Models that share a tokenizer share its
 * counts but not their windows.
 */
export function modelSet(list: string, current: string | undefined, others: string | undefined): { models: ModelInfo[]; tokenizers: Tokenizer[]; windows: WindowModel[] } {
  // The rows are the models' tokenizers: naming tokenizers as well would leave it unclear which to compare.
  for (const [option, value] of [['tokenizers', others], ['tokenizer', current]] as const) {
    if (value !== undefined) throw new UsageError(`--model and --${option} cannot be used together`, synopsis('compare'));
  }
  const ids = [...new Set(list.split(',').map((id) => id.trim()).filter((id) => id !== ''))];
  if (ids.length === 0) throw new UsageError('--model needs a comma-separated list of model ids', synopsis('compare'));
  const models = ids.map(loadCliModel);
  // One tokenizer object per id, so that a tokenizer shared by several models is run once.
  const byId = new Map<string, Tokenizer>();
  for (const m of models) if (!byId.has(m.tokenizer)) byId.set(m.tokenizer, loadCliTokenizer(m.tokenizer));
  const tokenizers = models.map((m) => byId.get(m.tokenizer)!);
  return { models, tokenizers, windows: models.map(windowModel) };
}

/** stdin when the path is "-"; else the files under the paths (default: ., as `count`). */
async function readTexts(paths: readonly string[], maxFileSize: number): Promise<Texts> {
  if (paths.length === 1 && paths[0] === '-') {
    return { source: 'stdin', sources: [{ label: 'stdin', text: await readStdin() }], skipped: [] };
  }
  return textsUnder(paths.length > 0 ? paths : ['.'], maxFileSize);
}

/** The texts of the files under `paths`, walked as `count` walks them. */
export async function textsUnder(named: readonly string[], maxFileSize: number): Promise<Texts> {
  const sources: Texts['sources'] = [];
  const skipped: Texts['skipped'] = [];
  for await (const entry of walk(named, { maxFileSize })) {
    if (entry.kind === 'file') sources.push({ label: entry.path, text: entry.text });
    else skipped.push({ path: entry.path, reason: entry.reason });
  }
  const source = sources.length === 1 ? sources[0].label : `${plural(sources.length, 'file')} in ${named.join(', ')}`;
  return { source, sources, skipped };
}


function formatReport(report: CompareReport, tokenizers: readonly Tokenizer[], skipped: Texts['skipped'], models?: readonly ModelInfo[]): string {
  const reference = report.rows.find((r) => r.tokenizer === report.reference)!;
  let out = `Compared: ${report.source} · ${plural(report.characters, 'character')} · ${plural(report.bytes, 'byte')} · ${plural(report.words, 'word')}\n`;
  out += `Current: ${tokenizerLabel(tokenizers[0])}\n\n`;
  const rows = [
    ['TOKENIZER', 'TOKENS', 'CHARS/TOKEN', 'BYTES/TOKEN', 'TOKENS/WORD', '1-TOKEN WORDS', 'Δ VS CURRENT', 'WINDOW HOLDS', 'INPUT COST'],
    ...report.rows.map((row, i) => [
      displayId(tokenizers[i]),
      approx(row) + formatInt(row.tokens),
      ratio(row.charsPerToken, row.tokens),
      ratio(row.bytesPerToken, row.tokens),
      ratio(row.tokensPerWord, report.words),
      report.words === 0 ? '-' : `${(100 * row.singleTokenWords).toFixed(1)}%`,
      row === reference ? 'current' : delta(row, reference),
      windowHolds(row),
      row.inputCost === undefined || row.tokens === 0 ? '-' : `≈ ${formatUsd(row.inputCost)}`,
    ]),
  ];
  const priced = report.rows.some((r) => r.inputCost !== undefined);
  if (!priced) rows.forEach((r) => r.pop());
  out += formatTable(rows, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'right']);
  out += '\nTOKENS/WORD counts the tokens overlapping each word; WINDOW HOLDS is the window × this text\'s chars/token:\n';
  out += 'token counts of different tokenizers do not compare as capacity, characters do.\n';
  if (priced) out += `INPUT COST is this text as that model's input at its list price: an estimate (${pricesSources(report)}).\n`;
  if (report.numbers) {
    const { digits, fromText, splits } = report.numbers;
    out += `\nNumbers${fromText ? '' : ' (an example: the text has none of four digits)'}: ${digits} is ${splits.map((x) => `${x.pieces.join('·')} in ${x.tokenizer.id} (${x.grouping})`).join(', ')}.\n${NUMBER_NOTE}\n`;
  }
  const notes: string[] = [];
  const estimates = [...new Set(report.rows.filter((r) => !r.exact).map((r) => r.tokenizer))];
  if (estimates.length > 0) notes.push(`Note: ${estimates.join(', ')} ${estimates.length === 1 ? 'is an estimate' : 'are estimates'}; ≈ marks approximate counts.`);
  // An exact tokenizer standing in for a model whose own tokenizer is not bundled (Gemini, Mistral…).
  for (const [i, m] of (models ?? []).entries()) {
    if (!m.tokenizerExact && tokenizers[i].exact) notes.push(`Note: ${m.id}'s own tokenizer is not bundled; ${m.tokenizer} estimates its counts.`);
  }
  if (notes.length > 0) out += `\n${notes.join('\n')}\n`;
  if (skipped.length > 0) {
    out += `\nSkipped ${plural(skipped.length, 'file')}:\n`;
    for (const s of skipped) out += `  ${s.path}: ${s.reason}\n`;
  }
  return out;
}

/** Where the rows' prices come from, each source once. */
function pricesSources(report: CompareReport): string {
  const sources = report.rows.filter((r) => r.inputCost !== undefined).map((r) => findModel(r.window!.model)?.pricesFrom ?? 'list prices');
  return [...new Set(sources)].join('; ');
}

/** Bundled tokenizers by id; a tokenizer.json by its short name, not its absolute path. */
function displayId(tokenizer: Tokenizer): string {
  return tokenizer.family === 'Local' ? tokenizer.name : tokenizer.id;
}

const approx = (row: CompareRow) => (row.exact ? '' : '≈ ');

const ratio = (value: number, over: number) => (over === 0 ? '-' : value.toFixed(2));

/** "+1,234 (+12.1%)"; approximate when either count is. */
function delta(row: CompareRow, reference: CompareRow): string {
  const sign = row.deltaTokens > 0 ? '+' : row.deltaTokens < 0 ? '-' : '';
  const mark = row.exact && reference.exact ? '' : '≈ ';
  const tokens = `${mark}${sign}${formatInt(Math.abs(row.deltaTokens))}`;
  if (reference.tokens === 0) return tokens;
  return `${tokens} (${sign}${Math.abs(100 * row.deltaShare).toFixed(1)}%)`;
}

/** "≈ 523k chars in GPT-4o's 128k": always an estimate, since it extrapolates this text's ratio. */
function windowHolds(row: CompareRow): string {
  if (!row.window || row.tokens === 0) return '-';
  const name = findModel(row.window.model)?.name ?? row.window.model;
  return `≈ ${compact(row.window.characters)} chars in ${name}'s ${compact(row.window.contextWindow)}`;
}

/** 950 → "950", 523412 → "523k", 1047576 → "1M", 2500000 → "2.5M". */
export function compact(n: number): string {
  if (n < 1000) return String(n);
  if (Math.round(n / 1e3) < 1000) return `${Math.round(n / 1e3)}k`;
  const millions = Math.round(n / 1e5) / 10;
  return `${Number.isInteger(millions) ? millions.toFixed(0) : millions.toFixed(1)}M`;
}
