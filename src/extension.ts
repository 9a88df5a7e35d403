import type * as vscode from 'vscode';
import { activateFeatures } from './vscode/features';

/** The desktop extension: vocabularies are read from the package's files on first use. */
export function activate(context: vscode.ExtensionContext): void {
  activateFeatures(context, 'desktop');
}

export function deactivate(): void {}
