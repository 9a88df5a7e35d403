/**
 * Token boundaries in the editor: alternating theme colours, a marking for characters split across
 * tokens, optional whitespace markers. Only the visible ranges plus a margin of a screen each way are
 * decorated, with types made once and one `setDecorations` call per type. Decorations never hold up the
 * count or a keystroke: while typing (VS Code moves the decorations with the text) they are redone once
 * the typing pauses, and scrolling within what is already decorated redoes nothing.
 */
import * as vscode from 'vscode';
import { computeTokenDecorations, DEFAULT_MAX_LINE_CHARS } from '../core/decorations/tokenDecorations';
import { normalizeRanges, widenRanges } from '../core/decorations/ranges';
import type { DocumentTokens } from '../core/incremental/documentTokens';
import { formatCount } from '../core/budget/budget';
import { onDidChangeSettings, readSettings } from './config';
import type { DocumentStore } from './documentStore';

/** Lines decorated beyond the visible ones, each way: at least this many, else a screen's worth. */
const MIN_MARGIN_LINES = 30;
const MAX_MARGIN_LINES = 150;
/** A pass waits for a pause this long in the typing (a keystroke or a burst of them). */
const TYPING_PAUSE_MS = 150;
const FRAME_MS = 16;

/** What an editor shows decorated: redone only when one of these changes or the view leaves `covered`. */
interface Decorated {
  version: number;
  tokens: DocumentTokens;
  whitespace: boolean;
  /** Flat offset pairs that hold decorations now. */
  covered: number[];
}
const COLORS = ['tokenwise.tokenBackground1', 'tokenwise.tokenBackground2', 'tokenwise.tokenBackground3'];

export class TokenDecorator implements vscode.Disposable {
  private readonly colorTypes = COLORS.map((id) => vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor(id), rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed }));
  private readonly splitType = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('tokenwise.splitCharacterBackground'),
    border: '1px dashed',
    borderColor: new vscode.ThemeColor('tokenwise.splitCharacterBorder'),
  });
  private readonly spaceType = vscode.window.createTextEditorDecorationType({ border: '1px dotted', borderColor: new vscode.ThemeColor('editorWhitespace.foreground') });
  private readonly lineEndType = vscode.window.createTextEditorDecorationType({ after: { contentText: '↵', color: new vscode.ThemeColor('editorWhitespace.foreground') } });
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Set<vscode.TextEditor>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastEdit = -Infinity;
  private readonly decorated = new WeakMap<vscode.TextEditor, Decorated>();
  /** Documents whose long lines were told to be decorated only in part (once each). */
  private readonly toldClipped = new Set<string>();

  constructor(private readonly store: DocumentStore) {
    this.disposables.push(
      ...this.colorTypes,
      this.splitType,
      this.spaceType,
      this.lineEndType,
      vscode.window.onDidChangeVisibleTextEditors(() => this.scheduleAll()),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => this.schedule(e.textEditor)),
      // An edit pushes the pass back, whether or not the document's tokens changed before this listener ran.
      vscode.workspace.onDidChangeTextDocument((e) => {
        const editors = vscode.window.visibleTextEditors.filter((editor) => editor.document === e.document);
        if (e.contentChanges.length === 0 || editors.length === 0) return;
        this.lastEdit = performance.now();
        for (const editor of editors) this.schedule(editor);
      }),
      store.onDidChange((document) => {
        for (const editor of vscode.window.visibleTextEditors) if (editor.document === document) this.schedule(editor);
      }),
      onDidChangeSettings('highlight', () => this.scheduleAll()),
    );
    this.scheduleAll();
  }

  private scheduleAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.schedule(editor);
  }

  /** Coalesces bursts into one pass per editor: within a frame when scrolling, after a pause when typing. */
  private schedule(editor: vscode.TextEditor): void {
    this.pending.add(editor);
    const typing = performance.now() - this.lastEdit < TYPING_PAUSE_MS;
    if (this.timer && !typing) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const editors = [...this.pending];
      this.pending.clear();
      for (const e of editors) this.render(e);
    }, typing ? TYPING_PAUSE_MS : FRAME_MS);
  }

  private render(editor: vscode.TextEditor): void {
    const settings = readSettings(editor.document);
    const state = settings.highlight ? this.store.get(editor.document) : undefined;
    if (state?.kind !== 'ready') {
      this.clear(editor);
      return;
    }
    const { document } = editor;
    const visible = editor.visibleRanges.flatMap((r) => [document.offsetAt(r.start), document.offsetAt(r.end)]);
    const before = this.decorated.get(editor);
    if (before && before.version === document.version && before.tokens === state.tokens && before.whitespace === settings.showWhitespace && covers(before.covered, visible)) return;
    const visibleLines = editor.visibleRanges.reduce((n, r) => n + r.end.line - r.start.line + 1, 0);
    const margin = Math.min(MAX_MARGIN_LINES, Math.max(MIN_MARGIN_LINES, visibleLines));
    const widened = widenRanges(state.tokens, visible, margin);
    const decorations = computeTokenDecorations(state.tokens, widened, {
      colors: 2,
      whitespace: settings.showWhitespace,
      visible,
    });
    const covered = decorations.marginDropped ? normalizeRanges(state.tokens, visible) : decorations.truncated ? clipTo(widened, decorations.truncated.at) : widened;
    this.decorated.set(editor, { version: document.version, tokens: state.tokens, whitespace: settings.showWhitespace, covered });
    if (decorations.clippedLines > 0 && !this.toldClipped.has(document.uri.toString())) {
      this.toldClipped.add(document.uri.toString());
      vscode.window.setStatusBarMessage(`Tokenwise: lines longer than ${formatCount(DEFAULT_MAX_LINE_CHARS)} characters are highlighted up to there`, 8_000);
    }
    const toRanges = (pairs: Uint32Array) => {
      const ranges: vscode.Range[] = [];
      for (let k = 0; k < pairs.length; k += 2) ranges.push(new vscode.Range(document.positionAt(pairs[k]), document.positionAt(pairs[k + 1])));
      return ranges;
    };
    this.colorTypes.forEach((type, c) => editor.setDecorations(type, c < decorations.colors.length ? toRanges(decorations.colors[c]) : []));
    editor.setDecorations(this.splitType, toRanges(decorations.split));
    const spaces = settings.showWhitespace ? [...toRanges(decorations.spaces), ...toRanges(decorations.tabs)] : [];
    editor.setDecorations(this.spaceType, spaces);
    const lineEnds: vscode.Range[] = [];
    if (settings.showWhitespace) {
      for (let k = 0; k < decorations.lineEnds.length; k += 2) {
        const at = document.positionAt(decorations.lineEnds[k]);
        lineEnds.push(new vscode.Range(at, at));
      }
    }
    editor.setDecorations(this.lineEndType, lineEnds);
  }

  /** Removes this editor's decorations; one that holds none is left alone (no calls per keystroke when off). */
  private clear(editor: vscode.TextEditor): void {
    if (!this.decorated.delete(editor)) return;
    for (const type of [...this.colorTypes, this.splitType, this.spaceType, this.lineEndType]) editor.setDecorations(type, []);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** Whether every range of `ranges` lies inside one of `covered` (both flat pairs, `covered` sorted). */
function covers(covered: readonly number[], ranges: readonly number[]): boolean {
  for (let k = 0; k < ranges.length; k += 2) {
    let inside = false;
    for (let c = 0; c < covered.length && !inside; c += 2) inside = covered[c] <= ranges[k] && ranges[k + 1] <= covered[c + 1];
    if (!inside) return false;
  }
  return true;
}

/** `ranges` (flat pairs) up to offset `at`. */
function clipTo(ranges: readonly number[], at: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < ranges.length && ranges[k] < at; k += 2) out.push(ranges[k], Math.min(ranges[k + 1], at));
  return out;
}
