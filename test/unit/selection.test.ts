import assert from 'node:assert/strict';
import { DocumentTokens } from '../../src/core/incremental/documentTokens';
import { spansSource, type TokenSource } from '../../src/core/incremental/tokenSource';
import { selectNextTokens } from '../../src/core/selection/selectTokens';
import { formatTokenIdLists, formatTokenIds, selectionTokenIds } from '../../src/core/selection/selectionIds';
import { tokenAt } from '../../src/core/selection/tokenAt';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { TokenSpans } from '../../src/core/tokenizers/types';
import { adversarial, randomText, realFiles, rng } from '../fixtures/corpus';

const SEED = Number(process.env.SELECTION_SEED ?? 20261128);
const TOKENIZERS = ['o200k_base', 'llama3', 'gemma3'] as const;

/** Real text (50 KB of a TypeScript declaration file and of Japanese messages) and every adversarial string. */
function texts(): [string, string][] {
  const files = realFiles();
  return [
    ['lib.dom.d.ts', files[1][1].slice(0, 50_000)],
    ['ja messages', files[2][1].slice(0, 20_000)],
    ...adversarial().map(([label, text]): [string, string] => [label, text.slice(0, 3000)]),
    ['random', randomText(rng(SEED), 400)],
  ];
}

/** Maximal runs [t, u] of tokens that share characters. */
function groupsOf(spans: TokenSpans): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 0; t < spans.ids.length; ) {
    let u = t;
    while (u + 1 < spans.ids.length && spans.starts[u + 1] < spans.ends[u]) u++;
    out.push([t, u]);
    t = u + 1;
  }
  return out;
}

const isHigh = (c: number) => c >= 0xd800 && c < 0xdc00;
const isLow = (c: number) => c >= 0xdc00 && c < 0xe000;
const splitsPair = (text: string, at: number) => at > 0 && at < text.length && isHigh(text.charCodeAt(at - 1)) && isLow(text.charCodeAt(at));

describe('selection: sources', () => {
  it('spansSource answers tokensInRange as DocumentTokens does', () => {
    const random = rng(SEED);
    for (const id of ['o200k_base', 'gemma3']) {
      const tokenizer = loadTokenizerSync(id);
      const text = texts().map(([, t]) => t.slice(0, 5000)).join('\n');
      const doc = new DocumentTokens(tokenizer, text);
      const spans = spansSource(text, tokenizer.tokenize(text));
      assert.equal(spans.count, doc.count);
      for (let n = 0; n < 300; n++) {
        const start = Math.floor(random() * (text.length + 1));
        const end = Math.min(text.length, start + Math.floor(random() * (random() < 0.2 ? 0 : 200)));
        const a = doc.tokensInRange(start, end);
        const b = spans.tokensInRange(start, end);
        const label = `${id} seed ${SEED} [${start}, ${end})`;
        for (const key of ['ids', 'starts', 'ends', 'partial'] as const) assert.deepEqual(Array.from(b[key]), Array.from(a[key]), `${label} ${key}`);
        if (a.ids.length) assert.equal(b.first, a.first, label);
      }
    }
  });
});

describe('selection: the token at the cursor', () => {
  for (const id of TOKENIZERS) {
    it(`${id}: every offset maps to the token, or group of tokens, holding it`, () => {
      const tokenizer = loadTokenizerSync(id);
      for (const [label, original] of texts()) {
        const text = id === 'gemma3' ? original.slice(0, 8000) : original;
        const full = tokenizer.tokenize(text);
        const source = new DocumentTokens(tokenizer, text);
        if (!text.length) assert.equal(tokenAt(source, 0), undefined);
        const groups = groupsOf(full);
        let g = 0;
        for (let offset = 0; offset < text.length; offset++) {
          while (full.ends[groups[g][1]] <= offset) g++;
          const [t, u] = groups[g];
          const got = tokenAt(source, offset);
          const where = `${id} ${label} offset ${offset}`;
          assert.ok(got, where);
          assert.equal(got.index, t, where);
          assert.deepEqual([got.start, got.end], [full.starts[t], full.ends[u]], where);
          assert.deepEqual(Array.from(got.ids), Array.from(full.ids.subarray(t, u + 1)), where);
          assert.equal(got.partial, u > t || full.partial[t] === 1, where);
          assert.ok(got.start <= offset && offset < got.end, where);
        }
        if (text.length) {
          const last = groups[groups.length - 1];
          assert.equal(tokenAt(source, text.length)?.index, last[0], `${id} ${label} at the end`);
        }
      }
    });
  }

  it('returns a split emoji as one group, and the token starting at a boundary', () => {
    const tokenizer = loadTokenizerSync('cl100k_base');
    const text = 'a 🦜 b';
    const doc = new DocumentTokens(tokenizer, text);
    const parrot = tokenAt(doc, 3);
    assert.ok(parrot && parrot.partial && parrot.ids.length >= 2 && parrot.end === 4);
    assert.equal(tokenizer.decodeBytes(parrot.ids).length, Buffer.byteLength(text.slice(parrot.start, parrot.end)));
    const b = tokenAt(doc, 4);
    assert.deepEqual([b?.start, b?.end, b?.partial], [4, 6, false]);
    assert.equal(tokenAt(new DocumentTokens(tokenizer, ''), 0), undefined);
    assert.throws(() => tokenAt(doc, 7), RangeError);
    assert.throws(() => tokenAt(doc, -1), RangeError);
  });

  it('finds the whole group in a long run of split emoji', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const text = 'x' + '🦜🫠'.repeat(400) + ' y';
    const full = tokenizer.tokenize(text);
    const doc = new DocumentTokens(tokenizer, text);
    const [t, u] = groupsOf(full).find(([a, b]) => full.ends[b] > 500 && full.starts[a] <= 500) as [number, number];
    const got = tokenAt(doc, 500);
    assert.deepEqual([got?.index, got?.start, got?.end], [t, full.starts[t], full.ends[u]]);
  });
});

describe('selection: select the next N tokens', () => {
  for (const id of TOKENIZERS) {
    it(`${id}: whole tokens from the cursor's token, never ending inside a character`, () => {
      const tokenizer = loadTokenizerSync(id);
      const random = rng(SEED + 1);
      for (const [label, original] of texts()) {
        const text = id === 'gemma3' ? original.slice(0, 8000) : original;
        const full = tokenizer.tokenize(text);
        const source: TokenSource = random() < 0.5 ? new DocumentTokens(tokenizer, text) : spansSource(text, full);
        for (let k = 0; k < 60; k++) {
          const offset = Math.floor(random() * (text.length + 1));
          const n = Math.floor(random() * (random() < 0.8 ? 12 : 3000));
          const got = selectNextTokens(source, offset, n);
          const where = `${id} seed ${SEED + 1} ${label} offset ${offset} n ${n}`;
          if (n === 0 || offset === text.length) {
            assert.deepEqual(got, { start: offset, end: offset, tokens: 0 }, where);
            continue;
          }
          const at = tokenAt(source, offset);
          assert.equal(got.start, at?.start, where);
          // Count the tokens of [start, end) in the full encoding: at least n (or all that are left), whole groups.
          const inside = [...full.ids.keys()].filter((t) => full.starts[t] >= got.start && full.ends[t] <= got.end);
          assert.equal(got.tokens, inside.length, where);
          const left = [...full.ids.keys()].filter((t) => full.starts[t] >= got.start).length;
          assert.ok(got.tokens >= Math.min(n, left), where);
          const lastT = inside[inside.length - 1];
          assert.ok(lastT + 1 === full.ids.length || full.starts[lastT + 1] >= got.end, `${where}: ends inside a group`);
          if (got.tokens > n) assert.ok(full.starts[inside[n]] < full.ends[inside[n - 1]], `${where}: took more than the group`);
          assert.ok(!splitsPair(text, got.end), where);
        }
      }
    });
  }

  it('extends over a split emoji instead of ending inside it', () => {
    const tokenizer = loadTokenizerSync('cl100k_base');
    const doc = new DocumentTokens(tokenizer, 'a 🦜 b');
    const got = selectNextTokens(doc, 0, 2);
    assert.equal(got.end, 4);
    assert.ok(got.tokens > 2);
    assert.throws(() => selectNextTokens(doc, 0, -1), RangeError);
    assert.throws(() => selectNextTokens(doc, 0, 1.5), RangeError);
  });
});

describe('selection: token ids of selections', () => {
  for (const id of TOKENIZERS) {
    it(`${id}: standalone ids encode the text; document ids are the tokens overlapping it`, () => {
      const tokenizer = loadTokenizerSync(id);
      const random = rng(SEED + 2);
      for (const [label, original] of texts()) {
        const text = id === 'gemma3' ? original.slice(0, 4000) : original;
        const full = tokenizer.tokenize(text);
        const doc = new DocumentTokens(tokenizer, text);
        const selections = Array.from({ length: 20 }, () => {
          const start = Math.floor(random() * (text.length + 1));
          return { start, end: Math.min(text.length, start + Math.floor(random() * 300)) };
        });
        const got = selectionTokenIds(doc, tokenizer, [...selections, { start: 0, end: text.length }]);
        for (let i = 0; i < selections.length; i++) {
          const { start, end } = selections[i];
          const where = `${id} seed ${SEED + 2} ${label} [${start}, ${end})`;
          const r = got[i];
          assert.deepEqual(Array.from(r.standalone), Array.from(tokenizer.encode(text.slice(start, end))), where);
          const overlapping = start === end ? [] : [...full.ids.keys()].filter((t) => full.ends[t] > start && full.starts[t] < end);
          assert.deepEqual(Array.from(r.inDocument), overlapping.map((t) => full.ids[t]), where);
          if (overlapping.length) assert.deepEqual([r.documentStart, r.documentEnd], [full.starts[overlapping[0]], full.ends[overlapping[overlapping.length - 1]]], where);
          assert.equal(r.same, r.standalone.join() === r.inDocument.join(), where);
        }
        // The whole document on its own is the document.
        assert.ok(got[selections.length].same, `${id} ${label} whole`);
      }
    });
  }

  it('differs when the selection cuts through a token, and rejects bad ranges', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const doc = new DocumentTokens(tokenizer, 'internationalization is hard');
    const [cut, empty] = selectionTokenIds(doc, tokenizer, [{ start: 2, end: 9 }, { start: 5, end: 5 }]);
    assert.equal(cut.same, false);
    assert.equal(cut.documentStart, 0);
    assert.deepEqual([empty.standalone.length, empty.inDocument.length, empty.same], [0, 0, true]);
    assert.throws(() => selectionTokenIds(doc, tokenizer, [{ start: 5, end: 4 }]), RangeError);
    assert.throws(() => selectionTokenIds(doc, tokenizer, [{ start: 0, end: 99 }]), RangeError);
  });

  it('formats ids as JSON or separated by spaces', () => {
    assert.equal(formatTokenIds([1, 2, 3], 'json'), '[1, 2, 3]');
    assert.equal(formatTokenIds(Uint32Array.of(1, 2, 3), 'spaced'), '1 2 3');
    assert.equal(formatTokenIds([], 'json'), '[]');
    assert.equal(formatTokenIds([], 'spaced'), '');
    assert.deepEqual(JSON.parse(formatTokenIds(Uint32Array.of(200018, 0), 'json')), [200018, 0]);
    assert.equal(formatTokenIdLists([[7, 8]], 'json'), '[7, 8]');
    assert.equal(formatTokenIdLists([[7, 8], [], [9]], 'json'), '[[7, 8], [], [9]]');
    assert.equal(formatTokenIdLists([[7, 8], [9]], 'spaced'), '7 8\n9');
  });
});
