/** The tokenizer comparison: metrics against brute-force oracles, boundary diffs, windows and export. */
import assert from 'node:assert/strict';
import type { ModelInfo } from '../../src/core/budget/modelCatalog';
import { modelCatalog } from '../../src/core/budget/modelCatalog';
import { BOUNDARY_DIFF_LIMIT, boundaryDiff, compareTokenizers, defaultCompareTokenizers } from '../../src/core/compare/compare';
import type { CompareReport } from '../../src/core/compare/compare';
import { compareToCsv, compareToJson } from '../../src/core/compare/exportCompare';
import { csvField } from '../../src/core/text/csv';
import { parseCsv } from '../fixtures/csv';
import { representativeModel } from '../../src/core/compare/representativeModel';
import { wordRanges } from '../../src/core/compare/textMeasures';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { adversarial, randomText, realFiles, rng } from '../fixtures/corpus';

const IDS = ['o200k_base', 'cl100k_base', 'llama3', 'qwen3', 'deepseek_v3', 'gemma3', 'claude-legacy'];

/** What each metric is by definition, computed the slow way: every word against every token. */
function oracle(text: string, tokenizer: Tokenizer) {
  const { starts, ends } = tokenizer.tokenize(text);
  const words = [...new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text)].filter((s) => s.isWordLike);
  let overlaps = 0;
  let single = 0;
  for (const w of words) {
    const ws = w.index;
    const we = w.index + w.segment.length;
    let k = 0;
    for (let i = 0; i < starts.length; i++) if (starts[i] < we && ends[i] > ws) k++;
    overlaps += k;
    if (k === 1) single++;
  }
  return { tokens: tokenizer.count(text), characters: [...text].length, bytes: Buffer.byteLength(text, 'utf8'), words: words.length, overlaps, single };
}

/** Report numbers for several sources, summed from the oracle of each. */
function expectedReport(texts: readonly string[], tokenizers: readonly Tokenizer[], reference: string) {
  const per = tokenizers.map((t) => texts.map((text) => oracle(text, t)));
  const sum = (list: ReturnType<typeof oracle>[], key: keyof ReturnType<typeof oracle>) => list.reduce((s, o) => s + o[key], 0);
  const characters = sum(per[0], 'characters');
  const bytes = sum(per[0], 'bytes');
  const words = sum(per[0], 'words');
  const refTokens = sum(per[tokenizers.findIndex((t) => t.id === reference)], 'tokens');
  const div = (x: number, y: number) => (y === 0 ? 0 : x / y);
  return {
    characters,
    bytes,
    words,
    rows: per.map((list, i) => {
      const tokens = sum(list, 'tokens');
      return {
        tokenizer: tokenizers[i].id,
        tokens,
        charsPerToken: div(characters, tokens),
        bytesPerToken: div(bytes, tokens),
        tokensPerWord: div(sum(list, 'overlaps'), words),
        singleTokenWords: div(sum(list, 'single'), words),
        deltaTokens: tokens - refTokens,
        deltaShare: div(tokens - refTokens, refTokens),
      };
    }),
  };
}

function assertMatches(report: CompareReport, expected: ReturnType<typeof expectedReport>, what: string): void {
  assert.equal(report.characters, expected.characters, `${what}: characters`);
  assert.equal(report.bytes, expected.bytes, `${what}: bytes`);
  assert.equal(report.words, expected.words, `${what}: words`);
  expected.rows.forEach((e, i) => {
    const row = report.rows[i];
    for (const key of Object.keys(e) as (keyof typeof e)[]) {
      if (typeof e[key] === 'number') assert.ok(Math.abs((row[key] as number) - (e[key] as number)) < 1e-12, `${what}: ${e.tokenizer} ${key} ${row[key]} vs ${e[key]}`);
      else assert.equal(row[key], e[key], `${what}: ${key}`);
    }
  });
}

/** Pieces for random text: ASCII words and code, CJK, emoji (ZWJ, flags, skin tones), combining marks, CRLF. */
const PIECES = [
  'the', ' quick', ' brown', 'Fox', ' ', '  ', '\t', '\n', '\r\n', '\r\n\r\n', '.', ',', '!', '?', '—', '"', "'s", "don't", '-',
  'fooBar', 'baz_qux', '42', '3.14', '1,000', '(', ')', '{', '}', ' => ', '===', '//', '<|endoftext|>', '<think>', '<bos>',
  '日本語', 'の', 'テキスト', 'です', '中文文本', '，', '。', '한국어', ' 텍스트', 'Привет', ' мир', 'مرحبا', 'हिन्दी', 'ไทย',
  '😀', '👍🏽', '👨‍👩‍👧‍👦', '🇯🇵', '❤️', '🪿', '\u{20000}', 'e\u0301', '\u0301', 'a\u0308\u0301', 'n\u0303o', 'Z\u0351\u0352',
  '\u00a0', '\u200b', '\ufeff', '\ud800', '\udc00',
];

function randomString(random: () => number): string {
  const n = Math.floor(random() * 40);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(random() * PIECES.length)];
  return s;
}

describe('tokenizer comparison', function () {
  let tokenizers: Tokenizer[];

  before(function () {
    tokenizers = IDS.map((id) => loadTokenizerSync(id));
  });

  describe('metrics', function () {
    it('match the brute-force oracle on real files, each file alone and several summed', function () {
      const texts = realFiles().map(([, text]) => text.slice(0, 6000));
      for (const text of texts.slice(0, 4)) {
        const report = compareTokenizers([{ label: 'x', text }], tokenizers, { reference: 'o200k_base', source: 'x' });
        assertMatches(report, expectedReport([text], tokenizers, 'o200k_base'), 'real file');
      }
      const sources = texts.map((text, i) => ({ label: `f${i}`, text }));
      const report = compareTokenizers(sources, tokenizers, { reference: 'llama3', source: `${texts.length} files` });
      assertMatches(report, expectedReport(texts, tokenizers, 'llama3'), 'several files');
      assert.equal(report.source, `${texts.length} files`);
      assert.equal(report.reference, 'llama3');
      assert.ok(report.words > 1000 && report.rows.every((r) => r.tokensPerWord >= 1 && r.singleTokenWords > 0.3));
    });

    it('match the oracle on 600 random strings of ASCII, CJK, emoji, combining marks and CRLF', function () {
      const random = rng(4242);
      const picked = tokenizers.filter((t) => ['o200k_base', 'llama3', 'qwen3', 'gemma3', 'claude-legacy'].includes(t.id));
      for (let i = 0; i < 600; i++) {
        const text = randomString(random);
        const report = compareTokenizers([{ label: 'r', text }], picked, { reference: 'qwen3', source: 'r' });
        assertMatches(report, expectedReport([text], picked, 'qwen3'), JSON.stringify(text));
      }
    });

    it('match the oracle on adversarial texts, split in random sources', function () {
      const random = rng(99);
      const texts = adversarial().map(([, text]) => text.slice(0, 8000));
      for (let round = 0; round < 5; round++) {
        const chosen = texts.filter(() => random() < 0.5);
        const sources = chosen.map((text) => ({ label: 'a', text }));
        const report = compareTokenizers(sources, tokenizers, { reference: 'gemma3', source: 'adversarial' });
        assertMatches(report, expectedReport(chosen, tokenizers, 'gemma3'), `round ${round}`);
      }
    });

    it('find the words one segmenter pass finds, though long texts are segmented in pieces', function () {
      const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
      const check = (text: string, what: string) => {
        const expected = [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => [s.index, s.index + s.segment.length]);
        const words = wordRanges(text);
        const actual = Array.from(words.starts.subarray(0, words.count), (start, i) => [start, words.ends[i]]);
        assert.deepEqual(actual, expected, what);
      };
      for (const [name, text] of realFiles()) check(text.slice(0, 15000), name);
      const random = rng(21);
      for (let i = 0; i < 200; i++) check(randomText(random, 1500), `random ${i}`);
      // Long CJK runs without spaces or line breaks, cut only at ideographic punctuation.
      const cjk = ['日本語', 'の', 'テキスト', 'です', '。', '、', '，', '中文文本', '東京都', 'ー', '々', '。\u0301', 'a', ' ', '\r', '\n'];
      for (let i = 0; i < 100; i++) {
        let text = '';
        for (let j = 0; j < 600; j++) text += cjk[Math.floor(random() * cjk.length)];
        check(text, `cjk ${i}`);
      }
    });

    it('count special-token text as plain text, as tokenizer.count does', function () {
      const text = '<|endoftext|><|im_start|>user\n<think>hi</think><bos><|begin_of_text|>';
      const report = compareTokenizers([{ label: 's', text }], tokenizers, { reference: 'o200k_base', source: 's' });
      report.rows.forEach((row, i) => assert.equal(row.tokens, tokenizers[i].count(text), row.tokenizer));
      assert.ok(report.rows[0].tokens > 1);
    });

    it('give zeros, not NaN, for empty text, and the deltas of the reference row are 0', function () {
      const report = compareTokenizers([{ label: 'e', text: '' }], tokenizers, { reference: 'cl100k_base', source: 'e' });
      for (const row of report.rows) {
        assert.deepEqual([row.tokens, row.charsPerToken, row.bytesPerToken, row.tokensPerWord, row.singleTokenWords, row.deltaTokens, row.deltaShare], [0, 0, 0, 0, 0, 0, 0]);
        if (row.window) assert.equal(row.window.characters, 0);
      }
      assert.doesNotMatch(compareToJson(report), /NaN|null/);
      const text = 'Hello, world';
      const ref = compareTokenizers([{ label: 't', text }], tokenizers, { reference: 'cl100k_base', source: 't' }).rows.find((r) => r.tokenizer === 'cl100k_base')!;
      assert.equal(ref.deltaTokens, 0);
      assert.equal(ref.deltaShare, 0);
    });

    it('refuse a reference that is not compared, and stop when aborted', function () {
      assert.throws(() => compareTokenizers([{ label: 'x', text: 'x' }], tokenizers.slice(0, 2), { reference: 'qwen3', source: 'x' }), /qwen3/);
      const controller = new AbortController();
      controller.abort();
      assert.throws(() => compareTokenizers([{ label: 'x', text: 'x' }], tokenizers, { reference: 'o200k_base', source: 'x', signal: controller.signal }), { name: 'AbortError' });
    });
  });

  describe('window capacity', function () {
    const model = (id: string, tokenizer: string, contextWindow: number, tokenizerExact = true): ModelInfo => ({
      id, name: id, provider: 'test', contextWindow, maxOutput: 0, tokenizer, tokenizerExact,
    });

    it('picks a representative catalog model per tokenizer', function () {
      const catalog = modelCatalog();
      const expected: Record<string, string> = {
        o200k_base: 'gpt-4o',
        cl100k_base: 'gpt-4-turbo',
        deepseek_v3: 'deepseek-chat',
      };
      for (const [id, modelId] of Object.entries(expected)) assert.equal(representativeModel(id, catalog)?.id, modelId);
      for (const [id, family] of [['llama3', /llama-?3\.[13]/i], ['qwen3', /qwen3/i], ['claude-legacy', /claude/i]] as const) {
        const picked = representativeModel(id, catalog);
        assert.ok(picked && family.test(picked.id) && picked.tokenizer === id, `${id}: ${picked?.id}`);
      }
      assert.equal(representativeModel('p50k_base', catalog), undefined);
    });

    it('falls back to the largest exact window, then to estimates, ties by id', function () {
      const catalog = [model('b', 'llama3', 8192), model('a', 'llama3', 131072), model('c', 'llama3', 131072), model('big', 'llama3', 1_000_000, false), model('x', 'mine', 32000, false), model('y', 'mine', 64000, false)];
      assert.equal(representativeModel('llama3', catalog)?.id, 'a');
      assert.equal(representativeModel('mine', catalog)?.id, 'y');
      assert.equal(representativeModel('llama3', [...catalog, model('llama-3.1-8b-instant', 'llama3', 100)])?.id, 'llama-3.1-8b-instant');
      assert.equal(representativeModel('none', catalog), undefined);
    });

    it('says how many characters each window holds, and takes the caller\'s model for a tokenizer', function () {
      const text = realFiles()[0][1].slice(0, 20000);
      const report = compareTokenizers([{ label: 'x', text }], tokenizers, {
        reference: 'o200k_base',
        source: 'x',
        windows: { llama3: { model: 'my-llama', contextWindow: 12345 } },
      });
      const catalog = modelCatalog();
      for (const row of report.rows) {
        const expected = row.tokenizer === 'llama3' ? { model: 'my-llama', contextWindow: 12345 } : (() => {
          const m = representativeModel(row.tokenizer, catalog);
          return m && { model: m.id, contextWindow: m.contextWindow };
        })();
        if (!expected) {
          assert.equal(row.window, undefined, row.tokenizer);
          continue;
        }
        const characters = Number((BigInt(expected.contextWindow) * BigInt(report.characters)) / BigInt(row.tokens));
        assert.deepEqual(row.window, { ...expected, characters }, row.tokenizer);
      }
      assert.equal(report.rows.find((r) => r.tokenizer === 'o200k_base')!.window!.model, 'gpt-4o');
    });

    it('takes a window per row, so that models sharing a tokenizer each show theirs, and counts that tokenizer once', function () {
      const text = realFiles()[0][1].slice(0, 5000);
      const [o200k, llama] = [tokenizers[0], tokenizers.find((t) => t.id === 'llama3')!];
      let calls = 0;
      const counted: Tokenizer = Object.assign(Object.create(o200k) as Tokenizer, { tokenize: (t: string) => (t === text && calls++, o200k.tokenize(t)) });
      const rowWindows = [{ model: 'a', contextWindow: 1000 }, undefined, { model: 'b', contextWindow: 2000 }];
      const report = compareTokenizers([{ label: 'x', text }], [counted, llama, counted], { reference: 'o200k_base', source: 'x', windows: { llama3: { model: 'l', contextWindow: 500 } }, rowWindows });
      assert.equal(calls, 1);
      const alone = compareTokenizers([{ label: 'x', text }], [o200k, llama], { reference: 'o200k_base', source: 'x' });
      const { window: _w0, ...first } = report.rows[0];
      const { window: _w2, ...third } = report.rows[2];
      // The model standing in for the tokenizer by default has prices; these windows have none.
      const { window: _wa, inputCost: _c, ...expected } = alone.rows[0];
      assert.deepEqual(first, expected);
      assert.deepEqual(third, expected);
      assert.deepEqual(report.rows.map((r) => [r.window?.model, r.window?.contextWindow]), [['a', 1000], ['l', 500], ['b', 2000]]);
    });

    it('floors the exact quotient, where window × chars/token in floating point falls just short', function () {
      const random = rng(11);
      let checked = 0;
      for (let i = 0; i < 300 && checked < 5; i++) {
        const text = randomString(random);
        const characters = [...text].length;
        const tokens = tokenizers[0].count(text);
        // A window for which the product of floats lands under an integer that the exact quotient reaches.
        const window = Array.from({ length: 2000 }, (_, k) => k + 1).find((w) => (w * characters) % tokens === 0 && Math.floor(w * (characters / tokens)) !== (w * characters) / tokens);
        if (window === undefined) continue;
        const report = compareTokenizers([{ label: 'x', text }], [tokenizers[0]], { reference: 'o200k_base', source: 'x', windows: { o200k_base: { model: 'm', contextWindow: window } } });
        assert.equal(report.rows[0].window!.characters, (window * characters) / tokens);
        checked++;
      }
      assert.equal(checked, 5);
    });
  });

  describe('default tokenizers', function () {
    it('are the current one and popular ones, four in all, without duplicates', function () {
      assert.deepEqual(defaultCompareTokenizers('o200k_base'), ['o200k_base', 'llama3', 'qwen3', 'cl100k_base']);
      assert.deepEqual(defaultCompareTokenizers('qwen3'), ['qwen3', 'o200k_base', 'llama3', 'cl100k_base']);
      assert.deepEqual(defaultCompareTokenizers('gemma3'), ['gemma3', 'o200k_base', 'llama3', 'qwen3']);
      assert.deepEqual(defaultCompareTokenizers('cl100k_base'), ['cl100k_base', 'o200k_base', 'llama3', 'qwen3']);
    });
  });

  describe('boundary diff', function () {
    function bruteForce(text: string, a: Tokenizer, b: Tokenizer) {
      const endsA = new Set(a.tokenize(text).ends);
      const endsB = new Set(b.tokenize(text).ends);
      return {
        onlyA: [...endsA].filter((e) => !endsB.has(e)).sort((x, y) => x - y),
        onlyB: [...endsB].filter((e) => !endsA.has(e)).sort((x, y) => x - y),
      };
    }

    function checkDiff(text: string, a: Tokenizer, b: Tokenizer): void {
      const diff = boundaryDiff(text, a, b);
      assert.equal(diff.text, text);
      assert.equal(diff.truncated, undefined);
      assert.deepEqual({ onlyA: diff.onlyA, onlyB: diff.onlyB }, bruteForce(text, a, b), JSON.stringify(text));
      for (const [side, tokenizer] of [[diff.a, a], [diff.b, b]] as const) {
        const spans = tokenizer.tokenize(text);
        assert.equal(side.tokenizer, tokenizer.id);
        assert.deepEqual(side.spans, Array.from(spans.ids, (id, i) => ({ id, start: spans.starts[i], end: spans.ends[i], partial: spans.partial[i] === 1 })));
      }
    }

    it('equals the brute-force symmetric difference of end offsets on 500 random strings', function () {
      const random = rng(7);
      let differing = 0;
      for (let i = 0; i < 500; i++) {
        const a = tokenizers[Math.floor(random() * tokenizers.length)];
        const b = tokenizers[Math.floor(random() * tokenizers.length)];
        const text = randomString(random);
        checkDiff(text, a, b);
        if (a === b) assert.deepEqual([boundaryDiff(text, a, b).onlyA, boundaryDiff(text, a, b).onlyB], [[], []]);
        else if (boundaryDiff(text, a, b).onlyA.length > 0) differing++;
      }
      assert.ok(differing > 50, `only ${differing} pairs differed`);
    });

    it('equals the brute force on real text and keeps partial tokens on their character', function () {
      const [o200k, , llama3, qwen3, , gemma3] = tokenizers;
      const text = realFiles()[2][1].slice(0, 5000) + ' 👨‍👩‍👧‍👦 🪿 e\u0301';
      checkDiff(text, o200k, qwen3);
      checkDiff(text, llama3, gemma3);
      const diff = boundaryDiff('🪿', o200k, gemma3);
      assert.ok(diff.a.spans.length > 1 && diff.a.spans.every((s) => s.partial && s.start === 0 && s.end === 2));
    });

    it('diffs only the first 20,000 units of a long text, never splitting a surrogate pair', function () {
      const [o200k, cl100k] = tokenizers;
      const random = rng(3);
      for (let i = 0; i < 40; i++) {
        // A surrogate pair across the limit every other time.
        const head = 'x'.repeat(BOUNDARY_DIFF_LIMIT - 1 - (i % 2)) + '😀';
        const text = head + randomString(random) + 'tail '.repeat(20);
        const diff = boundaryDiff(text, o200k, cl100k);
        assert.equal(diff.truncated, true);
        assert.ok(diff.text.length <= BOUNDARY_DIFF_LIMIT && diff.text.length >= BOUNDARY_DIFF_LIMIT - 1);
        assert.ok(text.startsWith(diff.text));
        const last = diff.text.charCodeAt(diff.text.length - 1);
        assert.ok(!(last >= 0xd800 && last < 0xdc00), 'ends on a high surrogate');
        assert.equal(diff.text.length, i % 2 === 0 ? BOUNDARY_DIFF_LIMIT - 1 : BOUNDARY_DIFF_LIMIT);
        assert.deepEqual({ onlyA: diff.onlyA, onlyB: diff.onlyB }, bruteForce(diff.text, o200k, cl100k));
        assert.equal(diff.a.spans.at(-1)!.end, diff.text.length);
      }
      const exact = 'y'.repeat(BOUNDARY_DIFF_LIMIT);
      assert.equal(boundaryDiff(exact, o200k, cl100k).truncated, undefined);
    });
  });

  describe('export', function () {
    it('quotes fields as RFC 4180 says', function () {
      assert.equal(csvField('plain'), 'plain');
      assert.equal(csvField('a,b'), '"a,b"');
      assert.equal(csvField('say "hi"'), '"say ""hi"""');
      assert.equal(csvField('two\nlines'), '"two\nlines"');
      assert.equal(csvField('cr\rhere'), '"cr\rhere"');
    });

    it('writes a header and one row per tokenizer with unformatted numbers that read back', function () {
      const text = 'Hello, "world" 日本語 👍🏽\r\n'.repeat(30);
      const report = compareTokenizers([{ label: 'x', text }], tokenizers, { reference: 'o200k_base', source: 'notes, "draft"\nv2.md' });
      const csv = compareToCsv(report);
      const rows = parseCsv(csv);
      assert.equal(rows.length, tokenizers.length + 1);
      const header = rows[0];
      assert.ok(rows.every((r) => r.length === header.length));
      const col = (r: string[], name: string) => r[header.indexOf(name)];
      report.rows.forEach((row, i) => {
        const r = rows[i + 1];
        assert.equal(col(r, 'source'), report.source);
        assert.equal(col(r, 'tokenizer'), row.tokenizer);
        assert.equal(col(r, 'name'), row.name);
        assert.equal(col(r, 'exact'), String(row.exact));
        assert.equal(Number(col(r, 'tokens')), row.tokens);
        assert.equal(Number(col(r, 'characters')), report.characters);
        assert.equal(Number(col(r, 'delta_tokens')), row.deltaTokens);
        for (const [name, value] of [['chars_per_token', row.charsPerToken], ['bytes_per_token', row.bytesPerToken], ['tokens_per_word', row.tokensPerWord], ['single_token_words', row.singleTokenWords], ['delta_share', row.deltaShare]] as const) {
          assert.match(col(r, name), /^-?\d+\.\d{4}$/, name);
          assert.ok(Math.abs(Number(col(r, name)) - value) <= 0.00005 + 1e-12, `${name} ${col(r, name)} vs ${value}`);
        }
        assert.equal(col(r, 'window_model'), row.window?.model ?? '');
        assert.equal(col(r, 'window_characters'), row.window ? String(row.window.characters) : '');
      });
      assert.doesNotMatch(csv, /\de[+-]\d/, 'no exponent notation');
    });

    it('writes the report as pretty-printed JSON', function () {
      const report = compareTokenizers([{ label: 'x', text: 'some text' }], tokenizers.slice(0, 3), { reference: 'o200k_base', source: 'x' });
      const json = compareToJson(report);
      assert.deepEqual(JSON.parse(json), report);
      assert.match(json, /^{\n {2}"source": "x",\n/);
    });
  });
});
