// Child process of workspace.mjs: one contender, one cold pass over the folder's files, then it reports
// its time, its tokens and how long the event loop of its main thread was held (the gaps between the
// ticks of a 5 ms interval).
//   Tokenwise: scanWorkspace over Node's fs, the extension's code path (walk, read, count; one thread).
//   gpt-tokenizer pool / ai-tokenizer pool: Repomix's way, on texts already read: a worker_threads pool
//   of max(1, min(cores, ceil(files / 100))) threads, started and warmed before the clock starts, fed
//   batches of 50 files.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const [contender, listFile] = process.argv.slice(2);
const { root, files } = JSON.parse(readFileSync(listFile, 'utf8'));
const BATCH = 50;

/** Ticks of a 5 ms interval: the gaps between them say how long the thread was held. */
function watchLoop() {
  const gaps = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 5);
  return () => {
    clearInterval(timer);
    gaps.sort((a, b) => a - b);
    return { p50: gaps[gaps.length >> 1] ?? 0, max: gaps[gaps.length - 1] ?? 0 };
  };
}

async function tokenwise() {
  const core = require('../dist/core.js');
  const tokenizer = await core.loadTokenizer('o200k_base');
  tokenizer.count('warm the code paths up: a short string');
  const stop = watchLoop();
  const t0 = performance.now();
  const report = await core.scanWorkspace(core.nodeFs, root, { tokenizer });
  const ms = performance.now() - t0;
  const gaps = stop();
  if (report.files.length !== files.length) throw new Error(`scanned ${report.files.length} files, the list has ${files.length}`);
  return { ms, tokens: report.total.tokens, files: report.files.length, bytes: report.total.bytes, gaps };
}

async function pool(lib) {
  const texts = await Promise.all(files.map((path) => readFile(join(root, path), 'utf8')));
  const threads = Math.max(1, Math.min(availableParallelism(), Math.ceil(texts.length / 100)));
  const w0 = performance.now();
  const workers = Array.from({ length: threads }, () => new Worker(new URL('./workspacePoolWorker.mjs', import.meta.url), { workerData: { lib } }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))));
  const warmupMs = performance.now() - w0;

  const stop = watchLoop();
  const t0 = performance.now();
  let tokens = 0;
  let next = 0;
  // Each worker takes the next batch when it is done with one, as a task queue hands them out.
  await Promise.all(
    workers.map(
      (w) =>
        new Promise((resolve, reject) => {
          const send = () => {
            if (next >= texts.length) return resolve();
            const batch = texts.slice(next, next + BATCH);
            next += BATCH;
            w.postMessage(batch);
          };
          w.on('message', (counts) => {
            for (const c of counts) tokens += c;
            send();
          });
          w.once('error', reject);
          send();
        }),
    ),
  );
  const ms = performance.now() - t0;
  const gaps = stop();
  await Promise.all(workers.map((w) => w.terminate()));
  const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t), 0);
  return { ms, tokens, files: texts.length, bytes, gaps, warmupMs, threads };
}

const result = contender === 'Tokenwise' ? await tokenwise() : await pool(contender.split(' ')[0]);
process.send(result, () => process.exit(0));
