// Installs the embedded model engine into .cache/engine for tests, benchmarks and CI; a no-op when the pinned
// version is already there. Run: node --import tsx scripts/install-engine.ts [--gpu cuda|vulkan]
import { resolve } from 'node:path';
import { ENGINE_VERSION, engineInstalled, installEngine, type EngineGpuVariant } from '../src/core/engine/install';

export const ENGINE_CACHE = resolve(__dirname, '..', '.cache', 'engine');

export async function ensureEngine(dir = ENGINE_CACHE, gpu: EngineGpuVariant = false): Promise<string> {
  if (engineInstalled(dir, { gpu })) return dir;
  // npm's per-request lines are noise in a test log; its warnings and errors are not.
  await installEngine(dir, { gpu, onProgress: (line) => line.startsWith('npm http') || process.stderr.write(`${line}\n`) });
  return dir;
}

if (require.main === module) {
  const at = process.argv.indexOf('--gpu');
  const gpu = at >= 0 ? (process.argv[at + 1] as EngineGpuVariant) : false;
  const was = engineInstalled(ENGINE_CACHE, { gpu });
  ensureEngine(ENGINE_CACHE, gpu).then(
    (dir) => console.log(was ? `node-llama-cpp ${ENGINE_VERSION} is already in ${dir}` : `Installed node-llama-cpp ${ENGINE_VERSION} into ${dir}`),
    (error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
