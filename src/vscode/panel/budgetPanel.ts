/**
 * The budget panel: one webview, restored after a reload, that shows the composed budget, the tokenizer
 * comparison and the workspace's counts. It speaks the typed protocol of `core/panel/protocol.ts`: the page
 * says `ready`, then receives a full snapshot whenever something it shows changes.
 */
import * as vscode from 'vscode';
import { panelHtml, makeNonce } from '../../core/panel/html';
import { isPanelMessage, PANEL_VIEW_TYPE, type HostMessage, type PanelMessage, type PanelState } from '../../core/panel/protocol';
import { onDidChangeSettings, updateSetting } from '../config';
import type { DocumentStore } from '../documentStore';
import type { Log } from '../log';
import { selectModel, selectTokenizer } from '../picker';
import { exportReport } from './exportReport';
import { PanelChoicesStore, resolveWorkspacePath, workspacePath } from './panelChoices';
import { buildPanelState } from './panelModel';
import { WorkspaceCounts } from './workspaceCounts';

export class BudgetPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private state: Omit<PanelState, 'workspace' | 'workspaceProgress'> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private hadSelection = false;
  private building = false;
  private stale = false;
  private readonly choices: PanelChoicesStore;
  private readonly workspaceCounts: WorkspaceCounts;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    store: DocumentStore,
    private readonly log: Log,
  ) {
    this.choices = new PanelChoicesStore(context.workspaceState);
    this.workspaceCounts = new WorkspaceCounts(log);
    this.disposables.push(
      this.choices,
      this.workspaceCounts,
      this.choices.onDidChange(() => this.refresh(0)),
      this.workspaceCounts.onDidChange(() => this.post()),
      store.onDidChange((d) => {
        if (d === this.lastEditor?.document) this.refresh();
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        // Focusing the panel leaves no active editor: keep showing the last one.
        if (e) {
          this.lastEditor = e;
          this.refresh(0);
        }
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor !== this.lastEditor) return;
        // Moving an empty cursor changes nothing the panel shows.
        const selected = e.selections.some((s) => !s.isEmpty);
        if (selected || this.hadSelection) this.refresh();
        this.hadSelection = selected;
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d !== this.lastEditor?.document) return;
        this.lastEditor = undefined;
        this.refresh(0);
      }),
      onDidChangeSettings('panel', () => this.refresh(0)),
      vscode.workspace.onDidSaveTextDocument(() => this.refresh()),
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
      vscode.commands.registerCommand('tokenwise.openBudgetPanel', () => this.show()),
      vscode.commands.registerCommand('tokenwise.pinToBudget', async (clicked?: vscode.Uri, selected?: vscode.Uri[]) => {
        const uris = selected?.length ? selected : clicked ? [clicked] : this.lastEditor ? [this.lastEditor.document.uri] : [];
        if (uris.length === 0) return;
        await this.choices.pin(uris.map(workspacePath));
        this.show(true);
      }),
      vscode.commands.registerCommand('tokenwise.unpinFromBudget', async (clicked?: vscode.Uri) => {
        const uri = clicked ?? this.lastEditor?.document.uri;
        if (uri) await this.choices.unpin(workspacePath(uri));
      }),
    );
  }

  /** Opens the panel, or brings it to the front (leaving the focus where it is when asked to). */
  show(preserveFocus = false): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const root = this.context.extensionUri;
    this.attach(
      vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Tokenwise Budget', { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(root, 'dist', 'webview')],
      }),
    );
  }

  private attach(panel: vscode.WebviewPanel): void {
    const webviewRoot = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.svg');
    const asUri = (file: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, file)).toString();
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asUri('panel.js'),
      styleUri: asUri('panel.css'),
      codiconUri: asUri('codicon.css'),
      title: 'Tokenwise Budget',
    });
    this.panel = panel;
    this.ready = false;
    const subscriptions = [
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isPanelMessage(m)) {
          this.log.warn(`budget panel: ignored a malformed message ${JSON.stringify(m)?.slice(0, 200)}`);
          return;
        }
        void this.handle(m).catch((e: unknown) => this.log.error(`budget panel: ${m.type} failed`, e));
      }),
      // A hidden webview misses messages: send everything again when it shows.
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.post();
      }),
    ];
    panel.onDidDispose(() => {
      for (const s of subscriptions) s.dispose();
      if (this.panel === panel) this.panel = undefined;
      this.workspaceCounts.reset();
    });
  }

  private async handle(m: PanelMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.refresh(0);
        return;
      case 'pickModel':
        return selectModel();
      case 'pickTokenizer':
        return selectTokenizer();
      case 'setSystemPrompt':
        return this.choices.update({ systemPrompt: m.text ? { kind: 'text', text: m.text } : { kind: 'none' } });
      case 'clearSystemPrompt':
        return this.choices.update({ systemPrompt: { kind: 'none' } });
      case 'pickSystemPromptFile': {
        const files = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Tokenwise: the system prompt file', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
        if (files?.[0]) await this.choices.update({ systemPrompt: { kind: 'file', path: workspacePath(files[0]) } });
        return;
      }
      case 'setReservedOutput':
        await updateSetting('budget.reservedOutput', m.tokens ?? undefined, vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
        return;
      case 'pinFiles': {
        const uris = await vscode.window.showOpenDialog({ canSelectMany: true, canSelectFolders: true, canSelectFiles: true, title: 'Tokenwise: pin files or folders to the budget', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
        if (uris?.length) await this.choices.pin(uris.map(workspacePath));
        return;
      }
      // Paths from the page are untrusted: only those Tokenwise itself showed it.
      case 'pinPath':
        if (this.workspaceCounts.view().workspace?.files.some((f) => f.path === m.path)) await this.choices.pin([m.path]);
        return;
      case 'unpin':
        return this.choices.unpin(m.path);
      case 'openFile': {
        const uri = this.shownPaths().has(m.path) ? resolveWorkspacePath(m.path) : undefined;
        if (uri) await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.One });
        return;
      }
      case 'setCompareSource':
        return this.choices.update({ compareSource: m.source });
      case 'setCompareTokenizers':
        return this.choices.update({ compareTokenizers: m.ids });
      case 'setBoundaryPair':
        return this.choices.update({ boundaryPair: { a: m.a, b: m.b } });
      case 'scanWorkspace':
        return this.workspaceCounts.scan(this.lastEditor?.document);
      case 'cancelScan':
        return this.workspaceCounts.cancel();
      case 'export': {
        const state = this.snapshot();
        const path = await exportReport(m.what, m.format, state);
        if (path) this.send({ type: 'exported', what: m.what, format: m.format, path });
        return;
      }
    }
  }

  /** Recomputes the panel's state after a pause (edits and cursor moves come in bursts). */
  private refresh(delayMs = 250): void {
    if (!this.panel) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.rebuild(), delayMs);
  }

  /** One build at a time; what changes meanwhile is picked up by one more build right after. */
  private async rebuild(): Promise<void> {
    if (this.building) {
      this.stale = true;
      return;
    }
    this.building = true;
    try {
      do {
        this.stale = false;
        this.state = await buildPanelState({ editor: this.lastEditor, choices: this.choices.get() });
        this.post();
      } while (this.stale && this.panel);
    } catch (e) {
      this.log.error('budget panel: could not compute the budget', e);
    } finally {
      this.building = false;
    }
  }

  /** Every path the panel shows: pinned, in the budget, in the workspace view. */
  private shownPaths(): Set<string> {
    const state = this.snapshot();
    return new Set([
      ...state.pinned,
      ...(state.budget?.parts.flatMap((p) => (p.path ? [p.path] : [])) ?? []),
      ...(state.workspace?.files.map((f) => f.path) ?? []),
      ...(state.systemPrompt.kind === 'file' ? [state.systemPrompt.path] : []),
    ]);
  }

  private snapshot(): PanelState {
    const base = this.state ?? { systemPrompt: { kind: 'none' }, pinned: [], compareSource: 'document', compareTokenizers: [], tokenizers: [] };
    return { ...base, ...this.workspaceCounts.view() };
  }

  private post(): void {
    if (this.ready && this.state) this.send({ type: 'state', state: this.snapshot() });
  }

  private send(message: HostMessage): void {
    if (this.panel?.visible) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
