/**
 * Builds a backend from settings, and guards where it may connect: a model server off this machine sees
 * the user's code, so a non-loopback URL needs an explicit opt-in, checked before any request.
 */
import { LlamaServerBackend } from './llamaServer';
import { OllamaBackend } from './ollama';
import { OpenAICompatibleBackend } from './openai';
import type { BackendCapabilities, BackendKind, ModelBackend } from './types';
import { BackendError } from './types';
import { isLoopback } from './loopback';

export { isLoopback };

export interface BackendSettings {
  kind: BackendKind;
  /** Server URL (HTTP kinds). */
  url?: string;
  /** Bearer token for llama-server `--api-key` or an OpenAI-compatible server. */
  apiKey?: string;
  /** Model name (Ollama: required; OpenAI-compatible: default the first served). */
  model?: string;
  /** Model file (embedded kind). */
  modelPath?: string;
  timeoutMs?: number;
  /** Context size to ask Ollama for. */
  numCtx?: number;
  /** Allow a URL that is not this machine. */
  allowRemote?: boolean;
}

/**
 * The embedded engine runs in a child process, which only the Node side can start: it is passed in, so
 * this module stays loadable in browsers.
 */
export type EmbeddedFactory = (settings: BackendSettings) => ModelBackend;

export function createBackend(settings: BackendSettings, embedded?: EmbeddedFactory): ModelBackend {
  if (settings.kind === 'embedded') {
    if (!embedded) throw new BackendError('the embedded engine is not available here', 'embedded');
    return embedded(settings);
  }
  const url = settings.url ?? '';
  checkBackendUrl(url, settings.allowRemote ?? false, settings.kind);
  switch (settings.kind) {
    case 'llama-server':
      return new LlamaServerBackend({ url, apiKey: settings.apiKey, timeoutMs: settings.timeoutMs });
    case 'openai':
      return new OpenAICompatibleBackend({ url, apiKey: settings.apiKey, model: settings.model, timeoutMs: settings.timeoutMs });
    case 'ollama':
      if (!settings.model) throw new BackendError('Ollama needs a model name', 'ollama');
      return new OllamaBackend({ url, model: settings.model, timeoutMs: settings.timeoutMs, numCtx: settings.numCtx });
  }
}

/** Throws, before any request, for a malformed URL or a remote one without `allowRemote`. */
export function checkBackendUrl(url: string, allowRemote: boolean, kind: BackendKind = 'llama-server'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BackendError(`not a URL: ${JSON.stringify(url)}`, kind);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new BackendError(`${parsed.protocol} URLs are not supported; use http: or https:`, kind);
  if (parsed.username || parsed.password) throw new BackendError('put credentials in the API key setting, not in the URL', kind);
  if (!allowRemote && !isLoopback(url)) {
    throw new BackendError(`${parsed.host} is not this machine: allow remote model servers in the settings to send code there`, kind);
  }
}

/** One line for the log and the status tooltip. */
export function describeCapabilities(c: BackendCapabilities): string {
  const dist = c.distributions === 'full' ? 'full distributions' : c.distributions === 'top-k' ? `top-${c.maxTopK} distributions` : 'no distributions';
  const parts = [
    c.tokenIdPrompts ? 'token-id prompts' : 'text prompts only',
    dist,
    c.promptTokenProbs ? 'prompt-token probabilities' : undefined,
    c.constraints.length ? `constraints: ${c.constraints.join(', ')}` : 'no constraints',
    c.infill ? 'server infill' : undefined,
    c.tokenize ? 'tokenize' : 'no tokenize',
    `context ${c.contextSize.toLocaleString('en-US')}`,
  ];
  return parts.filter(Boolean).join(' · ');
}
