/**
 * User text as token ids for a FIM prompt: special-token text stays text, and a chunk that continues other
 * text gets no SentencePiece dummy space (CodeLlama's `encode_infilling`).
 */
import { pieceBytes } from '../tokenizers/pieceBytes';
import type { Tokenizer } from '../tokenizers/types';
import { equalBytes } from '../text/bytes';
import { decodeUtf8, utf8 } from '../text/utf8';

const leading = new WeakMap<Tokenizer, boolean>();

/** Whether `encode` puts a space before the text (SentencePiece's dummy prefix). */
export function addsLeadingSpace(tokenizer: Tokenizer): boolean {
  let v = leading.get(tokenizer);
  if (v === undefined) {
    const bytes = pieceBytes(tokenizer, tokenizer.encode('a'));
    v = bytes.length === 2 && bytes[0] === 0x20;
    leading.set(tokenizer, v);
  }
  return v;
}


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
        if (equalBytes(pieceBytes(tokenizer, rest), want)) return rest;
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
    const t = tokenizer.specialToken(id) ?? decodeUtf8(tokenizer.tokenBytes(id) ?? new Uint8Array(0));
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
