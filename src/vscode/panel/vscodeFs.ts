/** The workspace scan's file system over VS Code's `workspace.fs`: local, remote and web folders alike. */
import * as vscode from 'vscode';
import type { WorkspaceFs } from '../../core/workspace/fs';

/**
 * Paths are the URI paths of one scheme and authority (those of `base`): built into URIs with
 * `Uri.from`, never parsed, so names with `%` or `#` stay intact.
 */
export function vscodeFs(base: vscode.Uri): WorkspaceFs {
  const uri = (path: string) => base.with({ path, query: '', fragment: '' });
  return {
    readDirectory: async (path) => (await vscode.workspace.fs.readDirectory(uri(path))).map(([name, type]) => [name, type]),
    stat: async (path) => {
      const s = await vscode.workspace.fs.stat(uri(path));
      return { type: s.type, size: s.size };
    },
    readFile: (path) => Promise.resolve(vscode.workspace.fs.readFile(uri(path))),
  };
}
