/**
 * `tokenwise_countTokens`, a language model tool: an assistant in agent mode asks how many tokens files,
 * folders, the selection or a text take, what share of a model's window that is and what it costs, and
 * gets the status bar's numbers (its tokenizer, its model, open documents as they are in the editor).
 * It reads only the workspace's files, and loads only bundled tokenizers or the one the settings choose.
 */
import * as vscode from 'vscode';
import { reservedOutputFor } from '../core/budget/budget';
import { countIsExact, findModel, modelOrUnknown, type ModelInfo } from '../core/budget/modelCatalog';
import { tokenUse, type MeasuredPart } from '../core/budget/tokenUse';
import { countCodePoints } from '../core/text/characters';
import { listTokenizers, loadTokenizer } from '../core/tokenizers/registry';
import type { Tokenizer } from '../core/tokenizers/types';
import { isBinary, decodeText } from '../core/workspace/binary';
import { scanWorkspace } from '../core/workspace/scan';
import { BINARY, SYMLINK, describeError, tooLarge, unreadable } from '../core/workspace/skipReasons';
import { readSettings, setting } from './config';
import { tokenizerIdFor, type DocumentStore } from './documentStore';
import { measureSelections } from './statusBar';
import { vscodeFs } from './panel/vscodeFs';

export const TOKEN_TOOL = 'tokenwise_countTokens';

/** The input schema in package.json (`contributes.languageModelTools`) says the same. */
export interface CountTokensInput {
  paths?: string[];
  text?: string;
  selection?: boolean;
  model?: string;
  tokenizer?: string;
}

interface Measured {
  subject: string;
  parts: MeasuredPart[];
  skipped: { path: string; reason: string }[];
}

export class TokenTool implements vscode.LanguageModelTool<CountTokensInput> {
  constructor(private readonly store: DocumentStore) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<CountTokensInput>): vscode.PreparedToolInvocation {
    const { paths, text, selection } = options.input;
    const what = paths?.length ? paths.join(', ') : text !== undefined ? 'a text' : selection ? 'the selection' : 'the active editor';
    return { invocationMessage: `Counting the tokens of ${what}` };
  }

  /** Fails with a sentence the assistant can act on (VS Code hands a thrown error's message to the model). */
  async invoke(options: vscode.LanguageModelToolInvocationOptions<CountTokensInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const input = options.input ?? {};
    if ([input.text !== undefined, input.paths !== undefined, input.selection === true].filter(Boolean).length > 1) throw new Error('Give one of text, paths or selection, not several.');
    const editor = vscode.window.activeTextEditor;
    const settings = readSettings(editor?.document);
    const model = input.model === undefined ? modelOrUnknown(settings.model, settings.models) : knownModel(input.model, settings.models);
    // An explicit model is counted with its own tokenizer; otherwise the status bar's tokenizer counts.
    const tokenizer = await loadTokenizer(input.tokenizer !== undefined ? bundledTokenizer(input.tokenizer) : input.model !== undefined ? model.tokenizer : tokenizerIdFor(editor?.document));
    const measured = input.text !== undefined ? measureText(input.text, tokenizer) : input.selection ? measureSelection(editor, tokenizer) : input.paths !== undefined ? await this.measurePaths(input.paths, tokenizer, token) : this.measureActive(editor, tokenizer);
    if (token.isCancellationRequested) throw new vscode.CancellationError();
    const { summary, use } = tokenUse({
      ...measured,
      tokenizer: { id: tokenizer.id, name: tokenizer.name, exact: countIsExact(tokenizer, model, input.tokenizer !== undefined || (input.model === undefined && settings.tokenizer !== '')) },
      model,
      reservedOutput: reservedOutputFor(settings.reservedOutput, model),
      warningAt: settings.warningThreshold,
      errorAt: settings.errorThreshold,
    });
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(`${summary}\n\n${JSON.stringify(use)}`)]);
  }

  private measureActive(editor: vscode.TextEditor | undefined, tokenizer: Tokenizer): Measured {
    if (!editor) throw new Error('No editor is active: give paths, a text, or ask for the selection.');
    const name = vscode.workspace.getWorkspaceFolder(editor.document.uri) ? nameInWorkspace(editor.document.uri) : editor.document.fileName;
    return { subject: name, parts: [this.measureDocument(editor.document, name, tokenizer)], skipped: [] };
  }

  /** An open document as the editor holds it: the status bar's count when it is counted with this tokenizer. */
  private measureDocument(document: vscode.TextDocument, name: string, tokenizer: Tokenizer): MeasuredPart {
    const state = this.store.get(document);
    if (state?.kind === 'ready' && state.tokenizer.id === tokenizer.id) return { name, tokens: state.tokens.count, characters: state.tokens.characters };
    const text = document.getText();
    return { name, tokens: tokenizer.count(text), characters: countCodePoints(text) };
  }

  private async measurePaths(paths: readonly string[], tokenizer: Tokenizer, token: vscode.CancellationToken): Promise<Measured> {
    if (paths.length === 0) throw new Error('paths is empty: name files or folders of the workspace.');
    const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
    const measured: Measured = { subject: paths.join(', '), parts: [], skipped: [] };
    for (const path of paths) {
      const uri = workspaceUri(path);
      const name = nameInWorkspace(uri);
      const stat = await statOf(uri, path);
      const scope = vscode.workspace.getWorkspaceFolder(uri);
      const maxFileSize = setting('workspace.maxFileSize', scope);
      if (stat.type & vscode.FileType.SymbolicLink) measured.skipped.push({ path: name, reason: SYMLINK });
      else if (stat.type & vscode.FileType.Directory) await this.measureFolder(uri, name, tokenizer, open, measured, token);
      else if (open.has(uri.toString())) measured.parts.push(this.measureDocument(open.get(uri.toString())!, name, tokenizer));
      else if (stat.size > maxFileSize) measured.skipped.push({ path: name, reason: tooLarge(stat.size, maxFileSize) });
      else {
        const bytes = await vscode.workspace.fs.readFile(uri).then((b) => b, (e: unknown) => {
          measured.skipped.push({ path: name, reason: unreadable(describeError(e)) });
          return undefined;
        });
        if (!bytes) continue;
        if (isBinary(bytes)) measured.skipped.push({ path: name, reason: BINARY });
        else measured.parts.push(measureText(decodeText(bytes), tokenizer, name).parts[0]);
      }
    }
    return measured;
  }

  /** A folder as the workspace view scans it (its .gitignore files, the excludes, the size limit); open files as edited. */
  private async measureFolder(uri: vscode.Uri, name: string, tokenizer: Tokenizer, open: Map<string, vscode.TextDocument>, measured: Measured, token: vscode.CancellationToken): Promise<void> {
    const scope = vscode.workspace.getWorkspaceFolder(uri);
    const controller = new AbortController();
    const cancelled = token.onCancellationRequested(() => controller.abort());
    try {
      const report = await scanWorkspace(vscodeFs(uri), uri.path, { tokenizer, exclude: setting('workspace.exclude', scope), maxFileSize: setting('workspace.maxFileSize', scope), signal: controller.signal });
      if (report.state === 'cancelled') throw new vscode.CancellationError();
      const under = (rel: string) => (name === '.' ? rel : `${name}/${rel}`);
      for (const f of report.files) {
        const document = open.get(vscode.Uri.joinPath(uri, f.path).toString());
        measured.parts.push(document?.isDirty ? this.measureDocument(document, under(f.path), tokenizer) : { name: under(f.path), tokens: f.tokens, characters: f.characters });
      }
      measured.skipped.push(...report.skipped.map((s) => ({ path: under(s.path), reason: s.reason })));
    } finally {
      cancelled.dispose();
    }
  }
}

function measureText(text: string, tokenizer: Tokenizer, name = 'text'): Measured {
  return { subject: name === 'text' ? 'the text' : name, parts: [{ name, tokens: tokenizer.count(text), characters: countCodePoints(text) }], skipped: [] };
}

/** Each selection encoded on its own, summed, as the status bar counts them. */
function measureSelection(editor: vscode.TextEditor | undefined, tokenizer: Tokenizer): Measured {
  const selections = editor?.selections.filter((s) => !s.isEmpty) ?? [];
  if (!editor || selections.length === 0) throw new Error('Nothing is selected in the active editor.');
  const { used: tokens, characters } = measureSelections(editor, selections, tokenizer);
  const subject = selections.length > 1 ? `${selections.length} selections` : 'the selection';
  return { subject, parts: [{ name: subject, tokens, characters }], skipped: [] };
}

function knownModel(id: string, overrides: Parameters<typeof findModel>[1]): ModelInfo {
  const model = findModel(id, overrides);
  if (!model) throw new Error(`Unknown model "${id}". Known ids include gpt-4o, claude-sonnet-4-20250514, gemini-2.5-pro, qwen3-32b; leave model out for the one the user chose.`);
  return model;
}

function bundledTokenizer(id: string): string {
  const ids = listTokenizers().map((t) => t.id);
  if (!ids.includes(id)) throw new Error(`Unknown tokenizer "${id}". Bundled: ${ids.join(', ')}.`);
  return id;
}

/** A path of the workspace (relative to its folder, `folder-name/…` in a multi-root one, or absolute) as a URI inside it. */
function workspaceUri(path: string): vscode.Uri {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new Error('No folder is open: only a text or the selection can be counted.');
  const absolute = path.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(path);
  const [first, ...rest] = path.split(/[\\/]/);
  const named = folders.length > 1 ? folders.find((f) => f.name === first) : undefined;
  const uri = absolute
    ? folders[0].uri.scheme === 'file' ? vscode.Uri.file(path) : folders[0].uri.with({ path })
    : named ? vscode.Uri.joinPath(named.uri, ...rest) : vscode.Uri.joinPath(folders[0].uri, path);
  if (!vscode.workspace.getWorkspaceFolder(uri)) throw new Error(`${path} is outside the workspace: Tokenwise counts only the workspace's files.`);
  return uri;
}

/** `src/a.ts` (`folder-name/src/a.ts` in a multi-root workspace); `.` for the only folder itself. */
function nameInWorkspace(uri: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(uri)!;
  const rel = uri.path.slice(folder.uri.path.length).replace(/^\/+/, '');
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  return multiRoot ? (rel ? `${folder.name}/${rel}` : folder.name) : rel || '.';
}

async function statOf(uri: vscode.Uri, path: string): Promise<vscode.FileStat> {
  try {
    return await vscode.workspace.fs.stat(uri);
  } catch (e) {
    throw new Error(`Cannot read ${path}: ${describeError(e)}.`, { cause: e });
  }
}
