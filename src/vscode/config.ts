/** Tokenwise's settings, read in one place as typed snapshots per document (settings can differ by language). */
import * as vscode from 'vscode';
import type { ModelOverride } from '../core/budget/modelCatalog';
import { levelToWrite } from './settingTarget';

export const SECTION = 'tokenwise';

export interface Settings {
  /** Model whose context window the budget uses. */
  model: string;
  /** Tokenizer id or path; empty means the model's own. */
  tokenizer: string;
  /** Output tokens to reserve; -1 means the model's output limit, at most 8,192. */
  reservedOutput: number;
  warningThreshold: number;
  errorThreshold: number;
  /** Documents longer than this (UTF-16 units) are counted in the background. */
  backgroundCountAbove: number;
  /** Documents longer than this are not tokenized at all. */
  maxDocumentLength: number;
  models: ModelOverride[];
  highlight: boolean;
  showWhitespace: boolean;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    model: c.get('model', 'gpt-4o'),
    tokenizer: c.get('tokenizer', ''),
    reservedOutput: c.get('budget.reservedOutput', -1),
    warningThreshold: c.get('budget.warningThreshold', 0.8),
    errorThreshold: c.get('budget.errorThreshold', 1),
    backgroundCountAbove: c.get('backgroundCountAbove', 2_000_000),
    maxDocumentLength: c.get('maxDocumentLength', 50_000_000),
    models: c.get('models', []),
    highlight: c.get('highlight.enabled', false),
    showWhitespace: c.get('highlight.whitespace', false),
  };
}

/** Whether a document is one Tokenwise should count: real files and untitled text, not output or notebooks' outputs. */
export function isCountable(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' || document.uri.scheme === 'untitled' || document.uri.scheme === 'vscode-remote' || document.uri.scheme === 'vscode-userdata';
}

/** Where a toggle writes `key` so that it takes effect: the level that sets it now, else the user settings. */
export function targetWhereSet(config: vscode.WorkspaceConfiguration, key: string): vscode.ConfigurationTarget {
  const level = levelToWrite(config.inspect(key));
  return level === 'workspaceFolder' ? vscode.ConfigurationTarget.WorkspaceFolder : level === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}
