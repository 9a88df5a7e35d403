/**
 * Completions while typing, from the user's own model: debounced, aborted by the next keystroke, cached by
 * prompt, and exact when the cursor sits inside a token (the `exact` strategy). The ghost text always starts
 * at the cursor; what the model re-derives of the typed text is never shown again.
 */
import * as vscode from 'vscode';
import { LlamaServerBackend } from '../../core/backends/llamaServer';
import type { ConnectResult, ModelBackend } from '../../core/backends/types';
import { completeAt, type Completion } from '../../core/fim/complete';
import type { FimStrategy } from '../../core/fim/prompt';
import { templateForModel } from '../../core/fim/templateForModel';
import { isFimTemplateId, type FimTemplate } from '../../core/fim/templates';
import { loadTokenizer } from '../../core/tokenizers/registry';
import type { Tokenizer } from '../../core/tokenizers/types';
import type { BackendManager } from '../backend/backendManager';
import { SECTION } from '../config';
import type { Log } from '../log';
import { CompletionStats } from './completionStats';
import { ContextFiles } from './contextFiles';

/** Text around the cursor sent at most: the prompt builder cuts further to the model's context. */
const PREFIX_CHARS = 24_000;
const SUFFIX_CHARS = 8_000;
const CACHE_SIZE = 64;

interface Session {
  tokenizer: Tokenizer;
  template: FimTemplate;
}

export class FimCompletionProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  private session: Promise<Session | undefined> | undefined;
  private readonly cache = new Map<string, Completion>();
  readonly stats = new CompletionStats();
  private readonly context = new ContextFiles();
  private readonly disposables: vscode.Disposable[] = [this.context];

  constructor(
    private readonly backends: BackendManager,
    private readonly log: Log,
  ) {
    this.disposables.push(
      backends.onDidChange(() => this.reset()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.completion`) || e.affectsConfiguration(`${SECTION}.tokenizer`)) this.reset();
      }),
    );
  }

  async provideInlineCompletionItems(document: vscode.TextDocument, position: vscode.Position, _context: vscode.InlineCompletionContext, token: vscode.CancellationToken): Promise<vscode.InlineCompletionItem[] | undefined> {
    const config = vscode.workspace.getConfiguration(SECTION, document);
    if (!config.get('completion.enabled', true)) return undefined;
    const current = this.backends.current;
    if (!current) return undefined;
    const offset = document.offsetAt(position);
    const text = document.getText();
    const prefix = text.slice(Math.max(0, offset - PREFIX_CHARS), offset);
    const suffix = text.slice(offset, offset + SUFFIX_CHARS);
    const strategy = config.get<FimStrategy>('completion.strategy', 'exact');
    const key = `${strategy}\u0000${prefix}\u0000${suffix}`;
    const cached = this.cache.get(key) ?? this.fromTypedAhead(prefix, suffix, strategy);
    const lineBefore = document.lineAt(position.line).text.slice(0, position.character);
    if (cached) return items(cached, position, lineBefore);

    // Typing in bursts: only the request after a pause is sent; the next keystroke cancels this one.
    if (!(await pause(config.get('completion.debounceMs', 150), token))) return undefined;
    const session = await this.sessionFor(current);
    if (!session || token.isCancellationRequested) return undefined;
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    try {
      const completion = await completeAt({
        backend: current.backend,
        connected: current.result,
        tokenizer: session.tokenizer,
        template: session.template,
        prefix,
        suffix,
        strategy,
        maxTokens: config.get('completion.maxTokens', 64),
        extraFiles: this.context.for(document),
        repoName: vscode.workspace.getWorkspaceFolder(document.uri)?.name,
        currentPath: vscode.workspace.asRelativePath(document.uri),
        signal: controller.signal,
      });
      if (controller.signal.aborted) return undefined;
      this.remember(key, completion);
      this.stats.record(completion);
      this.backends.setDetails(this.stats.markdown());
      return items(completion, position, lineBefore);
    } catch (e) {
      if (controller.signal.aborted) return undefined;
      const message = e instanceof Error ? e.message : String(e);
      this.log.reportOnce(`completion:${message}`, `completion failed: ${message}`, e);
      return undefined;
    } finally {
      cancel.dispose();
    }
  }

  /** The user typed what a cached completion predicted: the rest of it, without asking the model again. */
  private fromTypedAhead(prefix: string, suffix: string, strategy: FimStrategy): Completion | undefined {
    for (const [key, completion] of this.cache) {
      const [s, p, x] = key.split('\u0000');
      if (s !== strategy || x !== suffix || !prefix.startsWith(p)) continue;
      const typed = prefix.slice(p.length);
      if (typed.length > 0 && completion.text.startsWith(typed) && completion.text.length > typed.length) return { ...completion, text: completion.text.slice(typed.length) };
    }
    return undefined;
  }

  private remember(key: string, completion: Completion): void {
    this.cache.delete(key);
    this.cache.set(key, completion);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** The model's own tokenizer and its FIM template, once per connected backend. */
  private sessionFor(current: NonNullable<BackendManager['current']>): Promise<Session | undefined> {
    this.session ??= (async () => {
      const config = vscode.workspace.getConfiguration(SECTION);
      const vocabulary = current.backend.kind === 'embedded' ? config.get<string>('backend.modelPath', '') : config.get<string>('tokenizer', '');
      if (!vocabulary.endsWith('.gguf')) {
        this.log.reportOnce('completion:vocabulary', 'completions need the model\'s own vocabulary: set tokenwise.tokenizer to its .gguf file (the embedded engine uses its model file)');
        return undefined;
      }
      const tokenizer = await loadTokenizer(vocabulary);
      if (current.backend instanceof LlamaServerBackend) await current.backend.loadTokenBytes();
      const asked = config.get<string>('completion.template', '');
      const chosen = templateForModel(current.result, tokenizer, isFimTemplateId(asked) ? asked : undefined);
      if (!chosen.template) {
        this.log.reportOnce('completion:template', `no FIM template for ${current.result.info.name}: ${chosen.reason} (choose one in tokenwise.completion.template)`);
        return undefined;
      }
      this.log.info(`completions: ${chosen.template.id} template (${chosen.reason})`);
      return { tokenizer, template: chosen.template };
    })().catch((e: unknown) => {
      this.log.reportOnce('completion:session', `completions cannot start: ${e instanceof Error ? e.message : String(e)}`, e);
      return undefined;
    });
    return this.session;
  }

  /** The connected backend with the model's tokenizer and template, when completions can run. */
  async ready(): Promise<(Session & { backend: ModelBackend; connected: ConnectResult }) | undefined> {
    const current = this.backends.current;
    const session = current && (await this.sessionFor(current));
    return current && session ? { ...session, backend: current.backend, connected: current.result } : undefined;
  }

  private reset(): void {
    this.session = undefined;
    this.cache.clear();
  }

  dispose(): void {
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
