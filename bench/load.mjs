// Cold load: time to first use (import + vocabulary + first short encode) and the resident memory
// added, each in a fresh process; the median over several processes, taken in rotation between the
// libraries so that a noisy moment does not land on one of them. The OS file cache is warm.
import { runChild, failure } from './child.mjs';
import { PEERS, TOKENWISE } from './libs.mjs';
import { benchOptions, isMain } from './options.mjs';
import { fmt, median, table, target } from './report.mjs';

const TARGET = { encoding: 'o200k_base', ms: 250, mb: 60 };

export async function run(opts = benchOptions()) {
  const { quick, print, log } = opts;
  const encodings = quick ? ['o200k_base', 'llama3'] : ['o200k_base', 'cl100k_base', 'llama3'];
  const intro = [
    '## Cold load',
    `First use in a fresh process: import the library, load the vocabulary, encode one short string. ` +
      `Added RSS = resident memory after minus before, both after a full GC (MB = 1e6 bytes). Median of ${opts.loadRuns} processes.`,
  ].join('\n\n');
  print(intro);
  const sections = [intro];
  for (const encoding of encodings) {
    const libs = [TOKENWISE, ...PEERS[encoding]];
    const runs = new Map(libs.map((l) => [l, []]));
    for (let i = 0; i < opts.loadRuns; i++) {
      for (const lib of libs) {
        const res = await runChild('loadWorker.mjs', [lib, encoding], { idleMs: 120_000 });
        runs.get(lib).push(res.messages[0] ?? { error: failure(res) });
      }
    }
    log(`[load] ${encoding} done`);
    const rows = libs.map((lib) => {
      const ok = runs.get(lib).filter((r) => !r.error);
      if (!ok.length) return [lib, 'failed', '', '', '', runs.get(lib)[0].error];
      const m = (key) => median(ok.map((r) => r[key]));
      return [lib, fmt.ms(m('totalMs')), fmt.ms(m('loadMs')), fmt.ms(m('firstEncodeMs')), fmt.mb(m('rssMB')), ok.map((r) => fmt.ms(r.totalMs)).join(' / ')];
    });
    const lines = [`### ${encoding}`, '', table(['library', 'first use ms', 'load ms', 'first encode ms', 'added RSS MB', 'each run ms'], rows)];
    const tw = runs.get(TOKENWISE).filter((r) => !r.error);
    if (encoding === TARGET.encoding && tw.length) {
      const ms = median(tw.map((r) => r.totalMs));
      const mb = median(tw.map((r) => r.rssMB));
      lines.push('', `Tokenwise ${encoding} first use ${fmt.ms(ms)} ms (target ≤ ${TARGET.ms} ms: ${target(ms <= TARGET.ms)}), ` +
        `added RSS ${fmt.mb(mb)} MB (target ≤ ${TARGET.mb} MB: ${target(mb <= TARGET.mb)})`);
    }
    const text = lines.join('\n');
    print(text);
    sections.push(text);
  }
  return sections.join('\n\n');
}

if (isMain(import.meta.url)) await run();
