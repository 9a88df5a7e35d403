import type * as vscode from 'vscode';
import { registerBackend } from './vscode/backend/backendCommands';
import { activateFeatures } from './vscode/features';

/** The desktop extension: vocabularies are read from the package's files on first use; model backends too. */
export function activate(context: vscode.ExtensionContext): void {
  const log = activateFeatures(context, 'desktop');
  context.subscriptions.push(...registerBackend(context, log));
}

export function deactivate(): void {}
