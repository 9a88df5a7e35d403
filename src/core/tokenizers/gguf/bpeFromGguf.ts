/**
 * A GGUF byte-level BPE vocabulary (`tokenizer.ggml.model = gpt2`) as our BPE engine's data: the same
 * shape `tokenizer.json` files are turned into, split as llama.cpp splits it (`preTokenizers.ts`).
 */
import { GgufError } from '../../gguf/reader';
import { ggufTokenBytes, GgufTokenType, type GgufVocab } from '../../gguf/vocab';
import type { BpeData } from '../bpe/bpeData';
import type { AddedToken } from '../bpe/bpeTokenizer';
import { preTokenizerFor } from './preTokenizers';

export function bpeDataFromGguf(vocab: GgufVocab): BpeData {
  const pre = preTokenizerFor(vocab.pre);
  if (typeof pre === 'string') throw new GgufError(pre);
  const n = vocab.tokens.length;
  const tokenBytes = ggufTokenBytes(vocab);
  const added: AddedToken[] = [];
  const offsets = new Uint32Array(n + 1);
  for (let id = 0; id < n; id++) {
    const type = vocab.types[id];
    // Control and unknown tokens are matched as text only when asked; user-defined ones always (as llama.cpp).
    const special = type === GgufTokenType.CONTROL || type === GgufTokenType.UNKNOWN;
    if (special || type === GgufTokenType.USER_DEFINED) {
      if (vocab.tokens[id].length > 0) added.push({ content: vocab.tokens[id], id, special });
      offsets[id + 1] = offsets[id];
    } else {
      offsets[id + 1] = offsets[id] + tokenBytes[id].length;
    }
  }
  const bytes = new Uint8Array(offsets[n]);
  for (let id = 0; id < n; id++) if (offsets[id + 1] > offsets[id]) bytes.set(tokenBytes[id], offsets[id]);

  const byText = new Map<string, number>();
  vocab.tokens.forEach((t, i) => byText.set(t, i));
  const merges = new Uint32Array(2 * vocab.merges.length);
  const results = new Uint32Array(vocab.merges.length);
  vocab.merges.forEach((m, r) => {
    const at = m.indexOf(' ', 1);
    const left = at > 0 ? byText.get(m.slice(0, at)) : undefined;
    const right = at > 0 ? byText.get(m.slice(at + 1)) : undefined;
    const result = at > 0 ? byText.get(m.slice(0, at) + m.slice(at + 1)) : undefined;
    if (left === undefined || right === undefined || result === undefined) {
      throw new GgufError(`malformed GGUF vocabulary: merge ${r} (${JSON.stringify(m)}) uses a token that is not in the vocabulary`);
    }
    merges[2 * r] = left;
    merges[2 * r + 1] = right;
    results[r] = result;
  });
  return {
    header: { kind: 'merges', patterns: pre.patterns, dialect: 'llama.cpp', addedTokens: added, trustWholePieces: pre.ignoreMerges, vocabSize: n },
    bytes,
    offsets,
    merges,
    results,
  };
}
