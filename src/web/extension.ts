/**
 * The web extension (VS Code for the Web): the same features, with the core's data (the bundled
 * vocabularies, the model catalog and the chat templates) read from the extension's own package through
 * `workspace.fs`; there is no file system, so no file is read by path.
 */
import * as vscode from 'vscode';
import { preloadBundled, useDataSource } from '../core/data/source';
import { activateFeatures } from '../vscode/features';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  useDataSource({ bundled: async (name) => vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, 'dist', 'data', name)) });
  // The catalog and the templates are read at once by the features: read them ahead.
  await preloadBundled(['models.json', 'templates.json']);
  activateFeatures(context, 'web');
}

export function deactivate(): void {}
