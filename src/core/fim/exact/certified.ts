/**
 * The exact method on partial distributions (fim-exact §1.7, §3.3 at temperature 0). Every context of the
 * tail's cover trie is scored through its top k only, so each probability the method sums is known or lies in
 * an interval (an unlisted id has at most the smallest listed probability, and the unlisted ids together
 * what the list leaves). The answer — the most probable next byte, then the most probable cover of the tail
 * and that byte — is returned only when no value inside the intervals could change it; otherwise the same
 * contexts are scored again with a larger k, up to the whole vocabulary, where the intervals are points and
 * the answer is the full method's. Nothing is approximated.
 */
import { canonicalEncoding, validExtension } from './canonical';
import { concat } from './contextTrie';
import { END_OF_TEXT } from './nextByte';
import { Known, type PartialTokenModel } from './partial';
import { tokenTrie } from './tokenTrie';
import type { ByteTokenizer, Cover } from './types';

export interface CertifiedStats {
  /** topTokens calls, contexts sent over all of them, and the k of the try that certified the answer. */
  calls: number;
  contexts: number;
  topK: number;
  /** Tries beyond the first: how often the intervals were too wide. */
  escalations: number;
}

export interface CertifiedOptions {
  /** The k of each try, smallest first; the vocabulary size is always tried last. */
  schedule?: readonly number[];
  signal?: AbortSignal;
  stats?: CertifiedStats;
}

export interface FirstStep {
  /** The most probable next byte (0–255), or END_OF_TEXT. */
  byte: number;
  /** The most probable cover of the tail and that byte; its remainder starts with the byte. */
  cover?: Cover;
}

/**
 * A thousand first: listing it costs the engines about what listing 64 does (a partial sort, 97 KB of JSON
 * from llama-server), and it certifies where 64 leaves a flat distribution uncertain.
 */
export const DEFAULT_SCHEDULE = [1024, 16384];

export function newCertifiedStats(): CertifiedStats {
  return { calls: 0, contexts: 0, topK: 0, escalations: 0 };
}

interface Split {
  at: number;
  left: Uint32Array;
  candidates: Uint32Array;
  valid: Map<number, boolean>;
}

/** Everything about the tail that does not depend on the model: split points, left encodings, T. */
interface TailPlan {
  tail: Uint8Array;
  splits: Split[];
  /** The exact-end encoding T, when the tail has one. */
  end?: Uint32Array;
  endValid: Map<number, boolean>;
  /** Every distinct token path to score (prefixes of the lefts and of T), the empty one first. */
  paths: Uint32Array[];
  /** Per path, the ids whose probabilities the method reads: the next token of longer paths, a split's candidates. */
  want: Uint32Array[];
}

function planTail(tokenizer: ByteTokenizer, tail: Uint8Array): TailPlan {
  const trie = tokenTrie(tokenizer);
  const n = tail.length;
  const splits: Split[] = [];
  for (let i = Math.max(0, n - trie.maxLength); i < n; i++) {
    const candidates = trie.startingWith(tail.subarray(i));
    if (candidates.length === 0) continue;
    const left = canonicalEncoding(tokenizer, tail.subarray(0, i));
    if (!left) continue;
    const split: Split = { at: i, left, candidates, valid: new Map() };
    // A left is scored only if some candidate after it keeps the sequence canonical.
    if (candidates.some((t) => splitValid(tokenizer, tail, split, t))) splits.push(split);
  }
  const end = canonicalEncoding(tokenizer, tail);
  const keys = new Map<string, { path: Uint32Array; want: Set<number> }>([['', { path: new Uint32Array(0), want: new Set() }]]);
  for (const path of [...splits.map((s) => s.left), ...(end ? [end] : [])]) {
    for (let j = 1; j <= path.length; j++) {
      const key = path.subarray(0, j).join(',');
      if (!keys.has(key)) keys.set(key, { path: path.slice(0, j), want: new Set() });
      (keys.get(path.subarray(0, j - 1).join(',')) as { want: Set<number> }).want.add(path[j - 1]);
    }
  }
  for (const split of splits) for (const t of split.candidates) (keys.get(split.left.join(',')) as { want: Set<number> }).want.add(t);
  const nodes = [...keys.values()];
  return { tail, splits, end, endValid: new Map(), paths: nodes.map((n) => n.path), want: nodes.map((n) => Uint32Array.from(n.want)) };
}

/** A scored path: its probability after the head lies in [lo, hi]; `known` is the distribution after it. */
interface Node {
  lo: number;
  hi: number;
  known: Known;
}

async function scorePaths(model: PartialTokenModel, head: Uint32Array, plan: TailPlan, topK: number, options: CertifiedOptions): Promise<Map<string, Node>> {
  options.signal?.throwIfAborted();
  const dists = await model.topTokens(plan.paths.map((p) => concat(head, p)), topK, options.signal, plan.want);
  if (options.stats) {
    options.stats.calls++;
    options.stats.contexts += plan.paths.length;
  }
  const nodes = new Map<string, Node>();
  // Paths come parent first (every prefix was inserted before its extensions).
  plan.paths.forEach((path, i) => {
    const known = new Known(dists[i], model.vocabSize);
    if (path.length === 0) {
      nodes.set('', { lo: 1, hi: 1, known });
      return;
    }
    const parent = nodes.get(path.subarray(0, path.length - 1).join(',')) as Node;
    const p = parent.known.get(path[path.length - 1]);
    nodes.set(path.join(','), { lo: p === undefined ? 0 : parent.lo * p, hi: parent.hi * (p ?? parent.known.otherMax), known });
  });
  return nodes;
}

/** Candidate continuations of one try, with their intervals; the cover pick reads the same list. */
interface Scored {
  lo: Float64Array;
  hi: Float64Array;
  complete: boolean;
}

/** Text tokens per first byte: how many an unlisted remainder of the distribution after T can hold. */
const firstByteCounts = new WeakMap<ByteTokenizer, Int32Array>();
function countsByFirstByte(tokenizer: ByteTokenizer): Int32Array {
  let counts = firstByteCounts.get(tokenizer);
  if (!counts) {
    counts = new Int32Array(256);
    for (const t of tokenTrie(tokenizer).all()) counts[tokenizer.tokenBytes(t)[0]]++;
    firstByteCounts.set(tokenizer, counts);
  }
  return counts;
}

/** Builds what the first certified step on this vocabulary reads (its token trie and first-byte counts). */
export function prepareCertified(tokenizer: ByteTokenizer): void {
  countsByFirstByte(tokenizer);
}

function splitValid(tokenizer: ByteTokenizer, tail: Uint8Array, split: Split, t: number): boolean {
  let v = split.valid.get(t);
  if (v === undefined) split.valid.set(t, (v = validExtension(tokenizer, tail.subarray(0, split.at), split.left, t)));
  return v;
}

function endValid(tokenizer: ByteTokenizer, plan: TailPlan, t: number): boolean {
  let v = plan.endValid.get(t);
  if (v === undefined) plan.endValid.set(t, (v = validExtension(tokenizer, plan.tail, plan.end as Uint32Array, t)));
  return v;
}

/** Interval scores of every next byte and of end of text, relative to the head (fim-exact §1.7). */
function byteScores(tokenizer: ByteTokenizer, model: PartialTokenModel, plan: TailPlan, nodes: Map<string, Node>): Scored {
  const lo = new Float64Array(257);
  const hi = new Float64Array(257);
  let complete = true;
  const n = plan.tail.length;
  for (const split of plan.splits) {
    const node = nodes.get(split.left.join(',')) as Node;
    if (!node.known.complete || node.lo !== node.hi) complete = false;
    if (node.hi === 0) continue;
    const unknown = new Int32Array(256);
    const offset = n - split.at;
    for (const t of split.candidates) {
      const bytes = tokenizer.tokenBytes(t);
      // A candidate that ends with the tail is the exact-end cover: it votes through T.
      if (bytes.length === offset) continue;
      const p = node.known.get(t);
      if (p === undefined) unknown[bytes[offset]]++;
      else if (p > 0 && splitValid(tokenizer, plan.tail, split, t)) {
        lo[bytes[offset]] += node.lo * p;
        hi[bytes[offset]] += node.hi * p;
      }
    }
    for (let b = 0; b < 256; b++) if (unknown[b]) hi[b] += node.hi * Math.min(unknown[b] * node.known.otherMax, node.known.otherMass);
  }
  if (plan.end) {
    const node = nodes.get(plan.end.join(',')) as Node;
    const { known } = node;
    if (!known.complete || node.lo !== node.hi) complete = false;
    if (node.hi > 0) {
      const listed = new Int32Array(256);
      const { ids, probs } = known.dist;
      for (let i = 0; i < ids.length; i++) {
        const t = ids[i];
        const bytes = tokenizer.tokenBytes(t);
        if (t === model.eosId || bytes.length === 0) continue;
        listed[bytes[0]]++;
        if (probs[i] > 0 && endValid(tokenizer, plan, t)) {
          lo[bytes[0]] += node.lo * probs[i];
          hi[bytes[0]] += node.hi * probs[i];
        }
      }
      const pEnd = known.get(model.eosId);
      if (pEnd === undefined) hi[END_OF_TEXT] += node.hi * known.otherMax;
      else {
        lo[END_OF_TEXT] += node.lo * pEnd;
        hi[END_OF_TEXT] += node.hi * pEnd;
      }
      if (!known.complete) {
        const counts = countsByFirstByte(tokenizer);
        for (let b = 0; b < 256; b++) {
          const rest = counts[b] - listed[b];
          if (rest > 0) hi[b] += node.hi * Math.min(rest * known.otherMax, known.otherMass);
        }
      }
    }
  }
  return { lo, hi, complete };
}

/** Values this close count as a tie, which goes to the first: sums in another order differ in the last bits. */
const TIE = 1e-12;

/** The first index of the largest value, ties included. */
function argmax(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  for (let i = 0; i < values.length; i++) if (values[i] >= max * (1 - TIE)) return i;
  return 0;
}

type Pick = { certified: true; value: FirstStep | undefined } | { certified: false };

/** The most probable cover of the tail and `byte`, when the intervals single it out. */
function pickCover(tokenizer: ByteTokenizer, plan: TailPlan, nodes: Map<string, Node>, byte: number, complete: boolean): Pick {
  const n = plan.tail.length;
  const options: { lo: number; hi: number; tokens: () => Uint32Array; remainder: Uint8Array }[] = [];
  // The largest probability an unlisted candidate could have.
  let unlisted = 0;
  for (const split of plan.splits) {
    const node = nodes.get(split.left.join(',')) as Node;
    if (node.hi === 0) continue;
    const offset = n - split.at;
    for (const t of split.candidates) {
      const bytes = tokenizer.tokenBytes(t);
      if (bytes.length === offset || bytes[offset] !== byte) continue;
      const p = node.known.get(t);
      if (p === undefined) unlisted = Math.max(unlisted, node.hi * node.known.otherMax);
      else if (p > 0 && splitValid(tokenizer, plan.tail, split, t)) {
        options.push({ lo: node.lo * p, hi: node.hi * p, tokens: () => concat(split.left, Uint32Array.of(t)), remainder: bytes.subarray(offset) });
      }
    }
  }
  if (plan.end) {
    const end = plan.end;
    const node = nodes.get(end.join(',')) as Node;
    if (node.hi > 0) {
      const { ids, probs } = node.known.dist;
      let listed = 0;
      for (let i = 0; i < ids.length; i++) {
        const t = ids[i];
        const bytes = tokenizer.tokenBytes(t);
        if (bytes.length === 0 || bytes[0] !== byte) continue;
        listed++;
        if (probs[i] > 0 && endValid(tokenizer, plan, t)) options.push({ lo: node.lo * probs[i], hi: node.hi * probs[i], tokens: () => concat(end, Uint32Array.of(t)), remainder: bytes });
      }
      if (!node.known.complete && countsByFirstByte(tokenizer)[byte] > listed) unlisted = Math.max(unlisted, node.hi * node.known.otherMax);
    }
  }
  // The first of the most probable, as the full method picks.
  const best = options.length ? argmax(options.map((o) => o.lo)) : -1;
  if (!complete) {
    let rival = unlisted;
    for (let i = 0; i < options.length; i++) if (i !== best) rival = Math.max(rival, options[i].hi);
    if (best < 0 || !(options[best].lo > rival)) return { certified: false };
  }
  if (best < 0 || !(options[best].lo > 0)) return { certified: true, value: undefined };
  const chosen = options[best];
  return { certified: true, value: { byte, cover: { tokens: chosen.tokens(), logProb: Math.log(chosen.lo), remainder: chosen.remainder.slice() } } };
}

function decide(tokenizer: ByteTokenizer, model: PartialTokenModel, plan: TailPlan, nodes: Map<string, Node>): Pick {
  const { lo, hi, complete } = byteScores(tokenizer, model, plan, nodes);
  const byte = argmax(lo);
  if (complete) {
    if (!(lo[byte] > 0)) return { certified: true, value: undefined };
  } else {
    if (!(lo[byte] > 0)) return hi.some((v) => v > 0) ? { certified: false } : { certified: true, value: undefined };
    for (let b = 0; b < 257; b++) if (b !== byte && !(hi[b] < lo[byte])) return { certified: false };
  }
  if (byte === END_OF_TEXT) return { certified: true, value: { byte } };
  return pickCover(tokenizer, plan, nodes, byte, complete);
}

/**
 * Recipe A's first step at temperature 0, certified: the argmax next byte after the tail and the most
 * probable cover of the tail and that byte. Undefined when the tail has probability 0 after the head.
 */
export async function certifiedFirstStep(model: PartialTokenModel, tokenizer: ByteTokenizer, head: Uint32Array, tail: Uint8Array, options: CertifiedOptions = {}): Promise<FirstStep | undefined> {
  const plan = planTail(tokenizer, tail);
  const schedule = [...(options.schedule ?? DEFAULT_SCHEDULE).filter((k) => k < model.vocabSize), model.vocabSize];
  for (const [i, topK] of schedule.entries()) {
    const nodes = await scorePaths(model, head, plan, topK, options);
    const pick = decide(tokenizer, model, plan, nodes);
    if (pick.certified) {
      if (options.stats) {
        options.stats.topK = topK;
        options.stats.escalations += i;
      }
      return pick.value;
    }
  }
  throw new Error('exact: the whole vocabulary left the answer uncertain');
}

export interface BoundedNextBytes {
  /** P(next byte) for 0–255 and END_OF_TEXT: exact, or the middle of each interval. */
  probs: Float64Array;
  /** The widest interval's half-width: 0 when exact. */
  maxError: number;
  topK: number;
}

/**
 * The next-byte distribution to within `tolerance` (half the widest interval): k grows until every byte's
 * probability is pinned down that far, or the whole vocabulary makes it exact.
 */
export async function boundedNextBytes(model: PartialTokenModel, tokenizer: ByteTokenizer, head: Uint32Array, tail: Uint8Array, tolerance: number, options: CertifiedOptions = {}): Promise<BoundedNextBytes> {
  const plan = planTail(tokenizer, tail);
  const schedule = [...(options.schedule ?? DEFAULT_SCHEDULE).filter((k) => k < model.vocabSize), model.vocabSize];
  for (const topK of schedule) {
    const nodes = await scorePaths(model, head, plan, topK, options);
    const { lo, hi, complete } = byteScores(tokenizer, model, plan, nodes);
    const sumLo = lo.reduce((a, v) => a + v, 0);
    const sumHi = hi.reduce((a, v) => a + v, 0);
    if (complete) {
      if (!(sumLo > 0)) throw new Error('exact next byte: the tail has probability 0 after this head');
      return { probs: lo.map((v) => v / sumLo), maxError: 0, topK };
    }
    if (!(sumLo > 0)) continue;
    const probs = new Float64Array(257);
    let maxError = 0;
    for (let b = 0; b < 257; b++) {
      const low = lo[b] / (lo[b] + (sumHi - hi[b]));
      const high = hi[b] === 0 ? 0 : hi[b] / (hi[b] + (sumLo - lo[b]));
      probs[b] = (low + high) / 2;
      maxError = Math.max(maxError, (high - low) / 2);
    }
    if (maxError <= tolerance) return { probs, maxError, topK };
  }
  throw new Error('exact next byte: the whole vocabulary left the distribution uncertain');
}
