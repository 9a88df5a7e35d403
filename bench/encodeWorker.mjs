// Child process of encode.mjs: one library, one encoding, one corpus. It loads, warms up and makes a
// first pass in 64 KB chunks (caches cold; it also finds how much of the corpus this library can encode
// within the pass cap, so slow peers get a shorter cut of the same text), then answers `round` requests
// (one timed full encode each) so that the parent can interleave libraries round by round, and `finish`
// with the ids checked against Tokenwise's.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadEncoder, TOKENWISE } from './libs.mjs';
import { compareIds } from './verify.mjs';

const job = JSON.parse(process.argv[2]);
const { lib, encoding, corpus, passCapS, idsDir } = job;
const CHUNK = 65_536;

const encode = await loadEncoder(lib, encoding);
await encode('warm the code paths up: a short string');
const text = readFileSync(corpus.path, 'utf8');

// First pass, chunked at line boundaries, stopping once the pass cap is spent.
let cut = 0;
let firstMs = 0;
while (cut < text.length && firstMs < passCapS * 1000) {
  let end = Math.min(text.length, cut + CHUNK);
  if (end < text.length) end = text.lastIndexOf('\n', end - 1) + 1 || end;
  const chunk = text.slice(cut, end);
  const t0 = performance.now();
  await encode(chunk);
  firstMs += performance.now() - t0;
  cut = end;
}
const sample = text.slice(0, cut);
const bytes = Buffer.byteLength(sample);
process.send({ firstMs, chars: sample.length, bytes });

let ids;
process.on('message', async (msg) => {
  if (msg === 'round') {
    // Drop the previous round's ids so that the collection below frees them, not the timed round.
    ids = undefined;
    globalThis.gc?.();
    const t0 = performance.now();
    ids = await encode(sample);
    process.send({ ms: performance.now() - t0 });
    return;
  }
  ids ??= await encode(sample);
  const result = { tokens: ids.length };
  const idsFile = `${idsDir}/${encoding}.${corpus.slug}.${sample.length}.u32`;
  if (lib === TOKENWISE) writeFileSync(idsFile, Uint32Array.from(ids));
  else {
    const reference = existsSync(idsFile) ? toUint32(readFileSync(idsFile)) : undefined;
    result.check = await compareIds(encoding, sample, ids, reference);
  }
  process.send(result);
  process.exit(0);
});

function toUint32(buf) {
  return new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}
