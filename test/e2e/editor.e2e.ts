/**
 * What a user sees of Tokenwise in the editor: the status-bar count (document, typing, selections, several
 * cursors), its budget colours, token highlighting, the token hover, and the tokenizer and model pickers.
 * Every expected number comes from the core (the same code the extension bundles), computed here on the text
 * of files this suite writes into the workspace. Run with `npm run test:e2e`.
 *
 * Settings: user settings go through VS Code's settings editor (`updateUserSettings`: code-server does not
 * watch the user data folder); the pickers write workspace settings (`.vscode/settings.json`), which the
 * tests reset on disk (VS Code watches the workspace).
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatShare } from '../../src/core/budget/budget';
import { formatUsd } from '../../src/core/budget/cost';
import { findModel, modelCatalog, providerName } from '../../src/core/budget/modelCatalog';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { inGroups } from '../../src/vscode/grouping';
import { defaultWorkspaceFiles, waitFor, Workbench } from './harness';
import type { LineDecoration, StatusBarItem } from './harness';

const ITEM_ID = 'tokenwise.tokenwise.tokenwise.count';

const COUNT_TXT = ['Counting tokens in VS Code, one keystroke at a time.', 'Second line: tokens, tokens, tokens.', 'The third line is a little longer than the second one is.'].join('\n');
const HIGHLIGHT_TXT = ['Tokens are what a model reads: the quick brown fox jumps over the lazy dog.', 'Emoji split across tokens: 📝 and 🧩 here.', ''].join('\n');
const SWITCH_TXT = ['Tokenizers disagree: 東京は日本の首都です。안녕하세요, 세계!', 'function greet(name: string) { return `Hello, ${name}!`; }', ''].join('\n');
const BUDGET_WORDS = 40;
const BUDGET_TXT = Array.from({ length: BUDGET_WORDS }, () => 'word').join(' ');

const BACKGROUND_TXT = Array.from({ length: 20 }, (_, i) => `Line ${i}: counted in the background once typing pauses.`).join('\n');

const FILES: Record<string, string> = {
  // Workspace settings exist from the start: the pickers write there, and the tests reset them on disk.
  '.vscode/settings.json': '{}\n',
  'sample.ts': defaultWorkspaceFiles()['sample.ts'],
  'background.txt': BACKGROUND_TXT,
  'count.txt': COUNT_TXT,
  'highlight.txt': HIGHLIGHT_TXT,
  'switch.txt': SWITCH_TXT,
  'budget.txt': BUDGET_TXT,
  // What the language model tool is asked to count as a folder: its .gitignore applies.
  'numbers.txt': 'Invoice 2026120799 is due.\n',
  'tool/.gitignore': 'ignored.txt\n',
  'tool/a.md': '# Notes\n\nWhat fits in the window? 東京 and 🧩.\n',
  'tool/b.ts': 'export const answer = (x: number): number => x * 42;\n',
  'tool/ignored.txt': 'not counted',
};

/** The Tokenwise item, parsed: `$(symbol-numeric) ≈1,234 tok sel · 0.96% of 128k`. */
interface TokenwiseStatus {
  text: string;
  approx: boolean;
  count: number;
  selection: boolean;
  share: string;
  window: string;
  kind: 'warning' | 'error' | undefined;
  backgroundColor: string;
  /** The aria-label: the text and, since the item has no accessibility information of its own, the tooltip's Markdown. */
  ariaLabel: string;
}

function parseStatus(item: StatusBarItem): TokenwiseStatus | undefined {
  const m = /^(≈)?([\d,]+) tok( sel)?(?: · (\S+%) of (\S+))?$/.exec(item.text);
  if (!m) return undefined;
  return {
    text: item.text,
    approx: m[1] === '≈',
    count: Number(m[2].replace(/,/g, '')),
    selection: m[3] !== undefined,
    share: m[4] ?? '',
    window: m[5] ?? '',
    kind: /\berror-kind\b/.test(item.className) ? 'error' : /\bwarning-kind\b/.test(item.className) ? 'warning' : undefined,
    backgroundColor: item.backgroundColor,
    ariaLabel: item.ariaLabel,
  };
}

interface Expected {
  count: number;
  selection?: boolean;
  approx?: boolean;
  window?: string;
  /** The background: none (undefined, the default), warning, error, or 'any' not to check it. */
  kind?: 'warning' | 'error' | 'any' | undefined;
}

/** Waits until the Tokenwise item shows exactly `expected` (selection and approx default to false, kind to
 *  none; window is checked when given) and returns it; the error says what it showed instead. */
async function expectStatus(vs: Workbench, expected: Expected, timeoutMs = 30_000): Promise<TokenwiseStatus> {
  const want = { selection: false, approx: false, kind: undefined, ...expected };
  let last: StatusBarItem | undefined;
  let status: TokenwiseStatus | undefined;
  const matches = (s: TokenwiseStatus): boolean =>
    s.count === want.count && s.selection === want.selection && s.approx === want.approx && (want.kind === 'any' || s.kind === want.kind) && (want.window === undefined || s.window === want.window);
  try {
    await waitFor(
      async () => {
        last = (await vs.statusBarItems()).find((i) => i.id === ITEM_ID);
        status = last && parseStatus(last);
        return !!status && matches(status);
      },
      timeoutMs,
      `the Tokenwise item to show ${JSON.stringify(want)}`,
    );
  } catch (e) {
    const shown = last ? `"${last.text}" (class "${last.className}")` : 'nothing (the item is hidden)';
    throw new Error(`${(e as Error).message}; it shows ${shown}`, { cause: e });
  }
  return status!;
}

/** The token spans of `text` under `tokenizer`, as [start, end) UTF-16 offsets with their ids. */
function spans(tokenizer: Tokenizer, text: string): { id: number; start: number; end: number; partial: boolean }[] {
  const t = tokenizer.tokenize(text);
  return Array.from(t.ids, (id, i) => ({ id, start: t.starts[i], end: t.ends[i], partial: t.partial[i] === 1 }));
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

describe('Tokenwise in the editor (code-server + Chromium)', function () {
  this.timeout(120_000);
  let vs: Workbench;
  const o200k = loadTokenizerSync('o200k_base');
  const llama3 = loadTokenizerSync('llama3');
  const qwen3 = loadTokenizerSync('qwen3');
  const claude = loadTokenizerSync('claude-legacy');

  before(async function () {
    this.timeout(600_000);
    // No auto-save (on in this VS Code by default): typing must not change the files, so that "File: Revert
    // File" brings their text, and the counts computed here, back.
    vs = await Workbench.start({ files: FILES, settings: { 'files.autoSave': 'off' }, helpers: [join(__dirname, 'toolCaller')] });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await vs?.saveDiagnostics(`editor-${this.currentTest.title}`);
    await vs?.closeQuickInput().catch(() => {});
  });

  after(async function () {
    this.timeout(60_000);
    await vs?.dispose();
  });

  /** Token highlighting on or off, by its command, as a user switches it. */
  async function setHighlight(on: boolean): Promise<void> {
    if ((vs.readUserSettings()['tokenwise.highlight.enabled'] === true) === on) return;
    await vs.runCommand('Tokenwise: Toggle Token Highlighting');
    await waitFor(() => (vs.readUserSettings()['tokenwise.highlight.enabled'] === true) === on, 15_000, `tokenwise.highlight.enabled to be ${on}`);
  }

  /** Tokenwise's decorations on a line: those drawn in its theme colours. */
  async function tokenDecorations(line: number): Promise<{ charWidth: number; colors: (LineDecoration & { color: number })[]; split: LineDecoration[] }> {
    const [bg1, bg2, split] = await Promise.all(['tokenwise.tokenBackground1', 'tokenwise.tokenBackground2', 'tokenwise.splitCharacterBackground'].map((c) => vs.themeColor(c)));
    assert.notEqual(bg1, bg2, 'the two token colours are told apart by their computed colour');
    const rendered = await vs.editorLine(line);
    assert.ok(rendered, `line ${line} is on screen`);
    const colors = rendered.decorations
      .filter((d) => d.width >= 1 && (d.backgroundColor === bg1 || d.backgroundColor === bg2))
      .map((d) => ({ ...d, color: d.backgroundColor === bg1 ? 0 : 1 }))
      .sort((a, b) => a.left - b.left);
    return { charWidth: rendered.charWidth, colors, split: rendered.decorations.filter((d) => d.width >= 1 && d.backgroundColor === split) };
  }

  it('shows the document count and its budget on opening a file, with the breakdown in the tooltip', async () => {
    await vs.openFile('count.txt');
    const count = o200k.count(COUNT_TXT);
    const status = await expectStatus(vs, { count, window: '128k' });
    assert.equal(status.share, formatShare(count / 128_000));
    const tooltip = await vs.statusBarTooltip(ITEM_ID);
    const rows = (name: string): string | undefined => tooltip.split('\n').find((l) => l.startsWith(`${name}\t`))?.split('\t')[1];
    assert.equal(rows('Tokens (document)'), String(count), tooltip);
    // Characters are code points, as the panel and the CLI count them.
    const characters = [...COUNT_TXT].length;
    assert.equal(rows('Characters (code points)'), characters.toLocaleString('en-US'), tooltip);
    assert.equal(rows('Characters per token'), (characters / count).toFixed(2), tooltip);
    assert.match(rows('Tokenizer') ?? '', /^o200k_base\b/, tooltip);
    assert.equal(rows('Model'), 'GPT-4o', tooltip);
    assert.equal(rows('Context window'), '128,000', tooltip);
    assert.equal(rows('Output reserved'), '8,192', tooltip);
    assert.match(rows('Tokens left') ?? '', new RegExp(`^${(128_000 - 8_192 - count).toLocaleString('en-US')} `), tooltip);
    // What the request costs at GPT-4o's list prices, marked as estimates and said where they come from.
    const prices = findModel('gpt-4o')!.prices!;
    assert.equal(rows('Cost: input'), `≈ ${formatUsd((count * prices.input!) / 1e6)}`, tooltip);
    assert.equal(rows('Cost: output reserved, if all written'), `≈ ${formatUsd((8_192 * prices.output!) / 1e6)}`, tooltip);
    assert.equal(rows('Cost: input read from a prompt cache'), `≈ ${formatUsd((count * prices.cacheRead!) / 1e6)}`, tooltip);
    assert.match(tooltip, /Costs are estimates at \$2\.5 in \/ \$10 out per 1M tokens \(cached input \$1\.25\) \(tokenlens [\d.]+ \(models\.dev\), as of \d{4}-\d{2}-\d{2}\)/);
  });

  it('updates the count as the user types, and again on revert', async () => {
    await vs.openFile('count.txt');
    await expectStatus(vs, { count: o200k.count(COUNT_TXT) });
    const typed = ' Typed words, with punctuation!';
    await vs.focusEditor();
    await vs.press('Control+End');
    await vs.type(typed);
    const count = o200k.count(COUNT_TXT + typed);
    assert.notEqual(count, o200k.count(COUNT_TXT), 'the typed text changes the count');
    await expectStatus(vs, { count });
    // In the middle of a line, with an emoji (split across tokens) and a deletion.
    const lines = (COUNT_TXT + typed).split('\n');
    await vs.goTo(2, 'Second line:'.length + 1);
    await vs.type(' 🧩 puzzle,x');
    await vs.press('Backspace');
    lines[1] = lines[1].replace('Second line:', 'Second line: 🧩 puzzle,');
    const edited = lines.join('\n');
    assert.notEqual(o200k.count(edited), count);
    await expectStatus(vs, { count: o200k.count(edited) });
    await vs.runCommand('File: Revert File');
    await expectStatus(vs, { count: o200k.count(COUNT_TXT) });
  });

  it('counts selections: Select All, a line, words selected with the keyboard', async () => {
    await vs.openFile('count.txt');
    const lines = COUNT_TXT.split('\n');
    await vs.selectAll();
    await expectStatus(vs, { count: o200k.count(COUNT_TXT), selection: true });
    await vs.goTo(2, 1);
    await expectStatus(vs, { count: o200k.count(COUNT_TXT) });
    await vs.press('Shift+End');
    await expectStatus(vs, { count: o200k.count(lines[1]), selection: true });
    // Three words from the start of line 3 (Ctrl+Shift+Right).
    await vs.goTo(3, 1);
    for (let i = 0; i < 3; i++) await vs.press('Control+Shift+ArrowRight');
    await expectStatus(vs, { count: o200k.count('The third line'), selection: true });
    // Across a line break: from column 21 of line 1 to column 21 of line 2 (Shift+Down).
    await vs.goTo(1, 21);
    await vs.press('Shift+ArrowDown');
    await expectStatus(vs, { count: o200k.count(COUNT_TXT.slice(20, lines[0].length + 1 + 20)), selection: true });
    await vs.press('Escape');
    await vs.press('ArrowRight');
    await expectStatus(vs, { count: o200k.count(COUNT_TXT) });
  });

  it('sums the selections of several cursors, each counted on its own', async () => {
    await vs.openFile('count.txt');
    const lines = COUNT_TXT.split('\n');
    // Cursors on lines 1–3 (Shift+Alt+Down: Add Cursor Below on Linux), each selecting its whole line.
    await vs.goTo(1, 1);
    await vs.press('Shift+Alt+ArrowDown');
    await vs.press('Shift+Alt+ArrowDown');
    await vs.press('Shift+End');
    await vs.waitForStatusBarItem(/^3 selections\b/);
    const sum = lines.reduce((n, l) => n + o200k.count(l), 0);
    const status = await expectStatus(vs, { count: sum, selection: true });
    assert.match(status.ariaLabel, /^[\d,]+ tokens in the 3 selections,/);
    await vs.press('Escape');
    // Ctrl+D: the word under the cursor, then its next occurrence.
    assert.notEqual(2 * o200k.count('tokens'), o200k.count('tokens\ntokens'), 'precondition: counting the selections apart differs from counting them joined');
    await vs.goTo(2, 'Second line: t'.length);
    await vs.press('Control+D');
    await vs.press('Control+D');
    await vs.waitForStatusBarItem(/^2 selections\b/);
    await expectStatus(vs, { count: 2 * o200k.count('tokens'), selection: true });
    await vs.press('Escape');
    await vs.press('Escape');
  });

  it('turns the warning and then the error colour as the text fills a small model', async () => {
    await vs.openFile('budget.txt');
    assert.equal(o200k.count(BUDGET_TXT), BUDGET_WORDS, 'precondition: one token per word');
    // 100 tokens of context, 40 reserved for output (the model's own limit): 60 usable, warning at 48, error at 60.
    await vs.updateUserSettings({
      'tokenwise.models': [{ id: 'tiny-e2e', name: 'Tiny E2E', contextWindow: 100, maxOutput: 40, tokenizer: 'o200k_base' }],
      'tokenwise.model': 'tiny-e2e',
    });
    try {
      await vs.openFile('budget.txt');
      let status = await expectStatus(vs, { count: BUDGET_WORDS, window: '100' });
      assert.equal(status.share, '40%');
      assert.equal(status.backgroundColor, 'rgba(0, 0, 0, 0)', 'no background below the warning threshold');
      const tooltip = await vs.statusBarTooltip(ITEM_ID);
      assert.match(tooltip, /^Output reserved\t40$/m, tooltip);
      assert.match(tooltip, /^Tokens left\t20 /m, tooltip);

      await vs.press('Control+End');
      await vs.type(' word'.repeat(10));
      status = await expectStatus(vs, { count: BUDGET_WORDS + 10, kind: 'warning' });
      assert.equal(status.backgroundColor, await vs.themeColor('statusBarItem.warningBackground'));

      await vs.type(' word'.repeat(10));
      status = await expectStatus(vs, { count: BUDGET_WORDS + 20, kind: 'error' });
      assert.equal(status.backgroundColor, await vs.themeColor('statusBarItem.errorBackground'));

      await vs.runCommand('File: Revert File');
      await expectStatus(vs, { count: BUDGET_WORDS });
    } finally {
      await vs.updateUserSettings({ 'tokenwise.models': undefined, 'tokenwise.model': undefined });
    }
    await expectStatus(vs, { count: BUDGET_WORDS, window: '128k' });
  });

  it('reserves no output for a model that states no output limit', async function () {
    // `maxOutput: 0` (unknown), reservedOutput -1 (default): the reservation falls back to 8,192, more than the
    // whole window of 100, so the usable window is 0 and any text at all is "over budget".
    await vs.updateUserSettings({ 'tokenwise.models': [{ id: 'tiny-e2e', contextWindow: 100, maxOutput: 0, tokenizer: 'o200k_base' }], 'tokenwise.model': 'tiny-e2e' });
    try {
      await vs.openFile('budget.txt');
      const status = await expectStatus(vs, { count: BUDGET_WORDS, window: '100', kind: 'any' });
      const tooltip = await vs.statusBarTooltip(ITEM_ID);
      assert.equal(status.kind, undefined, `40 of 100 tokens is not over budget, yet the item has the ${status.kind} colour; its tooltip:\n${tooltip}`);
      assert.doesNotMatch(tooltip, /^Output reserved\t8,192$/m, tooltip);
    } finally {
      await vs.updateUserSettings({ 'tokenwise.models': undefined, 'tokenwise.model': undefined });
    }
  });

  it('says why a file over 50 MB has no count (VS Code gives extensions no text for it), instead of losing the item', async function () {
    this.timeout(300_000);
    const line = 'A line of a very large log file, with words and numbers 1234567890.\n';
    vs.writeWorkspaceFile('huge.log', line.repeat(Math.ceil((60 * 1024 * 1024) / line.length)));
    // VS Code asks before opening files over this many MB (its default differs between desktop and remote).
    await vs.updateUserSettings({ 'workbench.editorLargeFileConfirmation': 10 });
    try {
      await vs.openLargeFile('huge.log');
      const item = await vs.waitForStatusBarItem(/too large to count/, 60_000);
      assert.match(item.ariaLabel, /too large to count in the editor \(limit 50\.0 MB\)/);
    } finally {
      await vs.runCommand('View: Close All Editors');
      await vs.updateUserSettings({ 'workbench.editorLargeFileConfirmation': undefined });
      rmSync(join(vs.workspace, 'huge.log'), { force: true });
    }
  });

  it('counts a document over tokenwise.backgroundCountAbove in the background, showing "counting…" first', async () => {
    assert.ok(BACKGROUND_TXT.length > 100);
    await vs.openFile('count.txt');
    await expectStatus(vs, { count: o200k.count(COUNT_TXT), window: '128k' });
    // The threshold applies to documents counted from then on. The model (GPT-4.1: 1.05M, also o200k_base) changes
    // in the same write: once the open document shows its window, the extension host has both settings.
    await vs.updateWorkspaceSettings({ 'tokenwise.backgroundCountAbove': 100, 'tokenwise.model': 'gpt-4.1' });
    try {
      await expectStatus(vs, { count: o200k.count(COUNT_TXT), window: '1.05M' });
      const stop = await vs.recordStatusBarItem(ITEM_ID);
      await vs.openFile('background.txt');
      await expectStatus(vs, { count: o200k.count(BACKGROUND_TXT), window: '1.05M' });
      const states = await stop();
      const counting = states.indexOf('counting…');
      assert.ok(counting >= 0, `"counting…" shows before the count; the item showed: ${JSON.stringify(states)}`);
      assert.ok(states.slice(counting + 1).some((t) => t.startsWith(`${o200k.count(BACKGROUND_TXT)} tok`)), JSON.stringify(states));
      // Once counted, edits are applied to the tokens as they come.
      await vs.press('Control+End');
      await vs.type(' More.');
      await expectStatus(vs, { count: o200k.count(BACKGROUND_TXT + ' More.'), window: '1.05M' });
      await vs.runCommand('File: Revert File');
      await expectStatus(vs, { count: o200k.count(BACKGROUND_TXT), window: '1.05M' });
    } finally {
      await vs.updateWorkspaceSettings({ 'tokenwise.backgroundCountAbove': undefined, 'tokenwise.model': undefined });
    }
    await expectStatus(vs, { count: o200k.count(BACKGROUND_TXT), window: '128k' });
  });

  it('keeps the count in the status bar while the tokenizer changes', async function () {
    await vs.openFile('switch.txt');
    await expectStatus(vs, { count: o200k.count(SWITCH_TXT) });
    const stop = await vs.recordStatusBarItem(ITEM_ID);
    try {
      await vs.updateWorkspaceSettings({ 'tokenwise.tokenizer': 'qwen3' });
      // Not GPT-4o's own tokenizer (the default model): an estimate for it.
      await expectStatus(vs, { count: qwen3.count(SWITCH_TXT), approx: true });
    } finally {
      await vs.updateWorkspaceSettings({ 'tokenwise.tokenizer': undefined });
    }
    await expectStatus(vs, { count: o200k.count(SWITCH_TXT) });
    const states = await stop();
    // Each switch removes the item until the new count is ready: the status bar jumps.
    assert.deepEqual(states.filter((t) => t.startsWith('(')), [], `the item showed: ${JSON.stringify(states)}`);
  });

  it('reads the item to a screen reader as a sentence, not as the tooltip\'s Markdown', async function () {
    await vs.openFile('count.txt');
    const status = await expectStatus(vs, { count: o200k.count(COUNT_TXT) });
    // With no accessibilityInformation, VS Code reads the codicon's name, the text, then the tooltip's source.
    assert.doesNotMatch(status.ariaLabel, /\|---|symbol-numeric/, `aria-label: ${JSON.stringify(status.ariaLabel)}`);
  });

  it('highlights tokens: the toggle command draws them in alternating colours, and removes them', async () => {
    await vs.openFile('highlight.txt');
    await expectStatus(vs, { count: o200k.count(HIGHLIGHT_TXT) });
    assert.equal((await tokenDecorations(1)).colors.length, 0, 'no token colours before highlighting is on');

    await setHighlight(true);
    // Line 1 (ASCII): one decoration per token, at the token's columns, colours alternating by token index.
    const line1 = HIGHLIGHT_TXT.split('\n')[0];
    const expected = spans(o200k, HIGHLIGHT_TXT)
      .map((t, index) => ({ start: t.start, end: Math.min(t.end, line1.length), color: index % 2 }))
      .filter((t) => t.start < line1.length && t.end > t.start);
    let drawn: Awaited<ReturnType<typeof tokenDecorations>> | undefined;
    await waitFor(async () => (drawn = await tokenDecorations(1)).colors.length === expected.length, 20_000, `${expected.length} token decorations on line 1`).catch((e) => {
      throw new Error(`${(e as Error).message}; drawn: ${JSON.stringify(drawn?.colors.map((d) => [d.left, d.width]))}`, { cause: e });
    });
    const { charWidth, colors } = drawn!;
    const columns = colors.map((d) => ({ start: Math.round(d.left / charWidth), end: Math.round((d.left + d.width) / charWidth), color: d.color }));
    assert.deepEqual(columns, expected);

    // Line 2: each emoji that o200k_base splits across tokens gets one "split" decoration with a dashed border.
    const text2Start = line1.length + 1;
    const text2 = HIGHLIGHT_TXT.split('\n')[1];
    const emoji = [...text2.matchAll(/\p{Extended_Pictographic}/gu)].map((m) => text2Start + m.index);
    const splitEmoji = emoji.filter((at) => spans(o200k, HIGHLIGHT_TXT).filter((t) => t.start <= at && t.end > at && t.partial).length > 1);
    assert.ok(splitEmoji.length > 0, 'precondition: o200k_base splits an emoji of line 2');
    await waitFor(async () => (await tokenDecorations(2)).split.length === splitEmoji.length, 10_000, `${splitEmoji.length} split-character decorations on line 2`);
    for (const d of (await tokenDecorations(2)).split) assert.equal(d.borderStyle, 'dashed');

    await setHighlight(false);
    await waitFor(async () => {
      const [a, b] = await Promise.all([tokenDecorations(1), tokenDecorations(2)]);
      return a.colors.length + a.split.length + b.colors.length + b.split.length === 0;
    }, 20_000, 'the token decorations to go away');
  });

  it('hovers a token with its index, id and bytes while highlighting is on, and stays quiet when off', async () => {
    await vs.openFile('highlight.txt');
    await setHighlight(true);
    try {
      const tokens = spans(o200k, HIGHLIGHT_TXT);
      const at = HIGHLIGHT_TXT.indexOf('quick') + 2;
      const index = tokens.findIndex((t) => t.start <= at && at < t.end);
      const token = tokens[index];
      const bytes = o200k.tokenBytes(token.id)!;
      const text = await vs.hover(1, at + 1, 20_000);
      assert.ok(text, 'a hover shows');
      assert.match(text, new RegExp(`Token index ${index} · id ${token.id} · o200k_base`), text);
      assert.ok(text.includes(`Bytes: ${hex(bytes)} (${bytes.length})`), `the hover has the bytes ${hex(bytes)}:\n${text}`);
      assert.match(text, /Text: ␣quick/, text);

      // An emoji split across tokens: the hover says so and lists each token.
      const line2 = HIGHLIGHT_TXT.split('\n')[1];
      const puzzle = HIGHLIGHT_TXT.indexOf('🧩');
      const parts = tokens.filter((t) => t.start <= puzzle && puzzle < t.end);
      const emojiHover = await vs.hover(2, line2.indexOf('🧩') + 1, 20_000);
      assert.ok(emojiHover, 'a hover shows on the emoji');
      assert.match(emojiHover, new RegExp(`split across ${parts.length} tokens of o200k_base`), emojiHover);
      for (const p of parts) assert.ok(emojiHover.includes(`id ${p.id}`), `the hover lists token ${p.id}:\n${emojiHover}`);
    } finally {
      await vs.page.keyboard.press('Escape');
      await setHighlight(false);
    }
    // Off: no hover at all on a plain-text file.
    assert.equal(await vs.hover(1, 5, 3_000), null);
  });

  it('hovers a number with how each pinned tokenizer splits its digits, and why it matters', async () => {
    await vs.openFile('numbers.txt');
    await setHighlight(true);
    try {
      const text = await vs.hover(1, 'Invoice 2026'.length + 1, 20_000);
      assert.ok(text, 'a hover shows');
      assert.match(text, /Number 2026120799: how each tokenizer splits its digits\./, text);
      for (const [id, split, grouping] of [['o200k_base', '202·612·079·9', 'threes from the left'], ['llama3', '202·612·079·9', 'threes from the left'], ['qwen3', '2·0·2·6·1·2·0·7·9·9', 'single digits']]) {
        assert.match(text, new RegExp(`${id}\\s*${split}\\s*${grouping}`), text);
      }
      assert.match(text, /Singh & Strouse/, text);
    } finally {
      await vs.page.keyboard.press('Escape');
      await setHighlight(false);
    }
  });

  it('recounts with the tokenizer picked in "Tokenwise: Select Tokenizer", for all files or one language', async () => {
    const sampleTs = readFileSync(join(vs.workspace, 'sample.ts'), 'utf8');
    assert.notEqual(llama3.count(SWITCH_TXT), o200k.count(SWITCH_TXT), 'precondition: the tokenizers disagree on the file');
    await vs.openFile('switch.txt');
    await expectStatus(vs, { count: o200k.count(SWITCH_TXT) });
    try {
      // The list is virtualized: filter it so that the row is rendered.
      await vs.runCommand('Tokenwise: Select Tokenizer');
      await vs.filterQuickPick('llama3');
      await vs.pickQuickPickItem(/^Llama 3\b.*\bllama3\b/);
      await vs.waitForQuickPickItem(/^All files/);
      assert.equal(await vs.quickPickTitle(), 'Tokenwise: apply to');
      await vs.waitForQuickPickItem(/^plaintext files only/);
      await vs.pickQuickPickItem(/^All files/);
      await expectStatus(vs, { count: llama3.count(SWITCH_TXT), window: '128k', approx: true });
      // Which tokenizer counts, and why: the setting, not the model's own.
      assert.match(await vs.statusBarTooltip(ITEM_ID), /Tokenizer\s+Llama 3\b[^\n]* \(set in tokenwise\.tokenizer; GPT-4o uses o200k_base\)/);
      assert.equal(vs.readWorkspaceSettings()['tokenwise.tokenizer'], 'llama3');

      // Plain text only: Qwen for .txt, while TypeScript keeps Llama 3.
      await vs.runCommand('Tokenwise: Select Tokenizer');
      await vs.filterQuickPick('llama3');
      await vs.waitForQuickPickItem(/llama3 · current/);
      await vs.filterQuickPick('qwen3');
      await vs.pickQuickPickItem(/^Qwen\b.*\bqwen3\b/);
      await vs.pickQuickPickItem(/^plaintext files only/);
      await expectStatus(vs, { count: qwen3.count(SWITCH_TXT), approx: true });
      assert.deepEqual(vs.readWorkspaceSettings()['[plaintext]'], { 'tokenwise.tokenizer': 'qwen3' });
      await vs.openFile('sample.ts');
      await expectStatus(vs, { count: llama3.count(sampleTs), approx: true });
    } finally {
      await vs.updateWorkspaceSettings({ 'tokenwise.tokenizer': undefined, '[plaintext]': undefined });
    }
    await expectStatus(vs, { count: o200k.count(sampleTs) });
    await vs.openFile('switch.txt');
    await expectStatus(vs, { count: o200k.count(SWITCH_TXT) });
  });

  it('lists models grouped by provider in "Tokenwise: Select Model" (from the status bar), and the pick sets the window', async () => {
    await vs.openFile('count.txt');
    await expectStatus(vs, { count: o200k.count(COUNT_TXT), window: '128k' });
    // The item's command opens the model picker.
    await vs.page.locator(`.part.statusbar .statusbar-item[id="${ITEM_ID}"] .statusbar-item-label`).click();
    await waitFor(async () => (await vs.quickPickTitle()) === 'Tokenwise: Select Model', 30_000, 'the model picker');
    const focused = vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
    await waitFor(async () => /gpt-4o · current/.test((await focused.textContent().catch(() => null)) ?? ''), 10_000, 'the current model to be the active row');

    const catalog = modelCatalog();
    const rows = await vs.quickPickAllItems();
    assert.equal(rows.length, catalog.length, 'one row per model of the catalog');
    assert.deepEqual(
      rows.filter((r) => r.description.endsWith(' · current')).map((r) => r.description),
      ['gpt-4o · current'],
      'the current model is marked',
    );
    const providers = new Map(catalog.map((m) => [m.id, providerName(m.provider)]));
    const groups = rows.filter((r) => r.separator).map((r) => r.separator);
    assert.deepEqual(groups, [...new Set(providers.values())].sort((a, b) => a.localeCompare(b)), 'one group per provider, in order');
    assert.ok(groups.includes('OpenAI'), 'providers by their names');
    let group = '';
    const names = new Map<string, string[]>();
    for (const row of rows) {
      group = row.separator || group;
      const id = row.description.split(' · ')[0];
      assert.equal(providers.get(id), group, `${row.ariaLabel} is under ${group}`);
      const name = catalog.find((m) => m.id === id)?.name;
      if (name) names.set(group, [...(names.get(group) ?? []), name]);
    }
    // Inside a provider, models by name, numbers as numbers.
    for (const [provider, list] of names) assert.deepEqual(list, inGroups(list, () => provider, (n) => n), `the models of ${provider} in order`);

    await vs.filterQuickPick('claude-sonnet-4-20250514');
    await vs.pickQuickPickItem(/claude-sonnet-4-20250514/);
    await vs.pickQuickPickItem(/^All files/);
    try {
      // Claude is counted with the legacy Claude tokenizer, an estimate: "≈".
      await expectStatus(vs, { count: claude.count(COUNT_TXT), approx: true, window: '200k' });
      assert.equal(vs.readWorkspaceSettings()['tokenwise.model'], 'claude-sonnet-4-20250514');
    } finally {
      await vs.updateWorkspaceSettings({ 'tokenwise.model': undefined });
    }
    await expectStatus(vs, { count: o200k.count(COUNT_TXT), window: '128k' });
  });

  /** Asks Tokenwise's language model tool, through vscode.lm.invokeTool (the helper extension), as an agent does. */
  async function askTokenTool(input: object): Promise<{ text?: string; error?: string; listed: { name: string; tags: string[] } | null }> {
    const out = join(vs.workspace, 'tool-output.json');
    rmSync(out, { force: true });
    writeFileSync(join(vs.workspace, 'tool-input.json'), JSON.stringify({ tool: 'tokenwise_countTokens', input }));
    await vs.runCommand('Tokenwise Test: Invoke the Token Tool');
    await waitFor(() => existsSync(out), 60_000, 'the token tool to answer');
    return JSON.parse(readFileSync(out, 'utf8'));
  }

  it('answers an assistant (the language model tool) with the status bar\'s numbers: the document, files and a folder, another model', async () => {
    await vs.openFile('count.txt');
    const count = o200k.count(COUNT_TXT);
    await expectStatus(vs, { count, window: '128k' });
    const active = await askTokenTool({});
    assert.ok(active.text, `the tool failed: ${active.error}`);
    assert.equal(active.listed?.name, 'tokenwise_countTokens');
    assert.deepEqual(active.listed?.tags, ['tokens', 'context-window']);
    const [summary, json] = active.text.split('\n\n');
    assert.match(summary, new RegExp(`^${count} tokens in count\\.txt \\(o200k_base\\)\\. That is ${formatShare(count / 128_000).replace('.', '\\.')} of GPT-4o's 128,000-token context window: ${(128_000 - 8_192 - count).toLocaleString('en-US')} left once 8,192 are reserved for output\\. As input it costs about `));
    const use = JSON.parse(json);
    const prices = findModel('gpt-4o')!.prices!;
    assert.equal(use.tokens, count);
    assert.equal(use.characters, [...COUNT_TXT].length);
    assert.equal(use.window.left, 128_000 - 8_192 - count);
    assert.ok(Math.abs(use.cost.input - (count * prices.input!) / 1e6) < 1e-12);

    const files = await askTokenTool({ paths: ['tool', 'count.txt'] });
    assert.ok(files.text, `the tool failed: ${files.error}`);
    const parts = (JSON.parse(files.text.split('\n\n')[1]) as { parts: { name: string; tokens: number }[] }).parts;
    const expected = ['tool/.gitignore', 'tool/a.md', 'tool/b.ts', 'count.txt'].map((name) => ({ name, tokens: o200k.count(FILES[name]) }));
    assert.deepEqual([...parts].sort((a, b) => a.name.localeCompare(b.name)).map(({ name, tokens }) => ({ name, tokens })), [...expected].sort((a, b) => a.name.localeCompare(b.name)));

    const llamaModel = modelCatalog().find((m) => m.tokenizer === 'llama3' && m.contextWindow > 0)!;
    const other = await askTokenTool({ text: SWITCH_TXT, model: llamaModel.id });
    assert.ok(other.text, `the tool failed: ${other.error}`);
    assert.equal(JSON.parse(other.text.split('\n\n')[1]).tokens, llama3.count(SWITCH_TXT));
    assert.match(other.text, new RegExp(`of ${llamaModel.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'s`));

    // The selection, as the status bar counts it.
    await vs.openFile('count.txt');
    await vs.goTo(2, 1);
    await vs.press('Shift+End');
    const line = COUNT_TXT.split('\n')[1];
    await expectStatus(vs, { count: o200k.count(line), selection: true });
    const selected = await askTokenTool({ selection: true });
    assert.match(selected.text ?? '', new RegExp(`^${o200k.count(line)} tokens in the selection \\(o200k_base\\)`), selected.error);
    await vs.press('Escape');
  });

  it('tells the assistant what it asked wrong: a path outside the workspace, an unknown tokenizer or model', async () => {
    assert.match((await askTokenTool({ paths: ['../outside.txt'] })).error ?? '', /outside the workspace/);
    assert.match((await askTokenTool({ text: 'x', tokenizer: 'nope' })).error ?? '', /Unknown tokenizer "nope"\. Bundled: .*o200k_base/);
    assert.match((await askTokenTool({ text: 'x', model: 'no-such-model' })).error ?? '', /Unknown model "no-such-model"/);
    assert.match((await askTokenTool({ text: 'x', paths: ['a'] })).error ?? '', /one of text, paths or selection/);
  });
});

