// Workspace scan: tokens per file of a whole folder (default node_modules/typescript), cold (no count
// cache), o200k_base. Tokenwise's scanWorkspace, the extension's code path on one thread, against
// Repomix's published approach (gpt-tokenizer in a worker_threads pool, batches of 50 files) and the same
// pool with ai-tokenizer. Every contender gets the same file list (Tokenwise's walk), each pass runs in a
// fresh process, and the rounds are interleaved. Asserts nothing.
//   node bench/workspace.mjs [folder] [--quick]    (after `npm run build`)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failure, runChild } from './child.mjs';
import { benchDir, benchOptions, isMain } from './options.mjs';
import { fmt, median, table } from './report.mjs';

const require = createRequire(import.meta.url);
const repo = fileURLToPath(new URL('..', import.meta.url));
const TOKENWISE = 'Tokenwise';
const CONTENDERS = [TOKENWISE, 'gpt-tokenizer pool', 'ai-tokenizer pool'];

export async function run(opts = benchOptions(), folder = join(repo, 'node_modules', 'typescript')) {
  const { print, log } = opts;
  const rounds = opts.quick ? 1 : Math.max(3, opts.rounds);
  const core = require('../dist/core.js');
  const root = core.nodeRoot(folder);
  // The file list: Tokenwise's walk (.gitignore files, binary and size checks), shared by every contender.
  const listing = await core.scanWorkspace(core.nodeFs, root, { tokenizer: await core.loadTokenizer('o200k_base') });
  const files = listing.files.map((f) => f.path).sort();
  mkdirSync(benchDir, { recursive: true });
  const listFile = join(benchDir, 'workspace-files.json');
  writeFileSync(listFile, JSON.stringify({ root, files }));
  log(`[workspace] ${files.length} files, ${fmt.size(listing.total.bytes)} under ${folder}`);

  const results = new Map(CONTENDERS.map((c) => [c, { runs: [] }]));
  for (let r = 0; r < rounds; r++) {
    const order = [...CONTENDERS.slice(r % CONTENDERS.length), ...CONTENDERS.slice(0, r % CONTENDERS.length)];
    for (const contender of order) {
      const child = await runChild('workspaceChild.mjs', [contender, listFile], { idleMs: 600_000 });
      const entry = results.get(contender);
      if (child.messages.length === 0) entry.error = failure(child);
      else entry.runs.push(child.messages[0]);
    }
    log(`[workspace] round ${r + 1} of ${rounds}`);
  }
  const text = section(folder, files.length, listing.total.bytes, rounds, results);
  print(text);
  return text;
}

function section(folder, fileCount, bytes, rounds, results) {
  const summary = (entry) => {
    const ms = median(entry.runs.map((x) => x.ms));
    const last = entry.runs[entry.runs.length - 1];
    return { ms, last, warmupMs: median(entry.runs.map((x) => x.warmupMs ?? 0)), gapP50: median(entry.runs.map((x) => x.gaps.p50)), gapMax: Math.max(...entry.runs.map((x) => x.gaps.max)) };
  };
  const tw = results.get(TOKENWISE);
  const twMs = tw.error ? NaN : summary(tw).ms;
  const rows = [];
  const notes = [];
  for (const [name, entry] of results) {
    if (entry.error || entry.runs.length === 0) {
      rows.push([name, 'failed', '', '', '', '', '', entry.error ?? '']);
      continue;
    }
    const s = summary(entry);
    const tokenSets = new Set(entry.runs.map((x) => x.tokens));
    rows.push([
      name,
      Math.round(s.last.files / (s.ms / 1000)).toLocaleString('en'),
      fmt.mbps(s.last.bytes / 1e6 / (s.ms / 1000)),
      name === TOKENWISE ? '1.00×' : fmt.ratio(s.ms / twMs),
      [...tokenSets].map((t) => t.toLocaleString('en')).join(' / '),
      s.last.threads ?? 1,
      name === TOKENWISE ? '-' : fmt.ms(s.warmupMs),
      `${fmt.ms(s.gapP50)} / ${fmt.ms(s.gapMax)}`,
    ]);
    if (name !== TOKENWISE && !tw.error && s.last.tokens !== tw.runs[0].tokens) notes.push(`**${name}** counts ${s.last.tokens.toLocaleString('en')} tokens, Tokenwise ${tw.runs[0].tokens.toLocaleString('en')}.`);
  }
  return [
    '## Workspace scan',
    `${fileCount.toLocaleString('en')} files, ${fmt.size(bytes)} (${folder}); o200k_base, cold: every pass in a fresh process, no count cache. ` +
      `Median of ${rounds} interleaved round${rounds === 1 ? '' : 's'}; MB = 1e6 UTF-8 bytes. Machine: ${cpus().length} cores ` +
      `(availableParallelism ${availableParallelism()}). Tokenwise's time covers the walk (.gitignore files), reading and counting, ` +
      `on one thread that yields every 10 ms; the pools' time starts from texts already in memory, with the workers started and ` +
      `warmed (warm-up shown apart). "loop gap" = the longest waits between ticks of a 5 ms interval on the main thread (p50 / max).`,
    '',
    table(['contender', 'files/s', 'MB/s', 'Tokenwise ÷ contender', 'total tokens', 'threads', 'warm-up ms', 'loop gap ms p50 / max'], rows),
    ...(notes.length ? ['', ...notes] : ['', 'Total tokens are equal for every contender.']),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const folder = process.argv.slice(2).find((a) => !a.startsWith('--'));
  await run(benchOptions(), folder === undefined ? undefined : resolve(folder));
}
