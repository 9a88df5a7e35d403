/**
 * "Tokenwise: Show the Next Characters at the Cursor": the model's exact next-byte distribution at the cursor
 * beside the naive token-level one, so tokenization bias can be seen (a cursor inside a word is where they
 * differ most). From top-k lists: each exact probability is certified to within TOLERANCE, and the list
 * says so where it is not exact to the last digit.
 */
import * as vscode from 'vscode';
import { describeByte } from '../../core/fim/describeByte';
import { boundedNextByteDistributions } from '../../core/fim/nextBytes';
import type { FimCompletionProvider } from './inlineCompletion';

const TOP = 20;
/** Half a tenth of a percentage point: below what the list shows. */
const TOLERANCE = 0.0005;

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
  const { exact, naive, maxError, naiveRest, topK } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Tokenwise: next characters' }, () =>
    boundedNextByteDistributions({ ...ready, prefix: text.slice(0, offset), suffix: text.slice(offset) }, TOLERANCE),
  );
  const order = Array.from(exact.keys()).sort((a, b) => exact[b] - exact[a]).slice(0, TOP).filter((b) => exact[b] > 0);
  const within = maxError > 0 ? ` ±${(100 * maxError).toFixed(2)}` : '';
  const rest = naiveRest > 0 ? `; naive from the top ${topK} tokens, ${percent(naiveRest)} beyond them` : '';
  await vscode.window.showQuickPick(
    order.map((b) => ({ label: describeByte(b), description: `exact ${percent(exact[b])}${within} · naive ${percent(naive[b])}` })),
    { title: `Tokenwise: the next character at the cursor (exact${within ? ` to within${within} points` : ''}, and as the naive token-level view sees it${rest})` },
  );
}
