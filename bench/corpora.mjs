// Builds the benchmark corpora from files every checkout has (the TypeScript compiler in node_modules),
// so that the numbers are reproducible without downloads. Each corpus is written once under
// .bench/corpora/ts-<version>/ and read from there by the worker processes.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain } from './options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsLib = join(root, 'node_modules/typescript/lib');

/** Sizes: chars for the ASCII-heavy corpora, UTF-8 bytes for the CJK ones (so "1 MB" is 1e6 bytes). */
const SPECS = [
  { slug: 'js', name: '10 MB JavaScript', size: 10_000_000, quickSize: 500_000, unit: 'chars', build: javascript },
  { slug: 'dts', name: '2 MB .d.ts', size: 2_000_000, quickSize: 100_000, unit: 'chars', build: declarations },
  { slug: 'ja', name: '1 MB Japanese', size: 1_000_000, quickSize: 50_000, unit: 'bytes', build: japanese },
  { slug: 'mixed', name: '1 MB mixed scripts', size: 1_000_000, quickSize: 50_000, unit: 'bytes', build: mixedScripts },
];

function javascript() {
  return readFileSync(join(tsLib, 'typescript.js'), 'utf8');
}

// lib.dom.d.ts first (it alone is about 2.3 MB), then the other lib.*.d.ts in name order.
function declarations() {
  const others = readdirSync(tsLib).filter((f) => /^lib\..*\.d\.ts$/.test(f) && f !== 'lib.dom.d.ts').sort();
  return ['lib.dom.d.ts', ...others].map((f) => readFileSync(join(tsLib, f), 'utf8')).join('\n');
}

function messages(locale) {
  return Object.values(JSON.parse(readFileSync(join(tsLib, locale, 'diagnosticMessages.generated.json'), 'utf8')));
}

function japanese() {
  return messages('ja').join('\n');
}

// One line from each language in turn, so that every stretch of text switches script.
function mixedScripts() {
  const locales = ['ja', 'zh-cn', 'ko', 'ru', 'de'].map(messages);
  const lines = [];
  for (let i = 0; i < Math.max(...locales.map((m) => m.length)); i++) {
    for (const m of locales) if (i < m.length) lines.push(m[i]);
  }
  return lines.join('\n');
}

/** Repeats `source` (joined by newlines) until it reaches `size`, then cuts at the last line boundary. */
function fill(source, size, unit) {
  const measure = unit === 'bytes' ? (s) => Buffer.byteLength(s) : (s) => s.length;
  let text = source;
  while (measure(text) < size) text += '\n' + source;
  // Cut to at most `size`: for bytes, find the char count first (binary search on the prefix).
  let end = size;
  if (unit === 'bytes') {
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (Buffer.byteLength(text.slice(0, mid)) <= size) lo = mid;
      else hi = mid - 1;
    }
    end = lo;
  }
  const cut = text.lastIndexOf('\n', end - 1);
  return text.slice(0, cut > 0 ? cut + 1 : end);
}

function cacheDir() {
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules/typescript/package.json'), 'utf8'));
  return join(root, '.bench', 'corpora', `ts-${version}`);
}

/**
 * The corpora as `{ slug, name, path, chars, bytes }`, built on first use. `quick` gives small cuts of
 * the same texts for a sanity run.
 */
export function corpora({ quick = false } = {}) {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  return SPECS.map((spec) => {
    const path = join(dir, `${spec.slug}${quick ? '.quick' : ''}.txt`);
    if (!existsSync(path)) writeFileSync(path, fill(spec.build(), quick ? spec.quickSize : spec.size, spec.unit));
    const text = readFileSync(path, 'utf8');
    return { slug: spec.slug, name: quick ? `${spec.name} (quick cut)` : spec.name, path, chars: text.length, bytes: Buffer.byteLength(text) };
  });
}

if (isMain(import.meta.url)) {
  for (const c of corpora({ quick: process.argv.includes('--quick') })) {
    console.log(`${c.name}: ${c.chars} chars, ${c.bytes} UTF-8 bytes, ${c.path}`);
  }
}
