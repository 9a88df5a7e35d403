/** The byte view of a model's tokenizer for exact completions: the engine's bytes, the tokenizer's where it has none yet. */
import assert from 'node:assert/strict';
import type { ConnectResult } from '../../src/core/backends/types';
import { byteTokenizerOf } from '../../src/core/fim/complete';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';

describe('byteTokenizerOf', () => {
  const tokenizer = loadTokenizerSync('qwen3');
  const specialIds = Array.from({ length: tokenizer.vocabSize }, (_, id) => id).filter((id) => tokenizer.specialToken(id) !== undefined);
  const connected = (tokenBytes?: (id: number) => Uint8Array | undefined) =>
    ({ info: { name: 'qwen3', contextSize: 4096, vocabSize: tokenizer.vocabSize, endIds: [], fim: {}, specialIds, tokenBytes } }) as unknown as ConnectResult;

  it('takes the bytes of ids the engine has not told yet (llama-server before it has seen them) from the tokenizer', () => {
    const engineKnows = (id: number) => (id % 2 === 0 ? tokenizer.tokenBytes(id) : undefined);
    const bytes = byteTokenizerOf(connected(engineKnows), tokenizer);
    for (const id of [1, 2, 1000, 1001, 151642]) assert.deepEqual(bytes.tokenBytes(id), tokenizer.tokenBytes(id), `id ${id}`);
    for (const id of specialIds) assert.equal(bytes.tokenBytes(id).length, 0);
  });

  it('is built once per connection and tokenizer (its token trie with it), not per completion', () => {
    const c = connected();
    assert.equal(byteTokenizerOf(c, tokenizer), byteTokenizerOf(c, tokenizer));
    assert.notEqual(byteTokenizerOf(connected(), tokenizer), byteTokenizerOf(c, tokenizer));
  });

  it('prefers the engine\'s bytes, and works with none from the engine at all', () => {
    const x = Uint8Array.of(120);
    assert.deepEqual(byteTokenizerOf(connected(() => x), tokenizer).tokenBytes(1000), x);
    assert.deepEqual(byteTokenizerOf(connected(), tokenizer).tokenBytes(1000), tokenizer.tokenBytes(1000));
  });
});
