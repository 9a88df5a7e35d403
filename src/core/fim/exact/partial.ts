/**
 * Partial next-token distributions: the k most probable ids with their probabilities, and bounds on every
 * id not listed (none is above the smallest listed, and together they hold what the list leaves). This is
 * what an engine gives cheaply: llama-server's `n_probs: k` is kilobytes where the whole vocabulary is
 * megabytes, and the embedded engine finds the top k without sorting the vocabulary.
 */
import type { TokenModel } from './types';

export interface PartialDistribution {
  /** Listed ids with their exact probabilities. */
  ids: Uint32Array;
  probs: Float64Array;
  /** No id outside the list has a probability above this (0 when the list holds the whole support). */
  otherMax: number;
  /** The ids outside the list have this much probability together. */
  otherMass: number;
}

export interface PartialTokenModel {
  /** End of text; every end-of-generation id is counted as this one. */
  eosId: number;
  vocabSize: number;
  /**
   * The `topK` most probable ids after each context (every id when `topK` ≥ the vocabulary). The empty
   * context means the start of text.
   */
  topTokens(contexts: Uint32Array[], topK: number, signal?: AbortSignal, want?: Uint32Array[]): Promise<PartialDistribution[]>;
}

/**
 * Slack added to the mass left outside a list: engines compute in float32, so `1 − Σ listed` can come out a
 * little low, and a bound must never be.
 */
export const MASS_SLACK = 1e-6;

/** The partial view of a full distribution: its top k, and the ids in `want` besides. */
export function topOf(probs: Float64Array, topK: number, want?: Uint32Array): PartialDistribution {
  if (topK >= probs.length) {
    const ids = new Uint32Array(probs.length);
    for (let i = 0; i < ids.length; i++) ids[i] = i;
    return { ids, probs: Float64Array.from(probs), otherMax: 0, otherMass: 0 };
  }
  const order = Array.from({ length: probs.length }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
  const listed = new Set(order.slice(0, topK));
  const otherMax = probs[order[topK - 1]] ?? 1;
  for (const id of want ?? []) listed.add(id);
  const ids = Uint32Array.from(listed);
  const values = Float64Array.from(ids, (id) => probs[id]);
  const otherMass = Math.max(0, 1 - values.reduce((a, p) => a + p, 0));
  return { ids, probs: values, otherMax: Math.min(otherMax, otherMass), otherMass };
}

/** A full-distribution `TokenModel` seen through its top k, listing wanted ids when `listsWanted` (tests). */
export function partialModelOf(model: TokenModel, vocabSize: number, listsWanted = false): PartialTokenModel {
  return {
    eosId: model.eosId,
    vocabSize,
    async topTokens(contexts, topK, signal, want) {
      const full = await model.nextTokenProbs(contexts, signal);
      return full.map((probs, i) => topOf(probs, topK, listsWanted ? want?.[i] : undefined));
    },
  };
}

/**
 * A model that keeps what it scored, per context, so that consecutive keystrokes (whose cover tries share
 * most contexts) and the steps of one request ask the engine only for what is new. An entry answers a
 * request when it lists at least as many ids and every wanted id was wanted then too (or it is complete).
 */
export function cachedPartialModel(model: PartialTokenModel, capacity = 128, maxListed = 4_000_000): PartialTokenModel {
  const entries = new Map<string, { topK: number; want: Uint32Array; dist: PartialDistribution }>();
  // Whole distributions are vocabulary-sized: the cache holds at most `maxListed` listed ids in all.
  let listed = 0;
  const drop = (key: string) => {
    const entry = entries.get(key);
    if (entry) listed -= entry.dist.ids.length;
    entries.delete(key);
  };
  const covers = (entry: { topK: number; want: Uint32Array; dist: PartialDistribution }, topK: number, want: Uint32Array | undefined) =>
    entry.dist.otherMass === 0 || (entry.topK >= topK && (!want || want.every((id) => hasSorted(entry.want, id))));
  return {
    eosId: model.eosId,
    vocabSize: model.vocabSize,
    async topTokens(contexts, topK, signal, want) {
      const keys = contexts.map((c) => c.join(','));
      const missing: number[] = [];
      keys.forEach((key, i) => {
        const entry = entries.get(key);
        if (entry && covers(entry, topK, want?.[i])) {
          // Most recently used last.
          entries.delete(key);
          entries.set(key, entry);
        } else missing.push(i);
      });
      if (missing.length) {
        const scored = await model.topTokens(missing.map((i) => contexts[i]), topK, signal, want && missing.map((i) => want[i]));
        missing.forEach((i, k) => {
          drop(keys[i]);
          entries.set(keys[i], { topK, want: Uint32Array.from(want?.[i] ?? []).sort(), dist: scored[k] });
          listed += scored[k].ids.length;
        });
        for (const key of entries.keys()) {
          if (entries.size <= capacity && listed <= maxListed) break;
          drop(key);
        }
        // Answered from what was scored, whether or not it is still kept.
        const fresh = new Map(missing.map((i, k) => [i, scored[k]]));
        return keys.map((key, i) => fresh.get(i) ?? (entries.get(key) as { dist: PartialDistribution }).dist);
      }
      return keys.map((key) => (entries.get(key) as { dist: PartialDistribution }).dist);
    },
  };
}

function hasSorted(sorted: Uint32Array, id: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === id;
}

/** One context's distribution as a lookup: the probability of a listed id, and bounds for the others. */
export class Known {
  private readonly byId: Map<number, number> | Float64Array;
  /** Every id is listed: values are exact and unlisted ids have probability 0. */
  readonly complete: boolean;
  readonly otherMax: number;
  readonly otherMass: number;

  constructor(
    readonly dist: PartialDistribution,
    vocabSize: number,
  ) {
    this.complete = dist.ids.length >= vocabSize || dist.otherMass === 0;
    if (dist.ids.length > 4096) {
      const table = new Float64Array(vocabSize).fill(Number.NaN);
      dist.ids.forEach((id, i) => (table[id] = dist.probs[i]));
      this.byId = table;
    } else {
      this.byId = new Map();
      dist.ids.forEach((id, i) => (this.byId as Map<number, number>).set(id, dist.probs[i]));
    }
    this.otherMass = this.complete ? 0 : dist.otherMass + MASS_SLACK;
    this.otherMax = this.complete ? 0 : Math.min(dist.otherMax, this.otherMass);
  }

  /** The exact probability of a listed id; 0 for unlisted ids of a complete list; undefined when unknown. */
  get(id: number): number | undefined {
    const p = this.byId instanceof Map ? this.byId.get(id) : this.byId[id];
    if (p === undefined || Number.isNaN(p)) return this.complete ? 0 : undefined;
    return p;
  }
}
