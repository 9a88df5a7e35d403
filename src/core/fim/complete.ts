/**
 * One fill-in-the-middle completion at a cursor, by strategy: `plain` (the prompt ends at the cursor),
 * `exact` (Recipe A: the most probable cover of the tail, then token-level generation) or `heal` (back off
 * to the anchor and force the first tokens to reproduce the tail, with a grammar or a regex where the engine
 * takes one). Text-only backends get `word`: the partial word is sent back to the model to retype. The result
 * is always text to insert at the cursor: what the user typed is never repeated nor deleted.
 */
import type { ConnectResult, ModelBackend, Prompt } from '../backends/types';
import { concatBytes, startsWithBytes } from '../text/bytes';
import type { Tokenizer } from '../tokenizers/types';
import { checkTemplate, describeCheck, sentinelVocab } from './chooseTemplate';
import { addsLeadingSpace } from './encodeText';
import { bannedByteTokensFor, producibleAt } from './healTokens';
import { END_OF_TEXT, byteTokenizerFromInfo, cachedPartialModel, certifiedFirstStep, coverEncodings, encodeBytesWith, memoizedModel, newCertifiedStats, partialModelFromBackend, prepareCertified, sampleCover, tokenModelFromBackend, tokenTrie } from './exact';
import type { ByteTokenizer, CertifiedStats, PartialTokenModel } from './exact';
import { decodeComplete, trimAgainstSuffix, wordStart } from './completionText';
import { healConstraint, type HealConstraint } from './healConstraint';
import { buildFimPrompt, type ExtraFile, type FimPrompt, type FimStrategy } from './prompt';
import type { FimTemplate, SentinelRole } from './templates';

/** A document split at the cursor, with the connected model, its own tokenizer and its FIM template. */
export interface FimTarget {
  backend: ModelBackend;
  connected: ConnectResult;
  /** The model's own tokenizer. */
  tokenizer: Tokenizer;
  template: FimTemplate;
  prefix: string;
  suffix: string;
}

export interface CompleteInput extends FimTarget {
  strategy: FimStrategy;
  maxTokens: number;
  /** Other files for context, first in the prompt, in an order kept from request to request. */
  extraFiles?: readonly ExtraFile[];
  repoName?: string;
  /** The completed file's path, for templates that name files. */
  currentPath?: string;
  /** Sampling temperature, 0 (the default) for greedy. */
  temperature?: number;
  /** Uniform in [0, 1): draws the cover of the tail at temperature > 0 (default Math.random). */
  random?: () => number;
  /**
   * The k of each try of the certified exact method, smallest first (default `DEFAULT_SCHEDULE`); the whole
   * vocabulary is always the last. Empty: full distributions at once.
   */
  exactTopK?: readonly number[];
  signal?: AbortSignal;
}

export type CompletionStrategy = FimStrategy | 'word';
export type HealVia = HealConstraint['via'] | 'bias' | 'distributions';

export interface CompleteStats {
  /** Milliseconds from the call to the first generated token (covers and healing steps included). */
  ttftMs: number;
  totalMs: number;
  /** Tokens the model produced after the prompt (healing steps and the cover included). */
  tokens: number;
  /** Bytes before the cursor that the model re-derived (the tail), 0 for `plain`. */
  healedBytes: number;
  /** Tokens in the prompt sent (extra files, prefix and suffix, after cutting to the context). */
  promptTokens: number;
  /** `exact` and `heal` from distributions: contexts scored by the engine (cached ones not counted), and the k that settled it. */
  scored?: CertifiedStats;
}

export interface Completion {
  /** What to insert at the cursor. */
  text: string;
  /** UTF-16 units before the cursor the completion rewrites: 0, since the typed bytes are reproduced. */
  replaceBefore: number;
  /**
   * The strategy that ran: a fallback when the backend cannot do the one asked for. `word`: the backend takes
   * text only, so the partial word went to the model and its output was kept only if it retyped that word.
   */
  strategy: CompletionStrategy;
  /** Why the strategy (or the way of healing) asked for was not used, when it was not. */
  fallback?: string;
  /**
   * How `heal` reproduced the tail: one greedy token per healed token under a bias towards the tokens that
   * agree with it, one constrained generation, or one distribution request per token.
   */
  healVia?: HealVia;
  /** Every byte the model produced after the prompt, the tail included, before trimming. */
  middleBytes: Uint8Array;
  stats: CompleteStats;
}

/** The template's sentinel ids and the ids that end a completion, checked against the model's vocabulary. */
export interface FimIds {
  sentinelIds: Partial<Record<SentinelRole, number>>;
  stopIds: Set<number>;
}

export function fimIds(connected: ConnectResult, tokenizer: Tokenizer, template: FimTemplate): FimIds {
  const { info } = connected;
  const check = checkTemplate(template, sentinelVocab(tokenizer, info.specialIds), info.fim);
  if (!check.ok) throw new Error(`the template does not fit the model: ${describeCheck(check)}`);
  const stopIds = new Set([...check.stopIds, ...info.endIds]);
  if (info.eosId !== undefined) stopIds.add(info.eosId);
  return { sentinelIds: check.ids, stopIds };
}

/** The FIM prompt for a strategy, with room left for `maxTokens`. */
export function fimPrompt(input: Omit<CompleteInput, 'backend' | 'maxTokens'> & { maxTokens: number }, ids: FimIds): FimPrompt {
  const { connected, tokenizer, template, prefix, suffix, strategy, signal } = input;
  return buildFimPrompt({
    template,
    tokenizer,
    sentinelIds: ids.sentinelIds,
    prefix,
    suffix,
    contextSize: connected.capabilities.contextSize || connected.info.contextSize,
    reservedOutput: input.maxTokens,
    strategy,
    specialIds: connected.info.specialIds,
    extraFiles: input.extraFiles,
    repoName: input.repoName,
    currentPath: input.currentPath,
    signal,
  });
}

/**
 * The byte view of the model's tokenizer for the exact method: the engine's token bytes (the tokenizer's,
 * the model's own, for ids the engine has not told yet) and the tokenizer's canonical encoder. The tail
 * starts the middle, so where the tokenizer adds SentencePiece's dummy space the tail is encoded without it,
 * as the prompt leaves it out after the anchor.
 */
export function byteTokenizerOf(connected: ConnectResult, tokenizer: Tokenizer): ByteTokenizer {
  let views = byteViews.get(connected);
  if (!views) byteViews.set(connected, (views = new WeakMap()));
  let view = views.get(tokenizer);
  if (!view) {
    const engine = connected.info.tokenBytes;
    const info = { ...connected.info, tokenBytes: (id: number) => engine?.(id) ?? tokenizer.tokenBytes(id) ?? new Uint8Array(0) };
    view = byteTokenizerFromInfo(info, encodeBytesWith(tokenizer, { spacePrefix: addsLeadingSpace(tokenizer) }));
    views.set(tokenizer, view);
  }
  return view;
}

/**
 * Builds what the first exact completion on a connection needs (the byte view, its token trie and counts:
 * about a second for a 150k vocabulary), so that it can run when the backend connects instead of in the
 * first keystroke. For llama-server, after `loadTokenBytes`.
 */
export function prepareExact(connected: ConnectResult, tokenizer: Tokenizer): void {
  prepareCertified(byteTokenizerOf(connected, tokenizer));
}

/**
 * One byte view per connection and tokenizer: its byte table and the token trie cached on it take a third of
 * a second for a 150k vocabulary, too much for every keystroke.
 */
const byteViews = new WeakMap<ConnectResult, WeakMap<Tokenizer, ByteTokenizer>>();

/**
 * The connection's scoring model: top-k distributions with what earlier requests scored kept, so that a
 * keystroke asks the engine only for the contexts its cover trie adds.
 */
export function scoringModelOf(backend: ModelBackend, connected: ConnectResult): PartialTokenModel {
  let model = scoringModels.get(connected);
  if (!model) scoringModels.set(connected, (model = cachedPartialModel(partialModelFromBackend(backend, connected))));
  return model;
}

const scoringModels = new WeakMap<ConnectResult, PartialTokenModel>();

/** Which strategy the backend can run, starting from the one asked for. */
function usableStrategy(connected: ConnectResult, asked: FimStrategy): { strategy: CompletionStrategy; fallback?: string } {
  const c = connected.capabilities;
  if (asked === 'plain') return { strategy: 'plain' };
  if (!c.tokenIdPrompts) return { strategy: 'word', fallback: `${asked} needs token-id prompts, which the backend does not take: completed from the start of the word` };
  // A grammar or a regex heals in one generation, without distributions.
  const constrains = c.constraints.includes('grammar') || c.constraints.includes('regex');
  if (asked === 'exact' && c.distributions !== 'full') {
    if (c.distributions === 'top-k') return { strategy: 'heal', fallback: 'exact needs full next-token distributions; the backend gives only the top k' };
    return { strategy: constrains ? 'heal' : 'plain', fallback: 'exact needs next-token distributions, which the backend does not give' };
  }
  if (c.distributions === 'none' && !constrains) return { strategy: 'plain', fallback: 'heal needs next-token distributions or a grammar, which the backend does not give' };
  return { strategy: asked };
}

export async function completeAt(input: CompleteInput): Promise<Completion> {
  const started = performance.now();
  const ids = fimIds(input.connected, input.tokenizer, input.template);
  let { strategy, fallback } = usableStrategy(input.connected, input.strategy);
  const run = new Run(input, ids, started);
  let produced: Uint8Array | undefined;
  let tail: Uint8Array = new Uint8Array(0);
  let healVia: HealVia | undefined;
  let discard = false;
  if (strategy === 'word') {
    const word = await run.word();
    produced = word.produced;
    // Anything but the typed word first would rewrite what the user typed: nothing is inserted then.
    if (startsWithBytes(word.produced, word.removed)) tail = word.removed;
    else {
      discard = true;
      fallback = `${fallback}; the output did not start with the typed ${JSON.stringify(decodeComplete(word.removed))}, so it was discarded`;
    }
  } else if (strategy !== 'plain') {
    const prompt = fimPrompt({ ...input, strategy }, ids);
    run.promptTokens = prompt.ids.length;
    tail = prompt.tail;
    if (strategy === 'exact') {
      produced = await run.exact(prompt);
      if (!produced) {
        strategy = 'heal';
        fallback = 'no cover of the typed text has probability above 0';
      }
    }
    if (strategy === 'heal') {
      const healed = await run.heal(prompt);
      produced = healed.bytes;
      healVia = healed.via;
      if (!produced) {
        strategy = 'plain';
        fallback = healed.note ? `${healed.note}; completed without healing` : 'no token consistent with the typed text has probability above 0';
      } else if (healed.note) fallback = fallback ? `${fallback}; ${healed.note}` : healed.note;
    }
  }
  if (!produced) {
    tail = new Uint8Array(0);
    produced = await run.plain();
  }
  // The typed bytes come first in what was produced (exact, heal and word check it): the rest is the insert.
  const text = discard ? '' : trimAgainstSuffix(decodeComplete(produced.subarray(tail.length)), input.suffix);
  const totalMs = performance.now() - started;
  return {
    text,
    replaceBefore: 0,
    strategy,
    ...(fallback ? { fallback } : {}),
    ...(healVia ? { healVia } : {}),
    middleBytes: produced,
    stats: { ttftMs: run.ttftMs ?? totalMs, totalMs, tokens: run.tokens, healedBytes: tail.length, promptTokens: run.promptTokens, ...(run.scored.calls ? { scored: run.scored } : {}) },
  };
}

/** One completion's calls to the backend, with its counters. */
class Run {
  tokens = 0;
  ttftMs: number | undefined;
  promptTokens = 0;
  readonly scored = newCertifiedStats();

  constructor(
    private readonly input: CompleteInput,
    private readonly ids: FimIds,
    private readonly started: number,
  ) {}

  async plain(): Promise<Uint8Array> {
    const prompt = fimPrompt({ ...this.input, strategy: 'plain' }, this.ids);
    this.promptTokens = prompt.ids.length;
    return this.generate(prompt.ids, this.input.maxTokens);
  }

  /**
   * Healing for backends that take text only (fim-exact §3.2): the prompt stops at the start of the partial
   * word, which the model has to type again; the caller keeps the output only if it does.
   */
  async word(): Promise<{ removed: Uint8Array; produced: Uint8Array }> {
    const { prefix } = this.input;
    const start = wordStart(prefix);
    const prompt = fimPrompt({ ...this.input, prefix: prefix.slice(0, start), strategy: 'plain' }, this.ids);
    this.promptTokens = prompt.ids.length;
    return { removed: new TextEncoder().encode(prefix.slice(start)), produced: await this.generate(prompt.ids, this.input.maxTokens) };
  }

  /**
   * Recipe A at temperature 0. The most probable cover alone can start with a less probable byte than the
   * byte-level argmax (the mass of one byte is spread over many covers), so the first byte is the argmax of
   * the exact next-byte distribution, and the cover is the most probable one of the tail and that byte; both
   * certified from top-k distributions, escalating until they are.
   */
  async exact(prompt: FimPrompt): Promise<Uint8Array | undefined> {
    const { backend, connected, tokenizer, signal } = this.input;
    const bytes = byteTokenizerOf(connected, tokenizer);
    const temperature = this.input.temperature ?? 0;
    if (temperature > 0) {
      // Recipe A as such: one cover drawn by probability, then sampling at token level (exact at T = 1).
      const model = memoizedModel(tokenModelFromBackend(backend, connected));
      const cover = sampleCover(await coverEncodings(model, bytes, prompt.ids, prompt.tail, signal), temperature, this.input.random);
      return cover && this.continueCover(prompt.ids, cover.tokens, concatBytes([prompt.tail, cover.remainder]));
    }
    const step = await certifiedFirstStep(scoringModelOf(backend, connected), bytes, prompt.ids, prompt.tail, { schedule: this.input.exactTopK, signal, stats: this.scored });
    if (!step) return undefined;
    if (step.byte === END_OF_TEXT || !step.cover) return prompt.tail;
    return this.continueCover(prompt.ids, step.cover.tokens, concatBytes([prompt.tail, step.cover.remainder]));
  }

  /** The cover's bytes, then generation after the head and the cover's tokens. */
  private async continueCover(head: Uint32Array, tokens: Uint32Array, coverBytes: Uint8Array): Promise<Uint8Array> {
    this.mark(tokens.length);
    const rest = this.input.maxTokens - tokens.length;
    const generated = rest > 0 ? await this.generate(concatIds(head, tokens), rest) : new Uint8Array(0);
    return concatBytes([coverBytes, generated]);
  }

  /**
   * Token healing. At temperature 0 where the engine takes a token bias, each healed token is the greedy one
   * under a bias towards the tokens that agree with the tail; else, where it takes a grammar or a regex, one
   * generation constrained to start with the tail; else step by step from distributions. Output that does
   * not start with the tail is never kept.
   */
  async heal(prompt: FimPrompt): Promise<{ bytes?: Uint8Array; via?: HealVia; note?: string }> {
    const { connected, template, maxTokens, signal } = this.input;
    const tail = prompt.tail;
    if (tail.length === 0) return { bytes: await this.generate(prompt.ids, maxTokens) };
    let note: string | undefined;
    if ((this.input.temperature ?? 0) === 0 && connected.capabilities.constraints.includes('token-bias')) {
      try {
        const bytes = await this.healByBias(prompt);
        if (bytes) return { bytes, via: 'bias' };
      } catch (e) {
        signal?.throwIfAborted();
        note = `healing with a token bias failed: ${(e as Error).message}`;
      }
    }
    const constraint = healConstraint(connected.capabilities.constraints, tail, template.stops);
    if (constraint) {
      try {
        const bytes = await this.generate(prompt.ids, maxTokens, { constraint, tail });
        if (startsWithBytes(bytes, tail)) return { bytes, via: constraint.via };
        note = `the ${constraint.via}-constrained output ${JSON.stringify(decodeComplete(bytes.subarray(0, tail.length + 16)))} does not start with the typed ${JSON.stringify(decodeComplete(tail))}`;
      } catch (e) {
        signal?.throwIfAborted();
        note = `healing with a ${constraint.via} failed: ${(e as Error).message}`;
      }
    }
    if (connected.capabilities.distributions === 'none') return { note };
    const bytes = await this.healFromDistributions(prompt);
    return { bytes, via: bytes ? 'distributions' : undefined, note: note && `${note}; healed from next-token distributions instead` };
  }

  /**
   * Token healing by greedy steps under a bias: the tokens that agree with what is left of the tail get
   * HEAL_BIAS added to their logits, which lifts every one of them above every other token and keeps their
   * order, so the greedy token is the most probable agreeing one (what healing from distributions picks,
   * without a distribution). Then ordinary generation. Costs what a plain completion costs, plus a request
   * per healed token; undefined when a step's token does not agree (an agreeing token's logit is -∞ or more
   * than HEAL_BIAS below the best, or the engine does not name the token: llama-server's stream holds back
   * a token that ends inside a character).
   */
  private async healByBias(prompt: FimPrompt): Promise<Uint8Array | undefined> {
    const { backend, connected, tokenizer, signal } = this.input;
    const view = byteTokenizerOf(connected, tokenizer);
    const trie = tokenTrie(view);
    const tail = prompt.tail;
    const producible = producibleAt(tokenizer, tail);
    const usable = (id: number, at: number) => !this.ids.stopIds.has(id) && producible(id, view.tokenBytes(id), at);
    let context = prompt.ids;
    let at = 0;
    const out: Uint8Array[] = [];
    while (at < tail.length) {
      const rest = tail.subarray(at);
      const agreeing = [...trie.startingWith(rest)];
      // Tokens the rest starts with: each equals a prefix of it.
      for (let n = 1; n < rest.length; n++) for (const id of trie.startingWith(rest.subarray(0, n))) if (view.tokenBytes(id).length === n) agreeing.push(id);
      const bias = new Map<number, number>();
      for (const id of agreeing) if (usable(id, at)) bias.set(id, HEAL_BIAS);
      if (bias.size === 0) return undefined;
      let token: number | undefined;
      for await (const t of backend.generate({ prompt: { ids: context }, maxTokens: 1, temperature: 0, tokenBias: bias, signal })) token ??= t.id;
      if (token === undefined || !bias.has(token)) return undefined;
      const bytes = view.tokenBytes(token);
      out.push(bytes);
      at += bytes.length;
      context = concatIds(context, [token]);
      this.mark(1);
    }
    const rest = this.input.maxTokens - out.length;
    if (rest > 0) out.push(await this.generate(context, rest));
    return concatBytes(out);
  }

  /**
   * Token healing one step at a time: the most probable token whose bytes agree with what is left of the
   * tail, until the tail is consumed; ordinary generation after that.
   */
  private async healFromDistributions(prompt: FimPrompt): Promise<Uint8Array | undefined> {
    const { backend, connected, tokenizer, signal } = this.input;
    const tokenBytes = (id: number) => connected.info.tokenBytes?.(id) ?? tokenizer.tokenBytes(id);
    const special = new Set(connected.info.specialIds);
    const topK = connected.capabilities.distributions === 'full' ? undefined : connected.capabilities.maxTopK;
    const tail = prompt.tail;
    // Not SentencePiece's byte-fallback tokens for characters with a piece: no encoding holds them.
    const producible = producibleAt(tokenizer, tail);
    let context = prompt.ids;
    let at = 0;
    const out: Uint8Array[] = [];
    while (at < tail.length) {
      const [d] = await backend.nextTokenDistributions!([context], { topK, signal });
      const candidates = d.kind === 'full' ? d.probs.keys() : d.ids.values();
      const probOf = (i: number, id: number) => (d.kind === 'full' ? d.probs[id] : d.probs[i]);
      let best = -1;
      let bestP = 0;
      let i = 0;
      for (const id of candidates) {
        const p = probOf(i++, id);
        if (p <= bestP || special.has(id) || this.ids.stopIds.has(id)) continue;
        const b = tokenBytes(id);
        if (b && b.length > 0 && agrees(b, tail, at) && producible(id, b, at)) {
          best = id;
          bestP = p;
        }
      }
      if (best < 0) return undefined;
      const b = tokenBytes(best)!;
      out.push(b);
      at += b.length;
      context = concatIds(context, [best]);
      this.mark(1);
    }
    const healed = out.length;
    const rest = this.input.maxTokens - healed;
    if (rest > 0) out.push(await this.generate(context, rest));
    return concatBytes(out);
  }

  private mark(tokens: number): void {
    if (tokens > 0 && this.ttftMs === undefined) this.ttftMs = performance.now() - this.started;
    this.tokens += tokens;
  }

  /**
   * Generation from token ids (or their text, where the backend takes text only), up to a stop id. With a
   * heal constraint the tokens that produce the tail come on top of `maxTokens`, as when healing from
   * distributions: each holds a byte at least, so the tail's length bounds them.
   */
  private async generate(ids: Uint32Array, maxTokens: number, heal?: { constraint: HealConstraint; tail: Uint8Array }): Promise<Uint8Array> {
    const { backend, connected, tokenizer, template, signal } = this.input;
    const prompt: Prompt = connected.capabilities.tokenIdPrompts ? { ids } : { text: promptText(tokenizer, ids) };
    const parts: Uint8Array[] = [];
    const encoder = new TextEncoder();
    const constraint = !heal ? {} : heal.constraint.via === 'grammar' ? { grammar: heal.constraint.grammar } : { regex: heal.constraint.regex };
    // A constraint matches text, so it admits SentencePiece's byte-fallback spelling of the tail: banned.
    const ban = heal && connected.capabilities.constraints.includes('token-bias') ? bannedByteTokensFor(tokenizer, heal.tail) : [];
    const temperature = this.input.temperature ?? 0;
    // A textless token the template does not name (an unknown or a stray control token) ends the completion
    // too: there is nothing to show for it, and what a small model writes after one is noise.
    const textless = new Set(connected.info.specialIds);
    let length = 0;
    for await (const token of backend.generate({ prompt, maxTokens: maxTokens + (heal?.tail.length ?? 0), temperature, stop: template.stops, ...constraint, ...(ban.length ? { tokenBias: new Map(ban.map((id) => [id, -Infinity])) } : {}), signal })) {
      if (token.id !== undefined && (this.ids.stopIds.has(token.id) || textless.has(token.id))) break;
      this.mark(1);
      const bytes = token.bytes ?? encoder.encode(token.text);
      parts.push(bytes);
      length += bytes.length;
      if (heal && parts.length >= maxTokens && length >= heal.tail.length) break;
    }
    return concatBytes(parts);
  }
}

/**
 * The logit healing adds to the tokens that agree with the tail: above any gap between a trained model's
 * logits, and small enough that float32 logits near it keep 1e-5 of their differences.
 */
const HEAL_BIAS = 100;

/** Whether a token's bytes agree with the tail from `at`: one is a prefix of the other. */
function agrees(bytes: Uint8Array, tail: Uint8Array, at: number): boolean {
  const n = Math.min(bytes.length, tail.length - at);
  for (let i = 0; i < n; i++) if (bytes[i] !== tail[at + i]) return false;
  return true;
}

/** A token-id prompt as text, sentinels spelled out, for backends that take text only. */
function promptText(tokenizer: Tokenizer, ids: Uint32Array): string {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let text = '';
  for (const id of ids) text += tokenizer.specialToken(id) ?? decoder.decode(tokenizer.tokenBytes(id) ?? new Uint8Array(0), { stream: true });
  return text + decoder.decode();
}

function concatIds(a: Uint32Array, b: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
