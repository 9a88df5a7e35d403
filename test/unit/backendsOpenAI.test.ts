/** OpenAICompatibleBackend against a replay of vLLM's documented protocol (no vLLM here). */
import assert from 'node:assert/strict';
import { OpenAICompatibleBackend } from '../../src/core/backends/openai';
import { BackendError } from '../../src/core/backends/types';
import { REPLAY_VOCAB, replayArgmax, replayRow, replayTokenize } from '../fixtures/servers/replayModel';
import { startVllmReplay, VLLM_MODEL, type VllmReplay } from '../fixtures/servers/vllmReplay';

async function collect(gen: AsyncGenerator<{ id?: number; text: string }, string>) {
  const tokens = [];
  for (;;) {
    const r = await gen.next();
    if (r.done) return { tokens, reason: r.value };
    tokens.push(r.value);
  }
}

describe('OpenAI-compatible backend against a replay of vLLM\'s documented protocol (no vLLM here)', () => {
  let full: VllmReplay;
  let capped: VllmReplay;
  before(async () => {
    full = await startVllmReplay({ maxLogprobs: -1, apiKey: 'secret-key' });
    // Below the 16-token vocabulary, so `logprobs: -1` is refused as vLLM refuses it above its cap.
    capped = await startVllmReplay({ maxLogprobs: 5 });
  });
  after(async () => {
    await full.close();
    await capped.close();
  });

  it('connects: model, context, full distributions when --max-logprobs -1, FIM ids', async () => {
    const b = new OpenAICompatibleBackend({ url: `${full.url}/v1`, apiKey: 'secret-key' });
    const { info, capabilities } = await b.connect();
    assert.equal(info.name, VLLM_MODEL);
    assert.equal(info.contextSize, 2048);
    assert.equal(info.vocabSize, REPLAY_VOCAB.length);
    assert.equal(capabilities.distributions, 'full');
    assert.equal(capabilities.promptTokenProbs, true);
    assert.deepEqual(info.fim, { prefix: 1, suffix: 2, middle: 3 });
    assert.ok(info.endIds.includes(0));
  });

  it('reports top-k with the server cap when --max-logprobs is below the vocabulary', async () => {
    const b = new OpenAICompatibleBackend({ url: capped.url });
    const { capabilities } = await b.connect();
    assert.equal(capabilities.distributions, 'top-k');
    assert.equal(capabilities.maxTopK, 5);
  });

  it('sends the API key as a Bearer header and a wrong key fails clearly without echoing it', async () => {
    const bad = new OpenAICompatibleBackend({ url: full.url, apiKey: 'wrong-key' });
    await assert.rejects(bad.connect(), (e: Error) => e instanceof BackendError && /HTTP 401/.test(e.message) && !e.message.includes('wrong-key'));
  });

  it('next-token distributions in one batched request, equal to the table', async () => {
    const b = new OpenAICompatibleBackend({ url: full.url, apiKey: 'secret-key' });
    await b.connect();
    const contexts = [Uint32Array.of(4), Uint32Array.of(4, 5), Uint32Array.of()];
    const before = full.requests.length;
    const ds = await b.nextTokenDistributions(contexts, {});
    assert.equal(full.requests.length - before, 1);
    const last = full.requests.at(-1)!.body;
    assert.equal(last.logprobs, -1);
    assert.deepEqual(last.prompt, [[4], [4, 5], [0]]);
    ds.forEach((d, i) => {
      assert.equal(d.kind, 'full');
      const row = replayRow([4, 5, 0][i]);
      if (d.kind === 'full') row.forEach((p, id) => assert.ok(Math.abs(d.probs[id] - p) < 1e-9));
    });
  });

  it('top-k distributions keep the k most probable', async () => {
    const b = new OpenAICompatibleBackend({ url: capped.url });
    await b.connect();
    const [d] = await b.nextTokenDistributions([Uint32Array.of(6)], { topK: 3 });
    assert.equal(d.kind, 'top');
    const row = replayRow(6);
    const order = [...row.keys()].sort((a, c) => row[c] - row[a]).slice(0, 3);
    if (d.kind === 'top') assert.deepEqual([...d.ids], order);
  });

  it('generates greedily from a token-id prompt, streaming ids, and stops at a stop string', async () => {
    const b = new OpenAICompatibleBackend({ url: capped.url });
    await b.connect();
    const { tokens, reason } = await collect(b.generate({ prompt: { ids: Uint32Array.of(4) }, maxTokens: 4 }));
    let prev = 4;
    for (const t of tokens) {
      const next = replayArgmax(prev);
      if (next === 0) break;
      assert.equal(t.id, next);
      prev = next;
    }
    assert.ok(reason === 'length' || reason === 'eos');
    const body = capped.requests.at(-1)!.body;
    assert.equal(body.stream, true);
    assert.deepEqual(body.prompt, [4]);
  });

  it('sends a regex as structured_outputs and bias as logit_bias', async () => {
    const b = new OpenAICompatibleBackend({ url: capped.url });
    await b.connect();
    await collect(b.generate({ prompt: { text: 'ab' }, maxTokens: 1, regex: '^c[\\s\\S]*', tokenBias: new Map([[5, -Infinity]]) }));
    const body = capped.requests.at(-1)!.body;
    assert.deepEqual(body.structured_outputs, { regex: '^c[\\s\\S]*' });
    assert.deepEqual(body.logit_bias, { '5': -100 });
  });

  it('tokenizes through /tokenize without special tokens', async () => {
    const b = new OpenAICompatibleBackend({ url: capped.url });
    await b.connect();
    assert.deepEqual([...(await b.tokenize('ab cd'))], replayTokenize('ab cd', true));
  });

  it('reads teacher-forced prompt probabilities', async () => {
    const b = new OpenAICompatibleBackend({ url: full.url, apiKey: 'secret-key' });
    await b.connect();
    const p = await b.promptTokenProbs(Uint32Array.of(4, 5, 6));
    assert.ok(Number.isNaN(p[0]));
    assert.ok(Math.abs(p[1] - replayRow(4)[5]) < 1e-9);
    assert.ok(Math.abs(p[2] - replayRow(5)[6]) < 1e-9);
  });

  it('a request above the cap fails with the server\'s own message', async () => {
    const b = new OpenAICompatibleBackend({ url: capped.url });
    await b.connect();
    await assert.rejects(
      collect(b.generate({ prompt: { ids: Uint32Array.of(4) }, maxTokens: 1, topK: 50 })),
      /HTTP 400: Requested sample logprobs of 50, which is greater than max allowed: 5/,
    );
  });
});
