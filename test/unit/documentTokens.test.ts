import assert from 'node:assert/strict';
import { DocumentTokens } from '../../src/core/incremental/documentTokens';
import { countCodePoints } from '../../src/core/text/characters';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { adversarial, randomText, realFiles, rng } from '../fixtures/corpus';

const EDIT_ATOMS = ['😀', '👨‍👩‍👧‍👦', '\r\n', '\r', '\n', '    ', '\t\t', '1234567', "'s", "'LL", "don't", 'e\u0301', '\u0301', '日本', ' ', 'x', '<|endoftext|>', '<think>'];

function randomEdit(random: () => number, length: number, pastes: string[]): [number, number, string] {
  const offset = Math.floor(random() * (length + 1));
  const kind = random();
  const maxRemove = length - offset;
  if (kind < 0.35) return [offset, 0, random() < 0.5 ? EDIT_ATOMS[Math.floor(random() * EDIT_ATOMS.length)] : randomText(random, 1 + Math.floor(random() * 4))];
  if (kind < 0.6) return [offset, Math.min(maxRemove, 1 + Math.floor(random() * (random() < 0.9 ? 8 : 400))), ''];
  if (kind < 0.9) return [offset, Math.min(maxRemove, Math.floor(random() * 6)), randomText(random, 1 + Math.floor(random() * 3))];
  const paste = pastes[Math.floor(random() * pastes.length)];
  const from = Math.floor(random() * paste.length);
  return [offset, Math.min(maxRemove, Math.floor(random() * 20)), paste.slice(from, from + 1 + Math.floor(random() * 20_000))];
}

function assertIdsEqual(doc: DocumentTokens, tokenizer: Tokenizer, text: string, label: string): void {
  const expected = tokenizer.encode(text);
  const actual = doc.ids();
  if (actual.length === expected.length && actual.every((id, i) => id === expected[i])) return;
  let at = 0;
  while (at < expected.length && actual[at] === expected[at]) at++;
  assert.fail(`${label}: ids differ at token ${at} (${actual.length} vs ${expected.length})`);
}

function checkEdits(id: string, edits: number, seed: number, fileLimit: number): void {
  const tokenizer = loadTokenizerSync(id);
  const files = realFiles().map(([, text]) => text.slice(0, fileLimit));
  const random = rng(seed);
  for (let f = 0; f < files.length && f < 4; f++) {
    let text = files[f];
    const doc = new DocumentTokens(tokenizer, text);
    assertIdsEqual(doc, tokenizer, text, `${id} initial file ${f}`);
    for (let n = 0; n < edits; n++) {
      const [offset, removed, inserted] = randomEdit(random, text.length, files);
      text = text.slice(0, offset) + inserted + text.slice(offset + removed);
      doc.applyChange(offset, removed, inserted);
      const label = `${id} seed ${seed} file ${f} edit ${n} (${offset}, -${removed}, +${JSON.stringify(inserted.slice(0, 40))})`;
      assert.equal(doc.textLength, text.length, label);
      assertIdsEqual(doc, tokenizer, text, label);
      assert.equal(doc.count, doc.ids().length, label);
      assert.equal(doc.characters, countCodePoints(text), `${label}: characters`);
    }
  }
}

describe('DocumentTokens: every edit leaves the ids of a full encode', () => {
  for (const [id, edits] of [['o200k_base', 300], ['cl100k_base', 200], ['p50k_base', 100], ['llama3', 200], ['qwen3', 200], ['deepseek_v3', 150], ['o200k_harmony', 50]] as const) {
    it(`${id}: ${edits * 4} random edits on real files`, () => checkEdits(id, edits, 4242 + edits, 30_000)).timeout(180_000);
  }
  it('gemma3 (re-encodes whole documents): 40 edits', () => checkEdits('gemma3', 10, 99, 3000));

  it('keeps its characters (code points) through edits that split and join surrogate pairs', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    const random = rng(77);
    let text = '😀a👨‍👩‍👧‍👦b🧩'.repeat(50);
    const doc = new DocumentTokens(tokenizer, text);
    for (let n = 0; n < 2_000; n++) {
      const offset = Math.floor(random() * (text.length + 1));
      const removed = Math.min(text.length - offset, Math.floor(random() * 4));
      const inserted = ['', '\uD83D', '\uDE00', '😀', 'x', '\uDE00\uD83D'][Math.floor(random() * 6)];
      text = text.slice(0, offset) + inserted + text.slice(offset + removed);
      doc.applyChange(offset, removed, inserted);
      assert.equal(doc.characters, countCodePoints(text), `edit ${n}`);
    }
  });

  it('edits on adversarial texts, one character at a time', () => {
    const tokenizer = loadTokenizerSync('o200k_base');
    for (const [label, original] of adversarial()) {
      const text = original.slice(0, 3000);
      const doc = new DocumentTokens(tokenizer, '');
      for (let i = 0; i < text.length; i++) doc.applyChange(i, 0, text[i]);
      assertIdsEqual(doc, tokenizer, text, `typed ${label}`);
      for (let i = text.length; i > 0; i -= 7) {
        doc.applyChange(Math.max(0, i - 7), Math.min(7, i), '');
      }
      assert.equal(doc.count, 0, label);
    }
  });

  it('tokensInRange agrees with tokenize on the whole text', () => {
    const random = rng(5);
    for (const id of ['o200k_base', 'qwen3', 'gemma3']) {
      const tokenizer = loadTokenizerSync(id);
      const text = realFiles()[5][1].slice(0, 20_000) + adversarial().map(([, t]) => t.slice(0, 500)).join('\n');
      const doc = new DocumentTokens(tokenizer, text);
      const full = tokenizer.tokenize(text);
      for (let n = 0; n < 200; n++) {
        const start = Math.floor(random() * text.length);
        const end = Math.min(text.length, start + Math.floor(random() * 300));
        const got = doc.tokensInRange(start, end);
        const want = [...full.ids.keys()].filter((t) => full.ends[t] > start && full.starts[t] < end);
        assert.deepEqual(Array.from(got.ids), want.map((t) => full.ids[t]), `${id} [${start}, ${end})`);
        assert.deepEqual(Array.from(got.starts), want.map((t) => full.starts[t]));
        assert.deepEqual(Array.from(got.ends), want.map((t) => full.ends[t]));
        assert.deepEqual(Array.from(got.partial), want.map((t) => full.partial[t]));
        if (want.length) assert.equal(got.first, want[0]);
      }
    }
  });

  it('rejects edits outside the document', () => {
    const doc = new DocumentTokens(loadTokenizerSync('o200k_base'), 'abc');
    assert.throws(() => doc.applyChange(2, 5, 'x'), RangeError);
    assert.throws(() => doc.applyChange(-1, 0, 'x'), RangeError);
    assert.equal(doc.count, 1);
  });
});
