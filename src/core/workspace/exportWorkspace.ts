/** A workspace report as CSV (one row per file, RFC 4180) or JSON, for spreadsheets and scripts. */
import { csvRecords } from '../text/csv';
import type { WorkspaceReport } from './types';

const ratio = (characters: number, tokens: number) => (tokens === 0 ? '' : (characters / tokens).toFixed(2));

/** Columns: path, characters, bytes, tokens, chars/token, share (of all tokens, a fraction); CRLF line ends. */
export function workspaceToCsv(report: WorkspaceReport): string {
  const share = (tokens: number) => (report.total.tokens === 0 ? '' : (tokens / report.total.tokens).toFixed(6));
  const rows = [['path', 'characters', 'bytes', 'tokens', 'chars/token', 'share']];
  for (const f of report.files) rows.push([f.path, String(f.characters), String(f.bytes), String(f.tokens), ratio(f.characters, f.tokens), share(f.tokens)]);
  return csvRecords(rows);
}

/** The report itself, with chars/token and share per file added, pretty-printed. */
export function workspaceToJson(report: WorkspaceReport): string {
  const total = report.total.tokens;
  const files = report.files.map((f) => ({
    ...f,
    charsPerToken: f.tokens === 0 ? null : f.characters / f.tokens,
    share: total === 0 ? null : f.tokens / total,
  }));
  return `${JSON.stringify({ ...report, files }, null, 2)}\n`;
}
