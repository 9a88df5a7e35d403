/**
 * The incremental next-byte state of fim-exact §2.4: the covers of the text so far and its exact-end
 * encoding T, advanced one byte at a time. The next-byte distribution needs a single model query, at
 * head ++ T; pushing the chosen byte keeps the covers whose remainder starts with it (one byte shorter) and
 * adds T ++ [t] for every token t that starts with it and keeps T canonical (§2.5). That is exactly the cover
 * set the batch algorithm computes for the longer text (same splits, same order, same log probabilities), so
 * byte-by-byte generation (Recipe B, §3.4) costs one model call per byte, and the covers at any point are
 * those Recipe A (§3.3) samples from.
 */
import { canonicalEncoding, decodeTokens, joinBytes, sameTokens, validExtension } from './canonical';
import { concat, evaluatePaths, type Normalizer } from './contextTrie';
import { coverEncodings } from './covers';
import { logSumExp } from './logMath';
import { END_OF_TEXT } from './nextByte';
import { tokenTrie } from './tokenTrie';
import type { ByteTokenizer, Cover, ExactOptions, TokenModel } from './types';

/** The exact-end encoding T of the text so far, when one exists. */
interface End {
  tokens: Uint32Array;
  /**
   * log P(T | head). Undefined while unknown: T is not one of the covers only when prefix-canonicity (§2.1)
   * fails at its last boundary, and then its probability comes from its own path, as in the batch algorithm.
   */
  logProb?: number;
}

/** The one model query of a byte: the distribution at head ++ T and what is derived from it. */
interface Query {
  logProb: number;
  probs: Float64Array;
  /** Validity of T ++ [t] per id: 0 not tested yet, 1 valid, -1 invalid. */
  valid: Int8Array;
  /** log of the normalizer at T (0 unless renormalizing). */
  logZ: number;
}

const hex = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;

/**
 * Exact next-byte distributions of a growing text after a fixed head. Create it with the text so far (the
 * tail, from a stable anchor), then alternate `nextByteDistribution` and `push`. One operation at a time.
 */
export class IncrementalByteState {
  private text: Uint8Array;
  private current: Cover[];
  private end: End | undefined;
  private query: Query | undefined;
  private distribution: Float64Array | undefined;
  private busy = false;

  private constructor(
    private readonly model: TokenModel,
    private readonly tokenizer: ByteTokenizer,
    private readonly head: Uint32Array,
    private readonly options: ExactOptions,
    text: Uint8Array,
    covers: Cover[],
    end: End | undefined,
  ) {
    this.text = text;
    this.current = covers;
    this.end = end;
  }

  /**
   * The state after `head` and `tail` (which must start at a stable anchor), its covers computed by the batch
   * algorithm (one model call per depth of the token trie of the lefts). Throws when the tail has probability
   * 0 after the head.
   */
  static async create(
    model: TokenModel,
    tokenizer: ByteTokenizer,
    head: Uint32Array,
    tail: Uint8Array,
    signal?: AbortSignal,
    options: ExactOptions = {},
  ): Promise<IncrementalByteState> {
    const text = tail.slice();
    const covers = await coverEncodings(model, tokenizer, head, text, signal, options);
    const end = exactEnd(tokenizer, text, covers);
    if (covers.length === 0 && !end) throw new Error('exact next byte: the tail has probability 0 after this head');
    return new IncrementalByteState(model, tokenizer, head.slice(), options, text, covers, end);
  }

  /** The text so far: the tail and every byte pushed since. */
  get bytes(): Uint8Array {
    return this.text.slice();
  }

  /** The canonical encoding of the text so far (what follows the head when the text ends at a token boundary), if any. */
  get encoding(): Uint32Array | undefined {
    return this.end?.tokens.slice();
  }

  /**
   * The covers of the text so far, each with log P(tokens | head): what `coverEncodings` gives for the same
   * head and text. Sampling one by probability and continuing at token level is Recipe A from here.
   */
  covers(): Cover[] {
    return this.current.map((c) => ({ tokens: c.tokens.slice(), logProb: c.logProb, remainder: c.remainder.slice() }));
  }

  /**
   * P(next byte | head, text so far) for bytes 0–255 and end of text (index 256), as
   * `exactNextByteDistribution` gives it. One model call (none when no token sequence ends exactly at the
   * end of the text); asking again before the next push makes none. Throws when the text has probability 0.
   */
  async nextByteDistribution(signal?: AbortSignal): Promise<Float64Array> {
    return this.exclusive(async () => {
      if (!this.distribution) this.distribution = this.score(await this.ask(signal));
      return this.distribution.slice();
    });
  }

  /**
   * Appends one byte (0–255) to the text. Uses the query of `nextByteDistribution` when it was made for
   * this text, and makes it otherwise, so each byte costs one model call either way. Throws, leaving the
   * state as it was, when the byte has probability 0 after the text so far; end of text ends the text and
   * cannot be pushed.
   */
  async push(byte: number, signal?: AbortSignal): Promise<void> {
    if (byte === END_OF_TEXT) throw new Error('exact next byte: end of text cannot be pushed; the text ends there');
    if (!Number.isInteger(byte) || byte < 0 || byte > 255) throw new RangeError(`exact next byte: ${byte} is not a byte`);
    return this.exclusive(async () => {
      const query = await this.ask(signal);
      const covers: Cover[] = [];
      for (const c of this.current) if (c.remainder.length > 0 && c.remainder[0] === byte) covers.push({ tokens: c.tokens, logProb: c.logProb, remainder: c.remainder.subarray(1) });
      if (query && this.end) {
        for (const t of tokenTrie(this.tokenizer).startingWith(Uint8Array.of(byte))) {
          const p = query.probs[t];
          if (!(p > 0) || !this.validAfterEnd(query, t)) continue;
          covers.push({ tokens: concat(this.end.tokens, Uint32Array.of(t)), logProb: query.logProb + Math.log(p) - query.logZ, remainder: this.tokenizer.tokenBytes(t).subarray(1) });
        }
      }
      const text = joinBytes(this.text, Uint8Array.of(byte));
      const end = exactEnd(this.tokenizer, text, covers);
      if (covers.length === 0 && !end) throw new Error(`exact next byte: byte ${hex(byte)} has probability 0 after the text so far`);
      this.text = text;
      this.current = covers;
      this.end = end;
      this.query = undefined;
      this.distribution = undefined;
    });
  }

  /** The distribution at head ++ T, made once per text; undefined when there is no T or it has probability 0. */
  private async ask(signal: AbortSignal | undefined): Promise<Query | undefined> {
    const end = this.end;
    if (this.query || !end) return this.query;
    signal?.throwIfAborted();
    let query: Query | undefined;
    if (end.logProb !== undefined) {
      const [probs] = await this.model.nextTokenProbs([concat(this.head, end.tokens)], signal);
      query = { logProb: end.logProb, probs, valid: new Int8Array(this.tokenizer.vocabSize), logZ: 0 };
      if (this.options.renormalize) query.logZ = this.canonicalMass(query);
    } else {
      // T's own path, teacher-forced (|T| + 1 calls): only where prefix-canonicity fails at T's last boundary.
      const normalizer = this.options.renormalize ? canonicalMassAt(this.tokenizer, this.model.eosId) : undefined;
      const [node] = await evaluatePaths(this.model, this.head, [end.tokens], normalizer, signal);
      if (node) query = { logProb: node.logProb, probs: node.probs, valid: new Int8Array(this.tokenizer.vocabSize), logZ: node.logZ };
      else this.end = undefined;
    }
    this.query = query;
    return query;
  }

  /** The scores of §1.7 from the covers and the query at T, summed in log space and normalized once. */
  private score(query: Query | undefined): Float64Array {
    const terms: number[][] = Array.from({ length: 257 }, () => []);
    for (const c of this.current) if (c.remainder.length > 0) terms[c.remainder[0]].push(c.logProb);
    if (query) {
      for (const t of tokenTrie(this.tokenizer).all()) {
        const p = query.probs[t];
        if (p > 0 && this.validAfterEnd(query, t)) terms[this.tokenizer.tokenBytes(t)[0]].push(query.logProb + Math.log(p) - query.logZ);
      }
      const pEnd = query.probs[this.model.eosId];
      if (pEnd > 0) terms[END_OF_TEXT].push(query.logProb + Math.log(pEnd) - query.logZ);
    }
    const scores = terms.map(logSumExp);
    const total = logSumExp(scores);
    if (total === -Infinity) throw new Error('exact next byte: the text so far has probability 0 after this head');
    return Float64Array.from(scores, (s) => Math.exp(s - total));
  }

  /** Whether T ++ [t] is canonical, tested once per token and text. */
  private validAfterEnd(query: Query, t: number): boolean {
    if (query.valid[t] === 0) query.valid[t] = validExtension(this.tokenizer, this.text, (this.end as End).tokens, t) ? 1 : -1;
    return query.valid[t] === 1;
  }

  /** log of the mass of T's canonical continuations, end of text included (per-step renormalization). */
  private canonicalMass(query: Query): number {
    let z = query.probs[this.model.eosId];
    for (const t of tokenTrie(this.tokenizer).all()) if (query.probs[t] > 0 && this.validAfterEnd(query, t)) z += query.probs[t];
    return Math.log(z);
  }

  private async exclusive<R>(run: () => Promise<R>): Promise<R> {
    if (this.busy) throw new Error('exact next byte: one operation at a time (await the previous call first)');
    this.busy = true;
    try {
      return await run();
    } finally {
      this.busy = false;
    }
  }
}

/** Per-step renormalization along a path: the mass of its canonical continuations, end of text included. */
function canonicalMassAt(tokenizer: ByteTokenizer, eosId: number): Normalizer {
  return (path, probs) => {
    const bytes = decodeTokens(tokenizer, path);
    let z = probs[eosId];
    for (const t of tokenTrie(tokenizer).all()) if (probs[t] > 0 && validExtension(tokenizer, bytes, path, t)) z += probs[t];
    return Math.log(z);
  };
}

/**
 * The exact-end encoding of `text` and its probability: that of the cover with the same tokens. When no
 * cover has them, T has probability 0 if it is prefix-canonical at its last boundary (it would be a cover
 * otherwise); if it is not, its probability is left to be computed from its own path.
 */
function exactEnd(tokenizer: ByteTokenizer, text: Uint8Array, covers: Cover[]): End | undefined {
  const tokens = canonicalEncoding(tokenizer, text);
  if (!tokens) return undefined;
  const cover = covers.find((c) => c.remainder.length === 0 && sameTokens(c.tokens, tokens));
  if (cover) return { tokens, logProb: cover.logProb };
  const left = tokens.subarray(0, tokens.length - 1);
  if (tokens.length <= 1 || sameTokens(canonicalEncoding(tokenizer, decodeTokens(tokenizer, left)) ?? [], left)) return undefined;
  return { tokens };
}
