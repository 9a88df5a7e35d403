/** A composed budget as files people keep: CSV for a spreadsheet, JSON for scripts. */
import { csvRecords, type CsvValue } from '../text/csv';
import type { BudgetReport } from './compose';

const CSV_HEADER = ['kind', 'label', 'path', 'tokens', 'characters', 'estimate', 'detail'];

/**
 * One row per part in request order, then the output reserved (apart from the input, never added to
 * it) and the totals: input, usable window, tokens left, context window. Lines end with CRLF.
 */
export function budgetToCsv(report: BudgetReport): string {
  const estimate = report.parts.some((p) => p.estimate);
  const rows: CsvValue[][] = [
    CSV_HEADER,
    ...report.parts.map((p) => [p.kind, p.label, p.path, p.tokens, p.characters, p.estimate, p.detail]),
    ['reserved', 'Output reserved', undefined, report.reservedOutput, undefined, false, undefined],
    ['total', 'Input', undefined, report.input, report.parts.reduce((n, p) => n + p.characters, 0), estimate, undefined],
    ['total', 'Usable window', undefined, report.usable, undefined, false, 'context window minus output reserved'],
    ['total', 'Left', undefined, report.left, undefined, estimate, 'usable window minus input'],
    ['total', 'Context window', undefined, report.model.contextWindow, undefined, false, report.model.name],
  ];
  return csvRecords(rows);
}

/** The report itself, pretty-printed. */
export function budgetToJson(report: BudgetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
