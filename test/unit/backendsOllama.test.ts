/** OllamaBackend against a replay of Ollama's documented protocol (no Ollama here). */
import assert from 'node:assert/strict';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { BackendError } from '../../src/core/backends/types';
import { OLLAMA_MODEL, startOllamaReplay, type OllamaReplay } from '../fixtures/servers/ollamaReplay';
import { REPLAY_VOCAB, replayArgmax, replayRow } from '../fixtures/servers/replayModel';

describe('Ollama backend against a replay of Ollama\'s documented protocol (no Ollama here)', () => {
  let server: OllamaReplay;
  before(async () => {
    server = await startOllamaReplay();
  });
  after(() => server.close());

  it('connects through /api/show verbose: vocabulary bytes, specials, context, capabilities', async () => {
    const b = new OllamaBackend({ url: server.url, model: OLLAMA_MODEL });
    const { info, capabilities } = await b.connect();
    assert.equal(info.vocabSize, REPLAY_VOCAB.length);
    assert.equal(info.contextSize, 4096);
    assert.deepEqual(info.specialIds, [0, 1, 2, 3]);
    assert.deepEqual(info.fim, { prefix: 1, suffix: 2, middle: 3 });
    assert.deepEqual([...info.tokenBytes!(12)!], [0x20, 0x61]); // 'Ġa'
    assert.equal(capabilities.tokenIdPrompts, false);
    assert.equal(capabilities.distributions, 'top-k');
    assert.equal(capabilities.maxTopK, 20);
    assert.equal(capabilities.tokenize, false);
    assert.equal(capabilities.infill, true);
    assert.deepEqual(server.requests.at(-1)!.body, { model: OLLAMA_MODEL, verbose: true });
  });

  it('generates raw text over NDJSON, giving ids from the token bytes', async () => {
    const b = new OllamaBackend({ url: server.url, model: OLLAMA_MODEL, numCtx: 1024 });
    await b.connect();
    const ids: (number | undefined)[] = [];
    const gen = b.generate({ prompt: { text: 'ab' }, maxTokens: 3 });
    let r = await gen.next();
    while (!r.done) {
      ids.push(r.value.id);
      r = await gen.next();
    }
    let prev = 9;
    for (const id of ids) {
      assert.equal(id, replayArgmax(prev));
      prev = id!;
    }
    const body = server.requests.at(-1)!.body;
    assert.equal(body.raw, true);
    assert.deepEqual(body.options, { num_predict: 3, temperature: 0, num_ctx: 1024 });
  });

  it('a suffix goes through the template (not raw)', async () => {
    const b = new OllamaBackend({ url: server.url, model: OLLAMA_MODEL });
    await b.connect();
    for await (const _ of b.generate({ prompt: { text: 'a' }, suffix: 'b', maxTokens: 1 })) void _;
    const body = server.requests.at(-1)!.body;
    assert.equal(body.raw, false);
    assert.equal(body.suffix, 'b');
  });

  it('next-token distributions through one-token generation, top 20 at most', async () => {
    const b = new OllamaBackend({ url: server.url, model: OLLAMA_MODEL });
    await b.connect();
    const [d] = await b.nextTokenDistributions([Uint32Array.of(0, 4)], { topK: 50 });
    assert.equal(server.requests.at(-1)!.body.top_logprobs, 20);
    assert.equal(server.requests.at(-1)!.body.prompt, 'a');
    assert.equal(d.kind, 'top');
    const row = replayRow(4);
    if (d.kind === 'top') d.ids.forEach((id, i) => assert.ok(Math.abs(d.probs[i] - row[id]) < 1e-9));
  });

  it('token-id prompts, a grammar and tokenize are refused clearly', async () => {
    const b = new OllamaBackend({ url: server.url, model: OLLAMA_MODEL });
    await assert.rejects(b.generate({ prompt: { ids: Uint32Array.of(1) }, maxTokens: 1 }).next(), BackendError);
    await assert.rejects(b.generate({ prompt: { text: 'a' }, grammar: 'root ::= "a"', maxTokens: 1 }).next(), BackendError);
    await assert.rejects(b.tokenize(), /no tokenize endpoint/);
  });

  it('an unknown model fails with Ollama\'s own message', async () => {
    const b = new OllamaBackend({ url: server.url, model: 'nope' });
    await assert.rejects(b.connect(), /HTTP 404: model 'nope' not found/);
  });
});
