import * as vscode from 'vscode';
import { listTokenizers } from './core/tokenizers/registry';

/** Composition root: every feature registers its own disposables. */
export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('tokenwise.showTokenizers', async () => {
      const items = listTokenizers().map((t) => ({ label: `${t.exact ? '' : '≈ '}${t.name}`, description: t.id, detail: `${t.family} · ${t.vocabSize.toLocaleString('en-US')} tokens` }));
      await vscode.window.showQuickPick(items, { title: 'Tokenwise: tokenizers', matchOnDescription: true });
    }),
  );
}

export function deactivate(): void {}
