/**
 * One loaded model inside the engine child: a node-llama-cpp model with one context and one sequence, so
 * that consecutive requests reuse the KV cache of their common prefix. The caller runs one request at a time.
 */
import { open } from 'node:fs/promises';
import type { ControlledItem, Llama, LlamaContext, LlamaModel, LlamaModule, LlamaSequence, Token } from './llamaApi';
import { describeModel } from './modelInfo';
import type { GenerateWireRequest, LoadRequest, WireDistribution, WireModelInfo, WireStopReason, WireToken } from './protocol';
import { MAX_DEFAULT_CONTEXT } from './protocol';
import { StopMatcher } from './stops';

/** Checked by the request loop between steps: true once the client has cancelled. */
export type Cancelled = () => boolean;

export class EngineModel {
  private bytesOf: (id: Token, previous: readonly Token[]) => Uint8Array = () => new Uint8Array(0);

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
   * Greedy (no sampler options), so each Map is the raw softmax over the whole vocabulary. Contexts that
   * extend the one before are scored in one pass with several marked positions.
   */
  async distributions(contexts: number[][], topK: number | undefined, cancelled: Cancelled): Promise<WireDistribution[]> {
    const resolved = contexts.map((c) => (c.length > 0 ? c : this.startOfText()));
    for (const c of resolved) {
      if (c.length > this.info.contextSize) throw new Error(`A context has ${c.length} tokens; the context holds ${this.info.contextSize}.`);
    }
    const out: WireDistribution[] = new Array(resolved.length);
    let i = 0;
    while (i < resolved.length) {
      if (cancelled()) throw new Error('cancelled');
      let end = i + 1;
      while (end < resolved.length && extendsContext(resolved[end], resolved[end - 1])) end++;
      const longest = resolved[end - 1];
      const marks = new Set(resolved.slice(i, end).map((c) => c.length - 1));
      const start = await this.rewindTo(longest, resolved[i].length - 1);
      const items = longest.slice(start).map((t, k): ControlledItem => (marks.has(start + k) ? [t, { generateNext: { probabilities: true } }] : t));
      const results = await this.sequence.controlledEvaluate(items);
      for (let k = i; k < end; k++) {
        const probabilities = results[resolved[k].length - 1 - start]?.next.probabilities;
        if (!probabilities) throw new Error('The engine returned no probabilities.');
        out[k] = toWire(probabilities, this.info.vocabSize, topK);
      }
      i = end;
    }
    return out;
  }
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
