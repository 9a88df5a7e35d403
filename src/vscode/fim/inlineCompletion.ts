/**
 * Completions while typing, from the user's own model: asked for after a pause that follows the user's
 * rhythm (adaptive debounce), aborted by the next keystroke, cached by prompt (typing what the ghost text
 * predicted needs no request), and exact when the cursor sits inside a token (the `exact` strategy). The
 * ghost text always starts at the cursor; what the model re-derives of the typed text is never shown again.
 */
import * as vscode from 'vscode';
import { sleep } from '../../core/backends/http';
import type { ConnectResult, ModelBackend } from '../../core/backends/types';
import { completeAt, prepareExact, type Completion } from '../../core/fim/complete';
import { AdaptiveDebounce } from '../../core/fim/adaptiveDebounce';
import { CompletionCache } from '../../core/fim/completionCache';
import { ModelTokenizerError } from '../../core/fim/modelTokenizer';
import type { FimStrategy } from '../../core/fim/prompt';
import { openFimSession } from '../../core/fim/session';
import { isFimTemplateId, type FimTemplate } from '../../core/fim/templates';
import type { Tokenizer } from '../../core/tokenizers/types';
import type { BackendManager } from '../backend/backendManager';
import { onDidChangeSettings, setting, trustedPath } from '../config';
import { completesWhileTyping, isCountable } from '../documents';
import type { Log } from '../log';
import { namesTokenizerFile } from '../../core/tokenizers/registry';
import { CompletionStats } from './completionStats';
import { ContextFiles } from './contextFiles';

/** Text around the cursor sent at most: the prompt builder cuts further to the model's context. */
const PREFIX_CHARS = 24_000;
const SUFFIX_CHARS = 8_000;
const CACHE_SIZE = 64;
/** How long a failed request waits to learn whether its backend was being replaced, before it reports. */
const SETTLE_MS = 1_000;

interface Session {
  tokenizer: Tokenizer;
  /** Undefined where no template fits the model: no completions, but its vocabulary serves the surprise view. */
  template?: FimTemplate;
}

export class FimCompletionProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  private session: Promise<Session | undefined> | undefined;
  private readonly cache = new CompletionCache<Completion>(CACHE_SIZE);
  private readonly debounce = new AdaptiveDebounce();
  /** Requests in flight, aborted when the backend or the settings change under them. */
  private readonly running = new Set<AbortController>();
  readonly stats = new CompletionStats();
  private readonly context = new ContextFiles();
  private readonly disposables: vscode.Disposable[] = [this.context];

  constructor(
    private readonly backends: BackendManager,
    private readonly log: Log,
  ) {
    this.disposables.push(
      backends.onDidChange(() => {
        this.reset();
        this.prepare();
      }),
      onDidChangeSettings('completion', () => this.reset()),
      // The typing rhythm: keystrokes in the active editor only (not pastes, accepted completions or edits by tools).
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document !== vscode.window.activeTextEditor?.document || e.contentChanges.length === 0) return;
        if (e.contentChanges.every((c) => c.text.length <= 2 && c.rangeLength <= 1)) this.debounce.keystroke(performance.now());
      }),
    );
  }

  async provideInlineCompletionItems(document: vscode.TextDocument, position: vscode.Position, context: vscode.InlineCompletionContext, token: vscode.CancellationToken): Promise<vscode.InlineCompletionItem[] | undefined> {
    if (!setting('completion.enabled', document)) return undefined;
    // While the suggest widget is open the user is choosing from it: a ghost text would compete.
    if (context.selectedCompletionInfo) return undefined;
    const invoked = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    if (!(invoked ? isCountable(document) : completesWhileTyping(document))) return undefined;
    const current = this.backends.current;
    if (!current) return undefined;
    const offset = document.offsetAt(position);
    const text = document.getText();
    const start = Math.max(0, offset - PREFIX_CHARS);
    const prefix = text.slice(start, offset);
    const suffix = text.slice(offset, offset + SUFFIX_CHARS);
    const strategy: FimStrategy = setting('completion.strategy', document);
    const key = { strategy, start, prefix, suffix };
    const lineBefore = document.lineAt(position.line).text.slice(0, position.character);
    const hit = this.cache.lookup(key);
    if (hit) {
      this.stats.cacheHits++;
      this.showStats();
      return items(hit.value, position, lineBefore);
    }

    // Typing in bursts: only the request after a pause is sent; the next keystroke cancels this one. Asked for
    // explicitly (Trigger Inline Suggestion), it goes at once.
    const wait = invoked ? 0 : this.debounce.remaining(setting('completion.debounceMs', document), performance.now());
    if (!(await pause(wait, token))) return undefined;
    const session = await this.sessionFor(current);
    if (!session?.template || token.isCancellationRequested) return undefined;
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    this.running.add(controller);
    const extraFiles = this.context.for(document);
    this.stats.sent++;
    this.stats.inFlight++;
    this.showStats();
    // Once, when the request ends: a failed one is no longer in flight while it waits to report.
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      cancel.dispose();
      this.running.delete(controller);
      this.stats.inFlight--;
      this.showStats();
    };
    try {
      const completion = await completeAt({
        backend: current.backend,
        connected: current.result,
        tokenizer: session.tokenizer,
        template: session.template,
        prefix,
        suffix,
        strategy,
        maxTokens: setting('completion.maxTokens', document),
        extraFiles,
        repoName: vscode.workspace.getWorkspaceFolder(document.uri)?.name,
        currentPath: vscode.workspace.asRelativePath(document.uri),
        signal: controller.signal,
      });
      if (controller.signal.aborted) return this.cancelled(token);
      this.cache.set(key, completion);
      this.debounce.latency(completion.stats.totalMs);
      this.stats.record(completion);
      this.stats.prompt(completion.stats.promptTokens, extraFiles.map((f) => f.path));
      this.showStats();
      return items(completion, position, lineBefore);
    } catch (e) {
      // Whether it failed on its own: a keystroke during the wait below says nothing about the failure.
      const failedFirst = !controller.signal.aborted;
      end();
      // A backend being replaced (new settings, Reconnect) closes its requests before it says it changed.
      if (failedFirst) await sleep(SETTLE_MS, current.backend.kind);
      if (!failedFirst || this.backends.current?.backend !== current.backend) return this.cancelled(token);
      const message = e instanceof Error ? e.message : String(e);
      this.log.reportOnce(onceKey('completion', message), `completion failed: ${message}`, e);
      this.backends.lost(current.backend, e);
      return undefined;
    } finally {
      end();
    }
  }

  /** A request in flight that was aborted (counted when by the next keystroke): nothing is shown from it. */
  private cancelled(token: vscode.CancellationToken): undefined {
    if (token.isCancellationRequested) {
      this.stats.cancelled++;
      this.showStats();
    }
    return undefined;
  }

  private showStats(): void {
    this.backends.setDetails(this.stats.markdown());
  }

  /** The model's own tokenizer and its FIM template, once per connected backend. */
  private sessionFor(current: NonNullable<BackendManager['current']>): Promise<Session | undefined> {
    if (this.session) return this.session;
    const session: Promise<Session | undefined> = (async () => {
      const asked = setting('completion.template');
      const found = await openFimSession({
        backend: current.backend,
        connected: current.result,
        vocabulary: trustedPath(setting('completion.vocabulary'), namesTokenizerFile),
        setting: 'tokenwise.completion.vocabulary',
        where: current.backend.kind === 'embedded' ? setting('backend.modelPath') : setting('backend.url'),
        template: isFimTemplateId(asked) ? asked : undefined,
      });
      const { tokenizer, template } = found;
      this.log.info(`completions: the model's vocabulary from ${found.source}${found.verified ? ', checked against the backend' : ''}`);
      for (const note of tokenizer.notes ?? []) this.log.info(`completions: ${note}`);
      if (!template) {
        this.log.reportOnce('completion:template', `no FIM template for ${current.result.info.name}: ${found.templateReason} (choose one in tokenwise.completion.template)`);
        return { tokenizer };
      }
      this.log.info(`completions: ${template.id} template (${found.templateReason})`);
      // The exact method's view of the vocabulary, built now rather than in the first keystroke that needs it.
      if (setting('completion.strategy') === 'exact') prepareExact(current.result, tokenizer);
      return { tokenizer, template };
    })().catch((e: unknown) => {
      // A vocabulary that does not fit stays until the settings change (a reset); anything else may pass (a timeout).
      if (!(e instanceof ModelTokenizerError) && this.session === session) this.session = undefined;
      const message = e instanceof Error ? e.message : String(e);
      this.log.reportOnce(onceKey('completion:session', message), `completions cannot start: ${message}`, e);
      this.backends.lost(current.backend, e);
      return undefined;
    });
    this.session = session;
    return session;
  }

  /** The connected backend with the model's tokenizer and template, when completions can run. */
  async ready(): Promise<(Required<Session> & { backend: ModelBackend; connected: ConnectResult }) | undefined> {
    const model = await this.model();
    return model?.template ? { ...model, template: model.template } : undefined;
  }

  /** The connected backend with the model's own tokenizer, checked against it (a FIM template or not). */
  async model(): Promise<(Session & { backend: ModelBackend; connected: ConnectResult }) | undefined> {
    const current = this.backends.current;
    const session = current && (await this.sessionFor(current));
    return current && session ? { ...session, backend: current.backend, connected: current.result } : undefined;
  }

  /** Opens the session as soon as a backend connects, so that the first keystroke finds it ready. */
  private prepare(): void {
    const current = this.backends.current;
    if (current && setting('completion.enabled')) void this.sessionFor(current);
  }

  private reset(): void {
    this.session = undefined;
    this.cache.clear();
    for (const c of this.running) c.abort();
  }

  dispose(): void {
    for (const c of this.running) c.abort();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Several lines at an empty line or after an opening bracket or colon, where a block is likely; the rest of
 * the line otherwise.
 */
function items(completion: Completion, position: vscode.Position, lineBefore: string): vscode.InlineCompletionItem[] {
  const multiLine = lineBefore.trim() === '' || /[{([:]\s*$/.test(lineBefore);
  const text = multiLine ? completion.text : completion.text.split('\n')[0];
  if (!text.trim()) return [];
  return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];
}

/** Keyed without numbers (ids, timings), so that a backend gone down is said once, not per keystroke. */
function onceKey(kind: string, message: string): string {
  return `${kind}:${message.replace(/\d+/g, '#')}`;
}

/** Resolves true after `ms`, or false as soon as the request is cancelled. */
function pause(ms: number, token: vscode.CancellationToken): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      listener.dispose();
      resolve(!token.isCancellationRequested);
    }, ms);
    const listener = token.onCancellationRequested(() => {
      clearTimeout(timer);
      listener.dispose();
      resolve(false);
    });
  });
}
