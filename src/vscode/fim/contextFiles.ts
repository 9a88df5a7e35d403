/**
 * Other files a completion prompt shows the model: open files, in the order they were first opened or edited
 * in this window. The order never changes for files already listed, so a backend's prompt cache, keyed on
 * the prompt's start, keeps working from one keystroke to the next.
 */
import * as vscode from 'vscode';
import type { ExtraFile } from '../../core/fim/prompt';
import { completesWhileTyping } from '../documents';

const MAX_FILES = 8;
const MAX_CHARS = 16_000;

export class ContextFiles implements vscode.Disposable {
  private readonly order: string[] = [];
  private readonly disposables: vscode.Disposable[];

  constructor() {
    for (const d of vscode.workspace.textDocuments) this.note(d);
    this.disposables = [
      vscode.workspace.onDidOpenTextDocument((d) => this.note(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.note(e.document)),
    ];
  }

  private note(document: vscode.TextDocument): void {
    if (!completesWhileTyping(document) || this.order.includes(document.uri.toString())) return;
    this.order.push(document.uri.toString());
  }

  /** The open files other than `current`, at most a few, each cut to its start. */
  for(current: vscode.TextDocument): ExtraFile[] {
    const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
    const files: ExtraFile[] = [];
    for (const key of this.order) {
      const document = open.get(key);
      if (!document || document === current) continue;
      files.push({ path: vscode.workspace.asRelativePath(document.uri), text: document.getText().slice(0, MAX_CHARS) });
      if (files.length === MAX_FILES) break;
    }
    return files;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
