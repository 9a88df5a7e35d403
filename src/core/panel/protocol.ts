/**
 * Messages between the budget panel (webview/) and the extension (src/vscode/budgetPanel.ts), declared once
 * for both sides. The panel says `ready` first; the extension answers with a full `state` snapshot, and sends
 * a new one whenever anything in it changes (and again when the panel becomes visible).
 */
import type { BudgetReport } from '../budget/compose';
import type { BoundaryDiff, CompareReport } from '../compare/compare';
import type { WorkspaceReport } from '../workspace/types';

export const PANEL_VIEW_TYPE = 'tokenwise.budget';

export type PanelTab = 'budget' | 'compare' | 'workspace';
export type CompareSource = 'document' | 'selection' | 'pinned';
export type ExportWhat = 'budget' | 'compare' | 'workspace';
export type ExportFormat = 'csv' | 'json';

export interface TokenizerChoice {
  id: string;
  name: string;
  exact: boolean;
}

export interface PanelState {
  /** The budget for the active editor (or the last one), absent when there is nothing to count. */
  budget?: BudgetReport;
  /** Why there is no budget ("Open a file to see its budget", a load error). */
  budgetMessage?: string;
  /** The system prompt as configured: none, text typed in the panel, or a file. */
  systemPrompt: { kind: 'none' } | { kind: 'text'; text: string } | { kind: 'file'; path: string };
  /** Pinned files and folders, workspace-relative. */
  pinned: string[];
  compareSource: CompareSource;
  compareTokenizers: string[];
  compare?: CompareReport;
  compareMessage?: string;
  /** Where two tokenizers put their boundaries on the selection (or the start of the document). */
  boundaries?: BoundaryDiff;
  tokenizers: TokenizerChoice[];
  workspace?: WorkspaceReport;
  /** Files scanned so far while a workspace scan runs. */
  workspaceProgress?: { scanned: number; path?: string };
}

/** Extension → panel. */
export type HostMessage =
  | { type: 'state'; state: PanelState }
  | { type: 'exported'; what: ExportWhat; format: ExportFormat; path: string };

/** Panel → extension. */
export type PanelMessage =
  | { type: 'ready' }
  | { type: 'pickModel' }
  | { type: 'pickTokenizer' }
  | { type: 'setSystemPrompt'; text: string }
  | { type: 'pickSystemPromptFile' }
  | { type: 'clearSystemPrompt' }
  | { type: 'setReservedOutput'; tokens: number | null }
  | { type: 'pinFiles' }
  | { type: 'pinPath'; path: string }
  | { type: 'unpin'; path: string }
  | { type: 'openFile'; path: string }
  | { type: 'setCompareSource'; source: CompareSource }
  | { type: 'setCompareTokenizers'; ids: string[] }
  | { type: 'setBoundaryPair'; a: string; b: string }
  | { type: 'scanWorkspace' }
  | { type: 'cancelScan' }
  | { type: 'export'; what: ExportWhat; format: ExportFormat };

/** What the panel keeps across hide, show and reload (`getState`/`setState`): view choices, never data. */
export interface PanelViewState {
  tab: PanelTab;
  sort?: { table: string; column: string; descending: boolean };
}

const PANEL_MESSAGE_FIELDS: { [K in PanelMessage['type']]: Record<string, 'string' | 'number' | 'string[]' | 'number|null'> } = {
  ready: {},
  pickModel: {},
  pickTokenizer: {},
  setSystemPrompt: { text: 'string' },
  pickSystemPromptFile: {},
  clearSystemPrompt: {},
  setReservedOutput: { tokens: 'number|null' },
  pinFiles: {},
  pinPath: { path: 'string' },
  unpin: { path: 'string' },
  openFile: { path: 'string' },
  setCompareSource: { source: 'string' },
  setCompareTokenizers: { ids: 'string[]' },
  setBoundaryPair: { a: 'string', b: 'string' },
  scanWorkspace: {},
  cancelScan: {},
  export: { what: 'string', format: 'string' },
};

const ENUMS: Record<string, readonly string[]> = {
  source: ['document', 'selection', 'pinned'],
  what: ['budget', 'compare', 'workspace'],
  format: ['csv', 'json'],
};

/** Checks a message from the webview before the extension acts on it: a webview is untrusted input. */
export function isPanelMessage(value: unknown): value is PanelMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (typeof message.type !== 'string' || !Object.hasOwn(PANEL_MESSAGE_FIELDS, message.type)) return false;
  const fields = PANEL_MESSAGE_FIELDS[message.type as PanelMessage['type']];
  for (const [name, kind] of Object.entries(fields)) {
    const v = message[name];
    const ok =
      kind === 'string' ? typeof v === 'string' && (!ENUMS[name] || ENUMS[name].includes(v))
      : kind === 'number' ? typeof v === 'number' && Number.isFinite(v)
      : kind === 'number|null' ? v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0)
      : Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (!ok) return false;
  }
  return true;
}
