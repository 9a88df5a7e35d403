/**
 * The token commands: copy the ids of the selections, select the next N tokens, trim selections to N
 * tokens, split the document into chunks of at most N tokens, and reveal the token at the cursor.
 */
import * as vscode from 'vscode';
import { formatCount } from '../core/budget/budget';
import { chunkDocument } from '../core/selection/chunk';
import { formatTokenIdLists, selectionTokenIds } from '../core/selection/selectionIds';
import { selectNextTokens } from '../core/selection/selectTokens';
import { tokenAt } from '../core/selection/tokenAt';
import { trimToTokens } from '../core/selection/trim';
import type { DocumentStore } from './documentStore';

type Ready = Extract<NonNullable<ReturnType<DocumentStore['get']>>, { kind: 'ready' }>;

/** The active editor and its counted tokens, or a message saying why there are none. */
function activeTokens(store: DocumentStore): { editor: vscode.TextEditor; state: Ready } | undefined {
  const editor = vscode.window.activeTextEditor;
  const state = editor && store.get(editor.document);
  if (editor && state?.kind === 'ready') return { editor, state };
  void vscode.window.showInformationMessage(
    !editor ? 'Tokenwise: open a text editor first.' : state?.kind === 'counting' ? 'Tokenwise: still counting this document; try again in a moment.' : 'Tokenwise: this document is not tokenized.',
  );
  return undefined;
}

let lastN = 1000;

async function askTokenCount(prompt: string): Promise<number | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'Tokenwise',
    prompt,
    value: String(lastN),
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 ? undefined : 'A whole number of tokens, at least 1'),
  });
  if (value === undefined) return undefined;
  lastN = Number(value.trim());
  return lastN;
}

const offsets = (document: vscode.TextDocument, range: vscode.Range) => ({ start: document.offsetAt(range.start), end: document.offsetAt(range.end) });
const range = (document: vscode.TextDocument, start: number, end: number) => new vscode.Range(document.positionAt(start), document.positionAt(end));

export function registerTokenCommands(store: DocumentStore): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('tokenwise.copyTokenIds', async () => {
      const active = activeTokens(store);
      if (!active) return;
      const { editor, state } = active;
      const whole = editor.selections.every((s) => s.isEmpty);
      const selections = whole ? [{ start: 0, end: state.tokens.textLength }] : editor.selections.map((s) => offsets(editor.document, s));
      const ids = selectionTokenIds(state.tokens, state.tokenizer, selections);
      let lists = ids.map((s) => s.standalone);
      if (!ids.every((s) => s.same)) {
        const pick = await vscode.window.showQuickPick(
          [
            { label: 'Encoded on its own', description: 'what sending the selected text would cost', standalone: true },
            { label: 'As tokenized in the document', description: 'whole tokens the selection touches', standalone: false },
          ],
          { title: 'Tokenwise: copy which ids?' },
        );
        if (!pick) return;
        if (!pick.standalone) lists = ids.map((s) => s.inDocument);
      }
      await vscode.env.clipboard.writeText(formatTokenIdLists(lists, 'json'));
      const total = lists.reduce((n, l) => n + l.length, 0);
      void vscode.window.setStatusBarMessage(`Tokenwise: copied ${formatCount(total)} token ids`, 4000);
    }),

    vscode.commands.registerCommand('tokenwise.selectNextTokens', async () => {
      const active = activeTokens(store);
      const n = active && (await askTokenCount('Select how many tokens from the cursor?'));
      if (!active || !n) return;
      const { editor, state } = active;
      editor.selections = editor.selections.map((s) => {
        const r = selectNextTokens(state.tokens, editor.document.offsetAt(s.active), n);
        return new vscode.Selection(editor.document.positionAt(r.start), editor.document.positionAt(r.end));
      });
      editor.revealRange(editor.selection);
    }),

    vscode.commands.registerCommand('tokenwise.trimSelection', async () => {
      const active = activeTokens(store);
      const n = active && (await askTokenCount('Trim each selection to at most how many tokens?'));
      if (!active || !n) return;
      const { editor, state } = active;
      editor.selections = editor.selections.map((s) => {
        const { start, end } = offsets(editor.document, s);
        const r = trimToTokens(state.tokens, state.tokenizer, start, end, n);
        return new vscode.Selection(editor.document.positionAt(r.start), editor.document.positionAt(r.end));
      });
    }),

    vscode.commands.registerCommand('tokenwise.splitIntoChunks', async () => {
      const active = activeTokens(store);
      const n = active && (await askTokenCount('Split the document into chunks of at most how many tokens?'));
      if (!active || !n) return;
      const { editor, state } = active;
      const chunks = chunkDocument(state.tokens, state.tokenizer, n);
      const document = editor.document;
      const copy: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy this chunk' };
      const picker = vscode.window.createQuickPick<vscode.QuickPickItem & { index: number }>();
      picker.title = `Tokenwise: ${chunks.length} chunks of at most ${formatCount(n)} tokens`;
      picker.items = chunks.map((c, index) => {
        const endLine = document.positionAt(c.end).line;
        return { label: `Chunk ${index + 1}`, description: `lines ${c.startLine + 1}–${endLine + 1} · ${formatCount(c.tokens)} tokens`, detail: document.getText(range(document, c.start, Math.min(c.end, c.start + 120))).replace(/\s+/g, ' '), buttons: [copy], index };
      });
      picker.onDidChangeActive(([item]) => {
        if (!item) return;
        const c = chunks[item.index];
        editor.selection = new vscode.Selection(document.positionAt(c.start), document.positionAt(c.end));
        editor.revealRange(editor.selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      });
      picker.onDidTriggerItemButton(async ({ item }) => {
        const c = chunks[item.index];
        await vscode.env.clipboard.writeText(document.getText(range(document, c.start, c.end)));
        void vscode.window.setStatusBarMessage(`Tokenwise: copied chunk ${item.index + 1}`, 4000);
      });
      picker.onDidAccept(() => picker.hide());
      picker.onDidHide(() => picker.dispose());
      picker.show();
    }),

    vscode.commands.registerCommand('tokenwise.revealToken', () => {
      const active = activeTokens(store);
      if (!active) return;
      const { editor, state } = active;
      const t = tokenAt(state.tokens, editor.document.offsetAt(editor.selection.active));
      if (!t) return;
      editor.selection = new vscode.Selection(editor.document.positionAt(t.start), editor.document.positionAt(t.end));
      editor.revealRange(editor.selection);
      const ids = Array.from(t.ids).join(', ');
      void vscode.window.setStatusBarMessage(`Tokenwise: token ${formatCount(t.index)} · id ${ids}${t.partial ? ' (a character split across tokens)' : ''}`, 6000);
    }),
  ];
}
