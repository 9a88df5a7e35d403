/**
 * The canonical encoding of a byte string through a text tokenizer.
 *
 * Valid UTF-8 is decoded exactly (no BOM stripping, no replacement characters) and encoded as plain text.
 * A string that ends inside a character (the tail at a byte-level step, or a token that ends mid-character)
 * has no text of its own. Its canonical encoding is defined by completion: encode the text with the
 * character completed, and keep the tokens that end within the string, provided one ends exactly at its
 * end. Completions are tried from the smallest, varying the first missing byte (further missing bytes are
 * 0x80); the first that puts a token boundary there wins. This is exact whenever the boundary does not
 * depend on which character completes the bytes: always for byte fallback (SentencePiece `<0xNN>`) and for
 * byte-level BPE bytes that no merge joins across the cut. Bytes that begin no valid text have no encoding
 * (an empty result).
 */
import { utf8 } from '../../text/utf8';
import type { Tokenizer } from '../../tokenizers/types';
import { pieceBytes } from '../../tokenizers/pieceBytes';
import { equalBytes } from '../../text/bytes';
import { encodeContinuing } from '../encodeText';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NONE = new Uint32Array(0);

function decode(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Valid range of the byte after a lead byte (UTF-8's exclusions of overlongs and surrogates). */
function secondRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

function charLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Where an unfinished last character starts and how long it will be, if the bytes end in one. */
export function unfinishedChar(bytes: Uint8Array): { at: number; length: number } | undefined {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const at = bytes.length - back;
    const length = charLength(bytes[at]);
    if (length === 0) {
      if (bytes[at] >= 0x80 && bytes[at] <= 0xbf) continue;
      return undefined;
    }
    if (back >= length) return undefined;
    const [lo, hi] = secondRange(bytes[at]);
    if (back > 1 && (bytes[at + 1] < lo || bytes[at + 1] > hi)) return undefined;
    for (let k = at + 2; k < bytes.length; k++) if (bytes[k] < 0x80 || bytes[k] > 0xbf) return undefined;
    return { at, length };
  }
  return undefined;
}

/** The completions of an unfinished character, smallest first (the first missing byte varies). */
function* completions(bytes: Uint8Array, at: number, length: number): Generator<Uint8Array> {
  const have = bytes.length - at;
  const [lo, hi] = have === 1 ? secondRange(bytes[at]) : [0x80, 0xbf];
  for (let b = lo; b <= hi; b++) {
    const out = new Uint8Array(at + length).fill(0x80);
    out.set(bytes);
    out[bytes.length] = b;
    yield out;
  }
}

export interface EncodeBytesOptions {
  /**
   * The tokenizer adds SentencePiece's dummy space before text. The bytes are encoded without it, as text
   * that continues other text: the tail starts the middle, which CodeLlama encodes with no dummy space, and
   * a leading space is then an ordinary one.
   */
  spacePrefix?: boolean;
}

/** A canonical byte encoder (`ByteTokenizer.encodeBytes`) over a text tokenizer, special-token text as plain text. */
export function encodeBytesWith(tokenizer: Tokenizer, options: EncodeBytesOptions = {}): (bytes: Uint8Array) => Uint32Array {
  // The token of the added space alone: SentencePiece's "▁", not the byte-fallback token <0x20>.
  let spaceId: number | undefined | null = null;
  const space = (): number | undefined => {
    if (spaceId === null) {
      const ids: number[] = [];
      for (let id = 0; id < tokenizer.vocabSize; id++) {
        const b = tokenizer.tokenBytes(id);
        if (b?.length === 1 && b[0] === 0x20 && tokenizer.specialToken(id) === undefined) ids.push(id);
      }
      const first = tokenizer.encode('\n')[0];
      spaceId = ids.includes(first) ? first : ids[ids.length - 1];
    }
    return spaceId;
  };
  const encodeText = (text: string): Uint32Array => {
    if (!options.spacePrefix) return tokenizer.encode(text);
    if (text === ' ') {
      const id = space();
      return id === undefined ? NONE : Uint32Array.of(id);
    }
    // A leading space is what the dummy space encodes to; other text needs the dummy space kept off.
    if (text[0] === ' ') return tokenizer.encode(text.slice(1));
    const ids = encodeContinuing(tokenizer, text);
    // Its fallback is a plain encode, dummy space included: no encoding of these bytes then.
    return equalBytes(pieceBytes(tokenizer, ids), utf8(text)) ? ids : NONE;
  };
  return (bytes) => {
    if (bytes.length === 0) return NONE;
    const text = decode(bytes);
    if (text !== undefined) return encodeText(text);
    const unfinished = unfinishedChar(bytes);
    if (!unfinished || decode(bytes.subarray(0, unfinished.at)) === undefined) return NONE;
    for (const completed of completions(bytes, unfinished.at, unfinished.length)) {
      const ids = encodeText(decode(completed) as string);
      let end = 0;
      for (let k = 0; k < ids.length && end < bytes.length; k++) {
        end += tokenizer.tokenBytes(ids[k])?.length ?? 0;
        if (end === bytes.length) return ids.slice(0, k + 1);
      }
    }
    return NONE;
  };
}
