/**
 * What the user chose in the budget panel, kept per workspace: pinned files and folders, the system
 * prompt, and the comparison's source and tokenizers.
 */
import * as vscode from 'vscode';
import type { CompareSource, PanelState } from '../../core/panel/protocol';

export interface PanelChoices {
  /** Workspace-relative paths ('/'-separated), or absolute paths outside every folder. */
  pinned: string[];
  systemPrompt: PanelState['systemPrompt'];
  compareSource: CompareSource;
  /** Empty: the current tokenizer and popular ones. */
  compareTokenizers: string[];
  boundaryPair?: { a: string; b: string };
}

const KEY = 'tokenwise.panel';
const DEFAULTS: PanelChoices = { pinned: [], systemPrompt: { kind: 'none' }, compareSource: 'document', compareTokenizers: [] };

export class PanelChoicesStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {}

  get(): PanelChoices {
    return { ...DEFAULTS, ...this.memento.get<Partial<PanelChoices>>(KEY, {}) };
  }

  async update(patch: Partial<PanelChoices>): Promise<void> {
    await this.memento.update(KEY, { ...this.get(), ...patch });
    this.changed.fire();
  }

  async pin(paths: readonly string[]): Promise<void> {
    const pinned = this.get().pinned;
    await this.update({ pinned: [...pinned, ...paths.filter((p) => !pinned.includes(p))] });
  }

  async unpin(path: string): Promise<void> {
    await this.update({ pinned: this.get().pinned.filter((p) => p !== path) });
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The workspace-relative form of a URI (as pinned paths are kept), or its path when outside every folder. */
export function workspacePath(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}

/** The URI of a pinned path; none for a relative path that climbs out of its folder. */
export function resolveWorkspacePath(path: string): vscode.Uri | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (path.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(path)) return vscode.Uri.file(path);
  if (path.split(/[\\/]/).includes('..')) return undefined;
  if (folders.length === 0) return undefined;
  if (folders.length > 1) {
    const [name, ...rest] = path.split('/');
    const folder = folders.find((f) => f.name === name);
    if (folder) return vscode.Uri.joinPath(folder.uri, ...rest);
  }
  return vscode.Uri.joinPath(folders[0].uri, ...path.split('/'));
}
