// Child process of decorations.mjs: builds a DocumentTokens over the corpus, then times decoration
// passes at seeded random places (scrolling) and after one-letter edits (typing).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { median } from './report.mjs';

const require = createRequire(import.meta.url);
const { DocumentTokens, loadTokenizer } = require(fileURLToPath(new URL('../dist/core.js', import.meta.url)));
const job = JSON.parse(process.argv[2]);
const { computeTokenDecorations, widenRanges } = require(job.module);

let seed = 4242;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};

const doc = new DocumentTokens(await loadTokenizer(job.encoding), readFileSync(job.path, 'utf8'));
const half = job.visibleLines >> 1;
/** A place that does not split a surrogate pair. */
const place = () => {
  let at = Math.floor(random() * doc.textLength);
  if (at > 0 && /[\uDC00-\uDFFF]/.test(doc.slice(at, at + 1))) at--;
  return at;
};
// What VS Code's visible ranges become in offsets: whole lines around a place (not timed).
const visibleAround = (at) => widenRanges(doc, [at, at], half);

const OPTIONS = {
  '2 colours': { colors: 2 },
  '3 colours + whitespace': { colors: 3, whitespace: true },
};
const chars = [];
/** One pass as the extension makes it: margin, then decorations. Returns its time and result. */
const pass = (visible, options) => {
  const t0 = performance.now();
  const window = widenRanges(doc, visible, job.marginLines);
  const d = computeTokenDecorations(doc, window, { ...options, visible });
  const ms = performance.now() - t0;
  chars.push(window[window.length - 1] - window[0]);
  return { ms, d };
};

// Warm up the JIT on passes that are not measured.
for (let n = 0; n < 300; n++) for (const o of Object.values(OPTIONS)) pass(visibleAround(place()), o);
chars.length = 0;

const summary = (scenario, times, passes) => {
  const sorted = [...times].sort((a, b) => a - b);
  const counts = passes.map((d) => d.count).sort((a, b) => a - b);
  return {
    scenario,
    p50: median(sorted),
    p95: sorted[Math.floor(sorted.length * 0.95)],
    max: sorted[sorted.length - 1],
    decorations: { p50: median(counts), max: counts[counts.length - 1] },
    truncated: passes.filter((d) => d.truncated).length,
    marginDropped: passes.filter((d) => d.marginDropped).length,
  };
};

const results = [];
for (const [name, options] of Object.entries(OPTIONS)) {
  const times = [];
  const passes = [];
  for (let n = 0; n < job.scrolls; n++) {
    const { ms, d } = pass(visibleAround(place()), options);
    times.push(ms);
    passes.push(d);
  }
  results.push(summary(`scroll, ${name}`, times, passes));
}
for (const [name, options] of Object.entries(OPTIONS)) {
  const total = [];
  const edits = [];
  const passes = [];
  for (let n = 0; n < job.keystrokes; n++) {
    const at = place();
    const t0 = performance.now();
    doc.applyChange(at, 0, String.fromCharCode(97 + Math.floor(random() * 26)));
    const t1 = performance.now();
    const { ms, d } = pass(visibleAround(at + 1), options);
    edits.push(t1 - t0);
    total.push(t1 - t0 + ms);
    passes.push(d);
  }
  results.push(summary(`type, ${name} (edit + pass)`, total, passes));
  results.push({ ...summary('… of which applyChange', edits, passes), decorations: undefined, truncated: undefined, marginDropped: undefined });
}
process.send({ module: job.module, tokens: doc.count, chars: median(chars), results });
