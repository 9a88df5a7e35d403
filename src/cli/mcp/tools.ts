/**
 * The token tools an AI assistant calls through `tokenwise mcp`: count, encode, compare and budget, with the
 * numbers, size limits and `.gitignore` rules of the command line. Paths are relative to the server's root
 * and may not leave it; no tool returns a file's text, only its counts.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { computeBudget, reservedOutputFor } from '../../core/budget/budget';
import { composeBudget, type BudgetReport } from '../../core/budget/compose';
import { requestCost, type RequestCost } from '../../core/budget/cost';
import type { ModelInfo } from '../../core/budget/modelCatalog';
import { compareTokenizers, type CompareReport } from '../../core/compare/compare';
import { countCodePoints } from '../../core/text/characters';
import type { Tokenizer } from '../../core/tokenizers/types';
import { compareSet, modelSet, textsUnder } from '../commands/compare';
import { countPaths, countWithModel, type CountReport } from '../commands/count';
import { CliError } from '../errors';
import { loadCliModel } from '../modelOption';
import { loadCliTokenizer } from '../tokenizer';

export interface ToolContext {
  /** The folder paths are relative to (the server's working directory); none outside it is read. */
  root: string;
  maxFileSize: number;
}

/** What to measure: a text, or files and folders under the root. */
export interface Subject {
  text?: string;
  paths?: string[];
}

export interface CountResult {
  tokenizer: { id: string; name: string; exact: boolean };
  tokens: number;
  characters: number;
  files?: CountReport['files'];
  skipped?: CountReport['skipped'];
  /** With a model: its window, the share of it these tokens take, what is left, and the cost (estimates). */
  model?: { id: string; name: string; contextWindow: number; reservedOutput: number; share: number; left: number; cost?: RequestCost };
}

export async function countTool(ctx: ToolContext, args: Subject & { tokenizer?: string; model?: string }): Promise<CountResult> {
  const model = args.model === undefined ? undefined : loadCliModel(args.model);
  const tokenizer = loadCliTokenizer(args.tokenizer ?? model?.tokenizer);
  const measured = await measure(ctx, args, tokenizer);
  const result: CountResult = { tokenizer: { id: tokenizer.id, name: tokenizer.name, exact: tokenizer.exact }, ...measured };
  if (model) {
    const reservedOutput = reservedOutputFor(-1, model);
    const budget = computeBudget({ used: measured.tokens, contextWindow: model.contextWindow, reservedOutput, warningAt: 0.8, errorAt: 1 });
    const cost = requestCost(model.prices, measured.tokens, reservedOutput);
    result.model = { id: model.id, name: model.name, contextWindow: model.contextWindow, reservedOutput, share: budget.share, left: budget.left, ...(cost ? { cost } : {}) };
  }
  return result;
}

async function measure(ctx: ToolContext, args: Subject, tokenizer: Tokenizer): Promise<Pick<CountResult, 'tokens' | 'characters' | 'files' | 'skipped'>> {
  const subject = subjectOf(ctx, args);
  if ('text' in subject) return { tokens: tokenizer.count(subject.text), characters: countCodePoints(subject.text) };
  const report = await countPaths(tokenizer, subject.paths, ctx.maxFileSize);
  return { tokens: report.total.tokens, characters: report.total.characters, files: report.files, skipped: report.skipped };
}

export interface EncodeResult {
  tokenizer: { id: string; exact: boolean };
  count: number;
  /** The first `maxTokens` tokens: id and the text each covers (a character split across tokens goes to the first). */
  tokens: { id: number; text: string }[];
  truncated: boolean;
}

export function encodeTool(args: { text: string; tokenizer?: string; maxTokens?: number }): EncodeResult {
  const tokenizer = loadCliTokenizer(args.tokenizer);
  const { ids, starts, ends } = tokenizer.tokenize(args.text);
  const shown = Math.min(ids.length, args.maxTokens ?? 1000);
  const tokens = Array.from({ length: shown }, (_, i) => ({ id: ids[i], text: args.text.slice(starts[i], ends[i]) }));
  return { tokenizer: { id: tokenizer.id, exact: tokenizer.exact }, count: ids.length, tokens, truncated: shown < ids.length };
}

export async function compareTool(ctx: ToolContext, args: Subject & { tokenizers?: string[]; models?: string[] }): Promise<CompareReport> {
  if (args.tokenizers && args.models) throw new CliError('give tokenizers or models to compare, not both');
  const subject = subjectOf(ctx, args);
  const texts = 'text' in subject ? { source: 'text', sources: [{ label: 'text', text: subject.text }] } : await textsUnder(subject.paths, ctx.maxFileSize);
  const models = args.models ? modelSet(args.models.join(','), undefined, undefined) : undefined;
  const tokenizers = models?.tokenizers ?? compareSet(args.tokenizers?.[0], args.tokenizers?.slice(1).join(',') || undefined);
  return compareTokenizers(texts.sources, tokenizers, { reference: tokenizers[0].id, source: texts.source, rowWindows: models?.windows });
}

export async function budgetTool(ctx: ToolContext, args: Subject & { model: string; system?: string; reservedOutput?: number }): Promise<BudgetReport> {
  const model: ModelInfo = loadCliModel(args.model);
  const tokenizer = loadCliTokenizer(model.tokenizer);
  const reservedOutput = args.reservedOutput ?? reservedOutputFor(-1, model);
  const system = args.system === undefined ? undefined : { path: 'system prompt', text: args.system };
  const subject = subjectOf(ctx, args);
  if ('text' in subject) {
    const sources = [...(system ? [{ kind: 'system' as const, label: 'System prompt', text: system.text }] : []), { kind: 'document' as const, label: 'Text', text: subject.text }];
    return composeBudget({ model, tokenizer, reservedOutput, warningAt: 0.8, errorAt: 1, sources });
  }
  return (await countWithModel(tokenizer, model, subject.paths, ctx.maxFileSize, system, reservedOutput)).budget;
}

/** A text, or paths under the root (relative to it, as the reports name them); exactly one of them. */
function subjectOf(ctx: ToolContext, args: Subject): { text: string } | { paths: string[] } {
  if (args.text !== undefined && args.paths !== undefined) throw new CliError('give a text or paths, not both');
  if (args.text !== undefined) return { text: args.text };
  const paths = args.paths ?? ['.'];
  if (paths.length === 0) throw new CliError('paths is empty: name files or folders, or leave it out to count the whole root');
  return { paths: paths.map((p) => insideRoot(ctx.root, p)) };
}

function insideRoot(root: string, path: string): string {
  const rel = relative(root, resolve(root, path));
  // Through links too: a link under the root that points out of it is outside.
  const real = relative(realOrSelf(root), realOrSelf(resolve(root, path)));
  for (const r of [rel, real]) {
    if (r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) throw new CliError(`${path} is outside the folder this server counts (${root})`);
  }
  return rel === '' ? '.' : rel;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
