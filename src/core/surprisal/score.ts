/**
 * The model's surprise at each token of a text: −log₂ p(token | the tokens before it), on the model's own
 * tokenization, with the token's rank and the model's top alternatives (the GLTR idea, with the right
 * tokenizer). Teacher-forced: the text's tokens are given, never generated.
 *
 * A long text is scored in windows of `window` tokens, each after up to `overlap` tokens of the text
 * before it, so that no request outgrows the context. Windows are cached by their tokens: after an edit,
 * the windows before it are the same tokens and come from the cache; only those from the edit on are
 * scored again.
 */
import type { ConnectResult, Distribution, ModelBackend } from '../backends/types';
import { readableBytes } from '../text/escape';
import type { Tokenizer } from '../tokenizers/types';

export interface Alternative {
  id: number;
  /** The token's text (special tokens by name; bytes that are not a whole character as `\xNN`). */
  text: string;
  probability: number;
}

export interface TokenSurprise {
  /** The token's index in the text's tokenization. */
  index: number;
  id: number;
  /** UTF-16 range in the text (a character split across tokens: the whole character). */
  start: number;
  end: number;
  text: string;
  probability: number;
  /** −log₂ probability. */
  bits: number;
  /** 1 for the model's first choice. */
  rank: number;
  /** True when `rank` is a lower bound: the engine listed only its top tokens, all more probable. */
  rankAtLeast: boolean;
  /** The model's most probable tokens at this position, most probable first. */
  top: Alternative[];
}

export interface SurprisalOptions {
  /** Tokens scored per request (default 256). */
  window?: number;
  /** Tokens of text before a window that its tokens also see (default 768). */
  overlap?: number;
  /** Alternatives listed per token (default 5). */
  alternatives?: number;
  /** Ranks up to this are exact; past it, a lower bound (default 20: the engine lists this many). */
  rankDepth?: number;
  /** Windows kept (default 512). */
  cacheWindows?: number;
}

type WindowScore = Omit<TokenSurprise, 'index' | 'start' | 'end' | 'text'>[];

export class SurprisalScorer {
  private readonly cache = new Map<string, WindowScore>();
  private readonly window: number;
  private readonly overlap: number;
  private readonly alternatives: number;
  private readonly listed: number;
  private readonly cacheWindows: number;
  /** Windows sent to the engine so far (not taken from the cache). */
  windowsScored = 0;

  constructor(
    private readonly backend: ModelBackend,
    private readonly connected: ConnectResult,
    /** The model's own tokenizer, checked against the backend (`findModelTokenizer`). */
    readonly tokenizer: Tokenizer,
    options: SurprisalOptions = {},
  ) {
    const { capabilities } = connected;
    if (capabilities.distributions === 'none' || !backend.nextTokenDistributions) {
      throw new Error(`The ${backend.kind} backend gives no token probabilities, so the model's surprise cannot be shown (llama-server, vLLM and the embedded engine give them).`);
    }
    // Each request holds a window and its overlap, with a start token: both fit the context.
    const room = Math.max(2, capabilities.contextSize - 1);
    this.window = Math.max(1, Math.min(options.window ?? 256, Math.floor(room / 2)));
    // At least one token before a window: without it, its first token would be read as the start of text.
    this.overlap = Math.max(1, Math.min(options.overlap ?? 768, room - this.window));
    this.alternatives = Math.max(1, Math.min(options.alternatives ?? 5, capabilities.maxTopK));
    this.listed = Math.max(this.alternatives, Math.min(options.rankDepth ?? 20, capabilities.maxTopK));
    this.cacheWindows = options.cacheWindows ?? 512;
  }

  /** The tokens overlapping `range` (UTF-16; default: all of `text`), in order. */
  async score(text: string, range: { start: number; end: number } = { start: 0, end: text.length }, signal?: AbortSignal): Promise<TokenSurprise[]> {
    const spans = this.tokenizer.tokenize(text);
    const n = spans.ids.length;
    const first = firstAt(spans.starts, spans.ends, range.start);
    let last = first;
    while (last < n && spans.starts[last] < Math.max(range.end, range.start + 1)) last++;
    const out: TokenSurprise[] = [];
    for (let w = Math.floor(first / this.window) * this.window; w < last; w += this.window) {
      signal?.throwIfAborted();
      const end = Math.min(n, w + this.window);
      const scored = await this.scoreWindow(spans.ids, w, end, signal);
      for (let i = Math.max(w, first); i < Math.min(end, last); i++) {
        out.push({ index: i, start: spans.starts[i], end: spans.ends[i], text: text.slice(spans.starts[i], spans.ends[i]), ...scored[i - w] });
      }
    }
    return out;
  }

  private async scoreWindow(ids: Uint32Array, start: number, end: number, signal: AbortSignal | undefined): Promise<WindowScore> {
    const from = Math.max(0, start - this.overlap);
    const bos = this.connected.info.bosId;
    // At the start of the text the model sees its start token, as it does when it reads a prompt.
    const prefix = from === 0 && bos !== undefined ? [bos] : [];
    const key = `${prefix.join()}|${ids.subarray(from, end).join()}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const contexts: Uint32Array[] = [];
    const want: Uint32Array[] = [];
    for (let i = start; i < end; i++) {
      const context = new Uint32Array(prefix.length + i - from);
      context.set(prefix);
      context.set(ids.subarray(from, i), prefix.length);
      contexts.push(context);
      want.push(Uint32Array.of(ids[i]));
    }
    const distributions = await this.backend.nextTokenDistributions!(contexts, { topK: this.listed, want, signal });
    const scored = distributions.map((d, k) => this.judge(d, ids[start + k]));
    this.windowsScored++;
    this.cache.set(key, scored);
    if (this.cache.size > this.cacheWindows) this.cache.delete(this.cache.keys().next().value as string);
    return scored;
  }

  private judge(d: Distribution, id: number): WindowScore[number] {
    const ranked = d.kind === 'full' ? topOfFull(d.probs, this.listed) : Array.from(d.ids, (tid, i) => ({ id: tid, probability: d.probs[i] })).sort((a, b) => b.probability - a.probability);
    const top = ranked.slice(0, this.alternatives).map((a) => ({ ...a, text: this.tokenText(a.id) }));
    if (d.kind === 'full') {
      const p = d.probs[id] ?? 0;
      let higher = 0;
      for (let j = 0; j < d.probs.length; j++) if (above(d.probs[j], p)) higher++;
      return { id, probability: p, bits: -Math.log2(p), rank: higher + 1, rankAtLeast: false, top };
    }
    const listed = ranked.find((a) => a.id === id);
    if (!listed) {
      // The engine could not list it: less probable than every listed token, and at most `otherMax`.
      return { id, probability: NaN, bits: NaN, rank: ranked.length + 1, rankAtLeast: true, top };
    }
    const higher = ranked.filter((a) => above(a.probability, listed.probability)).length;
    // All the others it listed are above it: an unlisted one may be too, unless the engine bounds them below it.
    const others = ranked.length - 1;
    const bounded = d.otherMax !== undefined && d.otherMax <= listed.probability;
    return { id, probability: listed.probability, bits: -Math.log2(listed.probability), rank: higher + 1, rankAtLeast: higher >= others && !bounded, top };
  }

  private tokenText(id: number): string {
    const special = this.tokenizer.specialToken(id);
    if (special !== undefined) return special;
    return readableBytes(this.tokenizer.tokenBytes(id) ?? new Uint8Array(0));
  }
}

/** More probable, beyond the engine's rounding: ids it scores the same tie in rank. */
const above = (q: number, p: number) => q > p * (1 + 1e-5);

/** The `k` most probable ids of a whole-vocabulary distribution, without sorting it. */
function topOfFull(probs: Float64Array, k: number): { id: number; probability: number }[] {
  const best: { id: number; probability: number }[] = [];
  for (let id = 0; id < probs.length; id++) {
    const p = probs[id];
    if (best.length === k && p <= best[k - 1].probability) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].probability < p) at--;
    best.splice(at, 0, { id, probability: p });
    if (best.length > k) best.pop();
  }
  return best;
}

/** The first token that ends after `offset`, or starts there (SentencePiece's dummy space has no width). */
function firstAt(starts: Uint32Array, ends: Uint32Array, offset: number): number {
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid] >= offset) hi = mid;
    else lo = mid + 1;
  }
  while (lo < ends.length && ends[lo] === offset && starts[lo] < offset) lo++;
  return lo;
}
