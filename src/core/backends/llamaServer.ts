/**
 * llama.cpp's `llama-server`, through its native endpoints: `/completion` takes token-id prompts and
 * returns raw (pre-sampling) probabilities over the whole vocabulary with exact `bytes`, which the
 * OpenAI-style `/v1/completions` of the same server does not (it ignores `echo` and `prompt_logprobs`).
 */
import { bytesKey, concatBytes } from '../text/bytes';
import { endsInsideChar, greedyPick, isContentFault } from './contentFault';
import { HttpClient, pieceBytes, sleep } from './http';
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
  ModelSource,
  StopReason,
} from './types';
import { BackendError } from './types';

export interface LlamaServerOptions {
  /** e.g. `http://127.0.0.1:8080` */
  url: string;
  /** Sent as a Bearer token when the server runs with `--api-key`. */
  apiKey?: string;
  timeoutMs?: number;
  /** The slot generation uses, so its prompt cache is reused turn after turn (default 0). */
  slot?: number;
}

interface Props {
  total_slots?: number;
  model_alias?: string;
  model_path?: string;
  bos_token?: string;
  eos_token?: string;
  build_info?: string;
  default_generation_settings?: { n_ctx?: number };
}

interface ProbEntry {
  id: number;
  token?: string;
  bytes?: number[];
  logprob: number;
}

interface StepProbs extends ProbEntry {
  top_logprobs?: ProbEntry[];
  top_probs?: (Omit<ProbEntry, 'logprob'> & { prob: number })[];
}

interface CompletionEvent {
  content?: string;
  tokens?: number[];
  stop?: boolean;
  stop_type?: string;
  /** Tokens generated so far, those the stream did not name included. */
  tokens_predicted?: number;
  completion_probabilities?: StepProbs[];
}

const LOAD_POLL_MS = 250;
/** Makes `wholeCharId` the sampled token whatever the logits. */
const WHOLE_CHAR_BIAS = 1e6;
/**
 * The logit added to wanted ids so that they rank in the lifted list whatever their probability, and small
 * enough that the others keep probabilities float32 holds.
 */
const WANT_BIAS = 24;
/** In the bytes → id map: more than one id has these bytes. */
const AMBIGUOUS = -1;

export class LlamaServerBackend implements ModelBackend {
  readonly kind = 'llama-server' as const;
  /** The server's URL, as given. */
  readonly url: string;
  private readonly http: HttpClient;
  private readonly inflight = new Inflight();
  private readonly slot: number;
  /** Exact bytes of ids seen so far (from `/tokenize` pieces and probability `bytes`). */
  private readonly bytes = new Map<number, Uint8Array>();
  /** The reverse of `bytes`, rebuilt when it grows. */
  private idOfBytes = new Map<string, number>();
  private idOfBytesSize = 0;
  private specials = new Set<number>();
  private connected?: ConnectResult;
  private slots = 1;
  /**
   * A token that is a whole character. The server answers a non-streamed request whose output ends inside
   * a character with HTTP 500 ("does not match the expected Content-only format"), so a distribution
   * request makes this its sampled token: a bias changes none of the raw probabilities it reads.
   */
  private wholeCharId?: number;

  constructor(options: LlamaServerOptions) {
    this.http = new HttpClient({
      kind: this.kind,
      baseUrl: options.url,
      timeoutMs: options.timeoutMs,
      headers: options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : undefined,
    });
    this.slot = options.slot ?? 0;
    this.url = options.url;
  }

  async connect(signal?: AbortSignal): Promise<ConnectResult> {
    const { signal: s, release } = this.inflight.link(signal);
    try {
      await this.waitHealthy(s);
      const props = await this.http.getJson<Props>('/props', s);
      const models = await this.http.getJson<{ data?: { meta?: { n_vocab?: number } }[] }>('/v1/models', s);
      const vocabSize = models.data?.[0]?.meta?.n_vocab;
      const contextSize = props.default_generation_settings?.n_ctx;
      if (!vocabSize || !contextSize) throw new BackendError('llama-server did not report its vocabulary size and context size (/v1/models, /props)', this.kind);
      this.slots = Math.max(1, props.total_slots ?? 1);

      // The server names its special tokens only as text: find their ids by tokenizing each candidate with
      // special-token parsing on; a single id that plain parsing would split is a special token.
      const idOf = new Map<string, number>();
      await mapLimited(specialCandidates([props.bos_token, props.eos_token]), 4, async (text) => {
        const id = await this.specialId(text, s);
        if (id !== undefined) idOf.set(text, id);
      });
      const bosId = props.bos_token ? idOf.get(props.bos_token) : undefined;
      const eosId = props.eos_token ? idOf.get(props.eos_token) : undefined;
      const { fim, endIds } = classifySpecials((t) => idOf.get(t), eosId);
      this.specials = new Set(idOf.values());
      const infill = await this.probeInfill(s);
      const plain = await this.tokenize('a', s);
      this.wholeCharId = plain.length === 1 ? plain[0] : undefined;

      const info: BackendModelInfo = {
        name: props.model_alias || baseName(props.model_path) || 'llama-server',
        modelPath: props.model_path || undefined,
        contextSize,
        vocabSize,
        bosId,
        eosId,
        endIds,
        fim,
        specialIds: [...this.specials].sort((a, b) => a - b),
        tokenBytes: (id) => (this.specials.has(id) ? new Uint8Array(0) : this.bytes.get(id)),
      };
      const capabilities: BackendCapabilities = {
        tokenIdPrompts: true,
        distributions: 'full',
        maxTopK: vocabSize,
        promptTokenProbs: false,
        constraints: ['grammar', 'token-bias'],
        infill,
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
      const res = await this.http.postJson<{ tokens: { id: number; piece: unknown }[] }>(
        '/tokenize',
        { content: text, add_special: false, parse_special: false, with_pieces: true },
        s,
      );
      const ids = new Uint32Array(res.tokens.length);
      res.tokens.forEach((t, i) => {
        ids[i] = t.id;
        // A piece is a string when it is valid UTF-8 and a byte array otherwise: both are exact.
        const bytes = pieceBytes(t.piece);
        if (bytes && !this.bytes.has(t.id)) this.bytes.set(t.id, bytes);
      });
      return ids;
    } finally {
      release();
    }
  }

  /**
   * A streamed generation that survives llama-server's content faults (see contentFault.ts): what was
   * generated is kept, and the rest is generated from there on. At temperature 0 the tokens the server lost
   * are taken greedily from raw distributions, up to the end of a character, and the stream resumes after
   * them, so the output is the server's own greedy one; at higher temperatures the stream resumes once.
   * A constrained or text prompt cannot resume: it ends with what came.
   */
  async *generate(request: GenerateRequest): AsyncGenerator<GeneratedToken, StopReason> {
    const start = 'ids' in request.prompt ? Array.from(request.prompt.ids) : undefined;
    const greedy = (request.temperature ?? 0) === 0;
    const produced: number[] = [];
    let resumable = start !== undefined && !request.grammar && !request.regex;
    let resumed = false;
    for (;;) {
      const prompt = start ? { ids: Uint32Array.from([...start, ...produced]) } : request.prompt;
      const segment = this.streamed({ ...request, prompt, maxTokens: request.maxTokens - produced.length });
      try {
        for (let r = await segment.next(); ; r = await segment.next()) {
          if (r.done) return r.value;
          if (r.value.id === undefined) resumable = false;
          else produced.push(r.value.id);
          yield r.value;
        }
      } catch (error) {
        if (!isContentFault(error) || request.signal?.aborted) throw error;
        if (!resumable || (!greedy && resumed)) return 'length';
        resumed = true;
      } finally {
        await segment.return('aborted');
      }
      if (!greedy) continue;
      // Step past the point the server cannot put in a message: to the end of a character.
      const info = this.requireConnected().info;
      let stepped: Uint8Array = new Uint8Array(0);
      do {
        if (produced.length >= request.maxTokens) return 'length';
        const token = await this.greedyStep([...start!, ...produced], request, info.vocabSize);
        if (token.id === undefined) return 'length';
        produced.push(token.id);
        yield token;
        if (token.id === info.eosId || info.endIds.includes(token.id)) return 'eos';
        stepped = concatBytes([stepped, token.bytes ?? new Uint8Array(0)]);
      } while (endsInsideChar(stepped));
    }
  }

  private async *streamed(request: GenerateRequest): AsyncGenerator<GeneratedToken, StopReason> {
    const body: Record<string, unknown> = {
      prompt: 'ids' in request.prompt ? Array.from(request.prompt.ids) : request.prompt.text,
      n_predict: request.maxTokens,
      temperature: request.temperature ?? 0,
      stream: true,
      cache_prompt: true,
      id_slot: this.slot,
      return_tokens: true,
    };
    if (request.stop?.length) body.stop = request.stop;
    if (request.grammar) body.grammar = request.grammar;
    if (request.regex) throw new BackendError('llama-server takes a grammar, not a regex', this.kind);
    if (request.tokenBias?.size) body.logit_bias = [...request.tokenBias].map(([id, b]) => [id, b === -Infinity ? false : b]);
    if (request.topK) {
      body.n_probs = request.topK;
      body.post_sampling_probs = false;
    }
    const seen = { tokens: 0, tokenBytes: 0, contentBytes: 0 };
    // Linked once nothing can throw before the stream, whose end releases it.
    const { signal, release } = this.inflight.link(request.signal);
    return yield* streamedGeneration(
      this.http.stream('/completion', body, 'sse', signal),
      (event: CompletionEvent) => ({ tokens: this.tokensOf(event, seen), stop: event.stop ? stopReason(event.stop_type) : undefined }),
      { kind: this.kind, message: 'llama-server /completion: the stream ended before the server said it had stopped' },
      signal,
      release,
    );
  }

  /**
   * One `n_predict: 1` request per context, at most one per slot at a time, each pinned to its slot so
   * that contexts sharing a prefix reuse that slot's cache. `n_probs` reads the raw softmax over all logits
   * before any sampler, bias or grammar (llama.cpp `populate_token_probs`); `post_sampling_probs` stays off,
   * so the bias towards `wholeCharId` leaves the probabilities as they are. With `want`, the wanted ids are
   * listed too (`wantedProbs`), so that a certified answer need not widen the list to find them.
   */
  async nextTokenDistributions(contexts: readonly Uint32Array[], options: { topK?: number; want?: readonly Uint32Array[]; signal?: AbortSignal }): Promise<Distribution[]> {
    const info = this.requireConnected().info;
    const { signal, release } = this.inflight.link(options.signal);
    const full = !options.topK || options.topK >= info.vocabSize;
    try {
      const items = contexts.map((context, i) => ({ context, want: options.want?.[i] }));
      return await mapLimited(items, this.slots, async ({ context, want }, worker) => {
        const slot = worker % this.slots;
        const entries = await this.rawTop(context, full ? info.vocabSize : options.topK!, slot, signal);
        if (full) {
          const probs = new Float64Array(info.vocabSize);
          for (const e of entries) probs[e.id] = Math.exp(e.logprob);
          return { kind: 'full', probs } satisfies Distribution;
        }
        return want?.length ? await this.withWanted(context, entries, want, slot, signal) : top(entries);
      });
    } finally {
      release();
    }
  }

  /**
   * The raw top list and the wanted ids' raw probabilities. The server lists probabilities after its
   * samplers, so a second request lifts the wanted ids by WANT_BIAS into its list (temperature 1, no other
   * sampler: softmax of logit + bias); the raw one of each is its listed one times e^-WANT_BIAS, rescaled
   * by an id listed in both without a bias. Where that cannot be done, the raw list alone.
   */
  private async withWanted(context: Uint32Array, raw: ProbEntry[], want: Uint32Array, slot: number, signal: AbortSignal): Promise<Distribution> {
    const wanted = new Set(want);
    let post: ProbEntry[];
    try {
      const res = await this.http.postJson<CompletionEvent>(
        '/completion',
        {
          prompt: Array.from(context),
          n_predict: 1,
          n_probs: raw.length + wanted.size,
          post_sampling_probs: true,
          samplers: ['temperature'],
          temperature: 1,
          top_k: 0,
          top_p: 1,
          min_p: 0,
          cache_prompt: true,
          id_slot: slot,
          stream: false,
          logit_bias: [...wanted].map((id) => [id, WANT_BIAS]),
        },
        signal,
      );
      // Listed as `top_probs` of `prob`, where raw ones are `top_logprobs` of `logprob`.
      post = (res.completion_probabilities?.[0]?.top_probs ?? []).map((e) => ({ ...e, logprob: Math.log(e.prob) }));
    } catch (error) {
      // A sampled token that is not UTF-8 fails the request (contentFault.ts): the raw list still holds.
      if (isContentFault(error)) return top(raw);
      throw error;
    }
    const rawOf = new Map(raw.map((e) => [e.id, e.logprob]));
    const anchor = post.find((e) => !wanted.has(e.id) && rawOf.has(e.id));
    if (!anchor) return top(raw);
    // log p_raw = log p_post - bias + (log p_raw(anchor) - log p_post(anchor)).
    const shift = rawOf.get(anchor.id)! - anchor.logprob;
    const merged = [...raw];
    for (const e of post) if (wanted.has(e.id) && !rawOf.has(e.id)) merged.push({ id: e.id, logprob: e.logprob - WANT_BIAS + shift });
    const last = post[post.length - 1];
    // An id listed in neither is at most the raw list's last, or, a wanted one, below the lifted list's last.
    const floor = Math.max(raw[raw.length - 1].logprob, last.logprob - WANT_BIAS + shift);
    const d = top(merged);
    return d.kind === 'top' ? { ...d, otherMax: Math.exp(floor) } : d;
  }

  /** The greedy next token under the request's bias, from top-k lists that widen until the pick is certain. */
  private async greedyStep(context: number[], request: GenerateRequest, vocabSize: number): Promise<GeneratedToken> {
    const { signal, release } = this.inflight.link(request.signal);
    try {
      for (const k of [64, 4096, vocabSize]) {
        const complete = k >= vocabSize;
        const entries = await this.rawTop(context, complete ? vocabSize : k, this.slot, signal);
        const id = greedyPick(entries, request.tokenBias, complete);
        if (id === undefined && !complete) continue;
        const token: GeneratedToken = { id, bytes: id === undefined ? undefined : this.specials.has(id) ? new Uint8Array(0) : this.bytes.get(id), text: '' };
        if (request.topK) token.top = top(entries.slice(0, request.topK));
        return token;
      }
      throw new BackendError('llama-server: no token to step to', this.kind);
    } finally {
      release();
    }
  }

  /**
   * The top `k` of the raw softmax after `context`, most probable first. The sampled token is biased to
   * `wholeCharId`, so that the output the server parses is a whole character whatever the logits.
   */
  private async rawTop(context: readonly number[] | Uint32Array, k: number, slot: number, signal: AbortSignal): Promise<ProbEntry[]> {
    const info = this.requireConnected().info;
    // An empty context is the start of text (BOS, or EOS for vocabularies without one, as the embedded
    // engine has it): token-id prompts never get BOS from the server, and an empty prompt scores nothing.
    const start = info.bosId ?? info.eosId;
    const prompt = context.length ? Array.from(context) : start !== undefined ? [start] : '';
    const res = await this.http.postJson<CompletionEvent>(
      '/completion',
      {
        prompt,
        n_predict: 1,
        n_probs: k,
        post_sampling_probs: false,
        temperature: 0,
        cache_prompt: true,
        id_slot: slot,
        stream: false,
        ...(this.wholeCharId !== undefined ? { logit_bias: [[this.wholeCharId, WHOLE_CHAR_BIAS]] } : {}),
      },
      signal,
    );
    const entries = res.completion_probabilities?.[0]?.top_logprobs;
    if (!entries) throw new BackendError('llama-server /completion returned no probabilities', this.kind);
    for (const e of entries) this.remember(e);
    return entries;
  }

  /** The GGUF file the server names, which only a server on this machine has here. */
  modelSource(): ModelSource {
    return { kind: 'gguf-file', onThisMachine: isLoopback(this.url) };
  }

  /** Fills the byte table for the whole vocabulary with one full-distribution request. */
  async loadTokenBytes(signal?: AbortSignal): Promise<void> {
    await this.nextTokenDistributions([new Uint32Array(0)], { signal });
  }

  dispose(): void {
    this.inflight.abortAll();
  }

  /**
   * The server sends no event for a token that leaves a character incomplete: the next event's content
   * holds that token's bytes but names only the token that completed the character. Those tokens come back
   * from the bytes (with ids only where one split into known tokens spells them), so that the tokens still
   * add up to the text and to the server's count.
   */
  private *tokensOf(event: CompletionEvent, seen: { tokens: number; tokenBytes: number; contentBytes: number }): Generator<GeneratedToken> {
    const ids = event.tokens ?? [];
    const steps = event.completion_probabilities ?? [];
    const content = new TextEncoder().encode(event.content ?? '');
    seen.contentBytes += content.length;
    if (!ids.length) {
      if (event.content) yield { text: event.content };
      return;
    }
    for (const step of steps) this.remember(step);
    const dropped = Math.max(0, (event.tokens_predicted ?? 0) - seen.tokens - ids.length);
    seen.tokens += ids.length + dropped;
    // A special token adds nothing to the content (llama-server renders it as nothing by default).
    const named = ids.map((id) => (this.specials.has(id) ? new Uint8Array(0) : this.bytes.get(id)));
    const own = named.reduce((n, b) => n + (b?.length ?? 0), 0);
    // The bytes of the tokens not named: undefined where an unknown id leaves them unknown (they stay in the text).
    let missing: Uint8Array | undefined;
    if (named.every((b) => b !== undefined) && !ids.some((id) => this.specials.has(id))) {
      seen.tokenBytes += own;
      if (dropped > 0) {
        // What the content has beyond the named tokens' bytes, within this event's content before them.
        const gap = Math.min(Math.max(0, seen.contentBytes - seen.tokenBytes), Math.max(0, content.length - own));
        missing = content.subarray(content.length - own - gap, content.length - own);
        seen.tokenBytes = Math.max(seen.tokenBytes, seen.contentBytes);
      }
    } else {
      // A special token's text may be in the content and an unknown id's bytes are not known: count afresh
      // from here, and give the tokens not named what comes before the named ones where that is known.
      if (dropped > 0 && named.every((b) => b !== undefined)) missing = content.subarray(0, Math.max(0, content.length - own));
      seen.tokenBytes = seen.contentBytes;
    }
    if (dropped > 0) yield* this.droppedTokens(missing, dropped);
    for (let i = 0; i < ids.length; i++) {
      const step = steps[i];
      if (step) this.remember(step);
      const token: GeneratedToken = {
        id: ids[i],
        bytes: named[i],
        // The server holds back text that might start a stop string, so the text of an event belongs to
        // its tokens together: it goes on the last one.
        text: i === ids.length - 1 ? (event.content ?? '') : '',
      };
      if (step?.top_logprobs) token.top = top(step.top_logprobs);
      yield token;
    }
  }

  /**
   * `count` tokens that spell `bytes`: known tokens where exactly one split into them exists, else all the
   * bytes on the first, without ids. Without `bytes`, `count` tokens with neither ids nor bytes.
   */
  private *droppedTokens(bytes: Uint8Array | undefined, count: number): Generator<GeneratedToken> {
    if (!bytes) {
      for (let k = 0; k < count; k++) yield { text: '' };
      return;
    }
    if (this.idOfBytesSize !== this.bytes.size) {
      this.idOfBytesSize = this.bytes.size;
      this.idOfBytes = new Map();
      for (const [id, b] of this.bytes) {
        if (this.specials.has(id)) continue;
        const key = bytesKey(b);
        // Several ids with the same bytes: the bytes cannot tell which.
        this.idOfBytes.set(key, this.idOfBytes.has(key) ? AMBIGUOUS : id);
      }
    }
    const idOf = this.idOfBytes;
    let ways = 0;
    let found: number[] = [];
    // Every split into `n` known tokens from `from`, until a second one shows the split is not unique.
    const walk = (from: number, n: number, path: number[]): void => {
      if (from >= bytes.length) return;
      for (let end = n === 1 ? bytes.length : from + 1; end <= bytes.length - (n - 1) && ways < 2; end++) {
        const id = idOf.get(bytesKey(bytes.subarray(from, end)));
        if (id === undefined) continue;
        if (n > 1) walk(end, n - 1, [...path, id]);
        else {
          found = [...path, id];
          ways += found.includes(AMBIGUOUS) ? 2 : 1;
        }
      }
    };
    walk(0, count, []);
    if (ways === 1) for (const id of found) yield { id, bytes: this.bytes.get(id), text: '' };
    else for (let k = 0; k < count; k++) yield { bytes: k === 0 ? bytes : new Uint8Array(0), text: '' };
  }

  private remember(entry: ProbEntry): void {
    if (!this.bytes.has(entry.id) && Array.isArray(entry.bytes)) this.bytes.set(entry.id, Uint8Array.from(entry.bytes));
  }

  private requireConnected(): ConnectResult {
    if (!this.connected) throw new BackendError('llama-server: call connect() first', this.kind);
    return this.connected;
  }

  /** `/health` answers 503 while the model loads: wait for it, within the client's timeout. */
  private async waitHealthy(signal: AbortSignal): Promise<void> {
    const until = Date.now() + this.http.timeoutMs;
    for (;;) {
      const { status, body } = await this.http.status('/health', signal);
      if (status === 200) return;
      if (status !== 503 || Date.now() > until) {
        throw new BackendError(`llama-server /health failed with HTTP ${status}: ${body.slice(0, 200)}`, this.kind);
      }
      await sleep(LOAD_POLL_MS, this.kind, signal);
    }
  }

  private async specialId(text: string, signal: AbortSignal): Promise<number | undefined> {
    const tok = (parse: boolean) =>
      this.http.postJson<{ tokens: number[] }>('/tokenize', { content: text, add_special: false, parse_special: parse }, signal);
    const special = await tok(true);
    if (special.tokens.length !== 1) return undefined;
    const plain = await tok(false);
    return plain.tokens.length > 1 || plain.tokens[0] !== special.tokens[0] ? special.tokens[0] : undefined;
  }

  /**
   * `/infill` answers 501 when the vocabulary lacks FIM tokens. Even where it works, its layout is not
   * the one Tokenwise needs: `prompt` lands before FIM_SUF, each field is tokenized apart (an artificial
   * token boundary at the cursor), `input_extra` is dropped when n_ctx per slot ≤ n_batch + 2·n_predict,
   * and SPM models get a space prefixed to prefix and suffix. FIM prompts are built as token ids instead.
   */
  private async probeInfill(signal: AbortSignal): Promise<boolean> {
    try {
      await this.http.postJson('/infill', { input_prefix: '', input_suffix: '', n_predict: 0, cache_prompt: false }, signal);
      return true;
    } catch (error) {
      if (signal.aborted) throw error;
      return false;
    }
  }
}

function stopReason(type: string | undefined): StopReason {
  if (type === 'eos') return 'eos';
  if (type === 'word') return 'stop';
  return 'length';
}

/** `n_probs` lists the top k of the softmax over the whole vocabulary: what it leaves is the rest. */
function top(entries: readonly ProbEntry[]): Distribution {
  const probs = Float64Array.from(entries, (e) => Math.exp(e.logprob));
  const otherMass = Math.max(0, 1 - probs.reduce((a, p) => a + p, 0));
  // Each unlisted id has at most the last listed probability (not clamped by otherMass, which float32
  // normalization can understate to 0).
  return { kind: 'top', ids: Uint32Array.from(entries, (e) => e.id), probs, otherMass, otherMax: probs[probs.length - 1] ?? 1 };
}

function baseName(path: string | undefined): string | undefined {
  return path?.split(/[\\/]/).pop();
}
