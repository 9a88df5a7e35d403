// Child process of load.mjs: the cost of first use of one tokenizer in a fresh process — importing the
// library, loading the vocabulary and encoding a short string — and the resident memory it adds.
import { loadEncoder } from './libs.mjs';

const [lib, encoding] = process.argv.slice(2);
const settle = async () => {
  // Two collections with a turn of the event loop between, so finalizers and external memory settle.
  globalThis.gc();
  await new Promise((r) => setImmediate(r));
  globalThis.gc();
};

await settle();
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const encode = await loadEncoder(lib, encoding);
const t1 = performance.now();
const ids = await encode('Hello, world! This is the first string the tokenizer sees.');
const t2 = performance.now();
await settle();
const rss1 = process.memoryUsage().rss;
process.send({ loadMs: t1 - t0, firstEncodeMs: t2 - t1, totalMs: t2 - t0, rssMB: (rss1 - rss0) / 1e6, tokens: ids.length, alive: typeof encode });
