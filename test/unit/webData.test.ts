import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findModel, setCatalogData, type CatalogEntry } from '../../src/core/budget/modelCatalog';
import { dataDirectory, loadTokenizer, loadTokenizerSync, setBundledDataReader } from '../../src/core/tokenizers/registry';

describe('the web extension\'s data path (no file system)', () => {
  afterEach(() => setBundledDataReader(undefined));

  it('loads bundled tokenizers through a reader, gzipped ones with the platform\'s streams', async () => {
    const reads: string[] = [];
    setBundledDataReader(async (file) => {
      reads.push(file);
      return new Uint8Array(await readFile(join(dataDirectory(), file)));
    });
    const text = 'const x = "héllo 👋 世界";\n';
    for (const id of ['o200k_base', 'gemma3']) {
      const viaReader = await loadTokenizer(id);
      assert.deepEqual(Array.from(viaReader.encode(text)), Array.from(loadTokenizerSync(id).encode(text)), id);
    }
    assert.deepEqual(reads, ['o200k_base.bpe', 'gemma3.json.gz']);
  });

  it('takes the model catalog as data', async () => {
    const raw = JSON.parse(await readFile(join(dataDirectory(), 'models.json'), 'utf8')) as CatalogEntry[];
    setCatalogData(raw.filter((m) => m.id === 'gpt-4o'));
    assert.equal(findModel('gpt-4o')?.tokenizer, 'o200k_base');
    assert.equal(findModel('gpt-4.1'), undefined);
    setCatalogData(raw);
    assert.ok(findModel('gpt-4.1'));
  });
});
