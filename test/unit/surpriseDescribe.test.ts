/** How a token's surprise reads: its colour level, its rank in words, and its hover. */
import assert from 'node:assert/strict';
import { formatProbability, formatRank, surpriseHoverMarkdown, surpriseLevel } from '../../src/core/surprisal/describe';
import type { TokenSurprise } from '../../src/core/surprisal/score';
import { readableBytes } from '../../src/core/text/escape';

const token = (over: Partial<TokenSurprise> = {}): TokenSurprise => ({
  index: 6,
  id: 321,
  start: 10,
  end: 16,
  text: ' retrun',
  probability: 0.002,
  bits: -Math.log2(0.002),
  rank: 14,
  rankAtLeast: false,
  top: [
    { id: 280, text: ' return', probability: 0.62 },
    { id: 4, text: '`', probability: 0.05 },
  ],
  ...over,
});

describe('the model\'s surprise in words', () => {
  it('levels: none under 4 bits, then 4, 8 and 12 bits; an unknown probability is the highest', () => {
    assert.deepEqual([0, 3.99, 4, 7.9, 8, 11.99, 12, 40, NaN].map((bits) => surpriseLevel({ bits })), [0, 0, 1, 1, 2, 2, 3, 3, 3]);
  });

  it('ranks and probabilities', () => {
    assert.equal(formatRank({ rank: 1, rankAtLeast: false }), "the model's 1st choice");
    assert.equal(formatRank({ rank: 2, rankAtLeast: false }), "the model's 2nd choice");
    assert.equal(formatRank({ rank: 13, rankAtLeast: false }), "the model's 13th choice");
    assert.equal(formatRank({ rank: 23, rankAtLeast: false }), "the model's 23rd choice");
    assert.equal(formatRank({ rank: 21, rankAtLeast: true }), "not among the model's top 20");
    assert.deepEqual([0.62, 0.05, 0.002, 0.00001234, NaN].map(formatProbability), ['62.0%', '5.00%', '0.20%', '1.2e-5', 'unknown']);
  });

  it('the hover: bits, probability, rank, model, and the alternatives with this token marked', () => {
    const md = surpriseHoverMarkdown(token({ top: [{ id: 280, text: ' return', probability: 0.62 }, { id: 321, text: ' retrun', probability: 0.002 }] }), 'tiny_model');
    assert.match(md, /^\*\*The model's surprise: 8\.97 bits\*\* at `␣retrun` \(token 7, id 321\)/);
    assert.match(md, /p = 0\.20% · the model's 14th choice · tiny\\_model/);
    assert.match(md, /\| 1 \| `␣return` \| 62\.0% \|/);
    assert.match(md, /\| 2 \| `␣retrun` ← this token \| 0\.20% \|/);
    // A backtick token stays a code span.
    assert.match(surpriseHoverMarkdown(token(), 'm'), /\| 2 \| `` ` `` \| 5\.00% \|/);
    assert.match(surpriseHoverMarkdown(token({ probability: NaN, bits: NaN, rank: 21, rankAtLeast: true }), 'm'), /surprise: over 5 bits.*\n\np = unknown · not among the model's top 20/);
  });

  it('token bytes that are not whole characters read as \\xNN', () => {
    assert.equal(readableBytes(new TextEncoder().encode('aé🧩')), 'aé🧩');
    assert.equal(readableBytes(Uint8Array.of(0x61, 0xf0, 0x9f, 0x62)), 'a\\xf0\\x9fb');
    assert.equal(readableBytes(Uint8Array.of(0xc3)), '\\xc3');
  });
});
