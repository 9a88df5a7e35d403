import assert from 'node:assert/strict';
import { join } from 'node:path';

interface ToyModel {
  eosId: number;
  nextTokenProbs(contexts: Uint32Array[]): Promise<Float64Array[]>;
}
interface ToyTokenizer {
  vocabSize: number;
  tokenBytes(id: number): Uint8Array;
  encodeBytes(bytes: Uint8Array): Uint32Array;
}

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
  coverEncodings(model: ToyModel, tokenizer: ToyTokenizer, head: Uint32Array, tail: Uint8Array): Promise<{ tokens: Uint32Array; logProb: number; remainder: Uint8Array }[]>;
  exactNextByteDistribution(model: ToyModel, tokenizer: ToyTokenizer, head: Uint32Array, tail: Uint8Array): Promise<Float64Array>;
  certifiedFirstStep(model: unknown, tokenizer: ToyTokenizer, head: Uint32Array, tail: Uint8Array): Promise<{ byte: number; cover?: { tokens: Uint32Array } } | undefined>;
  createBackend: (...args: unknown[]) => unknown;
  EmbeddedBackend: new (...args: unknown[]) => unknown;
  findModelTokenizer: (...args: unknown[]) => unknown;
  templateForModel: (...args: unknown[]) => unknown;
  completeAt: (...args: unknown[]) => unknown;
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

  it('gives exact next-byte distributions and covers over any token model', async () => {
    // Tokens "a", "b", "ab" and end of text; every token equally likely after anything.
    const pieces = ['a', 'b', 'ab', ''];
    const tokenizer: ToyTokenizer = {
      vocabSize: 4,
      tokenBytes: (id) => new TextEncoder().encode(pieces[id]),
      // Canonical: "ab" merges, everything else byte by byte.
      encodeBytes: (bytes) => Uint32Array.from(new TextDecoder().decode(bytes).match(/ab|a|b/g)?.map((p) => pieces.indexOf(p)) ?? []),
    };
    const model: ToyModel = { eosId: 3, nextTokenProbs: async (contexts) => contexts.map(() => Float64Array.from([0.25, 0.25, 0.25, 0.25])) };
    const next = await core.exactNextByteDistribution(model, tokenizer, new Uint32Array(0), new TextEncoder().encode('a'));
    assert.equal(next.length, 257);
    assert.ok(Math.abs(next.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(next['b'.charCodeAt(0)] > 0 && next[256] > 0);
    const covers = await core.coverEncodings(model, tokenizer, new Uint32Array(0), new TextEncoder().encode('a'));
    assert.deepEqual(covers.map((c) => Array.from(c.tokens)).sort(), [[0], [2]]);
    // The same model through top-1 lists: certified, the answer is the full method's argmax.
    const partial = {
      eosId: 3,
      vocabSize: 4,
      topTokens: async (contexts: Uint32Array[], topK: number) => contexts.map(() => (topK >= 4 ? { ids: Uint32Array.of(0, 1, 2, 3), probs: Float64Array.of(0.25, 0.25, 0.25, 0.25), otherMax: 0, otherMass: 0 } : { ids: Uint32Array.of(0), probs: Float64Array.of(0.25), otherMax: 0.25, otherMass: 0.75 })),
    };
    const step = await core.certifiedFirstStep(partial, tokenizer, new Uint32Array(0), new TextEncoder().encode('a'));
    const best = next.indexOf(Math.max(...next));
    assert.equal(step?.byte, best);
  });

  it('exports the completion entry points: connect a backend, find its vocabulary and template, complete at a cursor', () => {
    for (const name of ['createBackend', 'EmbeddedBackend', 'findModelTokenizer', 'templateForModel', 'completeAt'] as const) assert.equal(typeof core[name], 'function', name);
  });
});
