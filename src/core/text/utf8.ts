/** UTF-16 ↔ UTF-8 arithmetic without allocating strings. A lone surrogate counts as U+FFFD (3 bytes). */

/** UTF-8 width of the character at `i`, and (through `unitsOf`) its UTF-16 width. */
export function utf8WidthAt(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < end) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d < 0xe000) return 4;
  }
  return 3;
}

/** UTF-16 width of the character at `i`: 2 for a surrogate pair, else 1. */
export function unitsAt(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < end) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d < 0xe000) return 2;
  }
  return 1;
}

/** Writes the UTF-8 bytes of `text[start..end)` into `out` at 0; returns the byte count. `out` must hold 3 × (end − start). */
export function encodeUtf8Into(text: string, start: number, end: number, out: Uint8Array): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c < 0xe000) {
      const d = i + 1 < end ? text.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 63);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      } else {
        out[n++] = 0xef;
        out[n++] = 0xbf;
        out[n++] = 0xbd;
      }
    } else {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    }
  }
  return n;
}

const encoder = new TextEncoder();
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

// ignoreBOM keeps a leading U+FEFF: in a token's bytes it is the token's text (Gemma has one), not a byte order mark.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
/** UTF-8 bytes as text, each invalid sequence as U+FFFD, a leading U+FEFF kept. */
export const decodeUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);
