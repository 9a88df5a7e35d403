/**
 * Builds what the budget panel shows from the editor, the settings and the panel's choices: the composed
 * budget, the tokenizer comparison and the boundaries of two tokenizers. Reads files through `workspace.fs`
 * (so it works on remote and web workspaces too) and prefers an open document's unsaved text.
 */
import type * as vscode from 'vscode';
import { reservedOutputFor } from '../../core/budget/budget';
import { composeBudget, type BudgetSource } from '../../core/budget/compose';
import { modelOrUnknown } from '../../core/budget/modelCatalog';
import { boundaryDiff, compareTokenizers, defaultCompareTokenizers, windowModel } from '../../core/compare/compare';
import type { PanelState } from '../../core/panel/protocol';
import { listTokenizers, loadTokenizer } from '../../core/tokenizers/registry';
import type { Tokenizer } from '../../core/tokenizers/types';
import { readSettings } from '../config';
import { tokenizerIdFor } from '../documentStore';
import type { PanelChoices } from './panelChoices';
import { workspacePath } from './panelChoices';
import { expandPinned } from './pinnedFiles';

/** Text the panel counts, and where it came from. */
interface Text {
  label: string;
  text: string;
  path?: string;
}

export interface PanelInputs {
  editor: vscode.TextEditor | undefined;
  choices: PanelChoices;
}

export async function buildPanelState({ editor, choices }: PanelInputs): Promise<Omit<PanelState, 'workspace' | 'workspaceProgress'>> {
  const state: Omit<PanelState, 'workspace' | 'workspaceProgress'> = {
    systemPrompt: choices.systemPrompt,
    pinned: choices.pinned,
    compareSource: choices.compareSource,
    compareTokenizers: choices.compareTokenizers,
    tokenizers: listTokenizers().map(({ id, name, exact }) => ({ id, name, exact })),
  };
  const document = editor?.document;
  const settings = readSettings(document);
  const model = modelOrUnknown(settings.model, settings.models);
  let tokenizer: Tokenizer;
  const tokenizerId = tokenizerIdFor(document);
  try {
    tokenizer = await loadTokenizer(tokenizerId);
  } catch (e) {
    state.budgetMessage = `The tokenizer "${tokenizerId}" could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    return state;
  }

  const messages: string[] = [];
  const system = await systemPromptText(choices.systemPrompt).catch((e: unknown) => {
    messages.push(`The system prompt file cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  });
  const pinned = await expandPinned(choices.pinned);
  const active = document ? activeTexts(editor!) : undefined;
  const activePath = document && document.uri.scheme !== 'untitled' ? workspacePath(document.uri) : undefined;

  const sources: BudgetSource[] = [];
  if (system) sources.push({ kind: 'system', label: system.label, text: system.text });
  for (const file of pinned.files) sources.push({ kind: 'pinned', label: file.label, text: file.text, path: file.path });
  // The active document counts once: as itself, unless it is already pinned.
  if (active && !(active.kind === 'document' && pinned.files.some((f) => f.path === activePath))) {
    for (const t of active.texts) sources.push({ kind: active.kind, label: t.label, text: t.text, path: t.path });
  }
  state.budget = composeBudget({
    model,
    tokenizer,
    reservedOutput: reservedOutputFor(settings.reservedOutput, model),
    warningAt: settings.warningThreshold,
    errorAt: settings.errorThreshold,
    sources,
  });
  if (sources.length === 0) messages.push('Open a file, pin files or write a system prompt to see what the request costs.');
  if (pinned.skipped.length > 0) messages.push(`Not counted: ${pinned.skipped.map((s) => `${s.path} (${s.reason})`).join(', ')}`);
  if (messages.length > 0) state.budgetMessage = messages.join(' ');

  // The comparison: the chosen source, under the chosen tokenizers.
  const compareTexts: Text[] =
    choices.compareSource === 'pinned' ? pinned.files
    : choices.compareSource === 'selection' && active?.kind === 'selection' ? active.texts
    : document ? [{ label: activePath ?? document.uri.path, text: document.getText() }]
    : [];
  if (compareTexts.length === 0) {
    state.compareMessage = choices.compareSource === 'pinned' ? 'Pin files to compare them.' : choices.compareSource === 'selection' ? 'Select text in an editor to compare it.' : 'Open a file to compare tokenizers on it.';
  } else {
    // Only bundled tokenizers and the current one: the list comes from the page, which is untrusted input.
    const known = new Set([...state.tokenizers.map((t) => t.id), tokenizer.id]);
    const chosen = choices.compareTokenizers.length > 0 ? choices.compareTokenizers : defaultCompareTokenizers(tokenizer.id);
    const ids = [...new Set([tokenizer.id, ...chosen])].filter((id) => known.has(id));
    const loaded = await Promise.allSettled(ids.map((id) => loadTokenizer(id)));
    const tokenizers = loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = ids.filter((_, i) => loaded[i].status === 'rejected');
    const source = choices.compareSource === 'pinned' ? `${compareTexts.length} pinned file${compareTexts.length === 1 ? '' : 's'}` : choices.compareSource === 'selection' ? `selection in ${activePath ?? 'the editor'}` : (activePath ?? 'the document');
    state.compareTokenizers = tokenizers.map((t) => t.id);
    state.compare = compareTokenizers(compareTexts, tokenizers, {
      reference: tokenizer.id,
      source,
      windows: model.contextWindow > 0 ? { [tokenizer.id]: windowModel(model) } : undefined,
    });
    if (failed.length > 0) state.compareMessage = `Could not load: ${failed.join(', ')}`;

    const pair = choices.boundaryPair && tokenizers.some((t) => t.id === choices.boundaryPair!.a) && tokenizers.some((t) => t.id === choices.boundaryPair!.b) ? choices.boundaryPair : undefined;
    const a = tokenizers.find((t) => t.id === (pair?.a ?? tokenizer.id)) ?? tokenizer;
    const b = tokenizers.find((t) => t.id === pair?.b) ?? tokenizers.find((t) => t !== a);
    if (b) state.boundaries = boundaryDiff(compareTexts[0].text, a, b);
  }
  return state;
}


/** The selections of the editor (one text each), or its whole document. */
function activeTexts(editor: vscode.TextEditor): { kind: 'document' | 'selection'; texts: Text[] } {
  const document = editor.document;
  const name = document.uri.scheme === 'untitled' ? document.uri.path : workspacePath(document.uri);
  const path = document.uri.scheme === 'untitled' ? undefined : name;
  const selections = editor.selections.filter((s) => !s.isEmpty);
  if (selections.length === 0) return { kind: 'document', texts: [{ label: name, text: document.getText(), path }] };
  return {
    kind: 'selection',
    texts: selections.map((s, i) => ({ label: `${name} (selection${selections.length > 1 ? ` ${i + 1}` : ''})`, text: document.getText(s), path })),
  };
}

async function systemPromptText(prompt: PanelChoices['systemPrompt']): Promise<Text | undefined> {
  if (prompt.kind === 'text') return prompt.text ? { label: 'System prompt', text: prompt.text } : undefined;
  if (prompt.kind === 'file') {
    const { files, skipped } = await expandPinned([prompt.path]);
    if (files.length !== 1) throw new Error(`${prompt.path}: ${skipped[0]?.reason ?? 'not a single text file'}`);
    const [file] = files;
    return { label: `System prompt (${prompt.path})`, text: file.text };
  }
  return undefined;
}
