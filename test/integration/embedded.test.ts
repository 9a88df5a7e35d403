/**
 * The embedded engine (node-llama-cpp in a child process) against tiny GGUF models written at test time.
 * Bigram models have a known next-token table, so distributions and greedy generation are checked exactly;
 * broken files and a killed child check that faults stay in the child and the next call recovers.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmbeddedBackend, type EmbeddedOptions } from '../../src/core/backends/embedded';
import { BackendError, type ConnectResult, type Distribution, type GeneratedToken, type GenerateRequest, type StopReason } from '../../src/core/backends/types';
import { ensureEngine } from '../../scripts/install-engine';
import { modelCache, writeTinyModel, type TinyModel } from '../fixtures/gguf';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE = join(ROOT, 'dist', 'engine.js');
const TOLERANCE = 1e-5;

let installDir = '';
const backends: EmbeddedBackend[] = [];

function backend(modelPath: string, extra: Partial<EmbeddedOptions> = {}): EmbeddedBackend {
  const b = new EmbeddedBackend({ enginePath: ENGINE, installDir, modelPath, threads: 1, ...extra });
  backends.push(b);
  return b;
}

async function collect(gen: AsyncGenerator<GeneratedToken, StopReason>): Promise<{ tokens: GeneratedToken[]; reason: StopReason }> {
  const tokens: GeneratedToken[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { tokens, reason: next.value };
    tokens.push(next.value);
  }
}

function assertRow(d: Distribution, row: Float64Array, what: string): void {
  assert.equal(d.kind, 'full', what);
  if (d.kind !== 'full') return;
  assert.equal(d.probs.length, row.length, what);
  for (let id = 0; id < row.length; id++) {
    if (Math.abs(d.probs[id] - row[id]) > TOLERANCE) assert.fail(`${what}: p(${id}) = ${d.probs[id]}, the table says ${row[id]}`);
  }
}

function argmax(row: Float64Array): { id: number; margin: number } {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  let second = -1;
  for (let i = 0; i < row.length; i++) if (i !== best && row[i] > second) second = row[i];
  return { id: best, margin: row[best] - second };
}

/** The greedy chain from `start`: argmax of each row in turn, or undefined if a step is a near tie. */
function greedyChain(table: Float64Array[], start: number, steps: number, stopAt: ReadonlySet<number>): number[] | undefined {
  const chain: number[] = [];
  let prev = start;
  for (let i = 0; i < steps; i++) {
    const { id, margin } = argmax(table[prev]);
    if (margin < 1e-3) return undefined;
    chain.push(id);
    if (stopAt.has(id)) break;
    prev = id;
  }
  return chain;
}

const decode = (tokens: readonly GeneratedToken[]) => tokens.map((t) => t.text).join('');

function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('embedded engine (node-llama-cpp child process)', function () {
  this.timeout(300_000);
  const models: Record<'bpe' | 'spm', TinyModel> = {} as never;

  before(async () => {
    if (!existsSync(ENGINE)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    installDir = await ensureEngine();
    models.bpe = writeTinyModel('bigram-bpe', join(modelCache(), 'embedded-bigram-bpe.gguf'));
    models.spm = writeTinyModel('bigram-spm', join(modelCache(), 'embedded-bigram-spm.gguf'));
  });

  after(() => {
    for (const b of backends) b.dispose();
  });

  for (const flavour of ['bpe', 'spm'] as const) {
    describe(`bigram ${flavour.toUpperCase()} model`, () => {
      let b: EmbeddedBackend;
      let connected: ConnectResult;
      let model: TinyModel;
      let table: Float64Array[];
      let endIds: Set<number>;

      before(async () => {
        model = models[flavour];
        table = model.table!;
        b = backend(model.path);
        connected = await b.connect();
        endIds = new Set([connected.info.eosId!, ...connected.info.endIds]);
      });

      it('reports the model: sizes, special ids, FIM ids and capabilities', () => {
        const { info, capabilities } = connected;
        assert.equal(info.name, `tiny-bigram-${flavour}`);
        assert.equal(info.vocabSize, model.vocabSize);
        assert.equal(info.contextSize, 4096);
        assert.equal(info.bosId, model.bosId);
        assert.equal(info.eosId, model.eosId);
        assert.equal(info.fim.prefix, model.fim.prefix);
        assert.equal(info.fim.suffix, model.fim.suffix);
        assert.equal(info.fim.middle, model.fim.middle);
        if (model.fim.pad !== undefined) assert.equal(info.fim.pad, model.fim.pad);
        assert.ok(info.specialIds.includes(model.bosId));
        assert.deepEqual(capabilities, {
          tokenIdPrompts: true,
          distributions: 'full',
          maxTopK: model.vocabSize,
          promptTokenProbs: true,
          constraints: ['grammar', 'token-bias'],
          infill: false,
          tokenize: true,
          contextSize: 4096,
        });
      });

      it('gives the exact bytes of every token (the generator sidecar)', () => {
        const sidecar = JSON.parse(readFileSync(`${model.path}.json`, 'utf8')) as { token_bytes_hex: (string | null)[] };
        for (let id = 0; id < model.vocabSize; id++) {
          const bytes = connected.info.tokenBytes!(id);
          assert.ok(bytes, `bytes of ${id}`);
          assert.equal(Buffer.from(bytes).toString('hex'), sidecar.token_bytes_hex[id] ?? '', `bytes of ${id} (${model.tokens[id]})`);
        }
      });

      it('the distribution after every single-token context is that token\'s row', async () => {
        const contexts = Array.from({ length: model.vocabSize }, (_, id) => Uint32Array.of(id));
        const ds = await b.nextTokenDistributions(contexts, {});
        assert.equal(ds.length, contexts.length);
        ds.forEach((d, id) => assertRow(d, table[id], `after [${id}]`));
      });

      it('longer contexts depend only on the last token, also when they extend each other', async () => {
        const contexts = [
          Uint32Array.of(5, 9, 17),
          Uint32Array.of(5, 9, 17, 40),
          Uint32Array.of(5, 9, 17, 40, 41, 2),
          Uint32Array.of(model.bosId, 100, 101, 102, 103, 104, 105, 106),
          Uint32Array.of(5, 9, 17),
        ];
        const ds = await b.nextTokenDistributions(contexts, {});
        ds.forEach((d, i) => assertRow(d, table[contexts[i][contexts[i].length - 1]], `context ${i}`));
      });

      it('the empty context is the start of text (the BOS row)', async () => {
        const [d] = await b.nextTokenDistributions([new Uint32Array(0)], {});
        assertRow(d, table[model.bosId], 'empty context');
      });

      it('top-k gives the most probable ids, in order', async () => {
        const [d] = await b.nextTokenDistributions([Uint32Array.of(model.bosId)], { topK: 3 });
        assert.equal(d.kind, 'top');
        if (d.kind !== 'top') return;
        assert.equal(d.ids.length, 3);
        const sorted = [...table[model.bosId]].sort((x, y) => y - x);
        for (let i = 0; i < 3; i++) {
          assert.ok(Math.abs(d.probs[i] - sorted[i]) < TOLERANCE, `rank ${i}`);
          assert.ok(Math.abs(table[model.bosId][d.ids[i]] - d.probs[i]) < TOLERANCE, `id at rank ${i}`);
        }
      });

      it('tokenizes each single-token word to that token, and special-token text as plain text', async () => {
        // Words the pre-tokenizer keeps whole: BPE "Ġword" is " word"; SPM "▁word" is "word" (space prefix added).
        const words = model.tokens
          .map((t, id) => ({ t, id }))
          .filter(({ t }) => (flavour === 'bpe' ? /^Ġ[a-z]+$/ : /^▁[a-z]+$/).test(t));
        assert.ok(words.length >= 8, `only ${words.length} word tokens`);
        for (const { t, id } of words) {
          const text = flavour === 'bpe' ? ` ${t.slice(1)}` : t.slice(1);
          assert.deepEqual([...(await b.tokenize(text))], [id], `tokenize(${JSON.stringify(text)})`);
        }
        const fimText = model.tokens[model.fim.prefix];
        const ids = await b.tokenize(fimText);
        assert.ok(!ids.includes(model.fim.prefix), 'special-token text must not become the special token');
      });

      /** A start token whose greedy chain of `steps` has no near ties and no end token. */
      function plainChain(steps: number): { start: number; chain: number[] } {
        for (let start = 0; start < model.vocabSize; start++) {
          if (connected.info.specialIds.includes(start)) continue;
          const chain = greedyChain(table, start, steps, endIds);
          if (chain && chain.length === steps && !chain.some((id) => endIds.has(id))) return { start, chain };
        }
        throw new Error('no clean greedy chain in the table');
      }

      it('generates the greedy chain of the table and stops at maxTokens', async () => {
        const { start, chain } = plainChain(24);
        const { tokens, reason } = await collect(b.generate({ prompt: { ids: Uint32Array.of(start) }, maxTokens: 24 }));
        assert.equal(reason, 'length');
        assert.deepEqual(tokens.map((t) => t.id), chain);
        for (const t of tokens) assert.deepEqual(t.bytes, connected.info.tokenBytes!(t.id!));
      });

      it('stops at a stop sequence, which is left out', async () => {
        const { start, chain } = plainChain(24);
        const full = await collect(b.generate({ prompt: { ids: Uint32Array.of(start) }, maxTokens: 24 }));
        const text = decode(full.tokens);
        const stop = full.tokens.slice(3, 5).map((t) => t.text).join('').slice(0, 3);
        assert.ok(stop.length > 0, 'a non-empty stop sequence');
        const { tokens, reason } = await collect(b.generate({ prompt: { ids: Uint32Array.of(start) }, maxTokens: 24, stop: [stop] }));
        assert.equal(reason, 'stop');
        assert.equal(decode(tokens), text.slice(0, text.indexOf(stop)));
        assert.ok(tokens.length < chain.length);
      });

      it('stops at an end token (forced by a token bias) and honours a ban', async () => {
        const { start, chain } = plainChain(4);
        const eos = connected.info.eosId!;
        const forced = await collect(b.generate({ prompt: { ids: Uint32Array.of(start) }, maxTokens: 8, tokenBias: new Map([[eos, 100]]) }));
        assert.equal(forced.reason, 'eos');
        assert.equal(forced.tokens.length, 0);
        const banned = await collect(b.generate({ prompt: { ids: Uint32Array.of(start) }, maxTokens: 1, tokenBias: new Map([[chain[0], -Infinity]]) }));
        const row = Float64Array.from(table[start]);
        row[chain[0]] = 0;
        assert.equal(banned.tokens[0].id, argmax(row).id);
      });

      it('an abort mid-stream ends promptly with "aborted", and the next request works', async () => {
        const controller = new AbortController();
        const gen = b.generate({ prompt: { ids: Uint32Array.of(plainChain(1).start) }, maxTokens: 4000, signal: controller.signal });
        for (let i = 0; i < 5; i++) assert.equal((await gen.next()).done, false);
        controller.abort();
        const started = Date.now();
        const end = await gen.next();
        assert.deepEqual(end, { done: true, value: 'aborted' });
        assert.ok(Date.now() - started < 500, 'aborted promptly');
        const [d] = await b.nextTokenDistributions([Uint32Array.of(7)], {});
        assertRow(d, table[7], 'after the abort');
      });

      it('an aborted distributions call rejects with the abort reason', async () => {
        const controller = new AbortController();
        const call = b.nextTokenDistributions([Uint32Array.of(3)], { signal: controller.signal });
        controller.abort(new Error('stop it'));
        await assert.rejects(call, /stop it/);
        const [d] = await b.nextTokenDistributions([Uint32Array.of(3)], {});
        assertRow(d, table[3], 'after the aborted call');
      });
    });
  }

  describe('faults', () => {
    async function assertLoadFails(path: string, message: RegExp): Promise<void> {
      const bad = backend(path);
      await assert.rejects(bad.connect(), (error: unknown) => {
        assert.ok(error instanceof BackendError, String(error));
        assert.equal(error.kind, 'embedded');
        assert.match(error.message, message);
        return true;
      });
      bad.dispose();
      // The test process survived; a good model loads next.
      const good = backend(models.bpe.path);
      assert.equal((await good.connect()).info.vocabSize, models.bpe.vocabSize);
      good.dispose();
    }

    it('a file that is not GGUF fails to load with a clear message', async () => {
      const path = join(modelCache(), 'embedded-not-gguf.gguf');
      writeFileSync(path, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
      await assertLoadFails(path, /not a GGUF model file/);
    });

    it('a file with the GGUF magic and garbage after it fails to load', async () => {
      const path = join(modelCache(), 'embedded-garbage.gguf');
      writeFileSync(path, Buffer.concat([Buffer.from('GGUF'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 256))]));
      await assertLoadFails(path, /\S/);
    });

    it('a truncated GGUF fails to load', async () => {
      const path = join(modelCache(), 'embedded-truncated.gguf');
      const whole = readFileSync(models.bpe.path);
      writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
      await assertLoadFails(path, /\S/);
    });

    it('a missing file fails to load with its path', async () => {
      await assertLoadFails(join(modelCache(), 'embedded-missing.gguf'), /No model file at .*embedded-missing\.gguf/);
    });

    it('a killed child rejects the pending call clearly; the next call starts a fresh one', async () => {
      const b = backend(models.bpe.path);
      await b.connect();
      const pid = b.pid!;
      const gen = b.generate({ prompt: { ids: Uint32Array.of(models.bpe.bosId) }, maxTokens: 4000 });
      assert.equal((await gen.next()).done, false);
      process.kill(pid, 'SIGKILL');
      await assert.rejects(collect(gen), (error: unknown) => {
        assert.ok(error instanceof BackendError);
        assert.match(error.message, /engine stopped.*killed \(SIGKILL\)/);
        return true;
      });
      const [d] = await b.nextTokenDistributions([Uint32Array.of(11)], {});
      assertRow(d, models.bpe.table![11], 'after the restart');
      assert.notEqual(b.pid, pid);
      b.dispose();
    });

    it('dispose rejects pending calls and leaves no child process', async () => {
      const b = backend(models.spm.path);
      await b.connect();
      const pid = b.pid!;
      const request: GenerateRequest = { prompt: { ids: Uint32Array.of(models.spm.bosId) }, maxTokens: 4000 };
      const gen = b.generate(request);
      await gen.next();
      const pending = b.nextTokenDistributions([Uint32Array.of(1)], {});
      b.dispose();
      await assert.rejects(pending, BackendError);
      await assert.rejects(collect(gen), BackendError);
      assert.ok(await waitUntil(() => pidGone(pid), 3000), `process ${pid} still exists`);
      await assert.rejects(b.connect(), /disposed/);
    });
  });
});
