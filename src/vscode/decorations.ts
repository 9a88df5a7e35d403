/**
 * Token boundaries in the editor: alternating theme colours, a marking for characters split across
 * tokens, optional whitespace markers. Only the visible ranges plus a margin are decorated, with types
 * made once and one `setDecorations` call per type.
 */
import * as vscode from 'vscode';
import { computeTokenDecorations } from '../core/decorations/tokenDecorations';
import { widenRanges } from '../core/decorations/ranges';
import { onDidChangeSettings, readSettings } from './config';
import type { DocumentStore } from './documentStore';

const MARGIN_LINES = 30;
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

  constructor(private readonly store: DocumentStore) {
    this.disposables.push(
      ...this.colorTypes,
      this.splitType,
      this.spaceType,
      this.lineEndType,
      vscode.window.onDidChangeVisibleTextEditors(() => this.scheduleAll()),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => this.schedule(e.textEditor)),
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

  /** Coalesces bursts (scrolling, typing) into one pass per editor within a frame. */
  private schedule(editor: vscode.TextEditor): void {
    this.pending.add(editor);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const editors = [...this.pending];
      this.pending.clear();
      for (const e of editors) this.render(e);
    }, 16);
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
    const decorations = computeTokenDecorations(state.tokens, widenRanges(state.tokens, visible, MARGIN_LINES), {
      colors: 2,
      whitespace: settings.showWhitespace,
      visible,
    });
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

  private clear(editor: vscode.TextEditor): void {
    for (const type of [...this.colorTypes, this.splitType, this.spaceType, this.lineEndType]) editor.setDecorations(type, []);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
