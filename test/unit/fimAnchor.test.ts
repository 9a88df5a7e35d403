/**
 * The FIM anchor: for random texts and random continuations, the encoding of text + continuation has a
 * token boundary at the anchor and the same tokens before it (the head), on every bundled byte-level BPE
 * and on the tiny GGUF vocabularies (byte-level BPE and SentencePiece).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readGguf } from '../../src/core/gguf/reader';
import { ggufVocab } from '../../src/core/gguf/vocab';
import { findAnchor } from '../../src/core/fim/anchor';
import { tokenizerFromGguf } from '../../src/core/tokenizers/gguf/ggufTokenizer';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { ATOMS, randomText, rng } from '../fixtures/corpus';
import { modelCache, writeTinyModel } from '../fixtures/gguf/index';
import { readFileSync } from 'node:fs';

function ggufFixtureTokenizer(kind: 'random-bpe' | 'random-spm'): Tokenizer {
  const model = writeTinyModel(kind, join(modelCache(), `fim-${kind}.gguf`));
  return tokenizerFromGguf(ggufVocab(readGguf(readFileSync(model.path))));
}

/** Code-like atoms plus the pre-tokenizer's hard cases: whitespace runs, digits, contractions, multi-byte text. */
const HARD = ['\u0301', '\u0323', '\u1100\u1161', ' ', '  ', '\t', '\n', '\r\n', ' \t', '\n  ', "'", "'s", "'ll", "'t", '1', '12', '123', '1234', 'é', '😀', '中文', '_', '(', ')', '.', ';', '<|', '|>', '\u00a0', '\u2581', 'pri', 'nt', 'self', 'return', 'ret', 'x', 'A'];

function randomPiece(r: () => number): string {
  const atoms = [...ATOMS, ...HARD];
  let s = '';
  const n = 1 + Math.floor(r() * 12);
  for (let k = 0; k < n; k++) s += r() < 0.15 ? randomText(r, 1) : atoms[Math.floor(r() * atoms.length)];
  return s;
}

function checkAnchor(tokenizer: Tokenizer, text: string, continuations: string[]): void {
  const anchor = findAnchor(tokenizer, text);
  assert.ok(anchor.offset >= 0 && anchor.offset <= text.length);
  // The head is the start of the text's own encoding and stands for exactly the text before the anchor
  // (after NFC, for the tokenizers that normalize).
  assert.deepEqual(Array.from(tokenizer.encode(text).subarray(0, anchor.head.length)), Array.from(anchor.head));
  const bytes = Buffer.from(tokenizer.decodeBytes(anchor.head)).toString('hex');
  const before = text.slice(0, anchor.offset);
  const spm = Buffer.from(tokenizer.decodeBytes(tokenizer.encode('a'))).toString() === ' a' && anchor.offset > 0 ? ' ' : '';
  // SentencePiece-style vocabularies write a literal ▁ back as a space.
  const forms = [spm + before, (spm + before).normalize('NFC')].flatMap((t) => [t, t.replaceAll('\u2581', ' ')]);
  assert.ok(forms.some((t) => Buffer.from(t).toString('hex') === bytes), `${tokenizer.id}: head bytes of ${JSON.stringify(text)}`);
  for (const c of continuations) {
    const ids = tokenizer.encode(text + c);
    const label = `${tokenizer.id}: ${JSON.stringify(text)} + ${JSON.stringify(c)} (anchor ${anchor.offset})`;
    assert.deepEqual(Array.from(ids.subarray(0, anchor.head.length)), Array.from(anchor.head), label);
  }
}

const TOKENIZERS = ['qwen3', 'llama3', 'deepseek_v3', 'o200k_base', 'cl100k_base', 'r50k_base', 'gemma3'];

describe('fim: findAnchor', () => {
  for (const id of TOKENIZERS) {
    it(`is a boundary for every continuation (${id})`, () => {
      const tokenizer = loadTokenizerSync(id);
      const r = rng(7);
      for (let i = 0; i < 300; i++) {
        const text = randomPiece(r);
        checkAnchor(tokenizer, text, Array.from({ length: 6 }, () => randomPiece(r)));
      }
    });
  }

  for (const kind of ['random-bpe', 'random-spm'] as const) {
    it(`is a boundary for every continuation (GGUF ${kind})`, () => {
      const tokenizer = ggufFixtureTokenizer(kind);
      const r = rng(11);
      for (let i = 0; i < 300; i++) checkAnchor(tokenizer, randomPiece(r), Array.from({ length: 6 }, () => randomPiece(r)));
    });
  }

  it('stays near the cursor: the start of the partial word', () => {
    const qwen = loadTokenizerSync('qwen3');
    assert.equal(findAnchor(qwen, 'def f(x):\n    pri').offset, 'def f(x):\n   '.length);
    assert.equal(findAnchor(qwen, 'x = self.conf').offset, 'x = self'.length);
    const spm = ggufFixtureTokenizer('random-spm');
    assert.equal(findAnchor(spm, 'def f(x): retu').offset, 'def f(x):'.length);
  });

  it('handles long texts through a window with the same result', () => {
    const qwen = loadTokenizerSync('qwen3');
    const long = 'line of code = 1\n'.repeat(500) + 'value = comp';
    const anchor = findAnchor(qwen, long);
    assert.equal(anchor.offset, long.length - ' comp'.length);
    checkAnchor(qwen, long, ['ute()', 'lex', ' x', '\n']);
  });

  it('gives an empty head for an empty text', () => {
    const a = findAnchor(loadTokenizerSync('qwen3'), '');
    assert.equal(a.offset, 0);
    assert.equal(a.head.length, 0);
  });
});
