/**
 * `npm run screenshots`: the README's pictures of Tokenwise in VS Code, taken in code-server and Chromium on
 * the sample workspace, written to docs/images/. Emoji and CJK need fonts Chromium can find (on Debian:
 * fonts-noto-color-emoji, fonts-noto-cjk).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, waitFor, Workbench } from './harness';
import { sampleWorkspaceFiles } from './sampleWorkspace';

const OUT = join(ROOT, 'docs', 'images');
const ITEM = '.part.statusbar .statusbar-item[id="tokenwise.tokenwise.tokenwise.count"]';

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const vs = await Workbench.start({
    files: sampleWorkspaceFiles(),
    settings: {
      'workbench.colorTheme': 'Default Dark Modern',
      'editor.fontSize': 15,
      'editor.minimap.enabled': false,
      'breadcrumbs.enabled': false,
      'editor.stickyScroll.enabled': false,
      'workbench.activityBar.location': 'hidden',
      'tokenwise.highlight.enabled': true,
      'tokenwise.highlight.whitespace': true,
    },
  });
  const page = vs.page;
  const shot = (name: string, clip?: { x: number; y: number; width: number; height: number }) => page.screenshot({ path: join(OUT, name), clip, timeout: 30_000 });
  try {
    await page.setViewportSize({ width: 1100, height: 560 });
    await vs.runCommand('View: Close Primary Side Bar').catch(() => {});

    // Token boundaries, a split emoji and its hover, the count in the status bar.
    await vs.openFile('notes.md');
    await vs.waitForStatusBarItem(/\btok\b/);
    const hover = await vs.hover(3, 50);
    if (!hover) throw new Error('no hover on the emoji');
    await shot('tokens.png');

    // Special-token text coloured by the injection grammar, in a chat prompt.
    await page.mouse.move(0, 0);
    await vs.updateUserSettings({ 'tokenwise.highlight.enabled': false });
    await vs.openFile('prompt.md');
    await waitFor(async () => /\btok\b/.test((await vs.statusBarItem(/\btok\b/))?.text ?? ''), 30_000, 'the count of prompt.md');
    await vs.press('Control+Home');
    await shot('special-tokens.png');

    // The status bar tooltip: the budget's breakdown and its links.
    await page.locator(ITEM).hover();
    const tooltip = page.locator('.workbench-hover:visible, .monaco-hover:not(.hidden):visible').last();
    await tooltip.waitFor({ state: 'visible', timeout: 15_000 });
    const box = await tooltip.boundingBox();
    const item = await page.locator(ITEM).boundingBox();
    if (!box || !item) throw new Error('no tooltip on screen');
    const top = Math.max(0, box.y - 12);
    await shot('status-bar.png', { x: Math.max(0, box.x - 12), y: top, width: Math.min(1100, box.width + 24 + Math.max(0, item.x + item.width - box.x - box.width)), height: item.y + item.height - top });
    await page.mouse.move(0, 0);

    // The model picker, from the status bar item.
    await page.locator(ITEM).click();
    await waitFor(async () => (await vs.quickPickTitle()) === 'Tokenwise: Select Model', 30_000, 'the model picker');
    await vs.filterQuickPick('qwen');
    await page.waitForTimeout(500);
    const picker = await page.locator('.quick-input-widget').boundingBox();
    if (!picker) throw new Error('no model picker on screen');
    await shot('model-picker.png', { x: picker.x, y: picker.y, width: picker.width, height: picker.height });
    await vs.closeQuickInput();

    // The budget panel: a pinned file, the document, a system prompt; then the comparison.
    await page.setViewportSize({ width: 1100, height: 860 });
    await vs.runCommand('View: Focus First Editor Group');
    await vs.openFile('large.txt');
    await vs.runCommand('Tokenwise: Pin to Budget');
    await vs.runCommand('View: Focus First Editor Group');
    await vs.openFile('sample.ts');
    await vs.runCommand('Tokenwise: Open Budget Panel');
    await vs.runCommand('View: Single Column Editor Layout');
    const panel = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await panel.locator('.budget-table').waitFor({ state: 'visible', timeout: 60_000 });
    await panel.locator('vscode-textarea textarea').fill('You are a careful code reviewer. Answer in English, briefly.');
    await waitFor(async () => (await panel.locator('.budget-table tbody tr').count()) === 4, 30_000, 'the system prompt in the budget');
    const editor = await page.locator('.part.editor').boundingBox();
    if (!editor) throw new Error('no editor area');
    await page.mouse.move(editor.x + editor.width / 2, editor.y + editor.height - 5);
    await shot('budget-panel.png', editor);
    await panel.locator('vscode-tab-header[data-tab="compare"]').click();
    await panel.locator('table[data-table="compare"] tbody tr').first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForTimeout(500);
    await shot('compare.png', editor);
    console.log(`screenshots written to ${OUT}`);
  } finally {
    await vs.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
