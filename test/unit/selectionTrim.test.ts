import assert from 'node:assert/strict';
import { DocumentTokens } from '../../src/core/incremental/documentTokens';
import { spansSource, type TokenSource } from '../../src/core/incremental/tokenSource';
import { trimToTokens } from '../../src/core/selection/trim';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { adversarial, randomText, realFiles, rng } from '../fixtures/corpus';

const SEED = Number(process.env.SELECTION_SEED ?? 20261128);

/** The next end a trim may stop at: one code point further, with CRLF whole. */
function nextBoundary(text: string, at: number): number {
  let p = at + 1;
  const inside = (q: number) => {
    const a = text.charCodeAt(q - 1);
    const b = text.charCodeAt(q);
    return (a === 13 && b === 10) || (a >= 0xd800 && a < 0xdc00 && b >= 0xdc00 && b < 0xe000);
  };
  while (p < text.length && inside(p)) p++;
  return Math.min(p, text.length);
}

/** Checks a trim of `[start, end)` to `n` tokens: exact, at a boundary, and maximal by one character. */
function checkTrim(source: TokenSource, tokenizer: Tokenizer, text: string, start: number, end: number, n: number, where: string): number {
  const got = trimToTokens(source, tokenizer, start, end, n);
  const count = (e: number) => tokenizer.count(text.slice(start, e));
  assert.equal(got.start, start, where);
  assert.ok(got.end >= start && got.end <= end, where);
  assert.equal(got.tokens, count(got.end), `${where}: reported count`);
  assert.ok(got.tokens <= n, `${where}: ${got.tokens} tokens`);
  assert.equal(got.trimmed, got.end < end, where);
  if (got.end < end) {
    const next = Math.min(end, nextBoundary(text, got.end));
    assert.ok(count(next) > n, `${where}: [${start}, ${next}) also fits (${count(next)} tokens), stopped at ${got.end}`);
    const c = text.charCodeAt(got.end);
    assert.ok(got.end === start || !(c >= 0xdc00 && c < 0xe000 && text.charCodeAt(got.end - 1) >= 0xd800 && text.charCodeAt(got.end - 1) < 0xdc00), `${where}: splits a pair`);
    assert.ok(got.end === start || !(c === 10 && text.charCodeAt(got.end - 1) === 13), `${where}: splits a CRLF`);
  }
  return got.end;
}

function corpus(random: () => number): [string, string][] {
  const files = realFiles();
  return [
    ['typescript.js', files[0][1].slice(0, 50_000)],
    ['lib.dom.d.ts', files[1][1].slice(0, 50_000)],
    ['ko messages', files[4][1].slice(0, 30_000)],
    ...adversarial().map(([label, text]): [string, string] => [label, text.slice(0, 4000)]),
    ...Array.from({ length: 6 }, (_, i): [string, string] => [`random ${i}`, randomText(random, 300)]),
  ];
}

describe('selection: trim a selection to N tokens', () => {
  for (const [id, cases] of [['o200k_base', 40], ['llama3', 30], ['gemma3', 6]] as const) {
    it(`${id}: the longest prefix within N tokens, by one character (random selections and N)`, () => {
      const tokenizer = loadTokenizerSync(id);
      const random = rng(SEED);
      for (const [label, text] of corpus(random)) {
        const source: TokenSource = random() < 0.5 ? new DocumentTokens(tokenizer, text) : spansSource(text, tokenizer.tokenize(text));
        for (let k = 0; k < cases; k++) {
          const start = Math.floor(random() * (text.length + 1));
          const end = Math.min(text.length, start + Math.floor(random() * (random() < 0.7 ? 400 : 20_000)));
          const n = Math.floor(random() * (random() < 0.7 ? 30 : 2000));
          checkTrim(source, tokenizer, text, start, end, n, `${id} seed ${SEED} ${label} [${start}, ${end}) n ${n}`);
        }
      }
    }).timeout(300_000);
  }

  it('finds the longest prefix that fits, as a search of every end does, on real text', () => {
    const random = rng(SEED + 1);
    const files = realFiles();
    for (const id of ['o200k_base', 'llama3', 'qwen3']) {
      const tokenizer = loadTokenizerSync(id);
      for (const file of [0, 1, 3, 5, 7]) {
        const text = files[file][1].slice(0, 30_000);
        const doc = new DocumentTokens(tokenizer, text);
        for (let k = 0; k < 40; k++) {
          const start = Math.floor(random() * text.length);
          const end = Math.min(text.length, start + Math.floor(random() * 150));
          const n = Math.floor(random() * 25);
          let longest = start;
          for (let e = start + 1; e <= end; e++) if (e === end || nextBoundary(text, e - 1) === e) if (tokenizer.count(text.slice(start, e)) <= n) longest = e;
          const got = trimToTokens(doc, tokenizer, start, end, n);
          assert.equal(got.end, longest, `${id} seed ${SEED + 1} ${files[file][0]} [${start}, ${end}) n ${n}: ${JSON.stringify(text.slice(start, longest))}`);
        }
      }
    }
  }).timeout(300_000);

  it('keeps selections that fit, empties for N = 0, and rejects bad input', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const text = 'hello world, hello tokens';
    const doc = new DocumentTokens(tokenizer, text);
    assert.deepEqual(trimToTokens(doc, tokenizer, 0, text.length, 100), { start: 0, end: text.length, tokens: tokenizer.count(text), trimmed: false });
    assert.deepEqual(trimToTokens(doc, tokenizer, 3, 10, 0), { start: 3, end: 3, tokens: 0, trimmed: true });
    assert.deepEqual(trimToTokens(doc, tokenizer, 4, 4, 3), { start: 4, end: 4, tokens: 0, trimmed: false });
    assert.deepEqual(trimToTokens(doc, tokenizer, 0, text.length, 2), { start: 0, end: 11, tokens: 2, trimmed: true });
    assert.throws(() => trimToTokens(doc, tokenizer, 0, 99, 2), RangeError);
    assert.throws(() => trimToTokens(doc, tokenizer, 0, 3, -1), RangeError);
  });

  it('never splits a surrogate pair, an emoji\'s bytes or a CRLF', () => {
    for (const id of ['cl100k_base', 'o200k_base', 'gemma3']) {
      const tokenizer = loadTokenizerSync(id);
      for (const text of ['🦜🦜🦜🦜', 'a\r\nb\r\n\r\nc', '👨‍👩‍👧‍👦👍🏽', '\ud800\ud800\udc00\udc00x', 'e\u0301\u0301\u0301']) {
        const doc = new DocumentTokens(tokenizer, text);
        for (let n = 0; n <= tokenizer.count(text); n++) checkTrim(doc, tokenizer, text, 0, text.length, n, `${id} ${JSON.stringify(text)} n ${n}`);
      }
    }
  });

  it('trims a 2 MB selection with a few encodes', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const text = realFiles()[0][1].repeat(6).slice(0, 2_000_000);
    const doc = new DocumentTokens(tokenizer, text);
    let calls = 0;
    let units = 0;
    const counting = Object.assign(Object.create(tokenizer) as Tokenizer, {
      count: (t: string) => {
        calls++;
        units += t.length;
        return tokenizer.count(t);
      },
    });
    const got = checkTrim(doc, counting, text, 1000, text.length, 5000, 'o200k_base 2 MB');
    assert.ok(got > 1000 + 5000 && got < 1000 + 5000 * 8, `${got}`);
    // checkTrim counts twice; the search itself stays near the limit.
    assert.ok(calls < 40 && units < 40 * (got - 1000), `${calls} encodes of ${units} units`);
  });
});
