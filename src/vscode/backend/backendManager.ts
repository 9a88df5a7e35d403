/**
 * The model backend the user configured: built from the settings (the API key from SecretStorage),
 * connected when the settings say so, its capabilities written to the log and shown in a status bar item.
 * Nothing is sent anywhere until the user picks a backend; a remote URL needs `tokenwise.backend.allowRemote`.
 */
import * as vscode from 'vscode';
import { createBackend, describeCapabilities, type BackendSettings } from '../../core/backends/create';
import { EmbeddedBackend } from '../../core/backends/embedded';
import { Backoff } from '../../core/backends/backoff';
import { BackendUnreachable, type ConnectResult, type ModelBackend } from '../../core/backends/types';
import { engineInstalled } from '../../core/engine/install';
import { onDidChangeSettings, setting } from '../config';
import type { Log } from '../log';
import { engineDir } from './engineInstall';

export const API_KEY_SECRET = 'tokenwise.backend.apiKey';

type BackendState =
  | { kind: 'off' }
  | { kind: 'connecting'; backend: ModelBackend }
  | { kind: 'ready'; backend: ModelBackend; result: ConnectResult }
  /** Nothing answers at its address: tried again by itself at `retryAt`. */
  | { kind: 'unreachable'; backendKind: string; message: string; retryAt: number }
  | { kind: 'failed'; message: string };

export class BackendManager implements vscode.Disposable {
  private state: BackendState = { kind: 'off' };
  /** Markdown the completion layer adds to the tooltip (its timings and strategies). */
  private details = '';
  private attempt: AbortController | undefined;
  private readonly backoff = new Backoff();
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly item = vscode.window.createStatusBarItem('tokenwise.backend', vscode.StatusBarAlignment.Right, 99);
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.item, this.changed];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {
    this.item.name = 'Tokenwise Model Backend';
    this.item.command = 'tokenwise.connectBackend';
    this.disposables.push(
      onDidChangeSettings('backend', () => void this.connect()),
      context.secrets.onDidChange((e) => {
        if (e.key === API_KEY_SECRET) void this.connect();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.connect()),
    );
    void this.connect();
  }

  setDetails(markdown: string): void {
    this.details = markdown;
    this.render();
  }

  /** The connected backend, if any. */
  get current(): { backend: ModelBackend; result: ConnectResult } | undefined {
    return this.state.kind === 'ready' ? { backend: this.state.backend, result: this.state.result } : undefined;
  }

  /**
   * A request on `backend` failed. Where nothing answers any more, the item says so and the backend is
   * looked for again, backing off, until it answers.
   */
  lost(backend: ModelBackend, error: unknown): void {
    if (!(error instanceof BackendUnreachable) || this.state.kind !== 'ready' || this.state.backend !== backend) return;
    this.log.warn(`${backend.kind} stopped answering: ${error.message}`);
    this.backoff.reset();
    this.release();
    this.unreachable(backend.kind, error.message);
  }

  /** Drops the backend in use and connects again with the settings as they are now. */
  async connect(userAsked = false): Promise<void> {
    this.attempt?.abort();
    clearTimeout(this.retry);
    this.release();
    // A retry the backoff scheduled keeps the item as it is; the user or the settings start the waits afresh.
    const retrying = !userAsked && this.state.kind === 'unreachable';
    if (!retrying) this.backoff.reset();
    const kind = setting('backend.kind');
    if (kind === 'none') {
      this.setState({ kind: 'off' });
      if (userAsked) void vscode.window.showInformationMessage('Tokenwise: choose a model backend in the settings (tokenwise.backend.kind) first.');
      return;
    }
    const attempt = new AbortController();
    this.attempt = attempt;
    let backend: ModelBackend;
    try {
      backend = createBackend(await this.settings(kind), (s) => this.embedded(s));
    } catch (e) {
      this.fail(e, userAsked);
      return;
    }
    if (!retrying) this.setState({ kind: 'connecting', backend });
    try {
      const result = await backend.connect(attempt.signal);
      if (this.attempt !== attempt) return backend.dispose();
      this.log.info(`${backend.kind} connected: ${result.info.name}; ${describeCapabilities(result.capabilities)}`);
      this.backoff.reset();
      this.setState({ kind: 'ready', backend, result });
      if (userAsked) void vscode.window.showInformationMessage(`Tokenwise: connected to ${backend.kind}: ${result.info.name}`);
    } catch (e) {
      backend.dispose();
      if (this.attempt !== attempt) return;
      if (e instanceof BackendUnreachable) {
        const repeated = this.state.kind === 'unreachable' && this.state.message === e.message;
        this.unreachable(backend.kind, e.message);
        // The log and a notification once per distinct problem; the retries the backoff makes stay quiet.
        if (userAsked) this.tell(e.message, e);
        else if (!repeated) this.log.reportOnce(`backend:${e.message}`, `model backend: ${e.message}`, e);
      } else this.fail(e, userAsked);
    }
  }

  private unreachable(backendKind: string, message: string): void {
    const wait = this.backoff.next();
    this.setState({ kind: 'unreachable', backendKind, message, retryAt: Date.now() + wait });
    this.retry = setTimeout(() => void this.connect(), wait);
  }

  /** What a connection the user asked for came to: said every time, one notification for one message. */
  private tell(message: string, error: unknown): void {
    this.log.error(`model backend: ${message}`, error);
    void vscode.window.showErrorMessage(`Tokenwise: model backend: ${message}`, 'Open Log').then((choice) => {
      if (choice) this.log.show();
    });
  }

  private async settings(kind: BackendSettings['kind']): Promise<BackendSettings> {
    return {
      kind,
      url: setting('backend.url'),
      model: setting('backend.model') || undefined,
      modelPath: setting('backend.modelPath') || undefined,
      timeoutMs: setting('backend.timeoutMs'),
      allowRemote: setting('backend.allowRemote'),
      apiKey: (await this.context.secrets.get(API_KEY_SECRET)) || undefined,
    };
  }

  private embedded(settings: BackendSettings): ModelBackend {
    if (!settings.modelPath) throw new Error('choose a GGUF model file first (Tokenwise: Choose a GGUF Model)');
    const installDir = engineDir(this.context);
    if (!engineInstalled(installDir)) throw new Error('the embedded engine is not installed: run "Tokenwise: Install the Embedded Engine"');
    const gpu = setting('backend.gpu');
    return new EmbeddedBackend({
      enginePath: this.context.asAbsolutePath('dist/engine.js'),
      installDir,
      modelPath: settings.modelPath,
      gpu: gpu === 'cpu' ? false : gpu,
    });
  }

  private fail(error: unknown, userAsked: boolean): void {
    const message = error instanceof Error ? error.message : String(error);
    this.setState({ kind: 'failed', message });
    // Said once per distinct problem (and again when the user asks), never per keystroke.
    if (userAsked) this.tell(message, error);
    else this.log.reportOnce(`backend:${message}`, `model backend: ${message}`, error);
  }

  private release(): void {
    if (this.state.kind === 'connecting' || this.state.kind === 'ready') this.state.backend.dispose();
  }

  private setState(state: BackendState): void {
    this.state = state;
    this.details = '';
    this.render();
    this.changed.fire();
  }

  private render(): void {
    const state = this.state;
    if (state.kind === 'off') {
      this.item.hide();
      return;
    }
    const tooltip = new vscode.MarkdownString('', true);
    tooltip.isTrusted = { enabledCommands: ['tokenwise.connectBackend', 'tokenwise.showLog'] };
    if (state.kind === 'connecting') {
      this.item.text = `$(sync~spin) ${state.backend.kind}`;
      tooltip.appendMarkdown(`Connecting to the ${state.backend.kind} backend…`);
    } else if (state.kind === 'unreachable') {
      this.item.text = `$(debug-disconnect) ${state.backendKind}`;
      const seconds = Math.max(1, Math.round((state.retryAt - Date.now()) / 1000));
      tooltip.appendMarkdown(`The ${state.backendKind} backend is unreachable: ${escape(state.message)}\n\nTrying again by itself in ${seconds} s, then less and less often.\n\n[Retry](command:tokenwise.connectBackend) · [Open Log](command:tokenwise.showLog)`);
    } else if (state.kind === 'failed') {
      this.item.text = '$(error) model';
      tooltip.appendMarkdown(`The model backend is not available: ${escape(state.message)}\n\n[Retry](command:tokenwise.connectBackend) · [Open Log](command:tokenwise.showLog)`);
    } else {
      const { info, capabilities } = state.result;
      this.item.text = `$(server-process) ${state.backend.kind}`;
      tooltip.appendMarkdown(`**${escape(info.name)}** (${state.backend.kind})\n\n${escape(describeCapabilities(capabilities))}\n\n`);
      if (this.details) tooltip.appendMarkdown(`${escape(this.details)}\n\n`);
      tooltip.appendMarkdown('[Reconnect](command:tokenwise.connectBackend)');
    }
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Tokenwise model backend: ${state.kind}` };
    this.item.show();
  }

  dispose(): void {
    this.attempt?.abort();
    clearTimeout(this.retry);
    this.release();
    for (const d of this.disposables) d.dispose();
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
