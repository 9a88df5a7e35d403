/**
 * Completions while typing, in real VS Code with a real engine: the embedded engine installed by its own
 * command into the extension's storage, a generated GGUF model, and the cursor inside a word. The ghost text
 * is what `tokenwise complete` prints for the same text, and Tab accepts it without repeating what was typed.
 * Then: other open files reach the prompt, a keystroke aborts the request in flight (no stale ghost text),
 * typing the predicted character is answered from the cache, VS Code's accept-word takes the ghost text word
 * by word, and a backend that is down is said once.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureEngine } from '../../scripts/install-engine';
import { modelCache, writeTinyModel } from '../fixtures/gguf/index';
import { describeByte } from '../../src/core/fim/describeByte';
import { surpriseLevel } from '../../src/core/surprisal/describe';
import type { TokenSurprise } from '../../src/core/surprisal/score';
import { loadTokenizer } from '../../src/core/tokenizers/registry';
import { ROOT, waitFor, Workbench } from './harness';

const ITEM_ID = 'tokenwise.tokenwise.tokenwise.backend';
const BEFORE = 'def mean(xs):\n    return s';
const GHOST = '.part.editor .monaco-editor .ghost-text-decoration, .part.editor .monaco-editor .ghost-text';
/** Tokens enough that a request lasts seconds on the tiny model (it never stops by itself), so a keystroke lands while it runs. */
const LONG = 3000;
/** Scored by the model's surprise: code the tiny model has seen, and a typo it has not. */
const SURPRISE_PY = 'def mean(xs):\n    retrun sum(xs) / len(xs)\n\nprint(mean([1, 2, 3]))\n';

describe('Tokenwise completions (code-server + Chromium + the embedded engine)', function () {
  this.timeout(300_000);
  let vs: Workbench;
  let model: string;

  before(async function () {
    this.timeout(900_000);
    // The engine's npm cache, so that the install command in VS Code finds its packages.
    await ensureEngine();
    model = writeTinyModel('bigram-bpe', join(modelCache(), 'e2e-bigram-bpe.gguf')).path;
    vs = await Workbench.start({ files: { 'fim.py': `${BEFORE}\n`, 'surprise.py': SURPRISE_PY } });
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
    const ghost = vs.page.locator(GHOST).first();
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
    for (const row of rows) assert.match(row.description, /^exact [\d.]+%( ±[\d.]+)? · naive [\d.]+%$/);
    const { exact } = JSON.parse(
      execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'next-bytes', '--backend', model, '--file', file, '--cursor', `2:${line2.length + 1}`, '--json'], { encoding: 'utf8' }),
    ) as { exact: Record<string, number> };
    const [top] = Object.entries(exact).sort((a, b) => b[1] - a[1]);
    assert.equal(rows[0].label, describeByte(top[0] === 'eos' ? 256 : parseInt(top[0], 16)));
  });

  it('puts the other open files into the prompt', async () => {
    const before = await lastPrompt();
    assert.ok(before, 'the tooltip tells the last prompt');
    const helpers = Array.from({ length: 40 }, (_, i) => `def helper_${i}(x):\n    return x * ${i}\n`).join('\n');
    const helperTokens = (await loadTokenizer(model)).encode(helpers).length;
    vs.writeWorkspaceFile('helpers.py', helpers);
    await vs.openFile('helpers.py');
    await vs.openFile('fim.py');
    await vs.goTo(3, 1);
    await vs.type('x');
    let prompt = before;
    await waitFor(async () => {
      prompt = (await lastPrompt()) ?? prompt;
      return prompt.files.includes('helpers.py');
    }, 60_000, 'a prompt with helpers.py');
    // Only the other file's text can have grown the prompt by this much (the document grew by one character).
    assert.ok(prompt.tokens - before.tokens >= helperTokens, `the prompt grew by ${prompt.tokens - before.tokens} tokens, helpers.py has ${helperTokens}`);
  });

  it('aborts the request in flight on the next keystroke and shows only the final text\'s completion; the predicted next character needs no request', async () => {
    await vs.updateUserSettings({ 'tokenwise.completion.debounceMs': 0, 'tokenwise.completion.maxTokens': LONG });
    try {
      vs.writeWorkspaceFile('cancel.py', `${BEFORE}\n`);
      const expected = cliCompletion(`${BEFORE}\n`, 2, 13, LONG).split('\n')[0];
      assert.ok(expected.length > 1, 'the model completes this text');
      // Characters the model does not predict here, so that no cached completion answers them.
      const strays = [...'qzjx'].filter((c) => c !== expected[0]).slice(0, 3);
      await vs.openFile('cancel.py');
      await vs.goTo(2, 13);
      const ghost = vs.page.locator(GHOST).first();
      const base = await settledRequests();
      let shown = base;
      // Each tooltip poll hovers the status bar, so the request may end before Backspace lands: then again,
      // with another character (the cache answers one already asked).
      for (const stray of strays) {
        const before = await settledRequests();
        await vs.type(stray);
        // In flight, or sent and already answered: then no abort is counted below, and the next character is tried.
        await waitFor(async () => {
          const now = await requests();
          return now.inFlight > 0 || now.sent > before.sent;
        }, 30_000, `the request for "s${stray}" to be in flight`);
        await vs.press('Backspace');
        await ghost.waitFor({ state: 'visible', timeout: 120_000 });
        shown = await settledRequests();
        if (shown.cancelled > before.cancelled) break;
      }
      assert.ok(shown.cancelled > base.cancelled, `the keystroke aborted the request in flight: ${JSON.stringify({ base, shown })}`);

      // What the ghost text predicts next, typed: answered from the cache, with no request.
      await vs.type(expected[0]);
      await waitFor(async () => (await requests()).cacheHits > shown.cacheHits, 30_000, 'the cache to answer the typed-ahead character');
      assert.equal((await requests()).sent, shown.sent, 'no request for the typed-ahead character');
      await ghost.waitFor({ state: 'visible', timeout: 30_000 });
      await vs.press('Tab');
      await vs.press('Control+S');
      const file = join(vs.workspace, 'cancel.py');
      await waitFor(() => readFileSync(file, 'utf8') === `${BEFORE}${expected}\n`, 15_000, 'the accepted completion on disk').catch(() => {
        throw new Error(`expected line 2 to read "    return s${expected.slice(0, 200)}", the file holds:\n${readFileSync(file, 'utf8').slice(0, 2000)}`);
      });
    } finally {
      await vs.updateUserSettings({ 'tokenwise.completion.debounceMs': undefined, 'tokenwise.completion.maxTokens': undefined });
    }
  });

  it('accepts the ghost text word by word with VS Code\'s own command (Ctrl+Right), then the rest with Tab', async () => {
    vs.writeWorkspaceFile('word.py', `${BEFORE}\n`);
    const expected = cliCompletion(`${BEFORE}u\n`, 2, 14).split('\n')[0];
    assert.ok(expected.length > 1, 'the model completes this text with more than one character');
    await vs.openFile('word.py');
    await vs.goTo(2, 13);
    await vs.type('u');
    const ghost = vs.page.locator(GHOST).first();
    await ghost.waitFor({ state: 'visible', timeout: 60_000 });
    await vs.press('Control+ArrowRight');
    await vs.press('Control+S');
    const file = join(vs.workspace, 'word.py');
    const line = () => readFileSync(file, 'utf8').split('\n')[1];
    let word = '';
    await waitFor(() => (word = line().slice('    return su'.length)).length > 0, 15_000, 'the first word accepted');
    assert.ok(word.length < expected.length && expected.startsWith(word), `accepted "${word}", a first part of "${expected}"`);
    await ghost.waitFor({ state: 'visible', timeout: 30_000 });
    await vs.press('Tab');
    await vs.press('Control+S');
    await waitFor(() => line() === `    return su${expected}`, 15_000, 'the rest accepted').catch(() => {
      throw new Error(`expected line 2 to read "    return su${expected}", it reads "${line()}"`);
    });
  });

  it('colours the visible tokens by the model\'s surprise, as tokenwise surprisal scores them, with a hover that explains one', async () => {
    const file = join(vs.workspace, 'surprise.py');
    const { tokens } = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'surprisal', '--backend', model, '--file', file, '--json'], { encoding: 'utf8' })) as { tokens: TokenSurprise[] };
    await vs.openFile('surprise.py');
    await vs.runCommand("Tokenwise: Show the Model's Surprise");
    const colors = await Promise.all([1, 2, 3].map((i) => vs.themeColor(`tokenwise.surpriseBackground${i}`)));
    // Per line and level: the characters of the line the CLI's tokens of that level cover (a token across a
    // line break on each of its lines), and the width the editor colours.
    const lines = SURPRISE_PY.split('\n').slice(0, 4);
    const lineStart = (n: number) => lines.slice(0, n).reduce((s, l) => s + l.length + 1, 0);
    const want = lines.map((line, n) => colors.map((_, level) => tokens.filter((t) => surpriseLevel(t) === level + 1).reduce((s, t) => s + Math.max(0, Math.min(t.end, lineStart(n) + line.length) - Math.max(t.start, lineStart(n))), 0)));
    assert.ok(want.flat().some((c) => c > 0), 'some tokens surprise the model');
    const shown = async () =>
      Promise.all(lines.map(async (_, n) => {
        const rendered = await vs.editorLine(n + 1);
        return colors.map((c) => Math.round((rendered?.decorations.filter((d) => d.backgroundColor === c).reduce((s, d) => s + d.width, 0) ?? 0) / (rendered?.charWidth || 1)));
      }));
    let last: number[][] = [];
    await waitFor(async () => JSON.stringify((last = await shown())) === JSON.stringify(want), 60_000, 'the surprise colours').catch(() => {
      throw new Error(`coloured characters per line and level: ${JSON.stringify(last)}, the CLI's tokens cover ${JSON.stringify(want)}`);
    });
    // The typo: its hover gives the CLI's probability and the model's first choice.
    const at = SURPRISE_PY.indexOf('retrun') + 1;
    const typo = tokens.find((t) => t.start <= at && at < t.end)!;
    const hover = await vs.hover(2, at - lineStart(1) + 1, 20_000);
    assert.ok(hover, 'a hover shows');
    assert.match(hover, new RegExp(`The model's surprise: ${typo.bits.toFixed(2)} bits`), hover);
    assert.match(hover, new RegExp(`token ${typo.index + 1}, id ${typo.id}`), hover);
    assert.ok(hover.includes('the model expected'), hover);
    await vs.page.keyboard.press('Escape');
    await vs.runCommand("Tokenwise: Show the Model's Surprise");
    await waitFor(async () => (await shown()).flat().every((c) => c === 0), 20_000, 'the surprise colours to go away');
  });

  it('says once that the backend is down, and typing works with the document left as typed', async () => {
    await vs.openFile('fim.py');
    await vs.press('Control+S');
    const file = join(vs.workspace, 'fim.py');
    await vs.dismissNotifications();
    // Every notification is also written to the page's console: counted there, since toasts hide after a while.
    const seen = vs.pageErrors.length;
    const notified = () => vs.pageErrors.slice(seen).filter((e) => /^console: Tokenwise:/.test(e));
    await vs.updateUserSettings({ 'tokenwise.backend.modelPath': join(modelCache(), 'e2e-missing.gguf') });
    await waitFor(async () => /not available: .*No model file/.test(await vs.statusBarTooltip(ITEM_ID)), 60_000, 'the backend item to say the model is missing');
    await waitFor(() => notified().length > 0, 30_000, 'the notification');
    assert.match(notified()[0], /model backend: .*No model file/);
    const saved = readFileSync(file, 'utf8');
    await vs.openFile('fim.py');
    await vs.goTo(1, 1);
    await vs.type('# typed while the model is away\n', 40);
    await vs.press('Control+S');
    await waitFor(() => readFileSync(file, 'utf8') === `# typed while the model is away\n${saved}`, 15_000, 'the typed text on disk, and nothing else').catch(() => {
      throw new Error(`the file holds:\n${readFileSync(file, 'utf8')}`);
    });
    assert.equal(await vs.page.locator(GHOST).count(), 0, 'no ghost text');
    assert.equal(notified().length, 1, `one notification: ${JSON.stringify(notified())}`);
  });

  /** `tokenwise complete` on the same text, cursor and model. */
  function cliCompletion(text: string, line: number, col: number, maxTokens = 64): string {
    const file = join(modelCache(), 'e2e-fim.py');
    writeFileSync(file, text);
    const out = execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'complete', '--backend', model, '--file', file, '--cursor', `${line}:${col}`, '--max-tokens', String(maxTokens), '--json'], { encoding: 'utf8' });
    return (JSON.parse(out) as { text: string }).text;
  }

  /** The request counts in the model item's tooltip (zeros before any request). */
  async function requests(): Promise<{ sent: number; inFlight: number; cancelled: number; cacheHits: number }> {
    const m = /Requests: (\d+) sent, (\d+) in flight, (\d+) cancelled, (\d+) answered from the cache/.exec(await vs.statusBarTooltip(ITEM_ID));
    const [sent, inFlight, cancelled, cacheHits] = m ? m.slice(1).map(Number) : [0, 0, 0, 0];
    return { sent, inFlight, cancelled, cacheHits };
  }

  /** The counts once no request is in flight (a request the editor made on its own has ended). */
  async function settledRequests(): Promise<Awaited<ReturnType<typeof requests>>> {
    let counts = await requests();
    await waitFor(async () => (counts = await requests()).inFlight === 0, 60_000, 'no completion request in flight');
    return counts;
  }

  /** The size of the last prompt and the other files it was offered, from the tooltip. */
  async function lastPrompt(): Promise<{ tokens: number; files: string[] } | undefined> {
    const m = /Last prompt: (\d+) tokens, other files offered: (.*)/.exec(await vs.statusBarTooltip(ITEM_ID));
    return m ? { tokens: Number(m[1]), files: m[2].trim().split(', ') } : undefined;
  }
});
