/**
 * The workspace view's counts: each workspace folder scanned in the background (cancellable, with
 * progress), then kept current file by file as files change on disk, while the panel is open.
 */
import * as vscode from 'vscode';
import type { PanelState } from '../../core/panel/protocol';
import { loadTokenizer } from '../../core/tokenizers/registry';
import type { Tokenizer } from '../../core/tokenizers/types';
import { makeReport } from '../../core/workspace/report';
import type { WorkspaceReport } from '../../core/workspace/types';
import { WorkspaceIndex } from '../../core/workspace/workspaceIndex';
import { setting } from '../config';
import { tokenizerIdFor } from '../documentStore';
import type { Log } from '../log';
import { vscodeFs } from './vscodeFs';

interface FolderIndex {
  folder: vscode.WorkspaceFolder;
  index: WorkspaceIndex;
}

type FolderReport = { folder: vscode.WorkspaceFolder; report: WorkspaceReport };

/** File events are counted after this pause, and at the latest this long after the first one. */
const SETTLE_MS = 500;
const MAX_WAIT_MS = 3000;

export class WorkspaceCounts implements vscode.Disposable {
  private indexes: FolderIndex[] = [];
  private tokenizer: Tokenizer | undefined;
  private current: WorkspaceReport | undefined;
  private progress: PanelState['workspaceProgress'];
  private scanning: AbortController | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly pending = new Map<string, 'update' | 'remove'>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstPending = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Log) {}

  view(): Pick<PanelState, 'workspace' | 'workspaceProgress'> {
    return { workspace: this.current, workspaceProgress: this.progress };
  }

  /** Scans every workspace folder with the tokenizer `document`'s settings (or the window's) choose. */
  async scan(document: vscode.TextDocument | undefined): Promise<void> {
    this.reset();
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      void vscode.window.showInformationMessage('Tokenwise: open a folder to count its files.');
      return;
    }
    const controller = new AbortController();
    this.scanning = controller;
    this.progress = { scanned: 0 };
    this.changed.fire();
    try {
      const tokenizer = await loadTokenizer(tokenizerIdFor(document));
      // A newer scan (or Cancel) may have come while the tokenizer loaded.
      if (controller.signal.aborted) return;
      const settings = { tokenizer, exclude: setting('workspace.exclude', document), maxFileSize: setting('workspace.maxFileSize', document) };
      const indexes = folders.map((folder) => ({ folder, index: new WorkspaceIndex(vscodeFs(folder.uri), folder.uri.path, settings) }));
      this.tokenizer = tokenizer;
      this.indexes = indexes;
      const reports = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Tokenwise: counting the workspace' }, () => this.scanFolders(indexes, controller.signal));
      if (this.scanning !== controller) return;
      const cancelled = controller.signal.aborted;
      // A cancelled scan shows what it counted, and is not kept current.
      this.current = this.merged(reports, cancelled ? 'cancelled' : 'done');
      if (!cancelled) this.watch();
    } catch (e) {
      this.log.reportOnce('workspace-scan', `cannot count the workspace: ${e instanceof Error ? e.message : String(e)}`, e);
    } finally {
      if (this.scanning === controller) {
        this.scanning = undefined;
        this.progress = undefined;
        this.changed.fire();
      }
    }
  }

  private async scanFolders(indexes: FolderIndex[], signal: AbortSignal): Promise<FolderReport[]> {
    const reports: FolderReport[] = [];
    let before = 0;
    let lastPost = 0;
    for (const { folder, index } of indexes) {
      let scanned = 0;
      try {
        const report = await index.scan({
          signal,
          onProgress: (n, path) => {
            scanned = n;
            this.progress = { scanned: before + n, path: this.prefixed(folder, path) };
            // The panel needs no more than a few updates a second.
            if (performance.now() - lastPost > 200) {
              lastPost = performance.now();
              this.changed.fire();
            }
          },
        });
        reports.push({ folder, report });
      } catch (e) {
        // One unreadable folder does not stop the others.
        this.log.error(`workspace view: cannot scan ${folder.name}`, e);
      }
      before += scanned;
      if (signal.aborted) break;
    }
    return reports;
  }

  cancel(): void {
    this.scanning?.abort();
  }

  /** Forgets everything: the panel closed, or a new scan starts. */
  reset(): void {
    this.cancel();
    this.scanning = undefined;
    this.progress = undefined;
    this.watcher?.dispose();
    this.watcher = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.indexes = [];
    this.current = undefined;
  }

  /** One report over every folder; paths start with the folder's name when there are several. */
  private merged(reports: FolderReport[], state: WorkspaceReport['state']): WorkspaceReport | undefined {
    if (reports.length === 0 || !this.tokenizer) return undefined;
    const files = reports.flatMap(({ folder, report }) => report.files.map((f) => ({ ...f, path: this.prefixed(folder, f.path) })));
    const skipped = reports.flatMap(({ folder, report }) => report.skipped.map((s) => ({ ...s, path: this.prefixed(folder, s.path) })));
    const elapsed = reports.reduce((n, r) => n + r.report.elapsedMs, 0);
    return makeReport(this.tokenizer, state, files, skipped, elapsed);
  }

  private prefixed(folder: vscode.WorkspaceFolder, path: string): string {
    return this.indexes.length > 1 ? `${folder.name}/${path}` : path;
  }

  /** After a complete scan, files that change on disk are counted again on their own. */
  private watch(): void {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const queue = (uri: vscode.Uri, op: 'update' | 'remove') => {
      if (this.pending.size === 0) this.firstPending = performance.now();
      this.pending.set(uri.toString(), op);
      clearTimeout(this.timer);
      const wait = Math.max(0, Math.min(SETTLE_MS, this.firstPending + MAX_WAIT_MS - performance.now()));
      this.timer = setTimeout(() => void this.flush(), wait);
    };
    this.watcher.onDidCreate((uri) => queue(uri, 'update'));
    this.watcher.onDidChange((uri) => queue(uri, 'update'));
    this.watcher.onDidDelete((uri) => queue(uri, 'remove'));
  }

  private async flush(): Promise<void> {
    const ops = [...this.pending];
    this.pending.clear();
    const indexes = this.indexes;
    for (const [key, op] of ops) {
      const uri = vscode.Uri.parse(key);
      const owner = indexes.find(({ folder }) => uri.scheme === folder.uri.scheme && uri.path.startsWith(folder.uri.path.replace(/\/?$/, '/')));
      if (!owner) continue;
      const rel = uri.path.slice(owner.folder.uri.path.replace(/\/?$/, '/').length);
      await (op === 'remove' ? owner.index.removeFile(rel) : owner.index.updateFile(rel)).catch((e: unknown) => this.log.error(`workspace view: cannot count ${rel}`, e));
    }
    // A reset or a new scan while this ran: its results belong to nothing shown.
    if (indexes !== this.indexes || this.scanning || !this.current) return;
    this.current = this.merged(indexes.map(({ folder, index }) => ({ folder, report: index.report() })), 'done');
    this.changed.fire();
  }

  dispose(): void {
    this.reset();
    this.changed.dispose();
  }
}
