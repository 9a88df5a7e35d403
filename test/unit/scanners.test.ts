import assert from 'node:assert/strict';
import { regexScanner } from '../../src/core/tokenizers/pretokenize/regexScanner';
import { CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN, QWEN2_PATTERN, builtinScanner, type Scanner } from '../../src/core/tokenizers/pretokenize/scanners';
import { adversarial, randomText, rng } from '../fixtures/corpus';

function pieces(scan: Scanner, text: string): number[] {
  const ends: number[] = [];
  for (let i = 0; i < text.length; ) {
    i = scan(text, i, text.length);
    ends.push(i);
  }
  return ends;
}

describe('hand-written pre-tokenizers match their patterns', () => {
  for (const [name, pattern] of [['gpt2', GPT2_PATTERN], ['cl100k', CL100K_PATTERN], ['qwen2', QWEN2_PATTERN], ['o200k', O200K_PATTERN]]) {
    it(`${name}: adversarial texts and 20,000 random strings`, () => {
      const fast = builtinScanner(pattern) as Scanner;
      const reference = regexScanner(pattern);
      for (const [label, text] of adversarial()) assert.deepEqual(pieces(fast, text), pieces(reference, text), label);
      const seed = 1000 + name.length;
      const random = rng(seed);
      for (let n = 0; n < 20000; n++) {
        const text = randomText(random, 1 + Math.floor(random() * 12));
        const a = pieces(fast, text);
        const b = pieces(reference, text);
        if (a.join() !== b.join()) assert.fail(`seed ${seed}, case ${n}: ${JSON.stringify(text)}\n ours ${a}\n regex ${b}`);
      }
    });
  }
});
