/**
 * The budget panel's page alone in Chromium, against a scripted host: the handshake, the numbers it shows,
 * the typed message every control posts, sorting (and that the sort survives a reload), the keyboard, the
 * three kinds of theme, and a strict Content Security Policy that nothing on the page violates.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { formatCount } from '../../src/core/budget/budget';
import type { PanelMessage } from '../../src/core/panel/protocol';
import { isPanelMessage } from '../../src/core/panel/protocol';
import { budget, compare, files, overState, state, workspace } from './fixtures';
import { buildIfStale, launch, PanelPage } from './panelPage';
import type { ThemeKind } from './themes';

const SCREENSHOTS = join(__dirname, 'screenshots');

describe('the budget panel page', function () {
  let browser: Browser;
  let pages: PanelPage[] = [];
  let checked: PanelMessage[] = [];

  const open = async (saved?: unknown) => {
    const p = await PanelPage.open(browser, saved);
    pages.push(p);
    return p;
  };
  /** Opens the page and draws the fixture snapshot on the given tab. */
  const openWith = async (tab: 'budget' | 'compare' | 'workspace' = 'budget', snapshot: Record<string, unknown> | typeof state = state) => {
    const p = await open({ tab });
    await p.deliver(snapshot);
    await p.clearSent();
    return p;
  };
  const lastSent = async (p: PanelPage) => {
    const sent = await p.waitForSent(1);
    checked.push(...sent);
    return sent[sent.length - 1];
  };
  const texts = (p: PanelPage, selector: string) => p.page.locator(selector).allInnerTexts();

  before(async function () {
    this.timeout(600_000);
    buildIfStale();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(async function () {
    for (const p of pages) {
      const violations = await p.violations().catch(() => []);
      assert.deepEqual(violations, [], 'Content Security Policy violations');
      assert.deepEqual(p.errors, [], 'console errors and uncaught exceptions');
      checked.push(...(await p.sent().catch(() => [])));
      await p.close();
    }
    pages = [];
    const bad = checked.filter((m) => !isPanelMessage(m));
    checked = [];
    assert.deepEqual(bad, [], 'every message the page posts passes the extension’s check');
  });

  it('says ready first, once, before any snapshot arrives', async () => {
    const p = await open();
    assert.deepEqual(await p.sent(), [{ type: 'ready' }]);
    await p.deliver(state);
    await p.deliver(state);
    assert.deepEqual(
      (await p.sent()).filter((m) => m.type === 'ready'),
      [{ type: 'ready' }],
    );
  });

  it('shows the budget: model, tokenizer, parts with ≈ on estimates, totals and what the window holds', async () => {
    const p = await openWith('budget');
    const body = await p.page.locator('.budget-view').innerText();
    assert.match(body, /GPT-4o/);
    assert.match(body, /o200k_base/);
    const rows = await p.page.locator('.budget-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c as HTMLElement).innerText.trim())));
    assert.equal(rows.length, budget.parts.length);
    budget.parts.forEach((part, i) => {
      assert.ok(rows[i][0].startsWith(part.label), `${rows[i][0]} is ${part.label}`);
      assert.equal(rows[i][1], `${part.estimate ? '≈' : ''}${formatCount(part.tokens)}`);
      if (part.kind !== 'template') assert.equal(rows[i][2], formatCount(part.characters));
    });
    const foot = await p.page.locator('.budget-table tfoot tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c as HTMLElement).innerText.trim())));
    assert.deepEqual(
      foot.map((r) => r.slice(0, 2)),
      [
        ['Input total', `≈${formatCount(budget.input)}`],
        ['Output reserved', formatCount(budget.reservedOutput)],
        ['Usable for input', formatCount(budget.usable)],
        ['Tokens left', `≈${formatCount(budget.left)}`],
      ],
    );
    assert.match(body, new RegExp(`holds ≈${formatCount(budget.windowCharacters)} characters`));
    assert.match(body, /≈ marks estimates/);
    const chart = p.page.locator('svg.stacked-bar');
    assert.match((await chart.getAttribute('aria-label')) ?? '', new RegExp(`${formatCount(128_000)} tokens`));
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.equal(await p.page.locator('svg.stacked-bar rect.segment').count(), budget.parts.length + 2, 'parts, reserved output, free space');
    assert.match(await p.page.locator('.budget-state').innerText(), /Within budget/);
    assert.equal(await p.page.locator('vscode-textarea').evaluate((t) => (t as HTMLTextAreaElement).value), 'You are a careful reviewer.');
    assert.equal(await p.page.locator('vscode-textfield').evaluate((t) => (t as HTMLInputElement).value), '8192');
  });

  it('shows a budget over the limit in the error colours, and a message when there is no budget', async () => {
    const p = await openWith('budget', overState);
    assert.match(await p.page.locator('.budget-state').innerText(), /Over the limit/);
    assert.ok(await p.page.locator('.budget-state.state-error').isVisible());
    const left = p.page.locator('.budget-table tfoot tr.left.negative td').first();
    assert.equal(await left.innerText(), `−≈${formatCount(26_110)}`);
    const colour = await left.evaluate((td) => getComputedStyle(td).color);
    const error = await p.page.evaluate(() => {
      const probe = document.body.appendChild(document.createElement('span'));
      probe.classList.add('probe');
      probe.style.color = 'var(--vscode-errorForeground)';
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    });
    assert.equal(colour, error);
    assert.equal(await p.page.locator('svg.stacked-bar line.limit-line').count(), 1, 'the window edge is marked');
    await p.deliver({ ...state, budget: undefined, budgetMessage: 'Open a file to see its budget' });
    assert.match(await p.page.locator('.budget-view .message').innerText(), /Open a file to see its budget/);
  });

  it('shows the comparison with the reference marked, bars, the note, and the boundaries of two tokenizers', async () => {
    const p = await openWith('compare');
    const rows = await p.page.locator('table[data-table="compare"] tbody tr').evaluateAll((trs) => trs.map((tr) => ({ cls: tr.className, cells: [...tr.children].map((c) => (c as HTMLElement).innerText.trim()) })));
    assert.equal(rows.length, compare.rows.length);
    for (const r of compare.rows) {
      const shown = rows.find((x) => x.cells[0].startsWith(r.name));
      assert.ok(shown, r.name);
      assert.equal(shown.cells[1], `${r.exact ? '' : '≈'}${formatCount(r.tokens)}`);
      assert.equal(shown.cells[2], r.charsPerToken.toFixed(2));
      assert.equal(shown.cells[7], `≈${formatCount(r.window!.characters)} chars`);
      assert.equal(shown.cls === 'reference', r.tokenizer === compare.reference);
    }
    const headers = await texts(p, 'table[data-table="compare"] thead th');
    assert.deepEqual(
      headers.map((h) => h.replace(/\u200b/g, '').trim().toUpperCase()),
      ['TOKENIZER', 'TOKENS', 'CHARS/TOKEN', 'BYTES/TOKEN', 'TOKENS/WORD', '1-TOKEN WORDS', 'Δ VS CURRENT', 'WINDOW HOLDS'],
    );
    assert.match(await p.page.locator('.compare-view').innerText(), /not comparable as capacity/);
    assert.equal(await p.page.locator('.bar-list .bar-row').count(), compare.rows.length);
    assert.match((await p.page.locator('.bar-list').getAttribute('aria-label')) ?? '', /Tokens per tokenizer/);
    const only = await p.page.locator('.token-text.side-a .tok.only').count();
    assert.ok(only > 0, 'boundaries only o200k_base has are marked');
    assert.ok((await p.page.locator('.token-text.side-b .tok.only').count()) > 0);
    assert.equal(await p.page.locator('.token-text.side-a').innerText(), state.boundaries!.text);
  });

  it('reads at half a window\'s width: every column of the comparison in view, the boundary captions saying what they count', async () => {
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(200);
    const p = await PanelPage.open(browser, { tab: 'compare' }, { width: 620, height: 900 });
    pages.push(p);
    await p.deliver({ ...state, boundaries: { ...state.boundaries, text: long, a: { ...state.boundaries!.a, spans: [] }, b: { ...state.boundaries!.b, spans: [] } } });
    const fits = await p.page.locator('.table-scroll').first().evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
    assert.ok(fits.scroll <= fits.client, `the table is ${fits.scroll} px wide in ${fits.client} px`);
    const captions = await texts(p, '.token-line figcaption');
    assert.equal(captions.length, 2);
    for (const c of captions) assert.match(c, /tokens in the first 6,000 characters,/, c);
    assert.match(await p.page.locator('.boundaries').innerText(), /^Showing the tokens in the first 6,000 characters of the text; the table counts all of it\./);
  });

  it('shows the workspace: totals, the files table, the folder tree and the skipped files', async () => {
    const p = await openWith('workspace');
    const view = await p.page.locator('.workspace-view').innerText();
    assert.match(view, new RegExp(formatCount(workspace.total.tokens)));
    assert.match(view, new RegExp(formatCount(workspace.total.characters)));
    assert.equal(await p.page.locator('table[data-table="workspace-files"] tbody tr').count(), files.length);
    const first = await p.page.locator('table[data-table="workspace-files"] tbody tr').first().locator('td').nth(1).innerText();
    assert.equal(first, formatCount(Math.max(...files.map((f) => f.tokens))), 'largest first');
    const top = await p.page.locator('vscode-tree > vscode-tree-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-node')));
    assert.deepEqual([...top].sort(), ['docs', 'src', 'test', 'webview']);
    assert.match(await p.page.locator('details.skipped summary').innerText(), /2 skipped/);
  });

  it('posts the typed message of every budget control', async () => {
    const p = await openWith('budget');
    const expectClick = async (selector: string, message: PanelMessage) => {
      await p.clearSent();
      await p.page.locator(selector).first().click();
      assert.deepEqual(await lastSent(p), message, selector);
    };
    await expectClick('[data-focus-key="pick-model"]', { type: 'pickModel' });
    await expectClick('[data-focus-key="pick-tokenizer"]', { type: 'pickTokenizer' });
    await expectClick('[data-focus-key="prompt-file"]', { type: 'pickSystemPromptFile' });
    await expectClick('[data-focus-key="prompt-clear"]', { type: 'clearSystemPrompt' });
    await expectClick('[data-focus-key="pin-files"]', { type: 'pinFiles' });
    await p.clearSent();
    await p.page.getByRole('button', { name: 'Unpin docs/guide.md' }).click();
    assert.deepEqual(await lastSent(p), { type: 'unpin', path: 'docs/guide.md' });
    await p.clearSent();
    await p.page.locator('.pinned-list button.link', { hasText: 'src/api/client.ts' }).click();
    assert.deepEqual(await lastSent(p), { type: 'openFile', path: 'src/api/client.ts' });
    await expectClick('[data-focus-key="export:budget:csv"]', { type: 'export', what: 'budget', format: 'csv' });
    await expectClick('[data-focus-key="export:budget:json"]', { type: 'export', what: 'budget', format: 'json' });
    await p.deliver({ ...state, systemPrompt: { kind: 'file', path: 'prompts/system.md' } });
    assert.match(await p.page.locator('.prompt-file').innerText(), /prompts\/system\.md/);
  });

  it('sends the system prompt once typing pauses', async () => {
    const p = await openWith('budget');
    const input = p.page.locator('vscode-textarea textarea');
    await input.fill('');
    await input.pressSequentially('Be brief.', { delay: 20 });
    const early = (await p.sent()).filter((m) => m.type === 'setSystemPrompt');
    assert.ok(early.length <= 1, 'not one message per key');
    await p.page.waitForTimeout(700);
    const sent = (await p.sent()).filter((m) => m.type === 'setSystemPrompt');
    checked.push(...sent);
    assert.deepEqual(sent[sent.length - 1], { type: 'setSystemPrompt', text: 'Be brief.' });
    assert.ok(sent.length <= 2);
    // A snapshot arriving while the user types does not overwrite what they typed.
    await input.pressSequentially(' Now.');
    await p.deliver(state);
    assert.equal(await input.inputValue(), 'Be brief. Now.');
  });

  it('posts the reserved output, and empty as the model default', async () => {
    const p = await openWith('budget');
    const input = p.page.locator('vscode-textfield input');
    await input.fill('4000');
    await input.press('Enter');
    await input.blur();
    assert.deepEqual(await lastSent(p), { type: 'setReservedOutput', tokens: 4000 });
    assert.equal((await p.sent()).length, 1, 'one edit, one message');
    await p.clearSent();
    await input.fill('');
    await input.press('Enter');
    assert.deepEqual(await lastSent(p), { type: 'setReservedOutput', tokens: null });
  });

  it('posts the compare controls: source, tokenizers, boundary pair, export', async () => {
    const p = await openWith('compare');
    await p.page.locator('[data-focus-key="compare-source"]').click();
    await p.page.locator('[data-focus-key="compare-source"] li.option', { hasText: 'The selection' }).click();
    assert.deepEqual(await lastSent(p), { type: 'setCompareSource', source: 'selection' });

    await p.clearSent();
    await p.page.locator('[data-focus-key="compare-tokenizers"]').click();
    await p.page.locator('[data-focus-key="compare-tokenizers"] li.option', { hasText: 'Qwen 3' }).click();
    const tokenizers = await lastSent(p);
    assert.equal(tokenizers.type, 'setCompareTokenizers');
    assert.deepEqual([...(tokenizers as { ids: string[] }).ids].sort(), [...state.compareTokenizers, 'qwen3'].sort());
    await p.page.keyboard.press('Escape');

    await p.clearSent();
    await p.page.locator('[data-focus-key="pair-b"]').click();
    await p.page.locator('[data-focus-key="pair-b"] li.option', { hasText: 'Qwen 3' }).click();
    assert.deepEqual(await lastSent(p), { type: 'setBoundaryPair', a: 'o200k_base', b: 'qwen3' });

    await p.clearSent();
    await p.page.locator('[data-focus-key="export:compare:json"]').click();
    assert.deepEqual(await lastSent(p), { type: 'export', what: 'compare', format: 'json' });
  });

  it('posts the workspace controls: scan, cancel, open, pin, open from the tree, export', async () => {
    const p = await openWith('workspace', { ...state, workspace: undefined });
    assert.equal(await p.page.locator('[data-focus-key="cancel-scan"]').evaluate((b) => (b as HTMLButtonElement).disabled), true);
    await p.page.locator('[data-focus-key="scan"]').click();
    assert.deepEqual(await lastSent(p), { type: 'scanWorkspace' });
    await p.deliver({ ...state, workspace: { ...workspace, state: 'scanning', files: files.slice(0, 10) }, workspaceProgress: { scanned: 10, path: 'src/core/file10.ts' } });
    assert.match(await p.page.locator('.scan-progress').innerText(), /10 files…/);
    assert.equal(await p.page.locator('.scan-progress vscode-progress-ring').count(), 1);
    await p.clearSent();
    await p.page.locator('[data-focus-key="cancel-scan"]').click();
    assert.deepEqual(await lastSent(p), { type: 'cancelScan' });

    await p.deliver(state);
    const path = files[3].path;
    await p.clearSent();
    await p.page.locator(`[data-focus-key="ws-open:${path}"]`).focus();
    await p.page.keyboard.press('Enter');
    assert.deepEqual(await lastSent(p), { type: 'openFile', path });
    await p.clearSent();
    await p.page.getByRole('button', { name: `Pin ${path}` }).click();
    assert.deepEqual(await lastSent(p), { type: 'pinPath', path });

    // Folders fill in when opened; a file in the tree opens in the editor.
    await p.clearSent();
    await p.page.locator('vscode-tree-item[data-node="docs"]').click();
    await p.settle();
    const leaf = p.page.locator('vscode-tree-item[data-node="docs/file03.ts"]');
    await leaf.click();
    assert.deepEqual(await lastSent(p), { type: 'openFile', path: 'docs/file03.ts' });
    await p.clearSent();
    await p.page.locator('[data-focus-key="export:workspace:csv"]').click();
    assert.deepEqual(await lastSent(p), { type: 'export', what: 'workspace', format: 'csv' });
  });

  it('sorts a table by a column, and keeps the sort and the tab across a reload', async () => {
    const p = await openWith('compare');
    const names = () => p.page.locator('table[data-table="compare"] tbody th').allInnerTexts();
    const byTokens = [...compare.rows].sort((a, b) => a.tokens - b.tokens).map((r) => r.name);
    assert.deepEqual((await names()).map((n) => n.split('\n')[0].replace(/\s*(≈|current)$/g, '')), byTokens);
    const header = p.page.locator('table[data-table="compare"] [data-column="charsPerToken"]');
    await header.click();
    const th = p.page.locator('table[data-table="compare"] thead th').nth(2);
    assert.equal(await th.getAttribute('aria-sort'), 'descending');
    const byDensity = [...compare.rows].sort((a, b) => b.charsPerToken - a.charsPerToken).map((r) => r.name);
    const firstName = async () => (await p.page.locator('table[data-table="compare"] tbody tr').first().locator('th span span').first().innerText()).trim();
    assert.equal(await firstName(), byDensity[0]);
    await header.click();
    assert.equal(await th.getAttribute('aria-sort'), 'ascending');
    assert.equal(await firstName(), byDensity[byDensity.length - 1]);

    const saved = await p.savedState();
    assert.deepEqual((saved as { sort: unknown }).sort, { table: 'compare', column: 'charsPerToken', descending: false });
    assert.equal((saved as { tab: string }).tab, 'compare');

    // A reload: VS Code hands the page what it saved.
    const again = await open(saved);
    await again.deliver(state);
    assert.equal(await again.page.locator('table[data-table="compare"] thead th').nth(2).getAttribute('aria-sort'), 'ascending');
    assert.equal((await again.page.locator('table[data-table="compare"] tbody tr').first().locator('th span span').first().innerText()).trim(), byDensity[byDensity.length - 1]);
    assert.ok(await again.page.locator('table[data-table="compare"]').isVisible(), 'opens on the Compare tab');

    // Sorting the other table keeps this one's sort.
    await again.showTab('workspace');
    await again.page.locator('table[data-table="workspace-files"] [data-column="path"]').click();
    const both = (await again.savedState()) as { sorts: Record<string, unknown>; tab: string };
    assert.deepEqual(both.sorts, { compare: { column: 'charsPerToken', descending: false }, 'workspace-files': { column: 'path', descending: false } });
    assert.equal(both.tab, 'workspace');
  });

  it('can be used from the keyboard: Tab reaches the sort headers, Enter sorts', async () => {
    const p = await openWith('compare');
    await p.setTheme('dark');
    await p.page.locator('vscode-tab-header[data-tab="compare"]').focus();
    let reached = '';
    for (let i = 0; i < 60 && !reached; i++) {
      await p.page.keyboard.press('Tab');
      reached = await p.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.column ?? '');
    }
    assert.equal(reached, 'tokenizer', 'the first sort header is reachable with Tab');
    const outline = await p.page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await p.page.keyboard.press('Enter');
    assert.equal(await p.page.locator('table[data-table="compare"] thead th').first().getAttribute('aria-sort'), 'ascending');
    await p.page.keyboard.press('Tab');
    await p.page.keyboard.press('Enter');
    assert.equal(await p.page.locator('table[data-table="compare"] thead th').nth(1).getAttribute('aria-sort'), 'descending');
    // A new snapshot keeps the focus where it was.
    await p.deliver({ ...state, compare: { ...compare, rows: compare.rows.map((r) => ({ ...r, tokens: r.tokens + 1 })) } });
    assert.equal(await p.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.column), 'tokens');
  });

  it('draws nothing wrong from missing or unexpected data', async () => {
    const p = await open();
    await p.deliver({});
    await p.deliver({ budget: { parts: 'nope' }, pinned: null, tokenizers: [null, 3], workspace: { files: [{ path: 'a' }, null] }, compare: { rows: [{}] } });
    await p.post({ type: 'unknown' });
    await p.post('not even an object');
    await p.deliver(state);
    assert.equal(await p.page.locator('.budget-table tbody tr').count(), budget.parts.length);
  });

  for (const kind of ['light', 'dark', 'high-contrast'] as ThemeKind[]) {
    it(`renders in a ${kind} theme (screenshots in test/webview/screenshots/)`, async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const p = await open({ tab: 'budget' });
      await p.setTheme(kind);
      await p.deliver(state);
      await p.page.evaluate(() => document.fonts.ready);
      const colour = await p.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.notEqual(colour, 'rgba(0, 0, 0, 0)', 'the theme background applies');
      for (const tab of ['budget', 'compare', 'workspace'] as const) {
        await p.showTab(tab);
        await p.page.screenshot({ path: join(SCREENSHOTS, `panel-${kind}-${tab}.png`), fullPage: true });
      }
    });
  }
});
