// One huge pre-tokenizer piece (a run of one letter, of '=', of random letters), at growing sizes:
// a linear encoder keeps its time per char flat, a quadratic one does not. A library is stopped
// when one call passes the cap, and its bigger sizes of that piece are skipped.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runChild, failure } from './child.mjs';
import { PEERS, TOKENWISE } from './libs.mjs';
import { benchDir, benchOptions, isMain } from './options.mjs';
import { table } from './report.mjs';

const KINDS = ['a…a', '=…=', 'random letters'];

export async function run(opts = benchOptions()) {
  const { quick, print, log } = opts;
  const sizes = quick ? [16_000] : [16_000, 64_000, 1_000_000];
  const capMs = opts.longCapS * 1000;
  const idsDir = join(benchDir, 'ids');
  mkdirSync(idsDir, { recursive: true });
  const intro = [
    '## Long pre-tokenizer pieces',
    `Time of one encode call on a single piece of n chars, in a fresh process per library (after a warm-up on 1,000-char pieces); ` +
      `ns/char should stay flat as n grows. A call is stopped at ${opts.longCapS} s and the bigger sizes are then skipped; ` +
      `a size is also skipped when the previous size's time per char already projects it past 3× the cap.`,
  ].join('\n\n');
  print(intro);
  const sections = [intro];
  for (const encoding of ['o200k_base', 'llama3']) {
    const rows = [];
    const diffs = [];
    for (const lib of [TOKENWISE, ...PEERS[encoding]]) {
      const results = await measure(lib, encoding, sizes, capMs, idsDir);
      log(`[longPiece] ${encoding} ${lib} done`);
      for (const kind of KINDS) {
        const cells = sizes.map((size) => cell(results.get(`${kind}:${size}`), size, opts.longCapS));
        const checks = sizes.map((size) => results.get(`${kind}:${size}`)?.check).filter(Boolean);
        const bad = checks.find((c) => !c.identical);
        if (bad) diffs.push(`**${lib} differs** on ${kind}: token ${bad.index}; Tokenwise \`${bad.tokenwise}\`, ${lib} \`${bad.peer}\``);
        const ids = lib === TOKENWISE ? 'reference' : bad ? 'DIFFERENT' : checks.length ? 'ids identical' : 'not checked';
        rows.push([lib, kind, ...cells, ids]);
      }
    }
    const text = [`### ${encoding}`, '', table(['library', 'piece', ...sizes.map((s) => `${s.toLocaleString('en')} chars`), 'ids'], rows), ...(diffs.length ? ['', ...diffs] : [])].join('\n');
    print(text);
    sections.push(text);
  }
  return sections.join('\n\n');
}

/** Runs the worker until all items are measured, restarting it after a call that passed the cap. */
async function measure(lib, encoding, sizes, capMs, idsDir) {
  const results = new Map();
  let pending = KINDS.flatMap((kind) => sizes.map((size) => ({ kind, size })));
  while (pending.length) {
    let current;
    const job = JSON.stringify({ lib, encoding, items: pending, idsDir, capMs });
    // The idle timer is re-armed by every message: it caps each call; loading gets a minute.
    const res = await runChild('longPieceWorker.mjs', [job], {
      idleMs: (msg) => (msg ? capMs : 60_000),
      onMessage(msg) {
        if (msg.type === 'start') current = msg;
        if (msg.type === 'result') {
          results.set(`${msg.kind}:${msg.size}`, msg);
          pending = pending.filter((p) => !(p.kind === msg.kind && p.size === msg.size));
          current = undefined;
        }
      },
    });
    if (!pending.length) break;
    if (res.timedOut && current) {
      results.set(`${current.kind}:${current.size}`, { over: true });
      for (const p of pending) if (p.kind === current.kind && p.size > current.size) results.set(`${p.kind}:${p.size}`, { skipped: true });
      pending = pending.filter((p) => p.kind !== current.kind || p.size < current.size);
    } else {
      for (const p of pending) results.set(`${p.kind}:${p.size}`, { error: res.timedOut ? 'load timed out' : failure(res) });
      pending = [];
    }
  }
  return results;
}

function cell(r, size, capS) {
  if (!r) return '';
  if (r.over) return `> ${capS} s (stopped)`;
  if (r.skipped) return r.projectedMs ? `skipped (≥ ${(r.projectedMs / 1000).toFixed(0)} s at the last rate)` : 'skipped';
  if (r.error) return `failed: ${r.error}`;
  const ms = r.ms >= 100 ? r.ms.toFixed(0) : r.ms.toFixed(1);
  return `${ms} ms (${((r.ms * 1e6) / size).toFixed(0)} ns/char)`;
}

if (isMain(import.meta.url)) await run();
