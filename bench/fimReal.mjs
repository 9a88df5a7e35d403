// Completions on a real vocabulary, warm, as while typing. A tiny random-weight Llama GGUF (n_embd 128,
// 4 layers) carries Qwen 2.5/3's 151,669 tokens (or Llama 3's, DeepSeek V3's: --vocab); 12 cuts two
// characters into a word of ESLint's sources, about 900 prompt tokens, 16 tokens out, one thread. Each cut's
// prompt is evaluated once first (the previous keystroke's prompt differs only at its end); then each strategy
// in turn. Reported per engine, medians: total and first-token milliseconds of plain, heal, exact and exact
// through full distributions (the method before certified top-k); what preparing the vocabulary at connect
// costs, and the first exact completion after it; the next-characters view; and, typing a word one character
// at a time, the contexts evaluated per keystroke.
// Asserts nothing.
//   node bench/fimReal.mjs [--vocab qwen3|llama3|deepseek_v3] [--cases N] [--engine embedded|llama-server]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTs as load } from './loadTs.mjs';
import { fmt, median, table } from './report.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const VOCAB = option('--vocab') ?? 'qwen3';
const CASES = Number(option('--cases') ?? 12);
const ENGINES = option('--engine') ? [option('--engine')] : ['embedded', 'llama-server'];
const MAX_TOKENS = 16;
const PREFIX_CHARS = 2400;
const SUFFIX_CHARS = 1200;

const { EmbeddedBackend } = await load('../src/core/backends/embedded.ts');
const { LlamaServerBackend } = await load('../src/core/backends/llamaServer.ts');
const { completeAt, prepareExact } = await load('../src/core/fim/complete.ts');
const { boundedNextByteDistributions, nextByteDistributions } = await load('../src/core/fim/nextBytes.ts');
const { FIM_TEMPLATES } = await load('../src/core/fim/templates.ts');
const { loadTokenizerSync } = await load('../src/core/tokenizers/registry.ts');
const { modelCache } = await load('../test/fixtures/gguf/index.ts');
const { writeRealVocabModel } = await load('../test/fixtures/gguf/realVocab.ts');
const { rng } = await load('../test/fixtures/corpus.ts');

function jsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...jsFiles(path));
    else if (name.endsWith('.js')) out.push(path);
  }
  return out;
}

const modelPath = join(modelCache(), `real-${VOCAB}.gguf`);
let started = performance.now();
const fixture = writeRealVocabModel(VOCAB, modelPath);
console.log(`model: ${modelPath} (${fixture.vocabSize} tokens), ready in ${fmt.ms(performance.now() - started)} ms`);
started = performance.now();
const tokenizer = loadTokenizerSync(modelPath);
console.log(`tokenizer from the GGUF in ${fmt.ms(performance.now() - started)} ms`);
const template = VOCAB === 'deepseek_v3' ? FIM_TEMPLATES['deepseek-coder'] : FIM_TEMPLATES['qwen2.5-coder'];

/** Cuts two characters into a word of at least five letters, with whole text around it. */
function cuts(count, seed) {
  const files = jsFiles(join(repo, 'node_modules', 'eslint', 'lib')).map((p) => readFileSync(p, 'utf8')).filter((t) => t.length > 8000);
  const random = rng(seed);
  const out = [];
  while (out.length < count) {
    const text = files[Math.floor(random() * files.length)];
    const at = PREFIX_CHARS + Math.floor(random() * (text.length - PREFIX_CHARS - SUFFIX_CHARS));
    const word = /(?<![\w$])[A-Za-z_]\w{4,}/g;
    word.lastIndex = at;
    const m = word.exec(text);
    if (!m || m.index + SUFFIX_CHARS > text.length) continue;
    const cursor = m.index + 2;
    out.push({ prefix: text.slice(cursor - PREFIX_CHARS, cursor), suffix: text.slice(cursor, cursor + SUFFIX_CHARS), word: m[0] });
  }
  return out;
}

/** The backend with its calls counted: distribution batches, contexts scored, generations. */
function counted(backend) {
  const counts = { batches: 0, contexts: 0, generations: 0 };
  const wrapped = Object.create(backend);
  wrapped.connect = (signal) => backend.connect(signal);
  wrapped.generate = (request) => (counts.generations++, backend.generate(request));
  if (backend.nextTokenDistributions) {
    wrapped.nextTokenDistributions = (contexts, options) => (counts.batches++, (counts.contexts += contexts.length), backend.nextTokenDistributions(contexts, options));
  }
  return { wrapped, counts };
}

const ROWS = ['plain', 'heal', 'exact', 'exact (full distributions)'];

async function measure(name, backend) {
  const { wrapped, counts } = counted(backend);
  let t = performance.now();
  const connected = await wrapped.connect();
  // llama-server learns every token's bytes in one full-distribution request, as the editor does on connecting.
  await backend.loadTokenBytes?.();
  const connectMs = performance.now() - t;
  // What the editor prepares when the backend connects, before any keystroke.
  t = performance.now();
  prepareExact(connected, tokenizer);
  const prepareMs = performance.now() - t;
  const cases = cuts(CASES, 20261207);
  const base = { connected, tokenizer, template, maxTokens: MAX_TOKENS };
  // The first exact completion after connecting: what preparing the vocabulary costs the first keystroke.
  await completeAt({ ...base, backend: wrapped, ...cases[0], strategy: 'plain', maxTokens: 1 });
  const firstExact = await completeAt({ ...base, backend: wrapped, ...cases[0], strategy: 'exact' });
  const warmExact = await completeAt({ ...base, backend: wrapped, ...cases[0], strategy: 'exact' });
  const rows = Object.fromEntries(ROWS.map((r) => [r, { ms: [], ttft: [], contexts: [], calls: [], fallbacks: 0 }]));
  const promptTokens = [];
  for (const [i, c] of cases.entries()) {
    await completeAt({ ...base, backend: wrapped, ...c, strategy: 'plain', maxTokens: 1 });
    for (let k = 0; k < ROWS.length; k++) {
      const row = ROWS[(i + k) % ROWS.length];
      const strategy = row.split(' ')[0];
      const before = { ...counts };
      const completion = await completeAt({ ...base, backend: wrapped, ...c, strategy, ...(row.includes('full') ? { exactTopK: [] } : {}) });
      const r = rows[row];
      r.ms.push(completion.stats.totalMs);
      r.ttft.push(completion.stats.ttftMs);
      r.contexts.push(counts.contexts - before.contexts);
      r.calls.push(counts.batches - before.batches + counts.generations - before.generations);
      if (completion.strategy !== strategy) r.fallbacks++;
      if (strategy === 'plain') promptTokens.push(completion.stats.promptTokens);
    }
  }
  // The next-characters view, warm.
  const viewMs = [];
  const fullViewMs = [];
  for (const c of cases.slice(0, 6)) {
    t = performance.now();
    await boundedNextByteDistributions({ ...base, backend: wrapped, ...c }, 0.0005);
    viewMs.push(performance.now() - t);
    t = performance.now();
    await nextByteDistributions({ ...base, backend: wrapped, ...c });
    fullViewMs.push(performance.now() - t);
  }
  // Typing a word one character at a time: contexts scored per keystroke (exact).
  const typed = [];
  for (const c of cases.slice(0, 4)) {
    const start = c.prefix.slice(0, -2);
    for (let n = 1; n <= Math.min(4, c.word.length); n++) {
      const before = { ...counts };
      await completeAt({ ...base, backend: wrapped, prefix: start + c.word.slice(0, n), suffix: c.suffix.slice(c.word.length - 2), strategy: 'exact' });
      typed.push({ contexts: counts.contexts - before.contexts, calls: counts.batches - before.batches });
    }
  }
  const plain = median(rows.plain.ms);
  const plainTtft = median(rows.plain.ttft);
  console.log(`\n### ${name}: ${cases.length} cuts, ${Math.round(median(promptTokens))} prompt tokens (median), ${MAX_TOKENS} tokens out; connect ${fmt.ms(connectMs)} ms\n`);
  console.log(
    table(
      ['strategy', 'total ms (p50)', 'over plain', 'first token ms (p50)', 'first token over plain', 'backend calls', 'contexts scored', 'fallbacks'],
      ROWS.map((row) => {
        const r = rows[row];
        const ms = median(r.ms);
        const ttft = median(r.ttft);
        return [row, fmt.ms(ms), row === 'plain' ? '' : `${fmt.ratio(ms / plain)} (+${fmt.ms(ms - plain)} ms)`, fmt.ms(ttft), row === 'plain' ? '' : `+${fmt.ms(ttft - plainTtft)} ms`, (r.calls.reduce((a, b) => a + b, 0) / r.calls.length).toFixed(2), (r.contexts.reduce((a, b) => a + b, 0) / r.contexts.length).toFixed(2), r.fallbacks ? String(r.fallbacks) : ''];
      }),
    ),
  );
  console.log(`\nprepared at connect (before any keystroke): ${fmt.ms(prepareMs)} ms`);
  console.log(`first exact after connecting: ${fmt.ms(firstExact.stats.totalMs)} ms (the same request warm: ${fmt.ms(warmExact.stats.totalMs)} ms, +${fmt.ms(firstExact.stats.totalMs - warmExact.stats.totalMs)} ms)`);
  console.log(`next-characters view (to within ±0.05 points): ${fmt.ms(median(viewMs))} ms; from full distributions: ${fmt.ms(median(fullViewMs))} ms (p50 of ${viewMs.length})`);
  console.log(`typing a word one character at a time (exact): ${(typed.reduce((a, b) => a + b.contexts, 0) / typed.length).toFixed(2)} contexts scored and ${(typed.reduce((a, b) => a + b.calls, 0) / typed.length).toFixed(2)} scoring calls per keystroke`);
}

async function openEngine(engine) {
  if (engine === 'embedded') {
    const { ensureEngine } = await load('../scripts/install-engine.ts');
    const installDir = await ensureEngine();
    const backend = new EmbeddedBackend({ enginePath: join(repo, 'dist', 'engine.js'), installDir, modelPath, threads: 1, contextSize: 4096 });
    return { name: 'embedded engine (node-llama-cpp, 1 thread)', backend, close: () => backend.dispose() };
  }
  const binary = join(repo, '.cache', 'llama-server', 'llama-server');
  if (!existsSync(binary)) throw new Error('llama-server is not built: npm run build:llama-server');
  const port = 18481;
  const child = spawn(binary, ['-m', modelPath, '--host', '127.0.0.1', '--port', String(port), '-t', '1', '-c', '4096', '-np', '1', '--no-webui'], { stdio: 'ignore' });
  while (!(await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const backend = new LlamaServerBackend({ url: `http://127.0.0.1:${port}` });
  return { name: 'llama-server (-t 1)', backend, close: () => (backend.dispose(), child.kill('SIGKILL')) };
}

for (const engine of ENGINES) {
  const { name, backend, close } = await openEngine(engine);
  try {
    await measure(name, backend);
  } finally {
    close();
  }
}
