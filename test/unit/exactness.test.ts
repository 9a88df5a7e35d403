import assert from 'node:assert/strict';
import { listTokenizers, loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { adversarial, megabyteLine, randomText, realFiles, rng } from '../fixtures/corpus';
import { referenceFor } from '../fixtures/references';

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function assertSameIds(tokenizer: Tokenizer, ours: ArrayLike<number>, theirs: ArrayLike<number>, label: string): void {
  const at = firstDifference(ours, theirs);
  if (at < 0) return;
  const show = (ids: ArrayLike<number>) => Array.from(ids).slice(Math.max(0, at - 3), at + 5).map((id) => `${id}:${JSON.stringify(Buffer.from(tokenizer.tokenBytes(id) ?? []).toString('latin1'))}`);
  assert.fail(`${tokenizer.id} ${label}: first difference at token ${at} of ${ours.length}/${theirs.length}\n ours   ${show(ours)}\n theirs ${show(theirs)}`);
}

const SLOW = new Set(['gemma3']);

describe('token ids equal the reference implementations', () => {
  const files = realFiles();
  for (const { id } of listTokenizers()) {
    describe(id, () => {
      const tokenizer = loadTokenizerSync(id);
      const reference = referenceFor(id);
      const approximate = id === 'claude-legacy';

      it('adversarial texts, including a 1 MB line', async () => {
        const cases = [...adversarial(), ['1 MB line', SLOW.has(id) ? megabyteLine().slice(0, 100_000) : megabyteLine()] as [string, string]];
        for (const [label, text] of cases) {
          if (approximate && label === 'special-token text') continue;
          assertSameIds(tokenizer, tokenizer.encode(text), await reference.encode(text), label);
        }
      });

      it('real files', async () => {
        for (const [path, text] of files) {
          const sample = SLOW.has(id) ? text.slice(0, 60_000) : text;
          assertSameIds(tokenizer, tokenizer.encode(sample), await reference.encode(sample), path);
        }
      });

      it('3,000 random strings', async () => {
        const seed = 77 + id.length;
        const random = rng(seed);
        for (let n = 0; n < 3000; n++) {
          const text = randomText(random, 1 + Math.floor(random() * 16));
          if (approximate && text.includes('<|endoftext|>')) continue;
          assertSameIds(tokenizer, tokenizer.encode(text), await reference.encode(text), `seed ${seed} case ${n} ${JSON.stringify(text)}`);
        }
      });

      it('count equals the number of ids', () => {
        for (const [, text] of adversarial()) assert.equal(tokenizer.count(text), tokenizer.encode(text).length);
      });
    });
  }
});
