/**
 * FIM completion at a cursor on the embedded engine with the bigram models, byte-level BPE (Qwen-style FIM
 * tokens) and SentencePiece (CodeLlama's, both layouts): every strategy inserts at the cursor without
 * repeating typed text, healing reproduces the tail, the exact strategy starts with the most probable next
 * byte; and the `complete` and `next-bytes` commands end to end.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EmbeddedBackend } from '../../src/core/backends/embedded';
import type { ConnectResult } from '../../src/core/backends/types';
import { byteTokenizerOf, completeAt, fimIds, fimPrompt } from '../../src/core/fim/complete';
import { decodeComplete, trimAgainstSuffix } from '../../src/core/fim/completionText';
import { describeByte } from '../../src/core/fim/describeByte';
import { END_OF_TEXT, exactNextByteDistribution, tokenModelFromBackend } from '../../src/core/fim/exact';
import { boundedNextByteDistributions, nextByteDistributions } from '../../src/core/fim/nextBytes';
import type { FimStrategy } from '../../src/core/fim/prompt';
import { templateForModel } from '../../src/core/fim/templateForModel';
import { FIM_TEMPLATES, type FimTemplate } from '../../src/core/fim/templates';
import { loadTokenizerSync } from '../../src/core/tokenizers/registry';
import type { Tokenizer } from '../../src/core/tokenizers/types';
import { ensureEngine } from '../../scripts/install-engine';
import { modelCache, writeTinyModel, type TinyModel } from '../fixtures/gguf';

const ROOT = resolve(__dirname, '..', '..');
const ENGINE = join(ROOT, 'dist', 'engine.js');
const BPE_TEMPLATE = FIM_TEMPLATES['qwen2.5-coder'];
const utf8 = (s: string) => new TextEncoder().encode(s);
const startsWith = (a: Uint8Array, b: Uint8Array) => a.length >= b.length && b.every((x, i) => a[i] === x);

/** Documents with the cursor marked by `|`: mid-word, after a space, at a line end, after a non-ASCII character. */
const CASES = [
  'function fibonacci(n: number): number {\n  if (n < 2) retu|\n  return fibonacci(n - 1) + fibonacci(n - 2);\n}\n',
  'class Counter {\n  private count = 0;\n  increment(): number {\n    this.co|\n  }\n}\n',
  'def main():\n    for i in range(10):\n        print(gr|)\n',
  'import { readFile } from |',
  'const x = 1;\n|',
  'const s = "café|";\n',
];
const split = (doc: string) => ({ prefix: doc.slice(0, doc.indexOf('|')), suffix: doc.slice(doc.indexOf('|') + 1) });

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A model on the embedded engine, with the template its completions use. */
interface Subject {
  backend: EmbeddedBackend;
  connected: ConnectResult;
  tokenizer: Tokenizer;
  template: FimTemplate;
}

/** What every model must do at every cursor of CASES, for every strategy. */
function completionChecks(subject: () => Subject): void {
  describe('completions at the cursors', () => {
    let backend: EmbeddedBackend;
    let connected: ConnectResult;
    let tokenizer: Tokenizer;
    let template: FimTemplate;
    before(() => ({ backend, connected, tokenizer, template } = subject()));
    const complete = (doc: string, strategy: FimStrategy, maxTokens = 12) => completeAt({ backend, connected, tokenizer, template, ...split(doc), strategy, maxTokens });

    it('every strategy inserts at the cursor: the typed tail comes first in what the model produced, and is not inserted again', async () => {
      for (const doc of CASES) {
        const { prefix, suffix } = split(doc);
        for (const strategy of ['exact', 'heal', 'plain'] as const) {
          const r = await complete(doc, strategy);
          const what = `${strategy} at ${JSON.stringify(doc)}`;
          assert.equal(r.strategy, strategy, what);
          assert.equal(r.replaceBefore, 0, what);
          const tail = strategy === 'plain' ? new Uint8Array(0) : utf8(prefix.slice(fimPrompt({ connected, tokenizer, template, prefix, suffix, strategy, maxTokens: 12 }, fimIds(connected, tokenizer, template)).prefixEnd));
          assert.equal(r.stats.healedBytes, tail.length, what);
          assert.ok(startsWith(r.middleBytes, tail), `${what}: produced ${JSON.stringify(decodeComplete(r.middleBytes))}`);
          // The insert is what follows the tail, only cut at its end against the suffix.
          const rest = decodeComplete(r.middleBytes.subarray(tail.length));
          assert.ok(rest.startsWith(r.text), what);
          assert.equal(r.text, trimAgainstSuffix(rest, suffix), what);
          // Healing spends a token per step (a byte at least) before the budget applies to what follows.
          assert.ok(r.stats.tokens <= (strategy === 'heal' ? Math.max(12, tail.length) : 12), `${what}: ${r.stats.tokens} tokens`);
          assert.ok(r.stats.totalMs >= r.stats.ttftMs, what);
        }
      }
    });

    it('heal reproduces the tail bytes at the start of the middle, for every case', async () => {
      for (const doc of CASES) {
        const { prefix, suffix } = split(doc);
        const prompt = fimPrompt({ connected, tokenizer, template, prefix, suffix, strategy: 'heal', maxTokens: 4 }, fimIds(connected, tokenizer, template));
        const r = await complete(doc, 'heal', 4);
        assert.ok(prompt.tail.length > 0 || prefix.endsWith('\n') || prefix.endsWith(' '), `no tail at ${JSON.stringify(doc)}`);
        assert.ok(startsWith(r.middleBytes, prompt.tail), `heal at ${JSON.stringify(doc)}: ${JSON.stringify(decodeComplete(r.middleBytes))}`);
      }
    });

    it('exact: the first byte after the cursor is the argmax of the exact next-byte distribution', async () => {
      const model_ = tokenModelFromBackend(backend, connected);
      const bytes = byteTokenizerOf(connected, tokenizer);
      for (const doc of CASES) {
        const { prefix, suffix } = split(doc);
        const prompt = fimPrompt({ connected, tokenizer, template, prefix, suffix, strategy: 'exact', maxTokens: 12 }, fimIds(connected, tokenizer, template));
        const d = await exactNextByteDistribution(model_, bytes, prompt.ids, prompt.tail);
        let best = 0;
        for (let b = 1; b < d.length; b++) if (d[b] > d[best]) best = b;
        const r = await complete(doc, 'exact');
        const next = r.middleBytes[prompt.tail.length];
        if (best === END_OF_TEXT) assert.equal(next, undefined, `exact at ${JSON.stringify(doc)}: ends`);
        else assert.equal(next, best, `exact at ${JSON.stringify(doc)}: p = ${d[best]}`);
      }
    });
  });
}

describe('FIM completion at a cursor (embedded engine, bigram BPE)', function () {
  this.timeout(300_000);
  let model: TinyModel;
  let backend: EmbeddedBackend;
  let connected: ConnectResult;
  let tokenizer: Tokenizer;
  let dir = '';
  const template = BPE_TEMPLATE;

  before(async () => {
    if (!existsSync(ENGINE)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    const installDir = await ensureEngine();
    model = writeTinyModel('bigram-bpe', join(modelCache(), 'fim-complete-bigram-bpe.gguf'));
    backend = new EmbeddedBackend({ enginePath: ENGINE, installDir, modelPath: model.path, threads: 1 });
    connected = await backend.connect();
    tokenizer = loadTokenizerSync(model.path);
    dir = mkdtempSync(join(tmpdir(), 'tokenwise-fim-'));
  });
  after(() => backend?.dispose());

  const complete = (doc: string, strategy: FimStrategy, maxTokens = 12) => completeAt({ backend, connected, tokenizer, template, ...split(doc), strategy, maxTokens });

  completionChecks(() => ({ backend, connected, tokenizer, template }));

  it('CLI next-bytes --json sums to 1 and equals exactNextByteDistribution computed directly', async () => {
    const doc = CASES[0];
    const { prefix, suffix } = split(doc);
    const file = join(dir, 'fib.ts');
    writeFileSync(file, prefix + suffix);
    const r = cli(['next-bytes', '--backend', model.path, '--file', file, '--cursor', '2:18', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { exact: Record<string, number>; naive: Record<string, number> };
    assert.deepEqual(Object.keys(out).sort(), ['exact', 'naive']);
    for (const side of [out.exact, out.naive]) {
      assert.ok(Object.keys(side).every((k) => /^([0-9a-f]{2}|eos)$/.test(k)));
      assert.ok(Math.abs(Object.values(side).reduce((a, v) => a + v, 0) - 1) <= 1e-9);
    }
    const prompt = fimPrompt({ connected, tokenizer, template, prefix, suffix, strategy: 'exact', maxTokens: 0 }, fimIds(connected, tokenizer, template));
    assert.ok(prompt.tail.length > 0);
    const d = await exactNextByteDistribution(tokenModelFromBackend(backend, connected), byteTokenizerOf(connected, tokenizer), prompt.ids, prompt.tail);
    for (let b = 0; b <= END_OF_TEXT; b++) {
      const key = b === END_OF_TEXT ? 'eos' : b.toString(16).padStart(2, '0');
      assert.ok(Math.abs((out.exact[key] ?? 0) - d[b]) <= 1e-9, `${key}: CLI ${out.exact[key]}, direct ${d[b]}`);
      assert.equal(key in out.exact, d[b] > 0, key);
    }
    // The table names bytes as the editor's list does.
    const table = cli(['next-bytes', '--backend', model.path, '--file', file, '--cursor', '2:18']);
    assert.equal(table.status, 0, table.stderr);
    const best = Array.from(d.keys()).sort((x, y) => d[y] - d[x] || x - y)[0];
    assert.ok(table.stdout.split('\n')[1].startsWith(describeByte(best)), table.stdout);
  });

  // A 1,024-token list holds this whole vocabulary: the bounds are points (realVocab.test.ts checks real bounds).
  it('the bounded next-character view equals the exact one where the top list holds every token, at every cursor', async () => {
    for (const doc of CASES) {
      const { prefix, suffix } = split(doc);
      const full = await nextByteDistributions({ backend, connected, tokenizer, template, prefix, suffix });
      const bounded = await boundedNextByteDistributions({ backend, connected, tokenizer, template, prefix, suffix }, 0.0005);
      assert.equal(bounded.maxError, 0);
      assert.equal(bounded.naiveRest, 0);
      for (let b = 0; b <= END_OF_TEXT; b++) {
        assert.ok(Math.abs(bounded.exact[b] - full.exact[b]) < 1e-9, `${JSON.stringify(doc)} byte ${b}: ${bounded.exact[b]} vs ${full.exact[b]}`);
        assert.ok(Math.abs(bounded.naive[b] - full.naive[b]) < 1e-9, `${JSON.stringify(doc)} naive byte ${b}`);
      }
    }
  });

  it('CLI complete --json works end to end and matches completeAt', async () => {
    const doc = CASES[0];
    const file = join(dir, 'fib2.ts');
    writeFileSync(file, doc.replace('|', ''));
    for (const strategy of ['exact', 'heal', 'plain'] as const) {
      const r = cli(['complete', '--backend', model.path, '--file', file, '--cursor', '2:18', '--strategy', strategy, '--max-tokens', '8', '--json']);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { text: string; replaceBefore: number; strategy: string; stats: Record<string, number> };
      assert.deepEqual(Object.keys(out).sort(), ['replaceBefore', 'stats', 'strategy', 'text']);
      assert.equal(out.strategy, strategy);
      assert.equal(out.text, (await complete(doc, strategy, 8)).text);
      // Exact says how many contexts it scored and which k settled them (heal uses a token bias, plain neither).
      const scored = strategy === 'exact' ? ['scored'] : [];
      assert.deepEqual(Object.keys(out.stats).sort(), ['healedBytes', 'promptTokens', ...scored, 'tokens', 'totalMs', 'ttftMs'].sort());
    }
  });

  it('a missing engine, a non-GGUF model file or a bad cursor give a one-line error', () => {
    const file = join(dir, 'doc.ts');
    writeFileSync(file, 'const x = 1;\n');
    const notGguf = join(dir, 'model.gguf');
    writeFileSync(notGguf, 'not a model');
    const txt = join(dir, 'model.txt');
    writeFileSync(txt, 'not a model');
    const runs: [string[], Record<string, string>, number, RegExp][] = [
      [['complete', '--backend', model.path, '--file', file, '--cursor', '1:5'], { TOKENWISE_ENGINE_DIR: join(dir, 'no-engine') }, 1, /embedded engine is not installed/],
      [['complete', '--backend', notGguf, '--file', file, '--cursor', '1:5'], {}, 1, /model\.gguf/],
      [['next-bytes', '--backend', txt, '--file', file, '--cursor', '1:5'], {}, 1, /model\.txt is not a GGUF model file/],
      [['complete', '--backend', model.path, '--file', file, '--cursor', '9:1'], {}, 1, /only 2 lines/],
      [['complete', '--backend', model.path, '--file', file, '--cursor', 'x'], {}, 2, /LINE:COL/],
    ];
    for (const [args, env, status, message] of runs) {
      const r = cli(args, env);
      assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr.split('\n')[0], message);
      if (status === 1) assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
  });
});

describe('FIM completion at a cursor (embedded engine, bigram SentencePiece)', function () {
  this.timeout(300_000);
  let backend: EmbeddedBackend;
  let connected: ConnectResult;
  let tokenizer: Tokenizer;

  before(async () => {
    if (!existsSync(ENGINE)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    const installDir = await ensureEngine();
    const model = writeTinyModel('bigram-spm', join(modelCache(), 'fim-complete-bigram-spm.gguf'));
    backend = new EmbeddedBackend({ enginePath: ENGINE, installDir, modelPath: model.path, threads: 1 });
    connected = await backend.connect();
    tokenizer = loadTokenizerSync(model.path);
  });
  after(() => backend?.dispose());

  it("the model's FIM tokens name CodeLlama's template", () => {
    assert.equal(templateForModel(connected, tokenizer).template?.id, 'codellama-psm');
  });

  for (const id of ['codellama-psm', 'codellama-spm'] as const) {
    describe(FIM_TEMPLATES[id].name, () => completionChecks(() => ({ backend, connected, tokenizer, template: FIM_TEMPLATES[id] })));
  }

  it('exact stays exact when the cursor is in the first word: the tail starts the middle, with no dummy space', async () => {
    // The anchor is at the start of the text, so the whole word is the tail; its covers must not start with "▁".
    for (const id of ['codellama-psm', 'codellama-spm'] as const) {
      const template = FIM_TEMPLATES[id];
      for (const doc of ['retu|', 'def ma|', 're|tu\n']) {
        const { prefix, suffix } = split(doc);
        const prompt = fimPrompt({ connected, tokenizer, template, prefix, suffix, strategy: 'exact', maxTokens: 12 }, fimIds(connected, tokenizer, template));
        const tail = utf8(prefix.slice(prompt.prefixEnd));
        const r = await completeAt({ backend, connected, tokenizer, template, prefix, suffix, strategy: 'exact', maxTokens: 12 });
        const what = `exact (${id}) at ${JSON.stringify(doc)}: ${JSON.stringify(decodeComplete(r.middleBytes))}`;
        assert.equal(r.strategy, 'exact', `${what}: ${r.fallback}`);
        assert.equal(r.replaceBefore, 0, what);
        assert.equal(r.stats.healedBytes, tail.length, what);
        assert.ok(startsWith(r.middleBytes, tail), what);
        const rest = decodeComplete(r.middleBytes.subarray(tail.length));
        assert.ok(rest.startsWith(r.text), what);
        assert.equal(r.text, trimAgainstSuffix(rest, suffix), what);
      }
    }
  });

  it('heal goes on past the typed text where the model knows its characters, with a grammar or from distributions', async () => {
    // Healed through byte-fallback tokens (`<0x74>` for "t"), the model was where it had never been and wrote nothing.
    const noGrammar = { ...connected, capabilities: { ...connected.capabilities, constraints: [] } };
    for (const c of [connected, noGrammar]) {
      for (const id of ['codellama-psm', 'codellama-spm'] as const) {
        for (const doc of CASES.filter((d) => /^[\x20-\x7e\n|]*$/.test(d))) {
          const r = await completeAt({ backend, connected: c, tokenizer, template: FIM_TEMPLATES[id], ...split(doc), strategy: 'heal', maxTokens: 32 });
          const what = `heal (${id}, ${c.capabilities.constraints.join() || 'distributions'}) at ${JSON.stringify(doc)}`;
          assert.equal(r.strategy, 'heal', what);
          assert.notEqual(r.text, '', `${what}: ${JSON.stringify(decodeComplete(r.middleBytes))}`);
        }
      }
    }
  });
});
