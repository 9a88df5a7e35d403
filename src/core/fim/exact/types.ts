/**
 * The two narrow interfaces the exact byte-level method needs: a token model that gives full next-token
 * distributions, and the byte view of its tokenizer. Nothing here knows about engines or pre-tokenizers.
 */

export interface TokenModel {
  /** The end-of-text id; its probability is the probability that the text ends. */
  eosId: number;
  /**
   * One full next-token distribution per context (indexed by id). The empty context means the start of
   * text. The signal, when given, may end the call early.
   */
  nextTokenProbs(contexts: Uint32Array[], signal?: AbortSignal): Promise<Float64Array[]>;
}

export interface ByteTokenizer {
  /** Number of ids, special tokens included. */
  vocabSize: number;
  /** The exact bytes of an id; empty for special tokens (end of text among them), which never stand for text. */
  tokenBytes(id: number): Uint8Array;
  /**
   * The canonical encoding of a byte string. When no token sequence can end exactly at the end of `bytes`
   * (bytes that are not a prefix of any text), it returns tokens that do not decode to `bytes`, such as
   * an empty array: callers check that the result decodes back.
   */
  encodeBytes(bytes: Uint8Array): Uint32Array;
}

/** A cover of the tail: tokens whose text starts with it, the last one reaching or passing its end. */
export interface Cover {
  tokens: Uint32Array;
  /** log P(tokens | head): the probability that generation after the head starts with these tokens. */
  logProb: number;
  /** The bytes of the last token beyond the end of the tail (possibly empty). */
  remainder: Uint8Array;
}

export interface ExactOptions {
  /**
   * Renormalize each token conditional over the tokens that keep the sequence canonical (and end of
   * text). Off by default: the mask alone is the method; this is the "local canonicalization" variant.
   */
  renormalize?: boolean;
}
