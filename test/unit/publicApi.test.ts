import assert from 'node:assert/strict';
import { join } from 'node:path';

/** What other programs get from `require('tokenwise/dist/core.js')`: these names are kept stable. */
interface CoreApi {
  listTokenizers(): { id: string; name: string; family: string; exact: boolean; vocabSize: number }[];
  loadTokenizer(idOrPath: string): Promise<{
    id: string;
    encode(text: string): Uint32Array;
    decodeBytes(ids: ArrayLike<number>): Uint8Array;
    count(text: string): number;
    tokenize(text: string): { ids: Uint32Array; starts: Uint32Array; ends: Uint32Array; partial: Uint8Array };
  }>;
  DocumentTokens: new (tokenizer: unknown, text: string) => {
    applyChange(offset: number, removedLength: number, insertedText: string): void;
    count: number;
    ids(): Uint32Array;
    tokensInRange(start: number, end: number): { ids: Uint32Array; starts: Uint32Array; ends: Uint32Array; partial: Uint8Array };
  };
}

describe('the public API of dist/core.js', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const core = require(join(__dirname, '..', '..', 'dist', 'core.js')) as CoreApi;

  it('lists and loads tokenizers', async () => {
    const list = core.listTokenizers();
    assert.ok(list.some((t) => t.id === 'o200k_base' && t.exact && t.vocabSize > 200_000));
    const tokenizer = await core.loadTokenizer('o200k_base');
    assert.equal(tokenizer.id, 'o200k_base');
    const ids = tokenizer.encode('Hello, world! 👋');
    assert.ok(ids instanceof Uint32Array);
    assert.equal(tokenizer.count('Hello, world! 👋'), ids.length);
    assert.equal(Buffer.from(tokenizer.decodeBytes(ids)).toString(), 'Hello, world! 👋');
    const spans = tokenizer.tokenize('Hello, world! 👋');
    assert.deepEqual(Array.from(spans.ids), Array.from(ids));
    assert.equal(spans.ends[spans.ends.length - 1], 'Hello, world! 👋'.length);
  });

  it('keeps a document\'s tokens through edits', async () => {
    const tokenizer = await core.loadTokenizer('cl100k_base');
    const doc = new core.DocumentTokens(tokenizer, 'const answer = 41;\n');
    doc.applyChange(16, 1, '2');
    assert.deepEqual(Array.from(doc.ids()), Array.from(tokenizer.encode('const answer = 42;\n')));
    assert.equal(doc.count, doc.ids().length);
    const inRange = doc.tokensInRange(6, 12);
    assert.ok(inRange.ids.length >= 1 && inRange.starts[0] <= 6);
  });
});
