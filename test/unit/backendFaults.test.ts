/**
 * Faults, for the three HTTP backends, from a tiny misbehaving node:http server: each ends in a clear
 * BackendError (or 'aborted'), nothing hangs, the server sees the socket close, and the next request works.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Backoff } from '../../src/core/backends/backoff';
import { LlamaServerBackend } from '../../src/core/backends/llamaServer';
import { OllamaBackend } from '../../src/core/backends/ollama';
import { OpenAICompatibleBackend } from '../../src/core/backends/openai';
import type { GeneratedToken, ModelBackend, StopReason } from '../../src/core/backends/types';
import { BackendError, BackendUnreachable } from '../../src/core/backends/types';
import { listen, readJson, sendJson, type TestServer } from '../fixtures/servers/listen';
import { answerConnect } from '../fixtures/servers/llamaServerStub';

type Mode = 'ok' | 'refuse' | 'slow' | 'http500' | 'malformed' | 'cut' | 'hold';

interface Kind {
  name: string;
  make: (url: string) => ModelBackend;
  /** One non-streamed request. */
  call: (b: ModelBackend, signal?: AbortSignal) => Promise<unknown>;
  okBody: unknown;
  /** Two stream events and the end of the stream. */
  events: [string, string, string];
}

const KINDS: Kind[] = [
  {
    name: 'llama-server',
    make: (url) => new LlamaServerBackend({ url, timeoutMs: 400 }),
    call: (b, signal) => b.tokenize('a', signal),
    okBody: { tokens: [{ id: 1, piece: 'a' }] },
    events: ['data: {"content":"a","tokens":[1],"stop":false}\n\n', 'data: {"content":"b","tokens":[2],"stop":false}\n\n', 'data: {"content":"","stop":true,"stop_type":"limit"}\n\n'],
  },
  {
    name: 'openai (vLLM)',
    make: (url) => new OpenAICompatibleBackend({ url, model: 'm', timeoutMs: 400 }),
    call: (b, signal) => b.tokenize('a', signal),
    okBody: { count: 1, max_model_len: 8, tokens: [1] },
    events: [
      'data: {"choices":[{"index":0,"text":"a","token_ids":[1],"finish_reason":null}]}\n\n',
      'data: {"choices":[{"index":0,"text":"b","token_ids":[2],"finish_reason":null}]}\n\n',
      'data: {"choices":[{"index":0,"text":"","token_ids":[],"finish_reason":"length"}]}\n\ndata: [DONE]\n\n',
    ],
  },
  {
    name: 'ollama',
    make: (url) => new OllamaBackend({ url, model: 'm', timeoutMs: 400 }),
    call: (b, signal) => b.connect(signal),
    okBody: { model_info: { 'general.architecture': 'llama', 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.tokens': ['a', 'b'] }, capabilities: ['completion'] },
    events: ['{"response":"a","done":false}\n', '{"response":"b","done":false}\n', '{"response":"","done":true,"done_reason":"length"}\n'],
  },
];

function makeHandler(kind: Kind, state: { mode: Mode; requestClosed: Promise<void> }) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    let closed!: () => void;
    state.requestClosed = new Promise((r) => (closed = r));
    res.on('close', () => closed());
    await readJson(req);
    const streaming = /completion|generate/.test(req.url ?? '');
    switch (state.mode) {
      case 'refuse':
        return req.socket.destroy();
      case 'slow':
        return; // never answers
      case 'http500':
        return sendJson(res, 500, { error: { code: 500, message: 'model exploded', type: 'server_error' } });
      case 'malformed':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('{"tokens": [1, ');
      case 'cut':
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(kind.events[0]);
        res.write(kind.events[1].slice(0, 12)); // half an event, then the connection drops
        return setTimeout(() => req.socket.destroy(), 20);
      case 'hold':
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(kind.events[0]);
        return; // keeps the stream open until the client goes
      case 'ok':
        if (!streaming) return sendJson(res, 200, kind.okBody);
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        // Split events at odd places: the reader must join lines across chunks.
        for (const ch of kind.events.join('').match(/[\s\S]{1,7}/g)!) res.write(ch);
        return res.end();
    }
  };
}

async function drain(gen: AsyncGenerator<GeneratedToken, StopReason>, onToken?: () => void): Promise<{ text: string; reason: StopReason }> {
  let text = '';
  for (;;) {
    const r = await gen.next();
    if (r.done) return { text, reason: r.value };
    text += r.value.text;
    onToken?.();
  }
}

for (const kind of KINDS) {
  describe(`${kind.name} backend faults`, () => {
    let server: TestServer;
    const state: { mode: Mode; requestClosed: Promise<void> } = { mode: 'ok', requestClosed: Promise.resolve() };
    let backend: ModelBackend;

    before(async () => {
      server = await listen(makeHandler(kind, state));
    });
    after(() => server.close());
    beforeEach(() => {
      state.mode = 'ok';
      backend = kind.make(server.url);
    });
    afterEach(async () => {
      // Whatever happened, the next request works.
      state.mode = 'ok';
      await kind.call(backend);
      assert.deepEqual(await drain(backend.generate({ prompt: { text: 'x' }, maxTokens: 2 })), { text: 'ab', reason: 'length' });
      backend.dispose();
    });

    it('server down: connection refused, unreachable', async () => {
      const dead = await listen(() => undefined);
      const url = dead.url;
      await dead.close();
      await assert.rejects(kind.call(kind.make(url)), (e: Error) => e instanceof BackendUnreachable && /connection refused/.test(e.message));
    });

    it('server closes the socket without answering: unreachable', async () => {
      state.mode = 'refuse';
      await assert.rejects(kind.call(backend), (e: Error) => e instanceof BackendUnreachable && /closed the connection/.test(e.message));
    });

    it('slow server: the timeout fires and the request is closed on the server', async () => {
      state.mode = 'slow';
      await assert.rejects(kind.call(backend), (e: Error) => e instanceof BackendError && /no answer within 400 ms/.test(e.message));
      await state.requestClosed;
    });

    it('HTTP 500 with a JSON error: the status and the server\'s message, and not "unreachable"', async () => {
      state.mode = 'http500';
      await assert.rejects(kind.call(backend), (e: Error) => e instanceof BackendError && !(e instanceof BackendUnreachable) && /HTTP 500: model exploded/.test(e.message));
    });

    it('malformed JSON', async () => {
      state.mode = 'malformed';
      await assert.rejects(kind.call(backend), (e: Error) => e instanceof BackendError && /malformed JSON/.test(e.message));
    });

    it('a stream cut in the middle', async () => {
      state.mode = 'cut';
      await assert.rejects(drain(backend.generate({ prompt: { text: 'x' }, maxTokens: 2 })), (e: Error) => e instanceof BackendError && /middle of the stream|ended/.test(e.message));
    });

    it('abort in the middle of a stream: "aborted", and the server sees the request close', async () => {
      state.mode = 'hold';
      const controller = new AbortController();
      const result = await drain(backend.generate({ prompt: { text: 'x' }, maxTokens: 2, signal: controller.signal }), () => controller.abort());
      assert.deepEqual(result, { text: 'a', reason: 'aborted' });
      await state.requestClosed;
    });

    it('dispose ends a request in flight', async () => {
      state.mode = 'slow';
      const pending = kind.call(backend);
      setTimeout(() => backend.dispose(), 20);
      await assert.rejects(pending, (e: Error) => e instanceof BackendError && /aborted/.test(e.message));
      await state.requestClosed;
      backend = kind.make(server.url);
    });
  });
}

/**
 * llama-server sends no event for a token that ends inside a character: the next event's content holds its
 * bytes. Here a server that knows ids 1 'a', 2 0xC3, 3 0xA9 (é = C3 A9), 4 'b', 5 'ab', 6 0xC3 again,
 * and the special 9 (`</s>`).
 */
describe('llama-server: tokens the stream does not name', () => {
  let server: TestServer;
  let events: object[] = [];
  const pieces = [
    { id: 1, piece: 'a' },
    { id: 2, piece: [0xc3] },
    { id: 3, piece: [0xa9] },
    { id: 4, piece: 'b' },
    { id: 5, piece: 'ab' },
  ];

  before(async () => {
    server = await listen(async (req, res) => {
      const body = (await readJson(req)) as { content?: string; parse_special?: boolean; with_pieces?: boolean } | undefined;
      if (answerConnect(req.url, res, 10)) return;
      switch (req.url) {
        case '/tokenize':
          if (body?.with_pieces) return sendJson(res, 200, { tokens: body.content === 'dup' ? [{ id: 6, piece: [0xc3] }] : pieces });
          if (body?.content !== '</s>') return sendJson(res, 200, { tokens: [] });
          return sendJson(res, 200, { tokens: body.parse_special ? [9] : [7, 8, 7] });
        case '/completion':
          res.writeHead(200, { 'Content-Type': 'text/event-stream' });
          for (const e of events) res.write(`data: ${JSON.stringify(e)}\n\n`);
          return res.end();
      }
      return sendJson(res, 404, {});
    });
  });
  after(() => server.close());

  async function run(backend: LlamaServerBackend): Promise<GeneratedToken[]> {
    const out: GeneratedToken[] = [];
    const gen = backend.generate({ prompt: { ids: Uint32Array.of(1) }, maxTokens: 8 });
    for (let r = await gen.next(); !r.done; r = await gen.next()) out.push(r.value);
    return out;
  }
  const bytesOf = (tokens: GeneratedToken[]) => Buffer.concat(tokens.map((t) => t.bytes ?? new TextEncoder().encode(t.text))).toString('utf8');
  const shape = (tokens: GeneratedToken[]) => tokens.map((t) => [t.id, t.bytes && Array.from(t.bytes)]);
  const end = { content: '', stop: true, stop_type: 'limit' };

  async function connected(extra?: string): Promise<LlamaServerBackend> {
    const backend = new LlamaServerBackend({ url: server.url, timeoutMs: 2000 });
    await backend.connect();
    await backend.tokenize('a');
    if (extra) await backend.tokenize(extra);
    return backend;
  }

  it('a character split over two tokens, the first not named: both come back, with ids', async () => {
    events = [
      { content: 'a', tokens: [1], tokens_predicted: 1 },
      { content: 'é', tokens: [3], tokens_predicted: 3 },
      { content: 'b', tokens: [4], tokens_predicted: 4 },
      end,
    ];
    const tokens = await run(await connected());
    assert.deepEqual(shape(tokens), [[1, [0x61]], [2, [0xc3]], [3, [0xa9]], [4, [0x62]]]);
    assert.equal(bytesOf(tokens), 'aéb');
  });

  it('a special token in the same event: the bytes of the token not named still come back', async () => {
    events = [
      { content: 'a', tokens: [1], tokens_predicted: 1 },
      { content: 'é', tokens: [3, 9], tokens_predicted: 4 },
      { content: 'b', tokens: [4], tokens_predicted: 5 },
      { content: 'é', tokens: [3], tokens_predicted: 7 },
      end,
    ];
    const tokens = await run(await connected());
    assert.deepEqual(shape(tokens), [[1, [0x61]], [2, [0xc3]], [3, [0xa9]], [9, []], [4, [0x62]], [2, [0xc3]], [3, [0xa9]]]);
    assert.equal(bytesOf(tokens), 'aébé');
  });

  it('an id whose bytes are unknown: the text keeps the bytes, and later events still split', async () => {
    events = [
      { content: 'é', tokens: [7], tokens_predicted: 2 },
      { content: 'é', tokens: [3], tokens_predicted: 4 },
      end,
    ];
    const tokens = await run(await connected());
    assert.deepEqual(shape(tokens), [[undefined, undefined], [7, undefined], [2, [0xc3]], [3, [0xa9]]]);
    assert.equal(bytesOf(tokens), 'éé');
  });

  it('bytes that more than one split spells: no ids, the bytes on the first token', async () => {
    // 'ab' + 0xC3 as two tokens: 'a' 'b'+0xC3 is not known, but 'ab' 0xC3 is; with 0xC3 also id 6, not unique.
    events = [{ content: 'abé', tokens: [3], tokens_predicted: 3 }, end];
    assert.deepEqual(shape(await run(await connected())), [[5, [0x61, 0x62]], [2, [0xc3]], [3, [0xa9]]]);
    const tokens = await run(await connected('dup'));
    assert.deepEqual(shape(tokens), [[undefined, [0x61, 0x62, 0xc3]], [undefined, []], [3, [0xa9]]]);
    assert.equal(bytesOf(tokens), 'abé');
  });
});

describe('Backoff: how often an unreachable backend is tried again', () => {
  it('doubles from a second up to the cap, and starts again after a reset', () => {
    const backoff = new Backoff(1000, 30_000);
    assert.deepEqual(Array.from({ length: 7 }, () => backoff.next()), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    backoff.reset();
    assert.equal(backoff.next(), 1000);
  });
});
