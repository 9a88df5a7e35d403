/** Plain-text formatting for the CLI: numbers, sizes, token text and aligned tables. */

/** 1234567 → "1,234,567", independent of the locale the CLI runs in. */
export function formatInt(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(Math.trunc(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 file", "2 files". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatInt(n)} ${n === 1 ? singular : pluralForm}`;
}

// Characters that would be invisible or break the line: controls, format characters (zero-width,
// BOM, bidi), line/paragraph separators, lone surrogates and every space but U+0020.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]|(?!\x20)\p{Zs}/gu;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Token text in double quotes, so that leading and trailing spaces show, with invisible characters escaped. */
export function quoteText(text: string): string {
  const escaped = text
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(INVISIBLE, (c) => NAMED[c] ?? `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
  return `"${escaped}"`;
}

/** Display width of a cell, in code points (good enough for paths and numbers). */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export type Align = 'left' | 'right';

/** A horizontal line across the table, such as the one above a total. */
export const RULE = 'rule';

export type TableRow = readonly string[] | typeof RULE;

/** Rows as aligned columns separated by two spaces; trailing spaces are trimmed. */
export function formatTable(rows: readonly TableRow[], align: readonly Align[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    if (row !== RULE) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  }
  const total = widths.reduce((sum, w) => sum + w, 0) + 2 * Math.max(0, widths.length - 1);
  const lines = rows.map((row) =>
    row === RULE
      ? '-'.repeat(total)
      : row
          .map((cell, i) => {
            const pad = ' '.repeat(widths[i] - width(cell));
            return align[i] === 'right' ? pad + cell : cell + pad;
          })
          .join('  ')
          .trimEnd(),
  );
  return lines.join('\n') + '\n';
}
