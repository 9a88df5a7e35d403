// Child process of incremental.mjs: builds a DocumentTokens over one corpus, then times kinds of edits
// at seeded random places, against a full re-encode of the same document. After each kind, checks
// that the document's ids equal a fresh encode of its text (an incremental tokenizer must not drift).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { median } from './report.mjs';

const require = createRequire(import.meta.url);
const { DocumentTokens, loadTokenizer } = require(fileURLToPath(new URL('../dist/core.js', import.meta.url)));
const { encoding, path, edits } = JSON.parse(process.argv[2]);

let seed = 12345;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};

const tokenizer = await loadTokenizer(encoding);
let text = readFileSync(path, 'utf8');
const timeOf = (f) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

tokenizer.encode(text.slice(0, 100_000));
const fullMs = median([0, 1, 2].map(() => timeOf(() => tokenizer.encode(text))));
// Memory of the document's tokens: heap and array buffers after a full collection, per token.
const settle = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const before = settle();
let doc;
const buildMs = timeOf(() => (doc = new DocumentTokens(tokenizer, text)));
const tokens = doc.count;
const bytesPerToken = (settle() - before) / tokens;
// The benchmark keeps no copy of the text: a 10 MB string rebuilt per edit would cost more than the edit.
const length = () => doc.textLength;

/** A place that does not split a surrogate pair. */
const place = () => {
  let at = Math.floor(random() * (length() + 1));
  if (at > 0 && at < length() && /[\uDC00-\uDFFF]/.test(doc.slice(at, at + 1))) at--;
  return at;
};
const SCENARIOS = {
  'type a letter': () => [place(), 0, String.fromCharCode(97 + Math.floor(random() * 26))],
  'delete a char': () => [Math.min(place(), length() - 2), 1, ''],
  'insert a newline': () => [place(), 0, '\n'],
  'paste 1 KB': () => {
    const from = Math.min(place(), length() - 1024);
    return [place(), 0, doc.slice(from, from + 1024)];
  },
  'paste 100 KB': () => {
    const from = Math.min(place(), length() - 100_000);
    return [place(), 0, doc.slice(from, from + 100_000)];
  },
};

const results = [];
for (const [scenario, makeEdit] of Object.entries(SCENARIOS)) {
  const times = [];
  const count = scenario === 'paste 100 KB' ? Math.min(edits, 50) : edits;
  for (let n = 0; n < count; n++) {
    let [offset, removed, inserted] = makeEdit();
    // Keep deletions off surrogate pairs too.
    if (removed && /[\uD800-\uDFFF]/.test(doc.slice(offset, offset + 1))) [removed, inserted] = [0, 'x'];
    times.push(timeOf(() => doc.applyChange(offset, removed, inserted)));
  }
  text = doc.text();
  const expected = tokenizer.encode(text);
  const actual = doc.ids();
  let at = 0;
  while (at < expected.length && actual[at] === expected[at]) at++;
  const identical = at === expected.length && actual.length === expected.length;
  times.sort((a, b) => a - b);
  results.push({ scenario, medianMs: median(times), p95Ms: times[Math.floor(times.length * 0.95)], p99Ms: times[Math.floor(times.length * 0.99)], maxMs: times[times.length - 1], identical, firstDiff: identical ? undefined : at });
}
process.send({ fullMs, buildMs, bytesPerToken, tokens, chars: text.length, results });
