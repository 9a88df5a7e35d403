/**
 * Each open document's tokens under the tokenizer its settings choose, kept up to date edit by edit
 * through `DocumentTokens`. Large documents are counted after a pause in the background, so that typing
 * never waits; nothing here ever changes a document.
 */
import * as vscode from 'vscode';
import { findModel, tokenizerForModel } from '../core/budget/modelCatalog';
import { DocumentTokens } from '../core/incremental/documentTokens';
import { loadTokenizer, namesTokenizerFile } from '../core/tokenizers/registry';
import type { Tokenizer } from '../core/tokenizers/types';
import { onDidChangeSettings, readSettings, trustedPath } from './config';
import { isCountable } from './documents';
import type { Log } from './log';

export type DocumentState =
  | { kind: 'ready'; tokenizer: Tokenizer; tokens: DocumentTokens }
  | { kind: 'counting'; tokenizerId: string }
  | { kind: 'tooLarge'; length: number; limit: number }
  | { kind: 'failed'; tokenizerId: string; message: string };

/** The tokenizer id a document's settings (or, without one, the window's) choose: the explicit one, else the model's. */
export function tokenizerIdFor(document: vscode.TextDocument | undefined): string {
  const settings = readSettings(document);
  const chosen = trustedPath(settings.tokenizer, namesTokenizerFile);
  if (chosen) return chosen;
  return findModel(settings.model, settings.models)?.tokenizer ?? tokenizerForModel(settings.model).tokenizer;
}

export class DocumentStore implements vscode.Disposable {
  private readonly states = new Map<string, DocumentState>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly changed = new vscode.EventEmitter<vscode.TextDocument>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Fires when a document's tokens or state change. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Log) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.applyChanges(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
      onDidChangeSettings('counting', () => this.refreshAll()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refreshAll()),
    );
  }

  /** The state of a document, starting its count if it has none yet. */
  get(document: vscode.TextDocument): DocumentState | undefined {
    if (!isCountable(document)) return undefined;
    const key = document.uri.toString();
    const state = this.states.get(key);
    if (state) return state;
    this.count(document);
    return this.states.get(key);
  }

  /** The tokenizer for a document, loaded. */
  tokenizer(document: vscode.TextDocument): Promise<Tokenizer> {
    return loadTokenizer(tokenizerIdFor(document));
  }

  private count(document: vscode.TextDocument, delayMs = 0): void {
    const key = document.uri.toString();
    const settings = readSettings(document);
    const tokenizerId = tokenizerIdFor(document);
    const length = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
    if (length > settings.maxDocumentLength) {
      this.set(document, { kind: 'tooLarge', length, limit: settings.maxDocumentLength });
      return;
    }
    clearTimeout(this.timers.get(key));
    const large = length > settings.backgroundCountAbove;
    // Until the count is ready, an old count stays on show (when switching tokenizer), else "counting…".
    if (large || delayMs > 0 || !this.states.has(key)) this.states.set(key, { kind: 'counting', tokenizerId });
    const build = () => {
      this.timers.delete(key);
      loadTokenizer(tokenizerId).then(
        (tokenizer) => {
          // The document may have closed, or its tokenizer changed, while this waited.
          if (document.isClosed || tokenizerIdFor(document) !== tokenizerId) return;
          const state = this.states.get(key);
          if (state?.kind === 'ready' && state.tokenizer === tokenizer) return;
          this.set(document, { kind: 'ready', tokenizer, tokens: new DocumentTokens(tokenizer, document.getText()) });
        },
        (error: unknown) => {
          this.log.reportOnce(`tokenizer:${tokenizerId}`, `cannot load tokenizer "${tokenizerId}"`, error);
          this.set(document, { kind: 'failed', tokenizerId, message: error instanceof Error ? error.message : String(error) });
        },
      );
    };
    if (large || delayMs > 0) this.timers.set(key, setTimeout(build, large ? Math.max(delayMs, 300) : delayMs));
    else build();
  }

  private applyChanges(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    const state = this.states.get(key);
    if (!state || e.contentChanges.length === 0) return;
    if (state.kind !== 'ready') {
      // Counting in the background (or not counted): start again after the typing pauses.
      if (state.kind === 'counting') this.count(e.document, 300);
      return;
    }
    try {
      // VS Code lists the changes so that applying them one after another is right.
      for (const change of e.contentChanges) state.tokens.applyChange(change.rangeOffset, change.rangeLength, change.text);
      const length = e.document.offsetAt(e.document.lineAt(e.document.lineCount - 1).range.end);
      if (state.tokens.textLength !== length) throw new Error(`document length ${length}, tokens cover ${state.tokens.textLength}`);
      this.changed.fire(e.document);
    } catch (error) {
      this.log.error(`re-counting ${e.document.uri.fsPath} from scratch`, error);
      this.states.delete(key);
      this.count(e.document);
    }
  }

  private set(document: vscode.TextDocument, state: DocumentState): void {
    this.states.set(document.uri.toString(), state);
    this.changed.fire(document);
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.states.delete(key);
  }

  /** Settings changed: recount every open document under its (possibly new) tokenizer. */
  private refreshAll(): void {
    for (const document of vscode.workspace.textDocuments) {
      const key = document.uri.toString();
      if (!this.states.has(key)) continue;
      const state = this.states.get(key);
      const wanted = tokenizerIdFor(document);
      const sameTokenizer = state?.kind === 'ready' && (state.tokenizer.id === wanted || state.tokenizer.id.endsWith(wanted));
      if (!sameTokenizer) {
        this.count(document);
      } else {
        this.changed.fire(document);
      }
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
