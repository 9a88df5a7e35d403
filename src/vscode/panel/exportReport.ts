/** Writes the panel's budget, comparison or workspace counts as CSV or JSON where the user chooses. */
import * as vscode from 'vscode';
import { budgetToCsv, budgetToJson } from '../../core/budget/exportBudget';
import { compareToCsv, compareToJson } from '../../core/compare/exportCompare';
import type { ExportFormat, ExportWhat, PanelState } from '../../core/panel/protocol';
import { workspaceToCsv, workspaceToJson } from '../../core/workspace/exportWorkspace';

function render(what: ExportWhat, format: ExportFormat, state: PanelState): string | undefined {
  const csv = format === 'csv';
  switch (what) {
    case 'budget':
      return state.budget && (csv ? budgetToCsv(state.budget) : budgetToJson(state.budget));
    case 'compare':
      return state.compare && (csv ? compareToCsv(state.compare) : compareToJson(state.compare));
    case 'workspace':
      return state.workspace && (csv ? workspaceToCsv(state.workspace) : workspaceToJson(state.workspace));
  }
}

/** Asks for a file and writes the export; returns the path written, or undefined when cancelled or empty. */
export async function exportReport(what: ExportWhat, format: ExportFormat, state: PanelState): Promise<string | undefined> {
  const content = render(what, format, state);
  if (content === undefined) {
    void vscode.window.showInformationMessage(`Tokenwise: there is no ${what === 'workspace' ? 'workspace count' : what} to export yet.`);
    return undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `tokenwise-${what}.${format}`;
  const uri = await vscode.window.showSaveDialog({
    title: `Tokenwise: export the ${what} as ${format.toUpperCase()}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
  });
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}
