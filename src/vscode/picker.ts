/**
 * Quick picks for the tokenizer and the model, grouped by family or provider, estimates marked "≈". The
 * choice is a setting: for the workspace (or the user when no folder is open), optionally for the
 * active editor's language only.
 */
import * as vscode from 'vscode';
import { formatWindow } from '../core/budget/budget';
import { modelCatalog, providerName } from '../core/budget/modelCatalog';
import { listTokenizers } from '../core/tokenizers/registry';
import { readSettings, updateSetting, updateWhereSet } from './config';
import { inGroups } from './grouping';

interface Choice extends vscode.QuickPickItem {
  value?: string;
}

function grouped<T>(items: T[], group: (t: T) => string, name: (t: T) => string, item: (t: T) => Choice): Choice[] {
  const out: Choice[] = [];
  let last: string | undefined;
  for (const t of inGroups(items, group, name)) {
    if (group(t) !== last) {
      last = group(t);
      out.push({ label: last, kind: vscode.QuickPickItemKind.Separator });
    }
    out.push(item(t));
  }
  return out;
}

/** A searchable quick pick with the current choice highlighted, so Enter keeps it. */
function pickOne(title: string, items: Choice[], current: string): Promise<Choice | undefined> {
  const quickPick = vscode.window.createQuickPick<Choice>();
  quickPick.title = title;
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.items = items;
  const active = items.find((i) => i.value === current);
  if (active) quickPick.activeItems = [active];
  return new Promise((resolve) => {
    quickPick.onDidAccept(() => {
      resolve(quickPick.selectedItems[0]);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}

/** Asks where the choice applies, and writes it there. */
async function save(key: 'model' | 'tokenizer', value: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  let forLanguage = false;
  if (editor) {
    const where = await vscode.window.showQuickPick(
      [
        { label: 'All files', description: target === vscode.ConfigurationTarget.Workspace ? 'this workspace' : 'user settings' },
        { label: `${editor.document.languageId} files only`, language: true },
      ],
      { title: 'Tokenwise: apply to' },
    );
    if (!where) return;
    forLanguage = 'language' in where;
  }
  await updateSetting(key, value, target, editor?.document, forLanguage);
}

export async function selectTokenizer(): Promise<void> {
  const current = readSettings(vscode.window.activeTextEditor?.document).tokenizer;
  const items: Choice[] = [
    { label: "$(sparkle) The model's own tokenizer", description: current === '' ? 'current' : undefined, value: '' },
    ...grouped(listTokenizers(), (t) => t.family, (t) => t.name, (t) => ({
      label: `${t.exact ? '' : '≈ '}${t.name}`,
      description: `${t.id}${t.id === current ? ' · current' : ''}`,
      detail: `${t.vocabSize.toLocaleString('en-US')} tokens${t.exact ? '' : ' · an estimate'}`,
      value: t.id,
    })),
  ];
  if (vscode.workspace.isTrusted) items.push({ label: '$(file) A tokenizer.json file…', value: '@file' });
  const pick = await pickOne('Tokenwise: Select Tokenizer', items, current);
  if (!pick || pick.value === undefined) return;
  let value = pick.value;
  if (value === '@file') {
    const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'tokenizer.json': ['json'] }, title: 'Tokenwise: a tokenizer.json file' });
    if (!files?.[0]) return;
    value = files[0].fsPath;
  }
  await save('tokenizer', value);
}

export async function selectModel(): Promise<void> {
  const settings = readSettings(vscode.window.activeTextEditor?.document);
  const items = grouped(modelCatalog(settings.models), (m) => providerName(m.provider), (m) => m.name, (m) => ({
    label: `${m.tokenizerExact ? '' : '≈ '}${m.name}`,
    description: `${m.id}${m.id === settings.model ? ' · current' : ''}`,
    detail: `${formatWindow(m.contextWindow)} context${m.maxOutput ? ` · ${formatWindow(m.maxOutput)} output` : ''} · ${m.tokenizer}${m.tokenizerExact ? '' : ' (estimate)'}`,
    value: m.id,
  }));
  const pick = await pickOne('Tokenwise: Select Model', items, settings.model);
  if (!pick?.value) return;
  await save('model', pick.value);
  // A tokenizer set apart keeps counting: say so, and offer the model's own.
  const chosen = modelCatalog(settings.models).find((m) => m.id === pick.value);
  if (chosen && settings.tokenizer !== '' && settings.tokenizer !== chosen.tokenizer) {
    const use = `Use ${chosen.tokenizer}`;
    const answer = await vscode.window.showInformationMessage(`Tokenwise: counts still use ${settings.tokenizer} (tokenwise.tokenizer); ${chosen.name} uses ${chosen.tokenizer}.`, use);
    if (answer === use) await clearTokenizerSetting();
  }
}

/** Removes `tokenwise.tokenizer` where it is set, so that the model's own tokenizer counts. */
async function clearTokenizerSetting(): Promise<void> {
  await updateWhereSet('tokenizer', undefined, vscode.window.activeTextEditor?.document);
}
