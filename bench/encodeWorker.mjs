// Child process of encode.mjs: measures one library on one encoding, on the corpora it is given.
// Per corpus: a first pass in 64 KB chunks (caches cold; it also finds how much of the corpus this
// library can encode within the pass cap, so slow peers get a shorter cut of the same text), then
// full-text rounds on that cut. After the timing, the ids are checked against Tokenwise's.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadEncoder, TOKENWISE } from './libs.mjs';
import { compareIds } from './verify.mjs';

const job = JSON.parse(process.argv[2]);
const { lib, encoding, rounds, passCapS, budgetS, idsDir } = job;
const CHUNK = 65_536;

const encode = await loadEncoder(lib, encoding);
await encode('warm the code paths up: a short string');

for (const corpus of job.corpora) {
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

  // Timed rounds on the whole cut; stop early (after 3) when the time budget is spent.
  const times = [];
  let ids;
  let spent = 0;
  for (let r = 0; r < rounds && (r < Math.min(rounds, 3) || spent < budgetS * 1000); r++) {
    // Drop the previous round's ids so that the collection below frees them, not the timed round.
    // eslint-disable-next-line no-useless-assignment
    ids = undefined;
    globalThis.gc?.();
    const t0 = performance.now();
    ids = await encode(sample);
    const ms = performance.now() - t0;
    times.push(ms);
    spent += ms;
  }

  const result = { slug: corpus.slug, chars: sample.length, bytes, fullBytes: corpus.bytes, firstMs, times, tokens: ids.length };
  const idsFile = `${idsDir}/${encoding}.${corpus.slug}.${sample.length}.u32`;
  if (lib === TOKENWISE) {
    writeFileSync(idsFile, Uint32Array.from(ids));
  } else {
    const reference = existsSync(idsFile) ? toUint32(readFileSync(idsFile)) : undefined;
    result.check = await compareIds(encoding, sample, ids, reference);
  }
  process.send(result);
}

function toUint32(buf) {
  return new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}
