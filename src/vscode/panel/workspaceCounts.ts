/**
 * The workspace view's counts: each workspace folder scanned in the background (cancellable, with
 * progress), then kept current file by file as files change on disk.
 */
import * as vscode from 'vscode';
import type { PanelState } from '../../core/panel/protocol';
import { loadTokenizer } from '../../core/tokenizers/registry';
import { makeReport } from '../../core/workspace/report';
import type { Tokenizer } from '../../core/tokenizers/types';
import type { WorkspaceReport } from '../../core/workspace/types';
import { WorkspaceIndex } from '../../core/workspace/workspaceIndex';
import { readSettings, SECTION } from '../config';
import { tokenizerIdFor } from '../documentStore';
import type { Log } from '../log';
import { vscodeFs } from './vscodeFs';

interface FolderIndex {
  folder: vscode.WorkspaceFolder;
  index: WorkspaceIndex;
}

export class WorkspaceCounts implements vscode.Disposable {
  private indexes: FolderIndex[] = [];
  private tokenizer: Tokenizer | undefined;
  private current: WorkspaceReport | undefined;
  private progress: PanelState['workspaceProgress'];
  private scanning: AbortController | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly pending = new Map<string, 'update' | 'remove'>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Log) {}

  view(): Pick<PanelState, 'workspace' | 'workspaceProgress'> {
    return { workspace: this.current, workspaceProgress: this.progress };
  }

  /** Scans every workspace folder with the tokenizer `document` (or the settings) choose. */
  async scan(document: vscode.TextDocument | undefined): Promise<void> {
    this.cancel();
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      void vscode.window.showInformationMessage('Tokenwise: open a folder to count its files.');
      return;
    }
    const controller = new AbortController();
    this.scanning = controller;
    const settings = readSettings(document);
    const tokenizer = await loadTokenizer(document ? tokenizerIdFor(document) : settings.tokenizer || 'o200k_base');
    this.tokenizer = tokenizer;
    const config = vscode.workspace.getConfiguration(SECTION, document);
    const scanSettings = { tokenizer, exclude: config.get<string[]>('workspace.exclude', []), maxFileSize: config.get('workspace.maxFileSize', 10 * 1024 * 1024) };
    this.indexes = folders.map((folder) => ({ folder, index: new WorkspaceIndex(vscodeFs(folder.uri), folder.uri.path, scanSettings) }));
    this.progress = { scanned: 0 };
    this.changed.fire();
    let scannedBefore = 0;
    let lastPost = 0;
    const reports: { folder: vscode.WorkspaceFolder; report: WorkspaceReport }[] = [];
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Tokenwise: counting the workspace' }, async () => {
      for (const { folder, index } of this.indexes) {
        const report = await index.scan({
          signal: controller.signal,
          onProgress: (scanned, path) => {
            this.progress = { scanned: scannedBefore + scanned, path: this.prefixed(folder, path) };
            // The panel needs no more than a few updates a second.
            if (performance.now() - lastPost > 200) {
              lastPost = performance.now();
              this.changed.fire();
            }
          },
        });
        reports.push({ folder, report });
        scannedBefore += report.files.length + report.skipped.length;
        if (report.state === 'cancelled') break;
      }
    }).then(undefined, (e: unknown) => this.log.error('workspace scan failed', e));
    if (this.scanning !== controller) return;
    this.scanning = undefined;
    this.progress = undefined;
    // A cancelled scan shows what it counted.
    this.current = this.merged(reports, controller.signal.aborted ? 'cancelled' : 'done');
    this.watch();
    this.changed.fire();
  }

  cancel(): void {
    this.scanning?.abort();
  }

  /** One report over every folder; paths start with the folder's name when there are several. */
  private merged(reports: { folder: vscode.WorkspaceFolder; report: WorkspaceReport }[], state: WorkspaceReport['state']): WorkspaceReport | undefined {
    if (reports.length === 0 || !this.tokenizer) return undefined;
    const files = reports.flatMap(({ folder, report }) => report.files.map((f) => ({ ...f, path: this.prefixed(folder, f.path) })));
    const skipped = reports.flatMap(({ folder, report }) => report.skipped.map((s) => ({ ...s, path: this.prefixed(folder, s.path) })));
    const elapsed = reports.reduce((n, r) => n + r.report.elapsedMs, 0);
    return makeReport(this.tokenizer, state, files, skipped, elapsed);
  }

  private prefixed(folder: vscode.WorkspaceFolder, path: string): string {
    return this.indexes.length > 1 ? `${folder.name}/${path}` : path;
  }

  /** After a scan, files that change on disk are counted again on their own. */
  private watch(): void {
    if (this.watcher) return;
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const queue = (uri: vscode.Uri, op: 'update' | 'remove') => {
      this.pending.set(uri.toString(), op);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.flush(), 500);
    };
    this.watcher.onDidCreate((uri) => queue(uri, 'update'));
    this.watcher.onDidChange((uri) => queue(uri, 'update'));
    this.watcher.onDidDelete((uri) => queue(uri, 'remove'));
  }

  private async flush(): Promise<void> {
    const ops = [...this.pending];
    this.pending.clear();
    for (const [key, op] of ops) {
      const uri = vscode.Uri.parse(key);
      const owner = this.indexes.find(({ folder }) => uri.scheme === folder.uri.scheme && uri.path.startsWith(`${folder.uri.path}/`));
      if (!owner) continue;
      const rel = uri.path.slice(owner.folder.uri.path.length + 1);
      await (op === 'remove' ? owner.index.removeFile(rel) : owner.index.updateFile(rel)).catch((e: unknown) => this.log.error(`workspace view: could not count ${rel}`, e));
    }
    if (!this.scanning && this.current) {
      this.current = this.merged(this.indexes.map(({ folder, index }) => ({ folder, report: index.report() })), this.current.state);
      this.changed.fire();
    }
  }

  dispose(): void {
    this.cancel();
    clearTimeout(this.timer);
    this.watcher?.dispose();
    this.changed.dispose();
  }
}
