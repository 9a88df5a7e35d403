// Token decorations while scrolling and typing: the time of one decoration pass over a visible window
// (plus margin) of the 10 MB JavaScript corpus, against the one-frame budget of 16.7 ms, in a fresh
// process. Uses the functions from dist/core.js when it exports them, else bundles them from the
// sources (so the numbers are of the same code the extension runs).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { runChild, failure } from './child.mjs';
import { corpora } from './corpora.mjs';
import { benchDir, benchOptions, isMain } from './options.mjs';
import { fmt, table, target } from './report.mjs';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const FRAME_MS = 16.7;

/** Where the decoration functions come from: dist/core.js, or a bundle of their sources. */
async function decorationsModule() {
  const core = join(root, 'dist', 'core.js');
  if (typeof require(core).computeTokenDecorations === 'function') return core;
  const outfile = join(benchDir, 'decorations-core.cjs');
  await build({
    stdin: {
      contents: [
        "export { computeTokenDecorations } from './src/core/decorations/tokenDecorations';",
        "export { widenRanges } from './src/core/decorations/ranges';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

export async function run(opts = benchOptions()) {
  const { quick, print, log } = opts;
  const corpus = corpora({ quick }).find((c) => c.slug === 'js');
  const job = {
    encoding: 'o200k_base',
    path: corpus.path,
    module: await decorationsModule(),
    scrolls: quick ? 40 : 200,
    keystrokes: quick ? 100 : 500,
    visibleLines: 60,
    marginLines: 30,
  };
  const res = await runChild('decorationsWorker.mjs', [JSON.stringify(job)], { idleMs: 300_000 });
  log('[decorations] done');
  const heading = [
    '## Token decorations',
    `One pass over a visible window of ${job.visibleLines} lines plus ${job.marginLines} lines of margin on each side (\`widenRanges\` + ` +
      `\`computeTokenDecorations\`) of the ${corpus.name} corpus with ${job.encoding}, in a fresh process; ` +
      `"scroll": ${job.scrolls} seeded random places; "type": ${job.keystrokes} keystrokes (\`applyChange\` of one letter, then the pass around it). ` +
      `At most 5,000 decorations per pass: "truncated" passes stopped there, and "margin dropped" ones would have cut into the visible lines, ` +
      `so they decorate those alone. Budget: one frame, ${FRAME_MS} ms (target: p95 within it).`,
  ].join('\n\n');
  const r = res.messages[0];
  if (!r) {
    const text = `${heading}\n\nfailed: ${failure(res)}`;
    print(text);
    return text;
  }
  const ms = (v) => (v < 1 ? v.toFixed(2) : fmt.ms(v));
  const rows = r.results.map((s) => [
    s.scenario,
    ms(s.p50),
    ms(s.p95),
    ms(s.max),
    s.decorations ? `${Math.round(s.decorations.p50).toLocaleString('en-US')} / ${s.decorations.max.toLocaleString('en-US')}` : '',
    s.decorations ? `${s.truncated} / ${s.marginDropped}` : '',
    s.decorations ? target(s.p95 <= FRAME_MS) : '',
  ]);
  const text = [
    heading,
    `Source of the functions: ${r.module}. Document: ${r.tokens.toLocaleString('en-US')} tokens; ${Math.round(r.chars).toLocaleString('en-US')} chars per window with its margin (median).`,
    table(['pass', 'p50 ms', 'p95 ms', 'max ms', 'decorations per pass (p50 / max)', 'passes truncated / margin dropped', `p95 ≤ ${FRAME_MS} ms`], rows),
  ].join('\n\n');
  print(text);
  return text;
}

if (isMain(import.meta.url)) await run();
