// Tokenization bias and the cost of removing it. A bigram GGUF model is estimated from real code (ESLint's
// sources, 90% of the files) with a 1,024-token byte-level BPE vocabulary trained on the same files; the held-out
// 10% are cut at random positions strictly inside a token, and each strategy (plain, heal, exact) continues
// the text before the cut (`heal` twice: constrained by a grammar, and from distributions). Reported: how
// often the next 1, 4 and 16 characters equal the real ones, and per request the backend calls, contexts
// scored and milliseconds (median), on the embedded engine and on llama-server, one thread each. Asserts
// nothing.
//   node bench/fimBias.mjs [--quick] [--cases N] [--gpu cuda]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTs as load } from './loadTs.mjs';
import { fmt, median, table } from './report.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const quick = argv.includes('--quick');
const gpu = option('--gpu');
const CASES = Number(option('--cases') ?? (quick ? 60 : 400));
/** Rows: a strategy, and `heal` once more with the engine's grammar hidden (healing from distributions). */
const STRATEGIES = ['plain', 'heal', 'heal (distributions)', 'exact'];
const strategyOf = (row) => row.split(' ')[0];
const LENGTHS = [1, 4, 16];
const MAX_TOKENS = 24;
/** The text before the cut that goes into the prompt: whole lines, at most this many characters. */
const PREFIX_CHARS = 600;

const { EmbeddedBackend } = await load('../src/core/backends/embedded.ts');
const { LlamaServerBackend } = await load('../src/core/backends/llamaServer.ts');
const { completeAt } = await load('../src/core/fim/complete.ts');
const { FIM_TEMPLATES } = await load('../src/core/fim/templates.ts');
const { loadTokenizerSync } = await load('../src/core/tokenizers/registry.ts');
const { modelCache, writeTinyModel } = await load('../test/fixtures/gguf/index.ts');
const { rng } = await load('../test/fixtures/corpus.ts');

// ---- the corpus and the model ----

function jsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...jsFiles(path));
    else if (name.endsWith('.js')) out.push(path);
  }
  return out;
}

const source = join(repo, 'node_modules', 'eslint', 'lib');
const files = jsFiles(source).map((path) => readFileSync(path, 'utf8'));
const train = files.filter((_, i) => i % 10 !== 9);
const heldOut = files.filter((_, i) => i % 10 === 9);
const corpus = train.join('\n');
const modelPath = join(modelCache(), 'bias-bigram-bpe-1024.gguf');
if (!existsSync(modelPath)) {
  const t = performance.now();
  // Merges learnt from the first megabyte, counts from all of it; light smoothing, as counts are plentiful.
  writeTinyModel('bigram-bpe', modelPath, 1, { corpus, vocabCorpus: corpus.slice(0, 1_000_000), mergedTokens: 1024 - 256 - 9, smoothing: 0.01 });
  console.log(`model written in ${((performance.now() - t) / 1000).toFixed(1)} s: ${modelPath}`);
}
const tokenizer = loadTokenizerSync(modelPath);
// The model continues the prefix: Qwen's sentinels in the suffix-first order, so that the bigram sees the
// last token before the cursor (in the prefix-suffix-middle order it would see only the middle sentinel).
const template = { ...FIM_TEMPLATES['qwen2.5-coder'], name: 'Qwen sentinels, suffix first', layout: 'spm' };

// ---- the cuts ----

/** Random cuts strictly inside a token of the held-out files' own encoding, at character boundaries. */
function cuts(count, seed) {
  const random = rng(seed);
  const encoder = new TextEncoder();
  const out = [];
  while (out.length < count) {
    const text = heldOut[Math.floor(random() * heldOut.length)];
    const start = Math.floor(random() * Math.max(1, text.length - 4000));
    const window = text.slice(start, start + 4000);
    const ids = tokenizer.encode(window);
    const i = 1 + Math.floor(random() * (ids.length - 2));
    const bytes = tokenizer.tokenBytes(ids[i]);
    if (!bytes || bytes.length < 2) continue;
    let offset = 0;
    for (let k = 0; k < i; k++) offset += tokenizer.tokenBytes(ids[k]).length;
    const inside = 1 + Math.floor(random() * (bytes.length - 1));
    const before = new TextDecoder().decode(encoder.encode(window).subarray(0, offset + inside));
    if (encoder.encode(before).length !== offset + inside) continue; // not a character boundary
    const truth = window.slice(before.length, before.length + 16);
    if (truth.length < 16) continue;
    const lineStart = before.lastIndexOf('\n', before.length - PREFIX_CHARS) + 1;
    out.push({ prefix: before.slice(lineStart), truth });
  }
  return out;
}

// ---- one backend ----

/** The backend with its calls counted: distribution batches, contexts scored, generations. */
function counted(backend) {
  const counts = { batches: 0, contexts: 0, generations: 0 };
  const wrapped = {
    kind: backend.kind,
    connect: (signal) => backend.connect(signal),
    tokenize: (text, signal) => backend.tokenize(text, signal),
    generate(request) {
      counts.generations++;
      return backend.generate(request);
    },
    nextTokenDistributions(contexts, options) {
      counts.batches++;
      counts.contexts += contexts.length;
      return backend.nextTokenDistributions(contexts, options);
    },
    dispose: () => backend.dispose(),
  };
  return { wrapped, counts };
}

async function measure(backend, cases) {
  const { wrapped, counts } = counted(backend);
  const connected = await wrapped.connect();
  const results = Object.fromEntries(STRATEGIES.map((s) => [s, { hits: LENGTHS.map(() => 0), calls: [], contexts: [], ms: [], ttft: [], fallbacks: 0, texts: [] }]));
  for (const [i, c] of cases.entries()) {
    // The prompt evaluated once beforehand, as it mostly is while typing (the previous keystroke's prompt
    // differs only at its end), and the strategies in turn first, so that none profits from another's cache.
    await completeAt({ backend, connected, tokenizer, template, prefix: c.prefix, suffix: '', strategy: 'plain', maxTokens: 1 });
    for (let k = 0; k < STRATEGIES.length; k++) {
      const strategy = STRATEGIES[(i + k) % STRATEGIES.length];
      const before = { ...counts };
      const r = results[strategy];
      const asked = strategyOf(strategy);
      const seen = strategy.includes('distributions') ? { ...connected, capabilities: { ...connected.capabilities, constraints: [] } } : connected;
      const completion = await completeAt({ backend: wrapped, connected: seen, tokenizer, template, prefix: c.prefix, suffix: '', strategy: asked, maxTokens: MAX_TOKENS });
      LENGTHS.forEach((n, k) => {
        if (completion.text.length >= n && completion.text.slice(0, n) === c.truth.slice(0, n)) r.hits[k]++;
      });
      r.calls.push(counts.batches - before.batches + counts.generations - before.generations);
      r.contexts.push(counts.contexts - before.contexts);
      r.ms.push(completion.stats.totalMs);
      r.ttft.push(completion.stats.ttftMs);
      r.texts.push(completion.text);
      if (completion.strategy !== asked) r.fallbacks++;
    }
  }
  return results;
}

const pct = (hits, n) => `${((100 * hits) / n).toFixed(1)}%`;
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

function report(name, results, n) {
  const plain = results.plain;
  const rows = STRATEGIES.map((s) => {
    const r = results[s];
    return [
      s,
      ...r.hits.map((h) => pct(h, n)),
      mean(r.calls).toFixed(2),
      mean(r.contexts).toFixed(2),
      fmt.ms(median(r.ttft)),
      fmt.ms(median(r.ms)),
      s === 'plain' ? '' : `+${fmt.ms(median(r.ms) - median(plain.ms))} ms (${fmt.ratio(median(r.ms) / median(plain.ms))})`,
      r.fallbacks ? String(r.fallbacks) : '',
    ];
  });
  console.log(`\n### ${name}: ${n} cuts inside tokens\n`);
  console.log(table(['strategy', ...LENGTHS.map((k) => `next ${k} chars`), 'backend calls', 'contexts scored', 'first token ms (p50)', 'total ms (p50)', 'over plain (p50)', 'fallbacks'], rows));
}

const cases = cuts(CASES, 20261128);
console.log(`ESLint ${source.slice(repo.length)}: ${train.length} files for training (${fmt.size(corpus.length)}), ${heldOut.length} held out; vocabulary ${tokenizer.vocabSize}`);

const sections = [
  {
    name: `embedded engine (node-llama-cpp${gpu ? `, ${gpu}` : ', 1 thread'})`,
    async open() {
      const enginePath = join(repo, 'dist', 'engine.js');
      if (!existsSync(enginePath)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
      const { ensureEngine } = await load('../scripts/install-engine.ts');
      const installDir = await ensureEngine(undefined, gpu === 'cuda' ? 'cuda' : false);
      const backend = new EmbeddedBackend({ enginePath, installDir, modelPath, threads: 1, gpu: gpu ?? false });
      return { backend, close: () => backend.dispose() };
    },
  },
  {
    name: `llama-server (-t 1${gpu ? ', -ngl 99' : ''})`,
    async open() {
      const binary = join(repo, '.cache', gpu === 'cuda' ? 'llama-server-cuda' : 'llama-server', 'llama-server');
      if (!existsSync(binary)) execFileSync('bash', ['scripts/build-llama-server.sh'], { cwd: repo, stdio: 'inherit', env: { ...process.env, LLAMA_CUDA: gpu === 'cuda' ? '1' : '0' } });
      const { spawn } = await import('node:child_process');
      const port = 18480;
      const child = spawn(binary, ['-m', modelPath, '--host', '127.0.0.1', '--port', String(port), '-t', '1', '-c', '4096', '-np', '1', '--no-webui', ...(gpu ? ['-ngl', '99'] : [])], { stdio: 'ignore' });
      while (!(await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false))) {
        if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const backend = new LlamaServerBackend({ url: `http://127.0.0.1:${port}` });
      return { backend, close: () => (backend.dispose(), child.kill('SIGKILL')) };
    },
  },
];

const texts = [];
for (const section of sections) {
  const { backend, close } = await section.open();
  try {
    const results = await measure(backend, cases);
    report(section.name, results, cases.length);
    texts.push(results);
  } finally {
    close();
  }
}
if (texts.length === 2) {
  const same = STRATEGIES.map((s) => `${s} ${texts[0][s].texts.filter((t, i) => t === texts[1][s].texts[i]).length}/${cases.length}`);
  console.log(`\nSame completion on both engines: ${same.join(', ')}`);
}
