/**
 * Adapters from a connected engine to the exact method's interfaces: a `TokenModel` over a backend's full
 * next-token distributions, and a `ByteTokenizer` over the exact token bytes the engine reports.
 */
import type { BackendModelInfo, ConnectResult, ModelBackend } from '../../backends/types';
import type { ByteTokenizer, TokenModel } from './types';

export { encodeBytesWith } from './utf8Encode';

/**
 * A `TokenModel` over a backend that gives full distributions. Every end-of-generation id counts as end of
 * text: its probability moves onto `eosId`, since the engine stops on any of them.
 */
export function tokenModelFromBackend(backend: ModelBackend, connected: ConnectResult | BackendModelInfo): TokenModel {
  const info = 'info' in connected ? connected.info : connected;
  const kind = 'capabilities' in connected ? connected.capabilities.distributions : backend.nextTokenDistributions ? 'full' : 'none';
  if (kind !== 'full' || !backend.nextTokenDistributions) {
    throw new Error(`exact byte-level probabilities need full next-token distributions; the ${backend.kind} backend gives ${kind === 'top-k' ? 'only the top k' : 'none'}`);
  }
  const eosId = info.eosId ?? info.endIds[0];
  if (eosId === undefined) throw new Error(`exact byte-level probabilities need an end-of-text id; the model ${info.name} has none`);
  const ends = info.endIds.filter((id) => id !== eosId);
  const distributions = backend.nextTokenDistributions.bind(backend);
  return {
    eosId,
    async nextTokenProbs(contexts, signal) {
      const ds = await distributions(contexts, { signal });
      return ds.map((d) => {
        // A backend may fall back to top-k for some requests; that would silently drop mass.
        if (d.kind !== 'full') throw new Error(`the ${backend.kind} backend returned a top-k distribution where a full one is needed`);
        if (d.probs.length !== info.vocabSize) throw new Error(`the ${backend.kind} backend returned ${d.probs.length} probabilities for a vocabulary of ${info.vocabSize}`);
        const probs = Float64Array.from(d.probs);
        for (const id of ends) {
          probs[eosId] += probs[id];
          probs[id] = 0;
        }
        return probs;
      });
    },
  };
}

/**
 * A `ByteTokenizer` from the engine's exact token bytes (special ids have none) and a canonical encoder
 * of byte strings, such as `encodeBytesWith(tokenizerFromGguf(vocab), …)`.
 */
export function byteTokenizerFromInfo(info: BackendModelInfo, encodeBytes: (bytes: Uint8Array) => Uint32Array): ByteTokenizer {
  const of = info.tokenBytes;
  if (!of) throw new Error(`exact byte-level probabilities need the exact bytes of every token; the engine does not give them for ${info.name}`);
  const special = new Set(info.specialIds);
  const empty = new Uint8Array(0);
  const table = Array.from({ length: info.vocabSize }, (_, id) => {
    if (special.has(id)) return empty;
    const bytes = of(id);
    // A missing text token would silently drop every cover through it.
    if (!bytes) throw new Error(`exact byte-level probabilities need the exact bytes of every token; those of id ${id} are not known yet (llama-server learns them with loadTokenBytes)`);
    return bytes;
  });
  return { vocabSize: info.vocabSize, tokenBytes: (id) => table[id] ?? empty, encodeBytes };
}
