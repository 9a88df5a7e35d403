/**
 * One loaded model inside the engine child: a node-llama-cpp model with one context and one sequence, so
 * that consecutive requests reuse the KV cache of their common prefix. The caller runs one request at a time.
 */
import { open } from 'node:fs/promises';
import type { ControlledItem, Llama, LlamaContext, LlamaModel, LlamaModule, LlamaSequence, Token } from './llamaApi';
import { describeModel } from './modelInfo';
import type { GenerateWireRequest, LoadRequest, WireBias, WireDistribution, WireModelInfo, WireStopReason, WireToken } from './protocol';
import { MAX_DEFAULT_CONTEXT } from './protocol';
import { StopMatcher } from './stops';

/** Checked by the request loop between steps: true once the client has cancelled. */
export type Cancelled = () => boolean;

/** Runs an evaluation whose marked positions also report the greedy argmax's absolute probability. */
type TopSampling = <T>(run: () => Promise<T>) => Promise<T>;

export class EngineModel {
  private bytesOf: (id: Token, previous: readonly Token[]) => Uint8Array = () => new Uint8Array(0);
  private topSampling: TopSampling | undefined;

  private constructor(
    private readonly lib: LlamaModule,
    private readonly llama: Llama,
    readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequence: LlamaSequence,
    readonly info: WireModelInfo,
  ) {}

  static async load(lib: LlamaModule, llama: Llama, request: LoadRequest): Promise<EngineModel> {
    await checkMagic(request.modelPath);
    const model = await llama.loadModel({ modelPath: request.modelPath, gpuLayers: request.gpu === false ? 0 : 'auto' });
    try {
      const contextSize = request.contextSize > 0 ? request.contextSize : Math.min(model.trainContextSize || MAX_DEFAULT_CONTEXT, MAX_DEFAULT_CONTEXT);
      const context = await model.createContext({ contextSize, threads: request.threads, sequences: 1 });
      const info = describeModel(model, request.modelPath, context.contextSize, llama.gpu, request.threads);
      const engine = new EngineModel(lib, llama, model, context, context.getSequence(), info);
      engine.bytesOf = byteLookup(model, info);
      engine.topSampling = topSamplingFor(llama, model, context);
      return engine;
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }

  /** User text: special-token text stays plain text. */
  tokenize(text: string): Token[] {
    return this.model.tokenize(text, false);
  }

  /** What an empty context stands for: the start of text (BOS, or EOS for vocabularies without one). */
  private startOfText(): Token[] {
    const start = this.info.bosId ?? this.info.eosId;
    if (start === undefined) throw new Error('The model has neither a BOS nor an EOS token to start from.');
    return [start];
  }

  private promptIds(prompt: GenerateWireRequest['prompt']): Token[] {
    if ('ids' in prompt) return prompt.ids.length > 0 ? prompt.ids : this.startOfText();
    const ids = this.tokenize(prompt.text);
    if (this.model.tokens.shouldPrependBosToken && this.info.bosId !== undefined) ids.unshift(this.info.bosId);
    return ids.length > 0 ? ids : this.startOfText();
  }

  /**
   * Keeps the cached prefix shared with `tokens`, up to `limit` tokens at most (the positions whose logits are
   * wanted must be evaluated again). Returns where evaluation starts.
   */
  private async rewindTo(tokens: Token[], limit: number): Promise<number> {
    const keep = Math.min(this.sequence.compareContextTokens(tokens).firstDifferentIndex, limit);
    if (keep < this.sequence.nextTokenIndex) await this.sequence.eraseContextTokenRanges([{ start: keep, end: this.sequence.nextTokenIndex }]);
    return keep;
  }

  async generate(request: GenerateWireRequest, cancelled: Cancelled, emit: (token: WireToken) => void): Promise<{ reason: WireStopReason; promptTokens: number }> {
    const prompt = this.promptIds(request.prompt);
    const room = this.info.contextSize - prompt.length;
    if (room <= 0) throw new Error(`The prompt has ${prompt.length} tokens; the context holds ${this.info.contextSize}.`);
    const maxTokens = Math.min(request.maxTokens, room);
    const done = (reason: WireStopReason) => ({ reason, promptTokens: prompt.length });
    if (maxTokens <= 0) return done('length');
    const options = {
      temperature: request.temperature ?? 0,
      tokenBias: this.tokenBias(request.tokenBias),
      grammarEvaluationState: request.grammar ? await this.grammarState(request.grammar) : undefined,
      yieldEogToken: true,
    };
    const stops = new StopMatcher(request.stop);
    const send = (pieces: { id?: number; bytes: Uint8Array }[]) => {
      for (const p of pieces) emit({ id: p.id, bytes: Buffer.from(p.bytes).toString('base64') });
    };
    const generated: Token[] = [];
    let reason: WireStopReason = 'length';
    const start = await this.rewindTo(prompt, prompt.length - 1);
    for await (const token of this.sequence.evaluate(prompt.slice(start), options)) {
      if (cancelled()) return done('aborted');
      if (this.model.isEogToken(token)) {
        reason = 'eos';
        break;
      }
      const { emit: pieces, stopped } = stops.push(token, this.bytesOf(token, generated.length > 0 ? generated : prompt));
      send(pieces);
      generated.push(token);
      if (stopped) return done('stop');
      if (generated.length >= maxTokens) break;
    }
    send(stops.flush());
    return done(cancelled() ? 'aborted' : reason);
  }

  private tokenBias(entries: GenerateWireRequest['tokenBias']) {
    if (!entries || entries.length === 0) return undefined;
    const bias = new this.lib.TokenBias(this.model.tokenizer);
    // `TokenBias.set` silently skips end-of-generation ids (and tokenizes its input); the map it fills is
    // written directly so that every id, EOS included, takes exactly the logit asked for.
    for (const [id, value] of entries) bias._biases.set(id, value === 'never' ? -Infinity : value);
    return bias;
  }

  private async grammarState(grammar: string): Promise<unknown> {
    const compiled = await this.llama.createGrammar({ grammar });
    return new this.lib.LlamaGrammarEvaluationState({ model: this.model, grammar: compiled });
  }

  /**
   * Next-token distributions after each context. Without `topK`: greedy (no sampler options), so each Map is
   * the raw softmax over the whole vocabulary. With `topK`: the top k and the ids in `want`, found without
   * sorting the vocabulary (see `topSampling`). Contexts that extend the one before are scored in one pass with
   * several marked positions.
   */
  async distributions(contexts: number[][], topK: number | undefined, want: number[][] | undefined, cancelled: Cancelled): Promise<WireDistribution[]> {
    const resolved = contexts.map((c) => (c.length > 0 ? c : this.startOfText()));
    for (const c of resolved) {
      if (c.length > this.info.contextSize) throw new Error(`A context has ${c.length} tokens; the context holds ${this.info.contextSize}.`);
    }
    const partial = topK !== undefined && topK < this.info.vocabSize && this.topSampling !== undefined;
    const listed = topK ?? 0;
    const out: WireDistribution[] = new Array(resolved.length);
    let i = 0;
    while (i < resolved.length) {
      if (cancelled()) throw new Error('cancelled');
      let end = i + 1;
      while (end < resolved.length && extendsContext(resolved[end], resolved[end - 1])) end++;
      const longest = resolved[end - 1];
      const marks = new Map(resolved.slice(i, end).map((c, k) => [c.length - 1, i + k]));
      const start = await this.rewindTo(longest, resolved[i].length - 1);
      const items = longest.slice(start).map((t, k): ControlledItem => {
        const at = marks.get(start + k);
        if (at === undefined) return t;
        return [t, { generateNext: partial ? { probabilities: true, confidence: true, options: this.topOptions(listed, want?.[at]) } : { probabilities: true } }];
      });
      const results = partial ? await (this.topSampling as TopSampling)(() => this.sequence.controlledEvaluate(items)) : await this.sequence.controlledEvaluate(items);
      for (let k = i; k < end; k++) {
        const next = results[resolved[k].length - 1 - start]?.next;
        if (!next?.probabilities) throw new Error('The engine returned no probabilities.');
        out[k] = partial ? partialWire(next.probabilities, next.confidence as number, new Set(want?.[k])) : toWire(next.probabilities, this.info.vocabSize, topK);
      }
      i = end;
    }
    return out;
  }

  /** Sampler options that list the top k and the wanted ids: temperature 1, so the chain keeps the logits. */
  private topOptions(topK: number, want: number[] | undefined) {
    const bias = want?.length ? this.tokenBias(want.map((id): WireBias => [id, WANT_BIAS])) : undefined;
    return { temperature: 1, topK: topK + (want?.length ?? 0), topP: 1, minP: 0, seed: 1, tokenBias: bias };
  }
}

/**
 * The logit added to wanted ids so that they rank in the top list whatever their probability: far above a
 * small model's logit range, and small enough that float32 logits keep 1e-6 of relative precision.
 */
const WANT_BIAS = 24;

/**
 * Absolute probabilities from what the sampler returns: the listed ids' probabilities relative to the list
 * (wanted ids lifted by WANT_BIAS), scaled by the absolute probability of the greedy argmax, which
 * `topSampling` puts in `confidence`.
 */
function partialWire(relative: Map<Token, number>, argmax: { id: number; p: number } | number, wanted: Set<number>): WireDistribution {
  const top = typeof argmax === 'number' ? undefined : argmax;
  if (!top) throw new Error('The engine returned no normalizer.');
  const lift = (id: number) => (wanted.has(id) ? Math.exp(-WANT_BIAS) : 1);
  // The argmax anchors the scale. Where it is not listed, it ties with the best listed id outside `want`
  // (which only the list's size kept out), so the largest unlifted value is its probability either way.
  let anchor = 0;
  let unwantedListed = false;
  for (const [id, rel] of relative) {
    anchor = Math.max(anchor, rel * lift(id));
    if (!wanted.has(id)) unwantedListed = true;
  }
  if (!(anchor > 0) || (!relative.has(top.id) && !unwantedListed)) throw new Error('The engine\'s argmax is not in its top list.');
  const scale = top.p / anchor;
  const ids: number[] = [];
  const probs: number[] = [];
  let listed = 0;
  let last = 0;
  for (const [id, rel] of relative) {
    const p = rel * lift(id) * scale;
    ids.push(id);
    probs.push(p);
    listed += p;
    last = rel * scale;
  }
  // An unlisted id ranks below the last listed one before lifting, so none is above its unlifted value.
  const otherMass = Math.max(0, 1 - listed);
  return { kind: 'top', ids, probs, otherMass, otherMax: last };
}

/**
 * node-llama-cpp lists probabilities after its sampler chain, relative to what the chain kept: a top-k list
 * is cheap (no sort of the vocabulary, no Map of it) but loses the normalizer. Each marked position is
 * therefore sampled twice on the same logits: greedily first, whose confidence is computed over the whole
 * vocabulary (the argmax's absolute probability), then with the caller's options. This reaches into 3.21's
 * internals (the native context's `sampleToken`, a native sampler of our own); where they are not there,
 * undefined, and distributions take the full path.
 */
function topSamplingFor(llama: Llama, model: LlamaModel, context: LlamaContext): TopSampling | undefined {
  type Sample = (index: unknown, sampler: unknown, probabilities: boolean, confidence?: boolean) => Promise<[number, unknown, number | undefined]>;
  const native = (context as unknown as { _ctx?: { sampleToken?: Sample } })._ctx;
  const bindings = (llama as unknown as { _bindings?: { AddonSampler?: new (model: unknown) => { applyConfig(config: object): void; dispose(): void } } })._bindings;
  const addonModel = (model as unknown as { _model?: unknown })._model;
  if (!native || typeof native.sampleToken !== 'function' || !bindings?.AddonSampler || !addonModel) return undefined;
  const original = native.sampleToken;
  const greedy = new bindings.AddonSampler(addonModel);
  greedy.applyConfig({ temperature: 0 });
  const twice: Sample = async (index, sampler, probabilities) => {
    const [argmax, , p] = await original.call(native, index, greedy, false, true);
    const [token, listed] = await original.call(native, index, sampler, probabilities, false);
    return [token, listed, { id: argmax, p } as unknown as number];
  };
  return async (run) => {
    // The native method is read-only on its prototype: shadowed on the instance for this run only.
    Object.defineProperty(native, 'sampleToken', { value: twice, configurable: true, writable: true });
    try {
      return await run();
    } finally {
      delete (native as { sampleToken?: Sample }).sampleToken;
    }
  };
}

function extendsContext(longer: number[], shorter: number[]): boolean {
  if (longer.length <= shorter.length) return false;
  for (let i = 0; i < shorter.length; i++) if (longer[i] !== shorter[i]) return false;
  return true;
}

function toWire(probabilities: Map<Token, number>, vocabSize: number, topK: number | undefined): WireDistribution {
  if (topK !== undefined) {
    const ids: number[] = [];
    const probs: number[] = [];
    // The Map is sorted, most probable first.
    for (const [id, p] of probabilities) {
      if (ids.length >= topK) break;
      ids.push(id);
      probs.push(p);
    }
    return { kind: 'top', ids, probs };
  }
  // llama.cpp computes float32 probabilities, so float32 on the wire loses nothing; absent ids are 0.
  const probs = new Float32Array(vocabSize);
  for (const [id, p] of probabilities) if (id < vocabSize) probs[id] = p;
  return { kind: 'full', probs: Buffer.from(probs.buffer).toString('base64') };
}

/** Exact bytes from the GGUF vocabulary; for vocabularies without a known decoding, detokenize in context. */
function byteLookup(model: LlamaModel, info: WireModelInfo): (id: Token, previous: readonly Token[]) => Uint8Array {
  if (info.tokenBytes) {
    const data = Buffer.from(info.tokenBytes.data, 'base64');
    const offsets = new Array<number>(info.tokenBytes.lengths.length + 1);
    offsets[0] = 0;
    info.tokenBytes.lengths.forEach((n, i) => (offsets[i + 1] = offsets[i] + Math.max(n, 0)));
    return (id, previous) =>
      info.tokenBytes!.lengths[id] >= 0
        ? new Uint8Array(data.subarray(offsets[id], offsets[id + 1]))
        : Buffer.from(model.detokenize([id], false, previous.slice(-4)));
  }
  return (id, previous) => Buffer.from(model.detokenize([id], false, previous.slice(-4)));
}

/** A clear message for the commonest mistake (not a GGUF file) before llama.cpp sees the file. */
async function checkMagic(path: string): Promise<void> {
  const file = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? `No model file at ${path}.` : `Cannot open ${path}: ${error.message}`);
  });
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    if (bytesRead < 4 || head.toString('latin1') !== 'GGUF') {
      throw new Error(`${path} is not a GGUF model file (it does not start with "GGUF").`);
    }
  } finally {
    await file.close();
  }
}
