/**
 * A `TokenModel` that scores each context once: the first byte's distribution and the covers that follow it
 * walk the same trie from the same head, so one request asks for many contexts twice.
 */
import type { TokenModel } from './types';

export function memoizedModel(model: TokenModel): TokenModel {
  const known = new Map<string, Float64Array>();
  return {
    eosId: model.eosId,
    async nextTokenProbs(contexts, signal) {
      const keys = contexts.map((c) => c.join(','));
      const missing = new Map<string, Uint32Array>();
      keys.forEach((k, i) => known.has(k) || missing.set(k, contexts[i]));
      if (missing.size) {
        const scored = await model.nextTokenProbs([...missing.values()], signal);
        [...missing.keys()].forEach((k, i) => known.set(k, scored[i]));
      }
      return keys.map((k) => known.get(k) as Float64Array);
    },
  };
}
