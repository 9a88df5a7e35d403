/**
 * Adapters from a connected engine to the exact method's interfaces: a `TokenModel` over a backend's full
 * next-token distributions, and a `ByteTokenizer` over the exact token bytes the engine reports.
 */
import type { BackendModelInfo, ConnectResult, ModelBackend } from '../../backends/types';
import type { PartialDistribution, PartialTokenModel } from './partial';
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
 * A `PartialTokenModel` over a backend's top-k distributions (the whole vocabulary when k reaches it). End-of-
 * generation ids count as end of text, as in `tokenModelFromBackend`; where only some of them are listed, none
 * is, so that end of text stays within the bounds.
 */
export function partialModelFromBackend(backend: ModelBackend, connected: ConnectResult): PartialTokenModel {
  const { info, capabilities } = connected;
  const distributions = backend.nextTokenDistributions?.bind(backend);
  if (capabilities.distributions !== 'full' || !distributions) throw new Error(`exact byte-level probabilities need full next-token distributions; the ${backend.kind} backend gives ${capabilities.distributions === 'top-k' ? 'only the top k' : 'none'}`);
  const full = tokenModelFromBackend(backend, connected);
  const eosId = full.eosId;
  const ends = new Set([eosId, ...info.endIds]);
  const sumSlack = info.vocabSize * 2 ** -24;
  return {
    eosId,
    vocabSize: info.vocabSize,
    async topTokens(contexts, topK, signal, want) {
      if (topK >= info.vocabSize) {
        const probs = await full.nextTokenProbs(contexts, signal);
        const ids = Uint32Array.from({ length: info.vocabSize }, (_, i) => i);
        return probs.map((p) => ({ ids, probs: p, otherMax: 0, otherMass: 0 }));
      }
      // End of text is always wanted: every end id must be listed for it to be known.
      const endIds = Uint32Array.from(ends);
      const wanted = contexts.map((_, i) => (want?.[i]?.length ? Uint32Array.from([...want[i], ...endIds]) : endIds));
      const ds = await distributions(contexts, { topK, want: wanted, signal });
      return ds.map((d): PartialDistribution => {
        if (d.kind !== 'top') throw new Error(`the ${backend.kind} backend returned a full distribution where the top ${topK} were asked for`);
        let listedMass = 0;
        for (const p of d.probs) listedMass += p;
        // Engines normalize in float32: the listed probabilities can sum past 1 by up to vocabSize·2⁻²⁴ (llama-
        // server's top 16,384 of a 151,669-token softmax sum to 1.0001), so the mass left unlisted is bounded
        // with that slack; without it, a list could claim there is nothing else.
        let otherMass = Math.min(1, Math.max(0, d.otherMass ?? 1 - listedMass) + sumSlack);
        let otherMax = Math.min(d.otherMax ?? d.probs[d.probs.length - 1] ?? 1, otherMass);
        const ids: number[] = [];
        const probs: number[] = [];
        let endMass = 0;
        let endsListed = 0;
        d.ids.forEach((id, i) => {
          if (ends.has(id)) {
            endMass += d.probs[i];
            endsListed++;
          } else {
            ids.push(id);
            probs.push(d.probs[i]);
          }
        });
        if (endsListed === ends.size) {
          ids.push(eosId);
          probs.push(endMass);
        } else {
          otherMass += endMass;
          otherMax = Math.min(otherMass, Math.max(otherMax, endMass + (ends.size - endsListed) * otherMax));
        }
        return { ids: Uint32Array.from(ids), probs: Float64Array.from(probs), otherMax, otherMass };
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
