/**
 * The model's surprise, token by token, against bigram models: p(token | the text before it) is the table's
 * row of the token before, so every probability, rank and alternative is known exactly. Run on the embedded
 * engine and on llama-server built from source; windows, the cache after an edit, ranges, cancellation and
 * `tokenwise surprisal` are checked on the same numbers.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EmbeddedBackend } from '../../src/core/backends/embedded';
import type { ConnectResult, ModelBackend } from '../../src/core/backends/types';
import { findModelTokenizer } from '../../src/core/fim/modelTokenizer';
import { SurprisalScorer, type TokenSurprise } from '../../src/core/surprisal/score';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { ensureEngine } from '../../scripts/install-engine';
import { modelCache, writeTinyModel, type TinyModel } from '../fixtures/gguf';
import { TRAINING_CORPUS } from '../fixtures/gguf/trainingCorpus';
import { startServerBackend } from '../fixtures/llamaServer';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE = join(ROOT, 'dist', 'engine.js');
const CLI = join(ROOT, 'dist', 'cli.js');
const TOLERANCE = 1e-5;
/** A few hundred tokens of code, with a typo and text the corpus never saw. */
const TEXT = `${TRAINING_CORPUS.slice(0, 1500)}\nfunction retrun(vaule) { return vaule + 1; } // 東京 🧩\n`;

/** What the table says of the token at `i`: its probability, its exact rank and the row's top ids. */
function expected(model: TinyModel, ids: Uint32Array, i: number): { p: number; rank: number; top: number[] } {
  const row = model.table![i === 0 ? model.bosId : ids[i - 1]];
  const p = row[ids[i]];
  let higher = 0;
  for (const q of row) if (q > p + TOLERANCE) higher++;
  const top = Array.from(row.keys()).sort((a, b) => row[b] - row[a]);
  return { p, rank: higher + 1, top };
}

function checkAgainstTable(model: TinyModel, tokenizer: Tokenizer, tokens: readonly TokenSurprise[], rankDepth: number, text = TEXT): void {
  const ids = tokenizer.encode(text);
  for (const t of tokens) {
    const want = expected(model, ids, t.index);
    const what = `token ${t.index} (${JSON.stringify(t.text)})`;
    assert.equal(t.id, ids[t.index], what);
    assert.ok(Math.abs(t.probability - want.p) < TOLERANCE, `${what}: p = ${t.probability}, the table says ${want.p}`);
    assert.ok(Math.abs(t.bits + Math.log2(want.p)) < 1e-3, what);
    if (want.rank < rankDepth) {
      assert.ok(!t.rankAtLeast && t.rank === want.rank, `${what}: rank ${t.rank}${t.rankAtLeast ? '+' : ''}, the table says ${want.rank}`);
    } else {
      assert.ok(t.rankAtLeast ? want.rank >= t.rank : t.rank === want.rank, `${what}: rank ${t.rank}${t.rankAtLeast ? '+' : ''}, the table says ${want.rank}`);
    }
    const row = model.table![t.index === 0 ? model.bosId : ids[t.index - 1]];
    for (const [k, a] of t.top.entries()) {
      assert.ok(Math.abs(a.probability - row[a.id]) < TOLERANCE, `${what}: alternative ${a.id}`);
      assert.ok(Math.abs(a.probability - row[want.top[k]]) < TOLERANCE, `${what}: alternative ${k} is the row's ${k + 1}th most probable`);
    }
  }
}

describe('the model\'s surprise, token by token (bigram models)', function () {
  this.timeout(300_000);
  const models: Record<'bpe' | 'spm', TinyModel> = {} as never;
  let installDir = '';
  const disposers: (() => unknown)[] = [];

  before(async () => {
    if (!existsSync(ENGINE)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    installDir = await ensureEngine();
    models.bpe = writeTinyModel('bigram-bpe', join(modelCache(), 'surprisal-bigram-bpe.gguf'));
    models.spm = writeTinyModel('bigram-spm', join(modelCache(), 'surprisal-bigram-spm.gguf'));
  });

  after(async () => {
    for (const d of disposers) await d();
  });

  async function open(backend: ModelBackend, connected: ConnectResult, where: string): Promise<Tokenizer> {
    return (await findModelTokenizer({ backend, connected, setting: 'test', where })).tokenizer;
  }

  for (const flavour of ['bpe', 'spm'] as const) {
    describe(`embedded engine, ${flavour.toUpperCase()} vocabulary`, () => {
      let backend: EmbeddedBackend;
      let connected: ConnectResult;
      let tokenizer: Tokenizer;

      before(async () => {
        backend = new EmbeddedBackend({ enginePath: ENGINE, installDir, modelPath: models[flavour].path, threads: 1 });
        disposers.push(() => backend.dispose());
        connected = await backend.connect();
        tokenizer = await open(backend, connected, models[flavour].path);
      });

      it('every token\'s probability, rank and alternatives are the table\'s, across windows', async () => {
        const scorer = new SurprisalScorer(backend, connected, tokenizer, { window: 64, overlap: 16, alternatives: 4, rankDepth: 12 });
        const tokens = await scorer.score(TEXT);
        const n = tokenizer.encode(TEXT).length;
        assert.ok(n > 300, `only ${n} tokens`);
        assert.deepEqual(tokens.map((t) => t.index), Array.from({ length: n }, (_, i) => i));
        assert.equal(scorer.windowsScored, Math.ceil(n / 64));
        checkAgainstTable(models[flavour], tokenizer, tokens, 12);
        for (const t of tokens) assert.equal(t.text, TEXT.slice(t.start, t.end));
      });

      it('after an edit, only the windows from the edit on are scored again, and they equal a fresh score', async () => {
        const scorer = new SurprisalScorer(backend, connected, tokenizer, { window: 32, overlap: 8 });
        await scorer.score(TEXT);
        const scored = scorer.windowsScored;
        const at = TEXT.length - 60;
        const edited = `${TEXT.slice(0, at)}x = 1;${TEXT.slice(at)}`;
        const after = await scorer.score(edited);
        // Windows before the one holding the first changed token keep their tokens and context: cached.
        const [was, now] = [tokenizer.encode(TEXT), tokenizer.encode(edited)];
        let firstChanged = 0;
        while (was[firstChanged] === now[firstChanged]) firstChanged++;
        assert.equal(scorer.windowsScored - scored, Math.ceil(now.length / 32) - Math.floor(firstChanged / 32));
        assert.ok(scorer.windowsScored - scored < Math.ceil(now.length / 32) / 2, 'most windows come from the cache');
        const fresh = await new SurprisalScorer(backend, connected, tokenizer, { window: 32, overlap: 8 }).score(edited);
        assert.deepEqual(after.map((t) => [t.id, t.start, t.end, t.rank]), fresh.map((t) => [t.id, t.start, t.end, t.rank]));
        after.forEach((t, i) => assert.ok(Math.abs(t.probability - fresh[i].probability) < 1e-9));
      });

      it('a range gives the tokens it overlaps, as the whole text scores them', async () => {
        const scorer = new SurprisalScorer(backend, connected, tokenizer, { window: 48, overlap: 16 });
        const whole = await scorer.score(TEXT);
        const start = TEXT.indexOf('retrun');
        const part = await scorer.score(TEXT, { start, end: start + 20 });
        const want = whole.filter((t) => t.end > start && t.start < start + 20);
        assert.deepEqual(part.map((t) => t.index), want.map((t) => t.index));
        part.forEach((t, i) => assert.ok(Math.abs(t.probability - want[i].probability) < 1e-9));
      });

      it('an aborted request rejects and the next one works', async () => {
        const scorer = new SurprisalScorer(backend, connected, tokenizer, { window: 64 });
        const controller = new AbortController();
        const pending = scorer.score(TEXT, undefined, controller.signal);
        controller.abort();
        await assert.rejects(pending);
        assert.equal((await scorer.score('return x')).length, tokenizer.encode('return x').length);
      });
    });
  }

  it('llama-server (built from source) gives the same numbers', async function () {
    const server = await startServerBackend(models.bpe.path, 30_000);
    if (!server) this.skip();
    disposers.push(server!.stop);
    const tokenizer = await open(server!.backend, server!.connected, models.bpe.path);
    const scorer = new SurprisalScorer(server!.backend, server!.connected, tokenizer, { window: 128, overlap: 32, alternatives: 3, rankDepth: 8 });
    const text = TEXT.slice(0, 600);
    const tokens = await scorer.score(text);
    assert.ok(tokens.length > 100);
    checkAgainstTable(models.bpe, tokenizer, tokens, 8, text);
  });

  it('tokenwise surprisal --json prints the same numbers per token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenwise-surprisal-'));
    const file = join(dir, 'sample.js');
    writeFileSync(file, TEXT);
    const run = spawnSync(process.execPath, [CLI, 'surprisal', '--backend', models.bpe.path, '--file', file, '--json', '--top', '2'], { encoding: 'utf8', env: { ...process.env, TOKENWISE_ENGINE_DIR: installDir } });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { tokens: TokenSurprise[]; tokenCount: number; bits: number; meanBits: number };
    assert.equal(out.tokens.length, out.tokenCount);
    assert.ok(out.tokens.every((t) => t.top.length === 2));
    const ids = Uint32Array.from(out.tokens, (t) => t.id);
    for (const t of out.tokens) assert.ok(Math.abs(t.probability - expected(models.bpe, ids, t.index).p) < TOLERANCE, `token ${t.index}`);
    assert.ok(Math.abs(out.bits - out.tokens.reduce((s, t) => s + t.bits, 0)) < 1e-6);
    const table = spawnSync(process.execPath, [CLI, 'surprisal', '--backend', models.bpe.path, '--file', file], { encoding: 'utf8', env: { ...process.env, TOKENWISE_ENGINE_DIR: installDir } });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^ *# +ID +TOKEN +BITS +P +RANK +MODEL'S TOP\n/);
    assert.match(table.stdout, new RegExp(`\\n${out.tokenCount} tokens, [\\d.]+ bits in all, ${out.meanBits.toFixed(2)} bits per token on average \\(tiny-bigram-bpe\\)\\.\\n$`));
  });

  it('says what is missing: a backend without probabilities, an unreadable file', () => {
    const missing = spawnSync(process.execPath, [CLI, 'surprisal', '--backend', models.bpe.path, '--file', join(tmpdir(), 'no-such-file.txt')], { encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read .*no-such-file\.txt/);
    const usage = spawnSync(process.execPath, [CLI, 'surprisal', '--file', 'x'], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--backend needs a server URL or a \.gguf model file/);
  });
});
