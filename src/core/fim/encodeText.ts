/**
 * User text as token ids for a FIM prompt: special-token text stays text, and a chunk that continues other
 * text gets no SentencePiece dummy space (CodeLlama's `encode_infilling`). Also which tokens healing may
 * use for typed text.
 */
import type { Tokenizer } from '../tokenizers/types';
import { utf8 } from '../text/utf8';

const leading = new WeakMap<Tokenizer, boolean>();

/** Whether `encode` puts a space before the text (SentencePiece's dummy prefix). */
export function addsLeadingSpace(tokenizer: Tokenizer): boolean {
  let v = leading.get(tokenizer);
  if (v === undefined) {
    const bytes = tokenizer.decodeBytes(tokenizer.encode('a'));
    v = bytes.length === 2 && bytes[0] === 0x20;
    leading.set(tokenizer, v);
  }
  return v;
}

const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

// Characters put before the text and cut off again: each must end up in tokens of its own.
const MARKERS = ['\n', '\u263a', '\u0001', '#'];

/** Encodes text that continues other text: no dummy space. Falls back to a plain encode if no marker separates. */
export function encodeContinuing(tokenizer: Tokenizer, text: string): Uint32Array {
  if (text.length === 0) return new Uint32Array(0);
  if (!addsLeadingSpace(tokenizer)) return tokenizer.encode(text);
  const want = utf8(text);
  for (const marker of MARKERS) {
    const ids = tokenizer.encode(marker + text);
    const head = utf8(' ' + marker);
    let bytes = 0;
    for (let k = 0; k < ids.length && bytes <= head.length; k++) {
      if (bytes === head.length) {
        const rest = ids.slice(k);
        if (equalBytes(tokenizer.decodeBytes(rest), want)) return rest;
        break;
      }
      bytes += tokenizer.tokenBytes(ids[k])?.length ?? 0;
    }
  }
  return tokenizer.encode(text);
}

export interface UserEncoding {
  ids: Uint32Array;
  /** How many special-token texts in the user's text were kept as text by splitting them. */
  escaped: number;
}

/**
 * Encodes user text with special-token parsing off. Some vocabularies match added tokens even then (Qwen's
 * and DeepSeek's tokenizer.json mark their FIM tokens not special); any id `forbidden` says must not come
 * from text is split after its first character and encoded as text.
 */
export function encodeUserText(tokenizer: Tokenizer, text: string, continuing: boolean, forbidden: (id: number) => boolean): UserEncoding {
  const encode = (t: string, cont: boolean) => (cont ? encodeContinuing(tokenizer, t) : tokenizer.encode(t));
  let ids = encode(text, continuing);
  const bad = new Set<string>();
  for (const id of ids) {
    if (!forbidden(id)) continue;
    const t = tokenizer.specialToken(id) ?? new TextDecoder().decode(tokenizer.tokenBytes(id));
    if (t.length > 1) bad.add(t);
  }
  if (bad.size === 0) return { ids, escaped: 0 };
  const cuts = new Set<number>();
  for (const t of bad) for (let at = text.indexOf(t); at >= 0; at = text.indexOf(t, at + 1)) cuts.add(at + 1);
  const points = [0, ...[...cuts].sort((a, b) => a - b), text.length];
  const parts: Uint32Array[] = [];
  for (let i = 0; i + 1 < points.length; i++) parts.push(encode(text.slice(points[i], points[i + 1]), i > 0 || continuing));
  ids = new Uint32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    ids.set(p, at);
    at += p.length;
  }
  return { ids, escaped: cuts.size };
}

/** UTF-8 length of a character from its first byte; 0 for a byte that cannot start one. */
const charLength = (b: number) => (b < 0x80 ? 1 : b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0);

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
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < text.length; ) {
    const n = charLength(text[i]);
    let ch: string | undefined;
    try {
      ch = n > 0 && i + n <= text.length ? decoder.decode(text.subarray(i, i + n)) : undefined;
    } catch {
      ch = undefined;
    }
    if (ch === undefined) {
      i++;
      continue;
    }
    let piece = pieceOf.get(ch);
    if (piece === undefined) {
      const ids = encodeContinuing(tokenizer, ch);
      piece = ids.length === 1 && equalBytes(tokenizer.tokenBytes(ids[0]) ?? new Uint8Array(0), utf8(ch)) ? ids[0] : -1;
      pieceOf.set(ch, piece);
    }
    charEnd.fill(i + n, i, i + n);
    own.fill(piece, i, i + n);
    i += n;
  }
  return (id, bytes, at) => at >= text.length || own[at] < 0 || at + bytes.length > charEnd[at] || id === own[at];
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
      const own = new Map<number, number>();
      for (let b = 0; b < 0x80; b++) {
        const enc = encodeContinuing(tokenizer, String.fromCharCode(b));
        if (enc.length === 1 && equalBytes(tokenizer.tokenBytes(enc[0]) ?? new Uint8Array(0), Uint8Array.of(b))) own.set(b, enc[0]);
      }
      for (let id = 0; id < tokenizer.vocabSize; id++) {
        const bytes = tokenizer.tokenBytes(id);
        if (bytes?.length !== 1 || tokenizer.specialToken(id) !== undefined) continue;
        const piece = own.get(bytes[0]);
        if (piece !== undefined && piece !== id) ids.push(id);
      }
    }
    unused.set(tokenizer, ids);
  }
  return ids;
}
