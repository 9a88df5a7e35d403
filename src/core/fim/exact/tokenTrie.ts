/**
 * A byte trie over the vocabulary: which tokens start with given bytes (the cover candidates), and the
 * longest token, which bounds how far back a cover's last token can start. Built once per tokenizer.
 */
import type { ByteTokenizer } from './types';

interface Node {
  children: Map<number, Node>;
  /** Tokens whose bytes end here. */
  ids: number[];
  /** Every token in this subtree, filled on first use. */
  below?: Uint32Array;
}

export interface TokenTrie {
  /** Bytes of the longest token. */
  maxLength: number;
  /** Tokens whose bytes start with `bytes` (the token equal to them included); text tokens only. */
  startingWith(bytes: Uint8Array): Uint32Array;
  /** Every text token (the candidates after an exact end). */
  all(): Uint32Array;
}

const tries = new WeakMap<ByteTokenizer, TokenTrie>();

/** The trie of a tokenizer, cached: the vocabulary does not change. */
export function tokenTrie(tokenizer: ByteTokenizer): TokenTrie {
  let trie = tries.get(tokenizer);
  if (!trie) {
    trie = buildTrie(tokenizer);
    tries.set(tokenizer, trie);
  }
  return trie;
}

function buildTrie(tokenizer: ByteTokenizer): TokenTrie {
  const root: Node = { children: new Map(), ids: [] };
  let maxLength = 0;
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const bytes = tokenizer.tokenBytes(id);
    // Special tokens have no bytes and are never candidates.
    if (bytes.length === 0) continue;
    maxLength = Math.max(maxLength, bytes.length);
    let node = root;
    for (const b of bytes) {
      let next = node.children.get(b);
      if (!next) {
        next = { children: new Map(), ids: [] };
        node.children.set(b, next);
      }
      node = next;
    }
    node.ids.push(id);
  }
  const below = (node: Node): Uint32Array => {
    if (!node.below) {
      const ids: number[] = [...node.ids];
      const stack = [...node.children.values()];
      while (stack.length) {
        const n = stack.pop() as Node;
        ids.push(...n.ids);
        stack.push(...n.children.values());
      }
      node.below = Uint32Array.from(ids.sort((a, b) => a - b));
    }
    return node.below;
  };
  return {
    maxLength,
    startingWith(bytes) {
      let node: Node | undefined = root;
      for (let i = 0; node && i < bytes.length; i++) node = node.children.get(bytes[i]);
      return node ? below(node) : new Uint32Array(0);
    },
    all: () => below(root),
  };
}
