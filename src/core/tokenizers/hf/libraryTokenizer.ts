/**
 * Tokenizers our BPE engine does not run (SentencePiece-style BPE with byte fallback such as Gemma,
 * WordPiece, Unigram) go through Hugging Face's own JavaScript library.
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { unitsAt, utf8, utf8WidthAt } from '../../text/utf8';
import { spansFromUnits } from '../bpe/bpeTokenizer';
import { ENDS_MID_CHAR, type EncodeOptions, type TokenSpans, type Tokenizer, type TokenizerInfo } from '../types';
import { byteLevelAlphabet, checkTokenizerJson } from './tokenizerJson';
import { concatBytes } from '../../text/bytes';

interface JsonAddedToken {
  id: number;
  content: string;
  special?: boolean;
}

export class LibraryTokenizer implements Tokenizer {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly exact: boolean;
  readonly vocabSize: number;
  /** With special tokens removed from the added vocabulary, so that their text is encoded as text. */
  private readonly asText: HfTokenizer;
  private readonly parsing: HfTokenizer;
  private readonly specials = new Map<number, string>();
  private readonly pieceBytes: (piece: string) => Uint8Array;
  /** A one-character `Replace` normalizer (Gemma writes spaces as U+2581): offsets are walked on replaced text. */
  private readonly replace?: [string, string];

  constructor(raw: unknown, info: Omit<TokenizerInfo, 'vocabSize'>, config: object = {}) {
    const json = checkTokenizerJson(raw, info.id);
    this.id = info.id;
    this.name = info.name;
    this.family = info.family;
    this.exact = info.exact;
    const added = (json.added_tokens as JsonAddedToken[] | undefined) ?? [];
    for (const t of added) if (t.special) this.specials.set(t.id, t.content);
    this.parsing = new HfTokenizer(json, config);
    this.asText = new HfTokenizer({ ...json, added_tokens: added.filter((t) => !t.special) }, config);
    this.vocabSize = this.parsing.get_vocab(true).size;
    const norm = json.normalizer as { type?: string; pattern?: { String?: string }; content?: string } | null;
    const from = norm?.type === 'Replace' ? norm.pattern?.String : undefined;
    if (from?.length === 1 && norm?.content?.length === 1) this.replace = [from, norm.content];
    this.pieceBytes = pieceDecoder(JSON.stringify(json.decoder ?? null));
  }

  encode(text: string, options?: EncodeOptions): Uint32Array {
    const tokenizer = options?.parseSpecialTokens ? this.parsing : this.asText;
    // The library mishandles lone surrogates; UTF-8 makes them U+FFFD, of the same UTF-16 length.
    return Uint32Array.from(tokenizer.encode(text.toWellFormed(), { add_special_tokens: false }).ids);
  }

  count(text: string, options?: EncodeOptions): number {
    return this.encode(text, options).length;
  }

  tokenize(original: string, options?: EncodeOptions): TokenSpans {
    const ids = this.encode(original, options);
    const text = this.replace ? original.split(this.replace[0]).join(this.replace[1]) : original;
    const units = new Uint32Array(ids.length);
    const flags = new Uint8Array(ids.length);
    // Walk the text's bytes alongside the tokens' bytes.
    let ci = 0;
    let carried = 0;
    for (let t = 0; t < ids.length; t++) {
      let rest = this.walkLength(ids[t]);
      while (rest > 0 && ci < text.length) {
        const left = utf8WidthAt(text, ci, text.length) - carried;
        if (rest >= left) {
          rest -= left;
          carried = 0;
          const u = unitsAt(text, ci, text.length);
          ci += u;
          units[t] += u;
        } else {
          carried += rest;
          rest = 0;
        }
      }
      if (carried > 0) flags[t] = ENDS_MID_CHAR;
    }
    return spansFromUnits(original, ids, units, flags);
  }

  /** The UTF-8 length of a token in the text the offsets are walked on. */
  private walkLength(id: number): number {
    const piece = this.replace && !this.specials.has(id) ? this.parsing.id_to_token(id) : undefined;
    if (piece === undefined || /^<0x[0-9A-Fa-f]{2}>$/.test(piece)) return this.tokenBytes(id)?.length ?? 0;
    return utf8(piece).length;
  }

  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    return concatBytes(Array.from(ids, (id) => this.tokenBytes(id) ?? new Uint8Array()));
  }

  tokenBytes(id: number): Uint8Array | undefined {
    const special = this.specials.get(id);
    if (special !== undefined) return utf8(special);
    const piece = this.parsing.id_to_token(id);
    return piece === undefined ? undefined : this.pieceBytes(piece);
  }

  specialToken(id: number): string | undefined {
    return this.specials.get(id);
  }
}

/** How a vocabulary piece turns back into the bytes of the text, following the decoder. */
function pieceDecoder(decoder: string): (piece: string) => Uint8Array {
  if (decoder.includes('"ByteLevel"')) {
    const { toByte } = byteLevelAlphabet();
    return (piece) => Uint8Array.from(piece, (c) => toByte.get(c) ?? 63);
  }
  const byteFallback = decoder.includes('"ByteFallback"');
  const wordPiece = decoder.includes('"WordPiece"');
  return (piece) => {
    const fallback = byteFallback && /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
    if (fallback) return Uint8Array.of(parseInt(fallback[1], 16));
    if (wordPiece && piece.startsWith('##')) return utf8(piece.slice(2));
    return utf8(piece.replace(/\u2581/g, ' '));
  };
}
