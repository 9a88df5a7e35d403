/**
 * The GGUF tokenizers give llama.cpp's own token ids (through node-llama-cpp, special-token text as plain
 * text, no BOS) on the test corpus and on random strings, for a byte-level BPE and a SentencePiece model.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readGguf } from '../../src/core/gguf/reader';
import { ggufVocab } from '../../src/core/gguf/vocab';
import { tokenizerFromGguf } from '../../src/core/tokenizers/gguf/ggufTokenizer';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { adversarial, ATOMS, randomText, realFiles, rng } from '../fixtures/corpus';
import { modelCache, writeTinyModel, type TinyModelKind } from '../fixtures/gguf/index';
import { writeRealVocabModel, type FimStyle } from '../fixtures/gguf/realVocab';
import { checkTemplate, describeCheck, sentinelVocab } from '../../src/core/fim/chooseTemplate';
import { FIM_TEMPLATES } from '../../src/core/fim/templates';
import { preTokenizerFor, supportedPreTokenizers } from '../../src/core/tokenizers/gguf/preTokenizers';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE = join(ROOT, '.cache', 'engine', 'node_modules', 'node-llama-cpp');

interface EngineModel {
  tokenize(text: string, specialTokens?: boolean): number[];
  detokenize(tokens: number[], specialTokens?: boolean): string;
  dispose(): Promise<void>;
}

/** Random strings over the corpus atoms plus extra runs of the hard cases. */
function randomStrings(seed: number, count: number): string[] {
  const r = rng(seed);
  const extra = ['   ', '\t\t', '\r\n\r\n', '0123456789', '日本語', '中文文本', '😀😀', '👨‍👩‍👧‍👦', ' \u3000 ', '\n \n', 'x  y', '  '];
  const atoms = [...ATOMS, ...extra];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = 1 + Math.floor(r() * 24);
    for (let k = 0; k < n; k++) s += atoms[Math.floor(r() * atoms.length)];
    out.push(i % 5 === 0 ? randomText(r, n) : s);
  }
  return out;
}

function assertSame(tokenizer: Tokenizer, text: string, theirs: number[], label: string): void {
  const ours = Array.from(tokenizer.encode(text));
  if (ours.join() === theirs.join()) return;
  let at = 0;
  while (at < ours.length && ours[at] === theirs[at]) at++;
  assert.fail(`${label}: first difference at token ${at} of ${ours.length}/${theirs.length} in ${JSON.stringify(text.slice(0, 200))}\n ours   ${ours.slice(at, at + 8)}\n theirs ${theirs.slice(at, at + 8)}`);
}

const engineThere = existsSync(ENGINE);

(engineThere ? describe : describe.skip)('GGUF tokenizers equal llama.cpp', () => {
  let llama: { loadModel(o: { modelPath: string; vocabOnly?: boolean }): Promise<EngineModel> };
  before(async () => {
    const { getLlama } = (await import(pathToFileURL(join(ENGINE, 'dist', 'index.js')).href)) as { getLlama: (o: object) => Promise<typeof llama> };
    llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
  });

  for (const kind of ['random-bpe', 'random-spm'] as TinyModelKind[]) {
    describe(kind, () => {
      let tokenizer: Tokenizer;
      let model: EngineModel;
      before(async () => {
        const fixture = writeTinyModel(kind, join(modelCache(), `tokenizer-${kind}.gguf`));
        tokenizer = tokenizerFromGguf(ggufVocab(readGguf(readFileSync(fixture.path))));
        // A valid generated model: safe to load in this process.
        model = await llama.loadModel({ modelPath: fixture.path, vocabOnly: true });
      });
      after(async () => model?.dispose());

      it('adversarial texts', () => {
        for (const [name, text] of adversarial()) assertSame(tokenizer, text, model.tokenize(text, false), name);
      });

      it('real files', () => {
        for (const [name, text] of realFiles()) {
          // Long files in slices: the engine's own tokenize is the slow side.
          const slice = text.slice(0, 60_000);
          assertSame(tokenizer, slice, model.tokenize(slice, false), name);
        }
      });

      it('600 random strings', () => {
        for (const text of randomStrings(kind.length * 31, 600)) assertSame(tokenizer, text, model.tokenize(text, false), 'random');
      });

      it('special-token text is parsed only when asked', () => {
        const texts = ['<|endoftext|>abc', 'x<|fim_prefix|>def<|fim_suffix|>g<|fim_middle|>', ' \u2581<PRE> a \u2581<SUF>b\u2581<MID>', '<s> </s>x<unk>'];
        for (const text of texts) {
          assertSame(tokenizer, text, model.tokenize(text, false), 'plain');
          assert.deepEqual(Array.from(tokenizer.encode(text, { parseSpecialTokens: true })), Array.from(model.tokenize(text, true)), JSON.stringify(text));
        }
      });

      it('spans cover the text in order and bytes round-trip', () => {
        for (const text of randomStrings(5, 200)) {
          const spans = tokenizer.tokenize(text);
          assert.deepEqual(Array.from(spans.ids), Array.from(tokenizer.encode(text)));
          for (let i = 0; i < spans.ids.length; i++) {
            assert.ok(spans.starts[i] <= spans.ends[i] && spans.ends[i] <= text.length);
            if (i > 0) assert.ok(spans.starts[i] >= spans.starts[i - 1]);
          }
          if (spans.ids.length) assert.equal(spans.ends[spans.ids.length - 1], text.length);
          const decoded = Buffer.from(tokenizer.decodeBytes(spans.ids)).toString('utf8');
          // SentencePiece reads a literal ▁ back as a space; the dummy prefix space is dropped, as llama.cpp does.
          const wellFormed = text.toWellFormed();
          assert.equal(decoded, kind.endsWith('spm') ? wellFormed.replaceAll('\u2581', ' ') : wellFormed);
          assert.equal(decoded, model.detokenize(Array.from(spans.ids)), JSON.stringify(text));
        }
      });
    });
  }
  describe("every byte-level pre-tokenizer llama.cpp has (Llama 3's vocabulary, 128,256 tokens)", function () {
    this.timeout(600_000);
    // What the splits disagree on: digit runs, scripts, cases, marks, wide spaces, trailing space, sentinels.
    const probes = [
      'x = 1234567 + 12.5e-10; y = ０１２３ ٣٤٥٦ ①②',
      'helloWorld HELLOworld ÉcoleNormale émile aÉb ǅemal ΣΊΣΥΦΟΣ straße',
      'Cafe\u0301 x\u0300\u0301 \u0301a ǅ\u0308',
      '日本語のテキスト　と中文文本，还有한국어 텍스트。カタカナ ｶﾀｶﾅ ㄅㄆ ！？…“”',
      'trailing spaces   ',
      'a\u3000\u3000b \u00a0c\u2028d \u0085e\t\tf',
      '<sentinel:12>IMGIMGABCZ  tabs\t\tand    four',
      "don't I'M they'VE 'reX ''s",
      '});\n\n/// <reference path="x" />\n\r\n  indented\r\n\tend\r',
      '$+<=>^~|` !!!??? ... ---',
    ];
    const groups = new Map<string, string[]>();
    for (const name of supportedPreTokenizers()) {
      const key = JSON.stringify(preTokenizerFor(name));
      groups.set(key, [...(groups.get(key) ?? []), name]);
    }
    const write = (pre: string | null) => writeRealVocabModel('llama3', join(modelCache(), 'pre-tokenizer.gguf'), { pre, forTokenizing: true }).path;
    /** Compares llama.cpp's ids for the file that names `pre` with `tokenizer`'s (by default, the file's own). */
    const check = async (pre: string | null, texts: string[], given?: Tokenizer) => {
      const path = write(pre);
      const tokenizer = given ?? tokenizerFromGguf(ggufVocab(readGguf(readFileSync(path))));
      const model = await llama.loadModel({ modelPath: path, vocabOnly: true });
      try {
        // llama.cpp's std::regex recurses once per character of a match and overflows its stack past about
        // 20,000: texts go in slices of 16,000 characters.
        for (const whole of texts) {
          for (let at = 0; at === 0 || at < whole.length; at += 16_000) {
            const text = whole.slice(at, at + 16_000);
            assertSame(tokenizer, text, model.tokenize(text, false), String(pre));
          }
        }
      } finally {
        await model.dispose();
      }
      return tokenizer;
    };
    for (const names of groups.values()) {
      it(`${names.join(', ')}: adversarial texts, real files and 300 random strings`, async () => {
        const files = realFiles().map(([, text]) => text.slice(0, 20_000));
        const tokenizer = await check(names[0], [...probes, ...adversarial().map(([, t]) => t), ...files, ...randomStrings(names[0].length * 7, 300)]);
        // The other names share the split: llama.cpp must split them the same way.
        for (const name of names.slice(1)) await check(name, probes, tokenizer);
      });
    }
    it("a file that names no pre-tokenizer: llama.cpp's default, and a note says so", async () => {
      await check(null, [...probes, ...randomStrings(3, 100)]);
      const notes = tokenizerFromGguf(ggufVocab(readGguf(readFileSync(write(null))))).notes ?? [];
      assert.ok(notes.some((n) => n.includes('tokenizer.ggml.pre')), JSON.stringify(notes));
    });
    it('a pre-tokenizer llama.cpp splits by hand-written code is refused with the reason', () => {
      assert.match(String(preTokenizerFor('kimi-k2')), /kimi-k2.*hand-written/);
      assert.match(String(preTokenizerFor('no-such-thing')), /unknown GGUF pre-tokenizer 'no-such-thing'/);
    });
  });
  describe("a SentencePiece vocabulary of real size (Gemma 3's 262,145 pieces, no dummy space)", function () {
    this.timeout(600_000);
    let tokenizer: Tokenizer;
    let model: EngineModel;
    before(async () => {
      const path = writeRealVocabModel('gemma3', join(modelCache(), 'tokenizer-gemma3.gguf'), { forTokenizing: true }).path;
      tokenizer = tokenizerFromGguf(ggufVocab(readGguf(readFileSync(path))));
      model = await llama.loadModel({ modelPath: path, vocabOnly: true });
    });
    after(async () => model?.dispose());

    it('adversarial texts, real files and 300 random strings', () => {
      for (const [name, text] of adversarial()) assertSame(tokenizer, text, model.tokenize(text, false), name);
      for (const [name, text] of realFiles()) assertSame(tokenizer, text.slice(0, 30_000), model.tokenize(text.slice(0, 30_000), false), name);
      for (const text of randomStrings(262, 300)) assertSame(tokenizer, text, model.tokenize(text, false), 'random');
    });

    it('special-token text only when asked, and bytes decode as llama.cpp decodes them', () => {
      for (const text of ['<start_of_turn>user\nhi<end_of_turn>', '<bos>x<eos> <pad><unk>', ...randomStrings(5, 60)]) {
        assertSame(tokenizer, text, model.tokenize(text, false), 'plain');
        const ids = Array.from(tokenizer.encode(text, { parseSpecialTokens: true }));
        assert.deepEqual(ids, Array.from(model.tokenize(text, true)), JSON.stringify(text));
        const plain = Array.from(tokenizer.encode(text));
        assert.equal(Buffer.from(tokenizer.decodeBytes(plain)).toString('utf8'), model.detokenize(plain), JSON.stringify(text));
      }
    });
  });
  describe('FIM sentinels as older conversions type them (Qwen 3 vocabulary, 151,669 tokens)', function () {
    this.timeout(120_000);
    const styles: FimStyle[] = [
      { type: 'user-defined', named: true },
      { type: 'user-defined', named: false },
      { type: 'normal', named: true },
      { type: 'normal', named: false },
    ];
    const texts = ['<|fim_prefix|>def f():<|fim_suffix|>\n<|fim_middle|>', 'x = "<|fim_middle|>"  # <|endoftext|>', ...randomStrings(11, 40)];
    for (const style of styles) {
      it(`${style.type}, ${style.named ? 'named by fim_*_token_id' : 'found by its text'}: counting and the template agree with llama.cpp`, async () => {
        const fixture = writeRealVocabModel('qwen3', join(modelCache(), `fim-${style.type}-${style.named ? 'named' : 'unnamed'}.gguf`), { fimStyle: style });
        const vocab = ggufVocab(readGguf(readFileSync(fixture.path)));
        const tokenizer = tokenizerFromGguf(vocab);
        const model = await llama.loadModel({ modelPath: fixture.path, vocabOnly: true });
        try {
          assert.deepEqual({ prefix: vocab.fim.prefix, suffix: vocab.fim.suffix, middle: vocab.fim.middle }, fixture.fim);
          for (const text of texts) {
            assertSame(tokenizer, text, model.tokenize(text, false), 'plain');
            assert.deepEqual(Array.from(tokenizer.encode(text, { parseSpecialTokens: true })), Array.from(model.tokenize(text, true)), JSON.stringify(text));
          }
          const check = checkTemplate(FIM_TEMPLATES['qwen2.5-coder'], sentinelVocab(tokenizer), vocab.fim);
          assert.ok(check.ok, describeCheck(check));
          assert.deepEqual([check.ids.prefix, check.ids.suffix, check.ids.middle], [fixture.fim!.prefix, fixture.fim!.suffix, fixture.fim!.middle]);
          // llama.cpp types a sentinel control when it finds it by its text, and says so: so does Tokenwise.
          const said = (tokenizer.notes ?? []).some((n) => n.includes(JSON.stringify('<|fim_prefix|>')));
          assert.equal(said, !style.named, JSON.stringify(tokenizer.notes));
        } finally {
          await model.dispose();
        }
      });
    }
  });
});
