/**
 * The budget panel in real VS Code: it opens from the palette, shows the numbers the CLI prints for the
 * same request, follows pinned files and the model, exports what it shows, and compares tokenizers.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { formatCount } from '../../src/core/budget/budget';
import { costFigures, formatPrices, formatUsd } from '../../src/core/budget/cost';
import { modelCatalog } from '../../src/core/budget/modelCatalog';
import type { BudgetReport } from '../../src/core/budget/compose';
import { defaultCompareTokenizers, type CompareReport } from '../../src/core/compare/compare';
import { defaultWorkspaceFiles, ROOT, waitFor, Workbench } from './harness';

const SYSTEM = 'You are a careful reviewer. Answer briefly.\n';

describe('Tokenwise budget panel (code-server + Chromium)', function () {
  this.timeout(180_000);
  let vs: Workbench;
  let panel: FrameLocator;

  /** The CLI's numbers for files of the scratch workspace. */
  function cli<T>(args: string[]): T {
    return JSON.parse(execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args, '--json'], { cwd: vs.workspace, encoding: 'utf8' })) as T;
  }

  /** The budget table as shown: [label, tokens] for each part, then the footer rows. */
  async function shownBudget(): Promise<{ parts: string[][]; foot: string[][] }> {
    const rows = (selector: string) =>
      panel.locator(selector).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => ((c as HTMLElement).innerText ?? '').trim().split('\n')[0])));
    return { parts: await rows('.budget-table tbody tr'), foot: await rows('.budget-table tfoot tr') };
  }

  /** Waits until the panel shows the parts and input total of `budget`. */
  async function expectBudget(budget: BudgetReport): Promise<void> {
    const expected = budget.parts.map((p) => [p.label, `${p.estimate ? '≈' : ''}${formatCount(p.tokens)}`]);
    const total = `${budget.parts.some((p) => p.estimate) ? '≈' : ''}${formatCount(budget.input)}`;
    let shown: { parts: string[][]; foot: string[][] } | undefined;
    await waitFor(
      async () => {
        shown = await shownBudget();
        return JSON.stringify(shown.parts.map((r) => r.slice(0, 2))) === JSON.stringify(expected) && shown.foot[0]?.[1] === total;
      },
      30_000,
      'the panel to show the CLI budget',
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\nexpected ${JSON.stringify(expected)} total ${total}\nshown ${JSON.stringify(shown)}`);
    });
  }

  before(async function () {
    this.timeout(600_000);
    vs = await Workbench.start({ files: { ...defaultWorkspaceFiles(), 'prompts/system.md': SYSTEM } });
  });

  afterEach(async function () {
    if (vs && this.currentTest?.state === 'failed') await vs.saveDiagnostics(`panel-${this.currentTest.title}`);
    await vs?.closeQuickInput().catch(() => {});
  });

  after(async function () {
    this.timeout(60_000);
    await vs?.dispose();
  });

  it('opens from the palette and shows the budget the CLI computes for the same file and model', async () => {
    await vs.openFile('sample.ts');
    await vs.runCommand('Tokenwise: Open Budget Panel');
    panel = vs.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await panel.locator('.budget-table').waitFor({ state: 'visible', timeout: 60_000 });
    const { budget } = cli<{ budget: BudgetReport }>(['count', 'sample.ts', '--model', 'gpt-4o']);
    await expectBudget(budget);
    assert.match(await panel.locator('.budget-view').innerText(), /GPT-4o/);
    assert.match(await panel.locator('.budget-view').innerText(), new RegExp(`holds ≈${formatCount(budget.windowCharacters)} characters`));
    // Under the bar, the cost the CLI computes, as an estimate at the prices it names.
    const cost = await panel.locator('.budget-view .cost').innerText();
    const figures = costFigures(budget.cost!).map((f) => `${f.label.toLowerCase()} ≈ ${formatUsd(f.usd)}`).join(' · ');
    assert.equal(cost, `Cost (estimate): ${figures} — at ${formatPrices(budget.model.prices!)}; ${budget.model.pricesFrom}`);
  });

  it('adds a pinned file and a system prompt to the budget, as the CLI counts them', async () => {
    await vs.runCommand('View: Focus First Editor Group');
    await vs.openFile('notes.md');
    await vs.runCommand('Tokenwise: Pin to Budget');
    await vs.runCommand('View: Focus First Editor Group');
    await vs.openFile('sample.ts');
    await panel.locator('.pinned-list', { hasText: 'notes.md' }).waitFor({ timeout: 30_000 });
    const { budget } = cli<{ budget: BudgetReport }>(['count', 'notes.md', 'sample.ts', '--model', 'gpt-4o']);
    await expectBudget(budget);

    // A system prompt typed in the panel counts as the same text in a file does for the CLI.
    await panel.locator('vscode-textarea textarea').fill(SYSTEM);
    const withSystem = cli<{ budget: BudgetReport }>(['count', 'notes.md', 'sample.ts', '--model', 'gpt-4o', '--system', 'prompts/system.md']).budget;
    const expected = { ...withSystem, parts: withSystem.parts.map((p) => (p.kind === 'system' ? { ...p, label: 'System prompt' } : p)) };
    await expectBudget(expected);
  });

  it('follows the model and the tokenizer: Gemini counted with o200k_base gives the CLI\'s numbers, marked ≈', async () => {
    await vs.updateWorkspaceSettings({ 'tokenwise.model': 'gemini-2.5-pro', 'tokenwise.tokenizer': 'o200k_base' });
    try {
      await waitFor(async () => /1.05M window/.test(await panel.locator('.budget-view').innerText()), 30_000, 'the panel to show Gemini 2.5 Pro\'s window');
      const { budget } = cli<{ budget: BudgetReport }>(['count', 'notes.md', 'sample.ts', '--model', 'gemini-2.5-pro', '-t', 'o200k_base', '--system', 'prompts/system.md']);
      await expectBudget({ ...budget, parts: budget.parts.map((p) => (p.kind === 'system' ? { ...p, label: 'System prompt' } : p)) });
      assert.ok(budget.parts.some((p) => p.estimate), 'the template of a model without a public one is an estimate');
    } finally {
      await vs.updateWorkspaceSettings({ 'tokenwise.model': undefined, 'tokenwise.tokenizer': undefined });
    }
    await waitFor(async () => /128k window/.test(await panel.locator('.budget-view').innerText()), 30_000, 'the panel to show GPT-4o again');
    // A model the catalog has no prices for shows no cost, not a cost of nothing.
    const unpriced = modelCatalog().find((m) => !m.prices && m.contextWindow > 0)!;
    await vs.updateWorkspaceSettings({ 'tokenwise.model': unpriced.id });
    try {
      await waitFor(async () => (await panel.locator('.budget-view').innerText()).includes(unpriced.name), 30_000, `the panel to show ${unpriced.name}`);
      assert.equal(await panel.locator('.budget-view .cost').count(), 0);
    } finally {
      await vs.updateWorkspaceSettings({ 'tokenwise.model': undefined });
    }
    await waitFor(async () => {
      const text = await panel.locator('.budget-view').innerText();
      return /GPT-4o/.test(text) && !text.includes(unpriced.name) && (await panel.locator('.budget-view .cost').count()) === 1;
    }, 30_000, 'the panel to show GPT-4o again');
  });

  it('exports the budget as JSON with the numbers it shows', async () => {
    const file = join(vs.workspace, 'tokenwise-budget.json');
    await panel.locator('[data-focus-key="export:budget:json"]').click();
    // code-server's own save dialog: a quick input holding the proposed path.
    await waitFor(async () => (await vs.page.locator('.quick-input-widget .quick-input-box input').inputValue().catch(() => '')).endsWith('tokenwise-budget.json'), 30_000, 'the save dialog');
    await vs.page.keyboard.press('Enter');
    await waitFor(() => existsSync(file), 30_000, 'the export to be written');
    const exported = JSON.parse(readFileSync(file, 'utf8')) as BudgetReport;
    const shown = await shownBudget();
    assert.equal(`${exported.parts.some((p) => p.estimate) ? '≈' : ''}${formatCount(exported.input)}`, shown.foot[0][1]);
    assert.deepEqual(
      exported.parts.map((p) => p.label),
      shown.parts.map((r) => r[0]),
    );
  });

  it('compares the current tokenizer with popular ones, with the numbers of `tokenwise compare`', async () => {
    await panel.locator('vscode-tab-header[data-tab="compare"]').click();
    const table = panel.locator('table[data-table="compare"] tbody tr');
    await table.first().waitFor({ state: 'visible', timeout: 30_000 });
    const rows = async () => table.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => ((c as HTMLElement).innerText ?? '').trim())));
    const report = cli<CompareReport>(['compare', 'sample.ts', '--tokenizers', defaultCompareTokenizers('o200k_base').join(',')]);
    const shown = await rows();
    assert.equal(shown.length, report.rows.length);
    for (const r of report.rows) {
      const row = shown.find((s) => s[0].startsWith(r.name));
      assert.ok(row, `${r.name} is listed: ${JSON.stringify(shown)}`);
      assert.equal(row[1], `${r.exact ? '' : '≈'}${formatCount(r.tokens)}`);
      assert.equal(row[2], r.charsPerToken.toFixed(2));
      // The same text's cost under each row's model: the last column, '—' where the model has no price.
      assert.equal(row[row.length - 1], r.inputCost === undefined ? '—' : `≈ ${formatUsd(r.inputCost)}`, r.name);
    }
    assert.ok(report.rows.some((r) => r.inputCost !== undefined), 'some rows are priced');
    const headers = await panel.locator('table[data-table="compare"] thead th').allInnerTexts();
    assert.match(headers[headers.length - 1].trim(), /^input cost$/i);
  });

  it('counts the workspace in the background: every file with the tokens `tokenwise count` gives', async () => {
    await panel.locator('vscode-tab-header[data-tab="workspace"]').click();
    await panel.locator('[data-focus-key="scan"]').click();
    const rows = panel.locator('table[data-table="workspace-files"] tbody tr');
    const { files } = cli<{ files: { path: string; tokens: number }[] }>(['count', '.']);
    let shown: string[][] = [];
    await waitFor(
      async () => {
        const headers = await panel.locator('table[data-table="workspace-files"] thead th').allInnerTexts();
        const tokensColumn = headers.findIndex((h) => /^tokens$/i.test(h.trim()));
        shown = await rows.evaluateAll((trs, column) => trs.map((tr) => [tr.children[0], tr.children[column]].map((c) => ((c as HTMLElement).innerText ?? '').trim())), tokensColumn);
        return shown.length === files.length;
      },
      60_000,
      `${files.length} files in the workspace table`,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(shown)} vs ${JSON.stringify(files)}`);
    });
    for (const f of files) assert.ok(shown.some(([path, tokens]) => path.includes(f.path) && tokens === formatCount(f.tokens)), `${f.path}: ${formatCount(f.tokens)} in ${JSON.stringify(shown)}`);
  });

  it('comes back after a reload on the tab it showed, with its pinned files', async () => {
    await Promise.all([vs.page.waitForEvent('load', { timeout: 120_000 }), vs.runCommand('Developer: Reload Window').catch(() => {})]);
    await vs.page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 120_000 });
    panel = vs.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await panel.locator('.workspace-view').waitFor({ state: 'visible', timeout: 60_000 });
    await panel.locator('vscode-tab-header[data-tab="budget"]').click();
    await panel.locator('.pinned-list', { hasText: 'notes.md' }).waitFor({ timeout: 30_000 });
  });
});
