/**
 * An OpenAI-compatible completions server, written against vLLM: token-id prompts, `logprobs` (−1 for the
 * whole vocabulary when the server runs with `--max-logprobs -1`), `prompt_logprobs`, `structured_outputs`.
 * Log-probabilities are raw (before any logits processor) under vLLM's default `--logprobs-mode raw_logprobs`.
 */
import { HttpClient } from './http';
import { Inflight, mapLimited } from './inflight';
import { isLoopback } from './loopback';
import { classifySpecials, specialCandidates } from './specialTokens';
import { streamedGeneration } from './streamedGeneration';
import type {
  BackendCapabilities,
  BackendModelInfo,
  ConnectResult,
  Distribution,
  GenerateRequest,
  GeneratedToken,
  ModelBackend,
  StopReason,
} from './types';
import { BackendError, type ModelSource } from './types';

export interface OpenAICompatibleOptions {
  /** The server's base URL, with or without `/v1`. */
  url: string;
  /** Sent as `Authorization: Bearer …`; never logged nor put in an error message. */
  apiKey?: string;
  /** The served model; default the first one `/v1/models` lists. */
  model?: string;
  timeoutMs?: number;
}

interface Choice {
  index: number;
  text?: string;
  token_ids?: number[] | null;
  finish_reason?: string | null;
  stop_reason?: string | number | null;
  logprobs?: { tokens?: string[]; token_logprobs?: number[]; top_logprobs?: (Record<string, number> | null)[] } | null;
  prompt_logprobs?: (Record<string, { logprob: number }> | null)[] | null;
}

interface CompletionResponse {
  choices: Choice[];
}

export class OpenAICompatibleBackend implements ModelBackend {
  readonly kind = 'openai' as const;
  /** The server's URL, as given. */
  readonly url: string;
  private readonly http: HttpClient;
  private readonly inflight = new Inflight();
  private model?: string;
  private connected?: ConnectResult;

  constructor(options: OpenAICompatibleOptions) {
    this.http = new HttpClient({
      kind: this.kind,
      // vLLM serves /tokenize at the root and the OpenAI API under /v1.
      baseUrl: options.url.replace(/\/+$/, '').replace(/\/v1$/, ''),
      timeoutMs: options.timeoutMs,
      headers: options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : undefined,
    });
    this.model = options.model;
    this.url = options.url;
  }

  async connect(signal?: AbortSignal): Promise<ConnectResult> {
    const { signal: s, release } = this.inflight.link(signal);
    try {
      const models = await this.http.getJson<{ data?: { id: string; root?: string | null; max_model_len?: number }[] }>('/v1/models', s);
      const card = this.model ? models.data?.find((m) => m.id === this.model) : models.data?.[0];
      if (!card) throw new BackendError(this.model ? `the server does not serve ${this.model}` : 'the server lists no model', this.kind);
      this.model = card.id;

      // What the server allows for logprobs decides full vs top-k: ask for the whole vocabulary once.
      const { vocabSize, maxTopK } = await this.probeLogprobs(s);
      const empty = await this.tokenizeRaw('', true, s);
      const contextSize = card.max_model_len ?? empty.max_model_len ?? 0;
      const idOf = new Map<string, number>();
      await mapLimited(specialCandidates(), 4, async (text) => {
        const r = await this.tokenizeRaw(text, false, s);
        if (r.tokens.length === 1) idOf.set(text, r.tokens[0]);
      });
      const { fim, endIds } = classifySpecials((t) => idOf.get(t));
      const info: BackendModelInfo = {
        name: card.id,
        // vLLM's `root` is what it was started with; the id is that too unless `--served-model-name` renames it.
        modelPath: (typeof card.root === 'string' && card.root) || card.id,
        contextSize,
        vocabSize,
        // The tokenizer's own added prefix, when it adds one.
        bosId: empty.tokens.length === 1 ? empty.tokens[0] : undefined,
        endIds,
        fim,
        specialIds: [...new Set(idOf.values())].sort((a, b) => a - b),
        // Exact bytes need the Hugging Face vocabulary, which the server does not expose.
        tokenBytes: undefined,
      };
      const capabilities: BackendCapabilities = {
        tokenIdPrompts: true,
        distributions: vocabSize > 0 && maxTopK >= vocabSize ? 'full' : 'top-k',
        maxTopK,
        promptTokenProbs: true,
        constraints: ['grammar', 'regex', 'token-bias'],
        infill: false,
        tokenize: true,
        contextSize,
      };
      this.connected = { info, capabilities };
      return this.connected;
    } finally {
      release();
    }
  }

  async tokenize(text: string, signal?: AbortSignal): Promise<Uint32Array> {
    const { signal: s, release } = this.inflight.link(signal);
    try {
      return Uint32Array.from((await this.tokenizeRaw(text, false, s)).tokens);
    } finally {
      release();
    }
  }

  async *generate(request: GenerateRequest): AsyncGenerator<GeneratedToken, StopReason> {
    const body: Record<string, unknown> = {
      model: this.requireModel(),
      prompt: 'ids' in request.prompt ? Array.from(request.prompt.ids) : request.prompt.text,
      max_tokens: request.maxTokens,
      temperature: request.temperature ?? 0,
      stream: true,
      return_token_ids: true,
      return_tokens_as_token_ids: true,
      skip_special_tokens: false,
    };
    if (request.stop?.length) body.stop = request.stop;
    if (request.grammar) body.structured_outputs = { grammar: request.grammar };
    if (request.regex) body.structured_outputs = { regex: request.regex };
    if (request.tokenBias?.size) body.logit_bias = biasObject(request.tokenBias);
    if (request.topK) body.logprobs = request.topK;
    // Linked once nothing can throw before the stream, whose end releases it.
    const { signal, release } = this.inflight.link(request.signal);
    return yield* streamedGeneration(
      this.http.stream('/v1/completions', body, 'sse', signal),
      (event: CompletionResponse) => {
        const choice = event.choices?.[0];
        return choice ? { tokens: tokensOf(choice), stop: choice.finish_reason ? finishReason(choice) : undefined } : { tokens: [] };
      },
      { kind: this.kind, message: 'openai /v1/completions: the stream ended without a finish reason' },
      signal,
      release,
    );
  }

  /** All contexts in one request (vLLM batches them and shares their common prefix through its cache). */
  async nextTokenDistributions(contexts: readonly Uint32Array[], options: { topK?: number; signal?: AbortSignal }): Promise<Distribution[]> {
    const { info, capabilities } = this.requireConnected();
    const full = capabilities.distributions === 'full' && (!options.topK || options.topK >= info.vocabSize);
    const k = full ? -1 : Math.min(options.topK ?? capabilities.maxTopK, capabilities.maxTopK);
    const { signal, release } = this.inflight.link(options.signal);
    try {
      const prompts = contexts.map((c) => (c.length ? Array.from(c) : info.bosId !== undefined ? [info.bosId] : []));
      if (prompts.some((p) => !p.length)) throw new BackendError('openai: an empty context needs a tokenizer that adds a start token', this.kind);
      const res = await this.http.postJson<CompletionResponse>(
        '/v1/completions',
        { model: this.requireModel(), prompt: prompts, max_tokens: 1, temperature: 0, logprobs: k, return_tokens_as_token_ids: true },
        signal,
      );
      const out = new Array<Distribution>(contexts.length);
      for (const choice of res.choices) {
        const entries = Object.entries(choice.logprobs?.top_logprobs?.[0] ?? {}).map(([key, lp]) => [tokenId(key), lp] as const);
        if (full) {
          const probs = new Float64Array(info.vocabSize);
          for (const [id, lp] of entries) if (id < probs.length) probs[id] = Math.exp(lp);
          out[choice.index] = { kind: 'full', probs };
        } else {
          // The sampled token is added to the dict even when outside the top k: keep the k most probable.
          entries.sort((a, b) => b[1] - a[1]);
          const kept = entries.slice(0, k);
          out[choice.index] = { kind: 'top', ids: Uint32Array.from(kept, (e) => e[0]), probs: Float64Array.from(kept, (e) => Math.exp(e[1])) };
        }
      }
      if (out.some((d) => !d)) throw new BackendError('openai /v1/completions returned fewer choices than prompts', this.kind);
      return out;
    } finally {
      release();
    }
  }

  /**
   * Teacher-forced probabilities of each prompt token given the tokens before it (`prompt_logprobs`); the
   * first position has none (NaN). Not streamed: vLLM rejects `prompt_logprobs` with `stream`.
   */
  async promptTokenProbs(ids: Uint32Array, signal?: AbortSignal): Promise<Float64Array> {
    const { signal: s, release } = this.inflight.link(signal);
    try {
      const res = await this.http.postJson<CompletionResponse>(
        '/v1/completions',
        { model: this.requireModel(), prompt: Array.from(ids), max_tokens: 1, temperature: 0, prompt_logprobs: 0 },
        s,
      );
      const positions = res.choices[0]?.prompt_logprobs ?? [];
      return Float64Array.from(ids, (id, i) => {
        const lp = positions[i]?.[String(id)]?.logprob;
        return lp === undefined ? NaN : Math.exp(lp);
      });
    } finally {
      release();
    }
  }

  /** vLLM started from a model directory names it as its model's `root`: only one on this machine is read. */
  modelSource(): ModelSource {
    return { kind: 'model-directory', onThisMachine: isLoopback(this.url) };
  }

  dispose(): void {
    this.inflight.abortAll();
  }

  private tokenizeRaw(text: string, addSpecial: boolean, signal: AbortSignal): Promise<{ tokens: number[]; max_model_len?: number }> {
    return this.http.postJson('/tokenize', { model: this.requireModel(), prompt: text, add_special_tokens: addSpecial }, signal);
  }

  /** `logprobs: -1` answers with the whole vocabulary, or 400 naming the server's cap. */
  private async probeLogprobs(signal: AbortSignal): Promise<{ vocabSize: number; maxTopK: number }> {
    try {
      const res = await this.http.postJson<CompletionResponse>(
        '/v1/completions',
        { model: this.requireModel(), prompt: [0], max_tokens: 1, temperature: 0, logprobs: -1, return_tokens_as_token_ids: true },
        signal,
      );
      const n = Object.keys(res.choices[0]?.logprobs?.top_logprobs?.[0] ?? {}).length;
      return { vocabSize: n, maxTopK: n };
    } catch (error) {
      const cap = error instanceof BackendError ? /max allowed: (\d+)/.exec(error.message) : null;
      if (!cap) throw error;
      // Capped: the vocabulary size is not reported, and top-k is all we can ask for.
      return { vocabSize: 0, maxTopK: Number(cap[1]) };
    }
  }

  private requireModel(): string {
    if (!this.model) throw new BackendError('openai: call connect() first', this.kind);
    return this.model;
  }

  private requireConnected(): ConnectResult {
    if (!this.connected) throw new BackendError('openai: call connect() first', this.kind);
    return this.connected;
  }
}

/** `token_id:123` (with `return_tokens_as_token_ids`) or a plain number. */
function tokenId(key: string): number {
  return Number(key.startsWith('token_id:') ? key.slice(9) : key);
}

function* tokensOf(choice: Choice): Generator<GeneratedToken> {
  const ids = choice.token_ids ?? choice.logprobs?.tokens?.map(tokenId) ?? [];
  const tops = choice.logprobs?.top_logprobs ?? [];
  if (!ids.length) {
    if (choice.text) yield { text: choice.text };
    return;
  }
  for (let i = 0; i < ids.length; i++) {
    const token: GeneratedToken = { id: ids[i], text: i === ids.length - 1 ? (choice.text ?? '') : '' };
    const t = tops[i];
    if (t) {
      const entries = Object.entries(t).map(([k, lp]) => [tokenId(k), lp] as const).sort((a, b) => b[1] - a[1]);
      token.top = { kind: 'top', ids: Uint32Array.from(entries, (e) => e[0]), probs: Float64Array.from(entries, (e) => Math.exp(e[1])) };
    }
    yield token;
  }
}

/** vLLM: `stop` with a null `stop_reason` is end of sequence; a string is the matched stop text. */
function finishReason(choice: Choice): StopReason {
  if (choice.finish_reason === 'length') return 'length';
  if (choice.finish_reason === 'abort') return 'aborted';
  return typeof choice.stop_reason === 'string' ? 'stop' : 'eos';
}

/** OpenAI's bias range is ±100; −100 is its ban (JSON has no −Infinity). */
function biasObject(bias: ReadonlyMap<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, b] of bias) out[String(id)] = Math.max(-100, Math.min(100, b));
  return out;
}
