/**
 * A cache key for a file's bytes: its length and two 32-bit hashes of the content, so that a file whose
 * bytes did not change is not counted again. Hashing runs at memory speed, far faster than encoding,
 * and a false match needs equal lengths and both hashes to collide.
 */
export function contentKey(bytes: Uint8Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  const n = bytes.length;
  let i = 0;
  // Four bytes at a time; two multipliers make the hashes independent enough for 64 bits of key.
  for (const last = n - 3; i < last; i += 4) {
    const w = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 ^ w, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  for (; i < n; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 0x01000193);
    h2 = Math.imul(h2 ^ bytes[i], 0x5bd1e995);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
  return `${n}:${(h1 >>> 0).toString(36)}:${(h2 >>> 0).toString(36)}`;
}
