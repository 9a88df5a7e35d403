import assert from 'node:assert/strict';
import { normalizeRanges, splitsCharacter, widenRanges } from '../../src/core/decorations/ranges';
import { computeTokenDecorations, DEFAULT_MAX_DECORATIONS, type TokenDecorations } from '../../src/core/decorations/tokenDecorations';
import { spansSource, type TokenSource } from '../../src/core/incremental/tokenSource';
import { DocumentTokens } from '../../src/core/incremental/documentTokens';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { TokenSpans } from '../../src/core/tokenizers/types';
import { adversarial, randomText, rng } from '../fixtures/corpus';

/** Each tokenizer loaded once for the file (gemma3 takes seconds). */

type Pairs = [number, number][];
interface Expected {
  colors: Pairs[];
  split: Pairs;
  spaces: Pairs;
  tabs: Pairs;
  lineEnds: Pairs;
}

const pairs = (list: Uint32Array): Pairs => Array.from({ length: list.length / 2 }, (_, k) => [list[2 * k], list[2 * k + 1]]);

/**
 * What the decorations of `[from, to)` must be, worked out unit by unit: which units are in a split
 * character (shared by overlapping tokens), which token owns each other unit (a `\r\n` goes to the
 * token of its `\r`), and the runs of equal owners.
 */
function reference(text: string, spans: TokenSpans, windows: number[], colors: number): Expected {
  const { starts, ends } = spans;
  const split = new Uint8Array(text.length);
  for (let t = 0; t + 1 < starts.length; t++) split.fill(1, starts[t + 1], Math.max(starts[t + 1], ends[t]));
  const owner = new Int32Array(text.length).fill(-1);
  for (let t = 0; t < starts.length; t++) {
    for (let p = starts[t]; p < ends[t]; p++) {
      if (split[p]) continue;
      assert.equal(owner[p], -1, `unit ${p} owned twice`);
      owner[p] = t;
    }
  }
  for (let p = 1; p < text.length; p++) if (text[p] === '\n' && text[p - 1] === '\r' && !split[p]) owner[p] = owner[p - 1];
  const out: Expected = { colors: Array.from({ length: colors }, () => []), split: [], spaces: [], tabs: [], lineEnds: [] };
  for (let w = 0; w < windows.length; w += 2) {
    const [from, to] = [windows[w], windows[w + 1]];
    for (let p = from; p < to; ) {
      let q = p + 1;
      if (split[p]) {
        while (q < to && split[q]) q++;
        out.split.push([p, q]);
      } else {
        while (q < to && !split[q] && owner[q] === owner[p]) q++;
        out.colors[owner[p] % colors].push([p, q]);
        whitespace(text, p, q, out);
      }
      p = q;
    }
  }
  return out;
}

function whitespace(text: string, from: number, to: number, out: Expected): void {
  for (let i = from; i < to; ) {
    let j = i + 1;
    if (text[i] === ' ' || text[i] === '\t') {
      while (j < to && text[j] === text[i]) j++;
      (text[i] === ' ' ? out.spaces : out.tabs).push([i, j]);
    } else if (text[i] === '\r' && text[i + 1] === '\n') {
      out.lineEnds.push([i, ++j]);
    } else if (text[i] === '\n' || text[i] === '\r') {
      out.lineEnds.push([i, j]);
    }
    i = j;
  }
}

function assertMatches(actual: TokenDecorations, expected: Expected, label: string): void {
  assert.equal(actual.colors.length, expected.colors.length, label);
  actual.colors.forEach((c, k) => assert.deepEqual(pairs(c), expected.colors[k], `${label}: colour ${k}`));
  assert.deepEqual(pairs(actual.split), expected.split, `${label}: split`);
  assert.deepEqual(pairs(actual.spaces), expected.spaces, `${label}: spaces`);
  assert.deepEqual(pairs(actual.tabs), expected.tabs, `${label}: tabs`);
  assert.deepEqual(pairs(actual.lineEnds), expected.lineEnds, `${label}: line ends`);
  const count = [...actual.colors, actual.split, actual.spaces, actual.tabs, actual.lineEnds].reduce((n, l) => n + l.length / 2, 0);
  assert.equal(actual.count, count, `${label}: count`);
  assert.equal(actual.truncated, undefined, `${label}: truncated`);
}

/** Random ranges (some overlapping, some empty or reversed, some in the middle of a character). */
function randomRanges(random: () => number, length: number): number[] {
  const ranges: number[] = [];
  const n = 1 + Math.floor(random() * 3);
  for (let k = 0; k < n; k++) {
    const a = Math.floor(random() * (length + 1));
    ranges.push(a, Math.min(length, a + Math.floor(random() * 400)));
  }
  return ranges;
}

const TEXTS = (): [string, string][] => {
  const random = rng(31);
  return [
    ...adversarial().map(([label, text]): [string, string] => [label, text.slice(0, 4000)]),
    ['split-prone', '👨‍👩‍👧‍👦 x😀😀 日本語\r\n\ttabs\t\there  \r\n\r\r\n\n 𠀀𠀁 \u{10ffff} end'],
    ...[1, 2, 3].map((n): [string, string] => [`random ${n}`, randomText(random, 300)]),
  ];
};

describe('token decorations', () => {
  for (const id of ['o200k_base', 'cl100k_base', 'llama3', 'qwen3', 'gemma3']) {
    it(`${id}: match a unit-by-unit reference, whole and in random windows`, () => {
      const tokenizer = loadTokenizerSync(id);
      const random = rng(id.length * 101);
      for (const [label, text] of TEXTS()) {
        const doc = new DocumentTokens(tokenizer, text);
        const spans = tokenizer.tokenize(text);
        for (const colors of [2, 3]) {
          const all = computeTokenDecorations(doc, [0, text.length], { colors, whitespace: true, maxDecorations: 1e9 });
          assertMatches(all, reference(text, spans, text.length ? [0, text.length] : [], colors), `${id} ${label} whole, ${colors} colours`);
          assert.equal(all.tokens, spans.ids.length, `${id} ${label}: tokens`);
        }
        for (let n = 0; n < 20; n++) {
          const ranges = randomRanges(random, text.length);
          const windows = normalizeRanges(doc, ranges);
          const expected = reference(text, spans, windows, 2);
          assertMatches(computeTokenDecorations(doc, ranges, { whitespace: true, maxDecorations: 1e9 }), expected, `${id} ${label} ${ranges}`);
          // A source built from spans behaves the same.
          assertMatches(computeTokenDecorations(spansSource(text, spans), ranges, { whitespace: true, maxDecorations: 1e9 }), expected, `${id} ${label} spans ${ranges}`);
        }
      }
    }).timeout(120_000);
  }

  it('keeps the same colour for a token however the window moves', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const text = Array.from({ length: 200 }, (_, i) => `const value${i} = compute(${i}, "text");`).join('\n');
    const doc = new DocumentTokens(tokenizer, text);
    const colourAt = new Map<number, number>();
    for (let from = 0; from < text.length - 500; from += 97) {
      const d = computeTokenDecorations(doc, [from, from + 500], { colors: 3 });
      d.colors.forEach((list, c) => {
        for (const [start] of pairs(list)) {
          const tokenIndex = doc.tokensInRange(start, start + 1).first;
          assert.equal(tokenIndex % 3, c);
          assert.equal(colourAt.get(start) ?? c, c, `token at ${start} changed colour`);
          colourAt.set(start, c);
        }
      });
    }
  });

  it('gives a split character one range, outside the colour ranges', () => {
    const tokenizer = loadTokenizerSync('cl100k_base');
    // cl100k splits 😀 into two tokens that both cover it, and 👨‍👩‍👧‍👦 into many.
    const text = 'a😀b 👨‍👩‍👧‍👦';
    const d = computeTokenDecorations(new DocumentTokens(tokenizer, text), [0, text.length]);
    const split = pairs(d.split).map(([s, e]) => text.slice(s, e));
    assert.ok(split.includes('😀'), JSON.stringify(split));
    for (const list of d.colors) for (const [s, e] of pairs(list)) assert.ok(!text.slice(s, e).includes('😀'));
    // Two adjacent split characters are one range.
    const double = computeTokenDecorations(new DocumentTokens(tokenizer, '😀😀'), [0, 4]);
    assert.deepEqual(pairs(double.split), [[0, 4]]);
    assert.equal(double.colors[0].length + double.colors[1].length, 0);
  });

  it('never splits a \\r\\n, even where the tokenizer does (gemma3)', () => {
    const tokenizer = loadTokenizerSync('gemma3');
    const text = 'one\r\ntwo  \r\n\r\n\tthree\r\r\n';
    const spans = tokenizer.tokenize(text);
    assert.ok(Array.from(spans.ends).some((e) => splitsCharacter(spansSource(text, spans), e)), 'gemma3 should split a \\r\\n here');
    const d = computeTokenDecorations(new DocumentTokens(tokenizer, text), [0, text.length], { whitespace: true });
    const source = spansSource(text, spans);
    for (const list of [...d.colors, d.lineEnds]) {
      for (const [s, e] of pairs(list)) assert.ok(!splitsCharacter(source, s) && !splitsCharacter(source, e), `range [${s}, ${e})`);
    }
    assert.deepEqual(pairs(d.lineEnds).map(([s, e]) => text.slice(s, e)), ['\r\n', '\r\n', '\r\n', '\r', '\r\n']);
    assert.deepEqual(pairs(d.spaces), [[8, 10]]);
    assert.deepEqual(pairs(d.tabs), [[14, 15]]);
  });

  it('stops at the cap on a whole token and says what it left out', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const text = Array.from({ length: 300 }, (_, i) => `\tlet x${i} = 😀 y;`).join('\r\n');
    const doc = new DocumentTokens(tokenizer, text);
    const ranges = [0, 2000, 3000, 5000];
    const full = computeTokenDecorations(doc, ranges, { whitespace: true, maxDecorations: 1e9 });
    for (const cap of [1, 7, 100, 500]) {
      const d = computeTokenDecorations(doc, ranges, { whitespace: true, maxDecorations: cap });
      assert.ok(d.count <= cap && d.truncated, `cap ${cap}`);
      // What came out is what the full pass gives for the tokens before the stop.
      const before = (list: Uint32Array) => pairs(list).filter(([s]) => s < (d.truncated as { at: number }).at);
      d.colors.forEach((list, c) => assert.deepEqual(pairs(list), before(full.colors[c]), `cap ${cap} colour ${c}`));
      assert.deepEqual(pairs(d.tabs), before(full.tabs));
      assert.equal(d.tokens + d.truncated.tokens, full.tokens, `cap ${cap}: tokens decorated + left out`);
    }
    assert.equal(computeTokenDecorations(doc, ranges, { whitespace: true, maxDecorations: full.count }).truncated, undefined);
  });

  it('drops the margin rather than leave visible text undecorated', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const text = Array.from({ length: 400 }, (_, i) => `let v${i} = ${i};`).join('\n');
    const doc = new DocumentTokens(tokenizer, text);
    const visible = [3000, 3400];
    const margin = widenRanges(doc, visible, 100);
    const plain = computeTokenDecorations(doc, margin, { maxDecorations: 300 });
    assert.ok(plain.truncated && plain.truncated.at < 3400 && !plain.marginDropped);
    const d = computeTokenDecorations(doc, margin, { maxDecorations: 300, visible });
    assert.ok(d.marginDropped && !d.truncated);
    assert.deepEqual(d.colors, computeTokenDecorations(doc, normalizeRanges(doc, visible)).colors);
    // When the cap only cuts the margin after the visible part, the margin before it stays.
    const late = computeTokenDecorations(doc, [2600, 3800], { maxDecorations: 500, visible });
    assert.ok(late.truncated && late.truncated.at >= 3400 && !late.marginDropped);
  });

  it('decorates every visible line whatever the cap: emoji ZWJ lines of 100+ decorations each fill the screen', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const line = '👩‍👩‍👧‍👦 🏳️‍🌈 🧑🏽‍💻 '.repeat(12);
    const text = Array.from({ length: 2_000 }, () => line).join('\n');
    const doc = new DocumentTokens(tokenizer, text);
    const lineLength = line.length + 1;
    const visible = [lineLength * 1_000, lineLength * 1_047];
    const perLine = computeTokenDecorations(doc, [visible[0], visible[0] + lineLength]).count;
    assert.ok(perLine * 47 > DEFAULT_MAX_DECORATIONS, `${perLine} decorations a line`);
    const d = computeTokenDecorations(doc, widenRanges(doc, visible, 30), { visible });
    assert.ok(d.marginDropped && !d.truncated && d.clippedLines === 0);
    assert.deepEqual(d.colors, computeTokenDecorations(doc, visible, { maxDecorations: Infinity }).colors);
    assert.deepEqual(d.split, computeTokenDecorations(doc, visible, { maxDecorations: Infinity }).split);
  });

  it('decorates a visible line longer than maxLineChars up to there, and says how many lines it cut', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const long = 'x = [1, 2, 3]; '.repeat(3_000);
    const text = ['short line', long, 'another', long].join('\n');
    const doc = new DocumentTokens(tokenizer, text);
    const d = computeTokenDecorations(doc, [0, text.length], { visible: [0, text.length], maxLineChars: 1_000 });
    assert.ok(d.marginDropped && !d.truncated);
    assert.equal(d.clippedLines, 2);
    const ends = [...d.colors[0], ...d.colors[1]];
    const secondLine = 'short line\n'.length;
    assert.ok(ends.some((e) => e >= secondLine + 990 && e <= secondLine + 1_000), 'the second line decorated to its 1,000th unit');
    assert.ok(!ends.some((e) => e > secondLine + 1_000 && e < secondLine + long.length), 'and no further');
  });

  it('reads a huge range in chunks and stops early at the cap', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const text = 'token '.repeat(200_000);
    const doc = new DocumentTokens(tokenizer, text);
    let fetched = 0;
    const counting: TokenSource = {
      count: doc.count,
      textLength: doc.textLength,
      slice: (s, e) => doc.slice(s, e),
      tokensInRange: (s, e) => {
        const r = doc.tokensInRange(s, e);
        fetched += r.ids.length;
        return r;
      },
    };
    const d = computeTokenDecorations(counting, [0, text.length], { whitespace: true });
    // Each ` token` has a colour and a space marker: the cap stops at 4,999 or 5,000.
    assert.ok(d.count >= 4999 && d.count <= 5000, String(d.count));
    assert.ok(d.truncated && d.truncated.at < 20_000, JSON.stringify(d.truncated));
    assert.equal(d.tokens + d.truncated.tokens, doc.count);
    assert.ok(fetched < 20_000, `fetched ${fetched} tokens`);
  });

  it('follows edits (the same as a fresh document)', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const random = rng(5);
    let text = randomText(random, 400);
    const doc = new DocumentTokens(tokenizer, text);
    for (let n = 0; n < 60; n++) {
      const at = Math.floor(random() * (text.length + 1));
      const removed = Math.min(text.length - at, Math.floor(random() * 3));
      const inserted = randomText(random, 1);
      doc.applyChange(at, removed, inserted);
      text = text.slice(0, at) + inserted + text.slice(at + removed);
      const ranges = [Math.max(0, at - 100), at + 100];
      const expected = reference(text, tokenizer.tokenize(text), normalizeRanges(doc, ranges), 2);
      assertMatches(computeTokenDecorations(doc, ranges, { whitespace: true, maxDecorations: 1e9 }), expected, `edit ${n}`);
    }
  });

  it('rejects a bad number of colours', () => {
    const doc = new DocumentTokens(loadTokenizerSync('o200k_base'), 'abc');
    assert.throws(() => computeTokenDecorations(doc, [0, 3], { colors: 0 }), RangeError);
    assert.throws(() => computeTokenDecorations(doc, [0, 3], { colors: 2.5 }), RangeError);
  });
});

describe('decoration ranges', () => {
  const source = (text: string) => ({ textLength: text.length, slice: (s: number, e: number) => text.slice(s, e) });

  it('normalizes: clamps, snaps off the middle of a character or \\r\\n, sorts and merges', () => {
    const text = 'ab\r\ncd😀ef';
    const s = source(text);
    assert.deepEqual(normalizeRanges(s, [8, 100, -5, 1]), [0, 1, 8, 10]);
    assert.deepEqual(normalizeRanges(s, [3, 7]), [2, 8]);
    assert.deepEqual(normalizeRanges(s, [0, 2, 2, 3, 5, 5, 6, 4]), [0, 4]);
    assert.deepEqual(normalizeRanges(s, [1, 3, 6, 9]), [1, 4, 6, 9]);
  });

  it('widens by whole lines, whatever the line ends', () => {
    const lines = ['l0', 'l1', 'l2', 'l3', 'l4', 'l5'];
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = lines.join(eol);
      const s = source(text);
      const lineStart = (k: number) => text.indexOf(lines[k]);
      const lineEnd = (k: number) => Math.min(text.length, lineStart(k) + 2 + eol.length);
      const visible = [lineStart(2), lineStart(3) + 2];
      assert.deepEqual(widenRanges(s, visible, 0), [lineStart(2), lineEnd(3)], JSON.stringify(eol));
      assert.deepEqual(widenRanges(s, visible, 1), [lineStart(1), lineEnd(4)], JSON.stringify(eol));
      assert.deepEqual(widenRanges(s, visible, 10), [0, text.length], JSON.stringify(eol));
      // Two visible ranges whose margins meet become one.
      assert.deepEqual(widenRanges(s, [lineStart(0), lineStart(0) + 1, lineStart(3), lineStart(3) + 1], 1), [0, lineEnd(4)]);
      assert.deepEqual(widenRanges(s, [lineStart(0), lineStart(0) + 1, lineStart(4), lineStart(4) + 1], 1), [0, lineEnd(1), lineStart(3), text.length]);
    }
  });

  it('widens a long line by at most maxChars, on a character boundary', () => {
    const text = '😀'.repeat(10_000);
    const widened = widenRanges(source(text), [10_000, 10_002], 3, 101);
    assert.deepEqual(widened, [9_898, 10_104]);
  });

  it('a spans source finds the same tokens as DocumentTokens', () => {
    const tokenizer = loadTokenizerSync('cl100k_base');
    const [, text] = adversarial()[1];
    const doc = new DocumentTokens(tokenizer, text);
    const spans = spansSource(text, tokenizer.tokenize(text));
    for (let a = 0; a <= text.length; a += 3) {
      for (const b of [a, a + 1, a + 5]) {
        const x = doc.tokensInRange(a, b);
        const y = spans.tokensInRange(a, b);
        assert.deepEqual(Array.from(y.ids), Array.from(x.ids), `[${a}, ${b})`);
        if (x.ids.length) assert.equal(y.first, x.first);
        assert.deepEqual(Array.from(y.partial), Array.from(x.partial));
      }
    }
  });
});
