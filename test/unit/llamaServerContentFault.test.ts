/**
 * llama-server fails a generation whose output is not UTF-8 (contentFault.ts): HTTP 500 when the first token
 * does it, an error event after the tokens streamed so far otherwise, and a last token that ends inside a
 * character is never sent. A node:http server replays that behaviour over a toy greedy model, so that the
 * recovery is checked token for token; the real server is checked in test/integration/llamaServer.test.ts.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { greedyPick } from '../../src/core/backends/contentFault';
import { LlamaServerBackend } from '../../src/core/backends/llamaServer';
import type { GenerateRequest, StopReason } from '../../src/core/backends/types';
import { rng } from '../fixtures/corpus';
import { listen, readJson, sendJson, type TestServer } from '../fixtures/servers/listen';
import { answerConnect } from '../fixtures/servers/llamaServerStub';

const FAULT = 'The model produced output that does not match the expected Content-only format';
/** 0 is `</s>`; é is 2 then 3; 6 is a byte that is never UTF-8. */
const PIECES: Record<number, number[]> = { 0: [], 1: [0x61], 2: [0xc3], 3: [0xa9], 4: [0x62], 5: [0x61, 0x62], 6: [0xff], 7: [0x63] };
const VOCAB = 8;
/** The likeliest token after each: a é (2 3) b, then 0xFF, c, and round again. */
const NEXT: Record<number, number> = { 0: 1, 1: 2, 2: 3, 3: 4, 4: 6, 5: 1, 6: 7, 7: 1 };
const logprob = (prev: number, id: number) => Math.log(id === NEXT[prev] ? 0.6 : 0.4 / (VOCAB - 1));

function greedy(prev: number, bias: Map<number, number>): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let id = 0; id < VOCAB; id++) {
    const score = logprob(prev, id) + (bias.get(id) ?? 0);
    if (score > bestScore) [best, bestScore] = [id, score];
  }
  return best;
}

const isUtf8 = (bytes: number[]) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    return true;
  } catch {
    return false;
  }
};
const cutOff = (bytes: number[]) => bytes.length > 0 && bytes[bytes.length - 1] === 0xc3;

interface CompletionBody {
  prompt: number[];
  n_predict: number;
  n_probs?: number;
  stream?: boolean;
  logit_bias?: [number, number | false][];
}

describe('llama-server: output that is not UTF-8 (a replay of the server)', () => {
  let server: TestServer;
  let streams = 0;
  let steps = 0;

  before(async () => {
    server = await listen(async (req, res) => {
      const body = (await readJson(req)) as (CompletionBody & { content?: string; parse_special?: boolean; with_pieces?: boolean }) | undefined;
      if (answerConnect(req.url, res, VOCAB)) return;
      switch (req.url) {
        case '/tokenize':
          if (body?.with_pieces) return sendJson(res, 200, { tokens: body.content === 'a' ? [{ id: 1, piece: 'a' }] : [] });
          if (body?.content !== '</s>') return sendJson(res, 200, { tokens: [] });
          return sendJson(res, 200, { tokens: body.parse_special ? [0] : [7, 7, 7] });
        case '/completion':
          return body!.stream ? stream(body!, res) : step(body!, res);
      }
      return sendJson(res, 404, {});
    });
  });
  after(() => server.close());
  beforeEach(() => {
    streams = 0;
    steps = 0;
  });

  const biasOf = (body: CompletionBody) => new Map((body.logit_bias ?? []).map(([id, b]) => [id, b === false ? -Infinity : b]));

  function stream(body: CompletionBody, res: ServerResponse): void {
    streams++;
    const bias = biasOf(body);
    const events: object[] = [];
    const bytes: number[] = [];
    let sent = 0;
    let prev = body.prompt[body.prompt.length - 1];
    const fail = () => {
      if (!events.length) return sendJson(res, 500, { error: { code: 500, message: FAULT, type: 'server_error' } });
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      for (const e of [...events, { error: { code: 500, message: FAULT, type: 'server_error' } }]) res.write(`data: ${JSON.stringify(e)}\n\n`);
      res.end();
    };
    for (let n = 1; n <= body.n_predict; n++) {
      prev = greedy(prev, bias);
      bytes.push(...PIECES[prev]);
      // A token that leaves a character cut off is held back; the next event's content carries its bytes.
      if (cutOff(bytes)) continue;
      if (!isUtf8(bytes)) return fail();
      events.push({ content: Buffer.from(bytes.slice(sent)).toString('utf8'), tokens: [prev], tokens_predicted: n, stop: false });
      sent = bytes.length;
      if (prev === 0) break;
    }
    if (cutOff(bytes)) return fail();
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (const e of [...events, { content: '', stop: true, stop_type: prev === 0 ? 'eos' : 'limit' }]) res.write(`data: ${JSON.stringify(e)}\n\n`);
    res.end();
  }

  /** A distribution request: the top `n_probs` of the raw softmax, and the sampled token is whatever the bias makes it. */
  function step(body: CompletionBody, res: ServerResponse): void {
    steps++;
    const prev = body.prompt[body.prompt.length - 1];
    const sampled = greedy(prev, biasOf(body));
    if (!isUtf8(PIECES[sampled]) || cutOff(PIECES[sampled])) return sendJson(res, 500, { error: { code: 500, message: FAULT } });
    const entries = [...Array(VOCAB).keys()]
      .map((id) => ({ id, logprob: logprob(prev, id), bytes: PIECES[id] }))
      .sort((a, b) => b.logprob - a.logprob || a.id - b.id)
      .slice(0, body.n_probs ?? 0);
    sendJson(res, 200, { content: 'a', tokens: [sampled], completion_probabilities: [{ id: sampled, logprob: 0, top_logprobs: entries }] });
  }

  async function run(request: Partial<GenerateRequest>): Promise<{ ids: (number | undefined)[]; text: string; reason: StopReason }> {
    const backend = new LlamaServerBackend({ url: server.url, timeoutMs: 2000 });
    await backend.connect();
    await backend.loadTokenBytes();
    streams = steps = 0;
    const ids: (number | undefined)[] = [];
    const bytes: number[] = [];
    const gen = backend.generate({ prompt: { ids: Uint32Array.of(1) }, maxTokens: 8, ...request });
    for (let r = await gen.next(); ; r = await gen.next()) {
      if (r.done) {
        backend.dispose();
        return { ids, text: Buffer.from(bytes).toString('latin1'), reason: r.value };
      }
      ids.push(r.value.id);
      bytes.push(...(r.value.bytes ?? []));
    }
  }

  const chain = (from: number, n: number, bias = new Map<number, number>()) => {
    const out: number[] = [];
    for (let prev = from; out.length < n; ) out.push((prev = greedy(prev, bias)));
    return out;
  };

  it("at temperature 0 the output is the server's own greedy one, through every fault, with few requests", async () => {
    const { ids, reason } = await run({ maxTokens: 12 });
    assert.deepEqual(ids, chain(1, 12));
    assert.equal(reason, 'length');
    // 0xFF fails the stream twice a round (mid-stream, then at the start of the resumed one): one step each.
    assert.ok(streams <= 4 && steps <= 4, `${streams} streams, ${steps} steps`);
  });

  it('a last token that ends inside a character is not lost', async () => {
    const { ids, reason } = await run({ maxTokens: 1 });
    assert.deepEqual(ids, [2]);
    assert.equal(reason, 'length');
  });

  it("the steps keep the request's bias", async () => {
    // 0xFF made the greedy token everywhere: every stream fails at once, and every token is a step's.
    const tokenBias = new Map([
      [6, 3],
      [4, -Infinity],
    ]);
    const { ids } = await run({ maxTokens: 5, tokenBias });
    assert.deepEqual(ids, chain(1, 5, tokenBias));
    assert.deepEqual(ids, [6, 6, 6, 6, 6]);
    assert.equal(steps, 5);
  });

  it('at a higher temperature the stream resumes once, then ends with what came', async () => {
    const { ids, reason } = await run({ maxTokens: 8, temperature: 0.7 });
    assert.deepEqual(ids, [2, 3, 4]);
    assert.equal(reason, 'length');
    assert.equal(streams, 2);
  });

  it('a constrained generation cannot resume: it ends with what came', async () => {
    const { ids, reason } = await run({ maxTokens: 8, grammar: 'root ::= [a-z]*' });
    assert.deepEqual(ids, [2, 3, 4]);
    assert.equal(reason, 'length');
    assert.equal(streams, 1);
  });
});

describe('greedyPick: certain from a top-k list, or undefined (property)', () => {
  it('never differs from the pick over the whole vocabulary', () => {
    const r = rng(11);
    let certain = 0;
    let escalated = 0;
    for (let c = 0; c < 2000; c++) {
      const n = 2 + Math.floor(r() * 40);
      const entries = Array.from({ length: n }, (_, id) => ({ id, logprob: Math.log(r() + 1e-9) - (r() < 0.3 ? 5 : 0) })).sort((a, b) => b.logprob - a.logprob);
      const bias = new Map<number, number>();
      for (let k = Math.floor(r() * 4); k > 0; k--) bias.set(Math.floor(r() * n), r() < 0.2 ? -Infinity : (r() - 0.3) * 8);
      const whole = greedyPick(entries, bias, true);
      const k = 1 + Math.floor(r() * n);
      const partial = greedyPick(entries.slice(0, k), bias, k === n);
      if (partial === undefined) escalated++;
      else {
        certain++;
        assert.equal(partial, whole, `case ${c}`);
      }
    }
    assert.ok(certain > 300 && escalated > 300, `${certain} certain, ${escalated} escalated`);
  });
});
