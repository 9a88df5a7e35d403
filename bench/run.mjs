// Entry of `npm run bench`: runs every benchmark in turn, prints its tables and writes them, with a
// description of the machine, to .bench/results.md. `--quick`: one round on small cuts (a sanity run),
// written to .bench/results-quick.md.
// Nothing here asserts a timing; the targets are reported, not enforced.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import { corpora } from './corpora.mjs';
import { benchDir, benchOptions } from './options.mjs';
import { run as encode } from './encode.mjs';
import { run as load } from './load.mjs';
import { run as longPiece } from './longPiece.mjs';
import { run as incremental } from './incremental.mjs';
import { run as decorations } from './decorations.mjs';
import { run as workspace } from './workspace.mjs';

const opts = benchOptions();
const started = Date.now();
const machine = [
  `# Tokenwise benchmarks${opts.quick ? ' (quick run: one round on small cuts; numbers are only a sanity check)' : ''}`,
  '',
  `- Date: ${new Date().toISOString()}`,
  `- CPU: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores; ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; ${platform()} ${release()}`,
  `- Node ${process.version}`,
  `- Settings: rounds ${opts.rounds}, first-pass cap ${opts.passCapS} s, round budget ${opts.budgetS} s, load runs ${opts.loadRuns}, long-piece cap ${opts.longCapS} s ` +
    '(env BENCH_ROUNDS, BENCH_PASS_CAP_S, BENCH_BUDGET_S, BENCH_LOAD_RUNS, BENCH_LONG_CAP_S)',
  '',
  '## Corpora',
  '',
  ...corpora({ quick: opts.quick }).map((c) => `- ${c.name}: ${c.chars.toLocaleString('en')} chars, ${c.bytes.toLocaleString('en')} UTF-8 bytes`),
].join('\n');
opts.print(machine);

const sections = [machine];
for (const bench of [encode, load, longPiece, incremental, decorations, workspace]) sections.push(await bench(opts));

// The reference ids (tens of MB) were only needed for the comparisons.
rmSync(join(benchDir, 'ids'), { recursive: true, force: true });
const footer = `_Total time: ${((Date.now() - started) / 1000).toFixed(0)} s._`;
opts.print(footer);
mkdirSync(benchDir, { recursive: true });
// A quick run does not overwrite the last full results.
const out = join(benchDir, opts.quick ? 'results-quick.md' : 'results.md');
writeFileSync(out, `${sections.join('\n\n')}\n\n${footer}\n`);
opts.log(`[bench] wrote ${out}`);
