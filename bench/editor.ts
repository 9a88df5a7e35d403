// The editor path with highlighting off and on, in real VS Code (code-server in Chromium, the e2e setup):
// typing 200 characters at line 60,000 of 5 MB of JavaScript (keys per second, and how long after the last
// key the status bar shows the exact count), and 20 PageDowns through 20 MB of JSON, each until the first
// line number shown changes (with highlighting on, from a file counted and decorated). The files open as
// plain text, so that the language servers' own work on them does not drown Tokenwise's; the order of off
// and on alternates from run to run. Decorations must never delay the count or the keystroke: the ratios
// on/off say whether they do.
//
//   npm run build && node --import tsx bench/editor.ts [--runs N]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, table } from './report.mjs';
import { useNodeData } from '../src/core/data/node';
import { loadTokenizerSync } from '../src/core/tokenizers/registry';
import { waitFor, Workbench } from '../test/e2e/harness';

useNodeData();
const ROOT = join(__dirname, '..');
const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const LINE = 60_000;
/** A fast typist: 25 keys a second at most. */
const KEY_DELAY_MS = 40;
const TYPED = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega '.repeat(2).slice(0, 200);

function javascript(): string {
  const source = readFileSync(join(ROOT, 'node_modules', 'typescript', 'lib', 'typescript.js'), 'utf8');
  return source.slice(0, source.indexOf('\n', 5_000_000) + 1);
}

function json(): string {
  const rows = [];
  // About 240 characters a row once indented.
  for (let i = 0; rows.length * 240 < 20_000_000; i++) rows.push({ id: i, name: `item ${i}`, tags: ['alpha', 'beta', `t${i % 97}`], price: (i * 7.31) % 1000, active: i % 3 === 0, note: `Row ${i}: “quoted” — ünïcödé ${'x'.repeat(i % 40)}` });
  return JSON.stringify(rows, null, 2);
}

async function main(): Promise<void> {
  const js = javascript();
  const lines = js.split('\n');
  const typedText = [...lines.slice(0, LINE - 1), TYPED + lines[LINE - 1], ...lines.slice(LINE)].join('\n');
  const o200k = loadTokenizerSync('o200k_base');
  const expected = o200k.count(typedText);
  const original = o200k.count(js);
  const data = json();
  const jsonCount = o200k.count(data);
  const copies = Object.fromEntries(Array.from({ length: RUNS }, (_, run) => ['off', 'on'].map((mode) => [`big-${run}-${mode}.js`, js])).flat());
  const vs = await Workbench.start({ files: { ...copies, 'big.json': data }, settings: { 'editor.quickSuggestions': { other: false, comments: false, strings: false }, 'editor.wordBasedSuggestions': 'off', 'workbench.editorLargeFileConfirmation': 100, 'files.associations': { '*.js': 'plaintext', '*.json': 'plaintext' } } });
  const count = async (): Promise<number | undefined> => {
    const m = /([\d,]+) tok\b/.exec((await vs.statusBarItem(/\btok\b/))?.text ?? '');
    return m ? Number(m[1].replace(/,/g, '')) : undefined;
  };
  // A theme colour resolves once an editor is open; transparent would match any overlay, so it is checked.
  const decorated = async (line: number): Promise<boolean> => {
    const color = await vs.themeColor('tokenwise.tokenBackground1');
    if (color === 'rgba(0, 0, 0, 0)') return false;
    return ((await vs.editorLine(line))?.decorations ?? []).some((d) => d.backgroundColor === color);
  };
  const results: Record<string, { keys: number[]; settle: number[]; pages: number[] }> = {};
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const highlight of run % 2 ? [true, false] : [false, true]) {
        const mode = highlight ? 'on' : 'off';
        const r = (results[mode] ??= { keys: [], settle: [], pages: [] });
        console.error(`  run ${run + 1}, highlighting ${mode}: typing`);
        await vs.updateUserSettings({ 'tokenwise.highlight.enabled': highlight });
        // A fresh copy each time: nothing typed before is left in it.
        await vs.openFile(`big-${run}-${mode}.js`);
        await waitFor(async () => (await count()) === original, 120_000, 'the count of the file');
        await vs.goTo(LINE);
        if (highlight) await waitFor(() => decorated(LINE), 60_000, 'token decorations');
        const typing = performance.now();
        await vs.type(TYPED, KEY_DELAY_MS);
        const typed = performance.now();
        await waitFor(async () => (await count()) === expected, 120_000, `the count after typing (${expected})`, 10);
        r.keys.push(TYPED.length / ((typed - typing) / 1000));
        r.settle.push(performance.now() - typed);
        await vs.runCommand('View: Revert and Close Editor');
        console.error(`  run ${run + 1}, highlighting ${mode}: paging`);

        await vs.openFile('big.json');
        await waitFor(async () => (await count()) === jsonCount, 120_000, 'the count of big.json');
        await vs.goTo(1);
        if (highlight) await waitFor(() => decorated(1), 60_000, 'token decorations in big.json');
        // The first line number on screen; 0 while the gutter is being drawn again.
        const first = () =>
          vs.page.locator('.part.editor .monaco-editor.focused .line-numbers').evaluateAll((els) => {
            const shown = els.map((e) => Number(e.textContent)).filter((n) => n > 0);
            return shown.length ? Math.min(...shown) : 0;
          });
        const paging = performance.now();
        for (let p = 0; p < 20; p++) {
          const before = await first();
          await vs.press('PageDown');
          await waitFor(async () => (await first()) > before, 30_000, 'a PageDown to land', 5);
        }
        r.pages.push(performance.now() - paging);
        await vs.runCommand('View: Close All Editors');
      }
    }
  } finally {
    await vs.updateUserSettings({ 'tokenwise.highlight.enabled': false }).catch(() => {});
    await vs.dispose();
  }
  const off = results.off;
  const on = results.on;
  const row = (what: string, a: number[], b: number[], unit: string, digits: number, better: 'higher' | 'lower') => {
    const [x, y] = [median(a), median(b)];
    return [what, `${x.toFixed(digits)} ${unit}`, `${y.toFixed(digits)} ${unit}`, `${(y / x).toFixed(2)}× (${better} is better)`];
  };
  const mb = (text: string) => `${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB`;
  console.log(`\nEditor path, highlighting off and on (median of ${RUNS}; code-server in Chromium; ${mb(js)} of JavaScript, ${mb(data)} of JSON)\n`);
  console.log(
    table(
      ['', 'off', 'on', 'on / off'],
      [
        row(`typing at line ${LINE.toLocaleString('en-US')} of ${mb(js)} of JS`, off.keys, on.keys, 'keys/s', 1, 'higher'),
        row('count settled after the last key', off.settle, on.settle, 'ms', 0, 'lower'),
        row(`20 PageDowns in ${mb(data)} of JSON`, off.pages, on.pages, 'ms', 0, 'lower'),
      ],
    ),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
