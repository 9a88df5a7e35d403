// Incremental re-tokenization: the time of one edit to a large document through DocumentTokens,
// against re-encoding the whole document, in a fresh process per (encoding, corpus). Reports
// "pending" while DocumentTokens has no applyChange.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runChild, failure } from './child.mjs';
import { corpora } from './corpora.mjs';
import { benchOptions, isMain } from './options.mjs';
import { fmt, table } from './report.mjs';

const require = createRequire(import.meta.url);

export async function run(opts = benchOptions()) {
  const { quick, print, log } = opts;
  const { DocumentTokens } = require(fileURLToPath(new URL('../dist/core.js', import.meta.url)));
  if (typeof DocumentTokens?.prototype?.applyChange !== 'function') {
    const text = '## Incremental re-tokenization\n\npending (DocumentTokens has no applyChange yet)';
    print(text);
    return text;
  }
  const edits = quick ? 20 : 1000;
  const texts = corpora({ quick }).filter((c) => c.slug === 'js' || c.slug === 'mixed');
  const intro = [
    '## Incremental re-tokenization',
    `${edits} edits of each kind (50 for 100 KB pastes) at seeded random places, one \`applyChange\` call each; "full encode" re-encodes the ` +
      'whole document (median of 3). "ids" compares the document\'s ids after the edits with a fresh encode of its text.',
  ].join('\n\n');
  print(intro);
  const sections = [intro];
  for (const encoding of quick ? ['o200k_base'] : ['o200k_base', 'llama3']) {
    for (const corpus of texts) {
      const res = await runChild('incrementalWorker.mjs', [JSON.stringify({ encoding, path: corpus.path, edits })], { idleMs: 300_000 });
      log(`[incremental] ${encoding} ${corpus.slug} done`);
      const r = res.messages[0];
      const heading = `### ${encoding} — ${corpus.name}`;
      if (!r) {
        sections.push(`${heading}\n\nfailed: ${failure(res)}`);
        print(sections.at(-1));
        continue;
      }
      const rows = r.results.map((s) => [s.scenario, fmt.ms(s.medianMs * 1000), fmt.ms(s.p99Ms * 1000), fmt.ms(s.maxMs), fmt.ratio(r.fullMs / s.medianMs), s.identical ? 'ids identical' : `DIFFERENT at token ${s.firstDiff}`]);
      const text = [
        heading,
        '',
        `Full encode ${fmt.ms(r.fullMs)} ms; building the DocumentTokens ${fmt.ms(r.buildMs)} ms; ` +
          `${r.bytesPerToken.toFixed(1)} bytes per token for ${r.tokens.toLocaleString('en-US')} tokens (target ≤ 12).`,
        '',
        table(['edit', 'median µs', 'p99 µs', 'max ms', 'full encode ÷ median edit', 'ids'], rows),
      ].join('\n');
      print(text);
      sections.push(text);
    }
  }
  return sections.join('\n\n');
}

if (isMain(import.meta.url)) await run();
