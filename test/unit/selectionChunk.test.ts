import assert from 'node:assert/strict';
import { DocumentTokens } from '../../src/core/incremental/documentTokens';
import { spansSource, type TokenSource } from '../../src/core/incremental/tokenSource';
import { chunkDocument, type Chunk } from '../../src/core/selection/chunk';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { ATOMS, adversarial, randomText, realFiles, rng } from '../fixtures/corpus';

const SEED = Number(process.env.SELECTION_SEED ?? 20261128);

/** The next place a chunk may end: one code point further, with CRLF whole. */
function nextBoundary(text: string, at: number): number {
  let p = at + 1;
  while (p < text.length && !isBoundary(text, p)) p++;
  return Math.min(p, text.length);
}

function isBoundary(text: string, at: number): boolean {
  const a = text.charCodeAt(at - 1);
  const b = text.charCodeAt(at);
  return !((a === 13 && b === 10) || (a >= 0xd800 && a < 0xdc00 && b >= 0xdc00 && b < 0xe000));
}

const lineBreaks = (text: string) => (text.match(/\r\n|\r|\n/g) ?? []).length;

/** Checks every promise of `chunkDocument`; returns how many chunks end inside a document token. */
function checkChunks(chunks: Chunk[], tokenizer: Tokenizer, text: string, n: number, where: string): number {
  const full = tokenizer.tokenize(text);
  const boundaries = new Set(full.ends);
  let midToken = 0;
  let at = 0;
  let line = 0;
  for (const [i, c] of chunks.entries()) {
    const label = `${where} chunk ${i} [${c.start}, ${c.end})`;
    assert.equal(c.start, at, `${label}: not contiguous`);
    assert.ok(c.end > c.start, `${label}: empty`);
    assert.ok(c.end === text.length || isBoundary(text, c.end), `${label}: ends inside a character or CRLF`);
    const chunkText = text.slice(c.start, c.end);
    assert.equal(c.tokens, tokenizer.count(chunkText), `${label}: reported count`);
    if (c.tokens > n) assert.equal(c.end, nextBoundary(text, c.start), `${label}: ${c.tokens} tokens and more than one character`);
    assert.equal(c.startLine, line, `${label}: start line`);
    line += lineBreaks(chunkText);
    if (!boundaries.has(c.end)) midToken++;
    at = c.end;
  }
  assert.equal(at, text.length, `${where}: does not cover the text`);
  return midToken;
}

function corpus(random: () => number): [string, string][] {
  const files = realFiles();
  return [
    ['typescript.js', files[0][1].slice(0, 50_000)],
    ['zh-cn messages', files[3][1].slice(0, 20_000)],
    ['README.md', files[7][1].slice(0, 20_000)],
    ...adversarial().map(([label, text]): [string, string] => [label, text.slice(0, 6000)]),
    ...Array.from({ length: 8 }, (_, i): [string, string] => [`random ${i}`, randomText(random, 50 + Math.floor(random() * 400))]),
  ];
}

describe('selection: split into chunks of at most N tokens', () => {
  for (const [id, rounds] of [['o200k_base', 6], ['llama3', 4], ['gemma3', 1]] as const) {
    it(`${id}: chunks cover the text in order, each within N tokens (random texts and N)`, () => {
      const tokenizer = loadTokenizerSync(id);
      const random = rng(SEED);
      let midToken = 0;
      for (const [label, original] of corpus(random)) {
        const text = id === 'gemma3' ? original.slice(0, 6000) : original;
        const full = tokenizer.tokenize(text);
        for (let r = 0; r < rounds; r++) {
          const source: TokenSource = r % 2 ? spansSource(text, full) : new DocumentTokens(tokenizer, text);
          const n = 1 + Math.floor(random() * [3, 20, 300, 3000][r % 4]);
          midToken += checkChunks(chunkDocument(source, tokenizer, n), tokenizer, text, n, `${id} seed ${SEED} ${label} n ${n}`);
        }
      }
      // Some chunks had to be cut inside a token: the character-by-character path ran (Gemma's one round may not).
      if (rounds > 1) assert.ok(midToken > 0, `seed ${SEED}: no chunk ended inside a token`);
    }).timeout(300_000);
  }

  it('gives the same chunks from DocumentTokens and from spans', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const text = corpus(rng(SEED)).map(([, t]) => t.slice(0, 3000)).join('\n');
    for (const n of [1, 7, 100, 1000]) {
      assert.deepEqual(chunkDocument(new DocumentTokens(tokenizer, text), tokenizer, n), chunkDocument(spansSource(text, tokenizer.tokenize(text)), tokenizer, n), `n ${n}`);
    }
  });

  it('cuts at line ends when a line ends in the chunk\'s last half', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const lines = Array.from({ length: 400 }, (_, i) => `const value${i} = compute(${i}, "${'x'.repeat(i % 7)}");`);
    for (const eol of ['\n', '\r\n']) {
      const text = lines.join(eol) + eol;
      const chunks = chunkDocument(new DocumentTokens(tokenizer, text), tokenizer, 100);
      checkChunks(chunks, tokenizer, text, 100, JSON.stringify(eol));
      for (const c of chunks) assert.ok(text.slice(c.start, c.end).endsWith(eol), `[${c.start}, ${c.end}) does not end a line`);
      assert.ok(chunks.length > 1 && chunks.slice(0, -1).every((c) => c.tokens > 50), 'chunks are not half full');
    }
    // Real code: nearly every chunk ends a line.
    const code = realFiles()[0][1].slice(0, 200_000);
    const chunks = chunkDocument(new DocumentTokens(tokenizer, code), tokenizer, 500);
    const atLineEnd = chunks.filter((c) => code[c.end - 1] === '\n').length;
    assert.ok(atLineEnd >= chunks.length - 2, `${atLineEnd} of ${chunks.length}`);
  });

  it('cuts between words when no line ends in the last half', () => {
    const tokenizer = loadTokenizerSync('llama3');
    const text = Array.from({ length: 3000 }, (_, i) => ['alpha', 'beta', 'gamma', 'internationalization'][i % 4]).join(' ');
    const chunks = chunkDocument(new DocumentTokens(tokenizer, text), tokenizer, 64);
    checkChunks(chunks, tokenizer, text, 64, 'words');
    for (const c of chunks.slice(0, -1)) assert.match(text.slice(c.end - 1, c.end + 1), /^[a-z] $/, `[${c.start}, ${c.end})`);
  });

  it('gives a character that alone needs more than N tokens a chunk of its own', () => {
    for (const id of ['o200k_base', 'cl100k_base', 'llama3', 'gemma3']) {
      const tokenizer = loadTokenizerSync(id);
      const text = 'a🦜b👨‍👩‍👧‍👦\u{20000}\u{10ffff}\r\n\ud800x';
      for (const n of [1, 2, 3]) {
        const chunks = chunkDocument(new DocumentTokens(tokenizer, text), tokenizer, n);
        checkChunks(chunks, tokenizer, text, n, `${id} n ${n}`);
        if (n === 1) assert.ok(chunks.some((c) => c.tokens > 1), `${id}: no character over N`);
      }
    }
  });

  it('handles empty and single-chunk texts, and rejects N < 1', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    assert.deepEqual(chunkDocument(new DocumentTokens(tokenizer, ''), tokenizer, 5), []);
    const text = 'one line\nand another';
    assert.deepEqual(chunkDocument(new DocumentTokens(tokenizer, text), tokenizer, 100), [{ start: 0, end: text.length, tokens: tokenizer.count(text), startLine: 0 }]);
    assert.throws(() => chunkDocument(new DocumentTokens(tokenizer, text), tokenizer, 0), RangeError);
    assert.throws(() => chunkDocument(new DocumentTokens(tokenizer, text), tokenizer, 2.5), RangeError);
  });

  it('random atom soup with small N on every adversarial atom', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const random = rng(SEED + 7);
    for (let k = 0; k < 200; k++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 30) }, () => ATOMS[Math.floor(random() * ATOMS.length)]).join('');
      const n = 1 + Math.floor(random() * 6);
      checkChunks(chunkDocument(new DocumentTokens(tokenizer, text), tokenizer, n), tokenizer, text, n, `seed ${SEED + 7} case ${k} ${JSON.stringify(text)} n ${n}`);
    }
  });

  it('splits 10 MB in about the time of one encode of it', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const base = realFiles()[0][1];
    const text = base.repeat(Math.ceil(10_000_000 / base.length)).slice(0, 10_000_000);
    const doc = new DocumentTokens(tokenizer, text);
    tokenizer.count(text); // warm up
    let t0 = performance.now();
    tokenizer.count(text);
    const encode = performance.now() - t0;
    for (const n of [1000, 8000]) {
      t0 = performance.now();
      const chunks = chunkDocument(doc, tokenizer, n);
      const elapsed = performance.now() - t0;
      assert.ok(chunks.length > text.length / (n * 8) && chunks.every((c) => c.tokens <= n));
      assert.equal(chunks[chunks.length - 1].end, text.length);
      // Each chunk is encoded once; reading the document's tokens costs less than encoding.
      assert.ok(elapsed < 2.5 * encode + 300, `n ${n}: ${elapsed.toFixed(0)} ms to chunk, ${encode.toFixed(0)} ms to encode`);
    }
  }).timeout(120_000);
});
