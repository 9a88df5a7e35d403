/** Token text made visible for hovers and the CLI. */

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
// Controls, format characters (ZWJ, BOM), line and paragraph separators, lone surrogates, and spaces other than U+0020.
const INVISIBLE = /^(?:[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]|(?! )\p{Zs})$/u;

/**
 * Shows `text` with nothing hidden: `\n`, `\r`, `\t`, other invisible characters as `\u{1F}`, and
 * leading or trailing spaces as `␠` (inner spaces stay). Backslashes are left as they are.
 */
export function escapeTokenText(text: string): string {
  let lead = 0;
  while (lead < text.length && text.charCodeAt(lead) === 32) lead++;
  let trail = text.length;
  while (trail > lead && text.charCodeAt(trail - 1) === 32) trail--;
  let out = '␠'.repeat(lead);
  // Iterating a string yields code points, and lone surrogates one unit at a time.
  for (const ch of text.slice(lead, trail)) {
    out += NAMED[ch] ?? (INVISIBLE.test(ch) ? `\\u{${(ch.codePointAt(0) as number).toString(16).toUpperCase()}}` : ch);
  }
  return out + '␠'.repeat(text.length - trail);
}
