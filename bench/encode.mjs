// Full-encode throughput of Tokenwise against the peer libraries, per encoding and corpus, each library
// in its own process. MB = 1e6 UTF-8 bytes of input. Prints a markdown table per corpus; asserts nothing.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker } from './child.mjs';
import { corpora } from './corpora.mjs';
import { PEERS, TOKENWISE } from './libs.mjs';
import { benchDir, benchOptions, isMain } from './options.mjs';
import { fmt, median, table, target } from './report.mjs';

/** What each encoding is held to: Tokenwise ÷ (the fastest peer, or one named peer). */
const TARGETS = {
  o200k_base: { ratio: 1.5, against: 'fastest peer' },
  cl100k_base: { ratio: 1.5, against: 'fastest peer' },
  llama3: { ratio: 5, against: '@huggingface/tokenizers' },
  qwen3: { ratio: 5, against: '@huggingface/tokenizers' },
};

export async function run(opts = benchOptions()) {
  const { quick, print, log } = opts;
  const encodings = quick ? ['o200k_base', 'llama3'] : Object.keys(TARGETS);
  const texts = corpora({ quick });
  const idsDir = join(benchDir, 'ids');
  rmSync(idsDir, { recursive: true, force: true });
  mkdirSync(idsDir, { recursive: true });

  const intro = [
    '## Encode throughput',
    `MB/s = 1e6 UTF-8 bytes of input per second; median of up to ${opts.rounds} full-text rounds after a first pass. ` +
      `"first pass" = the same text encoded once in 64 KB chunks with the caches cold. A library whose first pass ` +
      `would exceed ${opts.passCapS} s encodes a shorter prefix of the corpus (see "text"). Each library runs in its own process; ` +
      `the rounds are interleaved (round 1 of every library, then round 2…) so that all see the same machine noise.`,
  ].join('\n\n');
  print(intro);
  const sections = [intro];
  const summary = [];
  for (const encoding of encodings) {
    const libs = [TOKENWISE, ...PEERS[encoding]];
    for (const corpus of texts) {
      const results = await interleaved(libs, corpus, (lib) => JSON.stringify({ lib, encoding, corpus, passCapS: opts.passCapS, idsDir }), opts, log);
      const section = corpusSection(encoding, corpus, results);
      print(section.text);
      sections.push(section.text);
      summary.push(section.summaryRow);
    }
  }
  const summaryText = ['### Encode summary', '', table(['encoding', 'corpus', 'Tokenwise MB/s', 'fastest peer', 'Tokenwise ÷ fastest', 'target', 'result'], summary)].join('\n');
  print(summaryText);
  sections.push(summaryText);
  return sections.join('\n\n');
}

/**
 * Starts one worker per library (one at a time, so that first passes do not compete), then times
 * rounds in turn: every library's round r before any library's round r + 1, rotating who goes first.
 */
async function interleaved(libs, corpus, job, opts, log) {
  const results = new Map();
  const workers = new Map();
  for (const lib of libs) {
    const worker = startWorker('encodeWorker.mjs', [job(lib)]);
    try {
      const ready = await worker.ready;
      workers.set(lib, worker);
      results.set(lib, { ...ready, fullBytes: corpus.bytes, times: [] });
    } catch (e) {
      results.set(lib, { error: e.message });
    }
  }
  const spent = new Map([...workers.keys()].map((lib) => [lib, 0]));
  for (let r = 0; r < opts.rounds; r++) {
    const order = [...workers.keys()];
    for (const lib of [...order.slice(r % order.length), ...order.slice(0, r % order.length)]) {
      if (r >= 3 && spent.get(lib) > opts.budgetS * 1000) continue;
      try {
        const { ms } = await workers.get(lib).request('round');
        results.get(lib).times.push(ms);
        spent.set(lib, spent.get(lib) + ms);
      } catch (e) {
        results.set(lib, { error: e.message });
        workers.delete(lib);
      }
    }
  }
  // Tokenwise first: the others' ids are compared with the ids it writes.
  for (const [lib, worker] of workers) {
    try {
      Object.assign(results.get(lib), await worker.request('finish'));
    } catch (e) {
      results.set(lib, { error: e.message });
    }
    log(`[encode] ${corpus.slug} ${lib}: ${results.get(lib).times?.length ?? 0} rounds`);
  }
  return results;
}

function corpusSection(encoding, corpus, byLib) {
  const mbps = (r) => (r.error ? NaN : r.bytes / 1e6 / (median(r.times) / 1000));
  const tw = byLib.get(TOKENWISE);
  const twRate = mbps(tw);
  const rows = [];
  const diffs = [];
  for (const [lib, r] of byLib) {
    if (r.error) {
      rows.push([lib, 'failed', '', '', r.error, '']);
      continue;
    }
    const rate = mbps(r);
    const cut = r.bytes < r.fullBytes ? `${fmt.size(r.bytes)} of ${fmt.size(r.fullBytes)}` : 'full';
    let ids = 'reference';
    if (r.check?.identical) ids = 'ids identical';
    else if (r.check) {
      ids = `DIFFERENT at token ${r.check.index}`;
      diffs.push(differenceText(lib, r.check));
    }
    rows.push([lib, fmt.mbps(rate), fmt.mbps(r.bytes / 1e6 / (r.firstMs / 1000)), lib === TOKENWISE ? '1.00×' : fmt.ratio(twRate / rate), ids, `${cut}, ${r.times.length} round${r.times.length === 1 ? '' : 's'}, ${r.tokens} tokens`]);
  }
  const peers = [...byLib].filter(([lib, r]) => lib !== TOKENWISE && !r.error);
  const fastest = peers.reduce((best, p) => (!best || mbps(p[1]) > mbps(best[1]) ? p : best), undefined);
  const goal = TARGETS[encoding];
  const against = goal.against === 'fastest peer' ? fastest : peers.find(([lib]) => lib === goal.against);
  const lines = [`### ${encoding} — ${corpus.name}`, '', table(['library', 'median MB/s', 'first pass MB/s', 'Tokenwise ÷ library', 'ids', 'text'], rows), ''];
  let summaryRow = [encoding, corpus.name, fmt.mbps(twRate), fastest?.[0] ?? '-', fastest ? fmt.ratio(twRate / mbps(fastest[1])) : '-', '-', ''];
  if (fastest) lines.push(`Tokenwise ÷ fastest peer (${fastest[0]}): **${fmt.ratio(twRate / mbps(fastest[1]))}**`);
  if (against && !tw.error) {
    const ratio = twRate / mbps(against[1]);
    const verdict = `Tokenwise ÷ ${against[0]} = ${fmt.ratio(ratio)}, target ≥ ${goal.ratio}×: ${target(ratio >= goal.ratio)}`;
    lines.push('', verdict);
    summaryRow = [...summaryRow.slice(0, 5), `≥ ${goal.ratio}× ${goal.against === 'fastest peer' ? 'fastest' : 'HF JS'}`, `${fmt.ratio(ratio)} ${target(ratio >= goal.ratio)}`];
  }
  if (diffs.length) lines.push('', ...diffs);
  return { text: lines.join('\n'), summaryRow };
}

function differenceText(lib, c) {
  return [
    `**${lib} differs** from Tokenwise at token ${c.index} (UTF-8 byte ${c.byteOffset}, char ${c.charOffset}); ` +
      `${c.peerTokens} vs ${c.tokenwiseTokens} tokens in all.`,
    `- text around it: \`${c.context}\``,
    `- Tokenwise: \`${c.tokenwise}\``,
    `- ${lib}: \`${c.peer}\``,
  ].join('\n');
}

if (isMain(import.meta.url)) await run();
