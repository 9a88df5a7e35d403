// Benchmarks load Tokenwise's TypeScript sources and test fixtures (CommonJS once compiled) through tsx.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCjs();
register();

/** A module by path relative to bench/; Node sees some compiled modules' exports only as `default`. */
export async function loadTs(path) {
  const mod = await import(new URL(path, import.meta.url).href);
  return { ...(mod.default ?? {}), ...mod };
}

// Tokenwise's core reads its data through Node's file system here, as in the CLI.
(await loadTs('../src/core/data/node.ts')).useNodeData();
