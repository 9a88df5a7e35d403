/**
 * Installs the embedded engine (node-llama-cpp and this platform's prebuilt llama.cpp binaries) into a
 * folder of its own with npm, on demand: the extension stays small and only users of the engine pay for
 * its 80+ MB. Only the one binary package this platform needs is installed (npm would otherwise fetch every
 * optional GPU build, about 730 MB on Linux).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** The engine version; the engine code and its docs were checked against exactly this one. */
export const ENGINE_VERSION = '3.21.1';
export const ENGINE_PACKAGE = 'node-llama-cpp';

/** GPU binaries to add to the CPU ones; Metal comes with the macOS arm64 package. */
export type EngineGpuVariant = 'cuda' | 'vulkan' | false;

export interface InstallOptions {
  signal?: AbortSignal;
  /** One line at a time of npm's output, and the steps. */
  onProgress?: (line: string) => void;
  gpu?: EngineGpuVariant;
  /** npm to run; found next to this Node, or on PATH, when absent. */
  npmPath?: string;
  platform?: NodeJS.Platform;
  arch?: string;
}

/** The `@node-llama-cpp/*` binary packages for a platform (CPU first, then the GPU variant asked for). */
export function binaryPackages(platform: NodeJS.Platform, arch: string, gpu: EngineGpuVariant = false): string[] {
  const os = platform === 'win32' ? 'win' : platform === 'darwin' ? 'mac' : platform;
  const base = os === 'mac' && arch === 'arm64' ? 'mac-arm64-metal' : `${os}-${arch}`;
  const supported = ['linux-x64', 'linux-arm64', 'mac-arm64-metal', 'mac-x64', 'win-x64'];
  if (!supported.includes(base)) throw new Error(`The model engine has no prebuilt binaries for ${platform}-${arch}.`);
  const names = [base];
  if (gpu) {
    if (base !== 'linux-x64' && base !== 'win-x64') throw new Error(`There are no ${gpu} binaries for ${platform}-${arch}.`);
    names.push(`${base}-${gpu}`);
  }
  return names.map((name) => `@${ENGINE_PACKAGE}/${name}@${ENGINE_VERSION}`);
}

/** Whether `dir` holds the pinned engine version with this platform's binaries (and the GPU ones asked for). */
export function engineInstalled(dir: string, options: { platform?: NodeJS.Platform; arch?: string; gpu?: EngineGpuVariant } = {}): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', ENGINE_PACKAGE, 'package.json'), 'utf8')) as { version?: string };
    if (manifest.version !== ENGINE_VERSION) return false;
    const packages = binaryPackages(options.platform ?? process.platform, options.arch ?? process.arch, options.gpu ?? false);
    return packages.every((p) => existsSync(join(dir, 'node_modules', p.slice(0, p.lastIndexOf('@')), 'package.json')));
  } catch {
    return false;
  }
}

/** npm next to the running Node (the usual install), else on PATH. */
export function findNpm(platform: NodeJS.Platform = process.platform): string {
  const name = platform === 'win32' ? 'npm.cmd' : 'npm';
  const besideNode = join(dirname(process.execPath), name);
  if (existsSync(besideNode)) return besideNode;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error('npm was not found (next to Node or on PATH); it is needed to install the model engine.');
}

/** `npm install` arguments: exact versions, nothing saved, no optional packages but the binaries named. */
export function installArgs(dir: string, packages: string[]): string[] {
  return ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--omit=optional', '--loglevel=http', `${ENGINE_PACKAGE}@${ENGINE_VERSION}`, ...packages];
}

export async function installEngine(dir: string, options: InstallOptions = {}): Promise<void> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const packages = binaryPackages(options.platform ?? process.platform, options.arch ?? process.arch, options.gpu ?? false);
  const npm = options.npmPath ?? findNpm();
  const args = installArgs(dir, packages);
  onProgress?.(`Installing ${ENGINE_PACKAGE}@${ENGINE_VERSION} with ${packages.join(', ')} into ${dir}`);
  // A .cmd file only runs through the shell on Windows; every argument is ours except the folder, quoted.
  const shell = npm.endsWith('.cmd');
  const child = spawn(shell ? `"${npm}"` : npm, shell ? args.map((a) => `"${a}"`) : args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    shell,
    signal,
    windowsHide: true,
  });
  const tail: string[] = [];
  const onLine = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split(/\r?\n/)) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      onProgress?.(line);
    }
  };
  child.stdout!.on('data', onLine);
  child.stderr!.on('data', onLine);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  signal?.throwIfAborted();
  if (code !== 0) throw new Error(`npm install failed (exit code ${code}):\n${tail.join('\n')}`);
  if (!engineInstalled(dir, options)) throw new Error(`npm finished but ${ENGINE_PACKAGE}@${ENGINE_VERSION} is not in ${dir}.`);
  onProgress?.('The model engine is installed.');
}
