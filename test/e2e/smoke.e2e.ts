/**
 * Smoke test: the packaged .vsix installs into real VS Code (code-server), activates, and its commands work,
 * driven by a real browser. Run with `npm run test:e2e` (which runs test/e2e/setup.sh first).
 */
import * as assert from 'node:assert/strict';
import { Workbench } from './harness';

describe('Tokenwise in VS Code (code-server + Chromium)', function () {
  this.timeout(180_000);
  let vs: Workbench | undefined;

  before(async function () {
    this.timeout(600_000); // packaging, installing, starting code-server and loading the workbench on 2 cores
    vs = await Workbench.start();
  });

  afterEach(async function () {
    if (vs && this.currentTest?.state === 'failed') await vs.saveDiagnostics(`smoke-${this.currentTest.title}`);
    await vs?.closeQuickInput().catch(() => {});
  });

  after(async function () {
    this.timeout(60_000);
    await vs?.dispose();
  });

  it('lists "Tokenwise: List Tokenizers" in the Command Palette', async () => {
    const commands = await vs!.findCommands('Tokenwise', /^Tokenwise: List Tokenizers/);
    assert.ok(
      commands.some((c) => c.startsWith('Tokenwise: List Tokenizers')),
      `the palette shows:\n${commands.join('\n')}`,
    );
  });

  it('activates: "Tokenwise: List Tokenizers" shows a quick pick with o200k_base', async () => {
    await vs!.runCommand('Tokenwise: List Tokenizers');
    assert.match(await vs!.waitForQuickPickItem('o200k_base', 60_000), /o200k_base/);
    assert.match(await vs!.quickPickTitle(), /Tokenwise/);
  });

  it('opens workspace files (TypeScript, Markdown with emoji and CJK, a large file)', async () => {
    for (const file of ['sample.ts', 'notes.md', 'large.txt']) await vs!.openFile(file);
  });

  it('shows the token count of the active editor in the status bar', async () => {
    await vs!.openFile('sample.ts');
    const item = await vs!.waitForStatusBarItem(/\btok\b/);
    assert.match(item.text, /^\d[\d,.]*\s*k?\s*tok\b/);
    assert.ok(item.id.startsWith('tokenwise.'), `the item is ${item.id}, not Tokenwise's`);
  });
});
