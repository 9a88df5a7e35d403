/** A core `Tokenizer` for a GGUF model's own vocabulary, matching llama.cpp's tokenization. */
import { GgufError } from '../../gguf/reader';
import type { GgufVocab } from '../../gguf/vocab';
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
  const tokenizer = vocab.model === 'gpt2' ? bpeTokenizerFromData(bpeDataFromGguf(vocab), full) : vocab.model === 'llama' ? new SpmTokenizer(vocab, full) : undefined;
  if (!tokenizer) throw new GgufError(`unsupported GGUF tokenizer model '${vocab.model}' (supported: gpt2, llama)`);
  const notes = vocab.retyped.map((r) => `token ${r.id} ${JSON.stringify(r.text)} is typed ${TYPE_NAMES[r.was] ?? r.was} in the file; treated as a control token, as llama.cpp does`);
  if (vocab.model === 'gpt2' && !vocab.pre) notes.push("the file names no pre-tokenizer (tokenizer.ggml.pre): split with llama.cpp's default, as llama.cpp does; the model may have been trained otherwise");
  return notes.length ? Object.assign(tokenizer, { notes }) : tokenizer;
}

const TYPE_NAMES: Record<number, string> = { 0: 'undefined', 1: 'normal', 2: 'unknown', 4: 'user-defined', 5: 'unused', 6: 'byte' };
