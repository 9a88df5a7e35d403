/**
 * Completions on a real vocabulary: a tiny random-weight model carrying Qwen 3's 151,669 tokens, on the
 * embedded engine and on llama-server. The exact method from certified top-k lists gives what it gives from
 * full distributions; healing under a token bias gives what healing from distributions gives; llama-server
 * answers distribution requests whose most probable token ends inside a character.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmbeddedBackend } from '../../src/core/backends/embedded';
import type { ConnectResult, ModelBackend } from '../../src/core/backends/types';
import { completeAt, type CompleteInput } from '../../src/core/fim/complete';
import { decodeComplete } from '../../src/core/fim/completionText';
import { boundedNextByteDistributions, nextByteDistributions } from '../../src/core/fim/nextBytes';
import { FIM_TEMPLATES } from '../../src/core/fim/templates';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { ensureEngine } from '../../scripts/install-engine';
import { modelCache } from '../fixtures/gguf';
import { writeRealVocabModel } from '../fixtures/gguf/realVocab';
import { startServerBackend } from '../fixtures/llamaServer';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE = join(ROOT, 'dist', 'engine.js');
const template = FIM_TEMPLATES['qwen2.5-coder'];
const split = (doc: string) => ({ prefix: doc.slice(0, doc.indexOf('|')), suffix: doc.slice(doc.indexOf('|') + 1) });

/** Cursors inside words, after a space and after non-ASCII text, in code long enough to be a prompt. */
const BODY = 'export function parse(source: string): Node[] {\n  const nodes: Node[] = [];\n  for (const line of source.split("\\n")) {\n';
const CASES = [
  `${BODY}    if (line.startsWith("#")) contin|\n  }\n  return nodes;\n}\n`,
  `${BODY}    nodes.push(new Te|(line));\n  }\n  return nodes;\n}\n`,
  `${BODY}    const größe = line.len|;\n  }\n  return nodes;\n}\n`,
  `${BODY}    // 日本語の|\n  }\n  return nodes;\n}\n`,
];

const unconstrained = (connected: ConnectResult): ConnectResult => ({ ...connected, capabilities: { ...connected.capabilities, constraints: [] } });

interface Engine {
  backend: ModelBackend;
  connected: ConnectResult;
}

function realVocabSuite(name: string, start: (modelPath: string) => Promise<Engine | undefined>, stop: () => Promise<void> | void, extra?: (engine: () => Engine) => void): void {
  describe(`completions on a real vocabulary (Qwen 3, 151,669 tokens) on ${name}`, function () {
    this.timeout(600_000);
    let engine: Engine | undefined;
    let tokenizer: Tokenizer;

    before(async function () {
      if (!existsSync(ENGINE)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
      const model = writeRealVocabModel('qwen3', join(modelCache(), 'real-qwen3.gguf'));
      tokenizer = loadTokenizerSync(model.path);
      engine = await start(model.path);
      if (!engine) this.skip();
    });
    after(() => stop());

    const complete = (connected: ConnectResult, doc: string, more: Partial<CompleteInput>) =>
      completeAt({ backend: engine!.backend, connected, tokenizer, template, ...split(doc), maxTokens: 6, strategy: 'exact', ...more });

    it('exact from certified top-k lists equals exact from full distributions', async () => {
      for (const doc of CASES) {
        const certified = await complete(engine!.connected, doc, {});
        const full = await complete(engine!.connected, doc, { exactTopK: [] });
        const what = `${JSON.stringify(doc.slice(BODY.length))}: certified ${JSON.stringify(decodeComplete(certified.middleBytes))}, full ${JSON.stringify(decodeComplete(full.middleBytes))}`;
        assert.equal(certified.strategy, 'exact', `${what} (${certified.fallback})`);
        assert.deepEqual(certified.middleBytes, full.middleBytes, what);
        assert.ok(certified.stats.scored && certified.stats.scored.calls >= 1, what);
      }
    });

    it('the bounded next-character view lies within its error of the exact one', async () => {
      const target = { backend: engine!.backend, connected: engine!.connected, tokenizer, template };
      for (const doc of CASES.slice(0, 2)) {
        const full = await nextByteDistributions({ ...target, ...split(doc) });
        const bounded = await boundedNextByteDistributions({ ...target, ...split(doc) }, 0.0005);
        assert.ok(bounded.maxError <= 0.0005);
        // 1e-4 more: the engines' top lists and full distributions are read differently (float32, rescaled).
        for (let b = 0; b < full.exact.length; b++) assert.ok(Math.abs(bounded.exact[b] - full.exact[b]) <= bounded.maxError + 1e-4, `byte ${b}: ${bounded.exact[b]} vs ${full.exact[b]} ±${bounded.maxError}`);
      }
    });

    it('healing under a token bias equals healing from distributions', async () => {
      for (const doc of CASES) {
        const biased = await complete(engine!.connected, doc, { strategy: 'heal' });
        const stepwise = await complete(unconstrained(engine!.connected), doc, { strategy: 'heal' });
        const what = `${JSON.stringify(doc.slice(BODY.length))}: bias ${JSON.stringify(decodeComplete(biased.middleBytes))}, distributions ${JSON.stringify(decodeComplete(stepwise.middleBytes))}`;
        assert.equal(stepwise.healVia, 'distributions', what);
        // llama-server's stream names no token that ends inside a character: such a step heals by the grammar.
        assert.ok(biased.healVia === 'bias' || (name === 'llama-server' && biased.healVia === 'grammar'), what);
        assert.deepEqual(biased.middleBytes, stepwise.middleBytes, what);
      }
    });

    extra?.(() => engine!);
  });
}

let embedded: EmbeddedBackend | undefined;
realVocabSuite(
  'the embedded engine',
  async (modelPath) => {
    embedded = new EmbeddedBackend({ enginePath: ENGINE, installDir: await ensureEngine(), modelPath, threads: 1, contextSize: 4096 });
    return { backend: embedded, connected: await embedded.connect() };
  },
  () => embedded?.dispose(),
);

let stopServer: (() => Promise<void>) | undefined;
realVocabSuite(
  'llama-server',
  async (modelPath) => {
    const started = await startServerBackend(modelPath, 120_000);
    stopServer = started?.stop;
    return started;
  },
  () => stopServer?.(),
  (engine) => {
    it('answers every distribution request, those whose most probable token ends inside a character too', async () => {
      // Without the bias towards a whole-character token, one of these 60 contexts fails on this model.
      const contexts = Array.from({ length: 60 }, (_, i) => Uint32Array.of(1000 + i * 997));
      const tops = await engine().backend.nextTokenDistributions!(contexts, { topK: 8 });
      const [full] = await engine().backend.nextTokenDistributions!([contexts[0]], {});
      assert.equal(tops.length, 60);
      const first = tops[0];
      assert.ok(first.kind === 'top' && full.kind === 'full');
      first.ids.forEach((id, i) => assert.ok(Math.abs(first.probs[i] - full.probs[id]) <= 1e-4 * full.probs[id], `id ${id}: top ${first.probs[i]}, full ${full.probs[id]}`));
    });
  },
);
