/**
 * The budget panel's page alone in Chromium: the HTML shell the extension serves (with its real Content
 * Security Policy), the bundle from dist/webview, and a scripted host in place of VS Code that records what
 * the page posts and delivers snapshots the way VS Code does (window.postMessage).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { makeNonce, panelHtml } from '../../src/core/panel/html';
import type { PanelMessage, PanelState, PanelTab } from '../../src/core/panel/protocol';
import type { ThemeKind } from './themes';
import { THEMES } from './themes';

const ROOT = resolve(__dirname, '..', '..');
const DIST = join(ROOT, 'dist', 'webview');
const ORIGIN = 'https://panel.tokenwise.test';
export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };

/** Builds when the page's bundle is missing or older than its sources. */
export function buildIfStale(): void {
  const bundle = join(DIST, 'panel.js');
  const newest = Math.max(
    ...['webview', 'src/core/panel', 'src/core/budget'].flatMap((dir) =>
      readdirSync(join(ROOT, dir)).map((f) => statSync(join(ROOT, dir, f)).mtimeMs),
    ),
  );
  if (existsSync(bundle) && existsSync(join(DIST, 'panel.css')) && statSync(bundle).mtimeMs >= newest) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 120_000 });
}

export class PanelPage {
  /** Console errors and uncaught exceptions. */
  readonly errors: string[] = [];

  private constructor(readonly page: Page) {}

  /** Opens the page as VS Code would, with `saved` as what getState returns (a reload keeps it). */
  static async open(browser: Browser, saved?: unknown, viewport = { width: 1100, height: 900 }): Promise<PanelPage> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const panel = new PanelPage(page);
    page.on('console', (m) => {
      if (m.type() === 'error') panel.errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => panel.errors.push(`pageerror: ${e.message}`));
    const nonce = makeNonce();
    const html = panelHtml({
      cspSource: ORIGIN,
      nonce,
      scriptUri: `${ORIGIN}/panel.js`,
      styleUri: `${ORIGIN}/panel.css`,
      codiconUri: `${ORIGIN}/codicon.css`,
      title: 'Tokenwise Budget',
    });
    await page.route(`${ORIGIN}/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/' || path === '/index.html') return route.fulfill({ status: 200, contentType: TYPES['.html'], body: html });
      const file = join(DIST, path.replace(/^\/+/, ''));
      if (!file.startsWith(DIST) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
      return route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
    });
    // The scripted host, in place before the page's own script as VS Code's is. A string, not a function:
    // the test runner's transpiler would add helpers to a function that the page does not have.
    await page.addInitScript(`(() => {
      const sent = [];
      const violations = [];
      let state = ${JSON.stringify(saved ?? null)} ?? undefined;
      let acquired = false;
      window.__sent = sent;
      window.__violations = violations;
      window.__getState = () => state;
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ': ' + e.blockedURI + ' ' + e.sample));
      window.acquireVsCodeApi = () => {
        if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
        acquired = true;
        return {
          postMessage: (m) => { sent.push(JSON.parse(JSON.stringify(m))); },
          getState: () => state,
          setState: (s) => { state = JSON.parse(JSON.stringify(s)); return s; },
        };
      };
    })();`);
    await page.goto(`${ORIGIN}/index.html`);
    await page.waitForFunction(() => customElements.get('vscode-tabs') !== undefined && document.querySelector('vscode-tabs') !== null);
    return panel;
  }

  async sent(): Promise<PanelMessage[]> {
    return this.page.evaluate(() => (window as unknown as { __sent: PanelMessage[] }).__sent.slice());
  }

  async clearSent(): Promise<void> {
    await this.page.evaluate(() => {
      (window as unknown as { __sent: unknown[] }).__sent.length = 0;
    });
  }

  /** The messages posted since the last clear, once there are at least `n` of them. */
  async waitForSent(n = 1, timeout = 5_000): Promise<PanelMessage[]> {
    await this.page.waitForFunction((n) => (window as unknown as { __sent: unknown[] }).__sent.length >= n, n, { timeout });
    return this.sent();
  }

  async savedState(): Promise<unknown> {
    return this.page.evaluate(() => (window as unknown as { __getState: () => unknown }).__getState());
  }

  async violations(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations.slice());
  }

  /** Delivers a snapshot as VS Code delivers host messages, and waits for the page to draw it. */
  async deliver(state: PanelState | Record<string, unknown>): Promise<void> {
    await this.page.evaluate((state) => window.postMessage({ type: 'state', state }, '*'), state);
    await this.page.waitForFunction(() => !document.getElementById('app')?.hasAttribute('aria-busy'));
    await this.settle();
  }

  async post(message: unknown): Promise<void> {
    await this.page.evaluate((m) => window.postMessage(m, '*'), message);
  }

  /** Lets custom elements finish their updates (two animation frames). */
  async settle(): Promise<void> {
    await this.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }

  async showTab(tab: PanelTab): Promise<void> {
    await this.page.locator(`vscode-tab-header[data-tab="${tab}"]`).click();
    await this.settle();
  }

  /** Puts the body class and --vscode-* variables of a theme kind on <body>, as VS Code does. */
  async setTheme(kind: ThemeKind): Promise<void> {
    await this.page.evaluate((theme) => {
      document.body.className = theme.bodyClass;
      document.body.dataset.vscodeThemeKind = theme.bodyClass;
      for (const [name, value] of Object.entries(theme.variables)) document.body.style.setProperty(`--vscode-${name}`, value);
    }, THEMES[kind]);
    await this.settle();
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}
