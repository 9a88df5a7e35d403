/**
 * Which tokens token healing may use for typed text. SentencePiece writes a character that has a piece of
 * its own as that piece, and only the others as byte-fallback tokens: a model has learnt next to nothing
 * after a spelling no encoding holds.
 */
import type { Tokenizer } from '../tokenizers/types';
import { utf8 } from '../text/utf8';
import { equalBytes } from '../text/bytes';
import { encodeContinuing } from './encodeText';

/** UTF-8 length of a character from its first byte; 0 for a byte that cannot start one. */
const charLength = (b: number) => (b < 0x80 ? 1 : b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0);
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The whole characters of UTF-8 `text` with their byte offsets; bytes that are not one are skipped. */
function* characters(text: Uint8Array): Generator<{ at: number; length: number; ch: string }> {
  for (let at = 0; at < text.length; ) {
    const length = charLength(text[at]);
    let ch: string | undefined;
    try {
      ch = length > 0 && at + length <= text.length ? strict.decode(text.subarray(at, at + length)) : undefined;
    } catch {
      ch = undefined;
    }
    if (ch !== undefined) yield { at, length, ch };
    at += ch === undefined ? 1 : length;
  }
}

/**
 * For token healing over `text` (UTF-8): whether token `id`, with `bytes`, can stand for the text at byte
 * `at`. SentencePiece writes a character that has a piece of its own as that piece, and only the others as
 * byte-fallback tokens (fim-exact §2.4): `<0x74>` spells "t" but no encoding holds it, so the model has
 * learnt next to nothing after it. A token inside such a character must be its piece. Byte-level BPE (a
 * tokenizer with pre-tokenizer pieces) can split a character by context and is not restricted.
 */
export function producibleAt(tokenizer: Tokenizer, text: Uint8Array): (id: number, bytes: Uint8Array, at: number) => boolean {
  if (tokenizer.pieces) return () => true;
  // For each byte: the end of its character and the character's own piece (-1: none, or not a character).
  const charEnd = new Int32Array(text.length);
  const own = new Int32Array(text.length).fill(-1);
  const pieceOf = new Map<string, number>();
  for (const { at, length, ch } of characters(text)) {
    let piece = pieceOf.get(ch);
    if (piece === undefined) {
      piece = ownPiece(tokenizer, ch) ?? -1;
      pieceOf.set(ch, piece);
    }
    charEnd.fill(at + length, at, at + length);
    own.fill(piece, at, at + length);
  }
  return (id, bytes, at) => at >= text.length || own[at] < 0 || at + bytes.length > charEnd[at] || id === own[at];
}

const byteTokens = new WeakMap<Tokenizer, Map<number, number[]>>();

/** Each byte's single-byte tokens, special tokens left out (none for byte-level BPE, which is not restricted). */
function singleByteTokens(tokenizer: Tokenizer): Map<number, number[]> {
  let out = byteTokens.get(tokenizer);
  if (out === undefined) {
    out = new Map();
    if (!tokenizer.pieces) {
      for (let id = 0; id < tokenizer.vocabSize; id++) {
        const bytes = tokenizer.tokenBytes(id);
        if (bytes?.length !== 1 || tokenizer.specialToken(id) !== undefined) continue;
        const ids = out.get(bytes[0]);
        if (ids) ids.push(id);
        else out.set(bytes[0], [id]);
      }
    }
    byteTokens.set(tokenizer, out);
  }
  return out;
}

/** The piece of its own that spells `ch` alone, if it has one. */
function ownPiece(tokenizer: Tokenizer, ch: string): number | undefined {
  const ids = encodeContinuing(tokenizer, ch);
  return ids.length === 1 && equalBytes(tokenizer.tokenBytes(ids[0]) ?? new Uint8Array(0), utf8(ch)) ? ids[0] : undefined;
}

const unused = new WeakMap<Tokenizer, number[]>();

/**
 * Byte-fallback tokens that no encoding holds: those for an ASCII character that has a piece of its own
 * (SentencePiece's `<0x74>` next to "t"). A grammar matches text, so it admits them; a ban keeps
 * constrained generation on the model's own spelling. Empty for byte-level BPE.
 */
export function unusedByteTokens(tokenizer: Tokenizer): number[] {
  let ids = unused.get(tokenizer);
  if (ids === undefined) {
    ids = [];
    if (!tokenizer.pieces) {
      for (const [b, tokens] of singleByteTokens(tokenizer)) {
        const piece = b < 0x80 ? ownPiece(tokenizer, String.fromCharCode(b)) : undefined;
        if (piece !== undefined) ids.push(...tokens.filter((id) => id !== piece));
      }
      ids.sort((a, b) => a - b);
    }
    unused.set(tokenizer, ids);
  }
  return ids;
}

/**
 * The byte tokens to ban while a grammar heals `tail` (UTF-8): `unusedByteTokens`, and the byte-fallback
 * tokens of the tail's non-ASCII characters that have a piece of their own, which no encoding spells in
 * bytes (as `producibleAt` rules on the distributions path). The ban holds for the whole generation, so a
 * character without a piece that shares such a byte cannot follow the tail: rarer than a wrong spelling.
 */
export function bannedByteTokensFor(tokenizer: Tokenizer, tail: Uint8Array): number[] {
  const base = unusedByteTokens(tokenizer);
  if (tokenizer.pieces) return base;
  const banned = new Set<number>();
  const byByte = singleByteTokens(tokenizer);
  for (const { at, length, ch } of characters(tail)) {
    if (length < 2 || ownPiece(tokenizer, ch) === undefined) continue;
    for (const b of tail.subarray(at, at + length)) for (const id of byByte.get(b) ?? []) banned.add(id);
  }
  if (banned.size === 0) return base;
  for (const id of base) banned.add(id);
  return [...banned].sort((a, b) => a - b);
}
