/**
 * The status-bar item of the active editor: tokens of the document or of all selections, and the share
 * of the model's context window, with the breakdown and switches in its tooltip.
 */
import * as vscode from 'vscode';
import { computeBudget, formatCount, formatCounted, formatLeft, formatShare, formatWindow, reservedOutputFor, type Budget } from '../core/budget/budget';
import { costFigures, formatPrices, formatUsd, requestCost } from '../core/budget/cost';
import { countIsExact, modelOrUnknown, type ModelInfo } from '../core/budget/modelCatalog';
import { countCodePoints } from '../core/text/characters';
import type { Tokenizer } from '../core/tokenizers/types';
import { onDidChangeSettings, readSettings } from './config';
import type { DocumentStore } from './documentStore';
import { EXTENSION_TEXT_LIMIT_BYTES, unsyncedActiveFile } from './unsyncedFile';

/** What the item shows, derived in one place from the editor, its document's state and the settings. */
interface StatusModel {
  text: string;
  /** What a screen reader says: a sentence, not the codicon's name and the tooltip's Markdown. */
  label: string;
  tooltip: vscode.MarkdownString;
  background?: vscode.ThemeColor;
}

const SELECTION_DEBOUNCE_MS = 60;

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tokenwise.count', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by each update, so that an answer that comes late (a file's size) is dropped. */
  private updates = 0;

  constructor(private readonly store: DocumentStore) {
    this.item.name = 'Tokenwise Token Count';
    this.item.command = 'tokenwise.selectModel';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.window.tabGroups.onDidChangeTabs(() => this.update()),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor) this.schedule();
      }),
      store.onDidChange((document) => {
        if (document === vscode.window.activeTextEditor?.document) this.schedule();
      }),
      onDidChangeSettings('budget', () => this.update()),
    );
    this.update();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), SELECTION_DEBOUNCE_MS);
  }

  update(): void {
    const editor = vscode.window.activeTextEditor;
    const state = editor && this.store.get(editor.document);
    const asked = ++this.updates;
    if (!editor || !state) {
      this.item.hide();
      // An editor VS Code gives no text for: say why it has no count (once the size is known, if still current).
      if (!editor) void unsyncedActiveFile().then((file) => file && asked === this.updates && this.show(tooLargeForExtensions(file.size)));
      return;
    }
    this.show(render(editor, state));
  }

  private show(model: StatusModel): void {
    this.item.text = model.text;
    this.item.accessibilityInformation = { label: model.label };
    this.item.tooltip = model.tooltip;
    this.item.backgroundColor = model.background;
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

function render(editor: vscode.TextEditor, state: NonNullable<ReturnType<DocumentStore['get']>>): StatusModel {
  const tooltip = new vscode.MarkdownString('', true);
  tooltip.isTrusted = { enabledCommands: ['workbench.action.openSettings', 'tokenwise.selectTokenizer', 'tokenwise.selectModel', 'tokenwise.toggleHighlight', 'tokenwise.showLog', 'tokenwise.openBudgetPanel'] };
  const links = '[Tokenizer](command:tokenwise.selectTokenizer) · [Model](command:tokenwise.selectModel) · [Highlight tokens](command:tokenwise.toggleHighlight) · [Budget panel](command:tokenwise.openBudgetPanel)';
  switch (state.kind) {
    case 'counting':
      tooltip.appendMarkdown(`Counting tokens with \`${state.tokenizerId}\` in the background…\n\n${links}`);
      return { text: '$(sync~spin) counting…', label: 'Tokenwise: counting tokens', tooltip };
    case 'tooLarge':
      tooltip.appendMarkdown(`This document has ${formatCount(state.length)} characters, over the limit of ${formatCount(state.limit)}. [Raise the limit](${settingLink('tokenwise.maxDocumentLength')}) (\`tokenwise.maxDocumentLength\`) to count it.`);
      return { text: '$(circle-slash) too large to count', label: `Tokenwise: this document is too large to count (limit ${formatCount(state.limit)} characters)`, tooltip };
    case 'failed':
      tooltip.appendMarkdown(`The tokenizer \`${state.tokenizerId}\` could not be loaded: ${escapeMarkdown(state.message)}\n\n[Open Log](command:tokenwise.showLog) · ${links}`);
      return { text: '$(error) tokens', label: `Tokenwise: the tokenizer ${state.tokenizerId} could not be loaded`, tooltip, background: new vscode.ThemeColor('statusBarItem.errorBackground') };
  }
  const settings = readSettings(editor.document);
  const { tokenizer, tokens } = state;
  const selections = editor.selections.filter((s) => !s.isEmpty);
  const selected = selections.length > 0;
  const wholeDocument = selections.length === 1 && editor.document.offsetAt(selections[0].start) === 0 && editor.document.offsetAt(selections[0].end) === tokens.textLength;
  // Select All counts what the document holds, without encoding it again.
  const { used, characters } = selected && !wholeDocument ? measureSelections(editor, selections, tokenizer) : { used: tokens.count, characters: tokens.characters };
  const model = modelOrUnknown(settings.model, settings.models);
  // By default the model's output limit is reserved, at most 8,192; a model that states none reserves none.
  const reserved = reservedOutputFor(settings.reservedOutput, model);
  const budget = computeBudget({ used, contextWindow: model.contextWindow, reservedOutput: reserved, warningAt: settings.warningThreshold, errorAt: settings.errorThreshold });
  // A tokenizer the user set counts; for a known model that uses another, the count is not that model's.
  const notTheModels = settings.tokenizer !== '' && model.provider !== 'unknown' && settings.tokenizer !== model.tokenizer;
  const approx = countIsExact(tokenizer, model, settings.tokenizer !== '') ? '' : '≈';
  const what = selected ? `${selections.length > 1 ? `${selections.length} selections` : 'selection'}` : 'document';
  const text = `$(symbol-numeric) ${approx}${formatCount(used)} tok${selected ? ' sel' : ''}` + (model.contextWindow > 0 ? ` · ${formatShare(budget.share)} of ${formatWindow(model.contextWindow)}` : '');
  tooltip.appendMarkdown(tooltipTable(what, used, characters, tokenizer, model, budget, approx, notTheModels));
  tooltip.appendMarkdown(`\n\n${links}`);
  const background = budget.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : budget.state === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  const label = `${approx ? 'About ' : ''}${formatCounted(used, 'token')} in the ${what}` + (model.contextWindow > 0 ? `, ${formatShare(budget.share)} of the ${formatWindow(model.contextWindow)} context window of ${model.name}` : '');
  return { text, label, tooltip, background };
}

/** A file VS Code gives extensions no text for: no setting can change that, the command line can count it. */
function tooLargeForExtensions(size: number): StatusModel {
  const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const tooltip = new vscode.MarkdownString(
    `This file is ${megabytes(size)}: VS Code gives extensions the text of files up to ${megabytes(EXTENSION_TEXT_LIMIT_BYTES)} only, so Tokenwise cannot count it in the editor. \`tokenwise count\` on the command line can.`,
  );
  return { text: '$(circle-slash) too large to count', label: `Tokenwise: this file is too large to count in the editor (limit ${megabytes(EXTENSION_TEXT_LIMIT_BYTES)})`, tooltip };
}

/** A Markdown link that opens the Settings editor at `key`. */
function settingLink(key: string): string {
  return `command:workbench.action.openSettings?${encodeURIComponent(JSON.stringify([key]))}`;
}

/** Tokens and characters summed over all selections, each encoded on its own, as it would be sent. */
export function measureSelections(editor: vscode.TextEditor, selections: readonly vscode.Selection[], tokenizer: Tokenizer): { used: number; characters: number } {
  let used = 0;
  let characters = 0;
  for (const s of selections) {
    const text = editor.document.getText(s);
    used += tokenizer.count(text);
    characters += countCodePoints(text);
  }
  return { used, characters };
}


function tooltipTable(what: string, used: number, characters: number, tokenizer: Tokenizer, model: ModelInfo, budget: Budget, approx: string, notTheModels: boolean): string {
  const rows: [string, string][] = [
    [`Tokens (${what})`, `${approx}${formatCount(used)}`],
    ['Characters (code points)', formatCount(characters)],
    ['Characters per token', used > 0 ? (characters / used).toFixed(2) : '–'],
    ['Tokenizer', `${escapeMarkdown(tokenizer.name)}${notTheModels ? ` (set in \`tokenwise.tokenizer\`; ${escapeMarkdown(model.name)} uses ${escapeMarkdown(model.tokenizer)})` : approx ? ' (an estimate for this model)' : ''}`],
    ['Model', escapeMarkdown(model.name)],
  ];
  if (model.contextWindow > 0) {
    rows.push(
      ['Context window', formatCount(model.contextWindow)],
      ['Output reserved', formatCount(budget.reservedOutput)],
      ['Tokens left', formatLeft(budget.left, budget.usable)],
    );
  }
  const cost = requestCost(model.prices, used, budget.reservedOutput);
  if (cost) rows.push(...costFigures(cost).map((f): [string, string] => [`Cost: ${f.label.toLowerCase()}`, `≈ ${formatUsd(f.usd)}`]));
  const table = ['| | |', '|---|---:|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  return cost && model.prices ? `${table}\n\nCosts are estimates at ${escapeMarkdown(formatPrices(model.prices))} (${escapeMarkdown(model.pricesFrom ?? 'list prices')}).` : table;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
