/** CSV as RFC 4180 writes it: CRLF after every record, fields quoted only when they must be. */

export type CsvValue = string | number | boolean | undefined;

/**
 * A field with a comma, a quote or a line break is quoted, its quotes doubled; undefined is empty. Text that
 * a spreadsheet would run as a formula (a file named `=cmd…`) gets a leading apostrophe; numbers stay numbers.
 */
export function csvField(value: CsvValue): string {
  let text = value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecords(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
