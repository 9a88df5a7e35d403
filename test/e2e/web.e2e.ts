/**
 * VS Code for the Web: the same .vsix, told to run as a web extension (`remote.extensionKind` set to "web"),
 * runs its `browser` entry in the browser's web-worker extension host, with no Node APIs, and still counts,
 * highlights and switches tokenizers, on files and on a virtual file system (`vscode-vfs`, what VS Code for the
 * Web uses for a GitHub repository; a helper extension serves it from memory).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import { EXTENSION_ID, waitFor, Workbench } from './harness';

describe('Tokenwise as a web extension (web-worker extension host in Chromium)', function () {
  this.timeout(180_000);
  let vs: Workbench | undefined;

  before(async function () {
    this.timeout(600_000);
    vs = await Workbench.start({ settings: { 'remote.extensionKind': { [EXTENSION_ID]: ['web'] } }, helpers: [join(__dirname, 'vfsExtension')] });
  });

  afterEach(async function () {
    if (vs && this.currentTest?.state === 'failed') await vs.saveDiagnostics(`web-${this.currentTest.title}`);
    await vs?.closeQuickInput().catch(() => {});
  });

  after(async function () {
    this.timeout(60_000);
    await vs?.dispose();
  });

  it('starts in the web-worker extension host and counts the active editor', async () => {
    await vs!.openFile('sample.ts');
    const item = await vs!.waitForStatusBarItem(/\btok\b/, 60_000);
    assert.match(item.text, /^\d[\d,.]*\s*k?\s*tok\b/);
    await vs!.runCommand('Tokenwise: Show Log');
    const output = async (): Promise<string> => ((await vs!.page.locator('.part.panel .view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ');
    await waitFor(async () => (await output()).includes('started (web extension host)'), 30_000, 'the log to say the web extension host started').catch(async (e) => {
      throw new Error(`${(e as Error).message}; the log shows: ${await output()}`);
    });
  });

  it('reads the bundled vocabularies through workspace.fs: Llama 3 counts differ from o200k_base', async () => {
    await vs!.openFile('notes.md');
    const before = (await vs!.waitForStatusBarItem(/\btok\b/)).text;
    await vs!.updateUserSettings({ 'tokenwise.tokenizer': 'llama3' });
    await waitFor(async () => ((await vs!.statusBarItem(/\btok\b/))?.text ?? before) !== before, 60_000, 'the count to change under llama3');
    await vs!.updateUserSettings({ 'tokenwise.tokenizer': undefined });
  });

  it('counts, highlights and explains a document of a virtual file system (vscode-vfs)', async () => {
    await vs!.runCommand('Tokenwise Test: Open a Virtual File');
    await waitFor(async () => (await vs!.page.locator('.tab.active').textContent())?.includes('notes.txt') ?? false, 30_000, 'notes.txt from vscode-vfs to open');
    const { text } = JSON.parse(readFileSync(join(__dirname, 'vfsExtension', 'notes.json'), 'utf8')) as { text: string };
    // The count of this file, not one left from the editor before.
    await vs!.waitForStatusBarItem(new RegExp(`^${loadTokenizerSync('o200k_base').count(text)} tok\\b`), 60_000);
    await vs!.runCommand('Tokenwise: Toggle Token Highlighting');
    const color = await vs!.themeColor('tokenwise.tokenBackground1');
    await waitFor(async () => ((await vs!.editorLine(1))?.decorations ?? []).some((d) => d.backgroundColor === color), 20_000, 'token decorations on line 1');
    const hover = await vs!.hover(1, 7, 20_000);
    assert.match(hover ?? '', /Token index \d+ · id \d+ · o200k_base/, hover ?? 'no hover');
    await vs!.runCommand('Tokenwise: Toggle Token Highlighting');
    await vs!.runCommand('View: Close All Editors');
  });

  it('highlights tokens in the editor', async () => {
    await vs!.openFile('sample.ts');
    await vs!.runCommand('Tokenwise: Toggle Token Highlighting');
    const color = await vs!.themeColor('tokenwise.tokenBackground1');
    await waitFor(async () => ((await vs!.editorLine(1))?.decorations ?? []).some((d) => d.backgroundColor === color), 20_000, 'token decorations on line 1');
    await vs!.runCommand('Tokenwise: Toggle Token Highlighting');
  });
});
