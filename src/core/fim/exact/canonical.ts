/**
 * Canonicity tests through the tokenizer's own encoder: a token sequence is valid when encoding its bytes
 * gives it back (fim-exact §1.3), which is exact under prefix-canonicity (§2.1).
 */
import { concatBytes } from '../../text/bytes';
import type { ByteTokenizer } from './types';

export function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  return concatBytes([a, b]);
}

export function sameTokens(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The bytes of a token sequence. */
export function decodeTokens(tokenizer: ByteTokenizer, ids: ArrayLike<number>): Uint8Array {
  return concatBytes(Array.from(ids, (id) => tokenizer.tokenBytes(id)));
}

/** The canonical encoding of `bytes`, or undefined when no token sequence ends exactly there. */
export function canonicalEncoding(tokenizer: ByteTokenizer, bytes: Uint8Array): Uint32Array | undefined {
  if (bytes.length === 0) return new Uint32Array(0);
  const ids = tokenizer.encodeBytes(bytes);
  return sameTokens(decodeTokens(tokenizer, ids), bytes) ? ids : undefined;
}

/** Whether `left ++ [t]` is canonical, where `left` is the canonical encoding of `leftBytes`. */
export function validExtension(tokenizer: ByteTokenizer, leftBytes: Uint8Array, left: Uint32Array, t: number): boolean {
  const ids = tokenizer.encodeBytes(joinBytes(leftBytes, tokenizer.tokenBytes(t)));
  if (ids.length !== left.length + 1 || ids[left.length] !== t) return false;
  for (let i = 0; i < left.length; i++) if (ids[i] !== left[i]) return false;
  return true;
}
