/** Exact byte-level probabilities from a token model (fim-exact): covers and the next-byte distribution. */
export { coverEncodings } from './covers';
export { exactNextByteDistribution, END_OF_TEXT } from './nextByte';
export { memoizedModel } from './memoModel';
export { sampleCover } from './sampleCover';
export { tokenModelFromBackend, partialModelFromBackend, byteTokenizerFromInfo, encodeBytesWith } from './tokenModel';
export { cachedPartialModel, partialModelOf, type PartialDistribution, type PartialTokenModel } from './partial';
export { boundedNextBytes, certifiedFirstStep, DEFAULT_SCHEDULE, newCertifiedStats, prepareCertified, type CertifiedStats, type FirstStep } from './certified';
export type { ByteTokenizer, Cover, ExactOptions, TokenModel } from './types';
export { IncrementalByteState } from './incremental';
export { tokenTrie } from './tokenTrie';
