/**
 * A file the user opened that VS Code keeps from extensions: over 50 MB, the editor shows it ("Open
 * Anyway") but no extension gets its text, and `activeTextEditor` is undefined. Its size comes from the
 * file system, so that the status bar can say why there is no count instead of vanishing.
 */
import * as vscode from 'vscode';

/** VS Code's limit on the text it gives extensions (its model sync limit). */
export const EXTENSION_TEXT_LIMIT_BYTES = 50 * 1024 * 1024;

export async function unsyncedActiveFile(): Promise<{ uri: vscode.Uri; size: number } | undefined> {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (!(input instanceof vscode.TabInputText)) return undefined;
  const key = input.uri.toString();
  if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) return undefined;
  const size = await Promise.resolve(vscode.workspace.fs.stat(input.uri)).then(
    (stat) => stat.size,
    () => 0,
  );
  return size > EXTENSION_TEXT_LIMIT_BYTES ? { uri: input.uri, size } : undefined;
}
