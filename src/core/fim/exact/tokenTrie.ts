/**
 * Which tokens start with given bytes (the cover candidates), and the longest token, which bounds how far
 * back a cover's last token can start. Built once per tokenizer, in one counting pass: text tokens grouped by
 * their first two bytes, so that a query reads one contiguous range (a node-per-byte trie of a 150k
 * vocabulary takes half a second and a million Maps).
 */
import { bytesKey } from '../../text/bytes';
import type { ByteTokenizer } from './types';

export interface TokenTrie {
  /** Bytes of the longest token. */
  maxLength: number;
  /** Tokens whose bytes start with `bytes` (the token equal to them included), in id order; text tokens only. */
  startingWith(bytes: Uint8Array): Uint32Array;
  /** Every text token, in id order (the candidates after an exact end). */
  all(): Uint32Array;
}

const tries = new WeakMap<ByteTokenizer, TokenTrie>();

/** The index of a tokenizer, cached: the vocabulary does not change. */
export function tokenTrie(tokenizer: ByteTokenizer): TokenTrie {
  let trie = tries.get(tokenizer);
  if (!trie) {
    trie = buildIndex(tokenizer);
    tries.set(tokenizer, trie);
  }
  return trie;
}

/** Group of a token: its first byte, then its second (a one-byte token first of its byte's groups). */
const SPAN = 257;
const groupOf = (bytes: Uint8Array) => bytes[0] * SPAN + (bytes.length > 1 ? bytes[1] + 1 : 0);

/** Answers kept per prefix: a keystroke asks for the same few dozen. */
const CACHED = 4096;

function buildIndex(tokenizer: ByteTokenizer): TokenTrie {
  const start = new Int32Array(256 * SPAN + 1);
  const text: number[] = [];
  let maxLength = 0;
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const bytes = tokenizer.tokenBytes(id);
    // Special tokens have no bytes and are never candidates.
    if (bytes.length === 0) continue;
    maxLength = Math.max(maxLength, bytes.length);
    text.push(id);
    start[groupOf(bytes) + 1]++;
  }
  for (let g = 0; g < 256 * SPAN; g++) start[g + 1] += start[g];
  const order = new Uint32Array(text.length);
  const fill = start.slice(0, 256 * SPAN);
  for (const id of text) order[fill[groupOf(tokenizer.tokenBytes(id))]++] = id;
  const all = Uint32Array.from(text);
  const cache = new Map<string, Uint32Array>();
  const query = (bytes: Uint8Array): Uint32Array => {
    const first = bytes[0] * SPAN;
    const [lo, hi] = bytes.length === 1 ? [start[first], start[first + SPAN]] : [start[first + bytes[1] + 1], start[first + bytes[1] + 2]];
    const out: number[] = [];
    for (let i = lo; i < hi; i++) {
      const id = order[i];
      if (bytes.length <= 2 || startsWithAfterGroup(tokenizer.tokenBytes(id), bytes)) out.push(id);
    }
    return Uint32Array.from(out).sort();
  };
  return {
    maxLength,
    startingWith(bytes) {
      if (bytes.length === 0) return all;
      if (bytes.length > maxLength) return new Uint32Array(0);
      const key = bytesKey(bytes);
      let ids = cache.get(key);
      if (!ids) {
        if (cache.size >= CACHED) cache.clear();
        cache.set(key, (ids = query(bytes)));
      }
      return ids;
    },
    all: () => all,
  };
}

/** Whether `bytes` starts with `prefix`, the first two bytes (the group's) known to agree. */
function startsWithAfterGroup(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 2; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
