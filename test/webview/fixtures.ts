/** Snapshots the extension could send the budget panel, written by hand from the report types. */
import type { BudgetReport } from '../../src/core/budget/compose';
import type { BoundaryDiff, BoundarySpan, CompareReport } from '../../src/core/compare/compare';
import type { PanelState } from '../../src/core/panel/protocol';
import type { FileTokens, WorkspaceReport } from '../../src/core/workspace/types';

export const budget: BudgetReport = {
  model: { id: 'gpt-4o', name: 'GPT-4o', provider: 'OpenAI', contextWindow: 128_000, maxOutput: 16_384 },
  tokenizer: { id: 'o200k_base', name: 'o200k_base', exact: true },
  parts: [
    { kind: 'system', label: 'System prompt', tokens: 1_234, characters: 5_012, estimate: false },
    { kind: 'template', label: 'Chat template', tokens: 7, characters: 0, estimate: true, detail: '4 per message and 3 to prime the reply, as OpenAI’s cookbook counts' },
    { kind: 'pinned', label: 'docs/guide.md', tokens: 20_480, characters: 81_250, estimate: false, path: 'docs/guide.md' },
    { kind: 'pinned', label: 'src/api/client.ts', tokens: 9_876, characters: 36_002, estimate: false, path: 'src/api/client.ts' },
    { kind: 'document', label: 'notes.md', tokens: 54_321, characters: 230_480, estimate: false, path: 'notes.md' },
  ],
  input: 85_918,
  reservedOutput: 8_192,
  usable: 119_808,
  left: 33_890,
  share: 85_918 / 128_000,
  state: 'ok',
  windowCharacters: 506_012,
};

const compareChars = 230_480;

export const compare: CompareReport = {
  source: 'notes.md',
  characters: 230_480,
  bytes: 235_112,
  words: 38_950,
  reference: 'o200k_base',
  rows: [
    row('o200k_base', 'o200k_base (GPT-4o)', true, 54_321, 0, { model: 'gpt-4o', contextWindow: 128_000, characters: 508_301 }),
    row('cl100k_base', 'cl100k_base (GPT-4)', true, 57_004, 2_683, { model: 'gpt-4-turbo', contextWindow: 128_000, characters: 484_401 }),
    row('llama3', 'Llama 3', true, 55_870, 1_549, { model: 'llama-3.1-70b', contextWindow: 131_072, characters: 509_250 }),
    row('claude-legacy', 'Claude (legacy)', false, 61_902, 7_581, { model: 'claude-sonnet-4', contextWindow: 200_000, characters: 744_618 }),
  ],
};

function row(tokenizer: string, name: string, exact: boolean, tokens: number, deltaTokens: number, window: { model: string; contextWindow: number; characters: number }) {
  return {
    tokenizer,
    name,
    exact,
    tokens,
    charsPerToken: compareChars / tokens,
    bytesPerToken: 235_112 / tokens,
    tokensPerWord: tokens / 38_950,
    singleTokenWords: 0.9 - deltaTokens / 100_000,
    deltaTokens,
    deltaShare: deltaTokens / 54_321,
    window,
  };
}
const boundaryText = 'The tokenizer splits unbelievably long identifiers like getHTTPResponseCode differently.';

/** Spans that cut the text at the given end offsets. */
function spans(ends: number[]): BoundarySpan[] {
  let start = 0;
  return ends.map((end, id) => {
    const s = { start, end, id: 1000 + id, partial: false };
    start = end;
    return s;
  });
}
const endsA = [3, 13, 20, 23, 28, 34, 39, 44, 50, 62, 66, 74, 78, 86, 87];
const endsB = [3, 13, 20, 27, 34, 39, 44, 50, 54, 62, 66, 74, 78, 82, 86, 87];

export const boundaries: BoundaryDiff = {
  text: boundaryText,
  a: { tokenizer: 'o200k_base', spans: spans(endsA) },
  b: { tokenizer: 'llama3', spans: spans(endsB) },
  onlyA: endsA.filter((e) => !endsB.includes(e)),
  onlyB: endsB.filter((e) => !endsA.includes(e)),
};

/** 50 files in nested folders, sizes spread so that every sort order differs. */
export const files: FileTokens[] = Array.from({ length: 50 }, (_, i) => {
  const folders = ['src/core', 'src/core/budget', 'src/vscode', 'docs', 'test/unit', 'webview'];
  const folder = folders[i % folders.length];
  const characters = 1_000 + ((i * 7_919) % 40_000);
  const tokens = Math.round(characters / (2.5 + (i % 5) * 0.4));
  return { path: `${folder}/file${String(i).padStart(2, '0')}.ts`, characters, bytes: characters + (i % 3) * 17, tokens };
});

export const workspace: WorkspaceReport = {
  tokenizer: 'o200k_base',
  exact: true,
  state: 'done',
  files,
  skipped: [
    { path: 'assets/logo.png', reason: 'binary' },
    { path: 'data/huge.json', reason: 'larger than 5 MB' },
  ],
  total: {
    files: files.length,
    characters: files.reduce((s, f) => s + f.characters, 0),
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    tokens: files.reduce((s, f) => s + f.tokens, 0),
  },
  elapsedMs: 1_840,
};

export const state: PanelState = {
  budget,
  systemPrompt: { kind: 'text', text: 'You are a careful reviewer.' },
  pinned: ['docs/guide.md', 'src/api/client.ts'],
  compareSource: 'document',
  compareTokenizers: ['o200k_base', 'cl100k_base', 'llama3', 'claude-legacy'],
  compare,
  boundaries,
  tokenizers: [
    { id: 'o200k_base', name: 'o200k_base', exact: true },
    { id: 'cl100k_base', name: 'cl100k_base', exact: true },
    { id: 'llama3', name: 'Llama 3', exact: true },
    { id: 'qwen3', name: 'Qwen 3', exact: true },
    { id: 'claude-legacy', name: 'Claude (legacy)', exact: false },
  ],
  workspace,
};

/** The same panel over its budget: the error colours. */
export const overState: PanelState = {
  ...state,
  budget: { ...budget, parts: [...budget.parts, { kind: 'pinned', label: 'logs/big.log', tokens: 60_000, characters: 240_000, estimate: false }], input: 145_918, left: -26_110, share: 145_918 / 128_000, state: 'error' },
};
