/**
 * `WorkspaceFs` over Node's file system, for the CLI, tests and benchmarks. The only file of the
 * workspace scan that imports Node modules: the web build has none.
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { FileKind, type FsStat, type WorkspaceFs } from './fs';

export const nodeFs: WorkspaceFs = {
  async readDirectory(path: string): Promise<[string, number][]> {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.map((e) => [e.name, kindOf(e)]);
  },
  async stat(path: string): Promise<FsStat> {
    // As VS Code reports a link: the kind of its target plus the link bit (no target: the bit alone).
    let s: Stats | undefined = await lstat(path);
    const link = s.isSymbolicLink() ? FileKind.SymbolicLink : 0;
    if (link) s = await stat(path).catch(() => undefined);
    if (!s) return { type: link, size: 0 };
    return { type: link | (s.isDirectory() ? FileKind.Directory : s.isFile() ? FileKind.File : FileKind.Unknown), size: s.size };
  },
  readFile(path: string): Promise<Uint8Array> {
    return readFile(path);
  },
};

/** An absolute, '/'-separated form of a local path, as the scan joins paths (Node accepts '/' on Windows too). */
export function nodeRoot(path: string): string {
  const abs = resolve(path);
  return sep === '/' ? abs : abs.split(sep).join('/');
}

/** A directory entry's `FileKind`: a link as a link, whatever it points to. */
export function kindOf(entry: Dirent): number {
  if (entry.isSymbolicLink()) return FileKind.SymbolicLink;
  return entry.isDirectory() ? FileKind.Directory : entry.isFile() ? FileKind.File : FileKind.Unknown;
}
