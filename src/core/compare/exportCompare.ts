/** A comparison as a file: CSV for spreadsheets, JSON for programs. */
import { csvRecords } from '../text/csv';
import type { CompareReport } from './compare';

/**
 * Columns of the CSV, one row per tokenizer. The text's size repeats on every row so that each row
 * stands alone. Ratios and shares (0–1) have 4 decimals; counts are whole numbers; no thousands
 * separators, dots for decimals; a row without a model leaves the window columns empty, one without a price
 * the cost (an estimate at the window model's list input price).
 */
const HEADER = [
  'source', 'tokenizer', 'name', 'exact', 'reference', 'characters', 'bytes', 'words', 'tokens',
  'chars_per_token', 'bytes_per_token', 'tokens_per_word', 'single_token_words', 'delta_tokens', 'delta_share',
  'window_model', 'window_tokens', 'window_characters', 'input_cost_usd',
];

export function compareToCsv(report: CompareReport): string {
  const records: string[][] = [HEADER];
  for (const row of report.rows) {
    const cells = [
      report.source, row.tokenizer, row.name, String(row.exact), report.reference,
      String(report.characters), String(report.bytes), String(report.words), String(row.tokens),
      fixed(row.charsPerToken), fixed(row.bytesPerToken), fixed(row.tokensPerWord), fixed(row.singleTokenWords),
      String(row.deltaTokens), fixed(row.deltaShare),
      row.window?.model ?? '', row.window ? String(row.window.contextWindow) : '', row.window ? String(row.window.characters) : '',
      row.inputCost === undefined ? '' : String(row.inputCost),
    ];
    records.push(cells);
  }
  return csvRecords(records);
}

export function compareToJson(report: CompareReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Four decimals, never exponent notation, and no "-0". */
function fixed(n: number): string {
  const s = n.toFixed(4);
  return /^-0\.0+$/.test(s) ? s.slice(1) : s;
}
