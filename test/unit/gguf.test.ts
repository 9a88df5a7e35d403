import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGgufFile } from '../../src/core/gguf/file';
import { GgufError, GgufValueType, readGguf, readGgufHeader } from '../../src/core/gguf/reader';
import { classifySpecials } from '../../src/core/backends/specialTokens';
import { ggufTokenBytes, ggufVocab } from '../../src/core/gguf/vocab';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import { GgufType, modelCache, serializeGguf, writeTinyModel, type GgufValue, type TinyModelKind } from '../fixtures/gguf/index';

const T = GgufType;
const sv = (type: Exclude<GgufType, GgufType.ARRAY>, value: number | bigint | boolean | string): GgufValue => ({ type, value });

/** One value of every scalar type and an array of every element type. */
function everyType(): [string, GgufValue][] {
  return [
    ['u8', sv(T.U8, 200)],
    ['i8', sv(T.I8, -100)],
    ['u16', sv(T.U16, 60000)],
    ['i16', sv(T.I16, -30000)],
    ['u32', sv(T.U32, 4_000_000_000)],
    ['i32', sv(T.I32, -2_000_000_000)],
    ['f32', sv(T.F32, 0.5)],
    ['bool', sv(T.BOOL, true)],
    ['string', sv(T.STRING, 'héllo ▁ 😀')],
    ['u64', sv(T.U64, 2n ** 60n)],
    ['u64.small', sv(T.U64, 12345)],
    ['i64', sv(T.I64, -(2n ** 62n))],
    ['f64', sv(T.F64, Math.PI)],
    ['a.u8', { type: T.ARRAY, itemType: T.U8, values: [1, 2, 255] }],
    ['a.i8', { type: T.ARRAY, itemType: T.I8, values: [-1, 2] }],
    ['a.u16', { type: T.ARRAY, itemType: T.U16, values: [65535] }],
    ['a.i16', { type: T.ARRAY, itemType: T.I16, values: [-2] }],
    ['a.u32', { type: T.ARRAY, itemType: T.U32, values: [7, 8] }],
    ['a.i32', { type: T.ARRAY, itemType: T.I32, values: [-7] }],
    ['a.f32', { type: T.ARRAY, itemType: T.F32, values: [1.5, -2.25] }],
    ['a.bool', { type: T.ARRAY, itemType: T.BOOL, values: [true, false] }],
    ['a.string', { type: T.ARRAY, itemType: T.STRING, values: ['a', '', 'ĠĊ'] }],
    ['a.u64', { type: T.ARRAY, itemType: T.U64, values: [1n, 2n ** 63n] }],
    ['a.i64', { type: T.ARRAY, itemType: T.I64, values: [-1n] }],
    ['a.f64', { type: T.ARRAY, itemType: T.F64, values: [0.1] }],
    ['a.empty', { type: T.ARRAY, itemType: T.STRING, values: [] }],
  ];
}

function smallFile(): Uint8Array {
  return serializeGguf({ metadata: [['general.architecture', sv(T.STRING, 'llama')], ['n', sv(T.U32, 3)]], tensors: [{ name: 't', ne: [2, 2], data: new Float32Array(4) }] });
}

/** A file edited at a byte offset, for malformed-input cases. */
function patched(bytes: Uint8Array, at: number, write: (v: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  write(new DataView(copy.buffer, at));
  return copy;
}

describe('GGUF reader', () => {
  it('reads every metadata type back', () => {
    const file = readGguf(serializeGguf({ metadata: everyType(), tensors: [] }));
    const m = file.metadata;
    assert.equal(file.version, 3);
    assert.equal(m.get('u8')?.value, 200);
    assert.equal(m.get('i8')?.value, -100);
    assert.equal(m.get('u16')?.value, 60000);
    assert.equal(m.get('i16')?.value, -30000);
    assert.equal(m.get('u32')?.value, 4_000_000_000);
    assert.equal(m.get('i32')?.value, -2_000_000_000);
    assert.equal(m.get('f32')?.value, 0.5);
    assert.equal(m.get('bool')?.value, true);
    assert.equal(m.get('string')?.value, 'héllo ▁ 😀');
    assert.equal(m.get('u64')?.value, 2n ** 60n);
    assert.equal(m.get('u64.small')?.value, 12345);
    assert.equal(m.get('i64')?.value, -(2n ** 62n));
    assert.equal(m.get('f64')?.value, Math.PI);
    assert.deepEqual(Array.from(m.get('a.u8')?.value as Uint8Array), [1, 2, 255]);
    assert.deepEqual(Array.from(m.get('a.i8')?.value as Int8Array), [-1, 2]);
    assert.deepEqual(Array.from(m.get('a.u16')?.value as Uint16Array), [65535]);
    assert.deepEqual(Array.from(m.get('a.i16')?.value as Int16Array), [-2]);
    assert.deepEqual(Array.from(m.get('a.u32')?.value as Uint32Array), [7, 8]);
    assert.deepEqual(Array.from(m.get('a.i32')?.value as Int32Array), [-7]);
    assert.deepEqual(Array.from(m.get('a.f32')?.value as Float32Array), [1.5, -2.25]);
    assert.deepEqual(m.get('a.bool')?.value, [true, false]);
    assert.deepEqual(m.get('a.string')?.value, ['a', '', 'ĠĊ']);
    assert.deepEqual(Array.from(m.get('a.u64')?.value as BigUint64Array), [1n, 2n ** 63n]);
    assert.deepEqual(Array.from(m.get('a.i64')?.value as BigInt64Array), [-1n]);
    assert.deepEqual(Array.from(m.get('a.f64')?.value as Float64Array), [0.1]);
    assert.deepEqual(m.get('a.empty'), { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: [] });
  });

  for (const kind of ['random-bpe', 'random-spm', 'bigram-bpe'] as TinyModelKind[]) {
    it(`reads a generated ${kind} model: metadata, tensors, vocabulary and exact bytes`, async () => {
      const model = writeTinyModel(kind, join(modelCache(), `reader-${kind}.gguf`));
      const bytes = readFileSync(model.path);
      const file = readGguf(bytes);
      assert.equal(file.metadata.get('general.architecture')?.value, 'llama');
      assert.ok(file.tensors.some((t) => t.name === 'token_embd.weight' && t.dims[1] === model.vocabSize));
      assert.equal(file.dataOffset % 32, 0);
      const last = file.tensors[file.tensors.length - 1];
      assert.equal(file.dataOffset + last.offset + 4 * last.dims.reduce((a, b) => a * b, 1), bytes.length);

      const vocab = ggufVocab(file);
      assert.deepEqual(vocab.tokens, model.tokens);
      assert.equal(vocab.bosId, model.bosId);
      assert.equal(vocab.eosId, model.eosId);
      assert.equal(vocab.fim.prefix, model.fim.prefix);
      assert.equal(vocab.fim.suffix, model.fim.suffix);
      assert.equal(vocab.fim.middle, model.fim.middle);
      assert.equal(vocab.fim.pad, model.fim.pad);
      const sidecar = JSON.parse(readFileSync(`${model.path}.json`, 'utf8')) as { token_bytes_hex: (string | null)[] };
      const exact = ggufTokenBytes(vocab);
      sidecar.token_bytes_hex.forEach((hex, id) => assert.equal(Buffer.from(exact[id]).toString('hex'), hex ?? '', `token ${id}`));

      // The chunked reader gives the same result from a prefix that grows from 64 bytes, and from disk.
      const chunked = readGgufHeader((at, n) => bytes.subarray(at, at + n), bytes.length, { firstChunk: 64 });
      assert.deepEqual(chunked.tensors, file.tensors);
      assert.deepEqual(ggufVocab(chunked).tokens, vocab.tokens);
      assert.equal(readGgufFile(model.path).dataOffset, file.dataOffset);
    });
  }

  it('falls back to token texts for FIM ids when the keys are missing', () => {
    const tokens = ['a', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|im_end|>'];
    const file = readGguf(
      serializeGguf({ metadata: [['tokenizer.ggml.model', sv(T.STRING, 'gpt2')], ['tokenizer.ggml.tokens', { type: T.ARRAY, itemType: T.STRING, values: tokens }]], tensors: [] }),
    );
    const vocab = ggufVocab(file);
    assert.deepEqual(vocab.fim, { prefix: 1, suffix: 2, middle: 3 });
    assert.equal(vocab.eotId, 4);
  });

  it("finds CodeGemma's <|file_separator|> by its text, in a GGUF and from a server's token texts alike", () => {
    const tokens = ['a', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|file_separator|>'];
    const file = readGguf(serializeGguf({ metadata: [['tokenizer.ggml.model', sv(T.STRING, 'gpt2')], ['tokenizer.ggml.tokens', { type: T.ARRAY, itemType: T.STRING, values: tokens }]], tensors: [] }));
    assert.equal(ggufVocab(file).fim.fileSeparator, 4);
    const { fim, endIds } = classifySpecials((t) => (tokens.includes(t) ? tokens.indexOf(t) : undefined));
    assert.deepEqual(fim, { prefix: 1, suffix: 2, middle: 3, fileSeparator: 4 });
    assert.deepEqual(endIds, [4]);
  });

  it('keeps a token that starts with U+FEFF (a piece, not a byte order mark)', () => {
    const tokens = ['\uFEFF', '\uFEFF\uFEFF', 'a\uFEFF'];
    const file = readGguf(serializeGguf({ metadata: [['tokenizer.ggml.model', sv(T.STRING, 'gpt2')], ['tokenizer.ggml.tokens', { type: T.ARRAY, itemType: T.STRING, values: tokens }]], tensors: [] }));
    assert.deepEqual(ggufVocab(file).tokens, tokens);
  });

  describe('malformed input fails cleanly', () => {
    const bytes = smallFile();
    const full = readGguf(bytes);
    const headerEnd = full.dataOffset;

    it('truncated at every byte of the header', async () => {
      for (let k = 0; k < headerEnd; k++) {
        const cut = bytes.subarray(0, k);
        // Only the padding before the data section may be missing.
        const mayParse = k >= headerEnd - 31;
        const outcome = (f: () => unknown) => {
          try {
            f();
            return 'parsed';
          } catch (e) {
            return e instanceof GgufError ? 'GgufError' : String(e);
          }
        };
        const whole = outcome(() => readGguf(cut));
        assert.ok(whole === 'GgufError' || (mayParse && whole === 'parsed'), `byte ${k}: ${whole}`);
        const chunked = outcome(() => readGgufHeader((at, n) => cut.subarray(at, at + n), k, { firstChunk: 8 }));
        assert.equal(chunked, whole, `byte ${k}`);
      }
    });

    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['wrong magic', patched(bytes, 0, (v) => v.setUint8(0, 0x46))],
      ['not GGUF', new TextEncoder().encode('{"model": {"type": "BPE"}}')],
      ['version 1', patched(bytes, 4, (v) => v.setUint32(0, 1, true))],
      ['version 99', patched(bytes, 4, (v) => v.setUint32(0, 99, true))],
      ['huge tensor count', patched(bytes, 8, (v) => v.setBigUint64(0, 2n ** 62n, true))],
      ['huge metadata count', patched(bytes, 16, (v) => v.setBigUint64(0, 2n ** 64n - 1n, true))],
      ['huge key length', patched(bytes, 24, (v) => v.setBigUint64(0, 2n ** 40n, true))],
      ['unknown value type', patched(bytes, 24 + 8 + 20, (v) => v.setUint32(0, 77, true))],
    ];
    for (const [name, input] of cases) {
      it(name, () => assert.throws(() => readGguf(input), GgufError));
    }

    it('huge array counts, nested arrays, too many dimensions and a bad alignment', () => {
      const arr = serializeGguf({ metadata: [['a', { type: T.ARRAY, itemType: T.U32, values: [1, 2] }]], tensors: [] });
      // Header 24, key length 8 + 'a', type 4, element type 4, then the count.
      const countAt = 24 + 8 + 1 + 4 + 4;
      assert.throws(() => readGguf(patched(arr, countAt, (v) => v.setBigUint64(0, 2n ** 61n, true))), GgufError);
      assert.throws(() => readGguf(patched(arr, countAt, (v) => v.setBigUint64(0, 2n ** 20n, true))), GgufError);
      assert.throws(() => readGguf(patched(arr, countAt - 4, (v) => v.setUint32(0, GgufType.ARRAY, true))), /nested/);
      const strings = serializeGguf({ metadata: [['s', { type: T.ARRAY, itemType: T.STRING, values: ['x'] }]], tensors: [] });
      assert.throws(() => readGguf(patched(strings, countAt + 8, (v) => v.setBigUint64(0, 2n ** 50n, true))), GgufError);
      const tensor = serializeGguf({ metadata: [], tensors: [{ name: 't', ne: [4], data: new Float32Array(4) }] });
      assert.throws(() => readGguf(patched(tensor, 24 + 8 + 1, (v) => v.setUint32(0, 5, true))), /dimensions/);
      const aligned = serializeGguf({ metadata: [['general.alignment', sv(T.U32, 24)]], tensors: [] });
      assert.throws(() => readGguf(aligned), /alignment/);
    });

    it('a vocabulary without tokens or with mismatched arrays', () => {
      assert.throws(() => ggufVocab(full), /tokenizer/);
      const mismatched = serializeGguf({
        metadata: [
          ['tokenizer.ggml.model', sv(T.STRING, 'llama')],
          ['tokenizer.ggml.tokens', { type: T.ARRAY, itemType: T.STRING, values: ['a', 'b'] }],
          ['tokenizer.ggml.scores', { type: T.ARRAY, itemType: T.F32, values: [0] }],
        ],
        tensors: [],
      });
      assert.throws(() => ggufVocab(readGguf(mismatched)), GgufError);
    });
  });
});

describe('a GGUF path as a tokenizer', () => {
  it('loads the model\'s own vocabulary through the registry, and says clearly when the file is not GGUF', () => {
    for (const kind of ['random-bpe', 'random-spm'] as const) {
      const model = writeTinyModel(kind, join(modelCache(), `registry-${kind}.gguf`));
      const tokenizer = loadTokenizerSync(model.path);
      assert.equal(tokenizer.vocabSize, model.vocabSize);
      assert.match(tokenizer.name, /GGUF/);
      const text = 'def mean(xs):\n    return sum(xs) / len(xs)  # 平均 🙂';
      const ids = tokenizer.encode(text);
      // SentencePiece adds its space prefix; the text comes back otherwise unchanged.
      assert.equal(Buffer.from(tokenizer.decodeBytes(ids)).toString('utf8').replace(/^ /, ''), text);
    }
    const bogus = join(modelCache(), 'not-a-model.gguf');
    writeFileSync(bogus, '{"model": "nope"}');
    assert.throws(() => loadTokenizerSync(bogus), /not-a-model\.gguf: .*GGUF/i);
  });
});
