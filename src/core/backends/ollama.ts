/**
 * Ollama, through `/api/generate` (NDJSON) and `/api/show`. It takes text prompts only, has no tokenize
 * endpoint, and its `top_logprobs` (at most 20) describe generated tokens only. The values are raw: Ollama
 * maps them to llama-server's pre-sampling `n_probs`.
 *
 * `nextTokenDistributions` generates one token from the context's exact bytes decoded to text, with
 * `raw: true`. Ollama re-tokenizes that text, so the distribution follows the context only when the ids are
 * the tokenizer's own tokenization of those bytes; a healed or hand-built id sequence is not reproduced.
 * That is why `tokenIdPrompts` is false: exact strategies must not rely on this backend.
 */
import { bytesKey, concatBytes } from '../text/bytes';
import { decodeUtf8 } from '../text/utf8';
import { GgufValueType, type GgufEntry, type GgufFile } from '../gguf/reader';
import { ggufVocab, isTextless, tokenBytesOf, type GgufVocab } from '../gguf/vocab';
import { HttpClient } from './http';
import { Inflight, mapLimited } from './inflight';
import { classifySpecials } from './specialTokens';
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

export interface OllamaOptions {
  url: string;
  model: string;
  timeoutMs?: number;
  /** Context size to ask for; Ollama's default is small and it truncates silently, so it is always sent. */
  numCtx?: number;
}

/** Ollama generation with a suffix, through the model's template (ignored with raw prompts). */
export interface OllamaGenerateRequest extends GenerateRequest {
  suffix?: string;
}

export const OLLAMA_MAX_TOP_LOGPROBS = 20;
const DEFAULT_NUM_CTX = 4096;

interface LogprobEntry {
  token: string;
  logprob: number;
  bytes?: number[];
}

interface GenerateChunk {
  response?: string;
  done?: boolean;
  done_reason?: string;
  error?: string;
  logprobs?: (LogprobEntry & { top_logprobs?: LogprobEntry[] })[];
}

interface ShowResponse {
  model_info?: Record<string, unknown>;
  capabilities?: string[];
  parameters?: string;
}

export class OllamaBackend implements ModelBackend {
  readonly kind = 'ollama' as const;
  private readonly http: HttpClient;
  private readonly inflight = new Inflight();
  private readonly model: string;
  private readonly numCtx?: number;
  private connected?: ConnectResult;
  private bytes: (Uint8Array | undefined)[] = [];
  /** Exact bytes (as `bytesKey`) → id, to give ids to the tokens Ollama streams as text and bytes. */
  private idOfBytes = new Map<string, number>();
  private contextSize = DEFAULT_NUM_CTX;
  /** The vocabulary read from `/api/show` at `connect()`, or why it could not be: not the whole JSON, which is large. */
  private vocab: { vocab: GgufVocab } | { error: unknown } = { error: new BackendError('ollama: call connect() first', 'ollama') };

  constructor(options: OllamaOptions) {
    this.http = new HttpClient({ kind: this.kind, baseUrl: options.url, timeoutMs: options.timeoutMs });
    this.model = options.model;
    this.numCtx = options.numCtx;
  }

  async connect(signal?: AbortSignal): Promise<ConnectResult> {
    const { signal: s, release } = this.inflight.link(signal);
    try {
      const show = await this.http.postJson<ShowResponse>('/api/show', { model: this.model, verbose: true }, s);
      const mi = show.model_info ?? {};
      const tokens = mi['tokenizer.ggml.tokens'];
      if (!Array.isArray(tokens)) throw new BackendError(`ollama /api/show gave no vocabulary for ${this.model}`, this.kind);
      try {
        this.vocab = { vocab: ggufVocab(ggufFileOf(mi)) };
      } catch (error) {
        this.vocab = { error };
      }
      const arch = String(mi['general.architecture'] ?? '');
      const trained = num(mi[`${arch}.context_length`]);
      const configured = /(?:^|\n)num_ctx\s+(\d+)/.exec(show.parameters ?? '')?.[1];
      this.contextSize = this.numCtx ?? (configured ? Number(configured) : Math.min(trained ?? DEFAULT_NUM_CTX, DEFAULT_NUM_CTX));

      const types = (mi['tokenizer.ggml.token_type'] as number[] | undefined) ?? [];
      const vocab = { bytes: tokenBytesOf(String(mi['tokenizer.ggml.model'] ?? ''), tokens as string[], types), specialIds: (tokens as string[]).flatMap((_, id) => (isTextless(types[id]) ? [id] : [])) };
      this.bytes = vocab.bytes;
      const special = new Set(vocab.specialIds);
      this.idOfBytes = new Map();
      vocab.bytes.forEach((b, id) => {
        const key = b && b.length ? bytesKey(b) : undefined;
        if (key !== undefined && !special.has(id) && !this.idOfBytes.has(key)) this.idOfBytes.set(key, id);
      });
      const textIndex = new Map<string, number>();
      (tokens as string[]).forEach((t, id) => textIndex.set(t, id));
      const eosId = num(mi['tokenizer.ggml.eos_token_id']);
      const { fim: guessed, endIds } = classifySpecials((t) => textIndex.get(t), eosId);
      // Explicit GGUF keys win over names.
      const fim = {
        ...guessed,
        ...defined({
          prefix: num(mi['tokenizer.ggml.fim_pre_token_id']),
          suffix: num(mi['tokenizer.ggml.fim_suf_token_id']),
          middle: num(mi['tokenizer.ggml.fim_mid_token_id']),
          pad: num(mi['tokenizer.ggml.fim_pad_token_id']),
          repoName: num(mi['tokenizer.ggml.fim_rep_token_id']),
          fileSeparator: num(mi['tokenizer.ggml.fim_sep_token_id']),
        }),
      };
      const eot = num(mi['tokenizer.ggml.eot_token_id']);
      if (eot !== undefined && eot !== eosId && !endIds.includes(eot)) endIds.push(eot);

      const info: BackendModelInfo = {
        name: this.model,
        contextSize: this.contextSize,
        vocabSize: tokens.length,
        bosId: num(mi['tokenizer.ggml.bos_token_id']),
        eosId,
        endIds,
        fim,
        specialIds: vocab.specialIds,
        tokenBytes: (id) => this.bytes[id],
      };
      const capabilities: BackendCapabilities = {
        tokenIdPrompts: false,
        distributions: 'top-k',
        maxTopK: OLLAMA_MAX_TOP_LOGPROBS,
        promptTokenProbs: false,
        constraints: [],
        // `suffix` works through the template of models with the `insert` capability.
        infill: show.capabilities?.includes('insert') ?? false,
        tokenize: false,
        contextSize: this.contextSize,
      };
      this.connected = { info, capabilities };
      return this.connected;
    } finally {
      release();
    }
  }

  /**
   * The model's vocabulary from the GGUF metadata `/api/show` gave at `connect()` (tokens, types, merges,
   * pre-tokenizer…), read as the model file's would be. Throws a `GgufError` where the metadata falls short.
   */
  vocabulary(): GgufVocab {
    if ('error' in this.vocab) throw this.vocab.error;
    return this.vocab.vocab;
  }

  async tokenize(): Promise<Uint32Array> {
    throw new BackendError('Ollama has no tokenize endpoint', this.kind);
  }

  async *generate(request: OllamaGenerateRequest): AsyncGenerator<GeneratedToken, StopReason> {
    if ('ids' in request.prompt) throw new BackendError('Ollama takes text prompts only', this.kind);
    if (request.grammar || request.regex || request.tokenBias?.size) throw new BackendError('Ollama has no grammar, regex or token bias', this.kind);
    const topK = Math.min(request.topK ?? 0, OLLAMA_MAX_TOP_LOGPROBS);
    const options: Record<string, unknown> = { num_predict: request.maxTokens, temperature: request.temperature ?? 0, num_ctx: this.contextSize };
    if (request.stop?.length) options.stop = request.stop;
    const body: Record<string, unknown> = {
      model: this.model,
      prompt: request.prompt.text,
      // With a suffix the template must apply (raw mode ignores `suffix`).
      raw: request.suffix === undefined,
      stream: true,
      options,
      // Always asked: the `bytes` of each generated token give it its id.
      logprobs: true,
      top_logprobs: topK,
    };
    if (request.suffix !== undefined) body.suffix = request.suffix;
    const { signal, release } = this.inflight.link(request.signal);
    return yield* streamedGeneration(
      this.http.stream('/api/generate', body, 'ndjson', signal),
      (chunk: GenerateChunk) => {
        if (chunk.error) throw new BackendError(`ollama /api/generate: ${chunk.error}`, this.kind);
        // Ollama says "stop" for end of sequence and for a stop string alike.
        const stop = !chunk.done ? undefined : chunk.done_reason === 'length' ? 'length' : request.stop?.length ? 'stop' : 'eos';
        return { tokens: this.tokensOf(chunk, topK), stop };
      },
      { kind: this.kind, message: 'ollama /api/generate: the stream ended before "done"' },
      signal,
      release,
    );
  }

  /** One one-token generation per context, from the context's bytes as text (see the file comment). */
  async nextTokenDistributions(contexts: readonly Uint32Array[], options: { topK?: number; signal?: AbortSignal }): Promise<Distribution[]> {
    const { info } = this.requireConnected();
    const topK = Math.min(options.topK ?? OLLAMA_MAX_TOP_LOGPROBS, OLLAMA_MAX_TOP_LOGPROBS);
    return mapLimited(contexts, 1, async (context) => {
      // The engine adds BOS to raw prompts itself.
      const ids = context[0] === info.bosId ? context.subarray(1) : context;
      const text = decodeUtf8(concatBytes(Array.from(ids, (id) => this.bytes[id] ?? new Uint8Array(0))));
      for await (const token of this.generate({ prompt: { text }, maxTokens: 1, topK, signal: options.signal })) {
        if (token.top) return token.top;
      }
      if (options.signal?.aborted) throw new BackendError('aborted', this.kind);
      throw new BackendError('ollama returned no logprobs (a version before logprobs support?)', this.kind);
    });
  }

  modelSource(): ModelSource {
    return { kind: 'metadata', vocabulary: () => this.vocabulary() };
  }

  dispose(): void {
    this.inflight.abortAll();
  }

  private *tokensOf(chunk: GenerateChunk, topK: number): Generator<GeneratedToken> {
    const steps = chunk.logprobs ?? [];
    if (!steps.length) {
      if (chunk.response) yield { text: chunk.response };
      return;
    }
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const bytes = step.bytes ? Uint8Array.from(step.bytes) : undefined;
      const token: GeneratedToken = {
        id: bytes ? this.idOfBytes.get(bytesKey(bytes)) : undefined,
        bytes,
        text: i === steps.length - 1 ? (chunk.response ?? '') : '',
      };
      if (topK && step.top_logprobs) {
        const known = step.top_logprobs
          .map((e) => [e.bytes ? this.idOfBytes.get(bytesKey(Uint8Array.from(e.bytes))) : undefined, e.logprob] as const)
          .filter((e): e is readonly [number, number] => e[0] !== undefined);
        token.top = { kind: 'top', ids: Uint32Array.from(known, (e) => e[0]), probs: Float64Array.from(known, (e) => Math.exp(e[1])) };
      }
      yield token;
    }
  }

  private requireConnected(): ConnectResult {
    if (!this.connected) throw new BackendError('ollama: call connect() first', this.kind);
    return this.connected;
  }
}

/** Ollama's JSON rendering of GGUF metadata back as GGUF entries (numbers lose their exact type, which no reader needs). */
function ggufFileOf(modelInfo: Record<string, unknown>): GgufFile {
  const metadata = new Map<string, GgufEntry>();
  for (const [key, v] of Object.entries(modelInfo)) {
    const entry = ggufEntryOf(v);
    if (entry) metadata.set(key, entry);
  }
  return { version: 3, metadata, tensors: [], alignment: 32, dataOffset: 0 };
}

function ggufEntryOf(v: unknown): GgufEntry | undefined {
  if (typeof v === 'string') return { type: GgufValueType.STRING, value: v };
  if (typeof v === 'boolean') return { type: GgufValueType.BOOL, value: v };
  if (typeof v === 'number') return { type: Number.isInteger(v) ? GgufValueType.I64 : GgufValueType.F64, value: v };
  if (!Array.isArray(v) || v.length === 0) return undefined;
  if (v.every((x) => typeof x === 'string')) return { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: v as string[] };
  if (v.every((x) => typeof x === 'number')) return { type: GgufValueType.ARRAY, itemType: GgufValueType.F64, value: Float64Array.from(v as number[]) };
  return undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

