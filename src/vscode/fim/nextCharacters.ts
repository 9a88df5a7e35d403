/**
 * "Tokenwise: Show the Next Characters at the Cursor": the model's exact next-byte distribution at the cursor
 * beside the naive token-level one, so tokenization bias can be seen (a cursor inside a word is where they
 * differ most).
 */
import * as vscode from 'vscode';
import { describeByte } from '../../core/fim/describeByte';
import { nextByteDistributions } from '../../core/fim/nextBytes';
import type { FimCompletionProvider } from './inlineCompletion';

const TOP = 20;

const percent = (p: number) => `${(100 * p).toFixed(p >= 0.001 ? 1 : 3)}%`;

export async function showNextCharacters(provider: FimCompletionProvider): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const ready = editor && (await provider.ready());
  if (!editor || !ready) {
    void vscode.window.showInformationMessage('Tokenwise: connect a model backend with full distributions and open an editor first.');
    return;
  }
  const text = editor.document.getText();
  const offset = editor.document.offsetAt(editor.selection.active);
  const { exact, naive } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Tokenwise: next characters' }, () =>
    nextByteDistributions({ ...ready, prefix: text.slice(0, offset), suffix: text.slice(offset) }),
  );
  const order = Array.from(exact.keys()).sort((a, b) => exact[b] - exact[a]).slice(0, TOP).filter((b) => exact[b] > 0);
  await vscode.window.showQuickPick(
    order.map((b) => ({ label: describeByte(b), description: `exact ${percent(exact[b])} · naive ${percent(naive[b])}` })),
    { title: 'Tokenwise: the next character at the cursor (exact, and as the naive token-level view sees it)' },
  );
}
