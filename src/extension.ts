import type * as vscode from 'vscode';
import { useNodeData } from './core/data/node';
import { registerBackend } from './vscode/backend/backendCommands';
import { activateFeatures } from './vscode/features';

/** The desktop extension: the core reads the package's files (vocabularies on first use); model backends too. */
export function activate(context: vscode.ExtensionContext): void {
  useNodeData();
  const log = activateFeatures(context, 'desktop');
  context.subscriptions.push(...registerBackend(context, log));
}

export function deactivate(): void {}
