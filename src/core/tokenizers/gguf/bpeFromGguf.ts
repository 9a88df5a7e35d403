/**
 * A GGUF byte-level BPE vocabulary (`tokenizer.ggml.model = gpt2`) as our BPE engine's data: the same
 * shape `tokenizer.json` files are turned into, with llama.cpp's pre-tokenizer names mapped to our scanners.
 */
import { GgufError } from '../../backends/gguf/reader';
import { ggufTokenBytes, GgufTokenType, type GgufVocab } from '../../backends/gguf/vocab';
import type { BpeData } from '../bpe/bpeData';
import type { AddedToken } from '../bpe/bpeTokenizer';
import { CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN, QWEN2_PATTERN } from '../pretokenize/scanners';

interface PreTokenizer {
  pattern: string;
  /** llama.cpp's `ignore_merges`: a piece that is a token is taken whole. */
  ignoreMerges: boolean;
}

/** llama.cpp's `tokenizer.ggml.pre` names whose split rules one of our scanners implements. */
const PRE_TOKENIZERS: Record<string, PreTokenizer> = {};
for (const name of ['llama3', 'llama-v3', 'llama-bpe', 'falcon3', 'falcon-h1', 'pixtral', 'midm-2.0', 'lfm2']) PRE_TOKENIZERS[name] = { pattern: CL100K_PATTERN, ignoreMerges: true };
for (const name of ['gpt-2', 'phi-2', 'jina-es', 'jina-de', 'gigachat', 'jina-v2-es', 'jina-v2-de', 'a.x-4.0', 'mellum', 'modern-bert']) PRE_TOKENIZERS[name] = { pattern: GPT2_PATTERN, ignoreMerges: false };
for (const name of ['qwen2', 'deepseek-r1-qwen', 'kormo', 'f2llmv2', 'megrez']) PRE_TOKENIZERS[name] = { pattern: QWEN2_PATTERN, ignoreMerges: false };
for (const name of ['gpt-4o', 'llama4', 'kanana2']) PRE_TOKENIZERS[name] = { pattern: O200K_PATTERN, ignoreMerges: false };

export function supportedPreTokenizers(): string[] {
  return Object.keys(PRE_TOKENIZERS);
}

export function bpeDataFromGguf(vocab: GgufVocab): BpeData {
  const pre = PRE_TOKENIZERS[vocab.pre ?? 'default'];
  if (!pre) throw new GgufError(`unsupported GGUF pre-tokenizer '${vocab.pre ?? 'default'}' (supported: ${supportedPreTokenizers().join(', ')})`);
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
    header: { kind: 'merges', patterns: [pre.pattern], addedTokens: added, trustWholePieces: pre.ignoreMerges, vocabSize: n },
    bytes,
    offsets,
    merges,
    results,
  };
}
