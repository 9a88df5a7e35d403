/**
 * A token's vocabulary piece as the tokenizer writes it: byte-level BPE pieces map each byte through
 * GPT-2's byte-to-unicode table (`Ġ` for a space, `Ċ` for a newline); SentencePiece writes a space as
 * `▁` and a byte it has no piece for as `<0xF0>`.
 */
import { byteLevelAlphabet } from '../tokenizers/hf/tokenizerJson';
import type { Tokenizer } from '../tokenizers/types';

/**
 * `special`: the special token's text; `tokenizer`: the tokenizer's own piece; `byte-level`: mapped
 * from the bytes; `sentencepiece`: rebuilt from the bytes the SentencePiece way (the tokenizer does not
 * give its pieces, so a WordPiece or Unigram vocabulary may write it differently).
 */
export type PieceForm = 'special' | 'tokenizer' | 'byte-level' | 'sentencepiece';

/** A tokenizer that can give its vocabulary pieces (optional; none of the core's does yet). */
interface WithPieces {
  vocabPiece?(id: number): string | undefined;
}

let toChar: string[] | undefined;

export function byteLevelPiece(bytes: Uint8Array): string {
  toChar ??= byteLevelAlphabet().toChar;
  let out = '';
  for (const b of bytes) out += toChar[b];
  return out;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Byte-fallback pieces are written `<0xF0>`, one per byte. */
const bytePieces = (bytes: Uint8Array) => Array.from(bytes, (b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`).join('');

/**
 * The SentencePiece form of a token's bytes: `<0x0D>` for an id in the byte-fallback block (even for a
 * byte that is a whole character), else the text with `▁` for spaces.
 */
export function sentencePiece(tokenizer: Tokenizer, id: number, bytes: Uint8Array): string {
  const base = byteFallbackBase(tokenizer);
  if (base >= 0 && bytes.length === 1 && id === base + bytes[0]) return bytePieces(bytes);
  try {
    return strict.decode(bytes).replace(/ /g, '\u2581');
  } catch {
    return bytePieces(bytes);
  }
}

const fallbackBases = new WeakMap<Tokenizer, number>();

/**
 * The id of `<0x00>` when the tokenizer has a byte-fallback block (ids `base + byte`), else -1. Found
 * by encoding U+10FFFF, which no vocabulary holds: byte fallback writes it as its four bytes.
 */
function byteFallbackBase(tokenizer: Tokenizer): number {
  let base = fallbackBases.get(tokenizer);
  if (base === undefined) {
    const probe = [0xf4, 0x8f, 0xbf, 0xbf];
    let ids: Uint32Array = new Uint32Array();
    try {
      ids = tokenizer.encode('\u{10ffff}');
    } catch {
      // A tokenizer that cannot encode it has no fallback we can find.
    }
    const fits = ids.length === 4 && probe.every((b, k) => ids[k] - b === ids[0] - probe[0] && tokenizer.tokenBytes(ids[k])?.join() === String(b));
    base = fits ? ids[0] - probe[0] : -1;
    fallbackBases.set(tokenizer, base);
  }
  return base;
}

export function vocabularyPiece(tokenizer: Tokenizer, id: number, bytes: Uint8Array): { piece: string; form: PieceForm } {
  const special = tokenizer.specialToken(id);
  if (special !== undefined) return { piece: special, form: 'special' };
  const own = (tokenizer as Tokenizer & WithPieces).vocabPiece?.(id);
  if (own !== undefined) return { piece: own, form: 'tokenizer' };
  // Our BPE engine (the tokenizers with `pieces`) runs byte-level vocabularies only.
  if (tokenizer.pieces) return { piece: byteLevelPiece(bytes), form: 'byte-level' };
  return { piece: sentencePiece(tokenizer, id, bytes), form: 'sentencepiece' };
}
