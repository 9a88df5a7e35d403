// Settings shared by the benchmark scripts: `--quick` on the command line, the rest from the environment.
import { fileURLToPath, pathToFileURL } from 'node:url';

export function benchOptions(argv = process.argv.slice(2)) {
  const quick = argv.includes('--quick');
  const num = (name, normal, fast) => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : quick ? fast : normal;
  };
  return {
    quick,
    /** Timed full-text rounds per library and corpus (after the first, chunked pass). */
    rounds: num('BENCH_ROUNDS', 5, 1),
    /** Most seconds the first pass may take: a slower library encodes a shorter cut of the corpus. */
    passCapS: num('BENCH_PASS_CAP_S', 1.5, 0.5),
    /** Once this many seconds of rounds are spent, stop after the third round. */
    budgetS: num('BENCH_BUDGET_S', 6, 1),
    /** Fresh processes per cold-load measurement. */
    loadRuns: num('BENCH_LOAD_RUNS', 3, 1),
    /** Per-call cap of the long-piece benchmark, in seconds. */
    longCapS: num('BENCH_LONG_CAP_S', 5, 1),
    print: (s) => console.log(`${s}\n`),
    log: (s) => console.error(s),
  };
}

/** True when `url` (a module's import.meta.url) is the script node was started with. */
export function isMain(url) {
  return process.argv[1] !== undefined && url === pathToFileURL(process.argv[1]).href;
}

export const benchDir = fileURLToPath(new URL('../.bench/', import.meta.url));
