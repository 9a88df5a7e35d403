// Model backends on tiny generated GGUF models: time to first token, generation speed, and the cost of full
// next-token distributions (one context, and a batch of 8 sharing a prefix). Each backend is a section in
// SECTIONS; add one per engine. Medians of several runs; asserts nothing.
//   node bench/backends.mjs [--quick]    (builds dist/engine.js and installs the engine when missing)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTs as load } from './loadTs.mjs';
import { fmt, median, table } from './report.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
// `--gpu cuda`: the engine's CUDA binaries and a CUDA llama-server with every layer offloaded (bench/gpu.sh).
const gpu = process.argv.includes('--gpu') ? process.argv[process.argv.indexOf('--gpu') + 1] : undefined;
const { EmbeddedBackend } = await load('../src/core/backends/embedded.ts');
const { modelCache, writeTinyModel } = await load('../test/fixtures/gguf/index.ts');
const { LlamaServerBackend } = await load('../src/core/backends/llamaServer.ts');

/** A deterministic pseudo-random id sequence, so runs are comparable. */
function ids(n, vocab, seed) {
  let s = seed >>> 0;
  return Uint32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % vocab;
  });
}

/**
 * The measurements every backend section reports, on one connected ModelBackend. Prompts differ per run so
 * that a cached prefix never hides the prompt's cost.
 */
async function measure(backend, vocab) {
  const runs = quick ? 3 : 9;
  const ttft = [];
  const speed = [];
  for (let r = 0; r < runs; r++) {
    const prompt = { ids: ids(64, vocab, 1000 + r) };
    const started = performance.now();
    let first = 0;
    let count = 0;
    const gen = backend.generate({ prompt, maxTokens: 128 });
    for (;;) {
      const next = await gen.next();
      if (next.done) break;
      if (count++ === 0) first = performance.now();
    }
    ttft.push(first - started);
    if (count > 1) speed.push((count - 1) / ((performance.now() - first) / 1000));
  }
  const single = [];
  const batch = [];
  for (let r = 0; r < runs * 2; r++) {
    const context = ids(32, vocab, 2000 + r);
    let t = performance.now();
    await backend.nextTokenDistributions([context], {});
    single.push(performance.now() - t);
    // Eight continuations of one prefix: what exact FIM asks for at a trie node.
    const contexts = Array.from({ length: 8 }, (_, k) => Uint32Array.from([...context, (k * 37) % vocab]));
    t = performance.now();
    await backend.nextTokenDistributions(contexts, {});
    batch.push(performance.now() - t);
  }
  return { ttft: median(ttft), speed: median(speed), single: median(single), batch: median(batch) };
}

const SECTIONS = [
  {
    name: 'embedded (node-llama-cpp, 1 thread)',
    async run() {
      const enginePath = join(repo, 'dist', 'engine.js');
      if (!existsSync(enginePath)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
      const { ensureEngine } = await load('../scripts/install-engine.ts');
      const installDir = await ensureEngine(undefined, gpu === 'cuda' ? 'cuda' : false);
      const rows = [];
      for (const kind of ['random-bpe', 'bigram-bpe', 'random-spm', 'bigram-spm']) {
        const model = writeTinyModel(kind, join(modelCache(), `bench-${kind}.gguf`));
        const backend = new EmbeddedBackend({ enginePath, installDir, modelPath: model.path, threads: 1, gpu: gpu ?? false });
        try {
          const started = performance.now();
          await backend.connect();
          const load = performance.now() - started;
          const m = await measure(backend, model.vocabSize);
          rows.push([kind, model.vocabSize, fmt.ms(load), fmt.ms(m.ttft), m.speed.toFixed(0), fmt.ms(m.single), fmt.ms(m.batch)]);
        } finally {
          backend.dispose();
        }
      }
      return table(['model', 'vocab', 'start + load ms', 'first token ms (64-token prompt)', 'tokens/s', 'full distribution ms', 'batch of 8 ms'], rows);
    },
  },
  {
    name: 'llama-server (built from the bundled llama.cpp, -t 1 -np 2)',
    async run() {
      const binary = join(repo, '.cache', gpu === 'cuda' ? 'llama-server-cuda' : 'llama-server', 'llama-server');
      if (!existsSync(binary)) execFileSync('bash', ['scripts/build-llama-server.sh'], { cwd: repo, stdio: 'inherit', env: { ...process.env, LLAMA_CUDA: gpu === 'cuda' ? '1' : '0' } });
      const { spawn } = await import('node:child_process');
      const rows = [];
      for (const [k, kind] of ['random-bpe', 'bigram-bpe', 'random-spm', 'bigram-spm'].entries()) {
        const model = writeTinyModel(kind, join(modelCache(), `bench-${kind}.gguf`));
        const port = 18400 + k;
        const started = performance.now();
        const child = spawn(binary, ['-m', model.path, '--host', '127.0.0.1', '--port', String(port), '-t', '1', '-c', '4096', '-np', '2', '-b', '512', '--no-webui', ...(gpu ? ['-ngl', '99'] : [])], { stdio: 'ignore' });
        const backend = new LlamaServerBackend({ url: `http://127.0.0.1:${port}` });
        try {
          for (;;) {
            if (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)) break;
            await new Promise((r) => setTimeout(r, 20));
          }
          await backend.connect();
          const load = performance.now() - started;
          const m = await measure(backend, model.vocabSize);
          const topk = [];
          for (let r = 0; r < (quick ? 6 : 18); r++) {
            const t = performance.now();
            await backend.nextTokenDistributions([ids(32, model.vocabSize, 3000 + r)], { topK: 10 });
            topk.push(performance.now() - t);
          }
          rows.push([kind, model.vocabSize, fmt.ms(load), fmt.ms(m.ttft), m.speed.toFixed(0), fmt.ms(m.single), fmt.ms(median(topk)), fmt.ms(m.batch)]);
        } catch (error) {
          rows.push([kind, model.vocabSize, `failed: ${error instanceof Error ? error.message : String(error)}`]);
        } finally {
          backend.dispose();
          child.kill('SIGKILL');
        }
      }
      return table(['model', 'vocab', 'start + connect ms', 'first token ms (64-token prompt)', 'tokens/s', 'full distribution ms', 'top-10 ms', 'batch of 8 ms'], rows);
    },
  },
];

for (const section of SECTIONS) {
  console.log(`\n## ${section.name}\n`);
  try {
    console.log(await section.run());
  } catch (error) {
    console.log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
