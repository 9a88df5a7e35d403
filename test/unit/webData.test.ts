import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findModel } from '../../src/core/budget/modelCatalog';
import { bundledTemplate } from '../../src/core/budget/templateData';
import { dataDirectory, useNodeData } from '../../src/core/data/node';
import { preloadBundled, useDataSource, type DataSource } from '../../src/core/data/source';
import { loadTokenizer, loadTokenizerSync } from '../../src/core/tokenizers/registry';

/** The web extension's data source: the package's files by name, read asynchronously; no file system. */
function webLikeSource(reads: string[]): DataSource {
  return {
    bundled: async (name) => {
      reads.push(name);
      return new Uint8Array(await readFile(join(dataDirectory(), name)));
    },
  };
}

describe('the web extension\'s data path (no file system)', () => {
  const reads: string[] = [];
  beforeEach(() => {
    reads.length = 0;
    useDataSource(webLikeSource(reads));
  });
  afterEach(() => useNodeData());

  it('loads bundled tokenizers through the source, gzipped ones with the platform\'s streams, each once', async () => {
    const text = 'const x = "héllo 👋 世界";\n';
    const viaSource = await Promise.all(['o200k_base', 'gemma3', 'o200k_base'].map((id) => loadTokenizer(id)));
    useNodeData();
    for (const tokenizer of viaSource) {
      assert.deepEqual(Array.from(tokenizer.encode(text)), Array.from(loadTokenizerSync(tokenizer.id).encode(text)), tokenizer.id);
    }
    assert.deepEqual(reads, ['o200k_base.bpe', 'gemma3.json.gz']);
  });

  it('reads the catalog and the templates ahead, and says what it cannot read at once', async () => {
    assert.throws(() => findModel('gpt-4o'), /models\.json was not read ahead/);
    await preloadBundled(['models.json', 'templates.json']);
    assert.equal(findModel('gpt-4o')?.tokenizer, 'o200k_base');
    assert.equal(bundledTemplate('gemma3')?.bosToken, '<bos>');
    assert.equal(bundledTemplate('deepseek_v3')?.bosToken, '<｜begin▁of▁sentence｜>');
    assert.equal(bundledTemplate('toString'), undefined);
    assert.throws(() => loadTokenizerSync('o200k_base'), /not read ahead/);
  });

  it('reads no file by path, and says so', async () => {
    assert.throws(() => loadTokenizerSync('/models/tokenizer.json'), /cannot be read by path in VS Code for the Web/);
    await assert.rejects(loadTokenizer('/models/model.gguf'), /cannot be read by path in VS Code for the Web/);
    assert.deepEqual(reads, []);
  });

  it('keeps no cache across sources: a new source reads again', async () => {
    await loadTokenizer('p50k_base');
    useDataSource(webLikeSource(reads));
    await loadTokenizer('p50k_base');
    assert.deepEqual(reads, ['p50k_base.bpe', 'p50k_base.bpe']);
  });
});
