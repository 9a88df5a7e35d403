// The completion cache on every keystroke: a lookup among 64 completions keyed by 24,000-character prefixes
// (what the editor sends), when the user typed what the newest ghost text predicted (a hit, no request) and
// when nothing matches (every entry checked). Medians of many lookups; asserts nothing.
//   node bench/completionCache.mjs
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadTs } from './loadTs.mjs';
import { fmt, median, table } from './report.mjs';

const { CompletionCache } = await loadTs('../src/core/fim/completionCache.ts');
const source = readFileSync(fileURLToPath(new URL('../node_modules/typescript/lib/typescript.js', import.meta.url)), 'utf8');
const PREFIX = 24_000;
const SUFFIX = 8_000;

const cache = new CompletionCache(64);
const keys = [];
for (let i = 0; i < 64; i++) {
  const at = 100_000 + i * 37;
  const key = { strategy: 'exact', start: at - PREFIX, prefix: source.slice(at - PREFIX, at), suffix: source.slice(at, at + SUFFIX) };
  cache.set(key, { text: source.slice(at, at + 40) });
  keys.push(key);
}
const newest = keys[keys.length - 1];
// Typing moves the window: it starts 3 characters later.
const typed = source.slice(100_000 + 63 * 37, 100_000 + 63 * 37 + 3);
const typedAhead = { ...newest, start: newest.start + 3, prefix: newest.prefix.slice(3) + typed };
const miss = { ...newest, prefix: `${newest.prefix}\u0000` };

function time(key, runs = 2000) {
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const t = process.hrtime.bigint();
    cache.lookup(key);
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return median(samples);
}

const rows = [
  ['same text again', fmt.ms(time(newest))],
  ['typed what the newest ghost text predicted (3 characters)', fmt.ms(time(typedAhead))],
  ['no match (all 64 entries checked)', fmt.ms(time(miss))],
];
console.log(table(['lookup', 'µs (median)'], rows));
