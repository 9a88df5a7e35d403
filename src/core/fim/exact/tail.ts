/**
 * The shared core of the exact method (fim-exact §2.1–2.2): for each split point `i` of the tail, the
 * canonical encoding `left` of `tail[0:i]` followed by one token that starts with `tail[i:]` and keeps the
 * sequence canonical; optionally also the exact-end encoding `T = encode(tail)` with the distribution after
 * it (§1.7). All left paths are evaluated together in one token trie, one model call per depth.
 */
import { canonicalEncoding, decodeTokens, validExtension } from './canonical';
import { concat, evaluatePaths, type EvaluateStats, type Normalizer } from './contextTrie';
import { tokenTrie } from './tokenTrie';
import type { ByteTokenizer, Cover, ExactOptions, TokenModel } from './types';

interface Split {
  at: number;
  left: Uint32Array;
  candidates: Uint32Array;
  /** Validity per candidate, filled as tested. */
  valid: Map<number, boolean>;
}

export interface TailEvaluation {
  covers: Cover[];
  /** The exact-end encoding, when asked for and the tail has one with probability > 0. */
  end?: { tokens: Uint32Array; logProb: number; probs: Float64Array; logZ: number };
}

export async function evaluateTail(
  model: TokenModel,
  tokenizer: ByteTokenizer,
  head: Uint32Array,
  tail: Uint8Array,
  withEnd: boolean,
  options: ExactOptions,
  signal: AbortSignal | undefined,
  stats?: EvaluateStats,
): Promise<TailEvaluation> {
  signal?.throwIfAborted();
  const trie = tokenTrie(tokenizer);
  const n = tail.length;
  const splits: Split[] = [];
  // A cover's last token holds tail[i:], so earlier split points have no candidate.
  for (let i = Math.max(0, n - trie.maxLength); i < n; i++) {
    const candidates = trie.startingWith(tail.subarray(i));
    if (candidates.length === 0) continue;
    const left = canonicalEncoding(tokenizer, tail.subarray(0, i));
    if (!left) continue;
    const split: Split = { at: i, left, candidates, valid: new Map() };
    // Query a left only if some candidate after it is valid; the rest are tested once probabilities are known.
    if (candidates.some((t) => isValid(tokenizer, tail, split, t))) splits.push(split);
  }
  const end = withEnd ? canonicalEncoding(tokenizer, tail) : undefined;
  const paths = splits.map((s) => s.left);
  if (end) paths.push(end);
  const normalizer = options.renormalize ? canonicalMass(tokenizer, model.eosId, trie.all()) : undefined;
  const evaluated = await evaluatePaths(model, head, paths, normalizer, signal, stats);

  const covers: Cover[] = [];
  splits.forEach((split, k) => {
    const node = evaluated[k];
    if (!node) return;
    for (const t of split.candidates) {
      const p = node.probs[t];
      if (!(p > 0) || !isValid(tokenizer, tail, split, t)) continue;
      covers.push({
        tokens: concat(split.left, Uint32Array.of(t)),
        logProb: node.logProb + Math.log(p) - node.logZ,
        remainder: tokenizer.tokenBytes(t).slice(n - split.at),
      });
    }
  });
  const endNode = end ? evaluated[evaluated.length - 1] : undefined;
  return { covers, end: end && endNode ? { tokens: end, ...endNode } : undefined };
}

function isValid(tokenizer: ByteTokenizer, tail: Uint8Array, split: Split, t: number): boolean {
  let v = split.valid.get(t);
  if (v === undefined) {
    v = validExtension(tokenizer, tail.subarray(0, split.at), split.left, t);
    split.valid.set(t, v);
  }
  return v;
}

/** Per-step renormalization: the mass of the canonical continuations of a path, end of text included. */
function canonicalMass(tokenizer: ByteTokenizer, eosId: number, textTokens: Uint32Array): Normalizer {
  return (path, probs) => {
    const bytes = decodeTokens(tokenizer, path);
    let z = probs[eosId];
    for (const t of textTokens) if (probs[t] > 0 && validExtension(tokenizer, bytes, path, t)) z += probs[t];
    return Math.log(z);
  };
}
