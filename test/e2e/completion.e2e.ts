/**
 * Completions while typing, in real VS Code with a real engine: the embedded engine installed by its own
 * command into the extension's storage, a generated GGUF model, and the cursor inside a word. The ghost text
 * is what `tokenwise complete` prints for the same text, and Tab accepts it without repeating what was typed.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureEngine } from '../../scripts/install-engine';
import { modelCache, writeTinyModel } from '../fixtures/gguf/index';
import { describeByte } from '../../src/core/fim/describeByte';
import { ROOT, waitFor, Workbench } from './harness';

const ITEM_ID = 'tokenwise.tokenwise.tokenwise.backend';
const BEFORE = 'def mean(xs):\n    return s';

describe('Tokenwise completions (code-server + Chromium + the embedded engine)', function () {
  this.timeout(300_000);
  let vs: Workbench;
  let model: string;

  before(async function () {
    this.timeout(900_000);
    // The engine's npm cache, so that the install command in VS Code finds its packages.
    await ensureEngine();
    model = writeTinyModel('bigram-bpe', join(modelCache(), 'e2e-bigram-bpe.gguf')).path;
    vs = await Workbench.start({ files: { 'fim.py': `${BEFORE}\n` } });
  });

  afterEach(async function () {
    if (vs && this.currentTest?.state === 'failed') await vs.saveDiagnostics(`completion-${this.currentTest.title}`);
    await vs?.closeQuickInput().catch(() => {});
  });

  after(async function () {
    this.timeout(60_000);
    await vs?.dispose();
  });

  it('installs the engine with its command and connects to a GGUF model', async () => {
    await vs.runCommand('Tokenwise: Install the Embedded Engine');
    await vs.page.locator('.notifications-toasts .notification-toast', { hasText: 'embedded engine is installed' }).first().waitFor({ timeout: 240_000 });
    await vs.updateUserSettings({ 'tokenwise.backend.kind': 'embedded', 'tokenwise.backend.modelPath': model });
    await waitFor(async () => (await vs.statusBarItems()).some((i) => i.id === ITEM_ID && /embedded/.test(i.text)), 60_000, 'the embedded engine to connect');
    assert.match(await vs.statusBarTooltip(ITEM_ID), /full distributions/);
  });

  it('completes inside a word exactly as the CLI does, and Tab accepts it after what was typed', async () => {
    const expected = cliCompletion(`${BEFORE}u\n`, 2, 14).split('\n')[0];
    assert.ok(expected.length > 0, 'the model completes this text');
    await vs.openFile('fim.py');
    await vs.goTo(2, 13);
    await vs.type('u');
    const ghost = vs.page.locator('.part.editor .monaco-editor .ghost-text-decoration, .part.editor .monaco-editor .ghost-text').first();
    await ghost.waitFor({ state: 'visible', timeout: 60_000 });
    await vs.press('Tab');
    await vs.press('Control+S');
    const file = join(vs.workspace, 'fim.py');
    await waitFor(() => readFileSync(file, 'utf8').startsWith(`${BEFORE}u${expected}`), 15_000, 'the accepted completion on disk').catch(() => {
      throw new Error(`expected line 2 to read "    return su${expected}", the file holds:\n${readFileSync(file, 'utf8')}`);
    });
    assert.match(await vs.statusBarTooltip(ITEM_ID), /Last \d+ completions?: first token \d+ \/ \d+ ms/);
  });

  it('shows the exact next characters at the cursor beside the naive view, most probable first as the CLI says', async () => {
    const file = join(vs.workspace, 'fim.py');
    const line2 = readFileSync(file, 'utf8').split('\n')[1];
    await vs.goTo(2, line2.length + 1);
    await vs.runCommand('Tokenwise: Show the Next Characters at the Cursor');
    await waitFor(async () => /next character/.test(await vs.quickPickTitle().catch(() => '')), 60_000, 'the next-characters list');
    const rows = await vs.quickPickAllItems();
    assert.ok(rows.length > 0);
    for (const row of rows) assert.match(row.description, /^exact [\d.]+% · naive [\d.]+%$/);
    const { exact } = JSON.parse(
      execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'next-bytes', '--backend', model, '--file', file, '--cursor', `2:${line2.length + 1}`, '--json'], { encoding: 'utf8' }),
    ) as { exact: Record<string, number> };
    const [top] = Object.entries(exact).sort((a, b) => b[1] - a[1]);
    assert.equal(rows[0].label, describeByte(top[0] === 'eos' ? 256 : parseInt(top[0], 16)));
  });

  /** `tokenwise complete` on the same text, cursor and model. */
  function cliCompletion(text: string, line: number, col: number): string {
    const file = join(modelCache(), 'e2e-fim.py');
    writeFileSync(file, text);
    const out = execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'complete', '--backend', model, '--file', file, '--cursor', `${line}:${col}`, '--json'], { encoding: 'utf8' });
    return (JSON.parse(out) as { text: string }).text;
  }
});
