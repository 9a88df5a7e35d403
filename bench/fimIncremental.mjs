// Exact byte-level FIM, byte by byte (fim-exact §2.4): the incremental state (one model call per byte)
// against recomputing the batch next-byte distribution at every byte (one call per depth of the token trie
// of the lefts). Two token models: the toy oracle of §6, and a seeded random model over a greedy
// longest-match vocabulary of a few thousand tokens learned from typescript.js, walking identifiers of that
// file. Model calls and ms per byte (distribution and push), medians over walks; asserts nothing, but
// reports the largest difference between the two distributions.
//   node bench/fimIncremental.mjs [--quick]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadTs as load } from './loadTs.mjs';
import { benchOptions, isMain } from './options.mjs';
import { fmt, median, table } from './report.mjs';

/** A model that counts its calls. */
function counting(model) {
  const counted = { eosId: model.eosId, calls: 0, nextTokenProbs: (contexts, signal) => (counted.calls++, model.nextTokenProbs(contexts, signal)) };
  return counted;
}

const { rng } = await load('../test/fixtures/toyOracle.ts');

/** Per context, a seeded random distribution with every entry above 0, so any text has probability > 0. */
function randomModel(vocabSize, eosId, seed) {
  return {
    eosId,
    async nextTokenProbs(contexts) {
      return contexts.map((context) => {
        let h = seed;
        for (const id of context) h = Math.imul(h ^ (id + 1), 0x9e3779b1) + 0x7f4a7c15;
        const r = rng(h ^ (h >>> 15));
        const probs = Float64Array.from({ length: vocabSize }, () => 0.01 + r() ** 4);
        const sum = probs.reduce((a, b) => a + b, 0);
        return probs.map((p) => p / sum);
      });
    },
  };
}

/**
 * A byte tokenizer of every single byte plus the most frequent 2–8-byte strings of `corpus` (`size` ids in
 * all, end of text last), encoding by greedy longest match: a maximal-prefix encoding, which is
 * prefix-canonical (fim-exact §2.1).
 */
function greedyTokenizer(corpus, size) {
  const counts = new Map();
  for (let n = 2; n <= 8; n++) for (let i = 0; i + n <= corpus.length; i++) counts.set(corpus.slice(i, i + n), (counts.get(corpus.slice(i, i + n)) ?? 0) + 1);
  const ranked = [...counts].filter(([s, c]) => c > 1 && /^[\x20-\x7e]+$/.test(s)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const tokens = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
  for (const [s] of ranked.slice(0, size - 257)) tokens.push(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  tokens.push(new Uint8Array(0));
  const root = { next: new Map(), id: -1 };
  tokens.forEach((bytes, id) => {
    let node = root;
    for (const b of bytes) {
      if (!node.next.has(b)) node.next.set(b, { next: new Map(), id: -1 });
      node = node.next.get(b);
    }
    if (bytes.length) node.id = id;
  });
  return {
    vocabSize: tokens.length,
    eosId: tokens.length - 1,
    tokenBytes: (id) => tokens[id],
    encodeBytes(bytes) {
      const out = [];
      for (let i = 0; i < bytes.length; ) {
        let node = root;
        let best = -1;
        let end = i;
        for (let k = i; k < bytes.length && (node = node.next.get(bytes[k])); k++) {
          if (node.id >= 0) {
            best = node.id;
            end = k + 1;
          }
        }
        out.push(best);
        i = end;
      }
      return Uint32Array.from(out);
    },
  };
}

/**
 * Walks `text` byte by byte after `head`, from the tail `text[0:start]`: the incremental state (distribution,
 * then push) against the batch distribution of each prefix. Per walk: calls and ms per byte of each.
 */
async function walk(exact, model, tokenizer, head, text, start) {
  const inc = counting(model);
  const batch = counting(model);
  const created = performance.now();
  const state = await exact.IncrementalByteState.create(inc, tokenizer, head, text.subarray(0, start));
  const createMs = performance.now() - created;
  const createCalls = inc.calls;
  let incMs = 0;
  let batchMs = 0;
  let diff = 0;
  for (let i = start; i <= text.length; i++) {
    let t = performance.now();
    const d = await state.nextByteDistribution();
    if (i < text.length) await state.push(text[i]);
    incMs += performance.now() - t;
    t = performance.now();
    const want = await exact.exactNextByteDistribution(batch, tokenizer, head, text.subarray(0, i));
    batchMs += performance.now() - t;
    for (let b = 0; b < 257; b++) diff = Math.max(diff, Math.abs(d[b] - want[b]));
  }
  const n = text.length - start + 1;
  return { n, createMs, createCalls, incCalls: (inc.calls - createCalls) / n, batchCalls: batch.calls / n, incMs: incMs / n, batchMs: batchMs / n, diff };
}

function row(name, vocab, walks) {
  const m = (key) => median(walks.map((w) => w[key]));
  const bytes = walks.reduce((s, w) => s + w.n, 0);
  const diff = Math.max(...walks.map((w) => w.diff));
  return [
    name,
    vocab,
    `${walks.length} × ${(bytes / walks.length).toFixed(0)}`,
    fmt.ms(m('createMs')),
    m('incCalls').toFixed(2),
    m('batchCalls').toFixed(2),
    fmt.ratio(m('batchCalls') / m('incCalls')),
    fmt.ms(m('incMs')),
    fmt.ms(m('batchMs')),
    fmt.ratio(m('batchMs') / m('incMs')),
    diff.toExponential(1),
  ];
}

export async function run(opts = benchOptions()) {
  const { quick, print } = opts;
  const exact = await load('../src/core/fim/exact/index.ts');
  const { ToyOracle, TOY } = await load('../test/fixtures/toyOracle.ts');
  const rows = [];

  // The toy: the five strings of §6.3, from an empty tail, and again from a tail of their first 3 bytes.
  const toy = new ToyOracle(TOY);
  const toyWalks = [];
  for (const start of [0, 3]) {
    for (const s of ['aabcabca', 'cabbacab', 'abcabcab', 'aaaaaaaa', 'bcbcaabc']) toyWalks.push(await walk(exact, toy, toy, new Uint32Array(0), Uint8Array.from(s, (c) => c.charCodeAt(0)), start));
  }
  rows.push(row('toy oracle (§6)', toy.vocabSize, toyWalks));

  // A random model over a few thousand tokens: identifiers of typescript.js, each after the 64 bytes before
  // it (the head, encoded on its own: a word start is a boundary of the greedy encoding only approximately,
  // which both sides share), from a tail of its first 2 bytes.
  const source = readFileSync(fileURLToPath(new URL('../node_modules/typescript/lib/typescript.js', import.meta.url)), 'latin1');
  const corpus = source.slice(0, quick ? 100_000 : 300_000);
  for (const size of quick ? [2000] : [2000, 4000]) {
    const tokenizer = greedyTokenizer(corpus, size);
    const model = randomModel(tokenizer.vocabSize, tokenizer.eosId, 7);
    const walks = [];
    const words = [...source.slice(400_000, 600_000).matchAll(/[A-Za-z_]\w{11,23}/g)];
    const r = rng(size);
    for (let k = 0; k < (quick ? 3 : 6); k++) {
      const m = words[Math.floor(r() * words.length)];
      const head = tokenizer.encodeBytes(Uint8Array.from(source.slice(400_000 + m.index - 64, 400_000 + m.index), (c) => c.charCodeAt(0)));
      walks.push(await walk(exact, model, tokenizer, head, Uint8Array.from(m[0], (c) => c.charCodeAt(0)), 2));
    }
    rows.push(row('random model, greedy vocabulary', tokenizer.vocabSize, walks));
  }

  const text = [
    '## Exact next byte, byte by byte: incremental state vs batch at each byte',
    'Per byte: the exact next-byte distribution, then (incremental) the push of the next byte of the text. ' +
      '"create" is the incremental state\'s one-time start (the batch covers of the initial tail). Medians over walks; ' +
      'ratios are batch ÷ incremental, measured in this run. "max abs difference" compares the two distributions.',
    table(['model', 'vocab', 'walks × bytes', 'create ms', 'incremental calls/byte', 'batch calls/byte', 'calls ratio', 'incremental ms/byte', 'batch ms/byte', 'time ratio', 'max abs difference'], rows),
  ].join('\n\n');
  print(text);
  return text;
}

if (isMain(import.meta.url)) await run();
