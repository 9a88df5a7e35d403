/** A core `Tokenizer` for a GGUF model's own vocabulary, matching llama.cpp's tokenization. */
import { GgufError } from '../../backends/gguf/reader';
import type { GgufVocab } from '../../backends/gguf/vocab';
import { bpeTokenizerFromData } from '../bpe/fromData';
import type { Tokenizer, TokenizerInfo } from '../types';
import { bpeDataFromGguf } from './bpeFromGguf';
import { SpmTokenizer } from './spmTokenizer';

/**
 * Byte-level BPE (`gpt2`) with a known pre-tokenizer runs on the shared BPE engine; SentencePiece
 * (`llama`) on llama.cpp's algorithm. Like every core tokenizer it adds no BOS: counts are text tokens.
 */
export function tokenizerFromGguf(vocab: GgufVocab, info: Partial<Omit<TokenizerInfo, 'vocabSize'>> = {}): Tokenizer {
  const full = { id: info.id ?? `gguf:${vocab.name ?? vocab.model}`, name: info.name ?? vocab.name ?? 'GGUF model', family: info.family ?? 'gguf', exact: info.exact ?? true };
  if (vocab.model === 'gpt2') return bpeTokenizerFromData(bpeDataFromGguf(vocab), full);
  if (vocab.model === 'llama') return new SpmTokenizer(vocab, full);
  throw new GgufError(`unsupported GGUF tokenizer model '${vocab.model}' (supported: gpt2, llama)`);
}
