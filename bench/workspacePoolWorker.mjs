// A worker thread of the pool that stands for Repomix's token counting: it loads one library's o200k
// encoding, says it is ready, then counts batches of files (special-token text as plain text) and
// answers each batch with its token counts.
import { parentPort, workerData } from 'node:worker_threads';

async function load(lib) {
  if (lib === 'gpt-tokenizer') {
    // What Repomix calls: countTokens with no disallowed special tokens, so that none is parsed.
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    const options = { disallowedSpecial: new Set() };
    return (text) => countTokens(text, options);
  }
  const { Tokenizer } = await import('ai-tokenizer');
  const t = new Tokenizer(await import('ai-tokenizer/encoding/o200k_base'));
  return (text) => t.encodeOrdinary(text).length;
}

const count = await load(workerData.lib);
count('warm the code paths up: a short string');
parentPort.postMessage('ready');
parentPort.on('message', (batch) => parentPort.postMessage(batch.map((text) => count(text))));
