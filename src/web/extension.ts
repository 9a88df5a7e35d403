/**
 * The web extension (VS Code for the Web): the same features, with the bundled vocabularies, the model
 * catalog and the chat templates read from the extension's own package through `workspace.fs` instead of a
 * file system.
 */
import * as vscode from 'vscode';
import { setCatalogData, type CatalogEntry } from '../core/budget/modelCatalog';
import { setTemplateData, type TemplateEntry } from '../core/budget/templateData';
import { setBundledDataReader } from '../core/tokenizers/registry';
import { activateFeatures } from '../vscode/features';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const read = (file: string) => Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, 'dist', 'data', file)));
  setBundledDataReader(read);
  setCatalogData(JSON.parse(new TextDecoder().decode(await read('models.json'))) as CatalogEntry[]);
  setTemplateData(JSON.parse(new TextDecoder().decode(await read('templates.json'))) as Record<string, TemplateEntry>);
  activateFeatures(context, 'web');
}

export function deactivate(): void {}
