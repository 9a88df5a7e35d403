/**
 * Teacher-forced evaluation of many token paths after a shared head. The paths share prefixes, so they go
 * into a token trie and each trie node is evaluated once; the nodes of one depth go to the model in one
 * batch, and a node whose path has probability 0 is pruned with everything below it.
 */
import type { TokenModel } from './types';

export interface EvaluatedPath {
  /** log P(path | head), each conditional divided by its node's normalizer. */
  logProb: number;
  /** The next-token distribution after head ++ path. */
  probs: Float64Array;
  /** log of the normalizer at this node (0 unless renormalizing). */
  logZ: number;
}

/** log of the mass a node's conditional is divided by, from its path and distribution. */
export type Normalizer = (path: Uint32Array, probs: Float64Array) => number;

interface Node {
  path: Uint32Array;
  children: Map<number, Node>;
  logProb: number;
  result?: EvaluatedPath;
}

export interface EvaluateStats {
  /** nextTokenProbs calls made. */
  calls: number;
  /** Contexts sent, over all calls. */
  contexts: number;
}

/** Evaluates every path (undefined where the path has probability 0), one model call per trie depth. */
export async function evaluatePaths(
  model: TokenModel,
  head: Uint32Array,
  paths: readonly Uint32Array[],
  normalizer: Normalizer | undefined,
  signal: AbortSignal | undefined,
  stats?: EvaluateStats,
): Promise<(EvaluatedPath | undefined)[]> {
  const root: Node = { path: new Uint32Array(0), children: new Map(), logProb: 0 };
  const ends = paths.map((path) => {
    let node = root;
    path.forEach((id, depth) => {
      let next = node.children.get(id);
      if (!next) {
        next = { path: path.slice(0, depth + 1), children: new Map(), logProb: -Infinity };
        node.children.set(id, next);
      }
      node = next;
    });
    return node;
  });
  for (let level: Node[] = [root]; level.length > 0; ) {
    signal?.throwIfAborted();
    const contexts = level.map((node) => concat(head, node.path));
    const dists = await model.nextTokenProbs(contexts, signal);
    if (stats) {
      stats.calls++;
      stats.contexts += contexts.length;
    }
    const next: Node[] = [];
    level.forEach((node, k) => {
      const probs = dists[k];
      const logZ = normalizer ? normalizer(node.path, probs) : 0;
      node.result = { logProb: node.logProb, probs, logZ };
      for (const [id, child] of node.children) {
        const p = probs[id];
        if (!(p > 0)) continue;
        child.logProb = node.logProb + Math.log(p) - logZ;
        next.push(child);
      }
    });
    level = next;
  }
  return ends.map((node) => node.result);
}

export function concat(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
