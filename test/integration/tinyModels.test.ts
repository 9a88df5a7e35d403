/**
 * The generated tiny models load in llama.cpp, and a bigram model's next-token distribution after each
 * single token is its table (to float32 precision).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { modelCache, writeTinyModel, type TinyModelKind } from '../fixtures/gguf/index';

const ENGINE = join(resolve(__dirname, '..', '..'), '.cache', 'engine', 'node_modules', 'node-llama-cpp');

interface Sequence {
  clearHistory(): Promise<void>;
  controlledEvaluate(items: unknown[]): Promise<({ next?: { probabilities?: Map<number, number> } } | undefined)[]>;
}
interface Model {
  tokens: { bos: number | null; eos: number | null; infill: { prefix: number | null; suffix: number | null; middle: number | null } };
  tokenize(text: string, special?: boolean): number[];
  createContext(o: object): Promise<{ getSequence(): Sequence; dispose(): Promise<void> }>;
  dispose(): Promise<void>;
}

(existsSync(ENGINE) ? describe : describe.skip)('tiny GGUF models in llama.cpp', () => {
  let llama: { loadModel(o: { modelPath: string }): Promise<Model> };
  before(async () => {
    const { getLlama } = (await import(pathToFileURL(join(ENGINE, 'dist', 'index.js')).href)) as { getLlama: (o: object) => Promise<typeof llama> };
    llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
  });

  for (const kind of ['random-bpe', 'random-spm', 'bigram-bpe', 'bigram-spm'] as TinyModelKind[]) {
    it(kind, async () => {
      const fixture = writeTinyModel(kind, join(modelCache(), `check-${kind}.gguf`));
      const model = await llama.loadModel({ modelPath: fixture.path });
      try {
        assert.equal(model.tokens.infill.prefix, fixture.fim.prefix);
        assert.equal(model.tokens.infill.suffix, fixture.fim.suffix);
        assert.equal(model.tokens.infill.middle, fixture.fim.middle);
        assert.equal(model.tokens.eos, fixture.eosId);
        const ctx = await model.createContext({ contextSize: 256, threads: 1 });
        const seq = ctx.getSequence();
        const rows = fixture.table ? fixture.vocabSize : 4;
        let worst = 0;
        for (let t = 0; t < rows; t++) {
          await seq.clearHistory();
          const [result] = await seq.controlledEvaluate([[t, { generateNext: { probabilities: true } }]]);
          const probs = result?.next?.probabilities;
          assert.ok(probs && probs.size > 0);
          if (!fixture.table) continue;
          for (let v = 0; v < fixture.vocabSize; v++) worst = Math.max(worst, Math.abs((probs.get(v) ?? 0) - fixture.table[t][v]));
        }
        assert.ok(worst < 1e-5, `worst difference ${worst}`);
        await ctx.dispose();
      } finally {
        await model.dispose();
      }
    });
  }
});
