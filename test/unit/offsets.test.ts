import assert from 'node:assert/strict';
import { listTokenizers, loadTokenizerSync } from '../../src/core/tokenizers/registry';
import { adversarial, randomText, rng } from '../fixtures/corpus';

const utf8 = (s: string) => Buffer.from(s.toWellFormed());
const NORMALIZING = new Set(['qwen3', 'claude-legacy']);

describe('token offsets are exact UTF-16 ranges computed from bytes', () => {
  for (const { id } of listTokenizers()) {
    it(id, () => {
      const tokenizer = loadTokenizerSync(id);
      const random = rng(31);
      const texts = [...adversarial().map(([, t]) => t.slice(0, 4000)), ...Array.from({ length: 300 }, () => randomText(random, 12))];
      for (const text of texts) {
        const { ids, starts, ends, partial } = tokenizer.tokenize(text);
        assert.deepEqual(Array.from(ids), Array.from(tokenizer.encode(text)));
        if (ids.length === 0) continue;
        assert.equal(starts[0], 0);
        assert.equal(ends[ids.length - 1], text.length, JSON.stringify(text));
        const checkBytes = !NORMALIZING.has(id) && !(id === 'gemma3' && text.includes('\u2581'));
        // Walk maximal groups of tokens that share characters; each group's bytes are its range's bytes.
        for (let t = 0; t < ids.length; ) {
          let u = t;
          while (u + 1 < ids.length && partial[u + 1] && starts[u + 1] < ends[u]) u++;
          for (let k = t; k <= u; k++) assert.ok(starts[k] <= ends[k] && (k === 0 || starts[k] >= starts[k - 1]));
          if (checkBytes) {
            const bytes = Buffer.from(tokenizer.decodeBytes(ids.subarray(t, u + 1)));
            const range = utf8(text.slice(starts[t], ends[u]));
            assert.ok(bytes.equals(range), `${id}: tokens ${t}..${u} of ${JSON.stringify(text)}: ${bytes.toString('hex')} vs ${range.toString('hex')}`);
            if (t === u) assert.equal(partial[t], 0);
          }
          if (u + 1 < ids.length) assert.equal(starts[u + 1], ends[u], `${id}: gap after token ${u} in ${JSON.stringify(text)}`);
          t = u + 1;
        }
      }
    });
  }

  it('marks the tokens of a split emoji as partial, with the emoji\'s range', () => {
    const tokenizer = loadTokenizerSync('cl100k_base');
    const text = 'a 🦜 b';
    const { ids, starts, ends, partial } = tokenizer.tokenize(text);
    const split = [...ids.keys()].filter((t) => partial[t]);
    assert.ok(split.length >= 2);
    // Each covers the whole emoji [2, 4); the first also holds the space before it.
    for (const t of split) assert.ok(starts[t] <= 2 && ends[t] === 4, `${starts[t]}..${ends[t]}`);
  });
});
