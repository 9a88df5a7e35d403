import type { TokenizerInfo } from '../types';
import { builtinScanner } from '../pretokenize/scanners';
import { regexScanner, sequenceScanner } from '../pretokenize/regexScanner';
import type { BpeData } from './bpeData';
import { BpeTokenizer } from './bpeTokenizer';
import { ByteVocab } from './byteVocab';
import { PairRules, RankRules } from './merge';

/** Builds the engine for a vocabulary file's contents. */
export function bpeTokenizerFromData(data: BpeData, info: Omit<TokenizerInfo, 'vocabSize'>): BpeTokenizer {
  const { header } = data;
  const vocab = new ByteVocab(data.bytes, data.offsets);
  const byteIds = new Int32Array(256);
  for (let b = 0; b < 256; b++) {
    byteIds[b] = vocab.lookup(Uint8Array.of(b), 0, 1);
    if (byteIds[b] < 0) throw new Error(`${info.id}: the vocabulary has no token for byte ${b}`);
  }
  const single = header.patterns.length === 1 ? builtinScanner(header.patterns[0]) : undefined;
  const step = (pattern: string) => builtinScanner(pattern) ?? regexScanner(pattern, header.dialect);
  const scanner = single ?? (header.patterns.length === 1 ? step(header.patterns[0]) : sequenceScanner(header.patterns.map(step)));
  return new BpeTokenizer({
    ...info,
    vocabSize: header.vocabSize,
    vocab,
    rules: header.kind === 'ranks' ? new RankRules(vocab) : new PairRules(data.merges, data.results),
    byteIds,
    scanner,
    localScanner: single !== undefined,
    trustWholePieces: header.trustWholePieces,
    addedTokens: header.addedTokens,
    normalization: header.normalization,
  });
}
