/** A composed budget as files people keep: CSV for a spreadsheet, JSON for scripts. */
import { csvRecords, type CsvValue } from '../text/csv';
import type { BudgetReport } from './compose';
import { costFigures, formatPrices } from './cost';

const CSV_HEADER = ['kind', 'label', 'path', 'tokens', 'characters', 'estimate', 'detail', 'usd'];

/**
 * One row per part in request order, then the output reserved (apart from the input, never added to
 * it) and the totals: input, usable window, tokens left, context window; then, for a model with prices,
 * the cost in US dollars (estimates, at the prices named in `detail`). Lines end with CRLF.
 */
export function budgetToCsv(report: BudgetReport): string {
  const estimate = report.parts.some((p) => p.estimate);
  const rows: CsvValue[][] = [
    ...report.parts.map((p) => [p.kind, p.label, p.path, p.tokens, p.characters, p.estimate, p.detail]),
    ['reserved', 'Output reserved', undefined, report.reservedOutput, undefined, false, undefined],
    ['total', 'Input', undefined, report.input, report.parts.reduce((n, p) => n + p.characters, 0), estimate, undefined],
    ['total', 'Usable window', undefined, report.usable, undefined, false, 'context window minus output reserved'],
    ['total', 'Left', undefined, report.left, undefined, estimate, 'usable window minus input'],
    ['total', 'Context window', undefined, report.model.contextWindow, undefined, false, report.model.name],
  ];
  const { cost, model } = report;
  if (cost && model.prices) {
    const at = `at ${formatPrices(model.prices)}${model.pricesFrom ? `; ${model.pricesFrom}` : ''}`;
    for (const f of costFigures(cost)) rows.push(['cost', f.label, undefined, f.tokens === 'input' ? report.input : report.reservedOutput, undefined, true, at, f.usd]);
  }
  // Every row has every column, the cost's empty where it is not one.
  return csvRecords([CSV_HEADER, ...rows.map((r) => [...r, ...new Array<CsvValue>(CSV_HEADER.length - r.length).fill(undefined)])]);
}

/** The report itself, pretty-printed. */
export function budgetToJson(report: BudgetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
