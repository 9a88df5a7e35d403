/** Token text made visible: escapes for invisible characters, hex for bytes. */

/** Characters shown as `\u{…}`: controls, format characters (ZWJ, BOM), separators other than the space, variation selectors, lone surrogates. */
const INVISIBLE = /^(?:[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\uFE00-\uFE0F\u{E0100}-\u{E01EF}]|(?! )\p{Zs})$/u;
const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\\': '\\\\' };
/** Stands for a space at either end of a token, where it would be invisible. */
export const VISIBLE_SPACE = '\u2423';

/**
 * The text with `\n`, `\t`, `\r` and invisible characters escaped (a backslash doubled, so that escapes
 * stay unambiguous) and spaces at either end shown as `␣`.
 */
export function escapeTokenText(text: string): string {
  let lead = 0;
  while (lead < text.length && text.charCodeAt(lead) === 32) lead++;
  let trail = 0;
  while (trail < text.length - lead && text.charCodeAt(text.length - 1 - trail) === 32) trail++;
  let out = VISIBLE_SPACE.repeat(lead);
  for (const ch of text.slice(lead, text.length - trail)) {
    const named = NAMED[ch];
    if (named) out += named;
    else if (INVISIBLE.test(ch)) out += `\\u{${(ch.codePointAt(0) as number).toString(16)}}`;
    else out += ch;
  }
  return out + VISIBLE_SPACE.repeat(trail);
}

/** Bytes as lower-case hex pairs (`e3 81 82`), the first `max` of them and a count of the rest. */
export function hexBytes(bytes: Uint8Array, max = 64): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} … (${bytes.length - max} more)` : shown;
}

/** `U+1F600`. */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** UTF-8 text where the bytes are whole characters, `\xNN` for each byte that is not. */
export function readableBytes(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
    const char = len > 0 && i + len <= bytes.length ? decodeStrict(bytes.subarray(i, i + len)) : undefined;
    if (char !== undefined) {
      out += char;
      i += len;
    } else {
      out += `\\x${b.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

const strict = new TextDecoder('utf-8', { fatal: true });

function decodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}
