/** What every tokenizer offers, whatever engine is behind it. Offsets are UTF-16 code units. */

export interface TokenizerInfo {
  /** Registry id (`o200k_base`, `llama3`) or the path a local file was loaded from. */
  id: string;
  name: string;
  family: string;
  /** False for estimates (the legacy Claude tokenizer): counts are then approximate and say so. */
  exact: boolean;
  /** Number of ids, special tokens included. */
  vocabSize: number;
}

export interface TokenSpans {
  ids: Uint32Array;
  /** UTF-16 start of each token. */
  starts: Uint32Array;
  /** UTF-16 end (exclusive) of each token. */
  ends: Uint32Array;
  /**
   * 1 where the token holds only part of a character (byte-level BPE splitting an emoji, a byte-fallback
   * piece): its range is then that of the whole character, shared with its neighbours.
   */
  partial: Uint8Array;
}

export interface EncodeOptions {
  /**
   * Special-token text such as `<|endoftext|>` is ordinary text unless this is true, as an API treats
   * user content. Added tokens that a tokenizer.json marks as not special are always matched, as the
   * reference implementation does.
   */
  parseSpecialTokens?: boolean;
}

export interface Tokenizer extends TokenizerInfo {
  encode(text: string, options?: EncodeOptions): Uint32Array;
  count(text: string, options?: EncodeOptions): number;
  tokenize(text: string, options?: EncodeOptions): TokenSpans;
  /** The text's bytes as the reference decoder gives them (SentencePiece drops its dummy prefix space); `tokenBytes` gives pieces as they are. */
  decodeBytes(ids: ArrayLike<number>): Uint8Array;
  /** The raw bytes of one id (its vocabulary piece), or undefined for an unknown id. */
  tokenBytes(id: number): Uint8Array | undefined;
  /** The special token with this id, if it is one. */
  specialToken(id: number): string | undefined;
  /**
   * Incremental re-encoding support, present when the tokenizer splits text into pieces that are encoded
   * independently (every BPE with a pre-tokenizer). See `DocumentTokens`.
   */
  readonly pieces?: PieceEncoder;
  /** What loading it found worth telling the user once (a GGUF's tokens typed control as llama.cpp types them). */
  readonly notes?: readonly string[];
}

/** Flags of a token in a `PieceSink`. */
export const PIECE_START = 1;
/** The token ends inside a character (or a normalized run): the next token completes it. */
export const ENDS_MID_CHAR = 2;

/**
 * Receives tokens as they are produced: the id, the UTF-16 units it completes (a character split across
 * tokens belongs to the token that completes it, so a token can have 0 units) and its flags.
 */
export type PieceSink = (id: number, units: number, flags: number) => void;

/**
 * Which window boundaries an encoding may stop at. An object rather than a callback: a fresh closure per
 * call would be inlined into optimized code and deoptimize it when collected.
 */
export interface StopRule {
  canStop(boundary: number): boolean;
}

/** Tokens of a window: ids, UTF-16 units completed, flags. */
export interface WindowTokens {
  ids: Uint32Array;
  units: Uint32Array;
  flags: Uint8Array;
  /** Where the window's tokens end (a piece boundary), relative to the window. */
  stop: number;
}

/**
 * The part of a tokenizer that `DocumentTokens` needs: encode a window of a document that starts at a
 * restart point, and say where a window may restart.
 */
export interface PieceEncoder {
  /**
   * Encodes `text` (a stretch of a document starting at a restart point; `atEnd` when it reaches the
   * document's end) up to the first piece boundary `b >= stopAt` that is a restart point for which
   * `stops.canStop(b)` holds. Returns undefined when the window is too short to decide: give it more text.
   */
  encodeWindow(text: string, atEnd: boolean, stopAt: number, stops: StopRule): WindowTokens | undefined;
  /** Encodes a whole text, streaming its tokens (for building a document's tokens the first time). */
  encodeAll(text: string, sink: PieceSink): void;
  /** True when scanning may restart at a piece boundary `at` of `text` without the text before it. */
  isRestartPoint(text: string, at: number): boolean;
  /** How many UTF-16 units of context a window needs before an edit and after a stop. */
  readonly restartMargin: number;
}
