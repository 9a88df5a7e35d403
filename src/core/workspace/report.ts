/** A workspace report from per-file results: files largest first, skipped paths by name, totals. */
import type { Tokenizer } from '../tokenizers/types';
import type { FileTokens, SkippedPath, WorkspaceReport } from './types';

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function makeReport(tokenizer: Tokenizer, state: WorkspaceReport['state'], files: FileTokens[], skipped: SkippedPath[], elapsedMs: number): WorkspaceReport {
  files.sort((a, b) => b.tokens - a.tokens || byPath(a.path, b.path));
  skipped.sort((a, b) => byPath(a.path, b.path));
  const total = { files: files.length, characters: 0, bytes: 0, tokens: 0 };
  for (const f of files) {
    total.characters += f.characters;
    total.bytes += f.bytes;
    total.tokens += f.tokens;
  }
  return { tokenizer: tokenizer.id, exact: tokenizer.exact, state, files, skipped, total, elapsedMs };
}
