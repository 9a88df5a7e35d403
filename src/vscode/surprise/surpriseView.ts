/**
 * "Tokenwise: Show the Model's Surprise": with a model backend connected, the tokens of the active editor's
 * visible lines (or of its selection) coloured by the model's surprise, −log₂ p(token | the text before),
 * on the model's own tokenization; hovering one shows its probability, rank and the model's alternatives.
 * Scored after a pause, cancelled by the next edit or scroll, and cached by the core so that an edit
 * scores again only what follows it. A backend that is down or gives no probabilities is said once.
 */
import * as vscode from 'vscode';
import type { ModelBackend } from '../../core/backends/types';
import { surpriseHoverMarkdown, surpriseLevel } from '../../core/surprisal/describe';
import { SurprisalScorer, type TokenSurprise } from '../../core/surprisal/score';
import type { BackendManager } from '../backend/backendManager';
import type { FimCompletionProvider } from '../fim/inlineCompletion';
import type { Log } from '../log';

const COLORS = ['tokenwise.surpriseBackground1', 'tokenwise.surpriseBackground2', 'tokenwise.surpriseBackground3'];
const PAUSE_MS = 250;
/** Lines scored beyond the visible ones each way, so that a short scroll finds them coloured. */
const MARGIN_LINES = 20;

interface Shown {
  editor: vscode.TextEditor;
  document: vscode.TextDocument;
  version: number;
  range: { start: number; end: number };
  tokens: TokenSurprise[];
  model: string;
}

export class SurpriseView implements vscode.HoverProvider, vscode.Disposable {
  private on = false;
  private scorer: { backend: ModelBackend; scorer: SurprisalScorer; model: string } | undefined;
  private readonly types = COLORS.map((id) => vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor(id), rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed }));
  private shown: Shown | undefined;
  private running: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [...this.types];

  constructor(
    private readonly backends: BackendManager,
    private readonly completions: FimCompletionProvider,
    private readonly log: Log,
  ) {
    const later = () => this.on && this.schedule();
    this.disposables.push(
      backends.onDidChange(() => {
        this.scorer = undefined;
        this.shown = undefined;
        later();
      }),
      vscode.window.onDidChangeActiveTextEditor(later),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => e.textEditor === vscode.window.activeTextEditor && later()),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && later()),
      vscode.workspace.onDidChangeTextDocument((e) => e.document === vscode.window.activeTextEditor?.document && e.contentChanges.length > 0 && later()),
    );
  }

  async toggle(): Promise<void> {
    this.on = !this.on;
    await vscode.commands.executeCommand('setContext', 'tokenwise.surpriseShown', this.on);
    if (!this.on) {
      this.clear();
      return;
    }
    if (!this.backends.current) {
      void vscode.window.showInformationMessage('Tokenwise: connect a model backend (Tokenwise: Connect to the Model Backend) to see the model\'s surprise; it will show once one connects.');
    }
    this.schedule(0);
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const shown = this.shown;
    if (!this.on || !shown || shown.document !== document || shown.version !== document.version) return undefined;
    const offset = document.offsetAt(position);
    const token = shown.tokens.find((t) => t.start <= offset && offset < t.end);
    if (!token) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(surpriseHoverMarkdown(token, shown.model)), new vscode.Range(document.positionAt(token.start), document.positionAt(token.end)));
  }

  private schedule(delayMs = PAUSE_MS): void {
    clearTimeout(this.timer);
    this.running?.abort();
    this.timer = setTimeout(() => void this.update(), delayMs);
  }

  private async update(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!this.on || !editor) return;
    const controller = new AbortController();
    this.running = controller;
    try {
      const scorer = await this.scorerFor();
      if (!scorer || controller.signal.aborted) return;
      const { document } = editor;
      const version = document.version;
      const range = rangeToScore(editor);
      // A cursor that moves within what is shown changes nothing: no new tokenization.
      const shown = this.shown;
      if (shown && shown.editor === editor && shown.document === document && shown.version === version && shown.range.start === range.start && shown.range.end === range.end) return;
      const tokens = await scorer.scorer.score(document.getText(), range, controller.signal);
      if (controller.signal.aborted || document.version !== version || editor !== vscode.window.activeTextEditor) return;
      this.shown = { editor, document, version, range, tokens, model: scorer.model };
      const byLevel: vscode.Range[][] = COLORS.map(() => []);
      for (const t of tokens) {
        const level = surpriseLevel(t);
        if (level > 0 && t.end > t.start) byLevel[level - 1].push(new vscode.Range(document.positionAt(t.start), document.positionAt(t.end)));
      }
      this.types.forEach((type, i) => editor.setDecorations(type, byLevel[i]));
    } catch (e) {
      if (controller.signal.aborted) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log.reportOnce(`surprise:${message}`, `the model's surprise cannot be shown: ${message}`, e);
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }

  /** The scorer of the connected backend, on the model's own tokenizer (the one completions use). */
  private async scorerFor(): Promise<SurpriseView['scorer']> {
    const current = this.backends.current;
    if (!current) return undefined;
    if (this.scorer?.backend === current.backend) return this.scorer;
    const model = await this.completions.model();
    if (!model || this.backends.current?.backend !== current.backend) return undefined;
    this.scorer = { backend: current.backend, scorer: new SurprisalScorer(model.backend, model.connected, model.tokenizer), model: model.connected.info.name };
    return this.scorer;
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.running?.abort();
    this.shown = undefined;
    for (const editor of vscode.window.visibleTextEditors) for (const type of this.types) editor.setDecorations(type, []);
  }

  dispose(): void {
    this.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** The selection when there is one, else the visible lines and a margin each way (UTF-16 offsets). */
function rangeToScore(editor: vscode.TextEditor): { start: number; end: number } {
  const { document, selection } = editor;
  if (!selection.isEmpty) return { start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) };
  const visible = editor.visibleRanges;
  const first = Math.max(0, (visible[0]?.start.line ?? 0) - MARGIN_LINES);
  const last = Math.min(document.lineCount - 1, (visible.at(-1)?.end.line ?? 0) + MARGIN_LINES);
  return { start: document.offsetAt(new vscode.Position(first, 0)), end: document.offsetAt(document.lineAt(last).range.end) };
}
